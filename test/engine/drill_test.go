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
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/cli"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/erasure"
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
	ledger := erasedGuestLedger(t, ctx, src)
	for _, tc := range []struct {
		name   string
		tables string
		code   int
		// erased: the ledger records g1's erasure (done after the dump the
		// stand-in holds); without it the restored database keeps g1.
		erased bool
	}{
		{"verified", "weddings,users", cli.ExitOK, true},
		{"failing_verify_sql", "weddings,users,guest_lists", cli.ExitViolation, true},
		{"no_ledger_entry_keeps_the_guest", "weddings,users", cli.ExitOK, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seedRestored(t, pg)
			outputs := ledger.outputs(t, tc.erased)
			start := time.Now()
			report := filepath.Join(t.TempDir(), "drill.json")
			var out, errOut bytes.Buffer
			code := cli.Main([]string{"--project-dir", dir, "dr", "drill", "--stack", "prod", "--recovery-stack",
				"--pg-bin", pg.BinDir, "--pg-host", pg.Host, "--pg-port", strconv.Itoa(pg.Port), "--pg-user", pg.User,
				"--pg-database", "restored", "--table", tc.tables, "--report", report,
				"--outputs", outputs, "--endpoint", "aws=" + ledger.url}, &out, &errOut)
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
			assertErasedBeforeTraffic(t, pg, rep, tc.erased)
		})
	}
}

// restoredStandIn starts a throwaway PostgreSQL for the restored database.
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

// seedRestored (re)creates the restored database the drill reads, as the
// dump taken before g1's erasure holds it: the erasure tests' reference
// schema (internal/erasure/testdata) with two weddings, their couples and
// guests, g1 with an RSVP, dietary needs, a seat and a message; plus what
// the verify SQL reads: users, the migrations, weddings updated an hour ago.
func seedRestored(t *testing.T, pg drill.Postgres) {
	t.Helper()
	ctx := context.Background()
	c := pg
	if err := c.Exec(ctx, "postgres", "DROP DATABASE IF EXISTS restored; CREATE DATABASE restored;"); err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile(filepath.Join(env.repo.Dir, "internal", "erasure", "testdata", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "restored", string(schema)+`
ALTER TABLE weddings ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now() - interval '1 hour';
INSERT INTO couples VALUES ('c1', 'Ada & Ben', 'ab@example.com'), ('c2', 'Cy & Di', 'cd@example.com');
INSERT INTO weddings (id, couple_id, day) VALUES ('w1', 'c1', '2027-06-12'), ('w2', 'c2', '2027-07-03');
INSERT INTO guests VALUES ('g1', 'w1', 'Gail', 'gail@example.com'), ('g2', 'w1', 'Hal', NULL), ('g3', 'w2', 'Ivy', NULL);
INSERT INTO rsvps VALUES ('g1', true), ('g2', false);
INSERT INTO dietary_needs VALUES ('g1', 'vegan');
INSERT INTO seats VALUES ('g1', 1), ('g2', 1);
INSERT INTO messages (sender_kind, sender_id, body) VALUES ('guest', 'g1', 'see you'), ('couple', 'c1', 'thanks');
CREATE TABLE schema_migrations (version text PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('20261120090000');
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
INSERT INTO users (email) SELECT 'user' || i || '@example.com' FROM generate_series(1, 80) i;`); err != nil {
		t.Fatal(err)
	}
}

// drillLedger is prod's erasure ledger on gofakes3 (in-process): the
// bucket prod's erasureLedger output names, one ledger entry recording
// g1's erasure, done after the dump.
type drillLedger struct {
	url     string
	outputs func(t *testing.T, erased bool) string
}

func erasedGuestLedger(t *testing.T, ctx context.Context, src auto.Stack) drillLedger {
	t.Helper()
	outs, err := src.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{}
	for k, v := range outs {
		values[k] = v.Value
	}
	l, err := erasure.FromOutputs(values)
	if err != nil || l.Cloud != "aws" {
		t.Fatalf("prod exports no AWS erasure ledger (%v): %v", values["erasureLedger"], err)
	}
	s3 := backuptest.StartS3(t)
	s3.Env(t)
	s3.Bucket(t, l.Bucket)
	if l.Replica != "" {
		s3.Bucket(t, l.Replica) // replay reads the DR replica too
	}
	empty := "wedsync-prod-ledger-without-entries"
	s3.Bucket(t, empty)
	store, err := erasure.Open(ctx, erasure.Location{Cloud: "aws", Region: l.Region, Bucket: l.Bucket}, backup.Endpoints{"aws": s3.URL})
	if err != nil {
		t.Fatal(err)
	}
	done := time.Now().Add(-10 * time.Minute).UTC()
	if err := store.Append(ctx, erasure.Entry{SubjectID: "g1", Kind: "guest", RequestedAt: done.Add(-time.Hour), DoneAt: done, RequestID: "req-e2e-g1"}); err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, erased bool) string {
		ledger, _ := values["erasureLedger"].(map[string]any)
		copied := map[string]any{}
		for k, v := range ledger {
			copied[k] = v
		}
		if !erased {
			copied["bucket"] = empty
		}
		data, _ := json.Marshal(map[string]any{"erasureLedger": copied})
		path := filepath.Join(t.TempDir(), "prod-outputs.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return drillLedger{url: s3.URL, outputs: write}
}

// assertErasedBeforeTraffic: the drill replayed the ledger before the
// verify SQL (its checks come first), the "erased subjects absent" check
// passed, and the restored database no longer holds g1 or their rows;
// without the ledger entry the replay applied nothing and g1 is still
// there (what a restore without a replay would serve).
func assertErasedBeforeTraffic(t *testing.T, pg drill.Postgres, rep drill.RecoveryReport, erased bool) {
	t.Helper()
	if len(rep.Checks) < 2 || rep.Checks[0].Name != "erasure replay" || rep.Checks[1].Name != "erased subjects absent" || !rep.Checks[1].OK {
		t.Fatalf("the drill did not replay the erasure ledger before its verify SQL: %+v", rep.Checks)
	}
	c := pg
	got, err := c.Query(context.Background(), "restored", `SELECT (SELECT count(*) FROM guests WHERE id = 'g1') + (SELECT count(*) FROM rsvps WHERE guest_id = 'g1')
  + (SELECT count(*) FROM dietary_needs WHERE guest_id = 'g1') + (SELECT count(*) FROM seats WHERE guest_id = 'g1')
  + (SELECT count(*) FROM messages WHERE sender_id = 'g1') || ' ' || (SELECT count(*) FROM guests)`)
	if err != nil {
		t.Fatal(err)
	}
	want := "0 2" // g1 and their 4 rows gone, g2 and g3 untouched
	if !erased {
		want = "5 3"
	}
	t.Logf("erasure checks: %+v; g1's rows and guests left: %s", rep.Checks[:2], got)
	if strings.TrimSpace(got) != want {
		t.Errorf("restored database after the drill: g1's rows, guests = %q, want %q (erased in the ledger: %v)", got, want, erased)
	}
}
