package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Restore is one restore of a stack's data found in the history, and
// whether the erasure ledger was replayed into it before it served anyone.
type Restore struct {
	// Name is the restore as its records name it: "dr drill of the copy of
	// T", "dr rebuild of S in R at P", or an operator's --restore.
	Name     string    `json:"name"`
	At       time.Time `json:"at"`
	Replayed bool      `json:"replayed"`
	// Why names what is missing when not replayed.
	Why string `json:"why,omitempty"`
}

// Restores is the restores of a stack since a time and their replays.
type Restores struct {
	Stack    string    `json:"stack"`
	Since    time.Time `json:"since"`
	Restores []Restore `json:"restores"`
}

// Unreplayed is the restores of r that were not replayed.
func (r Restores) Unreplayed() []Restore {
	var out []Restore
	for _, x := range r.Restores {
		if !x.Replayed {
			out = append(out, x)
		}
	}
	return out
}

// Summary is the one line of the backup report: "restores since X: all
// replayed", or the names of those that were not.
func (r Restores) Summary() string {
	since := r.Since.UTC().Format("2006-01-02 15:04 UTC")
	bad := r.Unreplayed()
	switch {
	case len(r.Restores) == 0:
		return "restores since " + since + ": none recorded"
	case len(bad) == 0:
		return fmt.Sprintf("restores since %s: all replayed (%d)", since, len(r.Restores))
	}
	names := make([]string, len(bad))
	for i, b := range bad {
		names[i] = fmt.Sprintf("%q (%s)", b.Name, b.Why)
	}
	return fmt.Sprintf("restores since %s: %d of %d NOT replayed: %s", since, len(bad), len(r.Restores), strings.Join(names, "; "))
}

// RestoresOf finds, in records (oldest first, as Records returns them),
// the restores of stack at or after since and whether each was replayed:
//   - a restore drill (restore-drill) is replayed when an erasure-replay
//     record of the stack, written while it ran (after its start, before
//     its own record, which the drill appends when it ends), completed;
//   - every other restore is named by its erasure-replay or
//     erasure-unreplayed records (dr rebuild, erasure replay --restore):
//     replayed when its latest such record is a complete, non-dry-run
//     replay; a rebuild let through with --accept-unreplayed stays
//     unreplayed until `erasure replay --restore NAME` completes.
func RestoresOf(records []Record, stack string, since time.Time) Restores {
	out := Restores{Stack: stack, Since: since}
	named := map[string]*Restore{}
	var order []string
	claimed := map[int]bool{}
	for i, r := range records {
		if r.Stack != stack {
			continue
		}
		switch r.Kind {
		case KindDrill:
			if r.At.Before(since) {
				continue
			}
			out.Restores = append(out.Restores, drillRestore(records, i, claimed))
		case KindErasureReplay, KindUnreplayed:
			name := detailString(r, "restore")
			if name == "" || strings.HasPrefix(name, "dr drill of ") {
				continue // an unnamed manual replay, or a drill's (above)
			}
			x, ok := named[name]
			if !ok {
				x = &Restore{Name: name, At: r.At}
				named[name] = x
				order = append(order, name)
			}
			x.Replayed, x.Why = replayOK(r)
		}
	}
	for _, name := range order {
		if x := named[name]; !x.At.Before(since) {
			out.Restores = append(out.Restores, *x)
		}
	}
	sort.SliceStable(out.Restores, func(a, b int) bool { return out.Restores[a].At.Before(out.Restores[b].At) })
	return out
}

// drillRestore is the drill whose record is records[i], with the replays
// written while it ran.
func drillRestore(records []Record, i int, claimed map[int]bool) Restore {
	d := records[i]
	x := Restore{Name: "dr drill started " + d.At.UTC().Format(time.RFC3339), At: d.At, Why: "no erasure replay recorded during the drill"}
	for j := i - 1; j >= 0 && !records[j].At.Before(d.At); j-- {
		r := records[j]
		if claimed[j] || r.Kind != KindErasureReplay || r.Stack != d.Stack || !strings.HasPrefix(detailString(r, "restore"), "dr drill of ") {
			continue
		}
		claimed[j] = true
		x.Name = detailString(r, "restore")
		x.Replayed, x.Why = replayOK(r)
		break
	}
	return x
}

// replayOK reads a replay or acceptance record: replayed, or why not.
func replayOK(r Record) (bool, string) {
	d, _ := r.Detail.(map[string]any)
	switch {
	case r.Kind == KindUnreplayed:
		return false, "let through unreplayed by " + r.Who + ": " + r.Reason
	case d["dryRun"] == true:
		return false, "only a dry run"
	case d["ok"] == true:
		return true, ""
	case d["unreachable"] == true:
		return false, fmt.Sprintf("the ledger was unreachable: %v", d["error"])
	}
	return false, fmt.Sprintf("the replay did not complete: failed %v", d["failed"])
}

func detailString(r Record, key string) string {
	d, _ := r.Detail.(map[string]any)
	s, _ := d[key].(string)
	return s
}
