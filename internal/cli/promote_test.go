package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyOfRepo copies Pulumi.yaml, the stack files and the environment
// definitions into a temp dir, for commands that write.
func copyOfRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, pattern := range []string{"Pulumi.yaml", "stacks/Pulumi.*.yaml", "environments/*.yaml"} {
		matches, err := filepath.Glob(filepath.Join("../..", pattern))
		if err != nil || len(matches) == 0 {
			t.Fatalf("nothing matches %s: %v", pattern, err)
		}
		for _, m := range matches {
			data, err := os.ReadFile(m)
			must(t, err)
			to := filepath.Join(dst, filepath.Dir(pattern), filepath.Base(m))
			must(t, os.MkdirAll(filepath.Dir(to), 0o755))
			must(t, os.WriteFile(to, data, 0o644))
		}
	}
	return dst
}

const (
	weddingSaturday = "2026-06-13T12:00:00+01:00"
	quietWednesday  = "2026-06-10T12:00:00+01:00"
)

func TestFreezeCheckExitCodes(t *testing.T) {
	t.Setenv("WEDSYNC_NOW", "")
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"prod_on_a_wedding_saturday", []string{"--stack", "prod", "--now", weddingSaturday}, ExitFrozen, "prod (prod) is frozen for wedding days at Sat 13 Jun 2026 12:00 BST, until Sun 14 Jun 2026 06:00 BST"},
		{"prod_gcp_at_christmas", []string{"--stack", "prod-gcp", "--now", "2026-12-24T10:00:00Z"}, ExitFrozen, "frozen for Christmas"},
		{"prod_on_a_wednesday", []string{"--stack", "prod", "--now", quietWednesday}, ExitOK, "prod (prod) is not frozen at Wed 10 Jun 2026 12:00 BST"},
		{"dev_on_a_wedding_saturday", []string{"--stack", "dev", "--now", weddingSaturday}, ExitOK, "dev never freezes"},
		{"staging_on_a_wedding_saturday", []string{"--stack", "staging", "--now", weddingSaturday}, ExitOK, "staging never freezes"},
		{"no_stack", []string{"--now", weddingSaturday}, ExitInvalid, ""},
		{"unknown_stack", []string{"--stack", "qa", "--now", weddingSaturday}, ExitInvalid, ""},
		{"bad_now", []string{"--stack", "prod", "--now", "Saturday"}, ExitInvalid, ""},
		{"reason_without_emergency", []string{"--stack", "prod", "--reason", "x"}, ExitInvalid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"freeze", "check", "--project-dir", "../.."}, c.args...)
			code, out, errOut := run(t, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			if !strings.Contains(out, c.out) {
				t.Errorf("output %q does not say %q", out, c.out)
			}
		})
	}
}

func TestFreezeCheckDefaultsToTheProgramsClock(t *testing.T) {
	t.Setenv("WEDSYNC_NOW", weddingSaturday)
	if code, out, _ := run(t, "freeze", "check", "--stack", "prod", "--project-dir", "../.."); code != ExitFrozen {
		t.Errorf("exit %d with WEDSYNC_NOW on a wedding Saturday: %s", code, out)
	}
}

func TestEmergencyOverrideLetsProdThroughAndIsCleared(t *testing.T) {
	t.Setenv("GITHUB_ACTOR", "oncall-jane")
	dir := copyOfRepo(t)
	freezeCmd := func(verb []string, extra ...string) (int, string, string) {
		return run(t, append(append(verb, "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday), extra...)...)
	}
	check := func() (int, string, string) { return freezeCmd([]string{"freeze", "check"}) }
	set := func(extra ...string) (int, string, string) {
		return freezeCmd([]string{"freeze", "override", "set"}, extra...)
	}
	if code, _, errOut := set(); code != ExitInvalid || !strings.Contains(errOut, "--reason is required") {
		t.Fatalf("an override without a reason: exit %d, %s", code, errOut)
	}
	code, out, errOut := set("--reason", "INC-123: payments failing")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// One story: set, and so in force; never "no change may go ahead".
	if !strings.Contains(out, "emergency override set") || !strings.Contains(out, "until 2026-06-14T06:00:00+01:00") ||
		!strings.Contains(out, "changes may go ahead") || strings.Contains(out, "no change may go ahead") {
		t.Errorf("output: %s", out)
	}
	stackFile, err := os.ReadFile(filepath.Join(dir, "stacks", "Pulumi.prod.yaml"))
	must(t, err)
	for _, want := range []string{"wedsync:emergencyOverride:", `reason: "INC-123: payments failing"`, `approvedBy: "oncall-jane"`, `expires: "2026-06-14T06:00:00+01:00"`} {
		if !strings.Contains(string(stackFile), want) {
			t.Errorf("stack file lacks %s:\n%s", want, stackFile)
		}
	}
	if code, out, _ := check(); code != ExitOK || !strings.Contains(out, "emergency override in force") {
		t.Errorf("check with the override: exit %d, %s", code, out)
	}
	// Other prod stacks stay frozen: an override is per stack.
	if code, _, _ := run(t, "freeze", "check", "--project-dir", dir, "--stack", "prod-gcp", "--now", weddingSaturday); code != ExitFrozen {
		t.Errorf("prod-gcp exit %d, want frozen", code)
	}
	if code, out, _ := freezeCmd([]string{"freeze", "override", "show"}); code != ExitOK || !strings.Contains(out, `prod: emergency override "INC-123: payments failing", approved by oncall-jane, until 2026-06-14T06:00:00+01:00; in force`) {
		t.Errorf("show: exit %d, %s", code, out)
	}
	if code, out, errOut := freezeCmd([]string{"freeze", "override", "clear"}); code != ExitOK || !strings.Contains(out, "emergency override removed") {
		t.Fatalf("clear: exit %d, %s%s", code, out, errOut)
	}
	if code, _, _ := check(); code != ExitFrozen {
		t.Errorf("after clearing: exit %d, want frozen", code)
	}
	// check changes nothing; the old flag says where setting went.
	if code, _, errOut := freezeCmd([]string{"freeze", "check"}, "--emergency"); code != ExitInvalid || !strings.Contains(errOut, "freeze override set --stack prod") {
		t.Errorf("freeze check --emergency: exit %d, %s", code, errOut)
	}
	history, err := os.ReadFile(filepath.Join(dir, "environments", "history.jsonl"))
	must(t, err)
	lines := strings.Split(strings.TrimSpace(string(history)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"kind":"emergency-override"`) || !strings.Contains(lines[0], `"who":"oncall-jane"`) ||
		!strings.Contains(lines[0], `"freeze":{"name":"wedding days"`) || !strings.Contains(lines[1], `"kind":"emergency-override-cleared"`) {
		t.Errorf("history:\n%s", history)
	}
}

func TestPromoteExitCodes(t *testing.T) {
	t.Setenv("GITHUB_ACTOR", "release-owner")
	dir := copyOfRepo(t)
	promote := func(args ...string) (int, string, string) {
		return run(t, append([]string{"promote", "--project-dir", dir}, args...)...)
	}
	if code, _, errOut := promote("--from", "staging", "--to", "prod", "--now", quietWednesday); code != ExitInvalid || !strings.Contains(errOut, "refused: no deploy of staging is recorded") {
		t.Fatalf("before any deploy: exit %d, %s", code, errOut)
	}
	if code, out, errOut := promote("record-deploy", "--env", "staging", "--now", "2026-06-09T10:00:00Z"); code != ExitOK || !strings.Contains(out, "recorded: staging deployed 2026.11.3") {
		t.Fatalf("record-deploy: exit %d, %s%s", code, out, errOut)
	}
	if code, _, errOut := promote("--from", "dev", "--to", "prod", "--now", quietWednesday); code != ExitInvalid || !strings.Contains(errOut, "skips staging") {
		t.Errorf("skipping staging: exit %d, %s", code, errOut)
	}
	if code, _, errOut := promote("--from", "staging", "--to", "prod", "--now", weddingSaturday); code != ExitFrozen || !strings.Contains(errOut, "prod is frozen") {
		t.Errorf("on a wedding Saturday: exit %d, %s", code, errOut)
	}
	code, out, errOut := promote("--from", "staging", "--to", "prod", "--now", quietWednesday, "--dry-run")
	if code != ExitOK || !strings.Contains(out, "application              2026.11.2 -> 2026.11.3") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: exit %d, %s%s", code, out, errOut)
	}
	code, out, errOut = promote("--from", "staging", "--to", "prod", "--now", quietWednesday)
	if code != ExitOK || !strings.Contains(out, "written; recorded in") {
		t.Fatalf("promote: exit %d, %s%s", code, out, errOut)
	}
	// Re-running is safe: nothing to promote is not an error.
	if code, out, errOut := promote("--from", "staging", "--to", "prod", "--now", quietWednesday); code != ExitOK || !strings.Contains(out, "nothing to promote") {
		t.Errorf("promoting twice: exit %d, %s%s", code, out, errOut)
	}
	if code, _, _ := promote("--from", "staging"); code != ExitInvalid {
		t.Errorf("without --to: exit %d", code)
	}
}

func TestEnvCommands(t *testing.T) {
	code, out, errOut := run(t, "env", "show", "prod", "--project-dir", "../..")
	if code != ExitOK || !strings.Contains(out, "wedsync:costCentre: wedsync-prod") || !strings.Contains(out, `"application": "2026.11.2"`) {
		t.Errorf("env show prod: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "env", "vars", "staging", "--project-dir", "../..")
	if code != ExitOK || !strings.Contains(out, "WEDSYNC_ENVIRONMENT=staging\n") || !strings.Contains(out, "TZ=Europe/London\n") {
		t.Errorf("env vars staging: exit %d\n%s", code, out)
	}
	if code, out, errOut := run(t, "env", "check", "--project-dir", "../.."); code != ExitOK {
		t.Errorf("env check: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "env", "show", "qa", "--project-dir", "../.."); code != ExitInvalid || !strings.Contains(errOut, `no such environment "qa"`) {
		t.Errorf("env show qa: exit %d, %s", code, errOut)
	}
}

// A dry run shows the diff and every refusal; the freeze alone is a status.
func TestPromoteDryRunShowsEverything(t *testing.T) {
	dir := copyOfRepo(t)
	promote := func(args ...string) (int, string, string) {
		return run(t, append([]string{"promote", "--project-dir", dir, "--from", "staging", "--to", "prod", "--dry-run", "--now", weddingSaturday}, args...)...)
	}
	code, out, errOut := promote()
	if code != ExitInvalid || !strings.Contains(out, "application              2026.11.2 -> 2026.11.3") || !strings.Contains(out, "refused (2 checks)") ||
		!strings.Contains(out, "no deploy of staging is recorded") || !strings.Contains(out, "prod is frozen") {
		t.Fatalf("never deployed, on a Saturday: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "promote", "record-deploy", "--project-dir", dir, "--env", "staging", "--now", "2026-06-09T10:00:00Z"); code != ExitOK {
		t.Fatalf("record-deploy: exit %d, %s%s", code, out, errOut)
	}
	code, out, errOut = promote("--json")
	var doc struct {
		DryRun   bool
		Diff     []map[string]any
		Refusals []struct{ Kind, Message string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if code != ExitOK || !doc.DryRun || len(doc.Diff) == 0 || len(doc.Refusals) != 1 || doc.Refusals[0].Kind != "target is frozen" {
		t.Errorf("the freeze alone: exit %d, %+v %s", code, doc, errOut)
	}
}

func TestFreezeCheckJSON(t *testing.T) {
	code, out, _ := run(t, "freeze", "check", "--stack", "prod", "--json", "--now", weddingSaturday, "--project-dir", "../..")
	var doc struct {
		Stack, At, Source string
		Blocked           bool
		Until, Override   string
	}
	must(t, json.Unmarshal([]byte(out), &doc))
	if code != ExitFrozen || doc.Stack != "prod" || doc.Source != "--now" || !doc.Blocked || doc.Until != "2026-06-14T06:00:00+01:00" || doc.Override == "" {
		t.Errorf("exit %d, %+v", code, doc)
	}
}
