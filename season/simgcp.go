package season

import (
	"fmt"
	"sort"
	"time"
)

// SimulateGCP is the Compute Engine autoscaler's scaling schedules read from
// their documentation, independently of the calendar and the generator:
//
//   - [ref] AutoscalingPolicyScalingSchedule (Compute Engine API reference):
//     schedule is "the start timestamps of time intervals" in "the extended
//     cron format (with an optional year field)"; "The expression can
//     describe a single timestamp if the optional year is set, in which case
//     the scaling schedule runs once"; it "is interpreted with respect to
//     time_zone", a tz database name, "UTC" if empty; durationSec is "the
//     duration of time intervals, in seconds", at least 300;
//     minRequiredReplicas is "the minimum number of VM instances that the
//     autoscaler will recommend in time intervals starting according to
//     schedule".
//   - [limits] "Scaling based on schedules" (Compute Engine docs,
//     autoscaler/scaling-schedules): up to 128 scaling schedules per MIG;
//     the minimum duration is 5 minutes.
//   - [signals] "Using an autoscaling policy with multiple signals"
//     (autoscaler/multiple-signals): each schedule is a signal, and the
//     autoscaler follows the signal that gives the largest number of VMs,
//     within the autoscaler's own minReplicas and maxReplicas.
//
// So a schedule is active from each cron firing, on its zone's wall clock,
// for DurationSec seconds of elapsed time, whatever clock change falls
// inside. The maximum is the autoscaler's; GCP has no scheduled desired
// size, so Desired reports the minimum, where the autoscaler starts before
// utilisation moves it.
//
// Not documented, so not guessed: a firing at a local time the clocks skip
// or repeat (read every plausible way; an error when the outcome differs),
// and how day-of-month and day-of-week combine when both are restricted (an
// error).
func SimulateGCP(schedules []GCPScalingSchedule, minReplicas, maxReplicas int, from, to time.Time, step time.Duration) ([]Sample, error) {
	times, err := sampleTimes(from, to, step)
	if err != nil {
		return nil, err
	}
	c, err := gcpSimulation(schedules, minReplicas, maxReplicas, from, to)
	if err != nil {
		return nil, err
	}
	return c.samples(times), nil
}

// gcpSimulation is the autoscaler's limits over [from, to) as a step curve.
func gcpSimulation(schedules []GCPScalingSchedule, minReplicas, maxReplicas int, from, to time.Time) (curve, error) {
	if err := checkGCPSchedules(schedules); err != nil {
		return curve{}, err
	}
	return simulateReadings("gcp", "GCP documents only that a schedule is interpreted in its time zone", from,
		func(r reading) (curve, ambiguities, error) {
			return gcpCurve(schedules, minReplicas, maxReplicas, from, to, r)
		})
}

// GCP limits [limits][ref].
const (
	GCPMaxScalingSchedules = 128
	GCPMinDurationSec      = 300
)

func checkGCPSchedules(schedules []GCPScalingSchedule) error {
	if len(schedules) > GCPMaxScalingSchedules {
		return fmt.Errorf("simulate gcp: %d scaling schedules; GCP allows %d per autoscaler", len(schedules), GCPMaxScalingSchedules)
	}
	names := map[string]bool{}
	for _, s := range schedules {
		if names[s.Name] {
			return fmt.Errorf("simulate gcp: two schedules are named %q; the API keys schedules by name", s.Name)
		}
		names[s.Name] = true
		if s.DurationSec < GCPMinDurationSec {
			return fmt.Errorf("simulate gcp: schedule %q lasts %ds; GCP requires at least %ds", s.Name, s.DurationSec, GCPMinDurationSec)
		}
	}
	return nil
}

// gcpInterval is one firing of a schedule.
type gcpInterval struct {
	start, end time.Time
	min        int
}

// gcpCurve is the autoscaler's minimum over [from, to) under reading r.
func gcpCurve(schedules []GCPScalingSchedule, minReplicas, maxReplicas int, from, to time.Time, r reading) (curve, ambiguities, error) {
	var amb ambiguities
	var intervals []gcpInterval
	for _, s := range schedules {
		fires, err := gcpFirings(s, from, to, r, &amb)
		if err != nil {
			return curve{}, amb, err
		}
		dur := time.Duration(s.DurationSec) * time.Second
		for _, at := range fires {
			if at.Add(dur).After(from) {
				intervals = append(intervals, gcpInterval{at, at.Add(dur), s.MinRequiredReplicas})
			}
		}
	}
	// Sweep the interval edges, keeping how many active intervals ask
	// for each minimum.
	type edge struct {
		at    time.Time
		min   int
		delta int
	}
	var edges []edge
	for _, iv := range intervals {
		edges = append(edges, edge{iv.start, iv.min, 1}, edge{iv.end, iv.min, -1})
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].at.Before(edges[j].at) })
	active := map[int]int{}
	level := func() Capacity {
		m := minReplicas
		for v, n := range active {
			if n > 0 && v > m {
				m = v
			}
		}
		return Capacity{Min: m, Max: maxReplicas, Desired: m}
	}
	c := curve{initial: level()}
	for i := 0; i < len(edges); {
		at := edges[i].at
		for ; i < len(edges) && edges[i].at.Equal(at); i++ {
			active[edges[i].min] += edges[i].delta
		}
		if !at.After(from) {
			c.initial = level()
			continue
		}
		if at.Before(to) {
			c.changes = append(c.changes, change{at, level()})
		}
	}
	return c, amb, nil
}

// gcpFirings lists when s starts an interval that could reach [from, to).
func gcpFirings(s GCPScalingSchedule, from, to time.Time, r reading, amb *ambiguities) ([]time.Time, error) {
	spec, err := parseSimCron(s.Schedule, true)
	if err != nil {
		return nil, fmt.Errorf("simulate gcp: schedule %q: %w", s.Name, err)
	}
	if !spec.dom.star && !spec.dow.star {
		return nil, fmt.Errorf("simulate gcp: schedule %q (%q) restricts both day-of-month and day-of-week; GCP does not document how they combine", s.Name, s.Schedule)
	}
	zone := s.TimeZone
	if zone == "" {
		zone = "UTC" // [ref] the default
	}
	loc, err := loadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("simulate gcp: schedule %q: time zone %q: %w", s.Name, zone, err)
	}
	after := from.Add(-time.Duration(s.DurationSec) * time.Second)
	var out []time.Time
	for _, day := range localDays(loc, after, to) {
		if !spec.yearAndMonth(day) || !spec.dom.has(day.Day()) || !spec.dow.has(int(day.Weekday())) {
			continue
		}
		y, m, d := day.Date()
		for _, minute := range spec.times() {
			facts := readWall(loc, y, m, d, minute)
			if facts.within(after, to) {
				amb.note(fmt.Sprintf("schedule %q (%q)", s.Name, s.Schedule), facts, loc, y, m, d, minute)
			}
			for _, at := range facts.instants(r) {
				if at.After(after) && at.Before(to) {
					out = append(out, at)
				}
			}
		}
	}
	return out, nil
}
