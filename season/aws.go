package season

import (
	"fmt"
	"time"
)

// AWSScheduledAction mirrors an EC2 Auto Scaling scheduled action
// (PutScheduledUpdateGroupAction). A one-time action has no Recurrence and
// fires at StartTime. A recurring one fires at StartTime, if set, and then
// at each Recurrence occurrence, evaluated on TimeZone's wall clock, up to
// EndTime. Either way it SETS MinSize, MaxSize and DesiredCapacity, which
// then stay until another action fires. SimulateAWS reads them as AWS does.
type AWSScheduledAction struct {
	Name            string
	Recurrence      string
	StartTime       *time.Time // UTC
	EndTime         *time.Time // UTC
	TimeZone        string
	MinSize         int
	MaxSize         int
	DesiredCapacity int
}

// AWSScheduledActions turns the calendar into scheduled actions that make
// the group follow CapacityAt exactly from `from` to `to`.
//
// Why dated periods: a recurring action cannot know the season, and a
// season boundary falling inside a wedding window (1 November 2026 is a
// Sunday) must not drop wedding-day capacity. So [from, to) is cut into
// periods at every season boundary and extra-date edge. Each period starts
// with a one-time action setting the calendar's state at that instant and,
// if no extra date is active in it, carries the weekly wedding-day opening
// and closing actions (with that season's capacities).
//
// AWS runs a recurring action at its StartTime and then on the recurrence,
// so each recurring action starts at its first occurrence in the period
// (never at the period's start, where the one-time action already sets the
// state; two actions there would fire in the same second in an order AWS
// does not promise) and ends a minute after its last one.
//
// AWS does not document what a recurrence does at a local time the clocks
// skip or repeat (a wedding close at Sun 02:00 in New York on the
// spring-forward Sunday), so a period is also cut at every opening or
// closing that falls on one, and a one-time action at the calendar's
// instant does the job there.
//
// AWS rejects actions that start in the past, so `from` must still be in
// the future when the stack is applied (see AWSActionsAt), and the stack
// must be re-applied before `to`. from and to must be whole minutes.
// An error is returned if the config is invalid or the actions exceed the
// quota of 125 per group (about 6 a year plus up to 6 per extra date).
func (c Config) AWSScheduledActions(from, to time.Time) ([]AWSScheduledAction, error) {
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, fmt.Errorf("aws scheduled actions: to (%s) must be after from (%s)", to, from)
	}
	if !from.Truncate(time.Minute).Equal(from) || !to.Truncate(time.Minute).Equal(to) {
		return nil, fmt.Errorf("aws scheduled actions: from (%s) and to (%s) must be whole minutes", from, to)
	}
	cal := c.calendar()
	w := cal.wedding
	occ := w.occurrences(from, to, cal.loc)
	points := []time.Time{from, to}
	points = append(points, cal.seasonBoundaries(from, to)...)
	for _, x := range cal.extras {
		points = append(points, x.start, x.end)
	}
	for _, o := range occ {
		if !wallIsUnique(o.start, w.start.minute, cal.loc) {
			points = append(points, o.start)
		}
		if !wallIsUnique(o.end, w.endMinute, cal.loc) {
			points = append(points, o.end)
		}
	}
	points = sortedWithin(points, from, to)

	var out []AWSScheduledAction
	action := func(name, rec string, start, end *time.Time, capa Capacity) {
		out = append(out, AWSScheduledAction{
			Name: name, Recurrence: rec, StartTime: start, EndTime: end, TimeZone: cal.zone,
			MinSize: capa.Min, MaxSize: capa.Max, DesiredCapacity: capa.Desired,
		})
	}
	for i := 0; i+1 < len(points); i++ {
		a, b := points[i], points[i+1]
		stamp := a.In(cal.loc).Format("20060102T1504")
		action("season-"+stamp, "", utcPtr(a), nil, cal.state(a).Capacity)
		if cal.extraOverlaps(a, b) {
			continue
		}
		var opens, closes []time.Time
		for _, o := range occ {
			if o.start.After(a) && o.start.Before(b) {
				opens = append(opens, o.start)
			}
			if o.end.After(a) && o.end.Before(b) {
				closes = append(closes, o.end)
			}
		}
		seasonCap := cal.seasonState(a).Capacity
		if n := len(opens); n > 0 {
			action("wedding-open-"+stamp, weeklyCron(w.start), utcPtr(opens[0]), utcPtr(opens[n-1].Add(time.Minute)), maxCap(seasonCap, cal.weddingCap))
		}
		if n := len(closes); n > 0 {
			action("wedding-close-"+stamp, weeklyCron(w.end()), utcPtr(closes[0]), utcPtr(closes[n-1].Add(time.Minute)), seasonCap)
		}
	}
	if len(out) > AWSMaxScheduledActions {
		return nil, fmt.Errorf("extraDates: the calendar from %s to %s needs %d scheduled actions (with %d extra dates); EC2 Auto Scaling allows %d scheduled actions per Auto Scaling group: drop extra dates (each costs up to 6)",
			from.In(cal.loc).Format("2006-01-02"), to.In(cal.loc).Format("2006-01-02"), len(out), len(cal.extras), AWSMaxScheduledActions)
	}
	return out, nil
}

func utcPtr(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}

// extraOverlaps reports whether an extra date overlaps [a, b).
func (cal *calendar) extraOverlaps(a, b time.Time) bool {
	for _, x := range cal.extras {
		if x.start.Before(b) && x.end.After(a) {
			return true
		}
	}
	return false
}
