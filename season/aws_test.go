package season

import (
	"testing"
	"time"
)

// simYears is the span every simulator test covers: two calendar years,
// so four clock changes and both season boundaries twice.
func simYears(loc *time.Location) (time.Time, time.Time) {
	return local(loc, 2026, 1, 1, 0, 0), local(loc, 2028, 1, 1, 0, 0)
}

var simZones = []string{"Europe/London", "America/New_York"}

func simConfigs(zone string) map[string]Config {
	winter := richConfig(zone)
	winter.PeakMonths = "November-February"
	return map[string]Config{"defaults": defaultConfig(zone), "extra_dates": richConfig(zone), "winter_peak": winter}
}

func TestAWSSimulationMatchesCalendarEveryHour(t *testing.T) {
	for _, zone := range simZones {
		for name, c := range simConfigs(zone) {
			t.Run(zone+"/"+name, func(t *testing.T) {
				loc := mustLoc(t, zone)
				from, to := simYears(loc)
				actions, err := c.AWSScheduledActions(from, to)
				if err != nil {
					t.Fatal(err)
				}
				samples, err := SimulateAWS(actions, Capacity{}, from, to, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if len(samples) < 17000 {
					t.Fatalf("only %d samples", len(samples))
				}
				reportMismatches(t, compare(c, samples, allFields), loc)
			})
		}
	}
}

// TestAWSSimulationMatchesCalendarEveryMinuteAtEdges checks, minute by
// minute, the weekends where a window edge, a clock change or a season
// boundary could be off by one.
func TestAWSSimulationMatchesCalendarEveryMinuteAtEdges(t *testing.T) {
	for _, zone := range simZones {
		loc := mustLoc(t, zone)
		c := richConfig(zone)
		from, to := simYears(loc)
		actions, err := c.AWSScheduledActions(from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, weekend := range []time.Time{
			local(loc, 2026, 3, 6, 12, 0),   // New York spring forward
			local(loc, 2026, 3, 27, 12, 0),  // London spring forward
			local(loc, 2026, 4, 30, 12, 0),  // season start, Friday 1 May
			local(loc, 2026, 6, 12, 12, 0),  // ordinary June weekend
			local(loc, 2026, 10, 23, 12, 0), // London fall back
			local(loc, 2026, 10, 30, 12, 0), // New York fall back, season end on Sunday 1 November
			local(loc, 2026, 12, 31, 12, 0), // New Year's Eve into a Friday
		} {
			t.Run(zone+"/"+weekend.Format("2006-01-02"), func(t *testing.T) {
				samples, err := SimulateAWS(actions, Capacity{}, weekend, weekend.Add(72*time.Hour), time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				reportMismatches(t, compare(c, samples, allFields), loc)
			})
		}
	}
}

func TestAWSScheduledActions(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	k := c.Capacity
	from, to := simYears(loc)
	actions, err := c.AWSScheduledActions(from, to)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]AWSScheduledAction{}
	for _, a := range actions {
		if _, dup := byName[a.Name]; dup {
			t.Fatalf("duplicate action name %q", a.Name)
		}
		byName[a.Name] = a
	}
	capOf := func(a AWSScheduledAction) Capacity {
		return Capacity{Min: a.MinSize, Max: a.MaxSize, Desired: a.DesiredCapacity}
	}
	t.Run("peak_season_starts_with_a_one_time_action_on_1_may", func(t *testing.T) {
		a, ok := byName["season-20260501T0000"]
		if !ok || a.Recurrence != "" || !a.StartTime.Equal(time.Date(2026, 4, 30, 23, 0, 0, 0, time.UTC)) || capOf(a) != maxCap(k.OffSeason, k.Peak) {
			t.Fatalf("got %+v", a)
		}
	})
	t.Run("saturday_in_june_raises_min_to_wedding_day", func(t *testing.T) {
		a := byName["wedding-open-20260501T0000"]
		if a.Recurrence != "0 16 * * 5" || a.TimeZone != "Europe/London" || capOf(a) != k.WeddingDay {
			t.Fatalf("got %+v", a)
		}
	})
	t.Run("wedding_close_restores_peak_in_peak_season", func(t *testing.T) {
		a := byName["wedding-close-20260501T0000"]
		if a.Recurrence != "0 2 * * 0" || capOf(a) != maxCap(k.OffSeason, k.Peak) {
			t.Fatalf("got %+v", a)
		}
	})
	t.Run("recurring_actions_stay_inside_their_season", func(t *testing.T) {
		a := byName["wedding-close-20260501T0000"]
		if !a.StartTime.Equal(time.Date(2026, 4, 30, 23, 0, 1, 0, time.UTC)) || !a.EndTime.Equal(time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC)) {
			t.Fatalf("bounds %s .. %s", a.StartTime, a.EndTime)
		}
	})
	t.Run("season_end_on_a_wedding_sunday_keeps_wedding_capacity", func(t *testing.T) {
		// 1 November 2026 is a Sunday: the window is open until 02:00.
		a := byName["season-20261101T0000"]
		if capOf(a) != maxCap(k.OffSeason, k.WeddingDay) {
			t.Fatalf("got %+v", a)
		}
	})
	t.Run("times_are_utc", func(t *testing.T) {
		for _, a := range actions {
			if a.StartTime.Location() != time.UTC || (a.EndTime != nil && a.EndTime.Location() != time.UTC) {
				t.Fatalf("%s: %s", a.Name, a.StartTime)
			}
		}
	})
	t.Run("too_long_a_horizon_exceeds_the_quota", func(t *testing.T) {
		if _, err := c.AWSScheduledActions(from, from.AddDate(30, 0, 0)); err == nil {
			t.Fatal("want a quota error")
		}
	})
	t.Run("invalid_config_is_refused", func(t *testing.T) {
		bad := c
		bad.Capacity.Peak.Min = 1
		if _, err := bad.AWSScheduledActions(from, to); err == nil {
			t.Fatal("want a validation error")
		}
	})
}
