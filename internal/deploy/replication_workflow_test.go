package deploy

import (
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The backup replication check runs on a schedule, signs in with the
// stack's read-only preview identity (the one the drift environment is
// trusted by), runs `wedsync-infra dr replication` on the AWS CLI's output,
// and pages only when the check found a problem (exit 1): never on 0, and
// not on a check that could not run.
func TestBackupReplicationPagesOnlyOnAProblem(t *testing.T) {
	w := workflows(t)["backup-replication.yml"]
	if w == nil {
		t.Fatal("no .github/workflows/backup-replication.yml")
	}
	scheduled := false
	for _, e := range w.On {
		if s, ok := e.(*actionlint.ScheduledEvent); ok && len(s.Schedules) > 0 {
			for _, c := range s.Schedules {
				if f := strings.Fields(c.Cron.Value); len(f) != 5 || f[1] != "*" || f[2] != "*" || f[4] != "*" {
					t.Errorf("cron %q: want at least hourly, every day", c.Cron.Value)
				}
			}
			scheduled = true
		}
	}
	if !scheduled {
		t.Error("not scheduled")
	}
	j := w.Jobs["replication"]
	if j == nil {
		t.Fatal("no replication job")
	}
	if j.Environment == nil || j.Environment.Name.Value != "drift" {
		t.Error("the job does not run in the GitHub environment drift, whose subject the preview identities trust")
	}
	login, check, page := -1, -1, -1
	for i, s := range j.Steps {
		r := runs(j)[i]
		switch {
		case signInAction(uses(s)):
			if got := stepInput(s, "identity"); got != "preview" {
				t.Errorf("step %d signs in as %q, want the read-only preview identity", i, got)
			}
			login = i
		case strings.Contains(r, "wedsync-infra dr replication --stack"):
			if !strings.Contains(r, "aws rds describe-db-instance-automated-backups --region") || s.ID == nil {
				t.Errorf("the check step must read the backups with the AWS CLI in the DR region and have an id:\n%s", r)
			}
			check = i
		case strings.Contains(r, "PAGE_WEBHOOK"):
			page = i
			if s.If == nil || s.If.Value != "steps.check.outputs.broken == 'true'" {
				t.Errorf("the page step runs on %v: want only when the check found a problem (steps.check.outputs.broken == 'true')", s.If)
			}
			if !strings.Contains(r, "exit 1") {
				t.Error("the page step does not fail the run")
			}
		}
	}
	if login < 0 || check < login || page < check {
		t.Errorf("sign-in at step %d, check at %d, page at %d: want all three, in that order", login, check, page)
	}
	if all := strings.Join(runs(j), "\n"); !strings.Contains(all, `echo "broken=$([ "$status" -eq 1 ] && echo true || echo false)"`) {
		t.Error("broken is not set from exit 1 alone")
	}
}
