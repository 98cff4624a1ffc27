// Package season is WedSync's season calendar: peak season, wedding days,
// extra high-traffic dates and change freezes, evaluated in the stack's IANA
// time zone, and turned into each cloud's native autoscaling schedules.
//
// The package is pure Go and knows nothing of Pulumi: the autoscaling
// components turn the plain structs produced here (AWSScheduledAction,
// GCPScalingSchedule, AzureProfile) into resources. Each generator comes with
// a simulator written from that cloud's documentation and sharing no code
// with the calendar or the generator (simulate.go), so the tests can prove,
// minute by minute, that what the cloud will do matches the calendar
// (Config.CapacityAt).
//
// In the calendar, a wall-clock time that does not exist (the hour skipped
// when clocks go forward) means the instant the clocks jump, shifted
// forward by the gap (01:30 in London on the spring-forward Sunday is 02:30
// BST; a window closing at Sun 02:00 in New York on 8 March 2026 closes at
// 03:00 EDT), and a time that happens twice (the repeated hour in autumn)
// means its first occurrence. That is what a config means. What a cloud
// does at such a time is its own business and none of the three documents
// it, so the generators never let a schedule's effect depend on it (a
// one-time action, a one-time schedule or a fixed-date profile at the
// calendar's instant instead), and the simulators report an error when it
// would.
package season

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	// Embed the zone database so zones load on machines (CI images, distroless
	// containers) without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/hashicorp/go-multierror"
)

// Config is the season calendar as users write it in stack config under
// `wedsync:season`. Every field is optional: ApplyDefaults fills the zero
// ones, Validate reports every problem at once.
//
//	wedsync:season:
//	  timezone: Europe/London
//	  peakMonths: May-October
//	  weddingDays: {start: "Fri 16:00", end: "Sun 02:00"}
//	  extraDates:
//	    - {date: "2026-12-31", name: "New Year's Eve", start: "18:00", end: "03:00"}
//	  capacity:
//	    offSeason:  {min: 2,  max: 10, desired: 2}
//	    peak:       {min: 8,  max: 40, desired: 10}
//	    weddingDay: {min: 20, max: 60, desired: 20}
//	  freeze:
//	    weddingDays: {start: "Fri 18:00", end: "Sun 06:00"}
//	    dates:
//	      - {start: "2026-12-24", end: "2026-12-27", name: Christmas}
type Config struct {
	// Timezone is the IANA zone every window is evaluated in.
	Timezone string `json:"timezone,omitempty"`
	// PeakMonths is an inclusive month range, "May-October"; ranges may wrap
	// the year end ("November-February"), a single month ("August") is
	// allowed and "January-December" means all year.
	PeakMonths string `json:"peakMonths,omitempty"`
	// WeddingDays is the weekly window that gets wedding-day capacity, all
	// year round (winter weddings exist).
	WeddingDays WeeklyWindow `json:"weddingDays"`
	// ExtraDates get wedding-day capacity on one specific local date.
	ExtraDates []ExtraDate `json:"extraDates,omitempty"`
	// Capacity per window; see Capacities.
	Capacity Capacities `json:"capacity"`
	// Freeze says when production changes are not allowed.
	Freeze FreezeConfig `json:"freeze"`
}

// WeeklyWindow is a window that repeats every week, from Start to End, both
// written as "<weekday> HH:MM" in local time ("Fri 16:00", "Sunday 02:00").
// End is exclusive. A window that ends at or before its start on the same
// weekday runs into the following week; it must be shorter than 7 days.
type WeeklyWindow struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// ExtraDate gives wedding-day capacity to one local date ("2026-12-31").
// Start and End ("HH:MM", local) narrow or extend it: the window runs from
// Start on Date to End, on Date if End is after Start, else on the next day.
// Both default to "00:00", which is the whole day.
type ExtraDate struct {
	Date  string `json:"date"`
	Name  string `json:"name,omitempty"`
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Capacities holds the instance counts for the three windows. When several
// windows apply at once (a wedding day in peak season), the effective
// capacity is the field-by-field maximum of the applicable windows, so a
// wedding day never gets less than the season around it.
type Capacities struct {
	OffSeason  Capacity `json:"offSeason"`
	Peak       Capacity `json:"peak"`
	WeddingDay Capacity `json:"weddingDay"`
}

// Capacity is an instance count range for a scaling group.
type Capacity struct {
	Min     int `json:"min"`
	Max     int `json:"max"`
	Desired int `json:"desired"`
}

// FreezeConfig says when production changes are frozen: every week in the
// WeddingDays window, and on each dated period.
type FreezeConfig struct {
	WeddingDays WeeklyWindow `json:"weddingDays"`
	Dates       []FreezeDate `json:"dates,omitempty"`
}

// FreezeDate is a dated freeze. Start and End are local dates
// ("2026-12-24") or date-times ("2026-12-24 18:00"); a bare date means its
// midnight. End is exclusive: {start: 2026-12-24, end: 2026-12-27} freezes
// the 24th, 25th and 26th.
type FreezeDate struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Name  string `json:"name,omitempty"`
}

// Defaults, in one visible place. Peak traffic is ten times the off-season
// baseline, so the peak maximum (40) is well above ten times the off-season
// minimum (2), and a wedding day's floor (20) is that 10x baseline held
// ready before the traffic arrives.
const (
	DefaultTimezone           = "Europe/London"
	DefaultPeakMonths         = "May-October"
	DefaultWeddingStart       = "Fri 16:00"
	DefaultWeddingEnd         = "Sun 02:00"
	DefaultFreezeWeddingStart = "Fri 18:00"
	DefaultFreezeWeddingEnd   = "Sun 06:00"
)

// Default capacities; see the constants above for the reasoning.
var (
	DefaultOffSeason  = Capacity{Min: 2, Max: 10, Desired: 2}
	DefaultPeak       = Capacity{Min: 8, Max: 40, Desired: 10}
	DefaultWeddingDay = Capacity{Min: 20, Max: 60, Desired: 20}
)

// ApplyDefaults fills every zero field. A capacity window is replaced only
// when all three of its numbers are zero, so {min: 0, max: 5} keeps its
// deliberate zero minimum. Empty lists become nil so configs compare and
// round-trip the same however they were written.
func (c *Config) ApplyDefaults() {
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	if c.PeakMonths == "" {
		c.PeakMonths = DefaultPeakMonths
	}
	if c.WeddingDays.Start == "" {
		c.WeddingDays.Start = DefaultWeddingStart
	}
	if c.WeddingDays.End == "" {
		c.WeddingDays.End = DefaultWeddingEnd
	}
	if c.Freeze.WeddingDays.Start == "" {
		c.Freeze.WeddingDays.Start = DefaultFreezeWeddingStart
	}
	if c.Freeze.WeddingDays.End == "" {
		c.Freeze.WeddingDays.End = DefaultFreezeWeddingEnd
	}
	if c.Capacity.OffSeason == (Capacity{}) {
		c.Capacity.OffSeason = DefaultOffSeason
	}
	if c.Capacity.Peak == (Capacity{}) {
		c.Capacity.Peak = DefaultPeak
	}
	if c.Capacity.WeddingDay == (Capacity{}) {
		c.Capacity.WeddingDay = DefaultWeddingDay
	}
	if len(c.ExtraDates) == 0 {
		c.ExtraDates = nil
	} else {
		extras := make([]ExtraDate, len(c.ExtraDates))
		copy(extras, c.ExtraDates)
		for i := range extras {
			if extras[i].Name == "" {
				extras[i].Name = "extra date " + extras[i].Date
			}
		}
		c.ExtraDates = extras
	}
	if len(c.Freeze.Dates) == 0 {
		c.Freeze.Dates = nil
	} else {
		dates := make([]FreezeDate, len(c.Freeze.Dates))
		copy(dates, c.Freeze.Dates)
		for i := range dates {
			if dates[i].Name == "" {
				dates[i].Name = "freeze " + dates[i].Start
			}
		}
		c.Freeze.Dates = dates
	}
}

// ParseConfig decodes the JSON form of a Config, rejecting unknown fields
// (a misspelt "peakMonth" would otherwise silently fall back to the
// default), applies defaults and validates.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("season config: %w", err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("season config: unexpected data after the JSON object")
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate reports every problem at once as a *multierror.Error, each naming
// the JSON field path, the bad value and what is allowed. It checks the
// config as written: call ApplyDefaults first to validate the effective one.
func (c Config) Validate() error {
	var errs *multierror.Error
	add := func(format string, args ...any) {
		errs = multierror.Append(errs, fmt.Errorf(format, args...))
	}

	if _, err := loadLocation(c.Timezone); err != nil {
		add("timezone: %q is not an IANA time zone; use a name like %q", c.Timezone, DefaultTimezone)
	}
	if _, _, err := parseMonthRange(c.PeakMonths); err != nil {
		add("peakMonths: %q %v; use a month range like %q (wrap-around like \"November-February\" is allowed)", c.PeakMonths, err, DefaultPeakMonths)
	}
	for _, e := range validateWeekly("weddingDays", c.WeddingDays) {
		errs = multierror.Append(errs, e)
	}
	for _, e := range validateWeekly("freeze.weddingDays", c.Freeze.WeddingDays) {
		errs = multierror.Append(errs, e)
	}
	for i, x := range c.ExtraDates {
		path := fmt.Sprintf("extraDates[%d]", i)
		if _, err := parseDate(x.Date); err != nil {
			add("%s.date: %q is not a date; use YYYY-MM-DD like \"2026-12-31\"", path, x.Date)
		}
		for _, f := range []struct{ name, value string }{{"start", x.Start}, {"end", x.End}} {
			if f.value == "" {
				continue
			}
			if _, err := parseClock(f.value); err != nil {
				add("%s.%s: %q is not a time of day; use HH:MM (24-hour) like \"18:00\"", path, f.name, f.value)
			}
		}
	}
	for i, f := range c.Freeze.Dates {
		path := fmt.Sprintf("freeze.dates[%d]", i)
		start, errStart := parseDateTime(f.Start)
		if errStart != nil {
			add("%s.start: %q is not a date; use YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"", path, f.Start)
		}
		end, errEnd := parseDateTime(f.End)
		if errEnd != nil {
			add("%s.end: %q is not a date; use YYYY-MM-DD or \"YYYY-MM-DD HH:MM\"", path, f.End)
		}
		if errStart == nil && errEnd == nil && !end.After(start) {
			add("%s.end: %q is not after start %q; the end is exclusive, so a one-day freeze on the 25th is 25th to 26th", path, f.End, f.Start)
		}
	}

	caps := []struct {
		path string
		c    Capacity
	}{
		{"capacity.offSeason", c.Capacity.OffSeason},
		{"capacity.peak", c.Capacity.Peak},
		{"capacity.weddingDay", c.Capacity.WeddingDay},
	}
	for _, w := range caps {
		if w.c.Min < 0 {
			add("%s.min: %d is negative; use 0 or more", w.path, w.c.Min)
		}
		if w.c.Desired < w.c.Min {
			add("%s.desired: %d is below %s.min (%d); desired must be between min and max", w.path, w.c.Desired, w.path, w.c.Min)
		}
		if w.c.Max < w.c.Desired {
			add("%s.max: %d is below %s.desired (%d); max must be at least desired", w.path, w.c.Max, w.path, w.c.Desired)
		}
	}
	if c.Capacity.Peak.Min < c.Capacity.OffSeason.Min {
		add("capacity.peak.min: %d is below capacity.offSeason.min (%d); peak season needs at least the off-season minimum",
			c.Capacity.Peak.Min, c.Capacity.OffSeason.Min)
	}
	if c.Capacity.WeddingDay.Min < c.Capacity.Peak.Min {
		add("capacity.weddingDay.min: %d is below capacity.peak.min (%d); a wedding day needs at least the peak-season minimum",
			c.Capacity.WeddingDay.Min, c.Capacity.Peak.Min)
	}
	return errs.ErrorOrNil()
}

func validateWeekly(path string, w WeeklyWindow) []error {
	var errs []error
	start, errStart := parseWeekTime(w.Start)
	if errStart != nil {
		errs = append(errs, fmt.Errorf("%s.start: %q %w; use \"<weekday> HH:MM\" like %q", path, w.Start, errStart, DefaultWeddingStart))
	}
	end, errEnd := parseWeekTime(w.End)
	if errEnd != nil {
		errs = append(errs, fmt.Errorf("%s.end: %q %w; use \"<weekday> HH:MM\" like %q", path, w.End, errEnd, DefaultWeddingEnd))
	}
	if errStart == nil && errEnd == nil && start == end {
		errs = append(errs, fmt.Errorf("%s: start and end are both %q, which is ambiguous (empty or a whole week); a window must be between 1 minute and 7 days long", path, w.Start))
	}
	return errs
}

var monthNames = map[string]time.Month{}

var weekdayNames = map[string]time.Weekday{}

func init() {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		monthNames[name] = m
		monthNames[name[:3]] = m
	}
	monthNames["sept"] = time.September
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		weekdayNames[name] = d
		weekdayNames[name[:3]] = d
	}
}

// parseMonthRange parses "May-October", "nov-feb" or "August".
func parseMonthRange(s string) (from, to time.Month, err error) {
	parts := strings.Split(s, "-")
	if len(parts) > 2 {
		return 0, 0, fmt.Errorf("has more than one '-'")
	}
	months := make([]time.Month, len(parts))
	for i, p := range parts {
		m, ok := monthNames[strings.ToLower(strings.TrimSpace(p))]
		if !ok {
			return 0, 0, fmt.Errorf("has %q, which is not an English month name", strings.TrimSpace(p))
		}
		months[i] = m
	}
	if len(months) == 1 {
		return months[0], months[0], nil
	}
	return months[0], months[1], nil
}

// weekTime is a point in the local week: a weekday and a minute of the day.
type weekTime struct {
	day    time.Weekday
	minute int
}

// parseWeekTime parses "Fri 16:00" or "Friday 16:00".
func parseWeekTime(s string) (weekTime, error) {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return weekTime{}, fmt.Errorf("is not a weekday and a time")
	}
	day, ok := weekdayNames[strings.ToLower(fields[0])]
	if !ok {
		return weekTime{}, fmt.Errorf("has %q, which is not an English weekday", fields[0])
	}
	minute, err := parseClock(fields[1])
	if err != nil {
		return weekTime{}, fmt.Errorf("has %q, which is not a 24-hour HH:MM time", fields[1])
	}
	return weekTime{day: day, minute: minute}, nil
}

// parseClock parses "16:00" or "9:30" into minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, fmt.Errorf("not HH:MM")
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
		strings.ContainsAny(s, "+- ") {
		return 0, fmt.Errorf("not HH:MM")
	}
	return hour*60 + minute, nil
}

// date is a local calendar date with an optional minute of the day.
type date struct {
	year   int
	month  time.Month
	day    int
	minute int
}

// After reports whether d is strictly later than o.
func (d date) After(o date) bool {
	a := [4]int{d.year, int(d.month), d.day, d.minute}
	b := [4]int{o.year, int(o.month), o.day, o.minute}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

func parseDate(s string) (date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return date{}, err
	}
	return date{year: t.Year(), month: t.Month(), day: t.Day()}, nil
}

// parseDateTime parses "2026-12-24", "2026-12-24 18:00" or "2026-12-24T18:00".
func parseDateTime(s string) (date, error) {
	if d, err := parseDate(s); err == nil {
		return d, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return date{year: t.Year(), month: t.Month(), day: t.Day(), minute: t.Hour()*60 + t.Minute()}, nil
		}
	}
	return date{}, fmt.Errorf("not a date")
}
