package season

import (
	"strings"
	"testing"
	"time"
)

// simYears is the span every simulator test covers: two calendar years,
// so four clock changes and both season boundaries twice.
func simYears(loc *time.Location) (time.Time, time.Time) {
	return local(loc, 2026, 1, 1, 0, 0), local(loc, 2028, 1, 1, 0, 0)
}

// simZones: the UK default, a zone west of UTC whose spring change skips
// the wedding window's closing time, and one east of UTC with a half-hour
// offset and no clock changes.
var simZones = []string{"Europe/London", "America/New_York", "Asia/Kolkata"}

// offHourConfig has windows that start and end off the hour, and extra
// dates on clock-change days: one across London's skipped hour, one in New
// York's repeated hour.
func offHourConfig(zone string) Config {
	c := defaultConfig(zone)
	c.WeddingDays = WeeklyWindow{Start: "Fri 16:30", End: "Sun 01:45"}
	c.ExtraDates = []ExtraDate{
		{Date: "2026-08-05", Name: "Wedding fair", Start: "09:15", End: "21:45"},
		{Date: "2027-03-28", Name: "Spring fair", Start: "00:30", End: "03:15"},
		{Date: "2026-11-01", Name: "Late party", Start: "01:15", End: "01:45"},
	}
	return c
}

func simConfigs(zone string) map[string]Config {
	winter := richConfig(zone)
	winter.PeakMonths = "November-February"
	return map[string]Config{"defaults": defaultConfig(zone), "extra_dates": richConfig(zone), "winter_peak": winter, "off_hour": offHourConfig(zone)}
}

// TestGCPMinimumIsTheCalendarsEverywhere proves the GCP minimum equals the
// calendar's at every quarter hour of 2026-2027 (every window edge of these
// configs is on one), in three zones, with no exception: no hour short on
// a wedding night after the clocks go back, none long after they go
// forward. The maximum is the autoscaler's fixed one, as GCP documents.
func TestGCPMinimumIsTheCalendarsEverywhere(t *testing.T) {
	for _, zone := range simZones {
		for name, c := range simConfigs(zone) {
			t.Run(zone+"/"+name, func(t *testing.T) {
				loc := mustLoc(t, zone)
				from, to := simYears(loc)
				samples := simulateGCP(t, c, from, to, 15*time.Minute)
				reportMismatches(t, compare(c, samples, minOnly), loc)
				_, maxReplicas := c.GCPAutoscalerLimits()
				for _, s := range samples {
					if s.Capacity.Max != maxReplicas {
						t.Fatalf("max %d at %s, want the fixed %d", s.Capacity.Max, s.Time, maxReplicas)
					}
				}
			})
		}
	}
}

// TestGCPMinimumIsTheCalendarsEveryMinuteAtEdges checks minute by minute
// the weekends with a clock change, a season boundary or an off-hour extra
// date.
func TestGCPMinimumIsTheCalendarsEveryMinuteAtEdges(t *testing.T) {
	for _, zone := range simZones {
		loc := mustLoc(t, zone)
		for _, c := range []Config{richConfig(zone), offHourConfig(zone)} {
			from, to := simYears(loc)
			scheds, err := c.GCPScalingSchedules(from, to)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := c.GCPAutoscalerLimits()
			for _, weekend := range edgeWeekends(loc) {
				t.Run(zone+"/"+weekend.Format("2006-01-02"), func(t *testing.T) {
					samples, err := SimulateGCP(scheds, lo, hi, weekend, weekend.Add(72*time.Hour), time.Minute)
					if err != nil {
						t.Fatal(err)
					}
					reportMismatches(t, compare(c, samples, minOnly), loc)
				})
			}
		}
	}
}

// edgeWeekends are Fridays at noon before the weekends where a window
// edge, a clock change or a season boundary could be off by one.
func edgeWeekends(loc *time.Location) []time.Time {
	return []time.Time{
		local(loc, 2026, 3, 6, 12, 0),   // New York spring forward
		local(loc, 2026, 3, 27, 12, 0),  // London spring forward
		local(loc, 2026, 4, 30, 12, 0),  // season start, Friday 1 May
		local(loc, 2026, 8, 4, 12, 0),   // the wedding fair, a Wednesday
		local(loc, 2026, 10, 23, 12, 0), // London fall back
		local(loc, 2026, 10, 30, 12, 0), // New York fall back, season end on Sunday 1 November
		local(loc, 2026, 12, 31, 12, 0), // New Year's Eve into a Friday
		local(loc, 2027, 3, 26, 12, 0),  // London spring forward with an extra date across it
		local(loc, 2027, 10, 29, 12, 0), // London fall back on a wedding night (issue 18)
	}
}

// TestGCPNoShortfallOnTheWeddingNightOf31October2027 is issue 18's case:
// `capacity --plot` showed GCP holding 8 instances where the calendar
// wants 20 on 2027-10-31 01:00-02:00 GMT, the repeated hour of a wedding
// night, because one weekly schedule lasted 34 hours every week.
func TestGCPNoShortfallOnTheWeddingNightOf31October2027(t *testing.T) {
	c := defaultConfig("Europe/London")
	from, to := c.Horizon(utc(2026, 11, 25, 12, 0))
	samples := simulateGCP(t, c, from, to, time.Minute)
	for _, at := range []time.Time{utc(2027, 10, 31, 0, 59), utc(2027, 10, 31, 1, 0), utc(2027, 10, 31, 1, 59)} {
		if got := sampleAt(t, samples, at); got.Min != c.Capacity.WeddingDay.Min {
			t.Errorf("%s: min %d, want the wedding day's %d", at.Format(time.RFC3339), got.Min, c.Capacity.WeddingDay.Min)
		}
	}
	if got := sampleAt(t, samples, utc(2027, 10, 31, 2, 0)); got.Min != c.Capacity.Peak.Min {
		t.Errorf("02:00 GMT: min %d, want peak's %d", got.Min, c.Capacity.Peak.Min)
	}
	reportMismatches(t, compare(c, samples, minOnly), mustLoc(t, "Europe/London"))
}

// TestGCPExtraDatesFireOnce: an extra date is a one-time schedule (cron
// with the year), so it raises the floor on its date and not a year later.
func TestGCPExtraDatesFireOnce(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	c.ExtraDates = []ExtraDate{{Date: "2026-08-05", Name: "Wedding fair", Start: "09:00", End: "21:00"}}
	from, to := simYears(loc)
	scheds, err := c.GCPScalingSchedules(from, to)
	if err != nil {
		t.Fatal(err)
	}
	var fair GCPScalingSchedule
	for _, s := range scheds {
		if strings.HasPrefix(s.Name, "extra-20260805") {
			fair = s
		}
	}
	if fair.Schedule != "0 8 5 8 * 2026" || fair.TimeZone != "UTC" || fair.DurationSec != 12*3600 {
		t.Fatalf("wedding fair schedule %+v, want 08:00 UTC on 5 August 2026 only, for 12 hours", fair)
	}
	samples := simulateGCP(t, c, from, to, time.Hour)
	if got := sampleAt(t, samples, local(loc, 2026, 8, 5, 12, 0)); got.Min != c.Capacity.WeddingDay.Min {
		t.Errorf("2026-08-05 noon: min %d", got.Min)
	}
	if got := sampleAt(t, samples, local(loc, 2027, 8, 5, 12, 0)); got.Min != c.Capacity.Peak.Min {
		t.Errorf("2027-08-05 noon: min %d, want peak's %d: the extra date fired again a year later", got.Min, c.Capacity.Peak.Min)
	}
	reportMismatches(t, compare(c, samples, minOnly), loc)
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

func sampleAt(t *testing.T, samples []Sample, at time.Time) Capacity {
	t.Helper()
	for _, s := range samples {
		if s.Time.Equal(at) {
			return s.Capacity
		}
	}
	t.Fatalf("no sample at %s", at)
	return Capacity{}
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
			once := strings.Count(s.Schedule, " ") == 5
			if s.DurationSec < GCPMinDurationSec || (once && s.TimeZone != "UTC") || (!once && s.TimeZone != c.Timezone) {
				t.Fatalf("bad schedule %+v", s)
			}
			out[s.Name] = s
		}
		return out
	}
	c := defaultConfig("Europe/London")
	got := byName(t, c)
	t.Run("wedding_day_recurs_in_the_months_without_a_clock_change", func(t *testing.T) {
		s := got["wedding-day"]
		if s.Schedule != "0 16 * 1-2,4-9,11-12 5" || s.DurationSec != 34*3600 || s.MinRequiredReplicas != c.Capacity.WeddingDay.Min {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("clock_change_months_have_a_schedule_per_weekend_of_its_own_length", func(t *testing.T) {
		for name, want := range map[string]GCPScalingSchedule{
			"wedding-day-20270326": {Schedule: "0 16 26 3 * 2027", DurationSec: 33 * 3600},  // Fri 16:00 GMT to Sun 02:00 BST
			"wedding-day-20271029": {Schedule: "0 15 29 10 * 2027", DurationSec: 35 * 3600}, // Fri 16:00 BST to Sun 02:00 GMT
			"wedding-day-20271022": {Schedule: "0 15 22 10 * 2027", DurationSec: 34 * 3600},
		} {
			if s := got[name]; s.Schedule != want.Schedule || s.DurationSec != want.DurationSec || s.TimeZone != "UTC" {
				t.Errorf("%s = %+v, want %s for %ds", name, s, want.Schedule, want.DurationSec)
			}
		}
		n := 0
		for name := range got {
			if strings.HasPrefix(name, "wedding-day-") {
				n++
			}
		}
		if n != 18 {
			t.Errorf("%d one-time wedding schedules, want the 18 Fridays of March and October 2026-2027", n)
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
	})
}

func TestGCPScalingSchedulesOtherCalendars(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	from, to := simYears(loc)
	c := defaultConfig("Europe/London")
	byName := func(t *testing.T, c Config) map[string]GCPScalingSchedule {
		t.Helper()
		scheds, err := c.GCPScalingSchedules(from, to)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]GCPScalingSchedule{}
		for _, s := range scheds {
			out[s.Name] = s
		}
		return out
	}
	t.Run("new_york_spring_change_is_at_the_windows_end_so_only_autumn_months_are_split", func(t *testing.T) {
		ny := byName(t, defaultConfig("America/New_York"))
		if s := ny["wedding-day"]; s.Schedule != "0 16 * 1-9,12 5" {
			t.Fatalf("got %+v", s)
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
		from, to := local(loc, 2028, 1, 1, 0, 0), local(loc, 2029, 1, 1, 0, 0)
		samples := simulateGCP(t, w, from, to, time.Hour)
		reportMismatches(t, compare(w, samples, minOnly), loc)
	})
	t.Run("too_short_a_window_is_refused", func(t *testing.T) {
		s := c
		s.WeddingDays = WeeklyWindow{Start: "Sat 12:00", End: "Sat 12:04"}
		if _, err := s.GCPScalingSchedules(from, to); err == nil {
			t.Fatal("want a durationSec error")
		}
	})
}
