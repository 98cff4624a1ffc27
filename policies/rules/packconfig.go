package rules

import (
	"encoding/json"
	"fmt"
	"slices"
)

// levelAdvisory is Pulumi's name of the advisory enforcement level in a
// policy pack config.
const levelAdvisory = "advisory"

// PackConfigFile is c as the file `pulumi preview/up --policy-pack-config
// FILE` reads: every resource policy gets c's policy settings
// (minRetentionDays, allowedRegions, exemptions: the pack's config schema),
// which the pack reads over the stack's own, and each policy in advisory
// gets the enforcement level "advisory" (an engine-level setting, which
// stack policies honour too). It is the one place that file is made, so
// plain `pulumi` with it and `wedsync-infra` judge a stack by the settings
// the offline plan's rules use.
func PackConfigFile(c Config, advisory ...string) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("policy config: %w", err)
	}
	settings := map[string]any{}
	if c.MinRetentionDays != 0 {
		settings["minRetentionDays"] = c.MinRetentionDays
	}
	if len(c.AllowedRegions) > 0 {
		settings["allowedRegions"] = c.AllowedRegions
	}
	if len(c.Exemptions) > 0 {
		settings["exemptions"] = c.Exemptions
	}
	file := map[string]map[string]any{}
	known := map[string]bool{}
	for _, p := range Policies() {
		known[p.Name] = true
		entry := map[string]any{}
		if !p.IsStack() {
			// policyx hands stack policies no config, only the level:
			// they read the resource policies' (policies/pack.go).
			for k, v := range settings {
				entry[k] = v
			}
		}
		if slices.Contains(advisory, p.Name) {
			entry["enforcementLevel"] = levelAdvisory
		}
		if len(entry) > 0 {
			file[p.Name] = entry
		}
	}
	for _, name := range advisory {
		if !known[name] {
			return nil, fmt.Errorf("policy config: no policy %q to make advisory", name)
		}
	}
	return json.MarshalIndent(file, "", "  ")
}

// StackPackConfigFile is PackConfigFile for the stack whose config values
// (stack file over its environments, as Pulumi passes them to programs)
// are values: the settings LoadStackSettings makes of them, defaults
// applied, as the pack and the offline plan read them.
func StackPackConfigFile(values map[string]string, advisory ...string) ([]byte, error) {
	s, err := LoadStackSettings(values)
	if err != nil {
		return nil, err
	}
	return PackConfigFile(s.PackConfig(), advisory...)
}
