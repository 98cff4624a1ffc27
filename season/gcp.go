package season

import (
	"fmt"
	"strings"
	"time"
)

// GCPScalingSchedule mirrors a Compute Engine autoscaler scaling schedule
// (autoscalingPolicy.scalingSchedules). From each Schedule occurrence, on
// TimeZone's wall clock, for DurationSec absolute seconds, it raises the
// autoscaler's minimum to MinRequiredReplicas. The effective minimum is the
// largest over the active schedules and the autoscaler's own minimum; the
// maximum is fixed per autoscaler (see GCPAutoscalerLimits).
type GCPScalingSchedule struct {
	Name                string
	Schedule            string
	DurationSec         int
	MinRequiredReplicas int
	TimeZone            string
	Description         string
}

// GCP limits on scaling schedules.
const (
	GCPMaxScalingSchedules = 128
	GCPMinDurationSec      = 300
)

// GCPAutoscalerLimits returns the autoscaler's own minReplicas (the
// off-season minimum, which schedules raise) and maxNumReplicas (the largest
// maximum of any window, since GCP cannot schedule the maximum).
func (c Config) GCPAutoscalerLimits() (minReplicas, maxReplicas int) {
	c.ApplyDefaults()
	k := c.Capacity
	return k.OffSeason.Min, max(k.OffSeason.Max, k.Peak.Max, k.WeddingDay.Max)
}

// GCPScalingSchedules turns the calendar into scaling schedules. GCP can
// only raise the minimum, which is what the calendar's "largest applicable
// window wins" means, so overlapping schedules need no care:
//
//   - peak season is one schedule per peak month, "0 0 1 <month> *", lasting
//     exactly that month in absolute seconds (March in London is 31 days
//     minus the hour the clocks skip). February is 28 days plus a
//     "0 0 29 2 *" schedule that only fires in leap years. An error is
//     returned if a month's length varies across the years from..to (a zone
//     whose rules change), since a schedule has one fixed duration.
//   - the wedding-day window is one weekly schedule lasting its wall-clock
//     length. Known limit: a fixed duration cannot follow a clock change
//     inside the window, so on the two clock-change weekends a year the
//     window ends one hour late (spring: over-provisioned) or one hour
//     early (autumn: the floor drops to the season's for the repeated hour,
//     with reactive autoscaling still on). In New York the spring change
//     lands on the window's end and only autumn is affected. The
//     simulator shows exactly these hours and no others.
//   - each extra date overlapping [from, to) is a dated schedule with the
//     exact duration for that year. Known limit: cron has no year, so it
//     fires again on the same date next year unless the stack is re-applied
//     after the date has passed (the generator drops past dates).
//
// The maximum is not scheduled; DesiredCapacity has no GCP equivalent.
func (c Config) GCPScalingSchedules(from, to time.Time) ([]GCPScalingSchedule, error) {
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, fmt.Errorf("gcp scaling schedules: to (%s) must be after from (%s)", to, from)
	}
	cal := c.calendar()
	var out []GCPScalingSchedule
	add := func(name, schedule string, dur time.Duration, minReplicas int, desc string) error {
		sec := int(dur / time.Second)
		if sec < GCPMinDurationSec {
			return fmt.Errorf("gcp scaling schedule %q lasts %ds; GCP requires at least %ds, so make the window at least 5 minutes long", name, sec, GCPMinDurationSec)
		}
		out = append(out, GCPScalingSchedule{Name: name, Schedule: schedule, DurationSec: sec, MinRequiredReplicas: minReplicas, TimeZone: cal.zone, Description: desc})
		return nil
	}

	peakMin := cal.peakCap.Min
	firstYear, lastYear := from.In(cal.loc).Year(), to.In(cal.loc).Year()
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
		dur, err := cal.constantDuration(m, 1, days, firstYear, lastYear, func(int) bool { return true })
		if err != nil {
			return nil, err
		}
		if err := add(name, dateCron(m, 1, 0), dur, peakMin, desc); err != nil {
			return nil, err
		}
		if m == time.February {
			dur, err := cal.constantDuration(m, 29, 1, firstYear, lastYear+8, isLeap)
			if err != nil {
				return nil, err
			}
			if err := add(name+"-leap-day", dateCron(m, 29, 0), dur, peakMin, "Peak season: 29 February in leap years ("+cal.zone+")"); err != nil {
				return nil, err
			}
		}
	}

	w := cal.wedding
	nominal := time.Duration(w.spanDays*24*60+w.endMinute-w.start.minute) * time.Minute
	if err := add("wedding-day", weeklyCron(w.start), nominal, cal.weddingCap.Min,
		fmt.Sprintf("Wedding day: %s to %s (%s)", c.WeddingDays.Start, c.WeddingDays.End, cal.zone)); err != nil {
		return nil, err
	}

	for i, x := range cal.extras {
		if !x.end.After(from) || !x.start.Before(to) {
			continue
		}
		ls := x.start.In(cal.loc)
		name := fmt.Sprintf("extra-%s-%d", ls.Format("20060102"), i)
		if err := add(name, dateCron(ls.Month(), ls.Day(), ls.Hour()*60+ls.Minute()), x.end.Sub(x.start), cal.weddingCap.Min,
			fmt.Sprintf("%s: %s (%s)", x.name, ls.Format("2006-01-02 15:04"), cal.zone)); err != nil {
			return nil, err
		}
	}
	if len(out) > GCPMaxScalingSchedules {
		return nil, fmt.Errorf("gcp scaling schedules: %d schedules exceed GCP's limit of %d per autoscaler; drop extra dates", len(out), GCPMaxScalingSchedules)
	}
	return out, nil
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// constantDuration is the absolute length of the local period starting at
// midnight on day d of month m and lasting `days` local days (0: until the
// first of the next month), which must be the same in every year in
// [firstYear, lastYear] that `use` selects.
func (cal *calendar) constantDuration(m time.Month, d, days, firstYear, lastYear int, use func(int) bool) (time.Duration, error) {
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
		got := end.Sub(start)
		if seen && got != dur {
			return 0, fmt.Errorf("gcp scaling schedules: %s %d in %s lasts %s in one year and %s in another; a GCP schedule has one fixed duration, so this zone's peak months cannot be expressed", m, d, cal.zone, dur, got)
		}
		dur, seen = got, true
	}
	return dur, nil
}

// gcpLookback bounds how long before `from` a schedule may have started and
// still be active: longer than the longest month.
const gcpLookback = 40 * 24 * time.Hour

// SimulateGCP evaluates scaling schedules with the GCP autoscaler's
// semantics, independently of the calendar: a schedule is active from each
// cron occurrence (on its TimeZone's wall clock) for DurationSec seconds;
// the minimum is the largest of minReplicas and the active schedules'
// MinRequiredReplicas; the maximum is maxReplicas. GCP has no scheduled
// desired size; Desired reports the minimum, where the autoscaler starts
// before utilisation moves it.
func SimulateGCP(schedules []GCPScalingSchedule, minReplicas, maxReplicas int, from, to time.Time, step time.Duration) ([]Sample, error) {
	times, err := sampleTimes(from, to, step)
	if err != nil {
		return nil, err
	}
	type active struct {
		start, end time.Time
		min        int
	}
	var intervals []active
	for _, s := range schedules {
		spec, err := parseCron(s.Schedule)
		if err != nil {
			return nil, fmt.Errorf("simulate gcp: schedule %q: %w", s.Name, err)
		}
		loc, err := loadLocation(s.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("simulate gcp: schedule %q: time zone %q: %w", s.Name, s.TimeZone, err)
		}
		dur := time.Duration(s.DurationSec) * time.Second
		lookback := max(gcpLookback, dur)
		for _, at := range spec.fires(loc, from.Add(-lookback), to) {
			intervals = append(intervals, active{at, at.Add(dur), s.MinRequiredReplicas})
		}
	}
	out := make([]Sample, 0, len(times))
	for _, t := range times {
		m := minReplicas
		for _, iv := range intervals {
			if !t.Before(iv.start) && t.Before(iv.end) && iv.min > m {
				m = iv.min
			}
		}
		out = append(out, Sample{Time: t, Capacity: Capacity{Min: m, Max: maxReplicas, Desired: m}})
	}
	return out, nil
}
