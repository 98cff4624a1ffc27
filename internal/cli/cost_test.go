package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// costProject copies the shipped dev stack, the environments and the price
// table into a new directory, with edit applied to pricing/aws-eu-west-2.yaml.
func costProject(t *testing.T, edit func(prices map[string]any)) string {
	t.Helper()
	dir := t.TempDir()
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join("../..", rel))
		if err != nil {
			t.Fatal(err)
		}
		if rel == "pricing/aws-eu-west-2.yaml" && edit != nil {
			var doc map[string]any
			if err := yaml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			edit(doc)
			if data, err = yaml.Marshal(doc); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("Pulumi.yaml")
	copyFile("stacks/Pulumi.dev.yaml")
	for _, pattern := range []string{"environments/*.yaml", "pricing/*.yaml"} {
		files, _ := filepath.Glob(filepath.Join("../..", pattern))
		for _, f := range files {
			rel, _ := filepath.Rel("../..", f)
			copyFile(rel)
		}
	}
	return dir
}

func runCost(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCostEstimatesAndRemovedPriceExitsOne(t *testing.T) {
	dir := costProject(t, nil)
	code, out, errOut := runCost(t, "cost", "--stack", "dev", "--year", "2027", "--json", "--project-dir", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Months      []struct{ Total float64 } `json:"months"`
		Unpriced    []any                     `json:"unpriced"`
		Assumptions struct{ File string }     `json:"assumptions"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Months) != 12 || len(r.Unpriced) != 0 || r.Assumptions.File != "pricing/assumptions-dev.yaml" {
		t.Fatalf("months %d, unpriced %v, assumptions %q", len(r.Months), r.Unpriced, r.Assumptions.File)
	}

	broken := costProject(t, func(doc map[string]any) {
		delete(doc["types"].(map[string]any), "aws:kms/key:Key")
	})
	code, _, errOut = runCost(t, "cost", "--stack", "dev", "--year", "2027", "--project-dir", broken)
	if code != ExitViolation || !strings.Contains(errOut, "aws:kms/key:Key is unpriced") {
		t.Fatalf("exit %d, stderr %q; want 1 naming aws:kms/key:Key", code, errOut)
	}
}

func TestCostBadInputExitsTwo(t *testing.T) {
	dir := costProject(t, nil)
	for _, args := range [][]string{
		{"cost", "--stack", "nosuch", "--project-dir", dir},
		{"cost", "--stack", "dev", "--plot", "cost.gif", "--project-dir", dir},
		{"cost", "--stack", "dev", "--year", "1999", "--project-dir", dir},
		{"cost", "diff", "--base", "no-such-ref", "--project-dir", dir},
	} {
		if code, _, errOut := runCost(t, args...); code != ExitInvalid {
			t.Errorf("%v: exit %d (%s); want 2", args, code, errOut)
		}
	}
}

// cost diff plans the base ref's stack files with the working tree's
// program: a bigger instance type in the working tree shows as a rise.
func TestCostDiffAgainstBaseRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := costProject(t, nil)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	stackFile := filepath.Join(dir, "stacks/Pulumi.dev.yaml")
	data, err := os.ReadFile(stackFile)
	if err != nil {
		t.Fatal(err)
	}
	// dev's default size is xsmall (t3.small); small is m7i.large.
	if err := os.WriteFile(stackFile, append(data, []byte("  wedsync:compute:\n    size: small\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCost(t, "cost", "diff", "--base", "HEAD", "--stack", "dev", "--project-dir", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "### Cost: stack dev") || !strings.Contains(out, "aws:ec2/launchTemplate:LaunchTemplate `app` | changed | +") {
		t.Fatalf("diff:\n%s", out)
	}
}
