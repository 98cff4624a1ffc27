package season

import (
	"strings"
	"testing"
	"time"
)

// TestAzureSimulationMatchesCalendarUntilValidUntil proves one generated
// plan is exact, min, max and default, at every hour until ValidUntil.
func TestAzureSimulationMatchesCalendarUntilValidUntil(t *testing.T) {
	for _, zone := range simZones {
		for name, c := range simConfigs(zone) {
			t.Run(zone+"/"+name, func(t *testing.T) {
				loc := mustLoc(t, zone)
				from, to := simYears(loc)
				plan, err := c.AzureProfiles(from, to)
				if err != nil {
					t.Fatal(err)
				}
				if len(plan.Profiles) > AzureMaxProfiles {
					t.Fatalf("%d profiles", len(plan.Profiles))
				}
				// The rest of the off season plus about 17 weeks of peak.
				if plan.ValidUntil.Before(local(loc, 2026, 7, 1, 0, 0)) {
					t.Fatalf("valid only until %s", plan.ValidUntil)
				}
				samples, err := SimulateAzure(plan.Profiles, from, plan.ValidUntil, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				reportMismatches(t, compare(c, samples, allFields), loc)

				t.Run("after_valid_until_it_drifts", func(t *testing.T) {
					// Past ValidUntil the plan is wrong, or (New York's
					// spring-forward Sunday, no longer masked) depends
					// on what Azure does at a skipped time.
					samples, err := SimulateAzure(plan.Profiles, plan.ValidUntil, to, time.Hour)
					if err == nil && len(compare(c, samples, allFields)) == 0 {
						t.Fatal("ValidUntil is pessimistic: the plan is exact past it")
					}
				})
			})
		}
	}
}

// TestAzureMonthlyReapplyTracksCalendarForTwoYears simulates the operating
// model: the stack is re-applied on the first of every month, and the
// profiles in force always match the calendar.
func TestAzureMonthlyReapplyTracksCalendarForTwoYears(t *testing.T) {
	for _, zone := range simZones {
		t.Run(zone, func(t *testing.T) {
			loc := mustLoc(t, zone)
			c := richConfig(zone)
			from, to := simYears(loc)
			for start := from; start.Before(to); {
				next := wallClock(start.Year(), start.Month()+1, 1, 0, loc)
				plan, err := c.AzureProfiles(start, to)
				if err != nil {
					t.Fatal(err)
				}
				if plan.ValidUntil.Before(next) {
					t.Fatalf("plan made %s is valid only until %s", start, plan.ValidUntil)
				}
				samples, err := SimulateAzure(plan.Profiles, start, next, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				reportMismatches(t, compare(c, samples, allFields), loc)
				start = next
			}
		})
	}
}

func TestAzureSimulationMatchesCalendarEveryMinuteAtEdges(t *testing.T) {
	for _, zone := range simZones {
		loc := mustLoc(t, zone)
		c := richConfig(zone)
		for _, weekend := range []time.Time{
			local(loc, 2026, 3, 6, 12, 0), local(loc, 2026, 3, 27, 12, 0), local(loc, 2026, 4, 30, 12, 0),
			local(loc, 2026, 10, 23, 12, 0), local(loc, 2026, 10, 30, 12, 0), local(loc, 2026, 12, 31, 12, 0),
		} {
			t.Run(zone+"/"+weekend.Format("2006-01-02"), func(t *testing.T) {
				from := weekend.Add(-14 * 24 * time.Hour)
				plan, err := c.AzureProfiles(from, from.AddDate(1, 0, 0))
				if err != nil {
					t.Fatal(err)
				}
				samples, err := SimulateAzure(plan.Profiles, weekend, weekend.Add(72*time.Hour), time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				reportMismatches(t, compare(c, samples, allFields), loc)
			})
		}
	}
}

func TestAzureProfiles(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	k := c.Capacity
	plan, err := c.AzureProfiles(local(loc, 2026, 1, 1, 0, 0), local(loc, 2027, 1, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]AzureProfile{}
	for _, p := range plan.Profiles {
		byName[p.Name] = p
	}
	t.Run("saturday_in_june_raises_min_to_wedding_day", func(t *testing.T) {
		p := byName["wedding-day-start"]
		s := p.Recurrence.Schedule
		if p.Recurrence.Frequency != "Week" || s.TimeZone != "GMT Standard Time" || strings.Join(s.Days, ",") != "Friday" ||
			s.Hours[0] != 16 || s.Minutes[0] != 0 || p.Capacity.Minimum != k.WeddingDay.Min {
			t.Fatalf("got %+v", p)
		}
	})
	t.Run("window_close_restores_the_recurrence_season", func(t *testing.T) {
		p := byName["wedding-day-end"]
		if s := p.Recurrence.Schedule; s.Days[0] != "Sunday" || s.Hours[0] != 2 || p.Capacity != byName["default"].Capacity {
			t.Fatalf("got %+v", p)
		}
	})
	t.Run("other_season_weekdays_are_fixed_date_profiles_in_utc", func(t *testing.T) {
		p, ok := byName["peak-season-20260503T0200"]
		if !ok {
			t.Fatalf("no fixed-date profile for the first peak week; profiles: %v", names(plan.Profiles))
		}
		if p.FixedDate.TimeZone != "UTC" || !p.FixedDate.Start.Equal(local(loc, 2026, 5, 3, 2, 0)) || !p.FixedDate.End.Equal(local(loc, 2026, 5, 8, 16, 0)) {
			t.Fatalf("got %+v", p.FixedDate)
		}
	})
	t.Run("unmapped_zone_is_a_clear_error", func(t *testing.T) {
		bad := c
		bad.Timezone = "Asia/Kathmandu"
		_, err := bad.AzureProfiles(local(loc, 2026, 1, 1, 0, 0), local(loc, 2027, 1, 1, 0, 0))
		if err == nil || !strings.Contains(err.Error(), `"Asia/Kathmandu" has no Windows time zone`) {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("every_mapped_zone_loads_and_round_trips", func(t *testing.T) {
		for iana, win := range windowsZones {
			if _, err := time.LoadLocation(iana); err != nil {
				t.Errorf("%s: %v", iana, err)
			}
			if _, ok := ianaForWindows[win]; !ok {
				t.Errorf("%s maps to %q, which the simulator cannot read", iana, win)
			}
		}
	})
}

func names(ps []AzureProfile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}
