package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/deploy"
)

// fakeDrifter answers with a fixed drift instead of refreshing.
type fakeDrifter struct {
	drifted []deploy.Drifted
	until   time.Time
	err     error
	stacks  []string
}

func (f *fakeDrifter) Drift(_ context.Context, s *deploy.Stack) (deploy.DriftReport, error) {
	f.stacks = append(f.stacks, s.Name)
	return deploy.DriftReport{Drifted: f.drifted, SchedulesValidUntil: f.until}, f.err
}

func withDrifter(t *testing.T, d deploy.Drifter) {
	t.Helper()
	old := newDrifter
	newDrifter = func() deploy.Drifter { return d }
	t.Cleanup(func() { newDrifter = old })
}

func TestDriftExitCodes(t *testing.T) {
	dir := tempProject(t, "prod", "config:\n  wedsync:environment: prod\n  wedsync:cloud: aws\n  wedsync:region: eu-west-2\n")
	bucket := deploy.Drifted{URN: "urn:pulumi:prod::wedsync::aws:s3/bucketV2:BucketV2::backup", Type: "aws:s3/bucketV2:BucketV2",
		Op: "update", Properties: []string{"tags", "versioning"}, Protected: true}
	gone := deploy.Drifted{URN: "urn:pulumi:prod::wedsync::aws:sns/topic:Topic::alarms", Type: "aws:sns/topic:Topic", Op: "delete"}

	t.Run("no_drift_exits_0", func(t *testing.T) {
		f := &fakeDrifter{}
		withDrifter(t, f)
		code, out, errOut := runCLI(t, "drift", "--project-dir", dir, "--stack", "prod")
		if code != 0 || !strings.Contains(out, "prod: no drift") || strings.Join(f.stacks, ",") != "prod" {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("drift_exits_1_naming_each_resource_and_property", func(t *testing.T) {
		withDrifter(t, &fakeDrifter{drifted: []deploy.Drifted{bucket, gone}})
		code, out, _ := runCLI(t, "drift", "--project-dir", dir, "--stack", "prod")
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		for _, want := range []string{"2 resources drifted", bucket.URN + " [protected]", "changed: tags, versioning", gone.URN, "gone"} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not say %q:\n%s", want, out)
			}
		}
	})
	t.Run("json_says_whether_it_pages", func(t *testing.T) {
		withDrifter(t, &fakeDrifter{drifted: []deploy.Drifted{bucket}})
		code, out, _ := runCLI(t, "drift", "--project-dir", dir, "--stack", "prod", "--json")
		var r driftReport
		if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 {
			t.Fatalf("exit %d, %v\n%s", code, err, out)
		}
		if !r.Protected || r.Stack != "prod" || len(r.Drifted) != 1 {
			t.Errorf("report %+v", r)
		}
	})
	// The schedules' horizon: 44 days ahead warns (a re-apply is due), 46
	// days does not; neither is drift.
	t.Run("a_horizon_within_45_days_warns", func(t *testing.T) {
		now := time.Date(2027, 7, 9, 12, 0, 0, 0, time.UTC)
		for days, warns := range map[int]bool{44: true, 46: false} {
			withDrifter(t, &fakeDrifter{until: now.AddDate(0, 0, days)})
			code, out, _ := runCLI(t, "drift", "--project-dir", dir, "--stack", "prod", "--now", now.Format(time.RFC3339))
			if code != 0 || strings.Contains(out, "within 45 days") != warns {
				t.Errorf("schedules ending in %d days: exit %d, warns %v, want %v:\n%s", days, code, !warns, warns, out)
			}
			_, out, _ = runCLI(t, "drift", "--project-dir", dir, "--stack", "prod", "--now", now.Format(time.RFC3339), "--json")
			var r driftReport
			if err := json.Unmarshal([]byte(out), &r); err != nil || r.HorizonEndsSoon != warns || r.SchedulesValidUntil == "" {
				t.Errorf("--json with schedules ending in %d days: %+v %v", days, r, err)
			}
		}
	})
	t.Run("a_check_that_cannot_run_exits_2_not_0", func(t *testing.T) {
		withDrifter(t, &fakeDrifter{err: errors.New("no credentials")})
		code, _, errOut := runCLI(t, "drift", "--project-dir", dir, "--stack", "prod")
		if code != 2 || !strings.Contains(errOut, "no credentials") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}
