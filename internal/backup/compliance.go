package backup

import (
	"sort"
	"time"

	"github.com/wedsync/wedsync-infra/internal/audit"
)

// SuccessTarget is the seeds' backup success rate: below 99.9% of the
// scheduled copies verified, the backups page someone.
const SuccessTarget = 0.999

// Series is the copies of one tier and purpose over the report's window.
type Series struct {
	Name     string `json:"name"`
	Location string `json:"location"`
	// Copies in the window, oldest first.
	Copies []Copy `json:"copies"`
	// Expected copies in the window (one per schedule slot) and Good, the
	// slots holding a verified copy.
	Expected int     `json:"expected"`
	Good     int     `json:"good"`
	Rate     float64 `json:"rate"`
	LastGood *Copy   `json:"lastGood,omitempty"`
	Findings int     `json:"findings"`
	// Tier facts, for the auditor.
	LockMode      string `json:"lockMode,omitempty"`
	RetentionDays int    `json:"retentionDays,omitempty"`
	KeyID         string `json:"keyId,omitempty"`
}

// Compliance is the report's totals: the success rate over the window
// against SuccessTarget.
type Compliance struct {
	Stack    string        `json:"stack"`
	At       time.Time     `json:"at"`
	Window   time.Duration `json:"windowNs"`
	Schedule time.Duration `json:"scheduleNs"`
	RPO      time.Duration `json:"rpoNs"`
	Series   []Series      `json:"series"`
	Expected int           `json:"expected"`
	Good     int           `json:"good"`
	Rate     float64       `json:"rate"`
	Met      bool          `json:"met"`
	// RestoreTests, when the stack has them (AWS prod), are the window's
	// AWS Backup restore tests.
	RestoreTests *RestoreTests `json:"restoreTests,omitempty"`
	// Restores are the restores of the window from the audit history and
	// whether the erasure ledger was replayed into each (issue 27).
	Restores *audit.Restores `json:"restores,omitempty"`
}

// Score counts, per series, the schedule slots of the window (the last
// window/schedule slots ending at c.At) that hold a verified copy, and the
// totals against SuccessTarget.
func (c *Compliance) Score() {
	slots := int(c.Window / c.Schedule)
	start := c.At.Add(-time.Duration(slots) * c.Schedule)
	c.Expected, c.Good = 0, 0
	for i := range c.Series {
		s := &c.Series[i]
		sort.Slice(s.Copies, func(a, b int) bool { return s.Copies[a].CreatedAt.Before(s.Copies[b].CreatedAt) })
		filled := map[int]bool{}
		var kept []Copy
		for _, cp := range s.Copies {
			if cp.OK {
				last := cp
				s.LastGood = &last
			}
			if cp.CreatedAt.Before(start) || cp.CreatedAt.After(c.At) {
				continue
			}
			kept = append(kept, cp)
			if cp.OK {
				filled[int(cp.CreatedAt.Sub(start)/c.Schedule)] = true
			}
		}
		s.Copies, s.Expected, s.Good = kept, slots, len(filled)
		s.Rate = ratio(s.Good, s.Expected)
		c.Expected += s.Expected
		c.Good += s.Good
	}
	c.Rate = ratio(c.Good, c.Expected)
	c.Met = c.Expected > 0 && c.Rate >= SuccessTarget
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// AgePoint is the age of the newest verified copy at one instant.
type AgePoint struct {
	At    time.Time
	Hours float64
}

// Ages is the age of the series' newest verified copy, hourly over the
// window: the saw-tooth an auditor reads the RPO from. Instants before the
// first copy have no point.
func (c *Compliance) Ages(s Series) []AgePoint {
	var out []AgePoint
	start := c.At.Add(-c.Window)
	i := -1
	for t := start; !t.After(c.At); t = t.Add(time.Hour) {
		for i+1 < len(s.Copies) && !s.Copies[i+1].CreatedAt.After(t) {
			i++
		}
		newest := -1
		for j := i; j >= 0; j-- {
			if s.Copies[j].OK {
				newest = j
				break
			}
		}
		if newest >= 0 {
			out = append(out, AgePoint{At: t, Hours: t.Sub(s.Copies[newest].CreatedAt).Hours()})
		}
	}
	return out
}
