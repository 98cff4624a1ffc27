package season

import (
	"slices"
	"testing"
	"time"
)

// TestGCPSimulationMatchesCalendarEveryHour proves the GCP minimum equals
// the calendar at every hour of 2026-2027 except the documented DST hours:
// in London the spring-forward hour (floor one hour late to drop) and the
// repeated autumn hour (floor one hour early to drop); in New York only the
// repeated autumn hour, since its spring change lands on the window's end.
func TestGCPSimulationMatchesCalendarEveryHour(t *testing.T) {
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	want := map[string][]time.Time{
		"Europe/London":    {utc(2026, 3, 29, 1), utc(2026, 10, 25, 1), utc(2027, 3, 28, 1), utc(2027, 10, 31, 1)},
		"America/New_York": {utc(2026, 11, 1, 6), utc(2027, 11, 7, 6)},
	}
	for _, zone := range simZones {
		t.Run(zone, func(t *testing.T) {
			loc := mustLoc(t, zone)
			c := defaultConfig(zone)
			from, to := simYears(loc)
			samples := simulateGCP(t, c, from, to, time.Hour)
			var got []time.Time
			for _, m := range compare(c, samples, minOnly) {
				got = append(got, m.at.UTC())
			}
			if !slices.EqualFunc(got, want[zone], time.Time.Equal) {
				t.Fatalf("hours where GCP's minimum differs from the calendar:\n got  %v\n want %v", got, want[zone])
			}
			_, maxReplicas := c.GCPAutoscalerLimits()
			for _, s := range samples {
				if s.Capacity.Max != maxReplicas {
					t.Fatalf("max %d at %s, want the fixed %d", s.Capacity.Max, s.Time, maxReplicas)
				}
			}
		})
	}
}

// TestGCPExtraDatesRepeatYearly documents the other GCP limit: cron has no
// year, so an extra date also fires on the same date a year later (over-
// provisioning, never under) until the stack is re-applied after it.
func TestGCPExtraDatesRepeatYearly(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	c.ExtraDates = []ExtraDate{{Date: "2026-08-05", Name: "Wedding fair", Start: "09:00", End: "21:00"}}
	from := local(loc, 2026, 1, 1, 0, 0)
	samples := simulateGCP(t, c, from, local(loc, 2028, 1, 1, 0, 0), time.Hour)
	var extra []time.Time
	for _, m := range compare(c, samples, minOnly) {
		if clockChangeHour(m.at, loc) {
			continue // pinned by TestGCPSimulationMatchesCalendarEveryHour
		}
		if m.got.Min < m.want.Min {
			t.Errorf("under-provisioned at %s: %+v < %+v", m.at, m.got, m.want)
		}
		extra = append(extra, m.at.In(loc))
	}
	if len(extra) != 12 || !extra[0].Equal(local(loc, 2027, 8, 5, 9, 0)) {
		t.Fatalf("want exactly 09:00-21:00 on 2027-08-05 repeated, got %v", extra)
	}
	t.Run("past_dates_are_dropped_on_reapply", func(t *testing.T) {
		later := local(loc, 2026, 9, 1, 0, 0)
		samples := simulateGCP(t, c, later, later.AddDate(1, 0, 0), time.Hour)
		for _, m := range compare(c, samples, minOnly) {
			if !clockChangeHour(m.at, loc) {
				t.Fatalf("mismatch at %s", m.at.In(loc))
			}
		}
	})
}

// clockChangeHour reports whether t is in the hour after a clock change.
func clockChangeHour(t time.Time, loc *time.Location) bool {
	_, now := t.In(loc).Zone()
	_, before := t.Add(-time.Hour).In(loc).Zone()
	return now != before
}

func simulateGCP(t *testing.T, c Config, from, to time.Time, step time.Duration) []Sample {
	t.Helper()
	scheds, err := c.GCPScalingSchedules(from, to)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := c.GCPAutoscalerLimits()
	samples, err := SimulateGCP(scheds, lo, hi, from, to, step)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

func TestGCPScalingSchedules(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	from, to := simYears(loc)
	byName := func(t *testing.T, c Config) map[string]GCPScalingSchedule {
		t.Helper()
		scheds, err := c.GCPScalingSchedules(from, to)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]GCPScalingSchedule{}
		for _, s := range scheds {
			if s.DurationSec < GCPMinDurationSec || s.TimeZone != c.Timezone {
				t.Fatalf("bad schedule %+v", s)
			}
			out[s.Name] = s
		}
		return out
	}
	c := defaultConfig("Europe/London")
	got := byName(t, c)
	t.Run("saturday_in_june_raises_min_to_wedding_day", func(t *testing.T) {
		s := got["wedding-day"]
		if s.Schedule != "0 16 * * 5" || s.DurationSec != 34*3600 || s.MinRequiredReplicas != c.Capacity.WeddingDay.Min {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("peak_month_lasts_the_month", func(t *testing.T) {
		s := got["peak-jun"]
		if s.Schedule != "0 0 1 6 *" || s.DurationSec != 30*86400 || s.MinRequiredReplicas != c.Capacity.Peak.Min {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("october_includes_the_repeated_hour", func(t *testing.T) {
		if s := got["peak-oct"]; s.DurationSec != 31*86400+3600 {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("off_season_is_the_autoscaler_minimum", func(t *testing.T) {
		lo, hi := c.GCPAutoscalerLimits()
		if lo != c.Capacity.OffSeason.Min || hi != c.Capacity.WeddingDay.Max {
			t.Fatalf("limits %d..%d", lo, hi)
		}
		if len(got) != 7 {
			t.Fatalf("%d schedules, want 6 months and the wedding window", len(got))
		}
	})
	t.Run("winter_peak_covers_leap_day", func(t *testing.T) {
		w := c
		w.PeakMonths = "November-February"
		got := byName(t, w)
		if s := got["peak-feb"]; s.DurationSec != 28*86400 {
			t.Fatalf("feb %+v", s)
		}
		if s := got["peak-feb-leap-day"]; s.Schedule != "0 0 29 2 *" || s.DurationSec != 86400 {
			t.Fatalf("leap day %+v", s)
		}
		samples := simulateGCP(t, w, local(loc, 2028, 1, 1, 0, 0), local(loc, 2029, 1, 1, 0, 0), time.Hour)
		for _, m := range compare(w, samples, minOnly) {
			if !clockChangeHour(m.at, loc) {
				t.Errorf("leap year 2028 mismatch at %s: %+v vs %+v", m.at.In(loc), m.got, m.want)
			}
		}
	})
	t.Run("too_short_a_window_is_refused", func(t *testing.T) {
		s := c
		s.WeddingDays = WeeklyWindow{Start: "Sat 12:00", End: "Sat 12:04"}
		if _, err := s.GCPScalingSchedules(from, to); err == nil {
			t.Fatal("want a durationSec error")
		}
	})
}
