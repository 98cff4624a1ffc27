package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/deploy"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/erasure"
	"github.com/wedsync/wedsync-infra/internal/pgtest"
)

// startPostgres starts a throwaway cluster from Debian's package for the
// test, skipping (failing under make test) without one.
func startPostgres(t *testing.T) *drill.Cluster {
	t.Helper()
	return pgtest.Start(t, drill.StartFoundCluster)
}

// erasureDatabase is a database db with the erasure tests' schema and
// rows on a cluster of its own, and its URL.
func erasureDatabase(t *testing.T, db, rows string) (*drill.Cluster, string) {
	t.Helper()
	pg := startPostgres(t)
	schema, err := os.ReadFile("../erasure/testdata/schema.sql")
	must(t, err)
	must(t, pg.Exec(context.Background(), "postgres", "CREATE DATABASE "+db+";"))
	must(t, pg.Exec(context.Background(), db, string(schema)+rows))
	return pg, pg.URL(db)
}

// ledgerOutputs writes a stack outputs file whose erasureLedger is bucket.
func ledgerOutputs(t *testing.T, bucket string) string {
	t.Helper()
	return outputsFile(t, map[string]any{"erasureLedger": map[string]any{
		"cloud": "aws", "region": "eu-west-2", "bucket": bucket, "replica": bucket + "-replica", "replicaLocation": "eu-west-1",
		"retentionDays": 366, "sqlFile": "internal/erasure/testdata/erasure.sql", "replayMarginMinutes": 60,
	}})
}

// TestErasureReplayCommand: the restored database gets the erased guest
// erased again (exit 0), a second run finds them already absent, a
// malformed entry is named with exit 1 while the others apply, an
// unreachable ledger is exit 2, and every replay is in the audit history.
func TestErasureReplayCommand(t *testing.T) {
	ctx := context.Background()
	pg, url := erasureDatabase(t, "restored", `
INSERT INTO couples VALUES ('c1', 'A', 'a@example.com');
INSERT INTO weddings VALUES ('w1', 'c1', '2027-06-12');
INSERT INTO guests VALUES ('g1', 'w1', 'Gail', NULL), ('g2', 'w1', 'Hal', NULL);
INSERT INTO rsvps VALUES ('g1', true), ('g2', true);`)
	sql, err := filepath.Abs("../erasure/testdata/erasure.sql")
	must(t, err)

	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "ledger")
	done := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	e := erasure.Entry{SubjectID: "g1", Kind: "guest", RequestedAt: done.Add(-time.Hour), DoneAt: done, RequestID: "req-1"}
	body, _ := e.Marshal()
	s.Put(t, "ledger", e.Key(), backuptest.Object{Data: body})
	dir := copyProject(t, "dev")
	replay := func(bucket string, extra ...string) (int, string) {
		args := append([]string{"erasure", "replay", "--stack", "dev", "--outputs", ledgerOutputs(t, bucket), "--endpoint", "aws=" + s.URL,
			"--database-url", url, "--sql", sql, "--project-dir", dir, "--restore", "test-restore"}, extra...)
		code, out, errOut := run(t, args...)
		return code, out + errOut
	}
	if code, out := replay("ledger", "--since", done.Add(-24*time.Hour).Format(time.RFC3339)); code != ExitOK || !strings.Contains(out, "1 applied, 0 already absent") {
		t.Fatalf("first replay: exit %d\n%s", code, out)
	}
	guests, err := pg.Query(ctx, "restored", "SELECT string_agg(id, ',' ORDER BY id) FROM guests")
	must(t, err)
	if guests != "g2" {
		t.Errorf("guests after replay: %s, want g2", guests)
	}
	if code, out := replay("ledger", "--json"); code != ExitOK || !strings.Contains(out, `"already-absent": 1`) {
		t.Errorf("second replay: exit %d\n%s", code, out)
	}
	s.Put(t, "ledger", erasure.Prefix+"2027/02/02/garbage.json", backuptest.Object{Data: []byte("{}")})
	if code, out := replay("ledger"); code != ExitViolation || !strings.Contains(out, "MALFORMED "+erasure.Prefix+"2027/02/02/garbage.json") || !strings.Contains(out, "1 already absent") {
		t.Errorf("malformed entry: exit %d\n%s", code, out)
	}
	if code, out := replay("no-such-ledger"); code != ExitInvalid || !strings.Contains(out, "--replica") {
		t.Errorf("unreachable ledger: exit %d\n%s", code, out)
	}
	recs, err := audit.History{Path: filepath.Join(dir, "environments", audit.HistoryFile)}.Records()
	must(t, err)
	if len(recs) != 4 || recs[0].Kind != audit.KindErasureReplay || recs[0].Detail.(map[string]any)["restore"] != "test-restore" {
		t.Errorf("audit history: %+v", recs)
	}
	code, out, errOut := run(t, "erasure", "status", "--stack", "dev", "--outputs", ledgerOutputs(t, "ledger"), "--endpoint", "aws="+s.URL, "--project-dir", dir)
	if code != ExitViolation || !strings.Contains(out, "1 entries") || !strings.Contains(out, "MALFORMED") || !strings.Contains(out, "last replay of test-restore") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
}

// TestDRDrillReplaysTheLedger: the drill restores a copy that still holds
// a guest erased after it was taken, replays the ledger into it before its
// checks, and passes only when the guest is gone; with the ledger
// unreachable the drill fails.
func TestDRDrillReplaysTheLedger(t *testing.T) {
	if _, err := drill.FindBinDir(""); err != nil {
		pgtest.Missing(t, err)
	}
	base, err := os.ReadFile("testdata/drill-wedsync.sql")
	must(t, err)
	dumpSQL := append(base, []byte("\nCREATE TABLE guests (id text PRIMARY KEY, name text NOT NULL);\nINSERT INTO guests VALUES ('g1', 'Gail'), ('g2', 'Hal');\n")...)
	sqlFile := filepath.Join(t.TempDir(), "erasure.sql")
	must(t, os.WriteFile(sqlFile, []byte("DELETE FROM guests WHERE $2::text = 'guest' AND id = $1::text;\n"), 0o644))
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "exports")
	s.Bucket(t, "ledger")
	created := time.Now().UTC()
	sum := sha256.Sum256(dumpSQL)
	m, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "dev", Purpose: "db-exports", CreatedAt: created,
		Files: []backup.File{{Path: "database/export.sql", Bytes: int64(len(dumpSQL)), SHA256: hex.EncodeToString(sum[:])}}})
	s.Put(t, "exports", "database/export.sql", backuptest.Object{Data: dumpSQL})
	s.Put(t, "exports", "database/export.sql.manifest.json", backuptest.Object{Data: m})
	e := erasure.Entry{SubjectID: "g1", Kind: "guest", RequestedAt: created, DoneAt: created.Add(time.Minute), RequestID: "req-1"}
	body, _ := e.Marshal()
	s.Put(t, "ledger", e.Key(), backuptest.Object{Data: body})
	dir := copyProject(t, "dev")
	for _, c := range []struct {
		ledger string
		code   int
		want   string
	}{
		{"ledger", ExitOK, "ok   erased subjects absent: 0 applied, 1 already absent"},
		{"gone", ExitViolation, "FAIL erasure replay: unreachable"},
	} {
		outputs := outputsFile(t, map[string]any{
			"backupTiers":   []backup.Tier{{Tier: "bucket", Purpose: "db-exports", Cloud: "aws", Region: "eu-west-2", Bucket: "exports"}},
			"erasureLedger": map[string]any{"cloud": "aws", "region": "eu-west-2", "bucket": c.ledger, "retentionDays": 366, "sqlFile": sqlFile, "replayMarginMinutes": 60},
		})
		code, out, errOut := run(t, "dr", "drill", "--stack", "dev", "--outputs", outputs, "--endpoint", "aws="+s.URL, "--project-dir", dir)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("ledger %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", c.ledger, code, c.code, c.want, out, errOut)
		}
		if c.code == ExitOK && !strings.Contains(out, "ok   erasure replay: 1 applied") {
			t.Errorf("the drill did not erase the guest again:\n%s", out)
		}
	}
}

// TestDRRebuildReplaysBeforeTheTrafficSwitch: after the deploy, the DR
// stack's ledger copy is replayed into the restored database before the
// rebuild says to switch traffic; a ledger out of reach stops it there
// (exit 2) unless accepted with a reason, which is recorded.
func TestDRRebuildReplaysBeforeTheTrafficSwitch(t *testing.T) {
	ctx := context.Background()
	pg, url := erasureDatabase(t, "dr", `
INSERT INTO couples VALUES ('c1', 'A', 'a@example.com');
INSERT INTO weddings VALUES ('w1', 'c1', '2027-06-12');
INSERT INTO guests VALUES ('g1', 'w1', 'Gail', NULL), ('g2', 'w1', 'Hal', NULL);
INSERT INTO seats VALUES ('g1', 3);`)
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "ledger-replica")
	e := erasure.Entry{SubjectID: "g1", Kind: "guest", RequestedAt: time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC), DoneAt: time.Date(2026, 11, 25, 11, 31, 0, 0, time.UTC), RequestID: "req-1"}
	body, _ := e.Marshal()
	s.Put(t, "ledger-replica", e.Key(), backuptest.Object{Data: body})
	sql, err := filepath.Abs("../erasure/testdata/erasure.sql")
	must(t, err)
	for _, c := range []struct {
		bucket string
		extra  []string
		code   int
		want   string
	}{
		{"gone", nil, ExitInvalid, "stops before the traffic switch"},
		{"gone", []string{"--accept-unreplayed", "--reason", "ledger region down too"}, ExitOK, "ALARM: prod-dr goes on to the traffic switch unreplayed"},
		{"ledger-replica", nil, ExitOK, "1 applied, 0 already absent"},
	} {
		t.Run(c.bucket+fmt.Sprint(len(c.extra)), func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.MkdirAll(dir+"/stacks", 0o755))
			for _, f := range []string{"Pulumi.yaml", "stacks/Pulumi.prod.yaml", "stacks/Pulumi.prod-dr.yaml"} {
				data, err := os.ReadFile("../../" + f)
				must(t, err)
				must(t, os.WriteFile(dir+"/"+f, data, 0o644))
			}
			must(t, os.CopyFS(dir+"/environments", os.DirFS("../../environments")))
			withRunner(t, &fakeRunner{result: deploy.Result{Changes: map[string]int{"create": 3}, Outputs: map[string]any{"erasureLedger": map[string]any{
				"cloud": "aws", "region": "eu-west-1", "bucket": c.bucket, "retentionDays": 366, "sqlFile": sql, "replayMarginMinutes": 60}}}})
			args := append([]string{"dr", "rebuild", "--from", "prod", "--region", "eu-west-1", "--restore-point", "2026-11-25T11:00:00Z", "--project-dir", dir,
				"--now", "2026-11-25T12:00:00Z", "--database-url", url, "--endpoint", "aws=" + s.URL}, c.extra...)
			code, out, errOut := run(t, args...)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, c.code, c.want, out, errOut)
			}
			if switched := strings.Contains(out, "then switch traffic"); switched != (code == ExitOK) {
				t.Errorf("told to switch traffic: %v, exit %d", switched, code)
			}
		})
	}
	guests, err := pg.Query(ctx, "dr", "SELECT string_agg(id, ',' ORDER BY id) FROM guests")
	must(t, err)
	seats, err := pg.Query(ctx, "dr", "SELECT count(*) FROM seats")
	must(t, err)
	if guests != "g2" || seats != "0" {
		t.Errorf("after the rebuild: guests %s, seats %s; want g2 and no seat of g1", guests, seats)
	}
}
