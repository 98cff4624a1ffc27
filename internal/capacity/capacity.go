// Package capacity is the logic behind `wedsync-infra capacity`: sizing the
// season calendar's windows from traffic history (season.Recommend) and
// showing the result as a table and as the `wedsync:season` block to paste
// into a stack file, and drawing a year of the calendar with each cloud's
// simulated schedule (see Chart). The command in internal/cli only reads
// files and flags.
package capacity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/season"
)

// Report is a recommendation from history beside the capacity the stack has
// now.
type Report struct {
	Stack          string
	Timezone       string
	PerInstanceRPS float64
	Headroom       float64
	// Samples, First and Last describe the history the report came from.
	Samples     int
	First, Last time.Time
	// Recommendation is season.Recommend's answer, unchanged.
	Recommendation season.Recommendation
	// Current is the stack's capacity per window, with defaults applied.
	Current season.Capacities
}

// Recommend sizes every window of cfg (the stack's calendar, in its time
// zone) from history; the formula is season.Recommend's.
func Recommend(stack string, cfg season.Config, history []season.TrafficSample, perInstanceRPS, headroom float64) (Report, error) {
	if len(history) == 0 {
		return Report{}, fmt.Errorf("the history has no samples; want one \"timestamp,rps\" row per hour or so")
	}
	cfg.ApplyDefaults()
	rec, err := season.Recommend(history, cfg, perInstanceRPS, headroom)
	if err != nil {
		return Report{}, err
	}
	r := Report{
		Stack: stack, Timezone: cfg.Timezone, PerInstanceRPS: perInstanceRPS, Headroom: headroom,
		Samples: len(history), First: history[0].Time, Last: history[0].Time,
		Recommendation: rec, Current: cfg.Capacity,
	}
	for _, s := range history {
		if s.Time.Before(r.First) {
			r.First = s.Time
		}
		if s.Time.After(r.Last) {
			r.Last = s.Time
		}
	}
	return r, nil
}

// Row is one window of the report.
type Row struct {
	Window      season.Window
	Name        string
	Stats       season.WindowStats
	Recommended season.Capacity
	Current     season.Capacity
}

// Rows lists the windows in increasing precedence.
func (r Report) Rows() []Row {
	rec := r.Recommendation
	return []Row{
		{season.WindowOffSeason, season.NameOffSeason, rec.OffSeason, rec.Capacity.OffSeason, r.Current.OffSeason},
		{season.WindowPeak, season.NamePeak, rec.Peak, rec.Capacity.Peak, r.Current.Peak},
		{season.WindowWeddingDay, season.NameWeddingDay, rec.WeddingDay, rec.Capacity.WeddingDay, r.Current.WeddingDay},
	}
}

// Change says how the recommendation differs from the current capacity,
// "min +1, max -4", or "none".
func (row Row) Change() string {
	if row.Stats.Samples == 0 {
		return "none (no samples: keeps current)"
	}
	var parts []string
	for _, f := range []struct {
		name     string
		rec, cur int
	}{
		{"min", row.Recommended.Min, row.Current.Min},
		{"max", row.Recommended.Max, row.Current.Max},
		{"desired", row.Recommended.Desired, row.Current.Desired},
	} {
		if d := f.rec - f.cur; d != 0 {
			parts = append(parts, fmt.Sprintf("%s %+d", f.name, d))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func formatCapacity(c season.Capacity) string {
	return fmt.Sprintf("%d / %d / %d", c.Min, c.Max, c.Desired)
}

// WriteTable prints the heading, the formula and one row per window.
func (r Report) WriteTable(w io.Writer) error {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return err
	}
	factor := 1 + r.Headroom
	var b strings.Builder
	fmt.Fprintf(&b, "Capacity for stack %s from %d samples, %s to %s (%s), at %s rps per instance and %s%% headroom.\n",
		r.Stack, r.Samples, r.First.In(loc).Format("2006-01-02 15:04"), r.Last.In(loc).Format("2006-01-02 15:04"), r.Timezone,
		trimFloat(r.PerInstanceRPS), trimFloat(r.Headroom*100))
	fmt.Fprintf(&b, "Each sample counts in the window the stack's calendar gives its instant (wedding day over peak over off season).\n")
	fmt.Fprintf(&b, "min = ceil(p95 rps / %s x %s); max = largest of ceil(max rps / %s x %s), 2 and min; desired = min;\n",
		trimFloat(r.PerInstanceRPS), trimFloat(factor), trimFloat(r.PerInstanceRPS), trimFloat(factor))
	fmt.Fprintf(&b, "then minimums are raised so wedding day >= peak season >= off season.\n\n")

	t := table{
		header: []string{"window", "samples", "p95 rps", "max rps", "recommended min / max / desired", "current min / max / desired", "change"},
		right:  []bool{false, true, true, true, true, true, false},
	}
	for _, row := range r.Rows() {
		p95, peak := "-", "-"
		if row.Stats.Samples > 0 {
			p95, peak = fmt.Sprintf("%.1f", row.Stats.P95RPS), fmt.Sprintf("%.1f", row.Stats.MaxRPS)
		}
		t.rows = append(t.rows, []string{
			row.Name, fmt.Sprint(row.Stats.Samples), p95, peak,
			formatCapacity(row.Recommended), formatCapacity(row.Current), row.Change(),
		})
	}
	t.write(&b)
	var flat []string
	for _, row := range r.Rows() {
		if row.Stats.Samples > 0 && row.Recommended.Max == row.Recommended.Min {
			flat = append(flat, row.Name)
		}
	}
	if len(flat) > 0 {
		fmt.Fprintf(&b, "\nNote: %s: max equals min, because the busiest hour needs no more instances than the p95 one;\n"+
			"CPU autoscaling then has no room above the floor there. Raise max by hand if traffic can spike beyond the history.\n",
			strings.Join(flat, ", "))
	}
	_, err = io.WriteString(w, b.String())
	return err
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}

// table is a plain-text table with per-column alignment; tabwriter cannot
// right-align some columns and not others.
type table struct {
	header []string
	right  []bool
	rows   [][]string
}

func (t table) write(w io.Writer) {
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, row := range append([][]string{t.header}, t.rows...) {
		cells := make([]string, len(row))
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-len(cell))
			if t.right[i] {
				cells[i] = pad + cell
			} else {
				cells[i] = cell + pad
			}
		}
		fmt.Fprintln(w, strings.TrimRight(strings.Join(cells, "  "), " "))
	}
}

// seasonKeyOrder is the order of season.Config's fields, used to print a
// pasted block the way the config documents it.
var seasonKeyOrder = []string{"timezone", "peakMonths", "weddingDays", "extraDates", "capacity", "freeze"}

// WriteSeasonBlock prints the stack file's `wedsync:season` key, indented
// as it sits under `config:` in stacks/Pulumi.<stack>.yaml, with capacity
// replaced by capa. written is the stack's current `wedsync:season` value as
// Pulumi hands it to programs (JSON, or "" when the stack has none); every
// other field in it is kept as written, so pasting the block over the old
// one changes nothing but the capacity.
func WriteSeasonBlock(w io.Writer, written string, capa season.Capacities) error {
	fields := map[string]any{}
	if strings.TrimSpace(written) != "" {
		dec := json.NewDecoder(strings.NewReader(written))
		dec.UseNumber()
		if err := dec.Decode(&fields); err != nil {
			return fmt.Errorf("wedsync:season: the stack's value is not an object (%w); cannot merge the capacity into it", err)
		}
	}
	delete(fields, "capacity")

	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	keys = append(keys, "capacity")
	sortKeys(keys, seasonKeyOrder)

	block := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range keys {
		var value *yaml.Node
		if k == "capacity" {
			value = capacityNode(capa)
		} else {
			var err error
			if value, err = toNode(fields[k]); err != nil {
				return fmt.Errorf("wedsync:season.%s: %w", k, err)
			}
		}
		block.Content = append(block.Content, scalar(k), value)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("wedsync:season"), block}}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		out.WriteString("  " + line + "\n")
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// capacityNode is the capacity block in the flow style the config docs use,
// keys in min, max, desired order.
func capacityNode(c season.Capacities) *yaml.Node {
	window := func(c season.Capacity) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, f := range []struct {
			k string
			v int
		}{{"min", c.Min}, {"max", c.Max}, {"desired", c.Desired}} {
			n.Content = append(n.Content, scalar(f.k), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(f.v)})
		}
		return n
	}
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		scalar("offSeason"), window(c.OffSeason),
		scalar("peak"), window(c.Peak),
		scalar("weddingDay"), window(c.WeddingDay),
	}}
}

// fieldOrder puts the fields of nested season objects (weddingDays,
// extraDates, freeze) in the order the config docs write them; other keys
// follow alphabetically.
var fieldOrder = []string{"date", "start", "end", "name", "weddingDays", "dates"}

// toNode renders a value decoded from the stack's JSON as YAML: numbers as
// written (2, not "2"), objects of plain values in flow style like the
// config docs ({start: "Fri 16:00", end: "Sun 02:00"}).
func toNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case json.Number:
		tag := "!!int"
		if _, err := v.Int64(); err != nil {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		flow := true
		for k, e := range v {
			keys = append(keys, k)
			switch e.(type) {
			case map[string]any, []any:
				flow = false
			}
		}
		sortKeys(keys, fieldOrder)
		n := &yaml.Node{Kind: yaml.MappingNode}
		if flow {
			n.Style = yaml.FlowStyle
		}
		for _, k := range keys {
			e, err := toNode(v[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, scalar(k), e)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range v {
			en, err := toNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, en)
		}
		return n, nil
	case string:
		// One quoting style throughout: YAML would single-quote some strings
		// ('Fri 12:00') and double-quote others ("2026-12-31").
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
		// Flow style quotes more than block style: any flow indicator.
		if plain, err := yaml.Marshal(v); err != nil || len(plain) == 0 || plain[0] == '\'' || plain[0] == '"' || strings.ContainsAny(v, ":,[]{}#") {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n, nil
	}
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return n, nil
}

// sortKeys orders keys by their place in order, then alphabetically.
func sortKeys(keys, order []string) {
	rank := func(k string) int {
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order)
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}
