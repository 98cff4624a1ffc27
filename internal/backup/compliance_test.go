package backup

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func dailyCopies(at time.Time, days int, bad map[int]bool) []Copy {
	var out []Copy
	for d := 0; d < days; d++ {
		out = append(out, Copy{Manifest: "m", Purpose: "db-exports", CreatedAt: at.Add(-time.Duration(d)*24*time.Hour - 2*time.Hour), OK: !bad[d]})
	}
	return out
}

// The success rate counts schedule slots holding a verified copy: a
// missed or failed day is a slot short, and 99.9% over 30 days allows none.
func TestComplianceScore(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		copies []Copy
		good   int
		met    bool
	}{
		{"a verified copy every day", dailyCopies(at, 30, nil), 30, true},
		{"one day's copy failed verification", dailyCopies(at, 30, map[int]bool{3: true}), 29, false},
		{"a day missed", dailyCopies(at, 29, nil), 29, false},
		{"two copies one day do not make up a missed one", append(dailyCopies(at, 29, nil), Copy{CreatedAt: at.Add(-time.Hour), OK: true}), 29, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			comp := &Compliance{Stack: "prod", At: at, Window: 30 * 24 * time.Hour, Schedule: 24 * time.Hour, RPO: 26 * time.Hour,
				Series: []Series{{Name: "bucket db-exports", Copies: c.copies}}}
			comp.Score()
			if comp.Good != c.good || comp.Expected != 30 || comp.Met != c.met {
				t.Fatalf("good %d/%d met %v, want %d/30 met %v", comp.Good, comp.Expected, comp.Met, c.good, c.met)
			}
			var buf bytes.Buffer
			if err := comp.WriteHTML(&buf, nil, nil); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			verdict := "BELOW TARGET"
			if c.met {
				verdict = "MET"
			}
			if !strings.Contains(html, verdict+"</span>") || !strings.Contains(html, "<svg") || strings.Contains(html, "<?xml") {
				t.Errorf("html lacks %q or the chart", verdict)
			}
		})
	}
}

// The chart's saw-tooth: the age grows by the hour and drops at each
// verified copy; a failed copy does not reset it.
func TestAgesDropOnlyAtVerifiedCopies(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	comp := &Compliance{At: at, Window: 3 * 24 * time.Hour}
	s := Series{Copies: []Copy{
		{CreatedAt: at.Add(-72 * time.Hour), OK: true},
		{CreatedAt: at.Add(-48 * time.Hour), OK: false},
		{CreatedAt: at.Add(-24 * time.Hour), OK: true},
	}}
	ages := comp.Ages(s)
	last := ages[len(ages)-1]
	mid := ages[36] // at - 36h: the failed copy 12 h before does not count
	if last.Hours != 24 || mid.Hours != 36 {
		t.Fatalf("age now %v h (want 24), at -36h %v h (want 36)", last.Hours, mid.Hours)
	}
}
