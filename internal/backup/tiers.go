package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Tier is one backup tier of one purpose, as a stack exports it (output
// backupTiers, stacks/tiers.go): where the copies are, the key they must be
// encrypted with and how long they must stay locked.
type Tier struct {
	Tier    string `json:"tier"`    // bucket, replica or offsite
	Purpose string `json:"purpose"` // db-exports, media, config
	Cloud   string `json:"cloud"`   // aws, gcp, azure
	Region  string `json:"region"`
	// Bucket is the bucket (the container on Azure).
	Bucket string `json:"bucket"`
	// URL is the container's URL on Azure ("" elsewhere).
	URL           string `json:"url"`
	KeyID         string `json:"keyId"`
	RetentionDays int    `json:"retentionDays"`
	LockMode      string `json:"lockMode"`
}

// Name names the tier in messages: "offsite db-exports (gcp europe-west2)".
func (t Tier) Name() string {
	return fmt.Sprintf("%s %s (%s %s)", t.Tier, t.Purpose, t.Cloud, t.Region)
}

// Retention is the stated retention as a duration.
func (t Tier) Retention() time.Duration { return time.Duration(t.RetentionDays) * 24 * time.Hour }

// TierNames are the values of --tier: each tier, or all of them.
var TierNames = []string{"bucket", "replica", "offsite", "all"}

// TiersFromOutputs reads the backupTiers output from a stack's outputs
// (`pulumi stack output --json`, or the offline plan's outputs), keeping
// those of tier ("all" for every one).
func TiersFromOutputs(outputs map[string]any, tier string) ([]Tier, error) {
	if !slices.Contains(TierNames, tier) {
		return nil, fmt.Errorf("tier %q: allowed are %s", tier, strings.Join(TierNames, ", "))
	}
	raw, ok := outputs["backupTiers"]
	if !ok {
		return nil, errors.New("the stack has no backupTiers output: deploy a version that exports it, or name the bucket with --bucket")
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var all []Tier
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("backupTiers output: %w", err)
	}
	var out []Tier
	for _, t := range all {
		if tier == "all" || t.Tier == tier {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the stack has no %s tier", tier)
	}
	return out, nil
}
