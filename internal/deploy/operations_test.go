package deploy

import (
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// loginIdentities are the identities (deploy, preview) a job signs in as.
func loginIdentities(j *actionlint.Job) []string {
	var out []string
	for _, s := range j.Steps {
		if a, ok := s.Exec.(*actionlint.ExecAction); ok && strings.Contains(uses(s), "cloud-login") {
			if in, ok := a.Inputs["identity"]; ok && in.Value != nil {
				out = append(out, in.Value.Value)
			}
		}
	}
	return out
}

func crons(w *actionlint.Workflow) []string {
	var out []string
	for _, e := range w.On {
		if s, ok := e.(*actionlint.ScheduledEvent); ok {
			for _, c := range s.Schedules {
				out = append(out, c.Cron.Value)
			}
		}
	}
	return out
}

// The drift check runs every day, only reads (the preview identity, no up),
// files an issue on drift and pages on a protected resource's.
func TestDriftWorkflowReadsDailyAndReports(t *testing.T) {
	w := workflows(t)["drift.yml"]
	if w == nil {
		t.Fatal("no drift.yml")
	}
	if c := crons(w); len(c) != 1 || !strings.HasSuffix(c[0], "* * *") {
		t.Errorf("drift runs on %v, want a daily schedule", c)
	}
	for id, j := range w.Jobs {
		script := strings.Join(runs(j), "\n")
		if ids := loginIdentities(j); strings.Join(ids, ",") != "preview" {
			t.Errorf("job %s signs in as %v; a drift check reads, as the preview identity", id, ids)
		}
		for _, want := range []string{"wedsync-infra drift --stack", "gh issue create", "gh issue comment", "DRIFT_PAGE_WEBHOOK", "--label drift"} {
			if !strings.Contains(script, want) && !strings.Contains(stepEnv(j), want) {
				t.Errorf("job %s does not %q", id, want)
			}
		}
		if upCommand.MatchString(script) {
			t.Errorf("job %s changes a stack", id)
		}
		if jobStacks(j) == nil || !strings.Contains(strings.Join(jobStacks(j), ","), "prod") {
			t.Errorf("job %s checks %v; every CI-deployed stack, prod included", id, jobStacks(j))
		}
	}
}

func stepEnv(j *actionlint.Job) string {
	var b strings.Builder
	for _, s := range j.Steps {
		if s.Env != nil {
			for _, v := range s.Env.Vars {
				b.WriteString(v.Value.Value + "\n")
			}
		}
	}
	return b.String()
}

// The re-apply runs Monday to Thursday only, records why, and goes through
// the freeze check (the deploy-job test checks the order).
func TestReapplyRunsMondayToThursdayWithAReason(t *testing.T) {
	w := workflows(t)["reapply.yml"]
	if w == nil {
		t.Fatal("no reapply.yml")
	}
	for _, c := range crons(w) {
		if f := strings.Fields(c); len(f) != 5 || f[4] != "1-4" || f[2] != "*" {
			t.Errorf("cron %q: re-apply only Monday to Thursday", c)
		}
	}
	ups := 0
	for id, j := range w.Jobs {
		for _, r := range runs(j) {
			if upCommand.MatchString(r) {
				ups++
				if !strings.Contains(r, "--reason") {
					t.Errorf("job %s updates without recording why", id)
				}
			}
		}
	}
	if ups < 2 {
		t.Errorf("%d re-apply jobs, want staging's and prod's", ups)
	}
	if j := w.Jobs["prod"]; j == nil || j.Environment == nil || j.Environment.Name.Value != "prod" {
		t.Error("prod is re-applied outside the GitHub environment prod (its approvals)")
	}
}

// A prod config change: by hand with a required reason, planned first, and
// applied in the environment prod.
func TestProdConfigChangeHasAReviewedPath(t *testing.T) {
	w := workflows(t)["apply-prod.yml"]
	if w == nil {
		t.Fatal("no apply-prod.yml")
	}
	if len(w.On) != 1 {
		t.Fatalf("triggers %d, want workflow_dispatch only", len(w.On))
	}
	d, ok := w.On[0].(*actionlint.WorkflowDispatchEvent)
	if !ok {
		t.Fatalf("trigger %s, want workflow_dispatch", w.On[0].EventName())
	}
	if in := d.Inputs["reason"]; in == nil || in.Required == nil || !in.Required.Value {
		t.Error("the reason input is not required")
	}
	up := w.Jobs["up"]
	if up == nil || up.Environment == nil || up.Environment.Name.Value != "prod" {
		t.Fatal("no up job in the GitHub environment prod")
	}
	if len(up.Needs) != 1 || up.Needs[0].Value != "plan" {
		t.Errorf("up needs %v, want the plan job first", up.Needs)
	}
	if !strings.Contains(strings.Join(runs(up), "\n"), `--reason "`) {
		t.Error("the up does not record the reason")
	}
}
