package season

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The generators write, and the simulators read, a small documented subset
// of 5-field unix cron that AWS scheduled actions and GCP scaling schedules
// both accept: "minute hour day-of-month month day-of-week", each field "*",
// a number, a range "a-b" or a comma list of those; day-of-week 0-6 with 0
// (or 7) Sunday. As in unix cron, when both day-of-month and day-of-week
// are restricted a day matching either fires. No steps, names or L/W/#.
// The generators only emit weekly ("0 16 * * 5") and dated ("0 0 1 5 *")
// expressions.

type cronField struct {
	bits uint64
	star bool
}

func (f cronField) has(v int) bool { return f.bits&(1<<uint(v)) != 0 }

type cronSpec struct {
	minute, hour, dom, month, dow cronField
}

func parseCron(expr string) (cronSpec, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return cronSpec{}, fmt.Errorf("cron %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(fields))
	}
	bounds := [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
	var parsed [5]cronField
	for i, f := range fields {
		p, err := parseCronField(f, bounds[i][0], bounds[i][1])
		if err != nil {
			return cronSpec{}, fmt.Errorf("cron %q field %d: %w", expr, i+1, err)
		}
		parsed[i] = p
	}
	if parsed[4].has(7) {
		parsed[4].bits |= 1
	}
	return cronSpec{minute: parsed[0], hour: parsed[1], dom: parsed[2], month: parsed[3], dow: parsed[4]}, nil
}

func parseCronField(s string, lo, hi int) (cronField, error) {
	if s == "*" {
		var f cronField
		for v := lo; v <= hi; v++ {
			f.bits |= 1 << uint(v)
		}
		f.star = true
		return f, nil
	}
	var f cronField
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, err := strconv.Atoi(a)
		if err != nil {
			return cronField{}, fmt.Errorf("%q is not a number or range", part)
		}
		to := from
		if isRange {
			if to, err = strconv.Atoi(b); err != nil {
				return cronField{}, fmt.Errorf("%q is not a number or range", part)
			}
		}
		if from < lo || to > hi || from > to {
			return cronField{}, fmt.Errorf("%q is outside %d-%d", part, lo, hi)
		}
		for v := from; v <= to; v++ {
			f.bits |= 1 << uint(v)
		}
	}
	return f, nil
}

func (c cronSpec) matchesDay(t time.Time) bool {
	if !c.month.has(int(t.Month())) {
		return false
	}
	dom, dow := c.dom.has(t.Day()), c.dow.has(int(t.Weekday()))
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

// fires lists the instants in [from, to] at which the expression fires,
// evaluated on the wall clock of loc (see wallClock for skipped and
// repeated times), in increasing order.
func (c cronSpec) fires(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	lf := from.In(loc)
	for d := 0; ; d++ {
		day := time.Date(lf.Year(), lf.Month(), lf.Day()-1+d, 12, 0, 0, 0, time.UTC)
		if start := wallClock(day.Year(), day.Month(), day.Day(), 0, loc); start.After(to) {
			return out
		}
		if !c.matchesDay(day) {
			continue
		}
		for h := 0; h < 24; h++ {
			if !c.hour.has(h) {
				continue
			}
			for m := 0; m < 60; m++ {
				if !c.minute.has(m) {
					continue
				}
				t := wallClock(day.Year(), day.Month(), day.Day(), h*60+m, loc)
				if !t.Before(from) && !t.After(to) {
					out = append(out, t)
				}
			}
		}
	}
}

// weeklyCron is the cron expression firing at w every week.
func weeklyCron(w weekTime) string {
	return fmt.Sprintf("%d %d * * %d", w.minute%60, w.minute/60, int(w.day))
}

// dateCron is the cron expression firing at minute on day d of month m,
// every year (cron has no year field).
func dateCron(m time.Month, d, minute int) string {
	return fmt.Sprintf("%d %d %d %d *", minute%60, minute/60, d, int(m))
}
