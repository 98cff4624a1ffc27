package season

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// simCron is a cron expression as the simulators read it: the crontab
// fields "minute hour day-of-month month day-of-week" (each "*", a number,
// a range "a-b", a step "*/n" or "a-b/n", or a comma list of those;
// day-of-week 0-7 with 0 and 7 Sunday), optionally followed by a year
// field (GCP's extended cron). Each simulator decides which form its cloud
// accepts and how day-of-month and day-of-week combine. The generators
// never use this parser.
type simCron struct {
	minute, hour, dom, month, dow simField
	year                          *simField // nil: every year
}

// simField is the set of values a field allows.
type simField struct {
	allowed map[int]bool
	star    bool // written "*": unrestricted
}

func (f simField) has(v int) bool { return f.star || f.allowed[v] }

// parseSimCron parses expr with 5 fields, or 6 when withYear allows the
// year field.
func parseSimCron(expr string, withYear bool) (simCron, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 && (!withYear || len(fields) != 6) {
		want := "5 fields (minute hour day-of-month month day-of-week)"
		if withYear {
			want = "5 or 6 fields (minute hour day-of-month month day-of-week [year])"
		}
		return simCron{}, fmt.Errorf("cron %q: want %s, got %d", expr, want, len(fields))
	}
	bounds := [][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}, {1970, 2199}}
	parsed := make([]simField, len(fields))
	for i, f := range fields {
		p, err := parseSimField(f, bounds[i][0], bounds[i][1])
		if err != nil {
			return simCron{}, fmt.Errorf("cron %q field %d: %w", expr, i+1, err)
		}
		parsed[i] = p
	}
	if parsed[4].allowed[7] {
		parsed[4].allowed[0] = true
	}
	c := simCron{minute: parsed[0], hour: parsed[1], dom: parsed[2], month: parsed[3], dow: parsed[4]}
	if len(parsed) == 6 {
		c.year = &parsed[5]
	}
	return c, nil
}

func parseSimField(s string, lo, hi int) (simField, error) {
	if s == "*" {
		return simField{star: true}, nil
	}
	f := simField{allowed: map[int]bool{}}
	for _, part := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return simField{}, fmt.Errorf("%q has a bad step", part)
			}
			step = n
		}
		from, to := lo, hi
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			n, err := strconv.Atoi(a)
			if err != nil {
				return simField{}, fmt.Errorf("%q is not a number, range or step", part)
			}
			from, to = n, n
			if isRange {
				if to, err = strconv.Atoi(b); err != nil {
					return simField{}, fmt.Errorf("%q is not a number, range or step", part)
				}
			} else if hasStep {
				to = hi
			}
		}
		if from < lo || to > hi || from > to {
			return simField{}, fmt.Errorf("%q is outside %d-%d", part, lo, hi)
		}
		for v := from; v <= to; v += step {
			f.allowed[v] = true
		}
	}
	return f, nil
}

// times lists the (hour, minute) pairs the expression allows, as minutes
// after midnight.
func (c simCron) times() []int {
	var out []int
	for h := 0; h < 24; h++ {
		if !c.hour.has(h) {
			continue
		}
		for m := 0; m < 60; m++ {
			if c.minute.has(m) {
				out = append(out, h*60+m)
			}
		}
	}
	return out
}

// yearAndMonth reports whether the local date day (see localDays) is in an
// allowed year and month.
func (c simCron) yearAndMonth(day time.Time) bool {
	if c.year != nil && !c.year.has(day.Year()) {
		return false
	}
	return c.month.has(int(day.Month()))
}
