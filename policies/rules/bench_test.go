package rules

import (
	"strconv"
	"strings"
	"testing"
)

// largeStack repeats the three compliant cloud stacks n times under
// distinct names, so every companion lookup has many candidates.
func largeStack(n int) []fixture {
	var all []fixture
	for i := range n {
		suffix := "-" + strconv.Itoa(i)
		for _, fs := range [][]fixture{awsFixtures(), gcpFixtures(), azureFixtures()} {
			for _, f := range fs {
				f.name += suffix
				if f.in != "" {
					f.in += suffix
				}
				f.inputs = renamed(f.inputs, suffix).(map[string]any)
				if f.id != "" {
					f.id += suffix
				}
				all = append(all, f)
			}
		}
	}
	return all
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
		for _, name := range []string{"wedsync-backup-g", "wedsync-backup", "wedsync-db", "wedsync-pg", "wedsync-web", "wsbackupuks", "wedsync-vpc", "wedsync-vnet"} {
			if strings.HasSuffix(x, name) {
				return x + suffix
			}
			// An object prefix (a data-event selector) ends in a slash.
			if strings.HasSuffix(x, name+"/") {
				return strings.TrimSuffix(x, "/") + suffix + "/"
			}
			// A monitoring filter quotes the name.
			if strings.Contains(x, name+`"`) {
				return strings.ReplaceAll(x, name+`"`, name+suffix+`"`)
			}
		}
	}
	return v
}

func TestLargeStackStaysCompliant(t *testing.T) {
	if got := check("prod", largeStack(20), Config{}, wednesday); len(got) != 0 {
		t.Errorf("want no violations, got %d, first %+v", len(got), got[0])
	}
}

// BenchmarkPolicyCheck measures the rules over a stack of about 16,000
// resources, as `policy check` runs them (conversion of the recorded
// inputs included).
func BenchmarkPolicyCheck(b *testing.B) {
	fixtures := largeStack(330)
	b.ResetTimer()
	n := 0
	for range b.N {
		resources := resourcesOf(fixtures)
		n = len(resources)
		_ = Evaluate(resources, NewEnv("prod", Config{}, wednesday))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}
