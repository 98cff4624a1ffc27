package capacity

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/season"
)

// Chart is a year of the season calendar, hour by hour, ready to draw: the
// calendar's own minimum and maximum, each cloud's minimum as that cloud's
// simulator evaluates the generated schedules, and optionally historical
// traffic converted to instances. It holds the data, not pixels, so tests
// can check what is drawn.
type Chart struct {
	Stack      string
	Timezone   string
	PeakMonths string
	// WeddingDays is the calendar's weekly window, for the caption.
	WeddingDays season.WeeklyWindow
	Year        int
	// Start and End bound the local year [Jan 1 00:00, next Jan 1 00:00).
	Start, End time.Time
	// Hours is every hour from Start to End (8,760, or 8,784 in a leap
	// year); every series has one value per hour.
	Hours []time.Time
	// Peak is the peak-season stretches, for shading.
	Peak []Span
	// Min and Max are the calendar's (season.Config.CapacityAt).
	Min, Max Series
	// Clouds is each cloud's simulated minimum, for the clouds whose
	// schedules could be generated (see Notes for the others).
	Clouds []CloudSeries
	// Traffic is the history in instances (rps / per-instance rps), NaN in
	// hours without samples; nil without history.
	Traffic *Series
	// TrafficShift is how far the history was moved to land in Year (whole
	// weeks, so Saturdays stay Saturdays); 0 if it was already there.
	TrafficShift time.Duration
	// Notes are what the reader should be told beside the picture.
	Notes []string
}

// Span is a half-open interval of time.
type Span struct{ Start, End time.Time }

// Series is one value per Chart.Hours entry.
type Series struct {
	Name   string
	Values []float64
}

// CloudSeries is a cloud's simulated minimum and where it differs from the
// calendar's.
type CloudSeries struct {
	Series
	Cloud string
	// Differs lists the stretches of hours whose minimum is not the
	// calendar's.
	Differs []Span
}

// DifferentHours counts the hours in Differs.
func (c CloudSeries) DifferentHours() int {
	n := 0
	for _, s := range c.Differs {
		n += int(s.End.Sub(s.Start) / time.Hour)
	}
	return n
}

// NewChart evaluates cfg (a stack's calendar, defaults applied) over the
// local year. history may be nil; when its samples fall mostly in another
// year they are moved by whole weeks into this one. A cloud whose schedules
// cannot be generated (a zone Azure cannot name, a quota) is left out with a
// note rather than failing the picture.
func NewChart(stack string, cfg season.Config, year int, history []season.TrafficSample, perInstanceRPS float64) (*Chart, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if year < 1971 || year > 9998 {
		return nil, fmt.Errorf("year %d is out of range; use a year like 2027", year)
	}
	if history != nil && !(perInstanceRPS > 0 && !math.IsInf(perInstanceRPS, 0)) {
		return nil, fmt.Errorf("per-instance rps %v must be a positive number", perInstanceRPS)
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, err
	}
	c := &Chart{
		Stack: stack, Timezone: cfg.Timezone, PeakMonths: cfg.PeakMonths, WeddingDays: cfg.WeddingDays, Year: year,
		Start: time.Date(year, time.January, 1, 0, 0, 0, 0, loc),
		End:   time.Date(year+1, time.January, 1, 0, 0, 0, 0, loc),
	}
	for t := c.Start; t.Before(c.End); t = t.Add(time.Hour) {
		c.Hours = append(c.Hours, t)
	}
	c.Min = Series{Name: "calendar minimum", Values: make([]float64, len(c.Hours))}
	c.Max = Series{Name: "calendar maximum", Values: make([]float64, len(c.Hours))}
	peakMonth := map[time.Month]bool{}
	for i, t := range c.Hours {
		st := cfg.StateAt(t)
		c.Min.Values[i] = float64(st.Capacity.Min)
		c.Max.Values[i] = float64(st.Capacity.Max)
		if st.Window == season.WindowPeak {
			peakMonth[t.Month()] = true
		}
	}
	// Whole months, so wedding-day hours inside peak season do not punch
	// holes in the shading.
	for m := time.January; m <= time.December; m++ {
		if !peakMonth[m] {
			continue
		}
		s := Span{time.Date(year, m, 1, 0, 0, 0, 0, loc), time.Date(year, m+1, 1, 0, 0, 0, 0, loc)}
		if n := len(c.Peak); n > 0 && c.Peak[n-1].End.Equal(s.Start) {
			c.Peak[n-1].End = s.End
			continue
		}
		c.Peak = append(c.Peak, s)
	}

	for _, cloud := range []struct {
		name     string
		simulate func(season.Config, time.Time, time.Time) ([]season.Sample, error)
	}{
		{"AWS", simulateAWS},
		{"GCP", simulateGCP},
		{"Azure", simulateAzure},
	} {
		samples, err := cloud.simulate(cfg, c.Start, c.End)
		if err != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("%s is not drawn: %v", cloud.name, err))
			continue
		}
		cs, err := c.cloudSeries(cloud.name, samples)
		if err != nil {
			return nil, err
		}
		c.Clouds = append(c.Clouds, cs)
		c.Notes = append(c.Notes, c.describe(cs))
	}

	if history != nil {
		c.addTraffic(history, perInstanceRPS, loc)
	}
	return c, nil
}

// Simulate is the capacity cloud ("AWS", "GCP" or "Azure") gives each hour
// of [from, to) when the stack's calendar cfg (defaults applied) is turned
// into that cloud's schedules and evaluated by its simulator: what the
// chart draws, for other users of the same hours (the cost estimate).
func Simulate(cloud string, cfg season.Config, from, to time.Time) ([]season.Sample, error) {
	switch cloud {
	case "AWS":
		return simulateAWS(cfg, from, to)
	case "GCP":
		return simulateGCP(cfg, from, to)
	case "Azure":
		return simulateAzure(cfg, from, to)
	}
	return nil, fmt.Errorf("cloud %q: want AWS, GCP or Azure", cloud)
}

func simulateAWS(cfg season.Config, from, to time.Time) ([]season.Sample, error) {
	actions, err := cfg.AWSScheduledActions(from, to)
	if err != nil {
		return nil, err
	}
	return season.SimulateAWS(actions, cfg.CapacityAt(from), from, to, time.Hour)
}

func simulateGCP(cfg season.Config, from, to time.Time) ([]season.Sample, error) {
	schedules, err := cfg.GCPScalingSchedules(from, to)
	if err != nil {
		return nil, err
	}
	lo, hi := cfg.GCPAutoscalerLimits()
	return season.SimulateGCP(schedules, lo, hi, from, to, time.Hour)
}

// simulateAzure re-plans at each AzurePlan.ValidUntil, as re-applying the
// stack does: one profile set cannot hold a whole year (20 profiles), and
// past ValidUntil it follows the wrong season's weekly pattern.
func simulateAzure(cfg season.Config, from, to time.Time) ([]season.Sample, error) {
	var out []season.Sample
	for at := from; at.Before(to); {
		plan, err := cfg.AzureProfiles(at, to)
		if err != nil {
			return nil, err
		}
		if !plan.ValidUntil.After(at) {
			return nil, fmt.Errorf("the profiles planned at %s are valid for no time at all", at.Format(time.RFC3339))
		}
		// Sample on the chart's hourly grid, whatever instant the plan ends.
		first := from.Add((at.Sub(from) + time.Hour - 1) / time.Hour * time.Hour)
		if first.Before(plan.ValidUntil) {
			samples, err := season.SimulateAzure(plan.Profiles, first, plan.ValidUntil, time.Hour)
			if err != nil {
				return nil, err
			}
			out = append(out, samples...)
		}
		at = plan.ValidUntil
	}
	return out, nil
}

func (c *Chart) cloudSeries(cloud string, samples []season.Sample) (CloudSeries, error) {
	if len(samples) != len(c.Hours) {
		return CloudSeries{}, fmt.Errorf("%s simulation gave %d samples for %d hours", cloud, len(samples), len(c.Hours))
	}
	cs := CloudSeries{Series: Series{Name: cloud + " minimum (simulated)", Values: make([]float64, len(samples))}, Cloud: cloud}
	for i, s := range samples {
		if !s.Time.Equal(c.Hours[i]) {
			return CloudSeries{}, fmt.Errorf("%s simulation sample %d is at %s, want %s", cloud, i, s.Time, c.Hours[i])
		}
		cs.Values[i] = float64(s.Capacity.Min)
		if cs.Values[i] == c.Min.Values[i] {
			continue
		}
		end := s.Time.Add(time.Hour)
		if n := len(cs.Differs); n > 0 && cs.Differs[n-1].End.Equal(s.Time) {
			cs.Differs[n-1].End = end
			continue
		}
		cs.Differs = append(cs.Differs, Span{s.Time, end})
	}
	return cs, nil
}

// describe says in one line whether a cloud follows the calendar, and
// where not.
func (c *Chart) describe(cs CloudSeries) string {
	if len(cs.Differs) == 0 {
		return fmt.Sprintf("%s minimum equals the calendar's in all %d hours", cs.Cloud, len(c.Hours))
	}
	const shown = 4
	var parts []string
	for i, d := range cs.Differs {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs.Differs)-shown))
			break
		}
		at := c.index(d.Start)
		parts = append(parts, fmt.Sprintf("%s for %d h (calendar %g, %s %g)",
			d.Start.Format("Mon 2006-01-02 15:04 MST"), d.End.Sub(d.Start)/time.Hour, c.Min.Values[at], cs.Cloud, cs.Values[at]))
	}
	return fmt.Sprintf("%s minimum differs from the calendar's in %d of %d hours: %s",
		cs.Cloud, cs.DifferentHours(), len(c.Hours), strings.Join(parts, "; "))
}

// index is the position of the hour containing t in Hours.
func (c *Chart) index(t time.Time) int { return int(t.Sub(c.Start) / time.Hour) }

// addTraffic puts the busiest sample of each hour, in instances, on the
// chart, after moving the history by whole weeks into Year if its median
// sample is in another year.
func (c *Chart) addTraffic(history []season.TrafficSample, perInstanceRPS float64, loc *time.Location) {
	from := HistoryYear(history, loc)
	shiftDays := 0
	if from != c.Year {
		days := time.Date(c.Year, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24
		shiftDays = int(math.Round(days/7)) * 7
	}
	tr := &Series{Name: fmt.Sprintf("traffic %d / %s rps per instance", from, trimFloat(perInstanceRPS)), Values: make([]float64, len(c.Hours))}
	for i := range tr.Values {
		tr.Values[i] = math.NaN()
	}
	drawn := 0
	for _, s := range history {
		// AddDate on the local time keeps the wall clock across clock
		// changes: Saturday 20:00 stays Saturday 20:00.
		t := s.Time.In(loc).AddDate(0, 0, shiftDays)
		if t.Before(c.Start) || !t.Before(c.End) {
			continue
		}
		i := c.index(t)
		v := s.RPS / perInstanceRPS
		if math.IsNaN(tr.Values[i]) || v > tr.Values[i] {
			tr.Values[i] = v
		}
		drawn++
	}
	c.Traffic = tr
	if shiftDays != 0 {
		c.TrafficShift = time.Duration(shiftDays) * 24 * time.Hour
		weeks, way := shiftDays/7, "later"
		if weeks < 0 {
			weeks, way = -weeks, "earlier"
		}
		tr.Name += fmt.Sprintf(", moved %d weeks %s", weeks, way)
		c.Notes = append(c.Notes, fmt.Sprintf("the history is mostly from %d: it is drawn %d weeks %s, so its Saturdays fall on %d's Saturdays", from, weeks, way, c.Year))
	}
	if drawn < len(history) {
		c.Notes = append(c.Notes, fmt.Sprintf("%d of %d history samples fall outside %d and are not drawn", len(history)-drawn, len(history), c.Year))
	}
}

// HistoryYear is the local year of the history's median sample: the year
// it is about, even when it starts a little before New Year.
func HistoryYear(history []season.TrafficSample, loc *time.Location) int {
	if len(history) == 0 {
		return 0
	}
	times := make([]time.Time, len(history))
	for i, s := range history {
		times[i] = s.Time
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	return times[len(times)/2].In(loc).Year()
}
