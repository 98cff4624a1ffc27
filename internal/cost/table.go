// Package cost estimates what a stack's offline plan costs month by month
// through the wedding season: compute weighted hour by hour by the capacity
// each cloud's generated schedules give (the hours `capacity --plot` draws),
// everything else from the dated price table in pricing/ and the usage
// assumptions of the stack's environment. The command in internal/cli only
// reads flags and prints.
package cost

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Categories a resource type's cost is drawn in, in drawing order.
var Categories = []string{"compute", "database", "storage", "networking", "security", "monitoring"}

// Table is the price table: per cloud and region the priced types, and the
// types that are free or deliberately not priced, each with its reason.
type Table struct {
	Regions   map[string]*RegionPrices // by "aws-eu-west-2"
	Free      map[string]string
	NotPriced map[string]string
}

// RegionPrices is one pricing/<cloud>-<region>.yaml file.
type RegionPrices struct {
	Cloud      string               `yaml:"cloud"`
	Region     string               `yaml:"region"`
	Currency   string               `yaml:"currency"`
	Read       string               `yaml:"read"`
	Commitment Commitment           `yaml:"commitment"`
	Types      map[string]TypePrice `yaml:"types"`
	// NotPriced are types priced elsewhere whose price in this region is
	// not known: each reason names the page to read it from.
	NotPriced map[string]string `yaml:"notPriced"`
	file      string
}

// Commitment is the documented discount for committing to a level of
// compute spend for a year.
type Commitment struct {
	Name     string  `yaml:"name"`
	Discount float64 `yaml:"discount"`
	Source   string  `yaml:"source"`
	Evidence string  `yaml:"evidence"`
}

// TypePrice is how one resource type is billed.
type TypePrice struct {
	Category string   `yaml:"category"`
	Charges  []Charge `yaml:"charges"`
}

// Charge is one billed dimension (see pricing/README.md).
type Charge struct {
	Name       string             `yaml:"name"`
	Unit       string             `yaml:"unit"`
	Per        string             `yaml:"per"`
	Input      string             `yaml:"input"`
	Growth     string             `yaml:"growth"`
	Assumption string             `yaml:"assumption"`
	Key        string             `yaml:"key"`
	Rate       float64            `yaml:"rate"`
	Rates      map[string]float64 `yaml:"rates"`
	Factor     *Factor            `yaml:"factor"`
	Commit     bool               `yaml:"commit"`
	Source     string             `yaml:"source"`
	Evidence   string             `yaml:"evidence"`
}

// Factor multiplies a charge when an input has a value (Multi-AZ: 2).
type Factor struct {
	Input  string  `yaml:"input"`
	Equals any     `yaml:"equals"`
	Times  float64 `yaml:"times"`
}

var perKinds = map[string]bool{"capacity": true, "hour": true, "month": true, "input": true, "assumption": true}

// LoadTable reads every price file in dir and checks each entry has what
// the estimator needs, returning every problem at once.
func LoadTable(dir string) (*Table, error) {
	t := &Table{Regions: map[string]*RegionPrices{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasPrefix(base, "assumptions-") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if base == "free.yaml" {
			var fr struct {
				Free      map[string]string `yaml:"free"`
				NotPriced map[string]string `yaml:"notPriced"`
			}
			if err := yaml.Unmarshal(data, &fr); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			t.Free, t.NotPriced = fr.Free, fr.NotPriced
			continue
		}
		var rp RegionPrices
		if err := yaml.Unmarshal(data, &rp); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		rp.file = base
		problems = append(problems, rp.check()...)
		t.Regions[rp.Cloud+"-"+rp.Region] = &rp
	}
	if len(t.Regions) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no price files (<cloud>-<region>.yaml)", dir))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("price table %s: %s", dir, strings.Join(problems, "; "))
	}
	return t, nil
}

func (rp *RegionPrices) check() []string {
	var out []string
	if rp.Cloud == "" || rp.Region == "" || rp.Read == "" || rp.Currency != "USD" {
		out = append(out, fmt.Sprintf("%s: needs cloud, region, read (the date) and currency USD", rp.file))
	}
	for typ, why := range rp.NotPriced {
		if _, priced := rp.Types[typ]; priced || !strings.Contains(why, "https://") {
			out = append(out, fmt.Sprintf("%s: notPriced %s: want a type without a price here, and the page its price is on (https://...) in the reason", rp.file, typ))
		}
	}
	for typ, tp := range rp.Types {
		if !contains(Categories, tp.Category) {
			out = append(out, fmt.Sprintf("%s: %s: category %q: want one of %s", rp.file, typ, tp.Category, strings.Join(Categories, ", ")))
		}
		for _, c := range tp.Charges {
			where := fmt.Sprintf("%s: %s: charge %q", rp.file, typ, c.Name)
			if !perKinds[c.Per] {
				out = append(out, fmt.Sprintf("%s: per %q: want capacity, hour, month, input or assumption", where, c.Per))
			}
			if c.Source == "" || c.Evidence == "" {
				out = append(out, where+": needs source (the price page) and evidence")
			}
			if keyed := c.Key != ""; keyed != (len(c.Rates) > 0) || !keyed && c.Rate <= 0 {
				out = append(out, where+": give rate, or key with rates")
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Without is a copy of the table lacking typ in every region: what a run
// sees when a price is removed.
func (t *Table) Without(typ string) *Table {
	c := &Table{Regions: map[string]*RegionPrices{}, Free: t.Free, NotPriced: t.NotPriced}
	for k, rp := range t.Regions {
		cp := *rp
		cp.Types = map[string]TypePrice{}
		for ty, p := range rp.Types {
			if ty != typ {
				cp.Types[ty] = p
			}
		}
		c.Regions[k] = &cp
	}
	return c
}
