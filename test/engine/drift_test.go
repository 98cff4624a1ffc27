package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/deploy"
	"github.com/wedsync/wedsync-infra/test/engine/standin"
)

// TestDriftUnderTheRealEngine deploys dev with the deploy path, then runs
// `wedsync-infra drift` (a refresh, previewed) against it: clean, it exits
// 0; after a tag is changed in the pretend cloud behind the program's
// back, it exits 1 naming the resource and the property, and --json says
// the same for the drift workflow.
func TestDriftUnderTheRealEngine(t *testing.T) {
	setup(t)
	root := filepath.Join(env.dir, "drift")
	if err := os.MkdirAll(filepath.Join(root, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	cloud := filepath.Join(root, "cloud")
	// The drift check reads the backend and the pretend cloud the way the
	// CLI would in CI: from the environment.
	t.Setenv("PULUMI_BACKEND_URL", "file://"+filepath.Join(root, "state"))
	t.Setenv(standin.CloudEnv, cloud)

	ctx := context.Background()
	s, err := deploy.Prepare(ctx, env.repo, "dev")
	if err != nil {
		t.Fatal(err)
	}
	s.Now, s.Stdout, s.Stderr = programNow(t), io.Discard, io.Discard
	if _, err := (deploy.Automation{PulumiHome: env.home}).Up(ctx, s); err != nil {
		t.Fatalf("up of dev: %v", err)
	}

	code, out := drift(t, "--stack", "dev")
	if code != 0 || !strings.Contains(out, "dev: no drift") {
		t.Fatalf("a stack just deployed: exit %d, want 0 and no drift:\n%s", code, out)
	}

	typ, id := seedDrift(t, cloud)
	code, out = drift(t, "--stack", "dev")
	if code != 1 {
		t.Fatalf("after a tag changed by hand on %s %s: exit %d, want 1:\n%s", typ, id, code, out)
	}
	if !strings.Contains(out, "changed: tags") || !strings.Contains(out, "1 resources drifted") {
		t.Errorf("the report does not name the one drifted resource and its property:\n%s", out)
	}
	code, out = drift(t, "--stack", "dev", "--json")
	var report struct {
		Drifted             []deploy.Drifted `json:"drifted"`
		SchedulesValidUntil string           `json:"schedulesValidUntil"`
	}
	if err := json.Unmarshal([]byte(out), &report); code != 1 || err != nil {
		t.Fatalf("--json: exit %d, %v:\n%s", code, err, out)
	}
	if len(report.Drifted) != 1 || report.Drifted[0].Type != typ || strings.Join(report.Drifted[0].Properties, ",") != "tags" {
		t.Errorf("--json reports %+v, want %s with tags", report.Drifted, typ)
	}
	if report.SchedulesValidUntil == "" {
		t.Error("--json does not say when the deployed schedules end (the stack's app.schedulesValidUntil output)")
	}
}

// drift runs `wedsync-infra drift` (built once from cmd/wedsync-infra)
// and returns its exit code and standard output.
func drift(t *testing.T, args ...string) (int, string) {
	t.Helper()
	bin := filepath.Join(env.dir, "bin", "wedsync-infra")
	if !exists(bin) {
		build := exec.Command("go", "build", "-o", bin, "./cmd/wedsync-infra")
		build.Dir = env.repo.Dir
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/wedsync-infra: %v\n%s", err, out)
		}
	}
	cmd := exec.Command(bin, append([]string{"drift", "--project-dir", env.repo.Dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code == 2 {
		t.Fatalf("drift could not run: %s", stderr.String())
	}
	return code, stdout.String()
}

// seedDrift changes, in the pretend cloud, one tag of the first resource
// (by type and id) that has tags, in its inputs and outputs alike, as a
// console edit would (the record a refresh reads, kept by URN). It returns
// the resource's type and id.
func seedDrift(t *testing.T, cloud string) (string, string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(cloud, "aws", "by-urn", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("nothing in the pretend cloud %s: %v", cloud, err)
	}
	type record struct {
		path string
		doc  map[string]any
	}
	var tagged []record
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if in, _ := doc["inputs"].(map[string]any); in != nil {
			if _, ok := in["tags"].(map[string]any); ok {
				tagged = append(tagged, record{f, doc})
			}
		}
	}
	if len(tagged) == 0 {
		t.Fatal("no tagged resource in the pretend cloud")
	}
	sort.Slice(tagged, func(i, j int) bool {
		return tagged[i].doc["type"].(string)+tagged[i].doc["id"].(string) < tagged[j].doc["type"].(string)+tagged[j].doc["id"].(string)
	})
	r := tagged[0]
	for _, side := range []string{"inputs", "outputs"} {
		if m, _ := r.doc[side].(map[string]any); m != nil {
			if tags, ok := m["tags"].(map[string]any); ok {
				tags["owner"] = "someone-in-the-console"
			}
		}
	}
	data, err := json.Marshal(r.doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return r.doc["type"].(string), r.doc["id"].(string)
}
