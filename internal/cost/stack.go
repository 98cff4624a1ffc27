package cost

import (
	"path/filepath"
	"time"

	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// PricingDir is where a project keeps its price table and assumptions.
func PricingDir(p *project.Project) string { return filepath.Join(p.Dir, "pricing") }

// FromPlan is the estimate's view of an offline plan result.
func FromPlan(res *offline.Result) Stack {
	c := res.Config
	return Stack{
		Name: c.Stack, Environment: string(c.Environment), Cloud: string(c.Cloud), Region: c.Region,
		Season: c.Season, Budget: c.Budget, Plan: res.Plan,
	}
}

// EstimateStack plans stack offline as at now and prices it for year with
// the table and the environment's assumptions in dir.
func EstimateStack(p *project.Project, stack string, now time.Time, year int, t *Table, dir string) (*Report, error) {
	res, err := offline.Plan(p, stack, now)
	if err != nil {
		return nil, err
	}
	st := FromPlan(res)
	a, err := LoadAssumptions(dir, st.Environment)
	if err != nil {
		return nil, err
	}
	return Estimate(st, year, t, a)
}
