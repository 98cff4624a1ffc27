package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON prints the report as the documented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText prints a month-by-category table, the budget, the commitment
// saving, the flags, what is unpriced and the assumptions used.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Estimated cost of stack %s through %d, USD at on-demand list prices (%s).\n", r.Stack, r.Year, strings.Join(r.Prices, ", "))
	fmt.Fprintf(w, "Compute follows the season: instances each hour = the cloud's simulated schedule floor + %g x (calendar max - floor).\n\n",
		r.Assumptions.AutoscaleAboveFloor)
	fmt.Fprintf(w, "%-9s %9s", "month", "instance-h")
	for _, c := range Categories {
		fmt.Fprintf(w, " %10s", c)
	}
	fmt.Fprintf(w, " %10s %10s\n", "total", "budget")
	for _, m := range r.Months {
		name, limit := m.Month, r.Budget.Amount
		if m.Peak {
			name, limit = m.Month+"*", r.Budget.PeakAmount
		}
		fmt.Fprintf(w, "%-9s %9.0f", name, m.InstanceHours)
		for _, c := range Categories {
			fmt.Fprintf(w, " %10.2f", m.ByCategory[c])
		}
		fmt.Fprintf(w, " %10.2f %10.0f\n", m.Total, limit)
	}
	fmt.Fprintf(w, "%-9s %9s %65s %10.2f\n(* peak season)\n\n", "year", "", "", r.Total)
	fmt.Fprintf(w, "Budget %s = %.0f / peak %.0f USD. The estimate plus %g%% headroom suggests %.0f / peak %.0f.\n",
		r.Budget.Configured, r.Budget.Amount, r.Budget.PeakAmount, r.Assumptions.BudgetHeadroom*100, r.Budget.SuggestedAmount, r.Budget.SuggestedPeakAmount)
	for _, o := range r.OverBudget {
		fmt.Fprintf(w, "  OVER BUDGET %s: %.2f exceeds %s by %.2f\n", o.Month, o.Total, o.Limit, o.Gap)
	}
	if s := r.Savings; s != nil {
		fmt.Fprintf(w, "\nCommitment (%s, %.0f%% off): commit %.4f USD/h of on-demand compute (the season floor is %.4f):\n"+
			"  compute %.2f -> %.2f a year, saving %.2f; a committed dollar pays off if used %.0f%% of the hours; the peak stays on demand.\n",
			s.Commitment, s.Discount*100, s.LevelPerHour, s.FloorPerHour, s.OnDemand, s.Committed, s.Saving, s.BreakEven*100)
	}
	for _, f := range r.Flags {
		fmt.Fprintf(w, "\nFlag: %s", f)
	}
	if len(r.Flags) > 0 {
		fmt.Fprintln(w)
	}
	for _, u := range r.Unpriced {
		fmt.Fprintf(w, "\nUNPRICED %s (%s): %s", u.Type, u.Region, u.Reason)
	}
	if len(r.Unpriced) > 0 {
		fmt.Fprintln(w)
	}
	a := r.Assumptions
	fmt.Fprintf(w, "\nAssumptions (%s, version %d): usage %s; data sets (GB)", a.File, a.Version, formatMap(a.Usage))
	for _, name := range sortedKeys(a.Buckets) {
		fmt.Fprintf(w, " %s=%g", name, a.Buckets[name].Size())
	}
	fmt.Fprintln(w)
}

func formatMap(m map[string]float64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%g", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
