package plan

import (
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/wedsync/wedsync-infra/policies/rules"
)

// The policy rules (policies/rules) know nothing of this document: the
// conversion to their view lives here, beside the document, so the
// dependency points from the plan to the rules and never back.

// ForRules converts the plan's recorded resources into the rules' view:
// inputs to property.Map (markers become unknown values), the parent, and
// each resource's region from its own region/location input or its
// explicit provider's.
func ForRules(p *Plan) []*rules.Resource {
	providers := map[string]property.Map{}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			providers[r.URN] = rules.FromPlain(r.Inputs)
		}
	}
	out := make([]*rules.Resource, 0, len(p.Resources))
	for _, r := range p.Resources {
		props := rules.FromPlain(r.Inputs)
		out = append(out, &rules.Resource{
			URN: r.URN, Type: r.Type, Name: r.Name, ID: r.ID, Parent: r.Parent, Protect: r.Protect,
			Props: props, Region: rules.Region(props, providers[r.Provider]),
		})
	}
	return out
}

// Evaluate runs every rule over the plan's resources, for the environment
// the document names, at now (the clock of the freeze and seasonal
// capacity rules; zero skips what needs it), and returns the violations in
// the document's format.
func Evaluate(p *Plan, cfg rules.Config, now time.Time) []Violation {
	findings := rules.Evaluate(ForRules(p), rules.NewEnv(p.Environment, cfg, now))
	out := make([]Violation, 0, len(findings))
	for _, f := range findings {
		out = append(out, Violation{Policy: f.Policy, EnforcementLevel: string(f.Level), URN: f.URN, Message: f.Message})
	}
	return out
}

// Report evaluates the plan as Evaluate does and reports it per benchmark
// control (policies/rules BuildReport).
func Report(p *Plan, cfg rules.Config, now time.Time) *rules.Report {
	return rules.BuildReport(ForRules(p), rules.NewEnv(p.Environment, cfg, now))
}
