package season

import (
	"fmt"
	"time"
)

// AWSScheduledAction mirrors an EC2 Auto Scaling scheduled action
// (PutScheduledUpdateGroupAction). A one-time action has no Recurrence and
// fires at StartTime. A recurring one fires at each Recurrence occurrence,
// evaluated on TimeZone's wall clock, within [StartTime, EndTime]. Either
// way it SETS MinSize, MaxSize and DesiredCapacity, which then stay until
// another action fires.
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

// AWSMaxScheduledActions is EC2 Auto Scaling's default quota of scheduled
// actions per group.
const AWSMaxScheduledActions = 125

// AWSScheduledActions turns the calendar into scheduled actions that make
// the group follow CapacityAt exactly from `from` to `to`.
//
// Why dated periods: a recurring action cannot know the season, and a
// season boundary falling inside a wedding window (1 November 2026 is a
// Sunday) must not drop wedding-day capacity. So [from, to) is cut at every
// season boundary and extra-date edge into periods. Each period starts with
// a one-time action setting the calendar's state at that instant, and, if
// no extra date is active in it, carries the weekly wedding-day opening and
// closing actions (with that season's capacities) limited to the period by
// StartTime and EndTime. The recurring actions' bounds exclude the period
// edges by one second, so two actions never fire at the same instant.
//
// AWS rejects actions that start in the past, so `from` must still be in
// the future when the stack is applied (pass, say, the next midnight), and
// the stack must be re-applied before `to` (a one- or two-year horizon
// fits the 125-action quota: about 6 actions per year plus about 4 per extra
// date). An error is returned if the config is invalid or the actions
// exceed the quota.
func (c Config) AWSScheduledActions(from, to time.Time) ([]AWSScheduledAction, error) {
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, fmt.Errorf("aws scheduled actions: to (%s) must be after from (%s)", to, from)
	}
	cal := c.calendar()
	points := []time.Time{from, to}
	points = append(points, cal.seasonBoundaries(from, to)...)
	for _, x := range cal.extras {
		points = append(points, x.start, x.end)
	}
	points = sortedWithin(points, from, to)

	openCron, closeCron := weeklyCron(cal.wedding.start), weeklyCron(cal.wedding.end())
	openSpec, _ := parseCron(openCron)
	closeSpec, _ := parseCron(closeCron)

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
		inner, innerEnd := a.Add(time.Second), b.Add(-time.Second)
		if !innerEnd.After(inner) {
			continue
		}
		seasonCap := cal.seasonState(a).Capacity
		if len(openSpec.fires(cal.loc, inner, innerEnd)) > 0 {
			action("wedding-open-"+stamp, openCron, utcPtr(inner), utcPtr(innerEnd), maxCap(seasonCap, cal.weddingCap))
		}
		if len(closeSpec.fires(cal.loc, inner, innerEnd)) > 0 {
			action("wedding-close-"+stamp, closeCron, utcPtr(inner), utcPtr(innerEnd), seasonCap)
		}
	}
	if len(out) > AWSMaxScheduledActions {
		return nil, fmt.Errorf("aws scheduled actions: %d actions from %s to %s exceed the quota of %d per group; shorten the horizon or drop extra dates",
			len(out), from.Format(time.RFC3339), to.Format(time.RFC3339), AWSMaxScheduledActions)
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
