package season

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// extraDatesFrom is n one-day extra dates, every step days from start.
func extraDatesFrom(start time.Time, n, step int) []ExtraDate {
	var out []ExtraDate
	for i := range n {
		d := start.AddDate(0, 0, i*step)
		out = append(out, ExtraDate{Date: d.Format("2006-01-02"), Name: fmt.Sprintf("event %d", i), Start: "10:00", End: "22:00"})
	}
	return out
}

// TestQuotasAreConfigErrorsNamingTheQuota: a calendar whose horizon needs
// more schedules than a cloud allows is refused with the quota named, and
// the field (extraDates) that must change.
func TestQuotasAreConfigErrorsNamingTheQuota(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	now := local(loc, 2026, 6, 10, 10, 0)
	for _, tc := range []struct {
		name   string
		extras []ExtraDate
		run    func(Config, time.Time, time.Time) error
		quota  string
	}{
		{"aws_125_scheduled_actions_per_group", extraDatesFrom(local(loc, 2026, 6, 3, 0, 0), 40, 9),
			func(c Config, from, to time.Time) error { _, err := c.AWSScheduledActions(from, to); return err },
			"EC2 Auto Scaling allows 125 scheduled actions per Auto Scaling group"},
		{"gcp_128_scaling_schedules_per_autoscaler", extraDatesFrom(local(loc, 2026, 6, 3, 0, 0), 120, 3),
			func(c Config, from, to time.Time) error { _, err := c.GCPScalingSchedules(from, to); return err },
			"GCP allows 128 scaling schedules per autoscaler"},
		{"azure_20_profiles_per_setting", extraDatesFrom(local(loc, 2026, 6, 2, 0, 0), 25, 1),
			func(c Config, from, to time.Time) error { _, err := c.AzureProfiles(from, to); return err },
			"Azure allows 20 profiles per autoscale setting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := defaultConfig("Europe/London")
			c.ExtraDates = tc.extras
			from, to := c.Horizon(now)
			err := tc.run(c, from, to)
			if err == nil || !strings.Contains(err.Error(), tc.quota) || !strings.HasPrefix(err.Error(), "extraDates:") {
				t.Fatalf("error = %v, want an extraDates error naming %q", err, tc.quota)
			}
			// Half as many fit.
			c.ExtraDates = tc.extras[:len(tc.extras)/2]
			if err := tc.run(c, from, to); err != nil {
				t.Fatalf("half as many extra dates: %v", err)
			}
		})
	}
}

// TestAStackCalendarFitsEveryQuota: the default calendar with an extra
// date every month, planned for a horizon at any month of two years,
// fits every cloud's quota in every zone, and the simulators (which
// enforce the quotas too) accept the result.
func TestAStackCalendarFitsEveryQuota(t *testing.T) {
	for _, zone := range simZones {
		loc := mustLoc(t, zone)
		c := defaultConfig(zone)
		c.ExtraDates = extraDatesFrom(local(loc, 2026, 1, 14, 0, 0), 36, 30)
		for m := range 24 {
			now := local(loc, 2026, time.Month(1+m), 10, 12, 0)
			from, to := c.Horizon(now)
			actions, err := c.AWSScheduledActions(from, to)
			if err != nil {
				t.Fatalf("%s %s aws: %v", zone, now, err)
			}
			if _, err := awsSimulation(AWSActionsAt(actions, now), c.CapacityAt(now), now, now, to); err != nil {
				t.Fatalf("%s %s aws: %v", zone, now, err)
			}
			scheds, err := c.GCPScalingSchedules(from, to)
			if err != nil {
				t.Fatalf("%s %s gcp: %v", zone, now, err)
			}
			if err := checkGCPSchedules(scheds); err != nil {
				t.Fatalf("%s %s gcp: %v", zone, now, err)
			}
			plan, err := c.AzureProfiles(from, to)
			if err != nil {
				t.Fatalf("%s %s azure: %v", zone, now, err)
			}
			if err := checkAzureProfiles(plan.Profiles); err != nil {
				t.Fatalf("%s %s azure: %v", zone, now, err)
			}
		}
	}
}
