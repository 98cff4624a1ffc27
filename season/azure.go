package season

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// AzureProfile mirrors a profile of an Azure Monitor autoscale setting
// (Microsoft.Insights/autoscaleSettings). A profile has either a
// Recurrence, a FixedDate, or neither (the default profile).
//
// Azure's documented semantics: a fixed-date profile in effect takes
// precedence over recurrence profiles; among recurrence profiles, the one
// whose start most recently passed is in effect, with no end of its own,
// until another recurrence profile starts; the default profile applies when
// nothing else does. A setting holds at most 20 profiles.
type AzureProfile struct {
	Name       string
	Capacity   AzureCapacity
	Recurrence *AzureRecurrence
	FixedDate  *AzureFixedDate
}

// AzureCapacity is a profile's instance counts (strings in ARM; the
// component formats them).
type AzureCapacity struct {
	Minimum int
	Maximum int
	Default int
}

// AzureRecurrence repeats a profile; WedSync only uses Frequency "Week".
type AzureRecurrence struct {
	Frequency string
	Schedule  AzureRecurrentSchedule
}

// AzureRecurrentSchedule says when a recurrence profile starts: at every
// combination of Days, Hours and Minutes on TimeZone's wall clock. TimeZone
// is a Windows time zone name ("GMT Standard Time").
type AzureRecurrentSchedule struct {
	TimeZone string
	Days     []string
	Hours    []int
	Minutes  []int
}

// AzureFixedDate limits a profile to [Start, End). WedSync writes them in
// the "UTC" zone with UTC instants, so a wall time repeated by a clock
// change can never make one ambiguous.
type AzureFixedDate struct {
	TimeZone string
	Start    time.Time
	End      time.Time
}

// AzurePlan is a generated profile set and the instant until which it is
// exact. Past ValidUntil the setting falls back to the weekly pattern of
// the season the recurrence profiles were written for, which is wrong in
// the other season: re-apply the stack before then (a monthly scheduled
// `pulumi up` is comfortably inside it).
type AzurePlan struct {
	Profiles   []AzureProfile
	ValidUntil time.Time
}

// windowsZones maps IANA zones to Windows zone names, following the CLDR
// windowsZones table, for the zones WedSync stacks are likely to use.
var windowsZones = map[string]string{
	"UTC":                 "UTC",
	"Etc/UTC":             "UTC",
	"Europe/London":       "GMT Standard Time",
	"Europe/Dublin":       "GMT Standard Time",
	"Europe/Lisbon":       "GMT Standard Time",
	"Atlantic/Canary":     "GMT Standard Time",
	"Europe/Paris":        "Romance Standard Time",
	"Europe/Brussels":     "Romance Standard Time",
	"Europe/Madrid":       "Romance Standard Time",
	"Europe/Copenhagen":   "Romance Standard Time",
	"Europe/Berlin":       "W. Europe Standard Time",
	"Europe/Amsterdam":    "W. Europe Standard Time",
	"Europe/Rome":         "W. Europe Standard Time",
	"Europe/Vienna":       "W. Europe Standard Time",
	"Europe/Zurich":       "W. Europe Standard Time",
	"Europe/Stockholm":    "W. Europe Standard Time",
	"Europe/Oslo":         "W. Europe Standard Time",
	"Europe/Luxembourg":   "W. Europe Standard Time",
	"Europe/Warsaw":       "Central European Standard Time",
	"Europe/Zagreb":       "Central European Standard Time",
	"Europe/Prague":       "Central Europe Standard Time",
	"Europe/Budapest":     "Central Europe Standard Time",
	"Europe/Athens":       "GTB Standard Time",
	"Europe/Bucharest":    "GTB Standard Time",
	"Europe/Helsinki":     "FLE Standard Time",
	"Europe/Kyiv":         "FLE Standard Time",
	"Europe/Riga":         "FLE Standard Time",
	"Europe/Vilnius":      "FLE Standard Time",
	"Europe/Tallinn":      "FLE Standard Time",
	"Europe/Sofia":        "FLE Standard Time",
	"Europe/Istanbul":     "Turkey Standard Time",
	"Europe/Moscow":       "Russian Standard Time",
	"Asia/Kolkata":        "India Standard Time",
	"Asia/Calcutta":       "India Standard Time",
	"Australia/Sydney":    "AUS Eastern Standard Time",
	"Australia/Melbourne": "AUS Eastern Standard Time",
	"America/New_York":    "Eastern Standard Time",
	"America/Detroit":     "Eastern Standard Time",
	"America/Toronto":     "Eastern Standard Time",
	"America/Chicago":     "Central Standard Time",
	"America/Denver":      "Mountain Standard Time",
	"America/Phoenix":     "US Mountain Standard Time",
	"America/Los_Angeles": "Pacific Standard Time",
	"America/Vancouver":   "Pacific Standard Time",
	"America/Anchorage":   "Alaskan Standard Time",
	"Pacific/Honolulu":    "Hawaiian Standard Time",
}

// WindowsTimeZone returns the Windows time zone name Azure autoscale needs
// for an IANA zone, or an error listing the zones that are mapped.
func WindowsTimeZone(iana string) (string, error) {
	if w, ok := windowsZones[iana]; ok {
		return w, nil
	}
	known := make([]string, 0, len(windowsZones))
	for k := range windowsZones {
		known = append(known, k)
	}
	sort.Strings(known)
	return "", fmt.Errorf("timezone: %q has no Windows time zone mapping for Azure autoscale; use one of %s, or add it to windowsZones in season/azure.go (see the CLDR windowsZones table)",
		iana, strings.Join(known, ", "))
}

// AzureProfiles turns the calendar into autoscale profiles, exact from
// `from` until the returned ValidUntil (at most `to`).
//
// Why not just recurrences: recurrence profiles repeat every week of every
// month, so they can express the wedding-day pattern of only one season.
// The plan therefore has
//
//   - "default": the base capacity of that season (a safety net; with
//     weekly recurrences some recurrence profile is always in effect);
//   - "wedding-day-start" and "wedding-day-end": recurrences at the window's
//     opening (wedding-day capacity) and closing (the season's capacity);
//   - one fixed-date profile, in UTC, for each stretch where the calendar
//     differs from that weekly pattern: weekdays of the other season, extra
//     dates, and wedding windows whose capacity differs in the other season.
//
// Where an opening or closing falls on a local time the clocks skip or
// repeat (Sun 02:00 in New York on the spring-forward Sunday), Azure does
// not document when the recurrence starts, so fixed-date profiles follow
// the calendar from just before it until the next unambiguous start (see
// azureMasks).
//
// The 20-profile limit leaves 17 fixed-date profiles, roughly 17 weeks of
// the other season. Both seasons are tried for the recurrences and the one
// giving the later ValidUntil wins, so a plan made near a season boundary
// writes the coming season's pattern. ValidUntil is where the first stretch
// that did not fit begins; a calendar that needs more profiles before the
// next month begins (when the stack re-applies) is an error naming the
// quota.
func (c Config) AzureProfiles(from, to time.Time) (AzurePlan, error) {
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return AzurePlan{}, err
	}
	if !to.After(from) {
		return AzurePlan{}, fmt.Errorf("azure profiles: to (%s) must be after from (%s)", to, from)
	}
	winZone, err := WindowsTimeZone(c.Timezone)
	if err != nil {
		return AzurePlan{}, err
	}
	cal := c.calendar()
	masks := cal.azureMasks(from, to)
	var cuts []time.Time
	for _, m := range masks {
		cuts = append(cuts, m.start, m.end)
	}
	// A recurrence starts at every opening and closing, even inside an
	// extra date, so the recurrences' capacity is judged from each.
	for _, o := range cal.wedding.occurrences(from, to, cal.loc) {
		cuts = append(cuts, o.start, o.end)
	}
	timeline := cal.timeline(from, to, cuts...)
	seasons := []State{
		{Window: WindowOffSeason, Name: NameOffSeason, Capacity: cal.off},
		{Window: WindowPeak, Name: NamePeak, Capacity: cal.peakCap},
	}
	var best AzurePlan
	for _, season := range seasons {
		plan := cal.azurePlan(timeline, masks, season, winZone, to)
		if best.Profiles == nil || plan.ValidUntil.After(best.ValidUntil) {
			best = plan
		}
	}
	// The stack re-applies at least monthly (its Horizon changes with the
	// month), so the profiles must last until the next month begins.
	lf := from.In(cal.loc)
	need := wallClock(lf.Year(), lf.Month()+1, 1, 0, cal.loc)
	if to.Before(need) {
		need = to
	}
	if best.ValidUntil.Before(need) {
		return AzurePlan{}, fmt.Errorf("extraDates: the calendar from %s needs more than %d fixed-date profiles before %s; Azure allows %d profiles per autoscale setting (3 are the weekly pattern): drop extra dates before %s",
			lf.Format("2006-01-02"), AzureMaxProfiles-3, need.In(cal.loc).Format("2006-01-02"), AzureMaxProfiles, need.In(cal.loc).Format("2006-01-02"))
	}
	return best, nil
}

// azureMasks are the stretches in which what the recurrence profiles do
// depends on how Azure reads a start at a local time the clocks skip or
// repeat, which it does not document: from three hours before such an
// opening or closing (any reading of it lies within the clock change) until
// the next start at an unambiguous time. Fixed-date profiles follow the
// calendar there, so whichever recurrence Azure starts is overridden until
// one it starts for certain.
func (cal *calendar) azureMasks(from, to time.Time) []span {
	const margin, week = 3 * time.Hour, 8 * 24 * time.Hour
	w := cal.wedding
	type start struct {
		at     time.Time
		unique bool
	}
	var starts []start
	for _, o := range w.occurrences(from.Add(-week), to.Add(week), cal.loc) {
		starts = append(starts,
			start{o.start, wallIsUnique(o.start, w.start.minute, cal.loc)},
			start{o.end, wallIsUnique(o.end, w.endMinute, cal.loc)})
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].at.Before(starts[j].at) })
	var out []span
	for i, s := range starts {
		if s.unique {
			continue
		}
		m := span{start: s.at.Add(-margin), end: to}
		for _, next := range starts[i+1:] {
			if next.unique && next.at.After(s.at.Add(margin)) {
				m.end = next.at
				break
			}
		}
		if m.start.Before(from) {
			m.start = from
		}
		if m.end.After(to) {
			m.end = to
		}
		if !m.end.After(m.start) {
			continue
		}
		if n := len(out); n > 0 && !m.start.After(out[n-1].end) {
			out[n-1].end = maxTime(out[n-1].end, m.end)
			continue
		}
		out = append(out, m)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func inSpans(t time.Time, spans []span) bool {
	for _, s := range spans {
		if !t.Before(s.start) && t.Before(s.end) {
			return true
		}
	}
	return false
}

func azureCapacity(c Capacity) AzureCapacity {
	return AzureCapacity{Minimum: c.Min, Maximum: c.Max, Default: c.Desired}
}

func (cal *calendar) azurePlan(timeline, masks []span, season State, winZone string, to time.Time) AzurePlan {
	weddingCap := maxCap(season.Capacity, cal.weddingCap)
	recurrence := func(w weekTime) *AzureRecurrence {
		return &AzureRecurrence{Frequency: "Week", Schedule: AzureRecurrentSchedule{
			TimeZone: winZone, Days: []string{w.day.String()}, Hours: []int{w.minute / 60}, Minutes: []int{w.minute % 60},
		}}
	}
	profiles := []AzureProfile{
		{Name: "default", Capacity: azureCapacity(season.Capacity)},
		{Name: "wedding-day-start", Capacity: azureCapacity(weddingCap), Recurrence: recurrence(cal.wedding.start)},
		{Name: "wedding-day-end", Capacity: azureCapacity(season.Capacity), Recurrence: recurrence(cal.wedding.end())},
	}
	// Stretches where the calendar differs from what the recurrences give,
	// or where what they give is not documented (masks); adjacent
	// stretches with the same capacity become one profile.
	var fixed []span
	for _, s := range timeline {
		implied := season.Capacity
		if _, _, ok := cal.wedding.containing(s.start, cal.loc); ok {
			implied = weddingCap
		}
		if s.state.Capacity == implied && !inSpans(s.start, masks) {
			continue
		}
		if n := len(fixed); n > 0 && fixed[n-1].end.Equal(s.start) && fixed[n-1].state.Capacity == s.state.Capacity {
			fixed[n-1].end = s.end
			continue
		}
		fixed = append(fixed, s)
	}
	validUntil := to
	for _, f := range fixed {
		if len(profiles) == AzureMaxProfiles {
			validUntil = f.start
			break
		}
		profiles = append(profiles, AzureProfile{
			Name:      fmt.Sprintf("%s-%s", strings.ReplaceAll(strings.ToLower(f.state.Name), " ", "-"), f.start.In(cal.loc).Format("20060102T1504")),
			Capacity:  azureCapacity(f.state.Capacity),
			FixedDate: &AzureFixedDate{TimeZone: "UTC", Start: f.start.UTC(), End: f.end.UTC()},
		})
	}
	return AzurePlan{Profiles: profiles, ValidUntil: validUntil}
}
