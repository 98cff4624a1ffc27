package audit

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// history writes a history of two restores of prod: a drill whose replay
// completed while it ran, and a rebuild let through unreplayed. With
// fixed, a later `erasure replay --restore` of the rebuild completes.
func history(t *testing.T, fixed bool) History {
	t.Helper()
	h := History{Path: filepath.Join(t.TempDir(), HistoryFile)}
	t0 := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
	rebuild := "dr rebuild of prod in eu-west-1 at 2027-06-02T08:00:00Z"
	recs := []Record{
		{Kind: KindDeploy, At: t0.Add(-time.Hour), Stack: "prod"},
		// The drill appends its own record when it ends, after the replay
		// it ran; both carry the drill's times.
		{Kind: KindErasureReplay, At: t0.Add(20 * time.Minute), Stack: "prod", Detail: map[string]any{"restore": "dr drill of the copy of 2027-06-01T09:00:00Z", "ok": true, "dryRun": false}},
		{Kind: KindDrill, At: t0, Stack: "prod", Detail: map[string]any{"ok": true}},
		{Kind: KindErasureReplay, At: t0.Add(24 * time.Hour), Stack: "prod", Detail: map[string]any{"restore": rebuild, "ok": false, "unreachable": true, "error": "ledger unreachable"}},
		{Kind: KindUnreplayed, At: t0.Add(24*time.Hour + time.Minute), Stack: "prod", Who: "oncall", Reason: "region down", Detail: map[string]any{"restore": rebuild}},
		// Another stack's drill without a replay is not prod's business.
		{Kind: KindDrill, At: t0.Add(25 * time.Hour), Stack: "staging"},
	}
	if fixed {
		recs = append(recs, Record{Kind: KindErasureReplay, At: t0.Add(26 * time.Hour), Stack: "prod", Detail: map[string]any{"restore": rebuild, "ok": true}})
	}
	for _, r := range recs {
		if err := h.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// TestRestoresNamesTheUnreplayed: from the history as written to disk, the
// drill counts as replayed and the rebuild let through with
// --accept-unreplayed does not, until a later replay of it completes.
func TestRestoresNamesTheUnreplayed(t *testing.T) {
	since := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, fixed := range []bool{false, true} {
		records, err := history(t, fixed).Records()
		if err != nil {
			t.Fatal(err)
		}
		r := RestoresOf(records, "prod", since)
		if len(r.Restores) != 2 || !r.Restores[0].Replayed || r.Restores[0].Name != "dr drill of the copy of 2027-06-01T09:00:00Z" {
			t.Fatalf("fixed=%v: %+v", fixed, r.Restores)
		}
		sum := r.Summary()
		if fixed {
			if len(r.Unreplayed()) != 0 || sum != "restores since 2027-05-01 00:00 UTC: all replayed (2)" {
				t.Fatalf("replayed later, still reported: %s", sum)
			}
			continue
		}
		if bad := r.Unreplayed(); len(bad) != 1 || !strings.Contains(sum, "1 of 2 NOT replayed") ||
			!strings.Contains(sum, `"dr rebuild of prod in eu-west-1 at 2027-06-02T08:00:00Z" (let through unreplayed by oncall: region down)`) {
			t.Fatalf("the unreplayed rebuild is not named: %s", sum)
		}
	}
	// The window: restores before since are not counted.
	records, _ := history(t, false).Records()
	if r := RestoresOf(records, "prod", time.Date(2027, 6, 3, 0, 0, 0, 0, time.UTC)); len(r.Restores) != 0 {
		t.Fatalf("restores before the window counted: %+v", r.Restores)
	}
}

// TestADrillWithoutAReplayIsUnreplayed: a drill that recorded no replay
// (a stack without the ledger, or the replay step gone) is named.
func TestADrillWithoutAReplayIsUnreplayed(t *testing.T) {
	t0 := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
	records := []Record{
		// A replay of an earlier drill, before this one started, is not this drill's.
		{Kind: KindErasureReplay, At: t0.Add(-time.Hour), Stack: "prod", Detail: map[string]any{"restore": "dr drill of the copy of X", "ok": true}},
		{Kind: KindDrill, At: t0, Stack: "prod"},
	}
	r := RestoresOf(records, "prod", t0.Add(-24*time.Hour))
	if len(r.Restores) != 1 || r.Restores[0].Replayed || r.Restores[0].Why != "no erasure replay recorded during the drill" {
		t.Fatalf("%+v", r.Restores)
	}
}
