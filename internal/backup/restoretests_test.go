package backup

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// No AWS Backup emulator runs here, so the restore tests are read from a
// fake of the documented ListRestoreJobs call (GET /restore-jobs/ with
// restoreTestingPlanArn, paged by nextToken, epoch-second timestamps).
func TestRestoreTestsFromAWSBackup(t *testing.T) {
	awsEnv(t)
	const plan = "arn:aws:backup:eu-west-2:1:restore-testing-plan:wedsync_prod_db_restore_test-abc"
	day := func(d int, h float64) float64 { return float64(nowAt.AddDate(0, 0, -d).Unix()) + h*3600 }
	pages := map[string]string{
		"": fmt.Sprintf(`{"NextToken":"p2","RestoreJobs":[
			{"RestoreJobId":"r-ok","Status":"COMPLETED","ValidationStatus":"SUCCESSFUL","CreationDate":%v,"CompletionDate":%v,"RecoveryPointArn":"arn:aws:rds:eu-west-2:1:snapshot:awsbackup:job-1","RecoveryPointCreationDate":%v},
			{"RestoreJobId":"r-slow","Status":"COMPLETED","CreationDate":%v,"CompletionDate":%v}]}`,
			day(1, 0), day(1, 0.75), day(1, -3), day(8, 0), day(8, 5)),
		"p2": fmt.Sprintf(`{"RestoreJobs":[
			{"RestoreJobId":"r-bad","Status":"COMPLETED","ValidationStatus":"FAILED","ValidationStatusMessage":"guests table empty","CreationDate":%v,"CompletionDate":%v},
			{"RestoreJobId":"r-failed","Status":"FAILED","StatusMessage":"KMS key disabled","CreationDate":%v}]}`,
			day(15, 0), day(15, 1), day(22, 0)),
	}
	srv, _ := fakeAPI(t, false, map[string]func(*http.Request, map[string]any) (int, string){
		"GET /restore-jobs/": func(r *http.Request, _ map[string]any) (int, string) {
			q := r.URL.Query()
			if q.Get("restoreTestingPlanArn") != plan || q.Get("createdAfter") == "" {
				return 400, `{"message":"want the plan and a window"}`
			}
			if !strings.Contains(r.Header.Get("Authorization"), "/eu-west-2/backup/aws4_request") {
				return 403, `{"message":"bad signature"}`
			}
			return 200, pages[q.Get("nextToken")]
		},
	})
	got, err := ListRestoreTests(context.Background(), "eu-west-2", plan, nowAt.AddDate(0, 0, -30), NowOptions{Endpoints: Endpoints{"aws": srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tests) != 4 || got.Passed != 1 || got.Failed != 3 {
		t.Fatalf("%d tests, %d passed, %d failed; want 4 (both pages), 1 passed, 3 failed: %+v", len(got.Tests), got.Passed, got.Failed, got.Tests)
	}
	if got.LastPassed == nil || got.LastPassed.JobID != "r-ok" || got.LastPassed.Duration() != 45*time.Minute {
		t.Errorf("last passed %+v, want r-ok restored in 45m", got.LastPassed)
	}
	for id, why := range map[string]string{"r-slow": "over the 4h0m0s target", "r-bad": "validation FAILED: guests table empty", "r-failed": "restore FAILED: KMS key disabled"} {
		found := false
		for _, tt := range got.Tests {
			if tt.JobID == id {
				found = true
				if !strings.Contains(tt.Failed(), why) {
					t.Errorf("%s fails with %q, want %q", id, tt.Failed(), why)
				}
			}
		}
		if !found {
			t.Errorf("%s missing", id)
		}
	}
}
