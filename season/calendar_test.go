package season

import (
	"testing"
	"time"
)

func TestCapacityAt(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	ny := mustLoc(t, "America/New_York")
	c := richConfig("Europe/London")
	k := c.Capacity
	peak, off := maxCap(k.OffSeason, k.Peak), k.OffSeason
	tests := []struct {
		name   string
		cfg    Config
		at     time.Time
		window Window
		want   Capacity
	}{
		{"tuesday_in_january_is_off_season", c, local(london, 2026, 1, 13, 12, 0), WindowOffSeason, off},
		{"tuesday_in_june_is_peak", c, local(london, 2026, 6, 9, 12, 0), WindowPeak, peak},
		{"saturday_in_june_raises_min_to_wedding_day", c, local(london, 2026, 6, 13, 14, 0), WindowWeddingDay, k.WeddingDay},
		{"saturday_in_january_is_a_wedding_day_too", c, local(london, 2026, 1, 10, 14, 0), WindowWeddingDay, k.WeddingDay},
		{"friday_15_59_is_not_yet_a_wedding_day", c, local(london, 2026, 6, 12, 15, 59), WindowPeak, peak},
		{"friday_16_00_opens_the_wedding_window", c, local(london, 2026, 6, 12, 16, 0), WindowWeddingDay, k.WeddingDay},
		{"sunday_01_59_is_still_a_wedding_day", c, local(london, 2026, 6, 14, 1, 59), WindowWeddingDay, k.WeddingDay},
		{"sunday_02_00_closes_the_wedding_window", c, local(london, 2026, 6, 14, 2, 0), WindowPeak, peak},
		{"april_30_is_off_season", c, local(london, 2026, 4, 30, 23, 59), WindowOffSeason, off},
		{"may_1_midnight_starts_peak", c, local(london, 2026, 5, 1, 0, 0), WindowPeak, peak},
		{"thursday_october_29_is_peak", c, local(london, 2026, 10, 29, 23, 59), WindowPeak, peak},
		{"november_1_is_off_season", c, local(london, 2026, 11, 2, 12, 0), WindowOffSeason, off},
		{"season_end_on_a_wedding_sunday_keeps_wedding_day", c, local(london, 2026, 11, 1, 1, 0), WindowWeddingDay, maxCap(off, k.WeddingDay)},
		{"extra_date_on_a_weekday", c, local(london, 2026, 8, 5, 12, 0), WindowWeddingDay, k.WeddingDay},
		{"extra_date_before_its_start_time", c, local(london, 2026, 8, 5, 8, 59), WindowPeak, peak},
		{"new_years_eve_runs_past_midnight", c, local(london, 2027, 1, 1, 2, 30), WindowWeddingDay, k.WeddingDay},
		{"new_years_eve_ends_at_three", c, local(london, 2027, 1, 1, 3, 0), WindowOffSeason, off},
		// Spring forward: 2026-03-29 01:00 GMT becomes 02:00 BST. The window
		// closes at Sun 02:00 local, which is 01:00 UTC that day.
		{"spring_forward_sunday_00_59_gmt_is_wedding_day", c, time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC), WindowWeddingDay, k.WeddingDay},
		{"spring_forward_sunday_02_00_bst_is_off_season", c, time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), WindowOffSeason, off},
		// Fall back: 2026-10-25 02:00 BST becomes 01:00 GMT; Sun 02:00 local is 02:00 UTC.
		{"fall_back_repeated_hour_is_wedding_day", c, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), WindowWeddingDay, k.WeddingDay},
		{"fall_back_sunday_02_00_gmt_is_peak", c, time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC), WindowPeak, peak},
		{"friday_16_00_bst_before_fall_back", c, time.Date(2026, 10, 23, 15, 0, 0, 0, time.UTC), WindowWeddingDay, k.WeddingDay},
		{"new_york_friday_15_59_est", defaultConfig("America/New_York"), local(ny, 2026, 3, 6, 15, 59), WindowOffSeason, off},
		{"new_york_friday_16_00_est", defaultConfig("America/New_York"), local(ny, 2026, 3, 6, 16, 0), WindowWeddingDay, k.WeddingDay},
		// 2026-03-08 02:00 EST does not exist: the window closes as clocks jump to 03:00 EDT.
		{"new_york_spring_forward_01_59_est_is_wedding_day", defaultConfig("America/New_York"), local(ny, 2026, 3, 8, 1, 59), WindowWeddingDay, k.WeddingDay},
		{"new_york_spring_forward_03_00_edt_is_off_season", defaultConfig("America/New_York"), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), WindowOffSeason, off},
		{"wrap_around_peak_includes_january", func() Config { c := defaultConfig("Europe/London"); c.PeakMonths = "November-February"; return c }(),
			local(london, 2026, 1, 13, 12, 0), WindowPeak, peak},
		{"wrap_around_peak_excludes_june", func() Config { c := defaultConfig("Europe/London"); c.PeakMonths = "November-February"; return c }(),
			local(london, 2026, 6, 9, 12, 0), WindowOffSeason, off},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.cfg.StateAt(tt.at)
			if st.Window != tt.window || st.Capacity != tt.want {
				t.Fatalf("at %s: got %s %+v, want %s %+v", tt.at, st.Window, st.Capacity, tt.window, tt.want)
			}
			if st.Capacity != tt.cfg.CapacityAt(tt.at) {
				t.Fatal("CapacityAt disagrees with StateAt")
			}
		})
	}
}

func TestStateNamesTheWindow(t *testing.T) {
	c := richConfig("Europe/London")
	loc := mustLoc(t, "Europe/London")
	for at, want := range map[time.Time]string{
		local(loc, 2026, 12, 31, 20, 0): "New Year's Eve",
		local(loc, 2026, 6, 13, 12, 0):  NameWeddingDay,
		local(loc, 2026, 6, 9, 12, 0):   NamePeak,
		local(loc, 2026, 1, 13, 12, 0):  NameOffSeason,
		local(loc, 2026, 2, 14, 12, 0):  "Valentine's Day", // extra date wins over the weekly window
	} {
		if got := c.StateAt(at).Name; got != want {
			t.Errorf("at %s: name %q, want %q", at, got, want)
		}
	}
}

func TestFreezeAt(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	c := richConfig("Europe/London")
	tests := []struct {
		name   string
		at     time.Time
		frozen bool
		label  string
		ends   time.Time
	}{
		{"thursday_is_not_frozen", local(loc, 2026, 6, 11, 12, 0), false, "", time.Time{}},
		{"friday_17_59_is_not_frozen", local(loc, 2026, 6, 12, 17, 59), false, "", time.Time{}},
		{"friday_18_00_freezes_until_sunday_06_00", local(loc, 2026, 6, 12, 18, 0), true, NameFreezeWeddingDays, local(loc, 2026, 6, 14, 6, 0)},
		{"saturday_is_frozen", local(loc, 2026, 6, 13, 10, 0), true, NameFreezeWeddingDays, local(loc, 2026, 6, 14, 6, 0)},
		{"sunday_06_00_is_not_frozen", local(loc, 2026, 6, 14, 6, 0), false, "", time.Time{}},
		{"fall_back_weekend_ends_at_local_06_00_gmt", local(loc, 2026, 10, 24, 12, 0), true, NameFreezeWeddingDays, time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)},
		// Christmas 2026: Thursday 24th to Sunday 27th 00:00, running into the weekly freeze until Sunday 06:00.
		{"christmas_runs_into_the_weekend_freeze", local(loc, 2026, 12, 24, 9, 0), true, "Christmas", local(loc, 2026, 12, 27, 6, 0)},
		{"christmas_eve_eve_is_not_frozen", local(loc, 2026, 12, 23, 23, 59), false, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := c.FreezeAt(tt.at)
			if ok != tt.frozen {
				t.Fatalf("frozen = %v, want %v (%+v)", ok, tt.frozen, f)
			}
			if !ok {
				return
			}
			if f.Name != tt.label || !f.Ends.Equal(tt.ends) {
				t.Fatalf("got %q ending %s, want %q ending %s", f.Name, f.Ends, tt.label, tt.ends)
			}
			if f.Start.After(tt.at) {
				t.Fatalf("freeze starts %s, after %s", f.Start, tt.at)
			}
		})
	}
	t.Run("next_freeze_after_a_thursday_is_friday_18_00", func(t *testing.T) {
		f, ok := c.NextFreeze(local(loc, 2026, 6, 11, 12, 0))
		if !ok || !f.Start.Equal(local(loc, 2026, 6, 12, 18, 0)) || !f.Ends.Equal(local(loc, 2026, 6, 14, 6, 0)) {
			t.Fatalf("got %+v, %v", f, ok)
		}
	})
	t.Run("next_freeze_from_inside_one_is_the_following_week", func(t *testing.T) {
		f, ok := c.NextFreeze(local(loc, 2026, 6, 13, 12, 0))
		if !ok || !f.Start.Equal(local(loc, 2026, 6, 19, 18, 0)) {
			t.Fatalf("got %+v, %v", f, ok)
		}
	})
}

func TestWallClockResolvesSkippedAndRepeatedTimes(t *testing.T) {
	london, ny := mustLoc(t, "Europe/London"), mustLoc(t, "America/New_York")
	tests := []struct {
		name string
		loc  *time.Location
		y    int
		m    time.Month
		d    int
		min  int
		want time.Time
	}{
		{"london_skipped_01_30_moves_forward_to_02_30_bst", london, 2026, 3, 29, 90, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)},
		{"london_repeated_01_30_is_the_first_bst_one", london, 2026, 10, 25, 90, time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"new_york_skipped_02_30_moves_forward_to_03_30_edt", ny, 2026, 3, 8, 150, time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
		{"new_york_repeated_01_30_is_the_first_edt_one", ny, 2026, 11, 1, 90, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"ordinary_time_is_unchanged", london, 2026, 6, 13, 16 * 60, time.Date(2026, 6, 13, 15, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wallClock(tt.y, tt.m, tt.d, tt.min, tt.loc); !got.Equal(tt.want) {
				t.Fatalf("got %s, want %s", got.UTC(), tt.want)
			}
		})
	}
}
