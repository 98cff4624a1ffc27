package cli

import (
	"io"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// A typo'd subcommand must fail a CI gate, not print help and pass.
func TestEveryGroupRejectsAnUnknownSubcommand(t *testing.T) {
	var groups []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasParent() && c.HasSubCommands() {
			groups = append(groups, c)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRoot(io.Discard, io.Discard))
	if len(groups) < 6 {
		t.Fatalf("found %d groups, want policy, env, promote, freeze, dr, completion at least", len(groups))
	}
	for _, g := range groups {
		sub := g.Commands()[0].Name()
		typo := sub[:len(sub)-1] // "check" -> "chec"
		path := append(strings.Fields(g.CommandPath())[1:], typo)
		t.Run(strings.Join(path, "_"), func(t *testing.T) {
			code, out, errOut := run(t, path...)
			if code != ExitInvalid {
				t.Fatalf("exit %d, want 2; stdout %q", code, out)
			}
			if !strings.Contains(errOut, `unknown command "`+typo+`"`) || !strings.Contains(errOut, `did you mean "`+sub+`"?`) {
				t.Errorf("stderr = %q", errOut)
			}
		})
	}
}

func TestTypoWithFlagsNamesTheSubcommand(t *testing.T) {
	for _, args := range [][]string{
		{"freeze", "chek", "--stack", "prod"},
		{"policy", "chek", "plan.json"},
	} {
		code, _, errOut := run(t, args...)
		if code != ExitInvalid || !strings.Contains(errOut, `unknown command "chek"`) || !strings.Contains(errOut, `did you mean "check"?`) {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestGroupWithoutSubcommandShowsHelp(t *testing.T) {
	code, out, _ := run(t, "freeze")
	if code != ExitOK || !strings.Contains(out, "Available Commands") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

func TestStackFlagCompletesStackNames(t *testing.T) {
	code, out, errOut := run(t, "__complete", "plan", "--project-dir", "../..", "--stack", "prod-g")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "prod-gcp\n") || !strings.Contains(out, "prod-gcp-dr\n") {
		t.Errorf("completion = %q", out)
	}
}

// The built binary's --version is checked in cmd/wedsync-infra (a test
// binary carries no dependency list).
func TestVersionNamesTheCLIAndTheSDKs(t *testing.T) {
	if code, out, _ := run(t, "--version"); code != ExitOK || !strings.HasPrefix(out, "wedsync-infra ") {
		t.Errorf("exit %d: %s", code, out)
	}
	got := versionOf(&debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/wedsync/wedsync-infra", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "github.com/pulumi/pulumi/sdk/v3", Version: "v3.263.0"},
			{Path: "github.com/pulumi/pulumi-aws/sdk/v6", Version: "v6.83.4"},
			{Path: "github.com/spf13/cobra", Version: "v1.10.2"},
		},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "133399d0123456789"}, {Key: "vcs.modified", Value: "true"}},
	})
	want := "wedsync-infra (devel) commit 133399d01234 (modified), go1.26.8\nPulumi SDK v3.263.0\nprovider SDK github.com/pulumi/pulumi-aws/sdk/v6 v6.83.4\n"
	if got != want {
		t.Errorf("version:\n%s\nwant:\n%s", got, want)
	}
}
