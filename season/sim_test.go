package season

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSimulatorsCatchWrongSchedules shows the equality tests can fail: a
// plausible mistake in each cloud's schedules is caught.
func TestSimulatorsCatchWrongSchedules(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	from, to := simYears(loc)
	t.Run("aws_without_season_boundary_actions", func(t *testing.T) {
		actions, _ := c.AWSScheduledActions(from, to)
		var kept []AWSScheduledAction
		for _, a := range actions {
			if a.Recurrence != "" || a.StartTime.Equal(from.UTC()) {
				kept = append(kept, a)
			}
		}
		samples, _ := SimulateAWS(kept, Capacity{}, from, to, time.Hour)
		if len(compare(c, samples, allFields)) == 0 {
			t.Fatal("simulation did not notice the missing season boundaries")
		}
	})
	t.Run("aws_wedding_window_in_utc", func(t *testing.T) {
		actions, _ := c.AWSScheduledActions(from, to)
		for i := range actions {
			actions[i].TimeZone = "UTC"
		}
		samples, _ := SimulateAWS(actions, Capacity{}, from, to, time.Hour)
		if len(compare(c, samples, allFields)) == 0 {
			t.Fatal("simulation did not notice the zone")
		}
	})
	t.Run("aws_recurrences_starting_a_second_after_the_period_starts", func(t *testing.T) {
		// The generator before issue 18: every recurring action started at
		// its period's start + 1 s, so AWS ran opening and closing together.
		actions, _ := c.AWSScheduledActions(from, to)
		for i, a := range actions {
			if a.Recurrence != "" {
				stamp := strings.TrimPrefix(strings.TrimPrefix(a.Name, "wedding-open-"), "wedding-close-")
				period, _ := time.ParseInLocation("20060102T1504", stamp, loc)
				actions[i].StartTime = utcPtr(period.Add(time.Second))
			}
		}
		if _, err := SimulateAWS(actions, Capacity{}, from, to, time.Hour); err == nil || !strings.Contains(err.Error(), "both start at") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("azure_without_the_closing_profile", func(t *testing.T) {
		plan, _ := c.AzureProfiles(from, to)
		var kept []AzureProfile
		for _, p := range plan.Profiles {
			if p.Name != "wedding-day-end" {
				kept = append(kept, p)
			}
		}
		samples, _ := SimulateAzure(kept, from, plan.ValidUntil, time.Hour)
		if len(compare(c, samples, allFields)) == 0 {
			t.Fatal("simulation did not notice the missing closing profile")
		}
	})
}

// TestGCPSimulationCatchesWrongSchedules: the same for GCP.
func TestGCPSimulationCatchesWrongSchedules(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := defaultConfig("Europe/London")
	from, to := simYears(loc)
	t.Run("gcp_wedding_window_an_hour_short", func(t *testing.T) {
		scheds, _ := c.GCPScalingSchedules(from, to)
		for i := range scheds {
			if strings.HasPrefix(scheds[i].Name, "wedding-day") {
				scheds[i].DurationSec -= 3600
			}
		}
		lo, hi := c.GCPAutoscalerLimits()
		samples, _ := SimulateGCP(scheds, lo, hi, from, to, time.Hour)
		if n := len(compare(c, samples, minOnly)); n < 100 {
			t.Fatalf("only %d mismatches", n)
		}
	})
	t.Run("gcp_one_weekly_schedule_all_year", func(t *testing.T) {
		// The generator before issue 18: one 34-hour weekly schedule falls
		// short in the repeated hour of 25 October 2026, a wedding night.
		scheds, _ := c.GCPScalingSchedules(from, to)
		var kept []GCPScalingSchedule
		for _, s := range scheds {
			switch {
			case s.Name == "wedding-day":
				s.Schedule = "0 16 * * 5"
				kept = append(kept, s)
			case !strings.HasPrefix(s.Name, "wedding-day-"):
				kept = append(kept, s)
			}
		}
		lo, hi := c.GCPAutoscalerLimits()
		samples, _ := SimulateGCP(kept, lo, hi, from, to, time.Hour)
		var short []time.Time
		for _, m := range compare(c, samples, minOnly) {
			if m.got.Min < m.want.Min {
				short = append(short, m.at.UTC())
			}
		}
		if len(short) != 2 || !short[0].Equal(utc(2026, 10, 25, 1, 0)) {
			t.Fatalf("shortfalls at %v", short)
		}
	})
	t.Run("gcp_extra_date_without_the_year", func(t *testing.T) {
		rc := richConfig("Europe/London")
		scheds, _ := rc.GCPScalingSchedules(from, to)
		for i, s := range scheds {
			if strings.HasPrefix(s.Name, "extra-20260805") {
				scheds[i].Schedule = strings.TrimSuffix(s.Schedule, " 2026")
			}
		}
		lo, hi := rc.GCPAutoscalerLimits()
		samples, _ := SimulateGCP(scheds, lo, hi, from, to, time.Hour)
		if ms := compare(rc, samples, minOnly); len(ms) != 12 || !ms[0].at.Equal(local(loc, 2027, 8, 5, 9, 0)) {
			t.Fatalf("mismatches %v, want the fair repeated on 5 August 2027", ms)
		}
	})
	t.Run("azure_new_york_without_fixed_dates_over_the_skipped_close", func(t *testing.T) {
		ny := mustLoc(t, "America/New_York")
		nc := defaultConfig("America/New_York")
		plan, _ := nc.AzureProfiles(local(ny, 2026, 3, 1, 0, 0), local(ny, 2026, 4, 1, 0, 0))
		var kept []AzureProfile
		for _, p := range plan.Profiles {
			if p.FixedDate == nil || !p.FixedDate.End.After(utc(2026, 3, 8, 4, 0)) || p.FixedDate.Start.After(utc(2026, 3, 13, 0, 0)) {
				kept = append(kept, p)
			}
		}
		if len(kept) == len(plan.Profiles) {
			t.Fatal("the plan has no fixed-date profiles over 8 March")
		}
		if _, err := SimulateAzure(kept, local(ny, 2026, 3, 1, 0, 0), plan.ValidUntil, time.Hour); err == nil {
			t.Fatal("simulation did not notice the close left to an undocumented reading")
		}
	})
}

func TestSimulatorsRejectBadInput(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := SimulateAWS([]AWSScheduledAction{{Name: "x", Recurrence: "0 16 * *", TimeZone: "UTC"}}, Capacity{}, at, at.Add(time.Hour), time.Hour); err == nil {
		t.Error("aws: 4-field cron accepted")
	}
	if _, err := SimulateGCP([]GCPScalingSchedule{{Name: "x", Schedule: "0 16 * * 5", TimeZone: "Nowhere/Else"}}, 1, 2, at, at.Add(time.Hour), time.Hour); err == nil {
		t.Error("gcp: unknown zone accepted")
	}
	if _, err := SimulateAzure(nil, at, at.Add(time.Hour), 0); err == nil {
		t.Error("azure: zero step accepted")
	}
	gcp := func(s GCPScalingSchedule) error {
		_, err := SimulateGCP([]GCPScalingSchedule{s}, 1, 2, at, at.Add(time.Hour), time.Hour)
		return err
	}
	if err := gcp(GCPScalingSchedule{Name: "x", Schedule: "0 16 1 * 5", DurationSec: 300}); err == nil {
		t.Error("gcp: day-of-month and day-of-week both restricted accepted")
	}
	if err := gcp(GCPScalingSchedule{Name: "x", Schedule: "0 16 * * 5", DurationSec: 299}); err == nil {
		t.Error("gcp: 299 s accepted")
	}
	if err := gcp(GCPScalingSchedule{Name: "x", Schedule: "0 16 * * 5 2026 1", DurationSec: 300}); err == nil {
		t.Error("gcp: 7 fields accepted")
	}
	many := make([]GCPScalingSchedule, GCPMaxScalingSchedules+1)
	for i := range many {
		many[i] = GCPScalingSchedule{Name: fmt.Sprint(i), Schedule: "0 16 * * 5", DurationSec: 300}
	}
	if _, err := SimulateGCP(many, 1, 2, at, at.Add(time.Hour), time.Hour); err == nil {
		t.Error("gcp: 129 schedules accepted")
	}
	profiles := make([]AzureProfile, AzureMaxProfiles+1)
	for i := range profiles {
		profiles[i] = AzureProfile{Name: fmt.Sprint(i), FixedDate: &AzureFixedDate{TimeZone: "UTC", Start: at, End: at.Add(time.Hour)}}
	}
	if _, err := SimulateAzure(profiles, at, at.Add(time.Hour), time.Hour); err == nil {
		t.Error("azure: 21 profiles accepted")
	}
	if _, err := SimulateAzure([]AzureProfile{{Name: "a"}, {Name: "b"}}, at, at.Add(time.Hour), time.Hour); err == nil {
		t.Error("azure: two default profiles accepted")
	}
	if _, err := SimulateAzure([]AzureProfile{{Name: "y", FixedDate: &AzureFixedDate{TimeZone: "UTC", Start: at, End: at.AddDate(1, 0, 1)}}}, at, at.Add(time.Hour), time.Hour); err == nil {
		t.Error("azure: a fixed date over 365 days accepted")
	}
}

func TestSimulateGCPFollowsTheDocumentation(t *testing.T) {
	from, to := utc(2026, 3, 1, 0, 0), utc(2028, 1, 1, 0, 0)
	run := func(t *testing.T, s GCPScalingSchedule) []transition {
		t.Helper()
		samples, err := SimulateGCP([]GCPScalingSchedule{s}, 2, 60, from, to, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return transitions(samples)
	}
	t.Run("year_field_fires_exactly_once", func(t *testing.T) {
		got := run(t, GCPScalingSchedule{Name: "x", Schedule: "15 9 5 8 * 2026", DurationSec: 3600, MinRequiredReplicas: 20, TimeZone: "Asia/Kolkata"})
		want := []transition{{utc(2026, 8, 5, 3, 45), 20}, {utc(2026, 8, 5, 4, 45), 2}}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("without_a_year_it_fires_every_year", func(t *testing.T) {
		if got := run(t, GCPScalingSchedule{Name: "x", Schedule: "15 9 5 8 *", DurationSec: 3600, MinRequiredReplicas: 20, TimeZone: "Asia/Kolkata"}); len(got) != 4 {
			t.Fatalf("got %v, want 2026 and 2027", got)
		}
	})
	t.Run("duration_is_elapsed_seconds_across_a_clock_change", func(t *testing.T) {
		// Saturday 28 March 2026 22:00 GMT for 6 hours ends at 04:00 UTC,
		// 05:00 BST: the skipped hour is not added back.
		got := run(t, GCPScalingSchedule{Name: "x", Schedule: "0 22 28 3 * 2026", DurationSec: 6 * 3600, MinRequiredReplicas: 20, TimeZone: "Europe/London"})
		if want := []transition{{utc(2026, 3, 28, 22, 0), 20}, {utc(2026, 3, 29, 4, 0), 2}}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("empty_time_zone_is_utc_and_overlaps_take_the_largest", func(t *testing.T) {
		samples, err := SimulateGCP([]GCPScalingSchedule{
			{Name: "a", Schedule: "0 10 2 3 * 2026", DurationSec: 4 * 3600, MinRequiredReplicas: 5},
			{Name: "b", Schedule: "0 12 2 3 * 2026", DurationSec: 4 * 3600, MinRequiredReplicas: 9},
		}, 2, 60, from, utc(2026, 3, 3, 0, 0), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		want := []transition{{utc(2026, 3, 2, 10, 0), 5}, {utc(2026, 3, 2, 12, 0), 9}, {utc(2026, 3, 2, 16, 0), 2}}
		if got := transitions(samples); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

func BenchmarkSimulateYear(b *testing.B) {
	loc, _ := time.LoadLocation("Europe/London")
	c := richConfig("Europe/London")
	from := local(loc, 2026, 1, 1, 0, 0)
	to := from.AddDate(1, 0, 0)
	actions, err := c.AWSScheduledActions(from, to)
	if err != nil {
		b.Fatal(err)
	}
	scheds, err := c.GCPScalingSchedules(from, to)
	if err != nil {
		b.Fatal(err)
	}
	lo, hi := c.GCPAutoscalerLimits()
	plan, err := c.AzureProfiles(from, to)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("aws", func(b *testing.B) {
		for b.Loop() {
			if _, err := SimulateAWS(actions, Capacity{}, from, to, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gcp", func(b *testing.B) {
		for b.Loop() {
			if _, err := SimulateGCP(scheds, lo, hi, from, to, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("azure", func(b *testing.B) {
		for b.Loop() {
			if _, err := SimulateAzure(plan.Profiles, from, to, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("calendar", func(b *testing.B) {
		for b.Loop() {
			for t := from; t.Before(to); t = t.Add(time.Hour) {
				c.CapacityAt(t)
			}
		}
	})
}
