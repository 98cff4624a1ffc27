package erasure_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/erasure"
)

// TestReplayReadsBothLedgerCopies: during a regional outage the DR
// stack's app appends to the ledger's replica, and replication does not
// copy those entries back to the primary. A replay of prod (both copies on
// gofakes3, through the S3 SDK) erases g1 (primary only, written just
// before the outage and not yet replicated), s2 (replicated: in both,
// applied once) and g4 (appended to the replica by the DR app). The broken
// variant reads the primary alone: g4 comes back.
func TestReplayReadsBothLedgerCopies(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "ledger-euw2")
	s.Bucket(t, "ledger-euw1")
	open := func(bucket, region string, replica bool) *erasure.Ledger {
		l, err := erasure.Open(ctx, erasure.Location{Cloud: "aws", Region: region, Bucket: bucket, Replica: replica}, backup.Endpoints{"aws": s.URL})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	primary, replica := open("ledger-euw2", "eu-west-2", false), open("ledger-euw1", "eu-west-1", true)
	at := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	entry := func(id, kind string, minutes int) erasure.Entry {
		done := at.Add(time.Duration(minutes) * time.Minute)
		return erasure.Entry{SubjectID: id, Kind: kind, RequestedAt: done.Add(-time.Hour), DoneAt: done, RequestID: "req-" + id}
	}
	for _, w := range []struct {
		e      erasure.Entry
		copies []*erasure.Ledger
	}{
		{entry("s2", "supplier", 0), []*erasure.Ledger{primary, replica}},
		{entry("g1", "guest", 10), []*erasure.Ledger{primary}},
		{entry("g4", "guest", 20), []*erasure.Ledger{replica}},
	} {
		for _, l := range w.copies {
			if err := l.Append(ctx, w.e); err != nil {
				t.Fatal(err)
			}
		}
	}
	ledger := erasure.StackLedger{Cloud: "aws", Region: "eu-west-2", Bucket: "ledger-euw2", Replica: "ledger-euw1", ReplicaLocation: "eu-west-1",
		SQLFile: "testdata/erasure.sql"}
	for _, both := range []bool{true, false} {
		newDatabase(t, "restored", string(schema)+seedSQL)
		before := rows(t, "restored")
		l := ledger
		if !both {
			l.Replica = "" // the broken variant: a ledger read from its primary alone
		}
		out, err := erasure.Run(ctx, erasure.Request{Ledger: l, Endpoints: backup.Endpoints{"aws": s.URL}, DatabaseURL: pg.URL("restored"), ProjectDir: ".", BatchSize: 10})
		if err != nil || out.Unreachable || !out.OK() {
			t.Fatalf("both=%v: %+v %v", both, out, err)
		}
		got := rows(t, "restored")
		want := without(before, "g1", "g4", "s2")
		if both {
			if len(out.Results) != 3 || out.Counts[erasure.Applied] != 3 || got != want || !strings.Contains(out.Ledger, "ledger-euw1 (DR replica)") {
				t.Fatalf("replay of both copies: %d results %v from %s\n got %s\nwant %s", len(out.Results), out.Counts, out.Ledger, got, want)
			}
			continue
		}
		if got == want || !strings.Contains(got, "guest:g4") {
			t.Fatalf("reading the primary alone still erased g4, the entry only the replica holds: the test cannot tell the difference")
		}
	}
	// With the primary region lost (--replica), the replica alone still
	// holds g4; the unreadable primary is a warning, not a stop.
	newDatabase(t, "restored", string(schema)+seedSQL)
	lost := ledger
	lost.Bucket = "ledger-in-the-lost-region"
	out, err := erasure.Run(ctx, erasure.Request{Ledger: lost, Replica: true, Endpoints: backup.Endpoints{"aws": s.URL}, DatabaseURL: pg.URL("restored"), ProjectDir: ".", BatchSize: 10})
	if err != nil || out.Unreachable || out.Counts[erasure.Applied] != 2 || len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "ledger-in-the-lost-region") {
		t.Fatalf("replay from the replica with the primary lost: %+v %v", out, err)
	}
}

// TestMergeDedupesByEntryName: an entry in both copies is one entry; a
// well-formed read of it wins over a malformed one; the result is oldest
// first by name.
func TestMergeDedupesByEntryName(t *testing.T) {
	e := erasure.Entry{SubjectID: "g1", Kind: "guest", RequestedAt: time.Unix(0, 0).UTC(), DoneAt: time.Unix(60, 0).UTC(), RequestID: "a"}
	later := erasure.Entry{SubjectID: "g2", Kind: "guest", RequestedAt: time.Unix(0, 0).UTC(), DoneAt: time.Unix(120, 0).UTC(), RequestID: "b"}
	got := erasure.Merge(
		[]erasure.Read{{Key: later.Key(), Entry: later}, {Key: e.Key(), Err: os.ErrInvalid}},
		[]erasure.Read{{Key: e.Key(), Entry: e}, {Key: later.Key(), Entry: later}})
	if len(got) != 2 || got[0].Key != e.Key() || got[0].Err != nil || got[1].Key != later.Key() {
		t.Fatalf("merged: %+v", got)
	}
}
