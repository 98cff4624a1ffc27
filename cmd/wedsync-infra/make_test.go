package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's first command is make: it must build the CLI once and run it
// silently, so a redirect gets the document and the binary keeps the
// documented exit codes (go run turns 2 and 3 into 1).
func TestMakeRunsTheBuiltCLISilently(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	bin := t.TempDir()
	makeIn := func(env []string, args ...string) (string, error) {
		cmd := exec.Command("make", append([]string{"BIN=" + bin}, args...)...)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), env...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if err != nil {
			t.Logf("make %v: %v\n%s", args, err, errOut.String())
		}
		return out.String(), err
	}
	out, err := makeIn([]string{"WEDSYNC_NOW=2026-11-25T12:00:00Z"}, "plan-json", "STACK=dev")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Stack string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Stack != "dev" {
		t.Fatalf("make plan-json > f.json is not the plan document (%v): %.200q", err, out)
	}
	// A wedding Saturday: the plan shows the freeze and succeeds.
	if out, err := makeIn([]string{"WEDSYNC_NOW=2026-06-13T15:00:00+01:00"}, "plan", "STACK=prod"); err != nil {
		t.Errorf("make plan STACK=prod on a Saturday: %v\n%s", err, out)
	}
	version, err := exec.Command(filepath.Join(bin, "wedsync-infra"), "--version").Output()
	if err != nil || !strings.Contains(string(version), "Pulumi SDK v3.") || !strings.Contains(string(version), "provider SDK github.com/pulumi/pulumi-gcp/sdk/v7 v7.") {
		t.Errorf("--version: %v\n%s", err, version)
	}
	cli := exec.Command(filepath.Join(bin, "wedsync-infra"), "plan", "--stack", "nope", "--project-dir", "../..")
	var exit *exec.ExitError
	if err := cli.Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("the built CLI on an unknown stack: %v, want exit 2", err)
	}
}
