package season

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// SimulateAzure is Azure Monitor autoscale read from its documentation,
// independently of the calendar and the generator:
//
//   - [settings] "Understand autoscale settings" (azure-monitor/autoscale/
//     autoscale-understanding-settings): up to 20 profiles per setting and
//     only one default profile; a fixed-date profile's start and end are at
//     most 365 days apart; "The end of date and time for a recurring profile
//     is set by the start time of the following profile"; profiles are
//     evaluated "1. Fixed-date profiles 2. Recurring profiles 3. Default
//     profile" and "The first suitable profile that's found is used".
//   - [multi] "Autoscale with multiple profiles" (autoscale-multiprofile):
//     "Autoscale transitions between profiles based on their start times."
//   - [arm] Microsoft.Insights autoscaleSettings (ARM template reference):
//     recurrence frequency "must be Week"; a recurrent schedule starts at
//     each combination of days, hours and minutes in its timeZone, a Windows
//     time zone name.
//
// So a fixed-date profile containing the instant wins (the first listed,
// if several); else the recurrence profile whose most recent start, on its
// zone's wall clock, is latest; else the default profile. Fixed dates are
// simulated in "UTC" only. The documentation does not say what a
// recurrence does at a local time the clocks skip or repeat: such a start
// is read every plausible way, and an error is returned when the outcome
// depends on it.
func SimulateAzure(profiles []AzureProfile, from, to time.Time, step time.Duration) ([]Sample, error) {
	times, err := sampleTimes(from, to, step)
	if err != nil {
		return nil, err
	}
	c, err := azureSimulation(profiles, from, to)
	if err != nil {
		return nil, err
	}
	return c.samples(times), nil
}

// azureSimulation is the capacity over [from, to) as a step curve.
func azureSimulation(profiles []AzureProfile, from, to time.Time) (curve, error) {
	if err := checkAzureProfiles(profiles); err != nil {
		return curve{}, err
	}
	return simulateReadings("azure", "Azure documents only that a recurrence starts in its time zone", from,
		func(r reading) (curve, ambiguities, error) { return azureCurve(profiles, from, to, r) })
}

// Azure limits [settings].
const (
	AzureMaxProfiles        = 20
	AzureMaxRulesPerProfile = 10
	azureMaxFixedDateSpan   = 365 * 24 * time.Hour
	// azureLookback covers a week of recurrences before from.
	azureLookback = 8 * 24 * time.Hour
)

// ianaForWindows is the simulator's own reading of the Windows zone names
// (one IANA zone with the same rules each, per the CLDR windowsZones table);
// the generator's table (windowsZones) is separate.
var ianaForWindows = map[string]string{
	"UTC":                            "UTC",
	"GMT Standard Time":              "Europe/London",
	"Romance Standard Time":          "Europe/Paris",
	"W. Europe Standard Time":        "Europe/Berlin",
	"Central European Standard Time": "Europe/Warsaw",
	"Central Europe Standard Time":   "Europe/Budapest",
	"GTB Standard Time":              "Europe/Bucharest",
	"FLE Standard Time":              "Europe/Kyiv",
	"Turkey Standard Time":           "Europe/Istanbul",
	"Russian Standard Time":          "Europe/Moscow",
	"India Standard Time":            "Asia/Kolkata",
	"AUS Eastern Standard Time":      "Australia/Sydney",
	"Eastern Standard Time":          "America/New_York",
	"Central Standard Time":          "America/Chicago",
	"Mountain Standard Time":         "America/Denver",
	"US Mountain Standard Time":      "America/Phoenix",
	"Pacific Standard Time":          "America/Los_Angeles",
	"Alaskan Standard Time":          "America/Anchorage",
	"Hawaiian Standard Time":         "Pacific/Honolulu",
}

func checkAzureProfiles(profiles []AzureProfile) error {
	if len(profiles) > AzureMaxProfiles {
		return fmt.Errorf("simulate azure: %d profiles; Azure allows %d per autoscale setting", len(profiles), AzureMaxProfiles)
	}
	defaults := 0
	for _, p := range profiles {
		switch {
		case p.FixedDate != nil:
			f := p.FixedDate
			if f.TimeZone != "UTC" {
				return fmt.Errorf("simulate azure: profile %q: fixed date time zone %q; only UTC is simulated", p.Name, f.TimeZone)
			}
			if !f.End.After(f.Start) || f.End.Sub(f.Start) > azureMaxFixedDateSpan {
				return fmt.Errorf("simulate azure: profile %q: fixed date %s to %s; the end must be after the start and at most 365 days later", p.Name, f.Start.Format(time.RFC3339), f.End.Format(time.RFC3339))
			}
		case p.Recurrence != nil:
			if p.Recurrence.Frequency != "Week" {
				return fmt.Errorf("simulate azure: profile %q: frequency %q; Azure requires Week", p.Name, p.Recurrence.Frequency)
			}
		default:
			if defaults++; defaults > 1 {
				return fmt.Errorf("simulate azure: profile %q is a second default profile; a setting has one", p.Name)
			}
		}
	}
	return nil
}

// azureStart is one start of a recurrence profile.
type azureStart struct {
	at      time.Time
	profile int
}

// azureCurve is the capacity over [from, to) under reading r.
func azureCurve(profiles []AzureProfile, from, to time.Time, r reading) (curve, ambiguities, error) {
	var amb ambiguities
	var starts []azureStart
	def := -1
	points := []time.Time{}
	for i, p := range profiles {
		switch {
		case p.FixedDate != nil:
			points = append(points, p.FixedDate.Start, p.FixedDate.End)
		case p.Recurrence != nil:
			s, err := azureStarts(p, i, from, to, r, &amb)
			if err != nil {
				return curve{}, amb, err
			}
			starts = append(starts, s...)
		default:
			if def < 0 {
				def = i
			}
		}
	}
	sort.SliceStable(starts, func(i, j int) bool { return starts[i].at.Before(starts[j].at) })
	for _, s := range starts {
		points = append(points, s.at)
	}
	sort.Slice(points, func(i, j int) bool { return points[i].Before(points[j]) })
	// The profile in effect at t [settings]: fixed date, else the latest
	// recurrence start, else the default.
	inEffect := func(t time.Time) Capacity {
		in := def
		if k := sort.Search(len(starts), func(k int) bool { return starts[k].at.After(t) }); k > 0 {
			in = starts[k-1].profile
		}
		for i, p := range profiles {
			if f := p.FixedDate; f != nil && !t.Before(f.Start) && t.Before(f.End) {
				in = i
				break
			}
		}
		if in < 0 {
			return Capacity{}
		}
		k := profiles[in].Capacity
		return Capacity{Min: k.Minimum, Max: k.Maximum, Desired: k.Default}
	}
	c := curve{initial: inEffect(from)}
	last := c.initial
	for _, p := range points {
		if !p.After(from) || !p.Before(to) {
			continue
		}
		if capa := inEffect(p); capa != last {
			c.changes = append(c.changes, change{p, capa})
			last = capa
		}
	}
	return c, amb, nil
}

// azureStarts lists when recurrence profile p starts, from a week before
// from to to [arm].
func azureStarts(p AzureProfile, index int, from, to time.Time, r reading, amb *ambiguities) ([]azureStart, error) {
	s := p.Recurrence.Schedule
	iana, ok := ianaForWindows[s.TimeZone]
	if !ok {
		return nil, fmt.Errorf("simulate azure: profile %q: unknown Windows time zone %q", p.Name, s.TimeZone)
	}
	loc, err := loadLocation(iana)
	if err != nil {
		return nil, fmt.Errorf("simulate azure: profile %q: %w", p.Name, err)
	}
	if len(s.Days) == 0 || len(s.Hours) == 0 || len(s.Minutes) == 0 {
		return nil, fmt.Errorf("simulate azure: profile %q: a recurrence needs days, hours and minutes", p.Name)
	}
	days := map[time.Weekday]bool{}
	for _, name := range s.Days {
		found := false
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.EqualFold(name, d.String()) {
				days[d], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("simulate azure: profile %q: day %q is not a weekday name", p.Name, name)
		}
	}
	for _, h := range s.Hours {
		if h < 0 || h > 23 {
			return nil, fmt.Errorf("simulate azure: profile %q: hour %d is outside 0-23", p.Name, h)
		}
	}
	for _, m := range s.Minutes {
		if m < 0 || m > 59 {
			return nil, fmt.Errorf("simulate azure: profile %q: minute %d is outside 0-59", p.Name, m)
		}
	}
	after := from.Add(-azureLookback)
	var out []azureStart
	for _, day := range localDays(loc, after, to) {
		if !days[day.Weekday()] {
			continue
		}
		y, m, d := day.Date()
		for _, h := range s.Hours {
			for _, mi := range s.Minutes {
				facts := readWall(loc, y, m, d, h*60+mi)
				if facts.within(after, to) {
					amb.note(fmt.Sprintf("profile %q", p.Name), facts, loc, y, m, d, h*60+mi)
				}
				for _, at := range facts.instants(r) {
					if at.After(after) && at.Before(to) {
						out = append(out, azureStart{at, index})
					}
				}
			}
		}
	}
	return out, nil
}
