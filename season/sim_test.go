package season

import (
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
	t.Run("gcp_wedding_window_an_hour_short", func(t *testing.T) {
		scheds, _ := c.GCPScalingSchedules(from, to)
		for i := range scheds {
			if scheds[i].Name == "wedding-day" {
				scheds[i].DurationSec -= 3600
			}
		}
		lo, hi := c.GCPAutoscalerLimits()
		samples, _ := SimulateGCP(scheds, lo, hi, from, to, time.Hour)
		if n := len(compare(c, samples, minOnly)); n < 100 {
			t.Fatalf("only %d mismatches", n)
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
