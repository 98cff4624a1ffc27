package rules

import (
	"strconv"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// largePlan repeats the three compliant stacks n times under distinct names,
// so every companion lookup has many candidates.
func largePlan(n int) *plan.Plan {
	var all []fixture
	for i := range n {
		suffix := "-" + strconv.Itoa(i)
		for _, fs := range [][]fixture{awsFixtures(), gcpFixtures(), azureFixtures()} {
			for _, f := range fs {
				f.name += suffix
				f.inputs = renamed(f.inputs, suffix).(map[string]any)
				if f.id != "" {
					f.id += suffix
				}
				all = append(all, f)
			}
		}
	}
	return planOf("prod", all)
}

// renamed suffixes the names that resources use to refer to each other.
func renamed(v any, suffix string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = renamed(e, suffix)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renamed(e, suffix)
		}
		return out
	case string:
		for _, name := range []string{"wedsync-backup-g", "wedsync-backup", "wedsync-db", "wedsync-pg", "wedsync-web", "wsbackupuks"} {
			if strings.HasSuffix(x, name) {
				return x + suffix
			}
			// A monitoring filter quotes the name.
			if strings.Contains(x, name+`"`) {
				return strings.ReplaceAll(x, name+`"`, name+suffix+`"`)
			}
		}
	}
	return v
}

func TestLargePlanStaysCompliant(t *testing.T) {
	if got := EvaluatePlan(largePlan(20), Config{}, wednesday); len(got) != 0 {
		t.Errorf("want no violations, got %d, first %+v", len(got), got[0])
	}
}

// BenchmarkPolicyCheck measures the rules over a plan of about 12,000
// resources, as `policy check` runs them (conversion included).
func BenchmarkPolicyCheck(b *testing.B) {
	p := largePlan(330)
	b.ResetTimer()
	for range b.N {
		_ = EvaluatePlan(p, Config{}, wednesday)
	}
	b.ReportMetric(float64(len(p.Resources))*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}
