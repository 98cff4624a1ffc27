package season

import (
	"testing"
	"time"
)

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
	t.Run("recurring_actions_start_at_their_first_firing_and_stay_inside_their_season", func(t *testing.T) {
		// AWS runs an action at its StartTime, so the close starts at the
		// season's first Sunday 02:00 BST and ends a minute after its last
		// (25 October, 02:00 GMT); 1 November's close is the next season's.
		a := byName["wedding-close-20260501T0000"]
		if !a.StartTime.Equal(utc(2026, 5, 3, 1, 0)) || !a.EndTime.Equal(utc(2026, 10, 25, 2, 1)) {
			t.Fatalf("bounds %s .. %s", a.StartTime, a.EndTime)
		}
		o := byName["wedding-open-20260501T0000"]
		if !o.StartTime.Equal(utc(2026, 5, 1, 15, 0)) || !o.EndTime.Equal(utc(2026, 10, 30, 16, 1)) {
			t.Fatalf("open bounds %s .. %s", o.StartTime, o.EndTime)
		}
	})
	t.Run("no_two_actions_start_at_the_same_time", func(t *testing.T) {
		seen := map[time.Time]string{}
		for _, a := range actions {
			if other, dup := seen[*a.StartTime]; dup {
				t.Fatalf("%s and %s both start at %s", other, a.Name, a.StartTime)
			}
			seen[*a.StartTime] = a.Name
		}
	})
}

func TestAWSScheduledActionsKeepSeasonsAndTimes(t *testing.T) {
	c := defaultConfig("Europe/London")
	k := c.Capacity
	from, to := simYears(mustLoc(t, "Europe/London"))
	actions, err := c.AWSScheduledActions(from, to)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]AWSScheduledAction{}
	for _, a := range actions {
		byName[a.Name] = a
	}
	capOf := func(a AWSScheduledAction) Capacity {
		return Capacity{Min: a.MinSize, Max: a.MaxSize, Desired: a.DesiredCapacity}
	}
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

	t.Run("invalid_config_is_refused", func(t *testing.T) {
		bad := c
		bad.Capacity.Peak.Min = 1
		if _, err := bad.AWSScheduledActions(from, to); err == nil {
			t.Fatal("want a validation error")
		}
	})
}

// TestAWSPeakSeasonStartsOnAWeddingSaturday is issue 18's case: prod's
// calendar planned in November 2026 starts peak season at midnight on
// Saturday 1 May 2027, inside a wedding window. wedding-open (min 20) and
// wedding-close (min 8) both had that period's StartTime, 00:00:01, and AWS
// runs an action at its StartTime, so both ran in the same second in an
// order AWS does not promise, and the group could spend the wedding
// Saturday at weekday capacity.
func TestAWSPeakSeasonStartsOnAWeddingSaturday(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	now := utc(2026, 11, 25, 12, 0)
	from, to := c.Horizon(now)
	all, err := c.AWSScheduledActions(from, to)
	if err != nil {
		t.Fatal(err)
	}
	actions := AWSActionsAt(all, now)
	samples, err := simulateAWS(actions, c.CapacityAt(now), now, now, to, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	saturday := local(loc, 2027, 5, 1, 0, 0)
	for _, s := range samples {
		if !s.Time.Before(saturday) && s.Time.Before(saturday.Add(26*time.Hour)) && s.Capacity != c.Capacity.WeddingDay {
			t.Fatalf("%s: %+v, want wedding-day capacity %+v", s.Time.In(loc), s.Capacity, c.Capacity.WeddingDay)
		}
	}
	reportMismatches(t, compare(c, samples, allFields), loc)
}
