package cost

import (
	"math"
	"sort"
)

// Savings is the compute commitment that minimises the year's cost given
// the season curve: committed spend is paid every hour at the discount,
// whatever runs above it is on demand.
type Savings struct {
	Commitment string  `json:"commitment"`
	Discount   float64 `json:"discount"`
	Source     string  `json:"source"`
	// LevelPerHour is the on-demand compute spend per hour to commit to.
	LevelPerHour float64 `json:"levelPerHour"`
	// FloorPerHour is the season curve's lowest hourly compute spend.
	FloorPerHour float64 `json:"floorPerHour"`
	OnDemand     float64 `json:"onDemandYear"`
	Committed    float64 `json:"withCommitmentYear"`
	Saving       float64 `json:"saving"`
	// BreakEven is the share of the year's hours a committed dollar must
	// be used in to pay off: 1 - discount.
	BreakEven float64 `json:"breakEvenUtilisation"`
}

// commitment finds the level c minimising sum_h c(1-d) + max(0, s_h - c).
// The cost is piecewise linear in c with breaks at the s_h, so the best
// level is one of them: the one where the hours above it are no more than
// (1-d) of the year.
func commitment(hourly []float64, c Commitment) *Savings {
	n := len(hourly)
	if n == 0 {
		return nil
	}
	s := append([]float64(nil), hourly...)
	sort.Float64s(s)
	total := 0.0
	for _, v := range s {
		total += v
	}
	d := c.Discount
	best, bestCost := 0.0, total
	above := total // sum of s_h over hours from i on
	for i, v := range s {
		// at level v: hours i.. contribute (s_h - v); all n hours pay v(1-d).
		cost := float64(n)*v*(1-d) + above - float64(n-i)*v
		if cost < bestCost-1e-9 {
			best, bestCost = v, cost
		}
		above -= v
	}
	return &Savings{
		Commitment: c.Name, Discount: d, Source: c.Source,
		LevelPerHour: round4(best), FloorPerHour: round4(s[0]),
		OnDemand: round2(total), Committed: round2(bestCost), Saving: round2(total - bestCost),
		BreakEven: round4(1 - d),
	}
}

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }
