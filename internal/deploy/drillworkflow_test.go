package deploy

import (
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The weekly backup workflow verifies every tier and runs the restore
// drill of each prod stack, on a schedule that never falls on a wedding
// day (Saturday) or the Friday before.
func TestBackupDrillRunsWeeklyOffWeddingDays(t *testing.T) {
	w := workflows(t)["backup-drill.yml"]
	if w == nil {
		t.Fatal("no .github/workflows/backup-drill.yml")
	}
	scheduled := false
	for _, e := range w.On {
		if s, ok := e.(*actionlint.ScheduledEvent); ok {
			for _, entry := range s.Schedules {
				c := entry.Cron
				fields := strings.Fields(c.Value)
				if len(fields) != 5 || fields[2] != "*" || fields[4] == "*" || strings.ContainsAny(fields[4], "56,-/") {
					t.Errorf("cron %q: want one weekday, not Friday (5) or Saturday (6), every week", c.Value)
				}
				scheduled = true
			}
		}
	}
	if !scheduled {
		t.Error("not scheduled")
	}
	j := w.Jobs["drill"]
	if j == nil {
		t.Fatal("no drill job")
	}
	all := strings.Join(runs(j), "\n")
	for _, want := range []string{"wedsync-infra backup verify --stack \"$STACK\" --tier all", "wedsync-infra dr drill --stack", "backup report --stack \"$STACK\" --format html", "make postgresql",
		"dr drill --stack \"$STACK\" --recovery-stack --publish-metric"} {
		if !strings.Contains(all, want) {
			t.Errorf("the drill job does not run %q", want)
		}
	}
}

// The stack's freeze check decides before anything signs in or drills: a
// frozen stack (exit 3) skips every later step but the bookkeeping, and
// the scratch stack is made with the drill identity (cloud-login's
// identity drill, the one sign-in of the job), never the deploy one.
func TestTheDrillAsksTheFreezeAndUsesTheDrillIdentity(t *testing.T) {
	w := workflows(t)["backup-drill.yml"]
	if w == nil || w.Jobs["drill"] == nil {
		t.Fatal("no drill job in .github/workflows/backup-drill.yml")
	}
	j := w.Jobs["drill"]
	freeze, drillLogin := -1, -1
	for i, s := range j.Steps {
		r := runs(j)[i]
		if strings.Contains(r, "wedsync-infra freeze check --stack") {
			freeze = i
			if s.ID == nil || s.ID.Value != "freeze" || !strings.Contains(r, "3)") {
				t.Errorf("the freeze check step must have id freeze and turn exit 3 into a skip, not a failure:\n%s", r)
			}
			continue
		}
		acts := strings.Contains(uses(s), "login") || strings.Contains(r, "dr drill") || strings.Contains(r, "backup verify")
		if !acts {
			continue
		}
		if freeze < 0 {
			t.Errorf("step %d (%s) runs before the freeze check", i, s.Name.Value)
		}
		if s.If == nil || !strings.Contains(s.If.Value, "steps.freeze.outputs.open == 'true'") {
			t.Errorf("step %d (%s) does not wait for the freeze check's verdict", i, s.Name.Value)
		}
		if strings.Contains(uses(s), "drill-login") {
			t.Errorf("step %d (%s) signs in through a second path: the drill identity is cloud-login's identity drill", i, s.Name.Value)
		}
		if strings.Contains(uses(s), "cloud-login") {
			if got := stepInput(s, "identity"); got != "drill" {
				t.Errorf("step %d (%s) signs in as %q, want the drill identity (identity: drill)", i, s.Name.Value, got)
			} else {
				drillLogin = i
			}
		}
		if strings.Contains(r, "--recovery-stack") && (drillLogin < 0 || drillLogin > i) {
			t.Errorf("step %d (%s) makes the scratch stack before signing in with the drill identity", i, s.Name.Value)
		}
	}
	if freeze < 0 || drillLogin < 0 {
		t.Errorf("freeze check at step %d, drill identity at step %d: both are required", freeze, drillLogin)
	}
}

func stepInput(s *actionlint.Step, name string) string {
	e, ok := s.Exec.(*actionlint.ExecAction)
	if !ok || e.Inputs[name] == nil || e.Inputs[name].Value == nil {
		return ""
	}
	return e.Inputs[name].Value.Value
}
