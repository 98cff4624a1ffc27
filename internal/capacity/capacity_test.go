package capacity

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/season"
)

const samplePath = "../../season/testdata/history-sample.csv"

func readSample(t *testing.T) []season.TrafficSample {
	t.Helper()
	data, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	h, err := season.ReadHistory(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func londonConfig() season.Config {
	var cfg season.Config
	cfg.ApplyDefaults()
	return cfg
}

func TestSampleHistoryTableShowsSeasonRecommendPerWindow(t *testing.T) {
	history := readSample(t)
	cfg := londonConfig()
	want, err := season.Recommend(history, cfg, 100, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Recommend("prod", cfg, history, 100, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Recommendation != want {
		t.Fatalf("recommendation = %+v, want season.Recommend's %+v", r.Recommendation, want)
	}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "8760 samples, 2025-01-01 00:00 to 2025-12-31 23:00 (Europe/London), at 100 rps per instance and 30% headroom") {
		t.Errorf("heading does not describe the history:\n%s", out)
	}
	windows := []struct {
		name  string
		stats season.WindowStats
		rec   season.Capacity
		cur   season.Capacity
	}{
		{"off season", want.OffSeason, want.Capacity.OffSeason, season.DefaultOffSeason},
		{"peak season", want.Peak, want.Capacity.Peak, season.DefaultPeak},
		{"wedding day", want.WeddingDay, want.Capacity.WeddingDay, season.DefaultWeddingDay},
	}
	total := 0
	for _, w := range windows {
		line := lineStarting(out, w.name+" ")
		if line == "" {
			t.Fatalf("no row for %s:\n%s", w.name, out)
		}
		fields := []string{
			fmt.Sprint(w.stats.Samples), fmt.Sprintf("%.1f", w.stats.P95RPS), fmt.Sprintf("%.1f", w.stats.MaxRPS),
			fmt.Sprintf("%d / %d / %d", w.rec.Min, w.rec.Max, w.rec.Desired),
			fmt.Sprintf("%d / %d / %d", w.cur.Min, w.cur.Max, w.cur.Desired),
		}
		rest := line
		for _, f := range fields {
			i := strings.Index(rest, f)
			if i < 0 {
				t.Fatalf("%s row %q lacks %q (in column order)", w.name, line, f)
			}
			rest = rest[i+len(f):]
		}
		total += w.stats.Samples
	}
	if total != len(history) {
		t.Errorf("rows count %d samples, the history has %d", total, len(history))
	}
	// The sample's peak-season busy hours need more than the default floor.
	if got := lineStarting(out, "peak season "); !strings.HasSuffix(got, "min +12, max -20, desired +10") {
		t.Errorf("peak season change column: %q", got)
	}
}

func lineStarting(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func TestTableForAHandMadeHistory(t *testing.T) {
	// Twenty Tuesday-noon samples in January (off season, not a wedding
	// day): 1..20 rps. p95 (nearest rank) is 19, max 20; at 10 rps per
	// instance and no headroom min = 2, max = max(2, 2, 2) = 2.
	var history []season.TrafficSample
	day := time.Date(2026, time.January, 6, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 20; i++ {
		history = append(history, season.TrafficSample{Time: day.AddDate(0, 0, 7*((i-1)%3)).Add(time.Duration(i) * time.Minute), RPS: float64(i)})
	}
	r, err := Recommend("dev", londonConfig(), history, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	want := `window       samples  p95 rps  max rps  recommended min / max / desired  current min / max / desired  change
off season        20     19.0     20.0                        2 / 2 / 2                   2 / 10 / 2  max -8
peak season        0        -        -                      8 / 40 / 10                  8 / 40 / 10  none (no samples: keeps current)
wedding day        0        -        -                     20 / 60 / 20                 20 / 60 / 20  none (no samples: keeps current)

Note: off season: max equals min, because the busiest hour needs no more instances than the p95 one;
CPU autoscaling then has no room above the floor there. Raise max by hand if traffic can spike beyond the history.
`
	got := b.String()
	if i := strings.Index(got, "\nwindow "); i < 0 || got[i+1:] != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestRecommendRefusesAnEmptyHistory(t *testing.T) {
	if _, err := Recommend("prod", londonConfig(), nil, 100, 0.3); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("err = %v, want one saying there are no samples", err)
	}
}

func TestChangeColumn(t *testing.T) {
	for _, tc := range []struct {
		rec, cur season.Capacity
		samples  int
		want     string
	}{
		{season.Capacity{Min: 3, Max: 9, Desired: 3}, season.Capacity{Min: 2, Max: 10, Desired: 2}, 5, "min +1, max -1, desired +1"},
		{season.Capacity{Min: 2, Max: 10, Desired: 2}, season.Capacity{Min: 2, Max: 10, Desired: 2}, 5, "none"},
		{season.Capacity{Min: 2, Max: 10, Desired: 2}, season.Capacity{Min: 2, Max: 10, Desired: 2}, 0, "none (no samples: keeps current)"},
	} {
		row := Row{Stats: season.WindowStats{Samples: tc.samples}, Recommended: tc.rec, Current: tc.cur}
		if got := row.Change(); got != tc.want {
			t.Errorf("Change(%+v -> %+v) = %q, want %q", tc.cur, tc.rec, got, tc.want)
		}
	}
}

// seasonFromBlock reads a printed block back the way Pulumi and the stack
// program would: as a stack file, then as the season config.
func seasonFromBlock(t *testing.T, block string) season.Config {
	t.Helper()
	sc, err := project.ParseStack([]byte("config:\n"+block), "wedsync")
	if err != nil {
		t.Fatalf("block is not a valid stack file: %v\n%s", err, block)
	}
	raw, ok := sc.Values["wedsync:season"]
	if !ok {
		t.Fatalf("no wedsync:season in:\n%s", block)
	}
	cfg, err := season.ParseConfig([]byte(raw))
	if err != nil {
		t.Fatalf("pasted season config does not parse: %v\n%s", err, block)
	}
	return cfg
}

var recommended = season.Capacities{
	OffSeason:  season.Capacity{Min: 2, Max: 3, Desired: 2},
	Peak:       season.Capacity{Min: 20, Max: 20, Desired: 20},
	WeddingDay: season.Capacity{Min: 40, Max: 50, Desired: 40},
}

func TestSeasonBlockForAStackWithoutSeasonConfig(t *testing.T) {
	var b strings.Builder
	if err := WriteSeasonBlock(&b, "", recommended); err != nil {
		t.Fatal(err)
	}
	want := `  wedsync:season:
    capacity:
      offSeason: {min: 2, max: 3, desired: 2}
      peak: {min: 20, max: 20, desired: 20}
      weddingDay: {min: 40, max: 50, desired: 40}
`
	if b.String() != want {
		t.Errorf("block:\n%s\nwant:\n%s", b.String(), want)
	}
	if got := seasonFromBlock(t, b.String()).Capacity; got != recommended {
		t.Errorf("pasted capacity = %+v, want %+v", got, recommended)
	}
}

func TestSeasonBlockKeepsTheOtherSeasonSettingsAsWritten(t *testing.T) {
	written := `{"peakMonths":"April-October","extraDates":[{"date":"2026-12-31","name":"New Year's Eve","start":"18:00","end":"03:00"}],` +
		`"capacity":{"offSeason":{"min":1,"max":4,"desired":1}},"weddingDays":{"start":"Fri 12:00","end":"Sun 04:00"},` +
		`"freeze":{"dates":[{"start":"2026-12-24","end":"2026-12-27","name":"Christmas"}]}}`
	var b strings.Builder
	if err := WriteSeasonBlock(&b, written, recommended); err != nil {
		t.Fatal(err)
	}
	got := seasonFromBlock(t, b.String())
	want, err := season.ParseConfig([]byte(written))
	if err != nil {
		t.Fatal(err)
	}
	want.Capacity = recommended
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("pasted config = %+v\nwant %+v", got, want)
	}
	if strings.Count(b.String(), "capacity:") != 1 || strings.Contains(b.String(), "min: 1,") {
		t.Errorf("old capacity is still in the block:\n%s", b.String())
	}
	// Fields in the documented order, objects of plain values in flow style.
	order := []string{"peakMonths:", `weddingDays: {start: "Fri 12:00", end: "Sun 04:00"}`, "extraDates:", "capacity:", "freeze:"}
	last := -1
	for _, k := range order {
		i := strings.Index(b.String(), k)
		if i < last {
			t.Errorf("%q is out of order or missing in:\n%s", k, b.String())
		}
		last = i
	}
}

func TestSeasonBlockRefusesAValueThatIsNotAnObject(t *testing.T) {
	var b strings.Builder
	err := WriteSeasonBlock(&b, core.SecretMarker, recommended)
	if err == nil || !strings.Contains(err.Error(), "wedsync:season") {
		t.Errorf("err = %v, want one naming wedsync:season", err)
	}
}
