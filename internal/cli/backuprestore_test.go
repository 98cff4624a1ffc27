package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

// TestBackupReportReadsTheRestoreTests: on AWS prod the report lists the
// restore tests of the stack's restore testing plan, read from AWS
// Backup's ListRestoreJobs. No AWS Backup emulator exists, so one endpoint
// serves a fake of that call (documented shape) and passes every other
// request to gofakes3, which holds the tier. A failed restore test is a
// finding and exit 1; all passing is exit 0.
func TestBackupReportReadsTheRestoreTests(t *testing.T) {
	const plan = "arn:aws:backup:eu-west-2:1:restore-testing-plan:wedsync_prod_db_restore_test-abc"
	for _, failed := range []bool{false, true} {
		s := backuptest.StartS3(t)
		s.Env(t)
		s.Bucket(t, "backups")
		seedBackup(func(k string, o backuptest.Object) { s.Put(t, "backups", k, o) }, "", time.Time{}, false)
		s3u, _ := url.Parse(s.URL)
		now := float64(time.Now().Add(-24 * time.Hour).Unix())
		jobs := fmt.Sprintf(`{"RestoreJobs":[{"RestoreJobId":"r-1","Status":"COMPLETED","ValidationStatus":"SUCCESSFUL","CreationDate":%v,"CompletionDate":%v,"RecoveryPointArn":"arn:aws:rds:eu-west-2:1:snapshot:awsbackup:job-1"}]}`, now, now+2400)
		if failed {
			jobs = fmt.Sprintf(`{"RestoreJobs":[{"RestoreJobId":"r-2","Status":"FAILED","StatusMessage":"the subnet group is gone","CreationDate":%v}]}`, now)
		}
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/restore-jobs/" {
				if r.URL.Query().Get("restoreTestingPlanArn") != plan {
					http.Error(w, `{"message":"wrong plan"}`, http.StatusBadRequest)
					return
				}
				_, _ = w.Write([]byte(jobs))
				return
			}
			r.URL.Scheme, r.URL.Host, r.RequestURI = s3u.Scheme, s3u.Host, ""
			resp, err := http.DefaultTransport.RoundTrip(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer func() { _ = resp.Body.Close() }()
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
		}))
		t.Cleanup(proxy.Close)
		outputs := outputsFile(t, map[string]any{
			"region":         "eu-west-2",
			"backupTiers":    []backup.Tier{{Tier: "bucket", Purpose: "db-exports", Cloud: "aws", Region: "eu-west-2", Bucket: "backups"}},
			"databaseBackup": map[string]any{"restoreTests": plan},
		})
		code, out, errOut := run(t, "backup", "report", "--stack", "prod", "--outputs", outputs, "--endpoint", "aws="+proxy.URL)
		want, wantCode := "last passed", ExitOK
		if failed {
			want, wantCode = "FINDING restore test r-2", ExitViolation
		}
		if code != wantCode || !strings.Contains(out, "Restore tests (AWS Backup "+plan+")") || !strings.Contains(out, want) {
			t.Fatalf("failed=%v: exit %d, want %d with %q\nstdout: %s\nstderr: %s", failed, code, wantCode, want, out, errOut)
		}
		code, out, _ = run(t, "backup", "report", "--stack", "prod", "--format", "html", "--outputs", outputs, "--endpoint", "aws="+proxy.URL)
		if code != wantCode || !strings.Contains(out, "<h2>Restore tests (AWS Backup)</h2>") || failed != strings.Contains(out, "the subnet group is gone") {
			t.Fatalf("failed=%v: html exit %d, want %d, with the restore tests section:\n%s", failed, code, wantCode, out)
		}
	}
}
