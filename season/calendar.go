package season

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Window is the kind of capacity window in effect.
type Window string

// The three windows, in increasing precedence.
const (
	WindowOffSeason  Window = "offSeason"
	WindowPeak       Window = "peak"
	WindowWeddingDay Window = "weddingDay"
)

// State is what the calendar says about one instant: the window with the
// highest precedence that applies (wedding day, from the weekly window or an
// extra date, over peak season over off season), its name, and the
// effective capacity: the field-by-field maximum of every window that
// applies.
type State struct {
	Window   Window
	Name     string
	Capacity Capacity
}

// Names used for the built-in windows.
const (
	NameOffSeason  = "off season"
	NamePeak       = "peak season"
	NameWeddingDay = "wedding day"
)

// StateAt evaluates the calendar at t, in the configured zone. Defaults are
// applied to a copy of c; fields that do not validate are ignored (a bad
// zone is UTC, a bad window never matches), so call Validate first.
func (c Config) StateAt(t time.Time) State {
	return c.calendar().state(t)
}

// CapacityAt is the capacity the calendar asks for at t; see StateAt.
func (c Config) CapacityAt(t time.Time) Capacity {
	return c.StateAt(t).Capacity
}

// Freeze is one period in which production changes are not allowed.
type Freeze struct {
	// Name is "wedding days" for the weekly freeze, else the dated freeze's name.
	Name string
	// Start is when the freeze began.
	Start time.Time
	// Ends is the first instant changes are allowed again. When another
	// freeze starts before or as this one ends (Christmas running into a
	// weekend), Ends is the end of the whole run.
	Ends time.Time
}

// NameFreezeWeddingDays names the weekly wedding-day freeze.
const NameFreezeWeddingDays = "wedding days"

// FreezeAt reports the freeze that contains t, if any. Dated freezes win
// over the weekly one when both apply, since their name is more telling.
func (c Config) FreezeAt(t time.Time) (Freeze, bool) {
	cal := c.calendar()
	f, ok := cal.freezeAt(t)
	if !ok {
		return Freeze{}, false
	}
	// Extend through freezes that start before or as this one ends; bounded
	// so a (misconfigured) freeze chain can never loop forever.
	for i := 0; i < 1000; i++ {
		next, ok := cal.freezeAt(f.Ends)
		if !ok || !next.Ends.After(f.Ends) {
			break
		}
		f.Ends = next.Ends
	}
	return f, true
}

// NextFreeze returns the first freeze that starts after t, looking up to
// 400 days ahead; the freeze containing t, if any, is not it.
func (c Config) NextFreeze(t time.Time) (Freeze, bool) {
	cal := c.calendar()
	var best *span
	for _, s := range cal.freezeSpans(t, t.AddDate(0, 0, 400)) {
		if s.start.After(t) && (best == nil || s.start.Before(best.start)) {
			s := s
			best = &s
		}
	}
	if best == nil {
		return Freeze{}, false
	}
	f, _ := c.FreezeAt(best.start)
	f.Start = best.start
	return f, true
}

// calendar is a Config compiled for evaluation.
type calendar struct {
	loc         *time.Location
	zone        string
	peak        [13]bool
	wedding     weekly
	extras      []span
	off         Capacity
	peakCap     Capacity // off-season combined with peak
	weddingCap  Capacity
	freezeWeek  weekly
	freezeDates []span
}

// span is a half-open interval [start, end) with a name or a state.
type span struct {
	start, end time.Time
	name       string
	state      State
}

// weekly is a compiled WeeklyWindow.
type weekly struct {
	ok        bool
	start     weekTime
	endMinute int
	spanDays  int // days from the start's date to the end's date
}

func compileWeekly(w WeeklyWindow) weekly {
	start, err1 := parseWeekTime(w.Start)
	end, err2 := parseWeekTime(w.End)
	if err1 != nil || err2 != nil || start == end {
		return weekly{}
	}
	days := (int(end.day) - int(start.day) + 7) % 7
	if days == 0 && end.minute < start.minute {
		days = 7
	}
	return weekly{ok: true, start: start, endMinute: end.minute, spanDays: days}
}

// end is the weekday and time the window closes.
func (w weekly) end() weekTime {
	return weekTime{day: (w.start.day + time.Weekday(w.spanDays)) % 7, minute: w.endMinute}
}

// occurrence is the window opening on the local date y-m-d.
func (w weekly) occurrence(y int, m time.Month, d int, loc *time.Location) (time.Time, time.Time) {
	return wallClock(y, m, d, w.start.minute, loc), wallClock(y, m, d+w.spanDays, w.endMinute, loc)
}

// containing returns the occurrence that contains t.
func (w weekly) containing(t time.Time, loc *time.Location) (time.Time, time.Time, bool) {
	if !w.ok {
		return time.Time{}, time.Time{}, false
	}
	lt := t.In(loc)
	back := (int(lt.Weekday()) - int(w.start.day) + 7) % 7
	for k := 0; k < 2; k++ {
		s, e := w.occurrence(lt.Year(), lt.Month(), lt.Day()-back-7*k, loc)
		if !t.Before(s) && t.Before(e) {
			return s, e, true
		}
	}
	return time.Time{}, time.Time{}, false
}

// occurrences lists every occurrence that overlaps [from, to).
func (w weekly) occurrences(from, to time.Time, loc *time.Location) []span {
	var out []span
	w.eachOccurrence(from, to, loc, func(s, e, _ time.Time) { out = append(out, span{start: s, end: e}) })
	return out
}

// eachOccurrence calls fn for every occurrence that overlaps [from, to),
// in order, with its local opening date (noon UTC on it): the date a cron
// expression for the opening fires on, even when a clock change moves the
// opening itself.
func (w weekly) eachOccurrence(from, to time.Time, loc *time.Location, fn func(start, end, day time.Time)) {
	if !w.ok {
		return
	}
	lf := from.In(loc)
	back := (int(lf.Weekday()) - int(w.start.day) + 7) % 7
	y, m, d := lf.Year(), lf.Month(), lf.Day()-back-7
	for k := 0; ; k++ {
		s, e := w.occurrence(y, m, d+7*k, loc)
		if !s.Before(to) {
			return
		}
		if e.After(from) {
			fn(s, e, time.Date(y, m, d+7*k, 12, 0, 0, 0, time.UTC))
		}
	}
}

var locations sync.Map // name -> *time.Location; only zones that loaded

// loadLocation is time.LoadLocation with a cache (parsing the embedded zone
// data on every CapacityAt call would dominate a year-long simulation). It
// rejects "Local", whose meaning depends on the machine running the plan.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// wallClock is the instant at which clocks in loc show minute (after
// midnight) on the date y-m-d (normalised, so day 32 is next month). A wall
// time skipped by a clock change moves forward by the gap; a repeated one
// means its first occurrence (see the package comment).
func wallClock(y int, m time.Month, d, minute int, loc *time.Location) time.Time {
	u := time.Date(y, m, d, 0, minute, 0, 0, time.UTC)
	_, before := u.Add(-24 * time.Hour).In(loc).Zone()
	_, after := u.Add(24 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range [2]int{before, after} {
		cand := u.Add(-time.Duration(off) * time.Second)
		if sameWall(cand.In(loc), u) && (best.IsZero() || cand.Before(best)) {
			best = cand
		}
	}
	if best.IsZero() {
		best = u.Add(-time.Duration(before) * time.Second)
	}
	return best.In(loc)
}

// wallIsUnique reports whether t, the instant wallClock gave for minute
// (after midnight) on t's local date, is the only instant at which clocks
// in loc show that wall time: not moved forward out of a skipped hour, not
// the first of a repeated one. The clouds do not document what their
// schedules do at the other kind, so the generators avoid them.
func wallIsUnique(t time.Time, minute int, loc *time.Location) bool {
	lt := t.In(loc)
	if lt.Hour()*60+lt.Minute() != minute {
		return false
	}
	_, off := lt.Zone()
	for _, probe := range [2]time.Duration{-24 * time.Hour, 24 * time.Hour} {
		if _, other := t.Add(probe).In(loc).Zone(); other != off {
			twin := t.Add(time.Duration(off-other) * time.Second)
			if sameWall(twin.In(loc), lt) {
				return false
			}
		}
	}
	return true
}

func sameWall(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute()
}

func maxCap(a, b Capacity) Capacity {
	return Capacity{Min: max(a.Min, b.Min), Max: max(a.Max, b.Max), Desired: max(a.Desired, b.Desired)}
}

// calendar compiles c after applying defaults to a copy, ignoring fields
// that do not parse.
func (c Config) calendar() *calendar {
	c.ApplyDefaults()
	cal := &calendar{loc: time.UTC, zone: "UTC"}
	if loc, err := loadLocation(c.Timezone); err == nil {
		cal.loc, cal.zone = loc, c.Timezone
	}
	if from, to, err := parseMonthRange(c.PeakMonths); err == nil {
		for m := from; ; m = m%12 + 1 {
			cal.peak[m] = true
			if m == to {
				break
			}
		}
	}
	cal.wedding = compileWeekly(c.WeddingDays)
	cal.freezeWeek = compileWeekly(c.Freeze.WeddingDays)
	for _, x := range c.ExtraDates {
		d, err := parseDate(x.Date)
		if err != nil {
			continue
		}
		start, end := 0, 0
		if x.Start != "" {
			if start, err = parseClock(x.Start); err != nil {
				continue
			}
		}
		if x.End != "" {
			if end, err = parseClock(x.End); err != nil {
				continue
			}
		}
		endDay := d.day
		if end <= start {
			endDay++
		}
		cal.extras = append(cal.extras, span{
			start: wallClock(d.year, d.month, d.day, start, cal.loc),
			end:   wallClock(d.year, d.month, endDay, end, cal.loc),
			name:  x.Name,
		})
	}
	for _, f := range c.Freeze.Dates {
		s, err1 := parseDateTime(f.Start)
		e, err2 := parseDateTime(f.End)
		if err1 != nil || err2 != nil || !e.After(s) {
			continue
		}
		cal.freezeDates = append(cal.freezeDates, span{
			start: wallClock(s.year, s.month, s.day, s.minute, cal.loc),
			end:   wallClock(e.year, e.month, e.day, e.minute, cal.loc),
			name:  f.Name,
		})
	}
	cal.off = c.Capacity.OffSeason
	cal.peakCap = maxCap(c.Capacity.OffSeason, c.Capacity.Peak)
	cal.weddingCap = c.Capacity.WeddingDay
	return cal
}

func (cal *calendar) inPeak(t time.Time) bool {
	return cal.peak[t.In(cal.loc).Month()]
}

// seasonState is the state at t ignoring wedding days.
func (cal *calendar) seasonState(t time.Time) State {
	if cal.inPeak(t) {
		return State{Window: WindowPeak, Name: NamePeak, Capacity: cal.peakCap}
	}
	return State{Window: WindowOffSeason, Name: NameOffSeason, Capacity: cal.off}
}

// weddingName reports whether t is in a wedding-day window, and its name.
func (cal *calendar) weddingName(t time.Time) (string, bool) {
	for _, x := range cal.extras {
		if !t.Before(x.start) && t.Before(x.end) {
			return x.name, true
		}
	}
	if _, _, ok := cal.wedding.containing(t, cal.loc); ok {
		return NameWeddingDay, true
	}
	return "", false
}

func (cal *calendar) state(t time.Time) State {
	st := cal.seasonState(t)
	if name, ok := cal.weddingName(t); ok {
		st = State{Window: WindowWeddingDay, Name: name, Capacity: maxCap(st.Capacity, cal.weddingCap)}
	}
	return st
}

// freezeAt returns the freeze containing t, without chaining.
func (cal *calendar) freezeAt(t time.Time) (Freeze, bool) {
	for _, f := range cal.freezeDates {
		if !t.Before(f.start) && t.Before(f.end) {
			return Freeze{Name: f.name, Start: f.start, Ends: f.end}, true
		}
	}
	if s, e, ok := cal.freezeWeek.containing(t, cal.loc); ok {
		return Freeze{Name: NameFreezeWeddingDays, Start: s, Ends: e}, true
	}
	return Freeze{}, false
}

func (cal *calendar) freezeSpans(from, to time.Time) []span {
	out := cal.freezeWeek.occurrences(from, to, cal.loc)
	for _, f := range cal.freezeDates {
		if f.end.After(from) && f.start.Before(to) {
			out = append(out, f)
		}
	}
	return out
}

// monthStarts lists the local midnights starting each month in (from, to).
func (cal *calendar) monthStarts(from, to time.Time) []time.Time {
	lf := from.In(cal.loc)
	var out []time.Time
	for k := 0; ; k++ {
		t := wallClock(lf.Year(), lf.Month()+time.Month(k), 1, 0, cal.loc)
		if !t.Before(to) {
			return out
		}
		if t.After(from) {
			out = append(out, t)
		}
	}
}

// seasonBoundaries lists the instants in (from, to) at which the season
// changes between peak and off season.
func (cal *calendar) seasonBoundaries(from, to time.Time) []time.Time {
	var out []time.Time
	for _, t := range cal.monthStarts(from, to) {
		if cal.inPeak(t) != cal.inPeak(t.Add(-time.Minute)) {
			out = append(out, t)
		}
	}
	return out
}

// timeline cuts [from, to) into maximal spans of constant State (also at
// each of cuts, when the caller needs a span to start there). The
// generators use it; the simulators and tests never do, so the tests compare
// the clouds against the independent point evaluation in state.
func (cal *calendar) timeline(from, to time.Time, cuts ...time.Time) []span {
	points := append([]time.Time{from, to}, cuts...)
	points = append(points, cal.monthStarts(from, to)...)
	for _, o := range cal.wedding.occurrences(from, to, cal.loc) {
		points = append(points, o.start, o.end)
	}
	for _, x := range cal.extras {
		points = append(points, x.start, x.end)
	}
	points = sortedWithin(points, from, to)
	var out []span
	isCut := map[int64]bool{}
	for _, c := range cuts {
		isCut[c.UnixNano()] = true
	}
	for i := 0; i+1 < len(points); i++ {
		st := cal.state(points[i])
		if n := len(out); n > 0 && out[n-1].state == st && !isCut[points[i].UnixNano()] {
			out[n-1].end = points[i+1]
			continue
		}
		out = append(out, span{start: points[i], end: points[i+1], state: st})
	}
	return out
}

// sortedWithin sorts the instants, drops duplicates and those outside
// [from, to].
func sortedWithin(points []time.Time, from, to time.Time) []time.Time {
	sort.Slice(points, func(i, j int) bool { return points[i].Before(points[j]) })
	var out []time.Time
	for _, p := range points {
		if p.Before(from) || p.After(to) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Equal(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}
