package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// project writes a Pulumi project with one stack file into a temp dir.
func tempProject(t *testing.T, stack, config string) string {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: wedsync\nruntime: go\nstackConfigDir: stacks\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "stacks"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "stacks", "Pulumi."+stack+".yaml"), []byte(config), 0o644))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// outputsFile writes v as a stack's outputs file, what --outputs reads.
func outputsFile(t *testing.T, v map[string]any) string {
	t.Helper()
	data, err := json.Marshal(v)
	must(t, err)
	path := filepath.Join(t.TempDir(), "outputs.json")
	must(t, os.WriteFile(path, data, 0o644))
	return path
}

func TestPlanOfAShippedStackPrintsTheTree(t *testing.T) {
	code, out, errOut := run(t, "plan", "--stack", "prod", "--project-dir", "../..")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Offline plan of wedsync/prod: prod on AWS eu-west-2, DR eu-west-1", "pulumi:pulumi:Stack  wedsync-prod", "Summary:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestPlanJSONIsOneDocument(t *testing.T) {
	code, out, _ := run(t, "plan", "--stack", "dev", "--json", "--project-dir", "../..")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Stack     string           `json:"stack"`
		Resources []map[string]any `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v", err)
	}
	if doc.Stack != "dev" || len(doc.Resources) < 2 {
		t.Errorf("doc = %+v", doc)
	}
}

func TestPlanExitCodes(t *testing.T) {
	broken := "config:\n  wedsync:environment: prod\n  wedsync:cloud: aws\n  wedsync:region: eu-west-9\n  wedsync:regoin: x\n"
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr []string
	}{
		{"invalid_config_lists_every_problem_and_plans_nothing", []string{"plan", "--stack", "broken", "--project-dir", tempProject(t, "broken", broken)}, ExitInvalid,
			[]string{"stack broken: invalid config; nothing was planned", `wedsync:regoin = "x": unknown key; did you mean "region"?`, `wedsync:region = "eu-west-9"`, "wedsync:drRegion: required", "wedsync:costCentre: required"}},
		{"unknown_stack_names_the_known_ones", []string{"plan", "--stack", "nope", "--project-dir", "../.."}, ExitInvalid,
			[]string{`no such stack "nope"`, "prod-azure"}},
		{"missing_stack_flag", []string{"plan", "--project-dir", "../.."}, ExitInvalid, []string{`required flag(s) "stack" not set`}},
		{"unknown_flag", []string{"plan", "--stak", "prod"}, ExitInvalid, []string{"unknown flag"}},
		{"no_project_here", []string{"plan", "--stack", "prod", "--project-dir", t.TempDir()}, ExitInvalid, []string{"no Pulumi.yaml"}},
		{"unreadable_stack_file", []string{"plan", "--stack", "bad", "--project-dir", tempProject(t, "bad", "config: [")}, ExitInvalid, []string{"not valid YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if out != "" {
				t.Errorf("stdout should be empty, got %q", out)
			}
			for _, w := range tt.inStderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// Reading is never frozen: a plan of prod on a wedding Saturday exits 0 and
// shows the freeze as a status, with the instant and where it came from.
func TestPlanOnAWeddingSaturdayShowsTheFreezeAndSucceeds(t *testing.T) {
	t.Setenv("WEDSYNC_NOW", "2026-06-13T15:00:00+01:00")
	code, out, errOut := run(t, "plan", "--stack", "prod", "--project-dir", "../..")
	if code != ExitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	for _, want := range []string{"Planned for Sat 13 Jun 2026 15:00 BST (from WEDSYNC_NOW)",
		"Freeze: prod (prod) is frozen for wedding days", "until Sun 14 Jun 2026 06:00 BST", "wedsync-infra freeze override set --stack prod"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	code, out, _ = run(t, "plan", "--stack", "prod", "--json", "--now", "2026-06-13T16:00:00+01:00", "--project-dir", "../..")
	var doc struct {
		PlannedAt struct{ At, Source string }
		Freeze    struct {
			Blocked         bool
			Until, Override string
		}
	}
	must(t, json.Unmarshal([]byte(out), &doc))
	if code != ExitOK || doc.PlannedAt.At != "2026-06-13T16:00:00+01:00" || doc.PlannedAt.Source != "--now" ||
		!doc.Freeze.Blocked || doc.Freeze.Until != "2026-06-14T06:00:00+01:00" || doc.Freeze.Override == "" {
		t.Errorf("exit %d, plan document %+v", code, doc)
	}
}

// A misspelt key is named with a did-you-mean, never read as a default.
func TestMisspeltKeysAreNamed(t *testing.T) {
	good := "  wedsync:environment: dev\n  wedsync:cloud: aws\n  wedsync:region: eu-west-2\n  wedsync:costCentre: x\n"
	for _, tc := range []struct{ name, file, want string }{
		{"namespace", "config:\n" + good + "  wedsnyc:budget: {amount: 5}\n", `wedsnyc:budget = "{\"amount\":5}": unknown namespace "wedsnyc"; did you mean "wedsync:budget"?`},
		{"top_level_key", "confg:\n" + good, `stacks/Pulumi.qa.yaml: line 1, column 1: unknown top-level key "confg"; did you mean "config"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, "plan", "--stack", "qa", "--project-dir", tempProject(t, "qa", tc.file))
			if code != ExitInvalid || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr:\n%s", code, errOut)
			}
		})
	}
}

func TestEnvCheckNamesTheFileAndLineOfBrokenYAML(t *testing.T) {
	dir := tempProject(t, "qa", "config:\n  wedsync:environment: dev\n   bad: [\n")
	code, _, errOut := run(t, "env", "check", "--project-dir", dir)
	if code != ExitInvalid || !strings.Contains(errOut, filepath.Join("stacks", "Pulumi.qa.yaml")+": stack file is not valid YAML: yaml: line 3") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}

// The tree fits the terminal ($COLUMNS here); --wide and --json show all.
func TestPlanTreeFitsTheTerminal(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	code, out, _ := run(t, "plan", "--stack", "prod", "--project-dir", "../..")
	tree, _, _ := strings.Cut(out, "\nSummary:")
	if code != ExitOK || !strings.Contains(out, "--wide or --json shows them all") {
		t.Fatalf("exit %d, no note of abbreviation:\n%s", code, out)
	}
	for _, line := range strings.Split(tree, "\n")[3:] { // the header is not the tree
		if n := len([]rune(line)); n > 100 && strings.Contains(line, "=") {
			t.Errorf("a line of %d columns with settings: %s", n, line)
		}
	}
	code, wide, _ := run(t, "plan", "--stack", "prod", "--wide", "--project-dir", "../..")
	if code != ExitOK || strings.Contains(wide, "--wide or --json") || len(wide) <= len(out) {
		t.Errorf("--wide: exit %d, %d bytes against %d abbreviated", code, len(wide), len(out))
	}
}
