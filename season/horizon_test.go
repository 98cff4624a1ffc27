package season

import (
	"reflect"
	"testing"
	"time"
)

func TestHorizon(t *testing.T) {
	london, newYork := mustLoc(t, "Europe/London"), mustLoc(t, "America/New_York")
	for _, tc := range []struct {
		name     string
		zone     string
		now      time.Time
		from, to time.Time
	}{
		{"mid_june_starts_on_1_june", "Europe/London", local(london, 2026, 6, 10, 10, 0),
			local(london, 2026, 6, 1, 0, 0), local(london, 2027, 7, 1, 0, 0)},
		{"first_instant_of_a_month_is_that_month", "Europe/London", local(london, 2026, 11, 1, 0, 0),
			local(london, 2026, 11, 1, 0, 0), local(london, 2027, 12, 1, 0, 0)},
		{"utc_end_of_march_is_april_in_london", "Europe/London", time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC),
			local(london, 2026, 4, 1, 0, 0), local(london, 2027, 5, 1, 0, 0)},
		{"new_york_month_follows_new_york", "America/New_York", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC),
			local(newYork, 2026, 11, 1, 0, 0), local(newYork, 2027, 12, 1, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := defaultConfig(tc.zone).Horizon(tc.now)
			if !from.Equal(tc.from) || !to.Equal(tc.to) {
				t.Fatalf("horizon %s .. %s, want %s .. %s", from, to, tc.from, tc.to)
			}
		})
	}
	t.Run("same_month_same_horizon", func(t *testing.T) {
		c := defaultConfig("Europe/London")
		a1, b1 := c.Horizon(local(london, 2026, 6, 1, 0, 0))
		a2, b2 := c.Horizon(local(london, 2026, 6, 30, 23, 59))
		if !a1.Equal(a2) || !b1.Equal(b2) {
			t.Fatalf("%s..%s vs %s..%s", a1, b1, a2, b2)
		}
	})
}

func TestAWSActionsAt(t *testing.T) {
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { t := now.Add(time.Duration(h) * time.Hour); return &t }
	once := func(name string, start *time.Time) AWSScheduledAction {
		return AWSScheduledAction{Name: name, StartTime: start, TimeZone: "Europe/London", MinSize: 1, MaxSize: 2, DesiredCapacity: 1}
	}
	weekly := func(name string, start, end *time.Time) AWSScheduledAction {
		a := once(name, start)
		a.Recurrence, a.EndTime = "0 16 * * 5", end
		return a
	}
	for _, tc := range []struct {
		name string
		in   AWSScheduledAction
		want *AWSScheduledAction
	}{
		{"past_one_time_action_is_dropped", once("a", at(-1)), nil},
		{"one_time_action_due_now_is_dropped", once("a", at(0)), nil},
		{"future_one_time_action_is_kept", once("a", at(1)), ptr(once("a", at(1)))},
		{"started_recurrence_recurs_from_now", weekly("w", at(-5), at(100)), ptr(weekly("w", nil, at(100)))},
		{"recurrence_starting_now_recurs_from_now", weekly("w", at(0), at(100)), ptr(weekly("w", nil, at(100)))},
		{"ended_recurrence_is_dropped", weekly("w", at(-100), at(-1)), nil},
		{"recurrence_ending_now_is_dropped", weekly("w", at(-100), at(0)), nil},
		{"future_recurrence_is_kept", weekly("w", at(1), at(100)), ptr(weekly("w", at(1), at(100)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []AWSScheduledAction{tc.in}
			before := *tc.in.StartTime
			got := AWSActionsAt(in, now)
			switch {
			case tc.want == nil && len(got) != 0:
				t.Fatalf("kept %+v", got)
			case tc.want != nil && (len(got) != 1 || !reflect.DeepEqual(got[0], *tc.want)):
				t.Fatalf("got %+v, want %+v", got, *tc.want)
			}
			if in[0].StartTime == nil || !in[0].StartTime.Equal(before) {
				t.Fatal("the input was modified")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// awsNows are instants a stack may plan at: ordinary weekdays, inside
// wedding windows, across season boundaries, inside extra dates and on
// clock-change weekends (London's and New York's).
func awsNows(loc *time.Location) []time.Time {
	return []time.Time{
		local(loc, 2026, 2, 14, 12, 0),  // inside the Valentine's extra date
		local(loc, 2026, 3, 8, 1, 30),   // New York spring-forward night, inside the window
		local(loc, 2026, 3, 29, 0, 30),  // London spring-forward night, inside the window
		local(loc, 2026, 4, 30, 12, 0),  // the day before peak season
		local(loc, 2026, 6, 10, 10, 17), // an ordinary June Wednesday
		local(loc, 2026, 6, 13, 15, 0),  // a June Saturday afternoon
		local(loc, 2026, 8, 5, 21, 30),  // just after the wedding fair
		local(loc, 2026, 10, 31, 22, 0), // the last peak Saturday, into an off-season Sunday
		local(loc, 2026, 11, 1, 1, 0),   // off season, still in the wedding window
		local(loc, 2026, 12, 31, 20, 0), // inside New Year's Eve
	}
}

// TestAWSActionsAtKeepCalendarFromNowToHorizonEnd proves the adapted
// actions still give the calendar's capacity at every hour from now to the
// horizon's end, for both ways the group can meet them: created at now at
// CapacityAt(now) (the recurrences begin at now), or already running with
// the actions of earlier applies (started recurrences fired in the past).
func TestAWSActionsAtKeepCalendarFromNowToHorizonEnd(t *testing.T) {
	for _, zone := range simZones {
		loc := mustLoc(t, zone)
		for name, c := range simConfigs(zone) {
			for _, now := range awsNows(loc) {
				t.Run(zone+"/"+name+"/"+now.Format("2006-01-02T15:04"), func(t *testing.T) {
					from, to := c.Horizon(now)
					all, err := c.AWSScheduledActions(from, to)
					if err != nil {
						t.Fatal(err)
					}
					actions := AWSActionsAt(all, now)
					for _, a := range actions {
						if (a.StartTime != nil && !a.StartTime.After(now)) || (a.EndTime != nil && !a.EndTime.After(now)) {
							t.Fatalf("%s would be rejected by AWS: start %v end %v", a.Name, a.StartTime, a.EndTime)
						}
					}
					t.Run("running_group", func(t *testing.T) {
						samples, err := SimulateAWS(actions, c.CapacityAt(now), now, to, time.Hour)
						if err != nil {
							t.Fatal(err)
						}
						reportMismatches(t, compare(c, samples, allFields), loc)
					})
					t.Run("group_created_now", func(t *testing.T) {
						// Put at now: recurrences without a StartTime
						// recur from now on, and AWS rejects a start at
						// or before now.
						samples, err := simulateAWS(actions, c.CapacityAt(now), now, now, to, time.Hour)
						if err != nil {
							t.Fatal(err)
						}
						reportMismatches(t, compare(c, samples, allFields), loc)
					})
				})
			}
		}
	}
}

// TestAWSActionsAtCatchesADroppedCurrentRecurrence shows the proof above
// can fail: dropping (instead of restarting) the recurrences in force at
// now loses the weekends until the next season.
func TestAWSActionsAtCatchesADroppedCurrentRecurrence(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	now := local(loc, 2026, 6, 10, 10, 0)
	from, to := c.Horizon(now)
	all, _ := c.AWSScheduledActions(from, to)
	var kept []AWSScheduledAction
	for _, a := range AWSActionsAt(all, now) {
		if a.StartTime != nil {
			kept = append(kept, a)
		}
	}
	samples, _ := SimulateAWS(kept, c.CapacityAt(now), now, to, time.Hour)
	if len(compare(c, samples, allFields)) == 0 {
		t.Fatal("simulation did not notice the missing June weekends")
	}
}

func TestAWSActionsAtAreStableWithinTheHour(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := richConfig("Europe/London")
	a := local(loc, 2026, 6, 10, 10, 0)
	b := a.Add(time.Hour)
	fromA, toA := c.Horizon(a)
	fromB, toB := c.Horizon(b)
	allA, _ := c.AWSScheduledActions(fromA, toA)
	allB, _ := c.AWSScheduledActions(fromB, toB)
	if got, want := AWSActionsAt(allB, b), AWSActionsAt(allA, a); !reflect.DeepEqual(got, want) {
		t.Fatalf("actions changed within the hour:\n%+v\n%+v", got, want)
	}
}
