package backup

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"time"
)

// RestoreTarget is the seeds' recovery target: a restore that takes longer
// than this misses it.
const RestoreTarget = 4 * time.Hour

// RestoreTest is one AWS Backup restore test: a restore job its restore
// testing plan started, as ListRestoreJobs reports it
// (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRestoreJobs.html).
type RestoreTest struct {
	JobID         string    `json:"jobId"`
	Status        string    `json:"status"`               // PENDING, RUNNING, COMPLETED, ABORTED, FAILED
	Validation    string    `json:"validation,omitempty"` // SUCCESSFUL, FAILED, TIMED_OUT, VALIDATING; "" when none ran
	Message       string    `json:"message,omitempty"`
	Created       time.Time `json:"created"`
	Completed     time.Time `json:"completed,omitempty"`
	RecoveryPoint string    `json:"recoveryPoint"`
	// RecoveryPointCreated is when the restored snapshot was taken.
	RecoveryPointCreated time.Time `json:"recoveryPointCreated,omitempty"`
}

// Duration is how long the restore took (0 while it runs).
func (r RestoreTest) Duration() time.Duration {
	if r.Completed.IsZero() {
		return 0
	}
	return r.Completed.Sub(r.Created)
}

// Failed says why the test failed, "" when it passed or still runs: the
// restore failed or was aborted, its validation failed or timed out, or
// it took longer than RestoreTarget.
func (r RestoreTest) Failed() string {
	switch {
	case r.Status == "FAILED" || r.Status == "ABORTED":
		return fmt.Sprintf("restore %s: %s", r.Status, r.Message)
	case r.Validation == "FAILED" || r.Validation == "TIMED_OUT":
		return fmt.Sprintf("validation %s: %s", r.Validation, r.Message)
	case r.Status == "COMPLETED" && r.Duration() > RestoreTarget:
		return fmt.Sprintf("restore took %s, over the %s target", r.Duration().Round(time.Minute), RestoreTarget)
	}
	return ""
}

// RestoreTests are a plan's restore tests over a window, newest first.
type RestoreTests struct {
	Plan   string        `json:"plan"`
	Tests  []RestoreTest `json:"tests"`
	Passed int           `json:"passed"`
	Failed int           `json:"failed"`
	// LastPassed is the newest test that passed.
	LastPassed *RestoreTest `json:"lastPassed,omitempty"`
}

// ListRestoreTests reads the restore jobs plan (a restore testing plan's
// ARN) started since, from AWS Backup's REST API (ListRestoreJobs with
// restoreTestingPlanArn, paged), signed with the default credential chain
// as `backup now` is. It only reads.
func ListRestoreTests(ctx context.Context, region, plan string, since time.Time, o NowOptions) (*RestoreTests, error) {
	creds, base, err := awsBackupAPI(ctx, region, o)
	if err != nil {
		return nil, err
	}
	out := &RestoreTests{Plan: plan}
	next := ""
	for {
		q := url.Values{"restoreTestingPlanArn": {plan}, "createdAfter": {since.UTC().Format(time.RFC3339)}}
		if next != "" {
			q.Set("nextToken", next)
		}
		var page restoreJobsPage
		if err := awsCall(ctx, o, creds, region, http.MethodGet, base+"/restore-jobs/?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		for _, j := range page.RestoreJobs {
			out.Tests = append(out.Tests, j.test())
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	out.score()
	return out, nil
}

func (r *RestoreTests) score() {
	sort.Slice(r.Tests, func(i, j int) bool { return r.Tests[i].Created.After(r.Tests[j].Created) })
	r.Passed, r.Failed, r.LastPassed = 0, 0, nil
	for i, t := range r.Tests {
		switch {
		case t.Failed() != "":
			r.Failed++
		case t.Status == "COMPLETED":
			r.Passed++
			if r.LastPassed == nil {
				r.LastPassed = &r.Tests[i]
			}
		}
	}
}

// restoreJobsPage is ListRestoreJobs' response.
type restoreJobsPage struct {
	NextToken   string
	RestoreJobs []restoreJob
}

// restoreJob is one listed job; timestamps are epoch seconds, as AWS's
// JSON protocols send them.
type restoreJob struct {
	RestoreJobID              string `json:"RestoreJobId"`
	Status                    string
	StatusMessage             string
	ValidationStatus          string
	ValidationStatusMessage   string
	CreationDate              float64
	CompletionDate            float64
	RecoveryPointArn          string
	RecoveryPointCreationDate float64
}

func epoch(sec float64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}

func (j restoreJob) test() RestoreTest {
	msg := j.StatusMessage
	if j.ValidationStatusMessage != "" {
		msg = j.ValidationStatusMessage
	}
	return RestoreTest{JobID: j.RestoreJobID, Status: j.Status, Validation: j.ValidationStatus, Message: msg,
		Created: epoch(j.CreationDate), Completed: epoch(j.CompletionDate),
		RecoveryPoint: j.RecoveryPointArn, RecoveryPointCreated: epoch(j.RecoveryPointCreationDate)}
}
