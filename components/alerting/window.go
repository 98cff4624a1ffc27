package alerting

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/season"
)

// window is the weekly wedding-day window, on the wall clock of the
// calendar's zone: when the escalation receivers are called.
type window struct {
	startDay, endDay time.Weekday
	// startMinute and endMinute are minutes after local midnight.
	startMinute, endMinute int
	// windowsZone is the zone's Windows name (Azure schedules).
	windowsZone string
}

// day is the part of the window on one weekday: [from, to) in minutes
// after midnight, to = 1440 for "until midnight".
type day struct {
	weekday  time.Weekday
	from, to int
}

// days splits the window into one stretch per weekday it touches, for
// clouds that schedule by day and time of day.
func (w window) days() []day {
	var out []day
	d, from := w.startDay, w.startMinute
	for {
		if d == w.endDay && (len(out) > 0 || w.endMinute > from) {
			if w.endMinute > from {
				out = append(out, day{d, from, w.endMinute})
			}
			return out
		}
		out = append(out, day{d, from, 24 * 60})
		d, from = (d+1)%7, 0
	}
}

// weddingWindow reads the weekly wedding-day window from the calendar,
// through the Azure plan, which states it as the weekday and time the
// wedding-day capacity starts and ends: the calendar stays the one place
// the window is parsed.
func weddingWindow(cal season.Config, now time.Time) (window, error) {
	from, to := cal.Horizon(now)
	plan, err := cal.AzureProfiles(from, to)
	if err != nil {
		return window{}, err
	}
	w := window{}
	found := 0
	for _, p := range plan.Profiles {
		if p.Recurrence == nil || len(p.Recurrence.Schedule.Days) != 1 || len(p.Recurrence.Schedule.Hours) != 1 || len(p.Recurrence.Schedule.Minutes) != 1 {
			continue
		}
		s := p.Recurrence.Schedule
		wd := slices.IndexFunc([]time.Weekday{0, 1, 2, 3, 4, 5, 6}, func(d time.Weekday) bool { return strings.EqualFold(d.String(), s.Days[0]) })
		if wd < 0 {
			continue
		}
		minute := s.Hours[0]*60 + s.Minutes[0]
		w.windowsZone = s.TimeZone
		switch p.Name {
		case "wedding-day-start":
			w.startDay, w.startMinute = time.Weekday(wd), minute
			found++
		case "wedding-day-end":
			w.endDay, w.endMinute = time.Weekday(wd), minute
			found++
		}
	}
	if found != 2 {
		return window{}, fmt.Errorf("the season calendar's wedding-day window (%s to %s) could not be read", cal.WeddingDays.Start, cal.WeddingDays.End)
	}
	return w, nil
}

// PeakMonth reports whether now's month is in the calendar's peak season:
// the alarm thresholds and budget a stack is applied with hold for the
// month (stacks are re-applied at least monthly to refresh their
// schedules). A month is peak when any of its days is, at noon, in peak
// season rather than off season (wedding days say nothing about the season).
func PeakMonth(cal season.Config, now time.Time) bool {
	loc, err := time.LoadLocation(cal.Timezone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	for d := 1; d <= 31; d++ {
		t := time.Date(local.Year(), local.Month(), d, 12, 0, 0, 0, loc)
		if t.Month() != local.Month() {
			break
		}
		switch cal.StateAt(t).Window {
		case season.WindowPeak:
			return true
		case season.WindowOffSeason:
			return false
		}
	}
	return false
}
