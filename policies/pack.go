package main

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/wedsync/wedsync-infra/policies/rules"
)

// PackName is the pack's name as Pulumi shows it.
const PackName = "wedsync"

// PackVersion matches PulumiPolicy.yaml.
var PackVersion = semver.MustParse("0.1.0")

// Pack turns every rule into a policyx policy for a stack of environment
// env. cfg is the stack's policy config; each resource policy's own Pulumi
// policy config (--policy-pack-config) is read over it. policyx hands stack
// policies no policy config, but the engine configures the pack process
// once and validates every resource (Analyze) before it validates the
// stack (AnalyzeStack, at the end of a preview or update, in the same
// process: pulumi/pulumi pkg/resource/deploy step_generator.go,
// AnalyzeResources), so the stack policies judge with what the resource
// policies were handed (seen, rules.Config.ForStackPolicies): an
// exemption in the --policy-pack-config file holds for a stack policy too.
// clock is read once per evaluation.
func Pack(cfg rules.Config, env string, clock func() time.Time) (policyx.PolicyPack, error) {
	var policies []policyx.Policy
	seen := &givenConfigs{by: map[string]rules.Config{}}
	for _, p := range rules.Policies() {
		if p.IsStack() {
			policies = append(policies, policyx.NewStackValidationPolicy(p.Name, policyx.StackValidationPolicyArgs{
				Description:      p.FullDescription(),
				EnforcementLevel: level(p.LevelIn(env)),
				ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
					resources := make([]*rules.Resource, 0, len(args.Resources))
					for _, r := range args.Resources {
						resources = append(resources, fromAnalyzer(r))
					}
					e := &rules.Env{Environment: env, Config: cfg.ForStackPolicies(seen.all()...), Now: clock()}
					for _, f := range p.Evaluate(rules.NewStack(resources), e) {
						args.Manager.ReportViolation(f.Message, f.URN)
					}
					return nil
				},
			}))
			continue
		}
		policies = append(policies, policyx.NewResourceValidationPolicy(p.Name, policyx.ResourceValidationPolicyArgs{
			Description:      p.FullDescription(),
			EnforcementLevel: level(p.LevelIn(env)),
			ConfigSchema:     configSchema,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				c := cfg
				if err := c.DecodeMap(args.Config); err != nil {
					return err
				}
				seen.record(p.Name, c)
				e := &rules.Env{Environment: env, Config: c, Now: clock()}
				for _, f := range p.CheckResource(fromAnalyzer(args.Resource), e) {
					args.Manager.ReportViolation(f.Message, "")
				}
				return nil
			},
		}))
	}
	return policyx.NewPolicyPack(PackName, PackVersion, policyx.EnforcementLevelMandatory, policies)
}

// givenConfigs are the configs the resource policies were handed, by
// policy: the engine may validate resources concurrently.
type givenConfigs struct {
	mu sync.Mutex
	by map[string]rules.Config
}

func (g *givenConfigs) record(policy string, c rules.Config) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.by[policy] = c
}

// all are the configs given, in policy order.
func (g *givenConfigs) all() []rules.Config {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]rules.Config, 0, len(g.by))
	for _, name := range slices.Sorted(maps.Keys(g.by)) {
		out = append(out, g.by[name])
	}
	return out
}

func level(l rules.Level) policyx.EnforcementLevel {
	if l == rules.Advisory {
		return policyx.EnforcementLevelAdvisory
	}
	return policyx.EnforcementLevelMandatory
}

// fromAnalyzer is the rules' view of a resource the engine sends.
func fromAnalyzer(a policyx.AnalyzerResource) *rules.Resource {
	return &rules.Resource{
		URN: a.URN, Type: a.Type, Name: a.Name, Parent: a.Parent, Protect: a.Options.Protect,
		Props: a.Properties, Deps: a.PropertyDependencies,
		Region: rules.Region(a.Properties, a.Provider.Properties),
	}
}

// configSchema is the JSON schema of rules.Config, for `pulumi policy`
// tooling and the engine's validation of --policy-pack-config.
var configSchema = &policyx.ConfigSchema{
	Properties: map[string]map[string]any{
		"minRetentionDays": {"type": "integer", "minimum": 1, "description": "shortest backup retention allowed; default 35 in prod, 7 elsewhere"},
		"allowedRegions": {"type": "array", "items": map[string]any{"type": "string"},
			"description": "regions data may live in; default the EU, EEA, UK and Switzerland regions"},
		"exemptions": {"type": "array", "description": "resources excused from a policy, each with a reason",
			"items": map[string]any{
				"type":       "object",
				"required":   []any{"urn", "policy", "reason"},
				"properties": map[string]any{"urn": map[string]any{"type": "string"}, "policy": map[string]any{"type": "string"}, "reason": map[string]any{"type": "string", "minLength": 1}},
			}},
	},
}
