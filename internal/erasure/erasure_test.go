package erasure_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/erasure"

	"github.com/jackc/pgx/v5"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/pgtest"
)

var pg *drill.Cluster

func TestMain(m *testing.M) { pgtest.Main(m, &pg, drill.StartFoundCluster, nil) }

// needPostgres fails (under make test) or skips when there is none.
var needPostgres = pgtest.Need

// seedSQL is the reference data: two weddings, four guests with their
// dependent rows, two suppliers.
const seedSQL = `
INSERT INTO couples VALUES ('c1', 'Ada & Ben', 'ab@example.com'), ('c2', 'Cy & Di', 'cd@example.com');
INSERT INTO weddings VALUES ('w1', 'c1', '2027-06-12'), ('w2', 'c2', '2027-07-03');
INSERT INTO suppliers VALUES ('s1', 'Flowers Ltd', 'f@example.com'), ('s2', 'Band', 'b@example.com');
INSERT INTO guests VALUES ('g1', 'w1', 'Gail', 'gail@example.com'), ('g2', 'w1', 'Hal', NULL), ('g3', 'w2', 'Ivy', NULL), ('g4', 'w2', 'Jo', 'jo@example.com');
INSERT INTO rsvps VALUES ('g1', true), ('g2', false), ('g3', true);
INSERT INTO dietary_needs VALUES ('g1', 'vegan'), ('g1', 'no-nuts'), ('g4', 'halal');
INSERT INTO seats VALUES ('g1', 1), ('g2', 1), ('g3', 2);
INSERT INTO bookings VALUES ('s1', 'w1', 'flowers'), ('s2', 'w2', 'music');
INSERT INTO messages (sender_kind, sender_id, body) VALUES ('guest', 'g1', 'see you'), ('guest', 'g3', 'hi'), ('couple', 'c1', 'thanks'), ('supplier', 's1', 'invoice');
`

// everyone lists every row's identity, table by table: what a replay must
// leave untouched for everyone but the erased.
const everyone = `SELECT string_agg(r, ' ' ORDER BY r) FROM (
  SELECT 'couple:'||id r FROM couples UNION ALL SELECT 'wedding:'||id FROM weddings
  UNION ALL SELECT 'supplier:'||id FROM suppliers UNION ALL SELECT 'guest:'||id||':'||coalesce(email,'') FROM guests
  UNION ALL SELECT 'rsvp:'||guest_id FROM rsvps UNION ALL SELECT 'diet:'||guest_id||':'||need FROM dietary_needs
  UNION ALL SELECT 'seat:'||guest_id FROM seats UNION ALL SELECT 'booking:'||supplier_id||':'||wedding_id FROM bookings
  UNION ALL SELECT 'message:'||sender_kind||':'||sender_id FROM messages) x`

func newDatabase(t *testing.T, name, sql string) {
	t.Helper()
	ctx := context.Background()
	if err := pg.Exec(ctx, "postgres", "DROP DATABASE IF EXISTS "+name+"; CREATE DATABASE "+name+";"); err != nil {
		t.Fatal(err)
	}
	if err := pg.Exec(ctx, name, sql); err != nil {
		t.Fatal(err)
	}
}

func connect(t *testing.T, db string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pg.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func rows(t *testing.T, db string) string {
	t.Helper()
	out, err := pg.Query(context.Background(), db, everyone)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dump(t *testing.T, db string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), db+".sql")
	if err := pg.DumpFile(context.Background(), db, path, "p"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func referenceSQL(t *testing.T) erasure.SQL {
	t.Helper()
	sql, err := erasure.LoadSQL("testdata/erasure.sql")
	if err != nil {
		t.Fatal(err)
	}
	return sql
}

// without drops from a rows listing every row of the erased guest g1.
func without(listing string, ids ...string) string {
	var keep []string
	for _, r := range strings.Fields(listing) {
		drop := false
		for _, id := range ids {
			drop = drop || strings.Contains(r, ":"+id+":") || strings.HasSuffix(r, ":"+id)
		}
		if !drop {
			keep = append(keep, r)
		}
	}
	return strings.Join(keep, " ")
}

// s3Ledger is an empty ledger on gofakes3.
func s3Ledger(t *testing.T) *erasure.Ledger {
	t.Helper()
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "ledger")
	l, err := erasure.Open(context.Background(), erasure.Location{Cloud: "aws", Region: "eu-west-2", Bucket: "ledger"}, backup.Endpoints{"aws": s.URL})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The scenario: dump, erase a guest and record it, restore the
// dump into a fresh database, replay. The guest and every dependent row
// are gone, everyone else is untouched, a second replay changes nothing,
// and a copy taken after the erasure reports "already absent".
func TestRestoreThenReplayErasesTheGuestAgain(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	newDatabase(t, "live", string(schema)+seedSQL)
	before := rows(t, "live")
	copyBefore := dump(t, "live")

	// The app erases g1 with its SQL and records the erasure.
	ledger := s3Ledger(t)
	done := time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC)
	entry := erasure.Entry{SubjectID: "g1", Kind: "guest", RequestedAt: done.Add(-time.Hour), DoneAt: done, RequestID: "req-1"}
	sql := referenceSQL(t)
	if rep, err := erasure.Replay(ctx, connect(t, "live"), []erasure.Read{{Key: entry.Key(), Entry: entry}}, erasure.Options{SQL: sql}); err != nil || rep.Counts[erasure.Applied] != 1 {
		t.Fatalf("erasing g1 in the live database: %+v %v", rep, err)
	}
	if err := ledger.Append(ctx, entry); err != nil {
		t.Fatal(err)
	}
	want := without(before, "g1")
	if got := rows(t, "live"); got != want {
		t.Fatalf("the app's erasure SQL left or took the wrong rows:\n got %s\nwant %s", got, want)
	}

	// Restore the copy taken before the erasure, and replay the ledger.
	newDatabase(t, "restored", copyBefore)
	if rows(t, "restored") != before {
		t.Fatal("the restored copy is not the copy")
	}
	reads, err := ledger.Entries(ctx, done.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := erasure.Replay(ctx, connect(t, "restored"), reads, erasure.Options{SQL: sql, BatchSize: 10})
	if err != nil || !rep.OK() || rep.Counts[erasure.Applied] != 1 {
		t.Fatalf("replay: %+v %v", rep, err)
	}
	if got := rows(t, "restored"); got != want {
		t.Errorf("after replay:\n got %s\nwant %s", got, want)
	}
	// A second replay changes nothing.
	rep, err = erasure.Replay(ctx, connect(t, "restored"), reads, erasure.Options{SQL: sql})
	if err != nil || rep.Counts[erasure.Absent] != 1 || rep.Counts[erasure.Applied] != 0 {
		t.Errorf("second replay: %+v %v", rep, err)
	}
	if got := rows(t, "restored"); got != want {
		t.Errorf("the second replay changed the database:\n got %s\nwant %s", got, want)
	}
	// A copy taken after the erasure has nothing to erase.
	newDatabase(t, "later", dump(t, "live"))
	rep, err = erasure.Replay(ctx, connect(t, "later"), reads, erasure.Options{SQL: sql})
	if err != nil || rep.Results[0].Outcome != erasure.Absent {
		t.Errorf("replay on a copy taken after the erasure: %+v %v", rep, err)
	}
}

// A dry run says what it would do and changes nothing.
func TestDryRunChangesNothing(t *testing.T) {
	needPostgres(t)
	schema, _ := os.ReadFile("testdata/schema.sql")
	newDatabase(t, "dry", string(schema)+seedSQL)
	before := rows(t, "dry")
	e := erasure.Entry{SubjectID: "c1", Kind: "couple", RequestedAt: time.Unix(0, 0).UTC(), DoneAt: time.Unix(60, 0).UTC(), RequestID: "r"}
	rep, err := erasure.Replay(context.Background(), connect(t, "dry"), []erasure.Read{{Key: e.Key(), Entry: e}}, erasure.Options{SQL: referenceSQL(t), DryRun: true})
	if err != nil || rep.Counts[erasure.Applied] != 1 {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if rows(t, "dry") != before {
		t.Error("a dry run changed the database")
	}
}

// A failing entry is rolled back alone and named; the others apply.
func TestAFailingEntryIsNamedAndTheOthersApply(t *testing.T) {
	needPostgres(t)
	schema, _ := os.ReadFile("testdata/schema.sql")
	newDatabase(t, "partial", string(schema)+seedSQL)
	bad := erasure.SQL{File: "broken.sql", Statements: []string{"DELETE FROM no_such_table WHERE id = $1"}}
	ok := referenceSQL(t)
	// The broken SQL for one entry: run it as a batch of its own beside a
	// good batch, in one replay of two batches.
	e1 := erasure.Entry{SubjectID: "g2", Kind: "guest", RequestedAt: time.Unix(0, 0).UTC(), DoneAt: time.Unix(1, 0).UTC(), RequestID: "a"}
	conn := connect(t, "partial")
	rep, err := erasure.Replay(context.Background(), conn, []erasure.Read{{Key: e1.Key(), Entry: e1}}, erasure.Options{SQL: bad})
	if err != nil || rep.Counts[erasure.Failed] != 1 || !strings.Contains(rep.Results[0].Error, "broken.sql statement 1") {
		t.Fatalf("broken SQL: %+v %v", rep, err)
	}
	e2 := erasure.Entry{SubjectID: "g3", Kind: "guest", RequestedAt: time.Unix(0, 0).UTC(), DoneAt: time.Unix(2, 0).UTC(), RequestID: "b"}
	malformed := erasure.Read{Key: erasure.Prefix + "1970/01/01/x.json", Err: errors.New("not an entry")}
	rep, err = erasure.Replay(context.Background(), conn, []erasure.Read{malformed, {Key: e2.Key(), Entry: e2}}, erasure.Options{SQL: ok, BatchSize: 2})
	if err != nil || rep.Counts[erasure.Malformed] != 1 || rep.Counts[erasure.Applied] != 1 {
		t.Errorf("malformed beside a good entry: %+v %v", rep, err)
	}
}

// Entries written are read back on all three clouds' SDKs, oldest first
// and from the given time; a malformed object is named and the others
// still read; an unreachable ledger is an access error.
func TestLedgerOnThreeClouds(t *testing.T) {
	ctx := context.Background()
	s3e := backuptest.StartS3(t)
	s3e.Env(t)
	s3e.Bucket(t, "ledger")
	gcs := backuptest.StartGCS(t)
	gcs.Env(t)
	gcs.Bucket(t, "ledger")
	az := backuptest.StartAzurite(t)
	az.Env(t)
	az.Bucket(t, "backups")
	for _, c := range []struct {
		loc erasure.Location
		ep  backup.Endpoints
		put func(key string, data []byte)
	}{
		{erasure.Location{Cloud: "aws", Bucket: "ledger"}, backup.Endpoints{"aws": s3e.URL}, func(k string, d []byte) { s3e.Put(t, "ledger", k, backuptest.Object{Data: d}) }},
		{erasure.Location{Cloud: "gcp", Bucket: "ledger"}, backup.Endpoints{}, func(k string, d []byte) { gcs.Put(t, "ledger", k, backuptest.Object{Data: d}) }},
		{erasure.Location{Cloud: "azure", Bucket: "devstoreaccount1"}, backup.Endpoints{"azure": az.URL}, func(k string, d []byte) { az.Put(t, "backups", k, backuptest.Object{Data: d}) }},
	} {
		t.Run(c.loc.Cloud, func(t *testing.T) {
			l, err := erasure.Open(ctx, c.loc, c.ep)
			if err != nil {
				t.Fatal(err)
			}
			base := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
			for i, id := range []string{"g3", "g1", "g2"} {
				e := erasure.Entry{SubjectID: id, Kind: "guest", RequestedAt: base, DoneAt: base.Add(time.Duration(i) * time.Hour), RequestID: "req-" + id}
				if err := l.Append(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			// A body that names the person: refused, by its key.
			bad := erasure.Entry{SubjectID: "g9", Kind: "guest", RequestedAt: base, DoneAt: base.Add(90 * time.Minute), RequestID: "req-g9"}
			c.put(bad.Key(), []byte(`{"subjectId":"g9","kind":"guest","email":"g9@example.com"}`))
			reads, err := l.Entries(ctx, base.Add(30*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range reads {
				if r.Err != nil {
					got = append(got, "bad:"+r.Key)
					continue
				}
				got = append(got, r.Entry.SubjectID)
			}
			if want := []string{"g1", "bad:" + bad.Key(), "g2"}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("entries since 09:30: %v, want %v", got, want)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		l, err := erasure.Open(ctx, erasure.Location{Cloud: "aws", Bucket: "ledger"}, backup.Endpoints{"aws": "http://127.0.0.1:1"})
		if err == nil {
			_, err = l.Entries(ctx, time.Time{})
		}
		var access *backup.AccessError
		if !errors.As(err, &access) {
			t.Errorf("an unreachable ledger: %v, want an access error", err)
		}
	})
}

// The name sorts by time and carries no more than the request id; a body
// under another name is refused.
func TestEntryFormat(t *testing.T) {
	e := erasure.Entry{SubjectID: "9f1c", Kind: "couple", RequestedAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), DoneAt: time.Date(2027, 1, 2, 3, 4, 5, 6, time.UTC), RequestID: "r-1"}
	if got, want := e.Key(), "erasures/2027/01/02/20270102T030405.000000006Z-r-1.json"; got != want {
		t.Errorf("key %s, want %s", got, want)
	}
	body, _ := e.Marshal()
	if _, err := erasure.Parse(strings.Replace(e.Key(), "030405", "030406", 1), body); err == nil {
		t.Error("a body under another time's name was accepted")
	}
	for _, bad := range []erasure.Entry{{SubjectID: "ada@example.com", Kind: "guest", RequestedAt: e.RequestedAt, DoneAt: e.DoneAt, RequestID: "r"}, {SubjectID: "x", Kind: "pet", RequestedAt: e.RequestedAt, DoneAt: e.DoneAt, RequestID: "r"}} {
		if bad.Validate() == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
