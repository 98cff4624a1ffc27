package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/wedsync/wedsync-infra/season"
)

// Seasonal capacity: prod groups scale up before wedding days and for the
// peak season, by the calendar, not only by reacting to load.
const (
	PolicySeasonalCapacity = "seasonal-capacity"
	// peakFactor is how much busier peak season is than the off season.
	peakFactor = 10
	// judgeWeeks is how far ahead a group's schedules are run against the
	// calendar: from any day of the year, 28 weeks hold every wedding day
	// in them and at least two weeks of a May-October peak season, and the
	// schedules the stacks write stay exact that long (Azure's 20-profile
	// limit is the shortest, about 29 weeks; stacks re-apply monthly).
	judgeWeeks = 28
	// judgeStep is the resolution of that comparison.
	judgeStep = 15 * time.Minute
)

func capacityPolicies() []*Policy {
	return []*Policy{{
		Name: PolicySeasonalCapacity,
		Description: "In prod, every autoscaling group (EC2 Auto Scaling group, GCP managed instance group, Azure VM scale set) has " +
			"capacity schedules that follow the season calendar (stack config wedsync:season): run with each cloud's documented semantics " +
			"(package season's simulators) over the next 28 weeks, the scheduled minimum is never below the calendar's on a wedding day, " +
			"in peak season or off season (a Monday schedule, or a peak that lasts a day, fails). Recurring schedules name a time zone, " +
			"and the largest maximum is at least 10x the group's off-season baseline. Exempt a group with a reason in the policy config's exemptions.",
		Level:    Mandatory,
		ProdOnly: true,
		Stack:    capacityStack,
		Judges:   []string{awsASG, gcpRegionAutoscaler, gcpAutoscaler, gcpRegionIGM, gcpIGM, azAutoscaleSetting, azVMSS},
	}}
}

// schedule is one scheduled capacity change, cloud-neutral, for the checks
// that need no clock.
type schedule struct {
	name string
	// recurring schedules need a named zone; one-time ones carry an instant.
	recurring bool
	zone      string
	// min and max are nil when unknown or not set.
	min, max *float64
}

// group is what the rule knows of one autoscaling group's schedules.
type group struct {
	baseline  float64
	maxCap    *float64 // nil when unknown
	schedules []schedule
	// simulate runs the schedules with the cloud's semantics (nil when an
	// input is unknown until deploy: the rule cannot judge them yet); key
	// identifies its inputs, so identical groups are simulated once.
	simulate func(from, to time.Time, step time.Duration) ([]season.Sample, error)
	key      string
	hint     string
}

// simulation is one simulated run of some schedules.
type simulation struct {
	samples []season.Sample
	err     error
}

// simulated runs g's schedules over the calendar's window, once per
// distinct set of schedules in the stack.
func (s *Stack) simulated(g group, cal *calendarView) ([]season.Sample, error) {
	if s.sims == nil {
		s.sims = map[string]simulation{}
	}
	k := g.key + "@" + cal.from.Format(time.RFC3339)
	sim, ok := s.sims[k]
	if !ok {
		sim.samples, sim.err = g.simulate(cal.from, cal.to, judgeStep)
		s.sims[k] = sim
	}
	return sim.samples, sim.err
}

// keyOf identifies a group's simulator inputs.
func keyOf(parts ...any) string {
	b, _ := json.Marshal(parts)
	return string(b)
}

// judge returns what the group's schedules lack: none at all, a time zone,
// a maximum for peak traffic, or (with a clock) capacity the calendar asks
// for.
func (g group) judge(s *Stack, cal *calendarView) []string {
	if len(g.schedules) == 0 {
		return []string{fix("no capacity schedules: the group only reacts to load, after the wedding-day rush has begun", "%s", g.hint)}
	}
	// The off-season baseline is the lowest minimum the group is ever given:
	// a group created in June starts at the peak minimum, and its own
	// schedules bring it back down in November.
	baseline, maxCap := g.baseline, g.maxCap
	var out []string
	for _, sc := range g.schedules {
		if sc.min != nil && *sc.min < baseline {
			baseline = *sc.min
		}
		if sc.max != nil && maxCap != nil && *sc.max > *maxCap {
			maxCap = sc.max
		}
		if sc.recurring && strings.TrimSpace(sc.zone) == "" {
			out = append(out, fix("schedule %s has no time zone: it would fire in UTC, an hour off the UK's wall clock all summer", "set its time zone (e.g. Europe/London)", sc.name))
		}
	}
	if maxCap != nil && *maxCap < peakFactor*baseline {
		out = append(out, fix("the largest maximum is %g, below %dx the off-season baseline of %g: peak traffic is ten times the baseline",
			"raise the maximum to at least %g", *maxCap, peakFactor, baseline, peakFactor*baseline))
	}
	if cal == nil || g.simulate == nil {
		return out
	}
	samples, err := s.simulated(g, cal)
	if err != nil {
		return append(out, fix("the schedules cannot be evaluated (%v), so nothing shows they follow the season", "%s", err, g.hint))
	}
	return append(out, cal.shortfalls(samples, g.hint)...)
}

func numberPtr(v float64, st state) *float64 {
	if st != known {
		return nil
	}
	return &v
}

func capacityStack(s *Stack, env *Env) []Finding {
	cal := s.calendar(env)
	var out []Finding
	add := func(r *Resource, msgs []string) {
		for _, m := range msgs {
			out = append(out, Finding{URN: r.URN, Message: fmt.Sprintf("group %s: %s", r.displayName(), m)})
		}
	}
	for _, g := range s.OfType(awsASG) {
		if grp, ok := s.awsGroup(g); ok {
			add(g, grp.judge(s, cal))
		}
	}
	for _, a := range s.OfType(gcpRegionAutoscaler, gcpAutoscaler) {
		if grp, ok := gcpGroup(a); ok {
			add(a, grp.judge(s, cal))
		}
	}
	for _, g := range s.OfType(gcpRegionIGM, gcpIGM) {
		if found, undecided := s.companions(g, "target", gcpRegionAutoscaler, gcpAutoscaler); len(found) == 0 && !undecided {
			add(g, []string{fix("no autoscaler targets it, so it has no capacity schedules", "add a compute.RegionAutoscaler with target the group and scalingSchedules for wedding days and the peak season")})
		}
	}
	for _, a := range s.OfType(azAutoscaleSetting) {
		grp, problem, ok := azureGroup(a)
		switch {
		case problem != "":
			add(a, []string{problem})
		case ok:
			add(a, grp.judge(s, cal))
		}
	}
	for _, vmss := range s.OfType(azVMSS) {
		if found, undecided := s.companions(vmss, "targetResourceUri", azAutoscaleSetting); len(found) == 0 && !undecided {
			add(vmss, []string{fix("no autoscale setting targets it, so it has no capacity schedules", "add an insights.AutoscaleSetting with targetResourceUri the scale set and wedding-day and peak-season profiles")})
		}
	}
	return out
}

// awsGroup reads an Auto Scaling group and the scheduled actions naming it;
// false when which actions are its own is unknown.
func (s *Stack) awsGroup(g *Resource) (group, bool) {
	baseline, st := number(g.Props, "minSize")
	if st == unknown {
		return group{}, false
	}
	actions, undecided := s.companions(g, "autoscalingGroupName", awsASGSchedule)
	if undecided {
		return group{}, false
	}
	maxSize, maxSt := number(g.Props, "maxSize")
	desired, desiredSt := number(g.Props, "desiredCapacity")
	if desiredSt == absent {
		desired, desiredSt = baseline, st
	}
	grp := group{baseline: baseline, maxCap: numberPtr(maxSize, maxSt),
		hint: "add aws.autoscaling.Schedule actions with timeZone Europe/London that follow the season calendar: wedding-day opening and closing recurrences (e.g. \"0 16 * * 5\", \"0 2 * * 0\") and dated peak-season actions (May-October)"}
	sim := make([]season.AWSScheduledAction, 0, len(actions))
	simulable := st == known && maxSt == known && desiredSt == known
	for _, a := range actions {
		rec, recSt := str(a.Props, "recurrence")
		zone, zoneSt := str(a.Props, "timeZone")
		action, ok := awsAction(a, rec, orUTC(zone))
		grp.schedules = append(grp.schedules, schedule{name: action.Name, recurring: recSt == known, zone: zone,
			min: numberPtr(number(a.Props, "minSize")), max: numberPtr(number(a.Props, "maxSize"))})
		simulable = simulable && ok && recSt != unknown && zoneSt != unknown
		sim = append(sim, action)
	}
	if simulable {
		base := season.Capacity{Min: int(baseline), Max: int(maxSize), Desired: int(desired)}
		grp.key = keyOf("aws", base, sim)
		grp.simulate = func(from, to time.Time, step time.Duration) ([]season.Sample, error) {
			return season.SimulateAWS(sim, base, from, to, step)
		}
	}
	return grp, true
}

// awsAction is a scheduled action's inputs in the simulator's terms; false
// when one is unknown, or a size is -1 ("leave unchanged"), which the
// simulator does not model.
func awsAction(a *Resource, rec, zone string) (season.AWSScheduledAction, bool) {
	name, _ := str(a.Props, "scheduledActionName")
	out := season.AWSScheduledAction{Name: name, Recurrence: rec, TimeZone: zone}
	ok := true
	for _, f := range []struct {
		key string
		to  *int
	}{{"minSize", &out.MinSize}, {"maxSize", &out.MaxSize}, {"desiredCapacity", &out.DesiredCapacity}} {
		v, st := number(a.Props, f.key) // absent is 0, the provider's default
		ok = ok && st != unknown && v >= 0
		*f.to = int(v)
	}
	for _, f := range []struct {
		key string
		to  **time.Time
	}{{"startTime", &out.StartTime}, {"endTime", &out.EndTime}} {
		v, st := str(a.Props, f.key)
		switch st {
		case unknown:
			ok = false
		case known:
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return out, false
			}
			*f.to = &t
		}
	}
	return out, ok
}

// gcpGroup reads an autoscaler and its scaling schedules; false when they
// are unknown.
func gcpGroup(a *Resource) (group, bool) {
	policy := []string{"autoscalingPolicy"}
	baseline, st := number(a.Props, append(policy, "minReplicas")...)
	if st == unknown {
		return group{}, false
	}
	maxReplicas, maxSt := number(a.Props, append(policy, "maxReplicas")...)
	items, itemsSt := list(a.Props, append(policy, "scalingSchedules")...)
	if itemsSt == unknown {
		return group{}, false
	}
	grp := group{baseline: baseline, maxCap: numberPtr(maxReplicas, maxSt),
		hint: "add autoscalingPolicy.scalingSchedules with timeZone Europe/London that follow the season calendar: a weekly one for wedding days (e.g. \"0 16 * * 5\" for 34 hours) and ones covering the peak season (e.g. \"0 0 1 5 *\" for May)"}
	simulable := st == known && maxSt == known
	var sim []season.GCPScalingSchedule
	for _, it := range items {
		if off, _ := boolean(it, "disabled"); off {
			continue
		}
		cron, cronSt := str(it, "schedule")
		zone, zoneSt := str(it, "timeZone")
		name, _ := str(it, "name")
		minimum, minSt := number(it, "minRequiredReplicas")
		duration, durSt := number(it, "durationSec")
		grp.schedules = append(grp.schedules, schedule{name: name, recurring: true, zone: zone, min: numberPtr(minimum, minSt)})
		simulable = simulable && cronSt == known && zoneSt != unknown && minSt == known && durSt == known
		sim = append(sim, season.GCPScalingSchedule{Name: name, Schedule: cron, DurationSec: int(duration), MinRequiredReplicas: int(minimum), TimeZone: orUTC(zone)})
	}
	if simulable {
		lo, hi := int(baseline), int(maxReplicas)
		grp.key = keyOf("gcp", lo, hi, sim)
		grp.simulate = func(from, to time.Time, step time.Duration) ([]season.Sample, error) {
			return season.SimulateGCP(sim, lo, hi, from, to, step)
		}
	}
	return grp, true
}

// azureGroup reads an autoscale setting's profiles: false when they are
// unknown; a problem when it has no default profile to give the baseline.
func azureGroup(a *Resource) (group, string, bool) {
	profiles, st := list(a.Props, "profiles")
	if st == unknown {
		return group{}, "", false
	}
	grp := group{baseline: -1, maxCap: new(float64),
		hint: "add profiles that follow the season calendar: weekly recurrences (frequency Week, timeZone \"GMT Standard Time\") opening and closing the wedding days, and fixedDate profiles (in UTC) for the peak season"}
	simulable := true
	var sim []season.AzureProfile
	for _, p := range profiles {
		profile, ok := azureProfile(p)
		simulable = simulable && ok
		sim = append(sim, profile)
		minimum, minSt := number(p, "capacity", "minimum")
		maximum, maxSt := number(p, "capacity", "maximum")
		switch {
		case maxSt == unknown:
			grp.maxCap = nil
		case maxSt == known && grp.maxCap != nil && maximum > *grp.maxCap:
			*grp.maxCap = maximum
		}
		_, recSt := lookup(p, "recurrence")
		_, fixedSt := lookup(p, "fixedDate")
		if recSt == unknown || fixedSt == unknown {
			return group{}, "", false // which kind of profile it is is not known yet
		}
		name, _ := str(p, "name")
		switch {
		case recSt == absent && fixedSt == absent:
			if minSt == known && grp.baseline < 0 {
				grp.baseline = minimum
			}
		case recSt != absent:
			zone, _ := str(p, "recurrence", "schedule", "timeZone")
			grp.schedules = append(grp.schedules, schedule{name: name, recurring: true, zone: zone, min: numberPtr(minimum, minSt)})
		default:
			zone, _ := str(p, "fixedDate", "timeZone")
			grp.schedules = append(grp.schedules, schedule{name: name, recurring: true, zone: zone, min: numberPtr(minimum, minSt)})
		}
	}
	if grp.baseline < 0 {
		return group{}, fix("no default profile (one without recurrence or fixedDate) gives the off-season baseline", "add a default profile with the off-season capacity"), false
	}
	if simulable {
		grp.key = keyOf("azure", sim)
		grp.simulate = func(from, to time.Time, step time.Duration) ([]season.Sample, error) {
			return season.SimulateAzure(sim, from, to, step)
		}
	}
	return grp, "", true
}

// azureProfile is one profile in the simulator's terms; false when an input
// it needs is unknown.
func azureProfile(p property.Map) (season.AzureProfile, bool) {
	name, _ := str(p, "name")
	out := season.AzureProfile{Name: name}
	ok := true
	for _, f := range []struct {
		key string
		to  *int
	}{{"minimum", &out.Capacity.Minimum}, {"maximum", &out.Capacity.Maximum}, {"default", &out.Capacity.Default}} {
		v, st := number(p, "capacity", f.key)
		ok = ok && st != unknown
		*f.to = int(v)
	}
	if _, st := lookup(p, "recurrence"); st != absent {
		r := &season.AzureRecurrence{}
		var sts [5]state
		r.Frequency, sts[0] = str(p, "recurrence", "frequency")
		r.Schedule.TimeZone, sts[1] = str(p, "recurrence", "schedule", "timeZone")
		r.Schedule.Days, sts[2] = stringList(p, "recurrence", "schedule", "days")
		r.Schedule.Hours, sts[3] = ints(p, "recurrence", "schedule", "hours")
		r.Schedule.Minutes, sts[4] = ints(p, "recurrence", "schedule", "minutes")
		r.Schedule.TimeZone = orUTC(r.Schedule.TimeZone)
		for _, st := range sts {
			ok = ok && st != unknown
		}
		out.Recurrence = r
	}
	if _, st := lookup(p, "fixedDate"); st != absent {
		f := &season.AzureFixedDate{}
		var zoneSt state
		f.TimeZone, zoneSt = str(p, "fixedDate", "timeZone")
		f.TimeZone = orUTC(f.TimeZone)
		ok = ok && zoneSt != unknown
		for _, e := range []struct {
			key string
			to  *time.Time
		}{{"start", &f.Start}, {"end", &f.End}} {
			v, st := str(p, "fixedDate", e.key)
			ok = ok && st != unknown
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				*e.to = t
			}
		}
		out.FixedDate = f
	}
	return out, ok
}

// ints reads an array of numbers as ints; unknown if any element is.
func ints(m property.Map, path ...string) ([]int, state) {
	v, st := lookup(m, path...)
	if st != known || !v.IsArray() {
		return nil, st
	}
	var out []int
	for _, e := range v.AsArray().AsSlice() {
		switch {
		case e.IsComputed():
			return nil, unknown
		case e.IsNumber():
			out = append(out, int(e.AsNumber()))
		}
	}
	return out, known
}

// orUTC is a schedule's zone as the cloud reads it: UTC when none is named
// (AWS, GCP and Azure all default to it).
func orUTC(zone string) string {
	if strings.TrimSpace(zone) == "" {
		return "UTC"
	}
	return zone
}

// calendarView is the season calendar sampled over the judged window, once
// per calendar and instant: what every group's simulated capacity is held
// against.
type calendarView struct {
	cfg      season.Config
	from, to time.Time
	loc      *time.Location
	windows  []season.Window
	mins     []int
}

// calendar samples the stack's calendar (env.Config.Season) from now for
// judgeWeeks; nil without a clock, when schedules cannot be placed in time.
func (s *Stack) calendar(env *Env) *calendarView {
	if env.Now.IsZero() {
		return nil
	}
	if s.cal == nil || !s.cal.from.Equal(env.Now.Truncate(judgeStep)) {
		s.cal = sampleCalendar(seasonConfig(env.Config), env.Now.Truncate(judgeStep))
	}
	return s.cal
}

// calendars keeps the last few sampled calendars: sampling one takes tens
// of milliseconds, and a plan, a preview or a test run evaluates the same
// calendar at the same instant many times.
var calendars = struct {
	sync.Mutex
	views map[string]*calendarView
}{views: map[string]*calendarView{}}

func sampleCalendar(cfg season.Config, from time.Time) *calendarView {
	key, _ := json.Marshal(cfg)
	k := string(key) + "@" + from.UTC().Format(time.RFC3339)
	calendars.Lock()
	defer calendars.Unlock()
	if cv, ok := calendars.views[k]; ok {
		return cv
	}
	cv := &calendarView{cfg: cfg, from: from, to: from.Add(judgeWeeks * 7 * 24 * time.Hour), loc: time.UTC}
	if loc, err := time.LoadLocation(cfg.Timezone); err == nil {
		cv.loc = loc
	}
	for t := cv.from; t.Before(cv.to); t = t.Add(judgeStep) {
		st := cfg.StateAt(t)
		cv.windows = append(cv.windows, st.Window)
		cv.mins = append(cv.mins, st.Capacity.Min)
	}
	if len(calendars.views) >= 8 {
		clear(calendars.views)
	}
	calendars.views[k] = cv
	return cv
}

// shortfalls compares simulated samples (taken at the view's instants) with
// the calendar: one message per kind of window whose minimum the schedules
// leave short, naming the first such instant and how long it lasts in all.
// No shortfall is accepted, clock changes included: where a cloud's
// documentation leaves a schedule's outcome open, its simulator reports an
// error rather than a guess.
func (cv *calendarView) shortfalls(samples []season.Sample, hint string) []string {
	type gap struct {
		at        time.Time
		want, got int
		name      string
		n         int
	}
	gaps := map[season.Window]*gap{}
	for i, smp := range samples {
		if i >= len(cv.mins) {
			break
		}
		if smp.Capacity.Min >= cv.mins[i] {
			continue
		}
		g := gaps[cv.windows[i]]
		if g == nil {
			g = &gap{at: smp.Time, want: cv.mins[i], got: smp.Capacity.Min, name: cv.cfg.StateAt(smp.Time).Name}
			gaps[cv.windows[i]] = g
		}
		g.n++
	}
	var out []string
	for _, w := range []struct {
		window season.Window
		what   string
	}{{season.WindowWeddingDay, "no wedding-day capacity"}, {season.WindowPeak, "no peak-season capacity"}, {season.WindowOffSeason, "below the off-season capacity"}} {
		g := gaps[w.window]
		if g == nil {
			continue
		}
		short := strings.TrimSuffix(strings.TrimSuffix((time.Duration(g.n)*judgeStep).String(), "0s"), "0m")
		out = append(out, fix("%s: at %s (%s) the calendar wants a minimum of %d and the schedules give %d; %s short in the next %d weeks",
			"%s", w.what, g.at.In(cv.loc).Format("Mon 2 Jan 2006 15:04 MST"), g.name, g.want, g.got, short, judgeWeeks, hint))
	}
	return out
}
