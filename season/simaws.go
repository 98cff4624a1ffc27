package season

import (
	"fmt"
	"sort"
	"time"
)

// SimulateAWS is EC2 Auto Scaling read from its documentation, independently
// of the calendar and the generator. Each rule names its page:
//
//   - [sched] "Scheduled scaling for Amazon EC2 Auto Scaling" (User Guide,
//     ec2-auto-scaling-scheduled-scaling): an action sets min, max and
//     desired at its time, and they stay until another action; "If you
//     specify a start time, Amazon EC2 Auto Scaling performs the action at
//     this time, and then performs the action based on the specified
//     recurrence"; "If you specify an end time, the action stops repeating
//     after this time"; recurring schedules are in UTC unless a time zone is
//     given, and "When you specify a time zone that observes Daylight Saving
//     Time (DST), the action automatically adjusts for DST" (8:00 AM local is
//     UTC-5 before the change and UTC-4 after); "A scheduled action must
//     have a unique time value" (a second action at the same start time is
//     rejected); the names are unique per group; at most 125 actions per
//     group; an action "might be delayed for up to two minutes".
//   - [api] PutScheduledUpdateGroupAction (API Reference): Recurrence is
//     Unix cron, "[Minute] [Hour] [Day_of_Month] [Month_of_Year]
//     [Day_of_Week]" per crontab.org, where a day matches when either
//     restricted day field matches; StartTime and EndTime are UTC; "If you
//     try to schedule the action in the past, Amazon EC2 Auto Scaling
//     returns an error message".
//
// The documentation does not say what a recurrence does at a local time
// the clocks skip or repeat, so such a firing is read every plausible way
// and an error is returned when the outcome depends on it. Two actions with
// different capacities firing within the same minute are an error too: the
// delay above makes their order, and so the group's size, a matter of
// chance.
//
// Recurring actions without a StartTime are taken to have existed for more
// than a year before from (a running group); base is the group's capacity
// before the first action in that time.
func SimulateAWS(actions []AWSScheduledAction, base Capacity, from, to time.Time, step time.Duration) ([]Sample, error) {
	return simulateAWS(actions, base, time.Time{}, from, to, step)
}

// AWS limits, from the pages above.
const (
	AWSMaxScheduledActions = 125
	// awsSameMinute is how close two firings may be before their order
	// is left to chance.
	awsSameMinute = time.Minute
	// awsLookback is how far back a running group's recurrences fired.
	awsLookback = 400 * 24 * time.Hour
)

// simulateAWS is SimulateAWS for a group whose actions were put at
// created (zero: long before from): recurrences without a StartTime fire
// only after it, and an action starting at or before it is rejected.
func simulateAWS(actions []AWSScheduledAction, base Capacity, created, from, to time.Time, step time.Duration) ([]Sample, error) {
	times, err := sampleTimes(from, to, step)
	if err != nil {
		return nil, err
	}
	c, err := awsSimulation(actions, base, created, from, to)
	if err != nil {
		return nil, err
	}
	return c.samples(times), nil
}

// awsSimulation is the group's capacity over [from, to) as a step curve.
func awsSimulation(actions []AWSScheduledAction, base Capacity, created, from, to time.Time) (curve, error) {
	if err := checkAWSActions(actions, created); err != nil {
		return curve{}, err
	}
	return simulateReadings("aws", "EC2 Auto Scaling documents only that recurring actions adjust for DST", from,
		func(r reading) (curve, ambiguities, error) { return awsCurve(actions, base, created, from, to, r) })
}

// checkAWSActions applies what AWS checks when actions are put [sched][api].
func checkAWSActions(actions []AWSScheduledAction, created time.Time) error {
	if len(actions) > AWSMaxScheduledActions {
		return fmt.Errorf("simulate aws: %d scheduled actions; EC2 Auto Scaling allows %d per Auto Scaling group", len(actions), AWSMaxScheduledActions)
	}
	names := map[string]bool{}
	starts := map[time.Time]string{}
	for _, a := range actions {
		if names[a.Name] {
			return fmt.Errorf("simulate aws: two actions are named %q; names must be unique per group", a.Name)
		}
		names[a.Name] = true
		if a.StartTime == nil {
			if a.Recurrence == "" {
				return fmt.Errorf("simulate aws: action %q has neither Recurrence nor StartTime", a.Name)
			}
			continue
		}
		at := a.StartTime.UTC()
		if other, dup := starts[at]; dup {
			return fmt.Errorf("simulate aws: actions %q and %q both start at %s; AWS rejects a second action at a time another is scheduled", other, a.Name, at.Format(time.RFC3339))
		}
		starts[at] = a.Name
		if !created.IsZero() && !at.After(created) {
			return fmt.Errorf("simulate aws: action %q starts at %s, not after the actions were put (%s); AWS rejects it", a.Name, at.Format(time.RFC3339), created.Format(time.RFC3339))
		}
		if a.EndTime != nil && !a.EndTime.After(at) {
			return fmt.Errorf("simulate aws: action %q ends (%s) before it starts (%s)", a.Name, a.EndTime.UTC().Format(time.RFC3339), at.Format(time.RFC3339))
		}
	}
	return nil
}

type awsEvent struct {
	at     time.Time
	order  int
	action string
	capa   Capacity
}

// awsCurve is the group's capacity over [from, to) under reading r.
func awsCurve(actions []AWSScheduledAction, base Capacity, created, from, to time.Time, r reading) (curve, ambiguities, error) {
	var events []awsEvent
	var amb ambiguities
	for i, a := range actions {
		capa := Capacity{Min: a.MinSize, Max: a.MaxSize, Desired: a.DesiredCapacity}
		add := func(at time.Time) { events = append(events, awsEvent{at, i, a.Name, capa}) }
		if a.StartTime != nil {
			add(*a.StartTime) // [sched] performs the action at this time
		}
		if a.Recurrence == "" {
			continue
		}
		fires, err := awsRecurrence(a, created, from, to, r, &amb)
		if err != nil {
			return curve{}, amb, err
		}
		for _, at := range fires {
			add(at)
		}
	}
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].at.Equal(events[j].at) {
			return events[i].at.Before(events[j].at)
		}
		return events[i].order < events[j].order
	})
	for i := range events {
		for j := i + 1; j < len(events) && events[j].at.Sub(events[i].at) < awsSameMinute; j++ {
			if events[j].action != events[i].action && events[j].capa != events[i].capa {
				return curve{}, amb, fmt.Errorf("simulate aws: actions %q (%s) and %q (%s) fire within a minute of each other with different capacities; AWS may delay an action by up to two minutes, so which one the group keeps is left to chance",
					events[i].action, events[i].at.UTC().Format(time.RFC3339), events[j].action, events[j].at.UTC().Format(time.RFC3339))
			}
		}
	}
	c := curve{initial: base}
	for _, e := range events {
		if e.at.After(from) {
			c.changes = append(c.changes, change{e.at, e.capa})
		} else {
			c.initial = e.capa
		}
	}
	return c, amb, nil
}

// awsRecurrence lists the firings of a's recurrence after its StartTime
// (or after created, or for a year before from) up to its EndTime (or to),
// on its time zone's wall clock.
func awsRecurrence(a AWSScheduledAction, created, from, to time.Time, r reading, amb *ambiguities) ([]time.Time, error) {
	spec, err := parseSimCron(a.Recurrence, false)
	if err != nil {
		return nil, fmt.Errorf("simulate aws: action %q: %w", a.Name, err)
	}
	zone := a.TimeZone
	if zone == "" {
		zone = "UTC" // [sched] recurring schedules are in UTC by default
	}
	loc, err := loadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("simulate aws: action %q: time zone %q: %w", a.Name, zone, err)
	}
	after := from.Add(-awsLookback)
	if !created.IsZero() {
		after = created
	}
	if a.StartTime != nil {
		after = *a.StartTime // the start-time run stands for any firing at that instant
	}
	last := to
	if a.EndTime != nil && a.EndTime.Before(last) {
		last = *a.EndTime
	}
	if last.Before(after) {
		return nil, nil
	}
	var out []time.Time
	for _, day := range localDays(loc, after, last) {
		if !awsDayMatches(spec, day) {
			continue
		}
		y, m, d := day.Date()
		for _, minute := range spec.times() {
			facts := readWall(loc, y, m, d, minute)
			if facts.within(after, last) {
				amb.note(fmt.Sprintf("action %q (%q)", a.Name, a.Recurrence), facts, loc, y, m, d, minute)
			}
			for _, at := range facts.instants(r) {
				if at.After(after) && !at.After(last) {
					out = append(out, at)
				}
			}
		}
	}
	return out, nil
}

// awsDayMatches is crontab's day rule [api]: the month must match, and
// when both day fields are restricted either may match.
func awsDayMatches(c simCron, day time.Time) bool {
	if !c.yearAndMonth(day) {
		return false
	}
	dom, dow := c.dom.has(day.Day()), c.dow.has(int(day.Weekday()))
	switch {
	case c.dom.star && c.dow.star:
		return true
	case c.dom.star:
		return dow
	case c.dow.star:
		return dom
	default:
		return dom || dow
	}
}
