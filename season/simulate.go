package season

import (
	"fmt"
	"sort"
	"time"
)

// The simulators (simaws.go, simgcp.go, simazure.go) are oracles: each
// reads the schedules the way its cloud's documentation says the cloud
// does, and shares nothing with the calendar or the generators it checks
// (no wall-clock helper, no cron parser, no timeline). What they share with
// each other lives in this file and in simcron.go: sampling, capacity step
// curves, the facts of a zone (which instants show a wall time) and a cron
// field parser.
//
// Where a cloud's documentation is silent, a simulator does not guess: a
// wall time that clocks skip or repeat is read every plausible way
// (readings below), and when the outcome differs between readings the
// simulator returns an error, since the schedule's effect then depends on
// behaviour the cloud does not promise.

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
	out := make([]time.Time, 0, int(to.Sub(from)/step)+1)
	for t := from; t.Before(to); t = t.Add(step) {
		out = append(out, t)
	}
	return out, nil
}

// change is the capacity from one instant on.
type change struct {
	at   time.Time
	capa Capacity
}

// curve is a capacity step function over [from, to): initial, then each
// change in order.
type curve struct {
	initial Capacity
	changes []change
}

// samples reads the curve at each of times (sorted).
func (c curve) samples(times []time.Time) []Sample {
	out := make([]Sample, 0, len(times))
	current, next := c.initial, 0
	for _, t := range times {
		for next < len(c.changes) && !c.changes[next].at.After(t) {
			current = c.changes[next].capa
			next++
		}
		out = append(out, Sample{Time: t, Capacity: current})
	}
	return out
}

// at is the capacity at t.
func (c curve) at(t time.Time) Capacity {
	i := sort.Search(len(c.changes), func(i int) bool { return c.changes[i].at.After(t) })
	if i == 0 {
		return c.initial
	}
	return c.changes[i-1].capa
}

// firstDifference is the first instant in [from, to) at which a and b
// differ, if any.
func firstDifference(a, b curve, from time.Time) (time.Time, bool) {
	points := []time.Time{from}
	for _, ch := range a.changes {
		points = append(points, ch.at)
	}
	for _, ch := range b.changes {
		points = append(points, ch.at)
	}
	sort.Slice(points, func(i, j int) bool { return points[i].Before(points[j]) })
	for _, p := range points {
		if p.Before(from) {
			continue
		}
		if a.at(p) != b.at(p) {
			return p, true
		}
	}
	return time.Time{}, false
}

// wallFacts is what a zone says about one local wall time: the instants at
// which clocks show it (one normally, none when clocks skip it, two when
// they repeat it) and, when it is skipped or repeated, the instant it
// would be using the UTC offset before and after the clock change.
type wallFacts struct {
	shown         []time.Time
	before, after time.Time // meaningful only when len(shown) != 1
}

// readWall finds the facts for wall time minute (after midnight) on local
// date y-m-d in loc, by trying each UTC offset the zone uses within a day
// either side (real zones change at most once in that span).
func readWall(loc *time.Location, y int, m time.Month, d, minute int) wallFacts {
	naive := time.Date(y, m, d, 0, minute, 0, 0, time.UTC)
	wy, wm, wd := naive.Date()
	wh, wmin := naive.Hour(), naive.Minute()
	_, offBefore := naive.Add(-26 * time.Hour).In(loc).Zone()
	_, offAfter := naive.Add(26 * time.Hour).In(loc).Zone()
	f := wallFacts{
		before: naive.Add(-time.Duration(offBefore) * time.Second),
		after:  naive.Add(-time.Duration(offAfter) * time.Second),
	}
	offsets := []int{offBefore}
	if offAfter != offBefore {
		offsets = append(offsets, offAfter)
	}
	for _, off := range offsets {
		t := naive.Add(-time.Duration(off) * time.Second)
		lt := t.In(loc)
		ly, lm, ld := lt.Date()
		if ly == wy && lm == wm && ld == wd && lt.Hour() == wh && lt.Minute() == wmin {
			f.shown = append(f.shown, t)
		}
	}
	sort.Slice(f.shown, func(i, j int) bool { return f.shown[i].Before(f.shown[j]) })
	return f
}

// reading is one plausible way a cloud could read a wall time its
// documentation does not cover.
type reading int

const (
	// readOldOffset reads a skipped time with the offset in force before
	// the change (it lands after the jump: 02:30 in a 02:00-03:00 gap is
	// 03:30), and a repeated time as its first occurrence.
	readOldOffset reading = iota
	// readNewOffset reads a skipped time with the offset after the change
	// (it lands before the jump), and a repeated time as its second
	// occurrence.
	readNewOffset
	// readLiteral fires only when clocks show the time: never for a skipped
	// time, at both occurrences of a repeated one.
	readLiteral
	numReadings
)

// instants is when a schedule set for f fires under reading r.
func (f wallFacts) instants(r reading) []time.Time {
	switch {
	case len(f.shown) == 1 || (len(f.shown) == 2 && r == readLiteral):
		return f.shown
	case len(f.shown) == 2 && r == readOldOffset:
		return f.shown[:1]
	case len(f.shown) == 2:
		return f.shown[1:]
	case r == readOldOffset:
		return []time.Time{f.before}
	case r == readNewOffset:
		return []time.Time{f.after}
	default:
		return nil
	}
}

// within reports whether any reading of f falls in (after, last].
func (f wallFacts) within(after, last time.Time) bool {
	for _, at := range append([]time.Time{f.before, f.after}, f.shown...) {
		if at.After(after) && !at.After(last) {
			return true
		}
	}
	return false
}

// ambiguity is one undocumented wall time a simulation met.
type ambiguity struct {
	at   time.Time // its earliest reading
	what string    // the schedule, for the error
	when string    // "2026-03-08 02:00 America/New_York does not exist ..."
}

// ambiguities collects them.
type ambiguities []ambiguity

func (a *ambiguities) note(what string, f wallFacts, loc *time.Location, y int, m time.Month, d, minute int) {
	if len(f.shown) == 1 {
		return
	}
	kind := "does not exist (clocks go forward past it)"
	at := f.after
	if len(f.shown) == 2 {
		kind, at = "happens twice (clocks go back through it)", f.shown[0]
	}
	*a = append(*a, ambiguity{at: at, what: what,
		when: fmt.Sprintf("%04d-%02d-%02d %02d:%02d %s %s", y, int(m), d, minute/60, minute%60, loc, kind)})
}

// simulateReadings runs sim under each reading if it meets an ambiguity,
// and fails when readings disagree within [from, to), naming the last
// ambiguity at or before the first difference.
func simulateReadings(cloud, rule string, from time.Time, sim func(reading) (curve, ambiguities, error)) (curve, error) {
	first, amb, err := sim(readOldOffset)
	if err != nil || len(amb) == 0 {
		return first, err
	}
	for r := readOldOffset + 1; r < numReadings; r++ {
		other, _, err := sim(r)
		if err != nil {
			return curve{}, err
		}
		at, differs := firstDifference(first, other, from)
		if !differs {
			continue
		}
		blame := amb[0]
		for _, a := range amb {
			if !a.at.After(at) && a.at.After(blame.at) {
				blame = a
			}
		}
		return curve{}, fmt.Errorf("simulate %s: %s fires at %s; %s, so the capacity from %s depends on behaviour the cloud does not document",
			cloud, blame.what, blame.when, rule, at.UTC().Format(time.RFC3339))
	}
	return first, nil
}

// localDays lists the local dates from the day before lo to the day after
// hi, as noon UTC values whose Date() is the local date.
func localDays(loc *time.Location, lo, hi time.Time) []time.Time {
	l, h := lo.In(loc), hi.In(loc)
	start := time.Date(l.Year(), l.Month(), l.Day()-1, 12, 0, 0, 0, time.UTC)
	end := time.Date(h.Year(), h.Month(), h.Day()+1, 12, 0, 0, 0, time.UTC)
	var out []time.Time
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
