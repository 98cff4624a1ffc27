package season

import "time"

// HorizonMonths is how far ahead a stack writes its schedules.
const HorizonMonths = 13

// Horizon is the span a stack generates schedules for when it plans at now:
// from midnight on the first day of now's month, in the calendar's zone, for
// HorizonMonths months.
//
// It depends on the month only, never on the hour, so the same program run
// twice in a month writes identical schedules (no perpetual diff in
// `pulumi preview`), and a stack re-applied at least monthly always has more
// than a year of schedules ahead of it.
func (c Config) Horizon(now time.Time) (from, to time.Time) {
	cal := c.calendar()
	l := now.In(cal.loc)
	return wallClock(l.Year(), l.Month(), 1, 0, cal.loc), wallClock(l.Year(), l.Month()+HorizonMonths, 1, 0, cal.loc)
}

// AWSActionsAt adapts actions generated for a Horizon to what EC2 Auto
// Scaling accepts at now, since it rejects a StartTime or EndTime in the
// past:
//
//   - one-time actions that are due at or before now are dropped (they
//     have fired, or the group was created at the capacity they set);
//   - recurring actions that have ended are dropped;
//   - recurring actions that have started lose their StartTime, which AWS
//     reads as "recur from now on", and keep their EndTime.
//
// The result changes only when now passes an action's start or end, so runs
// an hour apart produce identical actions unless an action fell due in
// between. actions is not modified.
func AWSActionsAt(actions []AWSScheduledAction, now time.Time) []AWSScheduledAction {
	out := make([]AWSScheduledAction, 0, len(actions))
	for _, a := range actions {
		if a.Recurrence == "" {
			if a.StartTime != nil && a.StartTime.After(now) {
				out = append(out, a)
			}
			continue
		}
		if a.EndTime != nil && !a.EndTime.After(now) {
			continue
		}
		if a.StartTime != nil && !a.StartTime.After(now) {
			a.StartTime = nil
		}
		out = append(out, a)
	}
	return out
}
