package rules

import (
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// StackSettings is what the program, the freeze check and the policy pack
// all read of a stack's config: its environment, time zone, season
// calendar, policy config and emergency override. DecodeStackSettings is the
// one decoder of those keys (stacks.Config embeds the result), so the three
// can never read a stack differently.
type StackSettings struct {
	Environment core.Environment
	// Timezone is the IANA zone the calendar and freezes are evaluated in.
	Timezone string
	Season   season.Config
	Policy   Config
	// EmergencyOverride lets a prod change through a freeze.
	EmergencyOverride *season.Override
}

// Stack config keys of StackSettings.
const (
	KeyEnvironment       = "wedsync:environment"
	KeyPolicy            = "wedsync:policy"
	KeySeason            = "wedsync:season"
	KeyTimezone          = "wedsync:timezone"
	KeyEmergencyOverride = "wedsync:emergencyOverride"
)

// StackKeys are the keys DecodeStackSettings reads.
var StackKeys = []string{KeyEnvironment, KeyPolicy, KeySeason, KeyTimezone, KeyEmergencyOverride}

// DecodeStackSettings reads StackSettings from stack config values as
// Pulumi passes them to programs (namespaced keys, objects as JSON),
// strictly: unknown fields and wrong types are recorded in p, named by key
// and path. It neither applies defaults nor validates: see ApplyDefaults and
// Validate.
func DecodeStackSettings(values map[string]string, p *core.Problems) StackSettings {
	s := StackSettings{Environment: core.Environment(values[KeyEnvironment]), Timezone: values[KeyTimezone]}
	if raw, ok := values[KeySeason]; ok {
		core.DecodeObject(p, KeySeason, raw, &s.Season)
	}
	if raw, ok := values[KeyPolicy]; ok {
		core.DecodeObject(p, KeyPolicy, raw, &s.Policy)
	}
	if raw, ok := values[KeyEmergencyOverride]; ok {
		core.DecodeObject(p, KeyEmergencyOverride, raw, &s.EmergencyOverride)
	}
	return s
}

// ApplyDefaults fills the unset settings: the default zone, the calendar in
// the stack's zone, the environment's policy defaults.
func (s *StackSettings) ApplyDefaults() {
	if s.Timezone == "" {
		s.Timezone = season.DefaultTimezone
	}
	if s.Season.Timezone == "" {
		s.Season.Timezone = s.Timezone
	}
	s.Season.ApplyDefaults()
	s.Policy.ApplyDefaults(string(s.Environment))
}

// Validate records every problem in p (whose Prefix should be "wedsync:").
func (s StackSettings) Validate(p *core.Problems) {
	if !s.Environment.Valid() {
		p.Add("environment", string(s.Environment), "use %s", core.Join(core.Environments))
	}
	_, tzErr := time.LoadLocation(s.Timezone)
	tzValid := tzErr == nil && s.Timezone != "" && s.Timezone != "Local"
	switch {
	case !tzValid:
		p.Add("timezone", s.Timezone, "not an IANA time zone; use a name like Europe/London or America/New_York")
	case s.Season.Timezone != s.Timezone:
		p.Add("season.timezone", s.Season.Timezone, "the calendar uses the stack's time zone; remove it and set wedsync:timezone (now %q) instead", s.Timezone)
	default:
		p.Include("season.", s.Season.Validate())
	}
	p.Include("policy.", s.Policy.Validate())
	if o := s.EmergencyOverride; o != nil {
		if _, err := time.Parse(time.RFC3339, o.Expires); err != nil {
			p.Add("emergencyOverride.expires", o.Expires, "use an RFC 3339 time like 2026-06-13T18:00:00+01:00")
		}
	}
}

// PackConfig is the policy config with the calendar and override the
// freeze rule reads.
func (s StackSettings) PackConfig() Config {
	c := s.Policy
	c.Season = s.Season
	c.EmergencyOverride = s.EmergencyOverride
	return c
}

// LoadStackSettings decodes, defaults and validates: what the pack and the
// freeze check run on a stack's config values. The error lists every
// problem.
func LoadStackSettings(values map[string]string) (StackSettings, error) {
	p := &core.Problems{}
	s := DecodeStackSettings(values, p)
	s.ApplyDefaults()
	v := &core.Problems{Prefix: "wedsync:"}
	s.Validate(v)
	p.Include("", v.Err())
	return s, p.Err()
}
