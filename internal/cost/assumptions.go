package cost

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Assumptions are the usage a plan cannot know, from
// pricing/assumptions-<env>.yaml; the output shows them.
type Assumptions struct {
	Version                  int                `yaml:"version" json:"version"`
	Environment              string             `yaml:"environment" json:"environment"`
	File                     string             `yaml:"-" json:"file"`
	AutoscaleAboveFloor      float64            `yaml:"autoscaleAboveFloor" json:"autoscaleAboveFloor"`
	Buckets                  map[string]Bucket  `yaml:"buckets" json:"buckets"`
	Usage                    map[string]float64 `yaml:"usage" json:"usage"`
	BillingCurrency          map[string]string  `yaml:"billingCurrency" json:"billingCurrency"`
	USDPer                   map[string]float64 `yaml:"usdPer" json:"usdPer"`
	BudgetHeadroom           float64            `yaml:"budgetHeadroom" json:"budgetHeadroom"`
	RequiredLogRetentionDays float64            `yaml:"requiredLogRetentionDays" json:"requiredLogRetentionDays"`
}

// Bucket is one data set's size: gb plus a daily backup copy kept
// retentionDays.
type Bucket struct {
	GB            float64 `yaml:"gb" json:"gb,omitempty"`
	DailyCopyGB   float64 `yaml:"dailyCopyGB" json:"dailyCopyGB,omitempty"`
	RetentionDays float64 `yaml:"retentionDays" json:"retentionDays,omitempty"`
}

// Size is the data set's GB: retention x daily copy size, plus the rest.
func (b Bucket) Size() float64 { return b.GB + b.DailyCopyGB*b.RetentionDays }

// LoadAssumptions reads dir/assumptions-<env>.yaml.
func LoadAssumptions(dir, env string) (*Assumptions, error) {
	path := filepath.Join(dir, "assumptions-"+env+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("usage assumptions for environment %s: %w", env, err)
	}
	var a Assumptions
	if err := yaml.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a.File = filepath.Join(filepath.Base(dir), filepath.Base(path))
	if a.Version < 1 || a.Environment != env {
		return nil, fmt.Errorf("%s: needs version (1 or more) and environment %s", path, env)
	}
	if a.AutoscaleAboveFloor < 0 || a.AutoscaleAboveFloor > 1 {
		return nil, fmt.Errorf("%s: autoscaleAboveFloor %v: want a fraction from 0 to 1", path, a.AutoscaleAboveFloor)
	}
	return &a, nil
}

// bucketSize is the GB of the data set a bucket holds: its own entry, else
// the entry of the data set it copies ("media-replica" holds "media").
func (a *Assumptions) bucketSize(name string) (float64, bool) {
	for _, n := range []string{name, strings.TrimSuffix(name, "-replica"), strings.TrimSuffix(name, "-offsite")} {
		if b, ok := a.Buckets[n]; ok {
			return b.Size(), true
		}
	}
	return 0, false
}

// toUSD converts amount in currency to USD; ok is false for a currency
// without a stated rate.
func (a *Assumptions) toUSD(amount float64, currency string) (float64, bool) {
	if currency == "" || currency == "USD" {
		return amount, true
	}
	r, ok := a.USDPer[currency]
	return amount * r, ok
}
