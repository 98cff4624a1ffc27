package engine_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/test/engine/langhost"
)

// languageHostEnv names the test-only Go language host `make e2e` builds
// (cmd/pulumi-language-go, package langhost): on PATH, the CLI runs the
// program as `pulumi up` does on a team's machine or in CI, built from
// main.go with `go build`, with no Automation API in between, and runs the
// policy pack through it too. Only this test puts it on PATH: the other
// tests run the pack as the prebuilt pulumi-analyzer-policy-go.
const languageHostEnv = "WEDSYNC_E2E_LANGHOST"

// plainEnv are the environment variables of a plain CLI run: its own
// file:// backend and pretend cloud, apart from the Automation API tests'.
type plainEnv struct {
	dir string
	env []string
}

// TestPlainPulumiOnAFileBackend runs what the README tells a team to run,
// in a copy of the project directory (the CLI writes the stack's
// encryption salt into its stack file): `pulumi stack init`, `pulumi
// preview` and `pulumi up` with the policy pack, on a file:// backend. The
// stack files import their environments (wedsync:environments), which the
// CLI never resolves off Pulumi Cloud: the program must, and deploy what
// the offline plan says.
func TestPlainPulumiOnAFileBackend(t *testing.T) {
	setup(t)
	host := os.Getenv(languageHostEnv)
	if filepath.Base(host) != "pulumi-language-go" || !exists(host) {
		t.Fatalf("%s = %q: it names the test language host pulumi-language-go (make e2e builds it from cmd/pulumi-language-go)", languageHostEnv, host)
	}
	root := filepath.Join(env.dir, "plain")
	pe := plainEnv{dir: filepath.Join(root, "project"), env: append(os.Environ(),
		"PATH="+filepath.Dir(host)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PULUMI_BACKEND_URL=file://"+filepath.Join(root, "state"),
		"WEDSYNC_STANDIN_CLOUD="+filepath.Join(root, "cloud"),
		// The host links the program and the pack once for this copy, not
		// once per command.
		langhost.CacheEnv+"="+filepath.Join(root, "builds"))}
	for _, d := range []string{pe.dir, filepath.Join(root, "state"), filepath.Join(root, "builds")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyProject(env.repo.Dir, pe.dir); err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) { testPlain(t, pe, stack) })
	}
}

func testPlain(t *testing.T, pe plainEnv, stack string) {
	watch := newStopwatch()
	sc := stackConfig(t, stack)
	// The copy's stack file names no KMS key (copyProject): its CI
	// identities are granted none.
	sc.SecretsProvider = ""
	want := fromPlan(offlinePlan(t, stack, sc).Plan)
	if o, ok := sc.Values["wedsync:emergencyOverride"]; ok {
		// The pack's real clock is in a freeze: the override goes where a
		// team would put it, the stack file.
		addToStackFile(t, pe.dir, stack, "wedsync:emergencyOverride", o)
	}
	if stack == "prod" {
		// prod's exemptions (web-logs from the stack policy
		// s3-bucket-encryption-cmk) only in the --policy-pack-config file:
		// the pack's stack policies must read them from there.
		dropFromStackFile(t, pe.dir, stack, "wedsync:policy")
	}
	pack := filepath.Join(pe.dir, "policies")
	// The pack's config file as the README has a team make it (wedsync-infra
	// policy config): the one the deploy path passes too.
	packConfig, err := rules.StackPackConfigFile(sc.Values)
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(pe.dir, "policy-config-"+stack+".json")
	if err := os.WriteFile(cfgFile, packConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	pe.run(t, "stack", "init", stack)

	out := pe.run(t, "preview", "--stack", stack, "--policy-pack", pack, "--policy-pack-config", cfgFile, "--json")
	var preview struct {
		ChangeSummary map[string]int `json:"changeSummary"`
	}
	if err := json.Unmarshal(out, &preview); err != nil {
		t.Fatalf("pulumi preview --json: %v\n%s", err, out)
	}
	if got := preview.ChangeSummary["create"]; got != len(want) {
		t.Errorf("pulumi preview would create %d resources, the offline plan %d", got, len(want))
	}
	watch.lap("preview")

	pe.run(t, "up", "--stack", stack, "--policy-pack", pack, "--policy-pack-config", cfgFile, "--yes", "--skip-preview")
	watch.lap("up")
	var exported apitype.UntypedDeployment
	if err := json.Unmarshal(pe.run(t, "stack", "export", "--stack", stack), &exported); err != nil {
		t.Fatal(err)
	}
	var d apitype.DeploymentV3
	if err := json.Unmarshal(exported.Deployment, &d); err != nil {
		t.Fatal(err)
	}
	got := fromState(d)
	report(t, "pulumi up: the deployed resources differ from the offline plan's", resourceSetDiff(want, got))
	report(t, "pulumi up: deployed inputs differ from the offline plan's", inputDiffs(want, got, false))

	// What was deployed is what the program plans again: no drift between
	// how the program resolves its environments in one run and the next.
	pe.run(t, "preview", "--stack", stack, "--policy-pack", pack, "--policy-pack-config", cfgFile, "--expect-no-changes")
	watch.lap("preview again")
	watch.record("plain "+stack, len(want))
}

// run runs the CLI in the project copy and returns its standard output;
// a failure stops the test with both outputs.
func (pe plainEnv) run(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("pulumi", append(args, "--non-interactive")...)
	cmd.Dir, cmd.Env = pe.dir, pe.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pulumi %s: %v\n%s\n%s", strings.Join(args, " "), err, tail(stdout.String()), tail(stderr.String()))
	}
	return stdout.Bytes()
}

func tail(s string) string {
	if len(s) > 6000 {
		return "..." + s[len(s)-6000:]
	}
	return s
}

// addToStackFile sets key to a JSON object in the copy's stack file (JSON
// is YAML).
func addToStackFile(t *testing.T, dir, stack, key, value string) {
	t.Helper()
	path := filepath.Join(dir, "stacks", "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(data), "\nconfig:\n", "\nconfig:\n  "+key+": "+value+"\n", 1)
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
}

// dropFromStackFile removes a config key's block from the copy's stack
// file.
func dropFromStackFile(t *testing.T, dir, stack, key string) {
	t.Helper()
	path := filepath.Join(dir, "stacks", "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, found, err := environments.RemoveBlock(data, []string{"config", key})
	if err != nil || !found {
		t.Fatalf("%s: removing %s: found %v, %v", path, key, found, err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// copyProject copies the main module (what a checkout holds, without
// .git, the tools' build output and the nested modules) to dst.
func copyProject(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || exists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "stacks"+string(filepath.Separator)+"Pulumi.") {
			// The stand-in clouds have no KMS: the copy keeps the
			// passphrase provider instead of the stack's key.
			data = regexp.MustCompile(`(?m)^(secretsprovider|encryptedkey):.*\n`).ReplaceAll(data, nil)
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
