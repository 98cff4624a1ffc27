package season

import (
	"fmt"
	"strings"
	"time"
)

// GCPScalingSchedule mirrors a Compute Engine autoscaler scaling schedule
// (autoscalingPolicy.scalingSchedules). From each Schedule firing, on
// TimeZone's wall clock, for DurationSec seconds of elapsed time, it raises
// the autoscaler's minimum to MinRequiredReplicas. The effective minimum is
// the largest over the active schedules and the autoscaler's own minimum;
// the maximum is fixed per autoscaler (see GCPAutoscalerLimits).
// SimulateGCP reads them as GCP does.
type GCPScalingSchedule struct {
	Name                string
	Schedule            string
	DurationSec         int
	MinRequiredReplicas int
	TimeZone            string
	Description         string
}

// GCPAutoscalerLimits returns the autoscaler's own minReplicas (the
// off-season minimum, which schedules raise) and maxNumReplicas (the largest
// maximum of any window, since GCP cannot schedule the maximum).
func (c Config) GCPAutoscalerLimits() (minReplicas, maxReplicas int) {
	c.ApplyDefaults()
	k := c.Capacity
	return k.OffSeason.Min, max(k.OffSeason.Max, k.Peak.Max, k.WeddingDay.Max)
}

// GCPScalingSchedules turns the calendar into scaling schedules whose
// minimum is the calendar's at every minute from `from` to `to`. GCP can
// only raise the minimum, which is what the calendar's "largest applicable
// window wins" means, so overlapping schedules need no care. A schedule
// lasts a fixed number of seconds, so a recurring one is exact only in the
// weeks (or years) where the local window always lasts as long; elsewhere
// the generator writes a one-time schedule (cron with the year field, in
// UTC so no wall time is ambiguous) with that occurrence's exact length:
//
//   - peak season is one yearly schedule per peak month, "0 0 1 <month> *",
//     lasting that month in elapsed seconds (March in London is 31 days
//     minus the hour the clocks skip), with February as 28 days plus a
//     "0 0 29 2 *" schedule that fires only in leap years. A month whose
//     length or local midnight is not the same in every year of the horizon
//     gets one-time schedules instead.
//   - the wedding window is a weekly schedule lasting its wall-clock length,
//     restricted to the months in which no occurrence of the horizon
//     contains a clock change or opens at a skipped or repeated local time.
//     In the other months (March and October in London, March and
//     November in New York) each occurrence is a one-time schedule, so the
//     floor never drops early in the repeated hour (a wedding night: 31
//     October 2027 01:00-02:00 GMT) nor stays late after a skipped one.
//   - each extra date overlapping [from, to) is a one-time schedule; it
//     fires once, not again a year later.
//
// The maximum is not scheduled; DesiredCapacity has no GCP equivalent.
// Past `to` the one-time schedules are spent and the weekly one skips the
// clock-change months: re-apply the stack before then. An error is
// returned if the config is invalid, a window is shorter than GCP's five
// minutes, or the schedules exceed GCP's 128 per autoscaler.
func (c Config) GCPScalingSchedules(from, to time.Time) ([]GCPScalingSchedule, error) {
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, fmt.Errorf("gcp scaling schedules: to (%s) must be after from (%s)", to, from)
	}
	g := &gcpPlan{cal: c.calendar(), from: from, to: to}
	g.peak()
	g.wedding(c.WeddingDays)
	g.extras()
	if g.err != nil {
		return nil, g.err
	}
	if n := len(g.out); n > GCPMaxScalingSchedules {
		return nil, fmt.Errorf("extraDates: the calendar from %s to %s needs %d scaling schedules (with %d extra dates); GCP allows %d scaling schedules per autoscaler: drop extra dates",
			from.In(g.cal.loc).Format("2006-01-02"), to.In(g.cal.loc).Format("2006-01-02"), n, len(g.cal.extras), GCPMaxScalingSchedules)
	}
	return g.out, nil
}

// gcpPlan collects the schedules and the first error.
type gcpPlan struct {
	cal      *calendar
	from, to time.Time
	out      []GCPScalingSchedule
	err      error
}

func (g *gcpPlan) add(name, schedule, zone string, dur time.Duration, minReplicas int, desc string) {
	if g.err != nil {
		return
	}
	sec := int(dur / time.Second)
	if sec < GCPMinDurationSec {
		g.err = fmt.Errorf("gcp scaling schedule %q lasts %ds; GCP requires at least %ds, so make the window at least 5 minutes long", name, sec, GCPMinDurationSec)
		return
	}
	g.out = append(g.out, GCPScalingSchedule{Name: name, Schedule: schedule, DurationSec: sec, MinRequiredReplicas: minReplicas, TimeZone: zone, Description: desc})
}

// once adds a one-time schedule for [start, end).
func (g *gcpPlan) once(name string, start, end time.Time, minReplicas int, desc string) {
	g.add(name, onceCron(start), "UTC", end.Sub(start), minReplicas, fmt.Sprintf("%s, once: %s (%s)", desc, start.In(g.cal.loc).Format("2006-01-02 15:04"), g.cal.zone))
}

func (g *gcpPlan) overlaps(start, end time.Time) bool {
	return end.After(g.from) && start.Before(g.to)
}

// peak adds the peak-season schedules.
func (g *gcpPlan) peak() {
	cal := g.cal
	firstYear, lastYear := g.from.In(cal.loc).Year(), g.to.In(cal.loc).Year()
	for m := time.January; m <= time.December; m++ {
		if !cal.peak[m] {
			continue
		}
		name := "peak-" + strings.ToLower(m.String()[:3])
		desc := fmt.Sprintf("Peak season: %s (%s)", m, cal.zone)
		days := 0 // 0 means "to the first of next month"
		if m == time.February {
			days = 28
		}
		dur, ok := cal.yearlyDuration(m, 1, days, firstYear, lastYear, func(int) bool { return true })
		leapDur, leapOK := time.Duration(0), true
		if m == time.February {
			leapDur, leapOK = cal.yearlyDuration(m, 29, 1, firstYear, lastYear+8, isLeap)
		}
		if !ok || !leapOK {
			// Not the same every year: one schedule per month of the horizon.
			for y := firstYear; y <= lastYear; y++ {
				start, end := wallClock(y, m, 1, 0, cal.loc), wallClock(y, m+1, 1, 0, cal.loc)
				if g.overlaps(start, end) {
					g.once(fmt.Sprintf("%s-%d", name, y), start, end, cal.peakCap.Min, desc)
				}
			}
			continue
		}
		g.add(name, dateCron(m, 1, 0), cal.zone, dur, cal.peakCap.Min, desc)
		if m == time.February {
			g.add(name+"-leap-day", dateCron(m, 29, 0), cal.zone, leapDur, cal.peakCap.Min, "Peak season: 29 February in leap years ("+cal.zone+")")
		}
	}
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// yearlyDuration is the elapsed length of the local period starting at
// midnight on day d of month m and lasting `days` local days (0: until the
// first of the next month), if it is the same, and its start is an
// unambiguous wall time, in every year in [firstYear, lastYear] that use
// selects.
func (cal *calendar) yearlyDuration(m time.Month, d, days, firstYear, lastYear int, use func(int) bool) (time.Duration, bool) {
	var dur time.Duration
	seen := false
	for y := firstYear; y <= lastYear; y++ {
		if !use(y) {
			continue
		}
		start := wallClock(y, m, d, 0, cal.loc)
		end := wallClock(y, m+1, 1, 0, cal.loc)
		if days > 0 {
			end = wallClock(y, m, d+days, 0, cal.loc)
		}
		if !wallIsUnique(start, 0, cal.loc) || (seen && end.Sub(start) != dur) {
			return 0, false
		}
		dur, seen = end.Sub(start), true
	}
	return dur, true
}

// wedding adds the wedding-window schedules.
func (g *gcpPlan) wedding(window WeeklyWindow) {
	cal, w := g.cal, g.cal.wedding
	nominal := time.Duration(w.spanDays*24*60+w.endMinute-w.start.minute) * time.Minute
	desc := fmt.Sprintf("Wedding day: %s to %s", window.Start, window.End)
	type dated struct{ start, end, day time.Time }
	var occ []dated
	var irregular [13]bool
	w.eachOccurrence(g.from, g.to, cal.loc, func(start, end, day time.Time) {
		occ = append(occ, dated{start, end, day})
		if end.Sub(start) != nominal || !wallIsUnique(start, w.start.minute, cal.loc) {
			irregular[day.Month()] = true
		}
	})
	var months []int
	for m := 1; m <= 12; m++ {
		if !irregular[m] {
			months = append(months, m)
		}
	}
	switch {
	case len(months) == 12:
		g.add("wedding-day", weeklyCron(w.start), cal.zone, nominal, cal.weddingCap.Min, desc+" ("+cal.zone+")")
	case len(months) > 0:
		g.add("wedding-day", weeklyCronInMonths(w.start, months), cal.zone, nominal, cal.weddingCap.Min,
			fmt.Sprintf("%s (%s), in the months without a clock change", desc, cal.zone))
	}
	for _, o := range occ {
		if irregular[o.day.Month()] {
			g.once("wedding-day-"+o.day.Format("20060102"), o.start, o.end, cal.weddingCap.Min, desc)
		}
	}
}

// extras adds one one-time schedule per extra date in the horizon.
func (g *gcpPlan) extras() {
	for i, x := range g.cal.extras {
		if g.overlaps(x.start, x.end) {
			name := fmt.Sprintf("extra-%s-%d", x.start.In(g.cal.loc).Format("20060102"), i)
			g.once(name, x.start, x.end, g.cal.weddingCap.Min, x.name)
		}
	}
}
