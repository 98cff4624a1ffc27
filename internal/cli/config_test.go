package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyWithSettings is copyOfRepo with the app's settings and their schema.
func copyWithSettings(t *testing.T) string {
	t.Helper()
	dir := copyOfRepo(t)
	matches, err := filepath.Glob("../../stacks/appsettings/*.json")
	if err != nil || len(matches) == 0 {
		t.Fatalf("no app settings: %v", err)
	}
	must(t, os.MkdirAll(filepath.Join(dir, "stacks", "appsettings"), 0o755))
	for _, m := range matches {
		data, err := os.ReadFile(m)
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, "stacks", "appsettings", filepath.Base(m)), data, 0o644))
	}
	return dir
}

// A settings change is a change to prod: refused on a wedding Saturday
// with the freeze's exit code, let through (and recorded with the
// override) under the emergency override; refused at any time, by field,
// when it breaks the schema; dev never freezes.
func TestConfigSetGoesThroughTheFreeze(t *testing.T) {
	t.Setenv("GITHUB_ACTOR", "oncall-jane")
	dir := copyWithSettings(t)
	prodFile := filepath.Join(dir, "stacks", "appsettings", "prod.json")
	history := filepath.Join(dir, "environments", "history.jsonl")
	original, err := os.ReadFile(prodFile)
	must(t, err)
	set := func(stack, at string, args ...string) (int, string, string) {
		return run(t, append([]string{"config", "set", "--project-dir", dir, "--stack", stack, "--now", at}, args...)...)
	}
	if code, out, _ := set("prod", weddingSaturday, "limits.maxUploadMb=100"); code != ExitFrozen || !strings.Contains(out, "frozen for wedding days") {
		t.Fatalf("prod on a wedding Saturday: exit %d, %s", code, out)
	}
	if now, _ := os.ReadFile(prodFile); string(now) != string(original) {
		t.Fatal("a frozen set changed the settings")
	}
	if _, err := os.Stat(history); err == nil {
		t.Fatal("a refused set was recorded")
	}
	code, out, errOut := set("prod", quietWednesday, "limits.maxUploadMb=9999", "logLevel=loud")
	if code != ExitInvalid || !strings.Contains(errOut, "settings.limits.maxUploadMb") || !strings.Contains(errOut, "settings.logLevel") {
		t.Fatalf("schema-breaking set: exit %d, %s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "freeze", "override", "set", "--project-dir", dir, "--stack", "prod", "--now", weddingSaturday, "--reason", "INC-9: uploads failing"); code != ExitOK {
		t.Fatalf("override: exit %d, %s", code, errOut)
	}
	code, out, errOut = set("prod", weddingSaturday, "limits.maxUploadMb=100", "--reason", "INC-9")
	if code != ExitOK || !strings.Contains(out, "limits.maxUploadMb  50 -> 100") || !strings.Contains(out, "emergency override") {
		t.Fatalf("prod under the override: exit %d, %s%s", code, out, errOut)
	}
	if s, _ := readSettings(prodFile); s["limits"].(map[string]any)["maxUploadMb"] != 100.0 {
		t.Errorf("prod settings after set: %v", s)
	}
	lines, err := os.ReadFile(history)
	must(t, err)
	last := strings.Split(strings.TrimSpace(string(lines)), "\n")
	rec := last[len(last)-1]
	for _, want := range []string{`"kind":"config-change"`, `"who":"oncall-jane"`, `"override":{"reason":"INC-9: uploads failing"`, `"freeze":{"name":"wedding days"`, `"path":"limits.maxUploadMb"`} {
		if !strings.Contains(rec, want) {
			t.Errorf("audit record lacks %s: %s", want, rec)
		}
	}
	// The offline plan reads the settings in the working tree: the
	// document it would write has the new value.
	code, out, errOut = run(t, "plan", "--project-dir", dir, "--stack", "prod-azure", "--json", "--now", quietWednesday)
	if code != ExitOK || !strings.Contains(out, `\"maxUploadMb\": 100`) {
		t.Errorf("plan after set: exit %d, stderr %s; document with the new value: %v", code, errOut, strings.Contains(out, `\"maxUploadMb\": 100`))
	}
	if code, out, _ := run(t, "config", "history", "--project-dir", dir, "--stack", "prod-gcp"); code != ExitOK || !strings.Contains(out, `under emergency override "INC-9: uploads failing"`) {
		t.Errorf("history: exit %d, %s", code, out)
	}
	if code, out, errOut := set("dev", weddingSaturday, "features.seatingPlanner=false"); code != ExitOK {
		t.Errorf("dev never freezes: exit %d, %s%s", code, out, errOut)
	}
}
