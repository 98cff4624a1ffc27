package rules

import (
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// FromPlan converts a plan's recorded resources into the rules' view once:
// inputs to property.Map, and each resource's region from its own
// region/location input or its explicit provider's.
func FromPlan(p *plan.Plan) []*Resource {
	providers := map[string]map[string]any{}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, providerTypePrefix) {
			providers[r.URN] = r.Inputs
		}
	}
	out := make([]*Resource, 0, len(p.Resources))
	for _, r := range p.Resources {
		res := &Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, ID: r.ID, Protect: r.Protect,
			Props: FromPlain(r.Inputs),
		}
		res.Region = regionOf(r.Inputs, providers[r.Provider])
		out = append(out, res)
	}
	return out
}

// regionOf is the resource's own region or location, else its provider's.
func regionOf(inputs, provider map[string]any) string {
	for _, m := range []map[string]any{inputs, provider} {
		for _, k := range []string{"region", "location"} {
			if s, ok := m[k].(string); ok && s != "" && s != planUnknown && s != planSecret {
				return s
			}
		}
	}
	return ""
}

// EvaluatePlan runs every rule over a plan's resources, for the environment
// the plan document names, at now (the freeze rule's clock; zero skips it),
// and returns the violations in the plan's format.
func EvaluatePlan(p *plan.Plan, cfg Config, now time.Time) []plan.Violation {
	cfg.ApplyDefaults(p.Environment)
	env := &Env{Environment: p.Environment, Config: cfg, Now: now}
	findings := Evaluate(FromPlan(p), env)
	out := make([]plan.Violation, 0, len(findings))
	for _, f := range findings {
		out = append(out, plan.Violation{Policy: f.Policy, EnforcementLevel: string(f.Level), URN: f.URN, Message: f.Message})
	}
	return out
}
