package season

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// These pin SimulateAWS to the EC2 Auto Scaling documentation, with
// hand-written UTC instants, independently of the generator.

func awsAction(name, rec, zone string, start, end *time.Time, minSize int) AWSScheduledAction {
	return AWSScheduledAction{Name: name, Recurrence: rec, TimeZone: zone, StartTime: start, EndTime: end, MinSize: minSize, MaxSize: 100, DesiredCapacity: minSize}
}

func awsTransitions(t *testing.T, actions []AWSScheduledAction, from, to time.Time) []transition {
	t.Helper()
	samples, err := SimulateAWS(actions, Capacity{Min: 1, Max: 100, Desired: 1}, from, to, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return transitions(samples)
}

func TestSimulateAWSFollowsTheDocumentation(t *testing.T) {
	from, to := utc(2026, 3, 1, 0, 0), utc(2026, 3, 22, 0, 0)
	t.Run("start_time_with_recurrence_runs_at_start_time_then_on_the_recurrence", func(t *testing.T) {
		// Wednesday 4 March 10:00 UTC, then every Friday at 16:00 UTC.
		a := awsAction("w", "0 16 * * 5", "", ptr(utc(2026, 3, 4, 10, 0)), nil, 5)
		b := awsAction("reset", "0 0 * * 4", "", ptr(utc(2026, 3, 5, 0, 0)), nil, 1)
		got := awsTransitions(t, []AWSScheduledAction{a, b}, from, to)
		want := []transition{
			{utc(2026, 3, 4, 10, 0), 5}, {utc(2026, 3, 5, 0, 0), 1}, {utc(2026, 3, 6, 16, 0), 5},
			{utc(2026, 3, 12, 0, 0), 1}, {utc(2026, 3, 13, 16, 0), 5}, {utc(2026, 3, 19, 0, 0), 1}, {utc(2026, 3, 20, 16, 0), 5},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
	t.Run("end_time_stops_the_recurrence_after_it", func(t *testing.T) {
		a := awsAction("w", "0 16 * * 5", "UTC", ptr(utc(2026, 3, 6, 16, 0)), ptr(utc(2026, 3, 13, 16, 0)), 5)
		b := awsAction("reset", "0 0 * * 6", "UTC", ptr(utc(2026, 3, 7, 0, 0)), nil, 1)
		got := awsTransitions(t, []AWSScheduledAction{a, b}, from, to)
		want := []transition{{utc(2026, 3, 6, 16, 0), 5}, {utc(2026, 3, 7, 0, 0), 1}, {utc(2026, 3, 13, 16, 0), 5}, {utc(2026, 3, 14, 0, 0), 1}}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
	t.Run("time_zone_follows_dst_8am_is_utc_minus_5_then_minus_4", func(t *testing.T) {
		a := awsAction("daily", "0 8 * * *", "America/New_York", nil, nil, 5)
		b := awsAction("night", "0 20 * * *", "America/New_York", nil, nil, 1)
		got := awsTransitions(t, []AWSScheduledAction{a, b}, utc(2026, 3, 7, 0, 0), utc(2026, 3, 10, 0, 0))
		want := []transition{
			{utc(2026, 3, 7, 1, 0), 1}, {utc(2026, 3, 7, 13, 0), 5}, {utc(2026, 3, 8, 1, 0), 1}, // EST
			{utc(2026, 3, 8, 12, 0), 5}, {utc(2026, 3, 9, 0, 0), 1}, // EDT from 8 March
			{utc(2026, 3, 9, 12, 0), 5},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
	t.Run("no_time_zone_means_utc", func(t *testing.T) {
		actions := []AWSScheduledAction{awsAction("x", "30 6 * * 2", "", nil, nil, 5), awsAction("y", "0 0 * * *", "", nil, nil, 1)}
		got := awsTransitions(t, actions, from, utc(2026, 3, 4, 0, 0))
		if want := []transition{{utc(2026, 3, 3, 6, 30), 5}}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("crontab_either_day_field_matches", func(t *testing.T) {
		// The 15th (a Sunday) or any Monday, at noon UTC.
		a := awsAction("x", "0 12 15 * 1", "", nil, nil, 5)
		b := awsAction("y", "0 13 * * *", "", nil, nil, 1)
		var fired []string
		for _, tr := range awsTransitions(t, []AWSScheduledAction{a, b}, from, to) {
			if tr.min == 5 {
				fired = append(fired, tr.at.Format("Mon 02"))
			}
		}
		if want := []string{"Mon 02", "Mon 09", "Sun 15", "Mon 16"}; !slices.Equal(fired, want) {
			t.Fatalf("fired %v, want %v", fired, want)
		}
	})
}

func TestSimulateAWSRefusesWhatAWSRejectsOrLeavesToChance(t *testing.T) {
	from, to := utc(2026, 3, 1, 0, 0), utc(2026, 3, 22, 0, 0)
	start := ptr(utc(2026, 3, 6, 16, 0))
	for _, tc := range []struct {
		name    string
		actions []AWSScheduledAction
		created time.Time
		want    string
	}{
		{"two_actions_at_one_start_time", []AWSScheduledAction{
			awsAction("open", "0 16 * * 5", "UTC", start, nil, 20), awsAction("close", "0 2 * * 0", "UTC", start, nil, 8)},
			time.Time{}, "both start at 2026-03-06T16:00:00Z"},
		{"different_capacities_in_the_same_minute", []AWSScheduledAction{
			awsAction("open", "0 16 * * 5", "UTC", nil, nil, 20), awsAction("once", "", "", ptr(utc(2026, 3, 13, 16, 0).Add(30*time.Second)), nil, 8)},
			time.Time{}, "fire within a minute of each other"},
		{"duplicate_names", []AWSScheduledAction{awsAction("a", "", "", start, nil, 1), awsAction("a", "", "", ptr(utc(2026, 3, 7, 0, 0)), nil, 2)},
			time.Time{}, "named \"a\""},
		{"start_in_the_past", []AWSScheduledAction{awsAction("a", "", "", start, nil, 1)},
			utc(2026, 3, 7, 0, 0), "AWS rejects it"},
		{"more_than_125_actions", func() []AWSScheduledAction {
			var out []AWSScheduledAction
			for i := range 126 {
				out = append(out, awsAction(fmt.Sprint(i), "", "", ptr(from.Add(time.Duration(i)*time.Hour)), nil, 1))
			}
			return out
		}(), time.Time{}, "allows 125 per Auto Scaling group"},
		// New York skips 02:00 on 8 March 2026: AWS does not say when (or
		// whether) the recurrence runs, and here it decides the capacity.
		{"recurrence_at_a_skipped_local_time", []AWSScheduledAction{
			awsAction("close", "0 2 * * 0", "America/New_York", nil, nil, 2), awsAction("open", "0 16 * * 5", "America/New_York", nil, nil, 20)},
			time.Time{}, "2026-03-08 02:00 America/New_York does not exist"},
		{"recurrence_at_a_repeated_local_time", []AWSScheduledAction{
			awsAction("close", "30 1 * * 0", "Europe/London", nil, nil, 2), awsAction("open", "0 16 * * 5", "Europe/London", nil, nil, 20)},
			time.Time{}, "2026-10-25 01:30 Europe/London happens twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := from, to
			if strings.Contains(tc.name, "repeated") {
				lo, hi = utc(2026, 10, 20, 0, 0), utc(2026, 10, 30, 0, 0)
			}
			_, err := simulateAWS(tc.actions, Capacity{}, tc.created, lo, hi, time.Hour)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("same_capacity_in_the_same_minute_is_fine", func(t *testing.T) {
		actions := []AWSScheduledAction{awsAction("a", "0 16 * * 5", "UTC", nil, nil, 20), awsAction("b", "", "", ptr(utc(2026, 3, 13, 16, 0).Add(30*time.Second)), nil, 20)}
		if _, err := SimulateAWS(actions, Capacity{}, from, to, time.Hour); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a_skipped_time_that_decides_nothing_is_fine", func(t *testing.T) {
		// Both readings of the skipped 02:00 are overridden by 03:00 EDT.
		actions := []AWSScheduledAction{awsAction("a", "0 2 8 3 *", "America/New_York", nil, nil, 20), awsAction("b", "30 3 8 3 *", "America/New_York", nil, nil, 2)}
		if _, err := SimulateAWS(actions, Capacity{}, utc(2026, 3, 8, 8, 0), to, time.Hour); err != nil {
			t.Fatal(err)
		}
	})
}
