package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// scratchStacks is a stand-in backend: it deploys nothing and records what
// it was asked.
type scratchStacks struct {
	createErr          error
	created, destroyed []string
}

func (s *scratchStacks) Create(_ context.Context, sc *drill.Scratch) (map[string]any, error) {
	s.created = append(s.created, sc.Name)
	return map[string]any{}, s.createErr
}

func (s *scratchStacks) Destroy(_ context.Context, sc *drill.Scratch) (drill.Teardown, error) {
	s.destroyed = append(s.destroyed, sc.Name)
	return drill.Teardown{Removed: true}, nil
}

type publishedResults []drill.Result

func (p *publishedResults) Publish(_ context.Context, r drill.Result) error {
	*p = append(*p, r)
	return nil
}

// dr drill --recovery-stack as the workflow runs it: a scratch stack that
// cannot be created is still destroyed, the drill fails with exit 1, the
// failure is published (that is what pages) and recorded in the audit
// history with the restore time against the 4-hour target.
func TestDRDrillRecoveryStackPublishesAFailedDrill(t *testing.T) {
	dir := copyProject(t, "prod", "prod-dr")
	stacks := &scratchStacks{createErr: errors.New("quota exceeded")}
	oldStacks, oldPub := newRecoveryStacks, newPublisher
	t.Cleanup(func() { newRecoveryStacks, newPublisher = oldStacks, oldPub })
	newRecoveryStacks = func(*project.Project, io.Writer) drill.RecoveryStacks { return stacks }
	var pub publishedResults
	var sink map[string]any
	newPublisher = func(_ context.Context, s map[string]any) (drill.Publisher, error) { sink = s; return &pub, nil }
	outputs := filepath.Join(t.TempDir(), "outputs.json")
	must(t, os.WriteFile(outputs, []byte(`{"restoreDrill": {"cloud": "aws", "region": "eu-west-2", "stack": "prod"}}`), 0o644))

	code, out, errOut := run(t, "--project-dir", dir, "dr", "drill", "--stack", "prod", "--recovery-stack", "--publish-metric",
		"--outputs", outputs, "--now", "2026-06-10T10:00:00+01:00")
	if code != ExitViolation || !strings.Contains(out, "quota exceeded") {
		t.Fatalf("exit %d, want 1 naming the failure:\n%s%s", code, out, errOut)
	}
	if len(stacks.created) != 1 || stacks.created[0] != "drill-prod-202606100900" || len(stacks.destroyed) != 1 {
		t.Errorf("created %v, destroyed %v: want drill-prod-202606100900 created and destroyed", stacks.created, stacks.destroyed)
	}
	if len(pub) != 1 || pub[0].Succeeded || pub[0].Stack != "prod" || sink["region"] != "eu-west-2" {
		t.Errorf("published %+v to %v, want one failed drill of prod to its restoreDrill sink", pub, sink)
	}
	p, err := project.Load(dir)
	must(t, err)
	data, err := os.ReadFile(audit.HistoryOf(p).Path)
	must(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var rec audit.Record
	must(t, json.Unmarshal([]byte(lines[len(lines)-1]), &rec))
	d, _ := rec.Detail.(map[string]any)
	if rec.Kind != audit.KindDrill || d["ok"] != false || d["rto"] != "4h0m0s" || d["restoreSeconds"] == nil || d["scratchRemoved"] != true {
		t.Errorf("the audit history's newest record is not the failed drill: %+v", rec)
	}
}

// On a wedding Saturday the DR path is frozen: exit 3, nothing created.
func TestDRDrillRecoveryStackIsRefusedInAFreeze(t *testing.T) {
	dir := copyProject(t, "prod", "prod-dr")
	stacks := &scratchStacks{}
	old := newRecoveryStacks
	t.Cleanup(func() { newRecoveryStacks = old })
	newRecoveryStacks = func(*project.Project, io.Writer) drill.RecoveryStacks { return stacks }
	code, out, errOut := run(t, "--project-dir", dir, "dr", "drill", "--stack", "prod", "--recovery-stack", "--now", "2026-06-13T12:00:00Z")
	if code != ExitFrozen || len(stacks.created) != 0 {
		t.Errorf("exit %d, created %v: want 3 and nothing created\n%s%s", code, stacks.created, out, errOut)
	}
}
