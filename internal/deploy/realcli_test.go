//go:build e2e

// The deploy path against the real Pulumi CLI. `make e2e` runs it (with the
// CLI it builds anyway); `make test` does not build the CLI, so it leaves
// this file out.

package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/wedsync/wedsync-infra/internal/audit"
)

// pulumiOnPath puts the repository's CLI (.bin, built by make) on PATH
// unless one is there already, and fails the test when there is neither:
// under the e2e tag a skip would hide that the real CLI was never run.
func pulumiOnPath(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pulumi"); err == nil {
		return
	}
	repoBin, err := filepath.Abs("../../.bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pulumi", "pulumi-" + CLIVersion} {
		path := filepath.Join(repoBin, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		dir := t.TempDir()
		if err := os.Symlink(path, filepath.Join(dir, "pulumi")); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		return
	}
	t.Fatalf("no pulumi CLI: not on PATH and no .bin/pulumi; `make e2e` builds it (tools/pulumi, %s) and runs this test", CLIVersion)
}

// analyzerOnPath builds the policy pack's plugin into PATH, as CI does.
func analyzerOnPath(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, AnalyzerBinary), "./"+PolicyPackDir)
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the policy pack: %v\n%s", err, out)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// markerProgram needs no provider plugin: one component resource with no
// children, and outputs echoing the config it was given.
func markerProgram(keys []string, _ time.Time) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		var marker struct{ pulumi.ResourceState }
		if err := ctx.RegisterComponentResource("wedsync:test:Marker", "marker", &marker); err != nil {
			return err
		}
		if err := ctx.RegisterResourceOutputs(&marker, pulumi.Map{}); err != nil {
			return err
		}
		owner, _ := ctx.GetConfig("wedsync:owner")
		region, _ := ctx.GetConfig("wedsync:region")
		ctx.Export("owner", pulumi.String(owner))
		ctx.Export("region", pulumi.String(region))
		ctx.Export("keys", pulumi.String(strings.Join(keys, ",")))
		return nil
	}
}

// TestAgainstTheRealCLI previews, updates and updates again a stack on a
// file:// backend through the real Pulumi CLI with the policy pack: the
// first update creates, the second changes nothing, and the deploy is
// recorded.
func TestAgainstTheRealCLI(t *testing.T) {
	pulumiOnPath(t)
	analyzerOnPath(t)
	state := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "wedsync-test")
	t.Setenv("PULUMI_BACKEND_URL", "")
	t.Setenv("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
	t.Setenv("GITHUB_ACTOR", "ci-bot")

	p := testProject(t, "environment: [dev]\nconfig:\n  wedsync:environment: dev\n  wedsync:region: eu-west-2\n", map[string]string{"dev": devEnvironment})
	// The pack's manifest; its plugin is on PATH.
	manifest, err := os.ReadFile("../../policies/PulumiPolicy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(p.Dir, PolicyPackDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.Dir, PolicyPackDir, "PulumiPolicy.yaml"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}

	runner := Automation{Program: markerProgram, BackendURL: "file://" + state, PulumiHome: t.TempDir()}
	var progress bytes.Buffer
	opts := Options{Runner: runner, Now: time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC), Stdout: &progress, Stderr: &progress}
	ctx := context.Background()

	prev, err := Preview(ctx, p, "dev", opts)
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, progress.String())
	}
	if prev.Result.Changes["create"] != 2 { // the stack and the marker
		t.Errorf("preview would %v, want 2 creates", prev.Result.Changes)
	}
	if !strings.Contains(progress.String(), "wedsync:test:Marker") {
		t.Errorf("the preview's progress was not streamed:\n%s", progress.String())
	}

	up, err := Up(ctx, p, "dev", opts)
	if err != nil {
		t.Fatalf("up: %v\n%s", err, progress.String())
	}
	if up.Result.Changes["create"] != 2 {
		t.Errorf("up did %v, want 2 creates", up.Result.Changes)
	}
	for k, want := range map[string]string{"owner": "platform", "region": "eu-west-2", "keys": "wedsync:environment,wedsync:owner,wedsync:region,wedsync:release"} {
		if got := up.Result.Outputs[k]; got != want {
			t.Errorf("output %s = %v, want %q (the config the program was given)", k, got, want)
		}
	}

	again, err := Up(ctx, p, "dev", opts)
	if err != nil {
		t.Fatalf("second up: %v\n%s", err, progress.String())
	}
	if again.Result.Changed() {
		t.Errorf("a second up changed %v", again.Result.Changes)
	}

	records, err := audit.HistoryOf(p).Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || records[0].Kind != audit.KindDeploy || records[0].Stack != "dev" || records[0].Release["application"] != "2026.11.2" {
		t.Errorf("deploy records after two ups: %+v", records)
	}
}
