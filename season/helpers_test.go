package season

import (
	"testing"
	"time"
)

// mustLoc loads a zone or fails the test.
func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// local is a wall-clock instant in loc, for readable test tables.
func local(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// defaultConfig is the config a stack gets when it writes nothing, in zone.
func defaultConfig(zone string) Config {
	c := Config{Timezone: zone}
	c.ApplyDefaults()
	return c
}

// richConfig adds extra dates and dated freezes that exercise the edge
// cases: an extra date inside a wedding weekend, one crossing midnight into
// the new year, and one in peak season on a weekday.
func richConfig(zone string) Config {
	c := defaultConfig(zone)
	c.ExtraDates = []ExtraDate{
		{Date: "2026-02-14", Name: "Valentine's Day"},                                    // Saturday: overlaps the wedding window
		{Date: "2026-08-05", Name: "Wedding fair", Start: "09:00", End: "21:00"},         // weekday in peak
		{Date: "2026-12-31", Name: "New Year's Eve", Start: "18:00", End: "03:00"},       // crosses midnight and the year
		{Date: "2027-05-01", Name: "Bank holiday weekend", Start: "00:00", End: "00:00"}, // Saturday on a season boundary
	}
	c.Freeze.Dates = []FreezeDate{{Start: "2026-12-24", End: "2026-12-27", Name: "Christmas"}}
	return c
}

// mismatch is one hour at which a simulated cloud disagrees with the calendar.
type mismatch struct {
	at        time.Time
	got, want Capacity
}

// compare checks samples against CapacityAt (the calendar compiled once,
// so minute-by-minute comparisons stay fast); fields chooses what to
// compare.
func compare(c Config, samples []Sample, fields func(Capacity) Capacity) []mismatch {
	var out []mismatch
	cal := c.calendar()
	for _, s := range samples {
		want := fields(cal.state(s.Time).Capacity)
		if got := fields(s.Capacity); got != want {
			out = append(out, mismatch{s.Time, got, want})
		}
	}
	return out
}

func allFields(c Capacity) Capacity { return c }

func minOnly(c Capacity) Capacity { return Capacity{Min: c.Min} }

func reportMismatches(t *testing.T, ms []mismatch, loc *time.Location) {
	t.Helper()
	for i, m := range ms {
		if i == 10 {
			t.Errorf("... and %d more", len(ms)-10)
			return
		}
		t.Errorf("%s (%s): simulated %+v, calendar %+v", m.at.In(loc).Format("Mon 2006-01-02 15:04 MST"), m.at.UTC().Format(time.RFC3339), m.got, m.want)
	}
}

// utc is a UTC instant, for hand-written expectations.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// transition is the minimum changing at an instant.
type transition struct {
	at  time.Time
	min int
}

// transitions lists where the minimum changes between consecutive samples.
func transitions(samples []Sample) []transition {
	var out []transition
	for i := 1; i < len(samples); i++ {
		if samples[i].Capacity.Min != samples[i-1].Capacity.Min {
			out = append(out, transition{samples[i].Time.UTC(), samples[i].Capacity.Min})
		}
	}
	return out
}
