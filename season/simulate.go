package season

import (
	"fmt"
	"sort"
	"time"
)

// Sample is the capacity a cloud would apply at one instant.
type Sample struct {
	Time     time.Time
	Capacity Capacity
}

// sampleTimes lists from, from+step, ... up to but excluding to.
func sampleTimes(from, to time.Time, step time.Duration) ([]time.Time, error) {
	if step <= 0 {
		return nil, fmt.Errorf("simulate: step %s must be positive", step)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("simulate: to (%s) must be after from (%s)", to, from)
	}
	var out []time.Time
	for t := from; t.Before(to); t = t.Add(step) {
		out = append(out, t)
	}
	return out, nil
}

// awsLookback is how far before `from` the AWS simulator looks for actions
// whose effect is still in place; recurring actions without a StartTime
// have fired at least once in any year.
const awsLookback = 400 * 24 * time.Hour

// SimulateAWS evaluates scheduled actions with EC2 Auto Scaling semantics,
// independently of the calendar: every action fires at its StartTime
// (one-time) or at each Recurrence occurrence on TimeZone's wall clock
// within [StartTime, EndTime] (recurring) and sets min, max and desired,
// which stay until the next action. Actions firing at the same instant
// apply in slice order. Before the first action the group has base.
func SimulateAWS(actions []AWSScheduledAction, base Capacity, from, to time.Time, step time.Duration) ([]Sample, error) {
	times, err := sampleTimes(from, to, step)
	if err != nil {
		return nil, err
	}
	type event struct {
		at    time.Time
		order int
		capa  Capacity
	}
	var events []event
	for i, a := range actions {
		capa := Capacity{Min: a.MinSize, Max: a.MaxSize, Desired: a.DesiredCapacity}
		if a.Recurrence == "" {
			if a.StartTime == nil {
				return nil, fmt.Errorf("simulate aws: action %q has neither Recurrence nor StartTime", a.Name)
			}
			events = append(events, event{*a.StartTime, i, capa})
			continue
		}
		spec, err := parseCron(a.Recurrence)
		if err != nil {
			return nil, fmt.Errorf("simulate aws: action %q: %w", a.Name, err)
		}
		loc, err := loadLocation(a.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("simulate aws: action %q: time zone %q: %w", a.Name, a.TimeZone, err)
		}
		lo, hi := from.Add(-awsLookback), to
		if a.StartTime != nil && a.StartTime.After(lo) {
			lo = *a.StartTime
		}
		if a.EndTime != nil && a.EndTime.Before(hi) {
			hi = *a.EndTime
		}
		if hi.Before(lo) {
			continue
		}
		for _, at := range spec.fires(loc, lo, hi) {
			events = append(events, event{at, i, capa})
		}
	}
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].at.Equal(events[j].at) {
			return events[i].at.Before(events[j].at)
		}
		return events[i].order < events[j].order
	})
	out := make([]Sample, 0, len(times))
	current, next := base, 0
	for _, t := range times {
		for next < len(events) && !events[next].at.After(t) {
			current = events[next].capa
			next++
		}
		out = append(out, Sample{Time: t, Capacity: current})
	}
	return out, nil
}
