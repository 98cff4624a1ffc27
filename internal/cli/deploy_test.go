package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/deploy"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// fakeRunner records what it was asked to run instead of running it.
type fakeRunner struct {
	calls  []string
	stacks []*deploy.Stack
	result deploy.Result
	err    error
}

func (f *fakeRunner) Preview(_ context.Context, s *deploy.Stack) (deploy.Result, error) {
	return f.record("preview", s)
}

func (f *fakeRunner) Up(_ context.Context, s *deploy.Stack) (deploy.Result, error) {
	return f.record("up", s)
}

func (f *fakeRunner) record(op string, s *deploy.Stack) (deploy.Result, error) {
	f.calls = append(f.calls, op+" "+s.Name)
	f.stacks = append(f.stacks, s)
	return f.result, f.err
}

// withRunner makes `up` and `preview` use r for the rest of the test.
func withRunner(t *testing.T, r deploy.Runner) {
	t.Helper()
	old := newRunner
	newRunner = func() deploy.Runner { return r }
	t.Cleanup(func() { newRunner = old })
}

func deployRecords(t *testing.T, dir string) []audit.Record {
	t.Helper()
	p, err := project.Load(dir)
	must(t, err)
	records, err := audit.HistoryOf(p).Records()
	must(t, err)
	var out []audit.Record
	for _, r := range records {
		if r.Kind == audit.KindDeploy {
			out = append(out, r)
		}
	}
	return out
}

func TestDeployCommands(t *testing.T) {
	t.Setenv("GITHUB_ACTOR", "ci-bot")
	t.Setenv("WEDSYNC_NOW", "")

	t.Run("up_on_prod_on_a_wedding_saturday_is_refused_with_exit_3", func(t *testing.T) {
		dir := copyOfRepo(t)
		fake := &fakeRunner{}
		withRunner(t, fake)
		code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday)
		if code != ExitFrozen {
			t.Fatalf("exit %d, want %d\n%s%s", code, ExitFrozen, out, errOut)
		}
		if len(fake.calls) != 0 {
			t.Errorf("the runner was called inside a freeze: %v", fake.calls)
		}
		if !strings.Contains(out, "frozen for wedding days") {
			t.Errorf("output does not name the window:\n%s", out)
		}
		if recs := deployRecords(t, dir); len(recs) != 0 {
			t.Errorf("a refused up recorded a deploy: %+v", recs)
		}
	})

	// A preview reads: the freeze is its status, the pack's freeze rule
	// advisory, and the exit 0.
	t.Run("preview_on_prod_on_a_wedding_saturday_shows_the_freeze_and_previews", func(t *testing.T) {
		dir := copyOfRepo(t)
		fake := &fakeRunner{result: deploy.Result{Changes: map[string]int{"same": 40}}}
		withRunner(t, fake)
		code, out, errOut := run(t, "preview", "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday)
		if code != ExitOK {
			t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
		}
		if len(fake.calls) != 1 || !fake.stacks[0].FreezeAdvisory {
			t.Errorf("runner calls %v; the pack's freeze rule must be advisory in a frozen preview", fake.calls)
		}
		if !strings.Contains(out, "is frozen for wedding days") || !strings.Contains(out, "freeze override set --stack prod") {
			t.Errorf("output:\n%s", out)
		}
	})

	// A prod config change without a promotion: the reviewed reason stays
	// in the deploy record (the apply-prod workflow passes it).
	t.Run("up_keeps_its_reason_in_the_deploy_record", func(t *testing.T) {
		dir := copyOfRepo(t)
		withRunner(t, &fakeRunner{result: deploy.Result{Changes: map[string]int{"update": 1}}})
		code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "prod", "--now", "2026-11-25T12:00:00Z",
			"--reason", "config change: budget 12000 -> 14000 (#123)")
		if code != ExitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		recs := deployRecords(t, dir)
		if len(recs) != 1 || recs[0].Reason != "config change: budget 12000 -> 14000 (#123)" || recs[0].Stack != "prod" {
			t.Errorf("deploy records %+v", recs)
		}
	})

	t.Run("up_on_prod_inside_a_freeze_runs_under_an_emergency_override", func(t *testing.T) {
		dir := copyOfRepo(t)
		if code, out, errOut := run(t, "freeze", "override", "set", "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday,
			"--reason", "INC-42: payments down", "--approved-by", "oncall-jane"); code != ExitOK {
			t.Fatalf("setting the override: exit %d\n%s%s", code, out, errOut)
		}
		fake := &fakeRunner{result: deploy.Result{Changes: map[string]int{"update": 1, "same": 40}}}
		withRunner(t, fake)
		code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday)
		if code != ExitOK {
			t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
		}
		if len(fake.calls) != 1 || fake.calls[0] != "up prod" {
			t.Fatalf("runner calls %v, want [up prod]", fake.calls)
		}
		// The policy pack's freeze rule reads the override from the config.
		var o map[string]string
		must(t, json.Unmarshal([]byte(fake.stacks[0].Config["wedsync:emergencyOverride"].Value), &o))
		if o["reason"] != "INC-42: payments down" || o["approvedBy"] != "oncall-jane" {
			t.Errorf("the override handed to the run is %v", o)
		}
		if !strings.Contains(out, "emergency override in force") || !strings.Contains(out, "1 update") {
			t.Errorf("output:\n%s", out)
		}
	})

	t.Run("an_expired_override_does_not_let_prod_through", func(t *testing.T) {
		dir := copyOfRepo(t)
		file := filepath.Join(dir, "stacks", "Pulumi.prod.yaml")
		data, err := os.ReadFile(file)
		must(t, err)
		data = append(data, []byte("  wedsync:emergencyOverride:\n    reason: old incident\n    approvedBy: oncall-jane\n    expires: \"2026-06-13T10:00:00+01:00\"\n")...)
		must(t, os.WriteFile(file, data, 0o644))
		fake := &fakeRunner{}
		withRunner(t, fake)
		code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday)
		if code != ExitFrozen || len(fake.calls) != 0 {
			t.Fatalf("exit %d, runner calls %v; want 3 and none\n%s%s", code, fake.calls, out, errOut)
		}
		if !strings.Contains(out, "expired") {
			t.Errorf("output does not say the override expired:\n%s", out)
		}
	})

	t.Run("up_hands_the_runner_the_stack_file_over_its_environment", func(t *testing.T) {
		dir := copyOfRepo(t)
		fake := &fakeRunner{}
		withRunner(t, fake)
		if code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "dev", "--now", weddingSaturday); code != ExitOK {
			t.Fatalf("exit %d (dev never freezes)\n%s%s", code, out, errOut)
		}
		s := fake.stacks[0]
		for key, want := range map[string]string{
			"wedsync:environment": "dev",       // the stack file
			"wedsync:region":      "eu-west-2", // the stack file
			"wedsync:owner":       "platform",  // environments/base.yaml through dev.yaml
			"wedsync:timezone":    "Europe/London",
		} {
			if got := s.Config[key]; got.Value != want || got.Secret {
				t.Errorf("config %s = %+v, want %q (not secret)", key, got, want)
			}
		}
		var rel map[string]any
		if err := json.Unmarshal([]byte(s.Config["wedsync:release"].Value), &rel); err != nil || rel["application"] == nil {
			t.Errorf("the environment's release is not handed over as JSON: %q (%v)", s.Config["wedsync:release"].Value, err)
		}
		if len(s.Keys) != len(s.Config) {
			t.Errorf("the program is told keys %v for config %v", s.Keys, s.Config)
		}
		if strings.Contains(string(s.StackFile), "environment") {
			t.Errorf("the stack settings keep the environment import, which the CLI resolves only on Pulumi Cloud:\n%s", s.StackFile)
		}
		if s.PolicyPack != filepath.Join(dir, "policies") {
			t.Errorf("policy pack %q, want the project's policies/", s.PolicyPack)
		}
	})

	t.Run("a_successful_up_records_the_deploy", func(t *testing.T) {
		dir := copyOfRepo(t)
		withRunner(t, &fakeRunner{result: deploy.Result{Changes: map[string]int{"create": 3}}})
		if code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "staging", "--now", quietWednesday); code != ExitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		recs := deployRecords(t, dir)
		if len(recs) != 1 {
			t.Fatalf("%d deploy records, want 1", len(recs))
		}
		r := recs[0]
		if r.Env != "staging" || r.Stack != "staging" || r.Who != "ci-bot" || r.Release["application"] == nil {
			t.Errorf("deploy record %+v", r)
		}
		if want := "2026-06-10T11:00:00Z"; r.At.Format("2006-01-02T15:04:05Z07:00") != want {
			t.Errorf("recorded at %s, want %s (the --now instant)", r.At, want)
		}
	})

	t.Run("a_preview_records_nothing", func(t *testing.T) {
		dir := copyOfRepo(t)
		fake := &fakeRunner{}
		withRunner(t, fake)
		if code, out, errOut := run(t, "preview", "--project-dir", dir, "--stack", "dev"); code != ExitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		if len(fake.calls) != 1 || fake.calls[0] != "preview dev" {
			t.Errorf("runner calls %v, want [preview dev]", fake.calls)
		}
		if recs := deployRecords(t, dir); len(recs) != 0 {
			t.Errorf("a preview recorded a deploy: %+v", recs)
		}
	})

	t.Run("a_failed_up_exits_1_and_records_nothing", func(t *testing.T) {
		dir := copyOfRepo(t)
		withRunner(t, &fakeRunner{err: errors.New("mandatory policy violation: bucket-encryption")})
		code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "dev")
		if code != ExitViolation {
			t.Fatalf("exit %d, want %d\n%s%s", code, ExitViolation, out, errOut)
		}
		if !strings.Contains(errOut, "up of dev failed") {
			t.Errorf("stderr: %s", errOut)
		}
		if recs := deployRecords(t, dir); len(recs) != 0 {
			t.Errorf("a failed up recorded a deploy: %+v", recs)
		}
	})

	t.Run("bad_arguments_exit_2", func(t *testing.T) {
		withRunner(t, &fakeRunner{})
		for _, args := range [][]string{
			{"up"},
			{"up", "--stack", "qa"},
			{"preview", "--stack", "dev", "--now", "Saturday"},
		} {
			if code, _, _ := run(t, append(args, "--project-dir", "../..")...); code != ExitInvalid {
				t.Errorf("%v: exit %d, want %d", args, code, ExitInvalid)
			}
		}
	})

	t.Run("without_a_pulumi_cli_it_says_how_to_install_one", func(t *testing.T) {
		dir := copyOfRepo(t)
		t.Setenv("PATH", t.TempDir())
		withRunner(t, deploy.Automation{})
		code, out, errOut := run(t, "up", "--project-dir", dir, "--stack", "dev")
		if code != ExitInvalid {
			t.Fatalf("exit %d, want %d\n%s%s", code, ExitInvalid, out, errOut)
		}
		for _, want := range []string{"no `pulumi` CLI on PATH", "make pulumi", "tools/pulumi", "v3.259.0"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr does not say %q:\n%s", want, errOut)
			}
		}
		if recs := deployRecords(t, dir); len(recs) != 0 {
			t.Errorf("recorded a deploy that never ran: %+v", recs)
		}
	})
}

func TestAffectedSaysWhatIsWrong(t *testing.T) {
	if code, out, errOut := run(t, "affected", "--project-dir", "../.."); code != ExitInvalid || !strings.Contains(errOut, "give the changed files, or --base REF") {
		t.Errorf("no files, no --base: exit %d, %q %q", code, out, errOut)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	code, _, errOut := run(t, "affected", "--base", "nosuchref", "--project-dir", "../..")
	if code != ExitInvalid || !strings.Contains(errOut, "nosuchref") || !strings.Contains(errOut, "unknown revision") {
		t.Errorf("--base nosuchref: exit %d, %s", code, errOut)
	}
	// A shallow clone says to fetch more history.
	src, err := filepath.Abs("../..")
	must(t, err)
	dir := filepath.Join(t.TempDir(), "shallow")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+src, dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make a shallow clone: %v %s", err, out)
	}
	code, _, errOut = run(t, "affected", "--base", "HEAD~5", "--project-dir", dir)
	if code != ExitInvalid || !strings.Contains(errOut, "this clone is shallow") || !strings.Contains(errOut, "fetch-depth: 0") {
		t.Errorf("shallow: exit %d, %s", code, errOut)
	}
}
