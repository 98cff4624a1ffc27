package cost

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/components/alerting"
	"github.com/wedsync/wedsync-infra/internal/capacity"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/season"
)

// Stack is what an estimate needs of a stack: its plan, where it runs, its
// season calendar and its budget.
type Stack struct {
	Name        string
	Environment string
	// Cloud is "aws", "gcp" or "azure"; Region its primary region, the
	// region of resources whose provider names none.
	Cloud, Region string
	Season        season.Config
	Budget        alerting.BudgetSettings
	Plan          *plan.Plan
}

// Report is a year's estimate: the JSON `cost --json` prints.
type Report struct {
	Stack       string        `json:"stack"`
	Currency    string        `json:"currency"`
	Year        int           `json:"year"`
	Months      []Month       `json:"months"`
	Total       float64       `json:"total"`
	Budget      Budget        `json:"budget"`
	OverBudget  []Overrun     `json:"overBudget"`
	Unpriced    []Unpriced    `json:"unpriced"`
	Assumptions *Assumptions  `json:"assumptions"`
	Savings     *Savings      `json:"savings,omitempty"`
	Flags       []string      `json:"flags"`
	Prices      []string      `json:"prices"`
	Mandatory   bool          `json:"budgetMandatory"`
	Resources   []ResourceUse `json:"-"`
}

// Month is one calendar month's estimate.
type Month struct {
	Month      string             `json:"month"`
	Peak       bool               `json:"peak"`
	Total      float64            `json:"total"`
	ByType     map[string]float64 `json:"byType"`
	ByCategory map[string]float64 `json:"byCategory"`
	// InstanceHours is the compute the season gives the month.
	InstanceHours float64 `json:"instanceHours"`
}

// Budget is the stack's budget in USD, as configured and converted.
type Budget struct {
	Amount     float64 `json:"amount"`
	PeakAmount float64 `json:"peakAmount"`
	// Configured is the budget as the stack file writes it.
	Configured string `json:"configured"`
	// Suggested is the planned limit the estimate justifies: the dearest
	// off-peak and peak month plus the assumptions' headroom.
	SuggestedAmount     float64 `json:"suggestedAmount"`
	SuggestedPeakAmount float64 `json:"suggestedPeakAmount"`
}

// Overrun is a month whose estimate exceeds its budget.
type Overrun struct {
	Month string  `json:"month"`
	Limit string  `json:"limit"` // "amount" or "peakAmount"
	Total float64 `json:"total"`
	Gap   float64 `json:"gap"`
}

// Unpriced is a billable type the table has no price for.
type Unpriced struct {
	Type   string `json:"type"`
	Region string `json:"region"`
	Reason string `json:"reason"`
}

// ResourceUse is one resource's cost per month, for diffs.
type ResourceUse struct {
	URN, Type, Name string
	Monthly         [12]float64
}

// hours is the stack's year hour by hour: the capacity floor the cloud's
// schedules give, the calendar's maximum and window.
type hours struct {
	times  []time.Time
	floor  []float64
	calMin []float64
	max    []float64
	window []season.Window
	month  []int // 0..11
	// perMonth counts the hours of each month.
	perMonth []float64
}

// Estimate prices st's plan for year.
func Estimate(st Stack, year int, t *Table, a *Assumptions) (*Report, error) {
	h, err := seasonHours(st, year)
	if err != nil {
		return nil, err
	}
	r := &Report{Stack: st.Name, Currency: "USD", Year: year, Assumptions: a,
		OverBudget: []Overrun{}, Unpriced: []Unpriced{}, Flags: []string{}, Mandatory: st.Environment == "prod"}
	instances := h.instances(a.AutoscaleAboveFloor)
	var monthInstances [12]float64
	for i, n := range instances {
		monthInstances[h.month[i]] += n
	}
	for m := 0; m < 12; m++ {
		r.Months = append(r.Months, Month{
			Month: fmt.Sprintf("%d-%02d", year, m+1), ByType: map[string]float64{}, ByCategory: map[string]float64{},
			InstanceHours: round2(monthInstances[m]),
		})
	}
	for i, w := range h.window {
		if w == season.WindowPeak {
			r.Months[h.month[i]].Peak = true
		}
	}
	e := &estimator{st: st, t: t, a: a, h: h, instances: instances, monthInstances: monthInstances, r: r,
		commitHourly: make([]float64, len(instances)), used: map[string]bool{}}
	for _, res := range st.Plan.Resources {
		e.price(res)
	}
	e.finish()
	return r, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// seasonHours evaluates the stack's calendar over the local year, with the
// floor from the cloud's own schedules as its simulator runs them.
func seasonHours(st Stack, year int) (*hours, error) {
	cfg := st.Season
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, err
	}
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, loc), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	samples, err := capacity.Simulate(cloudTitle(st.Cloud), cfg, from, to)
	if err != nil {
		return nil, fmt.Errorf("stack %s: the %s schedules for %d: %w", st.Name, st.Cloud, year, err)
	}
	h := &hours{}
	var state season.State
	for i, s := range samples {
		t := s.Time.In(loc)
		// The calendar is piecewise constant and StateAt compiles it on
		// every call: evaluate it at local midnights and wherever the
		// schedules change the capacity, and carry it between (a window
		// shorter than a day that leaves the schedules' capacity unchanged
		// would be missed; the shipped calendars have none).
		if i == 0 || t.Hour() == 0 || s.Capacity != samples[i-1].Capacity {
			state = cfg.StateAt(t)
		}
		h.times = append(h.times, t)
		h.floor = append(h.floor, float64(s.Capacity.Min))
		h.calMin = append(h.calMin, float64(state.Capacity.Min))
		h.max = append(h.max, float64(state.Capacity.Max))
		h.window = append(h.window, state.Window)
		h.month = append(h.month, int(t.Month())-1)
	}
	return h, nil
}

func cloudTitle(cloud string) string {
	switch cloud {
	case "aws":
		return "AWS"
	case "gcp":
		return "GCP"
	case "azure":
		return "Azure"
	}
	return cloud
}

// instances is the instances running each hour: the floor, plus the share
// of the room up to the maximum that CPU autoscaling is assumed to use.
func (h *hours) instances(above float64) []float64 {
	out := make([]float64, len(h.floor))
	for i, f := range h.floor {
		out[i] = f + above*math.Max(0, h.max[i]-f)
	}
	return out
}

func (h *hours) hoursIn(m int) float64 {
	if h.perMonth == nil {
		h.perMonth = make([]float64, 12)
		for _, mm := range h.month {
			h.perMonth[mm]++
		}
	}
	return h.perMonth[m]
}

type estimator struct {
	st             Stack
	t              *Table
	a              *Assumptions
	h              *hours
	instances      []float64
	monthInstances [12]float64
	r              *Report
	// commitHourly is the on-demand spend per hour that a compute
	// commitment can cover.
	commitHourly []float64
	commitRegion *RegionPrices
	used         map[string]bool
}

// price adds one resource's charges to the months, or names it unpriced.
func (e *estimator) price(res plan.Resource) {
	if !res.Custom || strings.HasPrefix(res.Type, "pulumi:providers:") {
		return
	}
	cloud, region := e.where(res)
	if _, ok := e.t.Free[res.Type]; ok {
		return
	}
	if _, ok := e.t.NotPriced[res.Type]; ok {
		return
	}
	rp := e.t.Regions[cloud+"-"+region]
	if rp == nil {
		e.unpriced(res.Type, region, fmt.Sprintf("no price file pricing/%s-%s.yaml", cloud, region))
		return
	}
	if _, ok := rp.NotPriced[res.Type]; ok {
		return
	}
	tp, ok := rp.Types[res.Type]
	if !ok {
		e.unpriced(res.Type, region, fmt.Sprintf("neither in pricing/%s nor in pricing/free.yaml", rp.file))
		return
	}
	e.used[rp.file] = true
	use := ResourceUse{URN: res.URN, Type: res.Type, Name: res.Name}
	for _, c := range tp.Charges {
		monthly, ok := e.charge(res, rp, c)
		if !ok {
			return
		}
		for m, v := range monthly {
			use.Monthly[m] += v
			e.r.Months[m].ByType[res.Type] += v
			e.r.Months[m].ByCategory[tp.Category] += v
			e.r.Months[m].Total += v
		}
	}
	e.r.Resources = append(e.r.Resources, use)
}

// where is the cloud and region a resource is billed in: its provider's
// region, else the stack's.
func (e *estimator) where(res plan.Resource) (string, string) {
	cloud := strings.SplitN(res.Type, ":", 2)[0]
	if cloud == "azure-native" {
		cloud = "azure"
	}
	region := ""
	if res.Provider != "" {
		for _, p := range e.st.Plan.Resources {
			if p.URN == res.Provider {
				region = str(p.Inputs["region"])
				if region == "" {
					region = str(p.Inputs["location"])
				}
				break
			}
		}
	}
	if region == "" {
		if l := strings.ToLower(str(res.Inputs["location"])); e.t.Regions[cloud+"-"+l] != nil {
			region = l
		}
	}
	if region == "" && cloud == e.st.Cloud {
		region = e.st.Region
	}
	return cloud, region
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (e *estimator) unpriced(typ, region, reason string) {
	for _, u := range e.r.Unpriced {
		if u.Type == typ && u.Region == region {
			return
		}
	}
	e.r.Unpriced = append(e.r.Unpriced, Unpriced{Type: typ, Region: region, Reason: reason})
}
