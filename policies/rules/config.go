package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// Config is the pack's configuration: the policy config (JSON, the same
// shape in Pulumi's policy config, in the `wedsync:policy` stack config key
// and in `policy check --config`), plus what the freeze rule reads from the
// stack config.
type Config struct {
	// MinRetentionDays is the shortest backup retention allowed. Default 35
	// in prod, 7 elsewhere. RDS and Azure PostgreSQL keep at most 35 days, so
	// for them the requirement is capped at 35.
	MinRetentionDays int `json:"minRetentionDays,omitempty"`
	// AllowedRegions are where data stores and compute may live (GDPR).
	// Empty means the EU, EEA, UK and Switzerland regions of each cloud
	// (core.InEurope), plus GCP's European multi- and dual-regions.
	AllowedRegions []string `json:"allowedRegions,omitempty"`
	// Exemptions excuse one resource from one policy (or, with policy "*",
	// from all), with a reason. An exemption without a reason is an error.
	Exemptions []Exemption `json:"exemptions,omitempty"`

	// Season is the calendar (stack config `wedsync:season`) whose freeze
	// windows the freeze rule enforces; zero means the defaults.
	Season season.Config `json:"-"`
	// EmergencyOverride (stack config `wedsync:emergencyOverride`) lets a
	// prod update through a freeze.
	EmergencyOverride *season.Override `json:"-"`
}

// Exemption excuses the resource URN from Policy, for Reason. URN is the
// resource's full URN, or the part after its stack and project (type path
// and name, "wedsync:ingress:Ingress$aws:s3/bucketV2:BucketV2::web-logs"),
// which names that resource in whatever stack holds it: a renamed stack or
// a rebuilt copy keeps the exemption.
type Exemption struct {
	URN    string `json:"urn"`
	Policy string `json:"policy"`
	Reason string `json:"reason"`
}

// Default retention, in days.
const (
	DefaultProdRetentionDays  = 35
	DefaultOtherRetentionDays = 7
)

// ApplyDefaults fills the zero fields for environment env.
func (c *Config) ApplyDefaults(env string) {
	if c.MinRetentionDays == 0 {
		c.MinRetentionDays = DefaultOtherRetentionDays
		if env == "prod" {
			c.MinRetentionDays = DefaultProdRetentionDays
		}
	}
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if c.MinRetentionDays < 0 {
		errs = append(errs, fmt.Errorf("minRetentionDays = %d: must be 1 or more", c.MinRetentionDays))
	}
	for i, e := range c.Exemptions {
		if strings.TrimSpace(e.URN) == "" {
			errs = append(errs, fmt.Errorf("exemptions[%d].urn is empty: name the resource's URN", i))
		}
		if strings.TrimSpace(e.Policy) == "" {
			errs = append(errs, fmt.Errorf("exemptions[%d].policy is empty: name the policy, or \"*\" for all", i))
		}
		if strings.TrimSpace(e.Reason) == "" {
			errs = append(errs, fmt.Errorf("exemptions[%d].reason is empty: an exemption must say why", i))
		}
	}
	return errors.Join(errs...)
}

// Exempt reports whether resource urn has a reasoned exemption from policy.
func (c Config) Exempt(policy, urn string) bool {
	for _, e := range c.Exemptions {
		if (e.URN == urn || e.URN == stackRelative(urn)) && (e.Policy == policy || e.Policy == "*") && strings.TrimSpace(e.Reason) != "" {
			return true
		}
	}
	return false
}

// stackRelative is urn without its "urn:pulumi:STACK::PROJECT::" head.
func stackRelative(urn string) string {
	parts := strings.SplitN(urn, "::", 3)
	if len(parts) < 3 || !strings.HasPrefix(parts[0], "urn:pulumi:") {
		return ""
	}
	return parts[2]
}

// Allowed reports whether region of cloud ("aws", "gcp", "azure") may hold
// data under the config.
func (c Config) Allowed(cloud, region string) bool {
	region = lower(strings.ReplaceAll(region, " ", ""))
	if len(c.AllowedRegions) > 0 {
		return slices.ContainsFunc(c.AllowedRegions, func(a string) bool { return lower(strings.ReplaceAll(a, " ", "")) == region })
	}
	if cloud == "gcp" && slices.Contains(gcpEuropeMulti, region) {
		return true
	}
	return core.InEurope(core.Cloud(cloud), region)
}

// gcpEuropeMulti are GCP's multi- and predefined dual-regions inside Europe.
var gcpEuropeMulti = []string{"eu", "eur4", "eur5", "eur7", "eur8"}

// Decode reads a policy config object (JSON) over c, rejecting unknown
// fields so a misspelt key does not silently fall back to a default.
func (c *Config) Decode(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("policy config: %w", err)
	}
	return nil
}

// DecodeMap reads a policy config given as a map (policyx hands the pack's
// per-policy config this way), ignoring Pulumi's own enforcementLevel key.
func (c *Config) DecodeMap(m map[string]any) error {
	if len(m) == 0 {
		return nil
	}
	clean := make(map[string]any, len(m))
	for k, v := range m {
		if k != "enforcementLevel" {
			clean[k] = v
		}
	}
	data, err := json.Marshal(clean)
	if err != nil {
		return err
	}
	return c.Decode(data)
}

// ForStackPolicies is the config the pack's stack policies judge with,
// given the configs its resource policies were handed by the engine (the
// --policy-pack-config file, each decoded over c). policyx hands a stack
// policy no config of its own (its StackValidationArgs has none), so the
// stack policies read the resource policies': every exemption given to any
// of them (each names the policy it excuses), the longest minRetentionDays
// given (the strictest, where entries differ), and allowedRegions when
// every entry agrees (else c's). With none given, c.
func (c Config) ForStackPolicies(given ...Config) Config {
	if len(given) == 0 {
		return c
	}
	out := c
	out.Exemptions = slices.Clone(c.Exemptions)
	out.MinRetentionDays = 0
	regions, agree := given[0].AllowedRegions, true
	for _, g := range given {
		for _, e := range g.Exemptions {
			if !slices.Contains(out.Exemptions, e) {
				out.Exemptions = append(out.Exemptions, e)
			}
		}
		out.MinRetentionDays = max(out.MinRetentionDays, g.MinRetentionDays)
		agree = agree && slices.Equal(g.AllowedRegions, regions)
	}
	if agree {
		out.AllowedRegions = regions
	}
	return out
}
