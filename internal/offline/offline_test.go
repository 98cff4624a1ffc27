package offline

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func repo(t testing.TB) *project.Project {
	t.Helper()
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func shippedStacks(t testing.TB) []string {
	t.Helper()
	stacks, err := repo(t).Stacks()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"dev", "prod", "prod-azure", "prod-azure-dr", "prod-dr", "prod-gcp", "prod-gcp-dr", "staging"}
	if strings.Join(stacks, ",") != strings.Join(want, ",") {
		t.Fatalf("shipped stacks = %v, want %v", stacks, want)
	}
	return stacks
}

// planOf plans a shipped stack once per test binary: the plans are
// deterministic, and several tests read them.
var plans = map[string]*Result{}

func planOf(t testing.TB, stack string) *Result {
	t.Helper()
	if r, ok := plans[stack]; ok {
		return r
	}
	r, err := Plan(repo(t), stack, wednesday)
	if err != nil {
		t.Fatalf("plan %s: %v", stack, err)
	}
	plans[stack] = r
	return r
}

func TestEveryShippedStackPlansToTheDocumentedJSON(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			res := planOf(t, stack)
			var buf bytes.Buffer
			if err := res.Plan.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			back, err := plan.ReadJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if back.Project != "wedsync" || back.Stack != stack || back.Environment != string(res.Config.Environment) {
				t.Errorf("header = %q/%q/%q", back.Project, back.Stack, back.Environment)
			}
			urns := map[string]bool{}
			for _, r := range back.Resources {
				if r.URN == "" || r.Type == "" || r.Name == "" {
					t.Errorf("resource without urn/type/name: %+v", r)
				}
				if urns[r.URN] {
					t.Errorf("duplicate urn %s", r.URN)
				}
				urns[r.URN] = true
			}
			for _, r := range back.Resources {
				if r.Parent != "" && !urns[r.Parent] {
					t.Errorf("%s: parent %s is not in the plan", r.URN, r.Parent)
				}
				if r.Provider != "" && !urns[r.Provider] {
					t.Errorf("%s: provider %s is not in the plan", r.URN, r.Provider)
				}
				if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") && r.Provider == "" {
					t.Errorf("%s uses the ambient default provider; every resource needs its site's provider", r.URN)
				}
			}
		})
	}
}

func TestEverySiteHasItsOwnProviderInItsRegion(t *testing.T) {
	tests := []struct {
		stack, provider, key, region string
	}{
		{"prod", "aws-primary", "region", "eu-west-2"},
		{"prod", "aws-dr", "region", "eu-west-1"},
		{"prod-dr", "aws-primary", "region", "eu-west-1"},
		{"prod-gcp", "gcp-primary", "region", "europe-west2"},
		{"prod-gcp", "gcp-dr", "region", "europe-west1"},
		{"prod-azure", "azure-primary", "location", "uksouth"},
		{"prod-azure", "azure-dr", "location", "ukwest"},
		{"dev", "aws-primary", "region", "eu-west-2"},
	}
	for _, tt := range tests {
		t.Run(tt.stack+"_"+tt.provider, func(t *testing.T) {
			p := planOf(t, tt.stack).Plan
			for _, r := range p.Resources {
				if strings.HasPrefix(r.Type, "pulumi:providers:") && r.Name == tt.provider {
					if r.Inputs[tt.key] != tt.region {
						t.Errorf("%s %s = %v, want %s", tt.provider, tt.key, r.Inputs[tt.key], tt.region)
					}
					return
				}
			}
			t.Errorf("no provider %s", tt.provider)
		})
	}
}

func TestStandardTagsComeFromProviderDefaults(t *testing.T) {
	p := planOf(t, "prod").Plan
	for _, r := range p.Resources {
		if r.Type != "pulumi:providers:aws" {
			continue
		}
		tags, _ := plan.Lookup(r.Inputs, "defaultTags", "tags")
		got, _ := tags.(map[string]any)
		want := map[string]string{"app": "wedsync", "environment": "prod", "managed-by": "pulumi", "cost-centre": "wedsync-prod", "data-classification": "guest-pii"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s default tag %s = %v, want %q", r.Name, k, got[k], v)
			}
		}
	}
}

func TestInvalidConfigIsAConfigErrorListingEveryProblem(t *testing.T) {
	sc := &project.StackConfig{Values: map[string]string{
		"wedsync:environment": "prod", "wedsync:cloud": "aws", "wedsync:region": "eu-west-9", "wedsync:regoin": "x",
	}}
	_, err := PlanConfig("wedsync", "broken", sc, wednesday)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ConfigError", err)
	}
	for _, want := range []string{"wedsync:regoin", "wedsync:region", "wedsync:drRegion", "wedsync:costCentre"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func BenchmarkPlan(b *testing.B) {
	p := repo(b)
	for b.Loop() {
		if _, err := Plan(p, "prod", wednesday); err != nil {
			b.Fatal(err)
		}
	}
}

// Every shipped stack passes the policy pack all year round: the schedules
// and the freeze depend on the instant planned for, so plan a few that
// matter (off season, peak season, the season's last week, a spring week).
// On a wedding Saturday prod is frozen and dev is not: a status of the plan.
func TestShippedStacksPassThePolicyPackAllYear(t *testing.T) {
	for _, now := range []string{"2026-11-25T12:00:00Z", "2026-06-10T12:00:00+01:00", "2026-10-28T12:00:00Z", "2027-03-03T12:00:00Z"} {
		t.Run(now[:10], func(t *testing.T) {
			for _, stack := range shippedStacks(t) {
				res, err := Plan(repo(t), stack, instant(now))
				if err != nil {
					t.Fatalf("%s: %v", stack, err)
				}
				for _, v := range res.Plan.Violations {
					if v.EnforcementLevel == "mandatory" {
						t.Errorf("%s: %s %s: %s", stack, v.Policy, v.URN, v.Message)
					}
				}
			}
		})
	}
	t.Run("wedding_saturday_freezes_prod_not_dev", func(t *testing.T) {
		for stack, frozen := range map[string]bool{"prod": true, "prod-gcp": true, "dev": false, "staging": false} {
			res, err := Plan(repo(t), stack, instant("2026-06-13T15:00:00+01:00"))
			if err != nil {
				t.Fatal(err)
			}
			// The freeze is the plan's status, never one of its violations:
			// a plan is read, not deployed.
			if f := res.Plan.Freeze; f == nil || f.Blocked != frozen || f.Frozen != frozen {
				t.Errorf("%s on a wedding Saturday: freeze status %+v, want blocked %v", stack, f, frozen)
			}
			for _, v := range res.Plan.Violations {
				if v.Policy == "wedding-day-freeze" {
					t.Errorf("%s: the freeze is a violation of the plan: %s", stack, v.Message)
				}
			}
		}
	})
}
