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

// AzureMaxProfiles is Azure's limit of profiles per autoscale setting.
const AzureMaxProfiles = 20

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

// ianaForWindows is the reverse table the simulator uses: one IANA zone per
// Windows name, whose rules are the Windows zone's.
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
	"Eastern Standard Time":          "America/New_York",
	"Central Standard Time":          "America/Chicago",
	"Mountain Standard Time":         "America/Denver",
	"US Mountain Standard Time":      "America/Phoenix",
	"Pacific Standard Time":          "America/Los_Angeles",
	"Alaskan Standard Time":          "America/Anchorage",
	"Hawaiian Standard Time":         "Pacific/Honolulu",
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
// The 20-profile limit leaves 17 fixed-date profiles, roughly 17 weeks of
// the other season. Both seasons are tried for the recurrences and the one
// giving the later ValidUntil wins, so a plan made near a season boundary
// writes the coming season's pattern. ValidUntil is where the first stretch
// that did not fit begins.
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
	timeline := cal.timeline(from, to)
	seasons := []State{
		{Window: WindowOffSeason, Name: NameOffSeason, Capacity: cal.off},
		{Window: WindowPeak, Name: NamePeak, Capacity: cal.peakCap},
	}
	var best AzurePlan
	for _, season := range seasons {
		plan := cal.azurePlan(timeline, season, winZone, from, to)
		if best.Profiles == nil || plan.ValidUntil.After(best.ValidUntil) {
			best = plan
		}
	}
	return best, nil
}

func azureCapacity(c Capacity) AzureCapacity {
	return AzureCapacity{Minimum: c.Min, Maximum: c.Max, Default: c.Desired}
}

func (cal *calendar) azurePlan(timeline []span, season State, winZone string, from, to time.Time) AzurePlan {
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
	// Stretches where the calendar differs from what the recurrences give;
	// adjacent stretches with the same capacity become one profile.
	var fixed []span
	for _, s := range timeline {
		implied := season.Capacity
		if _, _, ok := cal.wedding.containing(s.start, cal.loc); ok {
			implied = weddingCap
		}
		if s.state.Capacity == implied {
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

// SimulateAzure evaluates autoscale profiles with Azure's documented
// precedence, independently of the calendar: a fixed-date profile
// containing the instant (the first one listed, if several) wins; else the
// recurrence profile whose most recent start (on its Windows zone's wall
// clock) is latest; else the default profile (the first with neither).
// Recurrence time zones are mapped back to IANA with the reverse of the
// WindowsTimeZone table.
func SimulateAzure(profiles []AzureProfile, from, to time.Time, step time.Duration) ([]Sample, error) {
	times, err := sampleTimes(from, to, step)
	if err != nil {
		return nil, err
	}
	type start struct {
		at      time.Time
		profile int
	}
	var starts []start
	def := -1
	for i, p := range profiles {
		switch {
		case p.FixedDate != nil:
			if p.FixedDate.TimeZone != "UTC" {
				return nil, fmt.Errorf("simulate azure: profile %q: fixed date time zone %q; only UTC is simulated", p.Name, p.FixedDate.TimeZone)
			}
		case p.Recurrence != nil:
			r := p.Recurrence
			if r.Frequency != "Week" {
				return nil, fmt.Errorf("simulate azure: profile %q: frequency %q; only Week is simulated", p.Name, r.Frequency)
			}
			loc, err := loadLocation(ianaForWindows[r.Schedule.TimeZone])
			if err != nil {
				return nil, fmt.Errorf("simulate azure: profile %q: unknown Windows time zone %q", p.Name, r.Schedule.TimeZone)
			}
			spec, err := azureCron(r.Schedule)
			if err != nil {
				return nil, fmt.Errorf("simulate azure: profile %q: %w", p.Name, err)
			}
			for _, at := range spec.fires(loc, from.Add(-8*24*time.Hour), to) {
				starts = append(starts, start{at, i})
			}
		default:
			if def < 0 {
				def = i
			}
		}
	}
	sort.SliceStable(starts, func(i, j int) bool { return starts[i].at.Before(starts[j].at) })
	out := make([]Sample, 0, len(times))
	recurring, next := -1, 0
	for _, t := range times {
		for next < len(starts) && !starts[next].at.After(t) {
			recurring = starts[next].profile
			next++
		}
		in := recurring
		if in < 0 {
			in = def
		}
		for i, p := range profiles {
			if f := p.FixedDate; f != nil && !t.Before(f.Start) && t.Before(f.End) {
				in = i
				break
			}
		}
		var capa Capacity
		if in >= 0 {
			k := profiles[in].Capacity
			capa = Capacity{Min: k.Minimum, Max: k.Maximum, Desired: k.Default}
		}
		out = append(out, Sample{Time: t, Capacity: capa})
	}
	return out, nil
}

// azureCron expresses a recurrent schedule as the cron subset, so the one
// wall-clock evaluator serves every simulator.
func azureCron(s AzureRecurrentSchedule) (cronSpec, error) {
	join := func(xs []int) string {
		parts := make([]string, len(xs))
		for i, x := range xs {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	}
	days := make([]int, 0, len(s.Days))
	for _, d := range s.Days {
		wd, ok := weekdayNames[strings.ToLower(d)]
		if !ok {
			return cronSpec{}, fmt.Errorf("day %q is not a weekday", d)
		}
		days = append(days, int(wd))
	}
	if len(days) == 0 || len(s.Hours) == 0 || len(s.Minutes) == 0 {
		return cronSpec{}, fmt.Errorf("recurrence needs days, hours and minutes")
	}
	return parseCron(fmt.Sprintf("%s %s * * %s", join(s.Minutes), join(s.Hours), join(days)))
}
