package season

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// clockChangeWeekends lists, for every clock change of 2026-2028 in London
// and New York, the default calendar's wedding window that weekend as
// hand-written UTC instants: when the minimum rises to the wedding day's
// 20 on Friday at 16:00 local, and when it falls back to the season's on
// Sunday at 02:00 local. In New York 02:00 does not exist on the
// spring-forward Sunday: the window closes as the clocks jump, 07:00 UTC.
var clockChangeWeekends = []struct {
	zone   string
	friday [3]int // local date of the Friday
	want   []transition
}{
	{"Europe/London", [3]int{2026, 3, 27}, []transition{{utc(2026, 3, 27, 16, 0), 20}, {utc(2026, 3, 29, 1, 0), 2}}},
	{"Europe/London", [3]int{2026, 10, 23}, []transition{{utc(2026, 10, 23, 15, 0), 20}, {utc(2026, 10, 25, 2, 0), 8}}},
	{"Europe/London", [3]int{2027, 3, 26}, []transition{{utc(2027, 3, 26, 16, 0), 20}, {utc(2027, 3, 28, 1, 0), 2}}},
	{"Europe/London", [3]int{2027, 10, 29}, []transition{{utc(2027, 10, 29, 15, 0), 20}, {utc(2027, 10, 31, 2, 0), 8}}},
	{"Europe/London", [3]int{2028, 3, 24}, []transition{{utc(2028, 3, 24, 16, 0), 20}, {utc(2028, 3, 26, 1, 0), 2}}},
	{"Europe/London", [3]int{2028, 10, 27}, []transition{{utc(2028, 10, 27, 15, 0), 20}, {utc(2028, 10, 29, 2, 0), 8}}},
	{"America/New_York", [3]int{2026, 3, 6}, []transition{{utc(2026, 3, 6, 21, 0), 20}, {utc(2026, 3, 8, 7, 0), 2}}},
	{"America/New_York", [3]int{2026, 10, 30}, []transition{{utc(2026, 10, 30, 20, 0), 20}, {utc(2026, 11, 1, 7, 0), 2}}},
	{"America/New_York", [3]int{2027, 3, 12}, []transition{{utc(2027, 3, 12, 21, 0), 20}, {utc(2027, 3, 14, 7, 0), 2}}},
	{"America/New_York", [3]int{2027, 11, 5}, []transition{{utc(2027, 11, 5, 20, 0), 20}, {utc(2027, 11, 7, 7, 0), 2}}},
	{"America/New_York", [3]int{2028, 3, 10}, []transition{{utc(2028, 3, 10, 21, 0), 20}, {utc(2028, 3, 12, 7, 0), 2}}},
	{"America/New_York", [3]int{2028, 11, 3}, []transition{{utc(2028, 11, 3, 20, 0), 20}, {utc(2028, 11, 5, 7, 0), 2}}},
}

// TestEveryCloudFiresAtTheHandWrittenInstantsOnClockChangeWeekends plans
// the default calendar on the Monday before each clock change, as a stack
// would, and simulates each cloud minute by minute from Friday noon to
// Sunday noon (local).
func TestEveryCloudFiresAtTheHandWrittenInstantsOnClockChangeWeekends(t *testing.T) {
	for _, tc := range clockChangeWeekends {
		loc := mustLoc(t, tc.zone)
		c := defaultConfig(tc.zone)
		friday := local(loc, tc.friday[0], time.Month(tc.friday[1]), tc.friday[2], 12, 0)
		weekendEnd := friday.AddDate(0, 0, 2)
		now := friday.AddDate(0, 0, -4).Add(-3 * time.Hour) // Monday 09:00
		from, to := c.Horizon(now)
		name := tc.zone + "/" + friday.Format("2006-01-02")
		t.Run(name+"/aws", func(t *testing.T) {
			all, err := c.AWSScheduledActions(from, to)
			if err != nil {
				t.Fatal(err)
			}
			samples, err := simulateAWS(AWSActionsAt(all, now), c.CapacityAt(now), now, friday, weekendEnd, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			wantTransitions(t, samples, tc.want)
		})
		t.Run(name+"/gcp", func(t *testing.T) {
			scheds, err := c.GCPScalingSchedules(from, to)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := c.GCPAutoscalerLimits()
			samples, err := SimulateGCP(scheds, lo, hi, friday, weekendEnd, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			wantTransitions(t, samples, tc.want)
		})
		t.Run(name+"/azure", func(t *testing.T) {
			plan, err := c.AzureProfiles(from, to)
			if err != nil {
				t.Fatal(err)
			}
			if plan.ValidUntil.Before(weekendEnd) {
				t.Fatalf("plan valid only until %s", plan.ValidUntil)
			}
			samples, err := SimulateAzure(plan.Profiles, friday, weekendEnd, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			wantTransitions(t, samples, tc.want)
		})
	}
}

func wantTransitions(t *testing.T, samples []Sample, want []transition) {
	t.Helper()
	if got := transitions(samples); !slices.Equal(got, want) {
		t.Fatalf("minimum changes at\n got  %v\n want %v", got, want)
	}
}

// TestNewYorkSpringForwardCloseIsNotLeftToTheClouds: the wedding window
// closes at Sun 02:00, which New York skips on 8 March 2026. No cloud
// documents when a schedule set for a skipped time runs, so each simulator
// refuses the plain weekly close, and each generator closes the window
// another way.
func TestNewYorkSpringForwardCloseIsNotLeftToTheClouds(t *testing.T) {
	ny := "America/New_York"
	from, to := utc(2026, 3, 1, 0, 0), utc(2026, 3, 15, 0, 0)
	const skipped = "2026-03-08 02:00 America/New_York does not exist"
	t.Run("simulators_refuse_a_recurrence_at_the_skipped_time", func(t *testing.T) {
		_, err := SimulateAWS([]AWSScheduledAction{
			awsAction("close", "0 2 * * 0", ny, nil, nil, 2), awsAction("open", "0 16 * * 5", ny, nil, nil, 20),
		}, Capacity{}, from, to, time.Hour)
		wantErr(t, "aws", err, skipped)
		_, err = SimulateGCP([]GCPScalingSchedule{{Name: "sunday", Schedule: "0 2 * * 0", DurationSec: 3600, MinRequiredReplicas: 20, TimeZone: ny}}, 2, 60, from, to, time.Hour)
		wantErr(t, "gcp", err, skipped)
		rec := func(day string, h int) *AzureRecurrence {
			return &AzureRecurrence{Frequency: "Week", Schedule: AzureRecurrentSchedule{TimeZone: "Eastern Standard Time", Days: []string{day}, Hours: []int{h}, Minutes: []int{0}}}
		}
		_, err = SimulateAzure([]AzureProfile{
			{Name: "open", Capacity: AzureCapacity{Minimum: 20, Maximum: 60, Default: 20}, Recurrence: rec("Friday", 16)},
			{Name: "close", Capacity: AzureCapacity{Minimum: 2, Maximum: 10, Default: 2}, Recurrence: rec("Sunday", 2)},
		}, from, to, time.Hour)
		wantErr(t, "azure", err, skipped)
	})
	c := defaultConfig(ny)
	t.Run("aws_closes_with_a_one_time_action_at_the_jump", func(t *testing.T) {
		actions, err := c.AWSScheduledActions(mustHorizon(c, from))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range actions {
			if a.Recurrence == "" && a.StartTime.Equal(utc(2026, 3, 8, 7, 0)) && a.MinSize == c.Capacity.OffSeason.Min {
				found = true
			}
		}
		if !found {
			t.Fatalf("no one-time action at 2026-03-08T07:00Z: %v", actionNames(actions))
		}
	})
	t.Run("gcp_never_starts_a_schedule_at_02_00", func(t *testing.T) {
		scheds, err := c.GCPScalingSchedules(mustHorizon(c, from))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range scheds {
			if s.TimeZone == ny && strings.HasPrefix(s.Schedule, "0 2 ") {
				t.Fatalf("%+v", s)
			}
		}
	})
	t.Run("azure_covers_the_close_with_fixed_dates_until_the_next_opening", func(t *testing.T) {
		plan, err := c.AzureProfiles(mustHorizon(c, from))
		if err != nil {
			t.Fatal(err)
		}
		var covered []string
		for _, p := range plan.Profiles {
			if f := p.FixedDate; f != nil && !f.Start.After(utc(2026, 3, 8, 7, 0)) && f.End.After(utc(2026, 3, 8, 7, 0)) {
				covered = append(covered, p.Name)
			}
		}
		if len(covered) != 1 {
			t.Fatalf("fixed-date profiles over 07:00 UTC: %v", covered)
		}
	})
}

func mustHorizon(c Config, now time.Time) (time.Time, time.Time) { return c.Horizon(now) }

func wantErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error = %v, want one containing %q", what, err, want)
	}
}

func actionNames(actions []AWSScheduledAction) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.Name
	}
	return out
}

// awkwardWindows open or close inside a skipped or repeated hour: in
// London at 01:30 on Sundays (skipped in March, repeated in October), in
// Beirut at 23:30 on Saturdays and 00:30 on Sundays (clocks change at
// midnight), and New York's default close at 02:00.
var awkwardWindows = []struct {
	zone   string
	window WeeklyWindow
}{
	{"Europe/London", WeeklyWindow{Start: "Sun 01:30", End: "Sun 03:00"}},
	{"Asia/Beirut", WeeklyWindow{Start: "Sat 23:30", End: "Sun 00:30"}},
	{"America/New_York", WeeklyWindow{Start: DefaultWeddingStart, End: DefaultWeddingEnd}},
}

// TestGeneratorsAvoidSkippedAndRepeatedTimes: over 2026-2028, no AWS
// recurrence and no GCP schedule the generators write ever fires at a local
// time that is skipped or repeated (the simulators report each one they
// meet), the Azure plans are exact however Azure reads them, and all three
// still follow the calendar.
func TestGeneratorsAvoidSkippedAndRepeatedTimes(t *testing.T) {
	for _, tc := range awkwardWindows {
		loc := mustLoc(t, tc.zone)
		c := defaultConfig(tc.zone)
		c.WeddingDays = tc.window
		from, to := local(loc, 2026, 1, 1, 0, 0), local(loc, 2029, 1, 1, 0, 0)
		t.Run(tc.zone+"/aws", func(t *testing.T) {
			actions, err := c.AWSScheduledActions(from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range actions {
				if a.Recurrence == "" {
					continue
				}
				var amb ambiguities
				if _, err := awsRecurrence(a, time.Time{}, from, to, readOldOffset, &amb); err != nil || len(amb) > 0 {
					t.Errorf("%s: %v %v", a.Name, err, amb)
				}
			}
			samples, err := SimulateAWS(actions, Capacity{}, from, to, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			reportMismatches(t, compare(c, samples, allFields), loc)
		})
		t.Run(tc.zone+"/gcp", func(t *testing.T) {
			scheds, err := c.GCPScalingSchedules(from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range scheds {
				var amb ambiguities
				if _, err := gcpFirings(s, from, to, readOldOffset, &amb); err != nil || len(amb) > 0 {
					t.Errorf("%s: %v %v", s.Name, err, amb)
				}
			}
			reportMismatches(t, compare(c, simulateGCP(t, c, from, to, 15*time.Minute), minOnly), loc)
		})
		if _, err := WindowsTimeZone(tc.zone); err != nil {
			continue
		}
		t.Run(tc.zone+"/azure_monthly", func(t *testing.T) {
			for start := from; start.Before(to); {
				next := wallClock(start.Year(), start.Month()+1, 1, 0, loc)
				plan, err := c.AzureProfiles(start, to)
				if err != nil {
					t.Fatal(err)
				}
				samples, err := SimulateAzure(plan.Profiles, start, next, 15*time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				reportMismatches(t, compare(c, samples, allFields), loc)
				start = next
			}
		})
	}
}
