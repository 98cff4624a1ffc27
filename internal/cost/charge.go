package cost

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/season"
)

// charge is one charge of res for each month; ok is false when a rate or an
// assumption is missing (the type is then named unpriced).
func (e *estimator) charge(res plan.Resource, rp *RegionPrices, c Charge) (monthly [12]float64, ok bool) {
	rate := c.Rate
	if c.Key != "" {
		v := fmt.Sprint(input(res.Inputs, c.Key))
		r, found := c.Rates[v]
		if !found {
			e.unpriced(res.Type, rp.Region, fmt.Sprintf("pricing/%s: %q has no rate for %s=%s", rp.file, c.Name, c.Key, v))
			return monthly, false
		}
		rate = r
	}
	factor := 1.0
	if f := c.Factor; f != nil && fmt.Sprint(input(res.Inputs, f.Input)) == fmt.Sprint(f.Equals) {
		factor = f.Times
	}
	rate *= factor
	for m := 0; m < 12; m++ {
		var q float64
		switch c.Per {
		case "capacity":
			q = e.monthInstances[m]
		case "hour":
			q = e.h.hoursIn(m)
		case "month":
			q = 1
		case "input":
			n, okN := number(input(res.Inputs, c.Input))
			if !okN {
				e.unpriced(res.Type, rp.Region, fmt.Sprintf("pricing/%s: %q needs the input %s, which the plan does not give", rp.file, c.Name, c.Input))
				return monthly, false
			}
			q = n + e.a.Usage[c.Growth]*float64(m)
		case "assumption":
			var found bool
			if q, found = e.assumed(res, c.Assumption); !found {
				e.unpriced(res.Type, rp.Region, fmt.Sprintf("%s has no usage %q for %s", e.a.File, c.Assumption, res.Name))
				return monthly, false
			}
		}
		monthly[m] = q * rate
	}
	if c.Commit {
		for i, n := range e.instances {
			e.commitHourly[i] += n * rate
		}
		e.commitRegion = rp
	}
	return monthly, true
}

func (e *estimator) assumed(res plan.Resource, key string) (float64, bool) {
	if key == "bucket" {
		return e.a.bucketSize(res.Name)
	}
	v, ok := e.a.Usage[key]
	return v, ok
}

// input is the value at a dotted path of a resource's inputs.
func input(inputs map[string]any, path string) any {
	var cur any = inputs
	for _, k := range splitPath(path) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	case []any:
		// A list is billed per item: a web ACL's or security policy's rules.
		return float64(len(n)), true
	}
	return 0, false
}

// finish rounds the months and adds the budget, savings and flags.
func (e *estimator) finish() {
	r := e.r
	for i := range r.Months {
		m := &r.Months[i]
		m.Total = round2(m.Total)
		for k, v := range m.ByType {
			m.ByType[k] = round2(v)
		}
		for k, v := range m.ByCategory {
			m.ByCategory[k] = round2(v)
		}
		r.Total += m.Total
	}
	r.Total = round2(r.Total)
	sort.Slice(r.Unpriced, func(i, j int) bool { return r.Unpriced[i].Type < r.Unpriced[j].Type })
	for f := range e.used {
		r.Prices = append(r.Prices, "pricing/"+f)
	}
	sort.Strings(r.Prices)
	e.budget()
	if e.commitRegion != nil {
		r.Savings = commitment(e.commitHourly, e.commitRegion.Commitment)
	}
	e.flagPeakAfterOctober()
	e.flagLogRetention()
}

func (e *estimator) budget() {
	r, b := e.r, e.st.Budget
	currency := b.Currency
	if currency == "" {
		currency = e.a.BillingCurrency[e.st.Cloud]
	}
	peak := b.PeakAmount
	if peak == 0 {
		peak = b.Amount
	}
	amount, ok1 := e.a.toUSD(b.Amount, currency)
	peakUSD, ok2 := e.a.toUSD(peak, currency)
	r.Budget.Configured = fmt.Sprintf("%g / peak %g %s", b.Amount, peak, currency)
	if !ok1 || !ok2 {
		r.Flags = append(r.Flags, fmt.Sprintf("budget in %s: %s has no usdPer rate for it; not compared", currency, e.a.File))
		return
	}
	r.Budget.Amount, r.Budget.PeakAmount = round2(amount), round2(peakUSD)
	var dearOff, dearPeak float64
	for _, m := range r.Months {
		limit, name := amount, "amount"
		if m.Peak {
			limit, name = peakUSD, "peakAmount"
			dearPeak = math.Max(dearPeak, m.Total)
		} else {
			dearOff = math.Max(dearOff, m.Total)
		}
		if limit > 0 && m.Total > limit {
			r.OverBudget = append(r.OverBudget, Overrun{Month: m.Month, Limit: name, Total: m.Total, Gap: round2(m.Total - limit)})
		}
	}
	k := 1 + e.a.BudgetHeadroom
	r.Budget.SuggestedAmount, r.Budget.SuggestedPeakAmount = math.Ceil(dearOff*k), math.Ceil(dearPeak*k)
}

// flagPeakAfterOctober names capacity above the off-season calendar left
// in November and December: the season is over, the cost is not.
func (e *estimator) flagPeakAfterOctober() {
	h := e.h
	n, extra := 0, 0.0
	rate := 0.0
	for i := range e.instances {
		if e.instances[i] > 0 {
			rate = e.commitHourly[i] / e.instances[i]
			break
		}
	}
	cfg := e.st.Season
	cfg.ApplyDefaults()
	for i, t := range h.times {
		if t.Month() < time.November {
			continue
		}
		if h.window[i] == season.WindowPeak || h.floor[i] > h.calMin[i] {
			n++
			extra += (h.floor[i] - float64(cfg.Capacity.OffSeason.Min)) * rate
		}
	}
	if n > 0 {
		e.r.Flags = append(e.r.Flags, fmt.Sprintf("peak capacity after October: %d hours in November-December run above the off-season floor (about $%.2f)", n, extra))
	}
}

// flagLogRetention names log stores kept longer than the audit requires.
func (e *estimator) flagLogRetention() {
	req := e.a.RequiredLogRetentionDays
	if req <= 0 {
		return
	}
	for _, res := range e.st.Plan.Resources {
		for _, k := range []string{"retentionPeriod", "retentionInDays"} {
			if d, ok := number(res.Inputs[k]); ok && d > req {
				e.r.Flags = append(e.r.Flags, fmt.Sprintf("%s %s keeps logs %g days; %s requires %g", res.Type, res.Name, d, e.a.File, req))
			}
		}
	}
}
