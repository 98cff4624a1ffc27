package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/cli"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// TestTheRestoreDrillUnderTheRealEngine runs `wedsync-infra dr drill
// --stack prod --recovery-stack` as the weekly workflow does, in-process,
// against the real CLI and engine with the stand-in providers: the scratch
// recovery stack (drill-prod-<yyyymmddhhmm>, recovery mode, small, in prod's
// DR region) is deployed by the same drill.Engine production uses, the
// runbook's verify SQL runs, the restore time is recorded against the
// 4-hour target in the audit history, and the scratch stack is gone
// afterwards, also when the verify SQL fails (then the exit is 1).
//
// The stand-ins restore nothing, so the restored instance is stood in for
// by a local PostgreSQL (Debian's package) holding a small seeded
// database: --pg-host/--pg-port/--pg-database point the verify step at it
// instead of the scratch stack's database outputs.
func TestTheRestoreDrillUnderTheRealEngine(t *testing.T) {
	setup(t)
	ctx := context.Background()
	now := programNow(t)
	scratch, err := drill.PrepareScratch(ctx, env.repo, "prod", now)
	if err != nil {
		t.Fatal(err)
	}
	// The pack's freeze rule reads the real clock, and a drill never
	// carries an override: inside a real freeze it is refused, by design.
	target, err := freeze.TargetFromConfig(scratch.Name, scratch.Config.Values)
	if err != nil {
		t.Fatal(err)
	}
	if d := freeze.Check(target, time.Now()); d.Blocked() {
		t.Skipf("the real clock is in the freeze %q: the pack refuses a drill now", d.Window.Name)
	}
	// The source, whose outputs the scratch stack reads and whose replica
	// buckets it adopts from the pretend cloud.
	src := newStack(t, "prod", stackConfig(t, "prod"))
	if _, err := src.Up(ctx, optup.PolicyPacks(env.pack)); err != nil {
		t.Fatalf("up of prod (the drill's source): %v", err)
	}
	pg := restoredStandIn(t)
	dir := t.TempDir()
	if err := copyProject(env.repo.Dir, dir); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		tables string
		code   int
	}{
		{"verified", "weddings,users", cli.ExitOK},
		{"failing_verify_sql", "weddings,users,guest_lists", cli.ExitViolation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			report := filepath.Join(t.TempDir(), "drill.json")
			var out, errOut bytes.Buffer
			code := cli.Main([]string{"--project-dir", dir, "dr", "drill", "--stack", "prod", "--recovery-stack",
				"--pg-bin", pg.BinDir, "--pg-host", pg.Host, "--pg-port", strconv.Itoa(pg.Port), "--pg-user", pg.User,
				"--pg-database", "restored", "--table", tc.tables, "--report", report}, &out, &errOut)
			t.Logf("dr drill (%.0fs, exit %d):\n%s%s", time.Since(start).Seconds(), code, out.String(), tail(errOut.String()))
			if code != tc.code {
				t.Fatalf("exit %d, want %d", code, tc.code)
			}
			var rep drill.RecoveryReport
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Scratch != scratch.Name || rep.CreateSeconds <= 0 || len(rep.Checks) == 0 {
				t.Errorf("the report does not show %s deployed and checked: %s", scratch.Name, data)
			}
			// Drill mode (stacks.Recovery.Drill): the scratch stack adopts
			// nothing of prod's, so its teardown has nothing to leave behind.
			if len(rep.Teardown.Forgotten) > 0 {
				t.Errorf("the drill adopted %d of prod's resources (left to prod on destroy): %v", len(rep.Teardown.Forgotten), rep.Teardown.Forgotten)
			}
			if stackExists(t, scratch.Name) {
				t.Errorf("the scratch stack %s is still in the backend after the drill", scratch.Name)
			}
			assertDrillRecorded(t, dir, rep, tc.code == cli.ExitOK)
		})
	}
}

// restoredStandIn starts a throwaway PostgreSQL holding the small seeded
// database the verify SQL reads: the core tables, the newest wedding
// updated an hour ago, the migrations.
func restoredStandIn(t *testing.T) drill.Postgres {
	t.Helper()
	bin, err := drill.FindBinDir("")
	if err != nil {
		t.Fatalf("PostgreSQL: %v (make postgresql installs Debian's package)", err)
	}
	c, err := drill.StartCluster(context.Background(), bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	ctx := context.Background()
	if err := c.Exec(ctx, "postgres", "CREATE DATABASE restored"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "restored", `
CREATE TABLE schema_migrations (version text PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('20261120090000');
CREATE TABLE weddings (id serial PRIMARY KEY, couple text NOT NULL, updated_at timestamptz NOT NULL);
INSERT INTO weddings (couple, updated_at) SELECT 'couple ' || i, now() - interval '1 hour' - (i || ' minutes')::interval FROM generate_series(1, 50) i;
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
INSERT INTO users (email) SELECT 'user' || i || '@example.com' FROM generate_series(1, 80) i;`); err != nil {
		t.Fatal(err)
	}
	return c.Postgres
}

// stackExists reports whether the file backend still holds stack.
func stackExists(t *testing.T, stack string) bool {
	t.Helper()
	ws, err := auto.NewLocalWorkspace(context.Background(), auto.Pulumi(env.cli), auto.PulumiHome(env.home), auto.WorkDir(t.TempDir()),
		auto.Project(workspace.Project{Name: tokens.PackageName(env.repo.Name), Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: env.backend}}))
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := ws.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stacks {
		if s.Name == stack || strings.HasSuffix(s.Name, "/"+stack) {
			return true
		}
	}
	return false
}

// assertDrillRecorded: the newest audit record is this drill, with its
// restore time against the 4-hour target.
func assertDrillRecorded(t *testing.T, dir string, rep drill.RecoveryReport, ok bool) {
	t.Helper()
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(audit.HistoryOf(p).Path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var last audit.Record
	for sc := bufio.NewScanner(f); sc.Scan(); {
		_ = json.Unmarshal(sc.Bytes(), &last)
	}
	d, _ := last.Detail.(map[string]any)
	if last.Kind != audit.KindDrill || d["scratchStack"] != rep.Scratch || d["ok"] != ok || d["rto"] != "4h0m0s" || d["restoreSeconds"] != rep.RestoreSeconds {
		t.Errorf("the audit history's newest record is not this drill (ok %v, restore time against 4h): %+v", ok, last)
	}
}
