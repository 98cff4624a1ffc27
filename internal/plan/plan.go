// Package plan is the credential-free offline plan: it runs a Pulumi program
// under Pulumi's mocks, records every resource the program registers (type,
// name, parent, inputs, protect, provider), and renders the record as a tree,
// a summary, or the JSON document described in docs/plan-format.md.
//
// Nothing here talks to a cloud or to Pulumi Cloud: mocked ids and
// attributes (ARNs, self links, Azure resource ids) are derived from names,
// so a reference between two resources is visible and traceable.
package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/limits"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// Plan is what a stack would create: the documented JSON plan format.
type Plan struct {
	Project     string `json:"project"`
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	// PlannedAt is the instant the plan was made for (schedules, the
	// freeze) and where it came from.
	PlannedAt *Instant `json:"plannedAt,omitempty"`
	// Freeze is the wedding-day freeze at that instant: a status of the
	// deploy, not a violation of the plan.
	Freeze *Freeze `json:"freeze,omitempty"`
	// Policy is the policy config the violations were judged with (the
	// stack's wedsync:policy with its defaults: retention, regions,
	// exemptions), so a reader of the document (policy check, policy
	// report) judges it as the plan did. Absent in a document made
	// elsewhere: the defaults.
	Policy     *rules.Config `json:"policy,omitempty"`
	Resources  []Resource    `json:"resources"`
	Violations []Violation   `json:"violations"`
	// Limits are the values a cloud would refuse at deploy (internal/limits).
	Limits []limits.Breach `json:"limits"`
	// Outputs are the stack's outputs as the program exports them (what
	// `pulumi stack output --json` shows after a deploy), with the mocked
	// values of what only a deploy knows; secrets masked, unknowns marked.
	Outputs map[string]any `json:"outputs,omitempty"`
}

// Instant is when a plan was made for: At (RFC 3339) and its Source,
// "--now", "WEDSYNC_NOW" or "clock".
type Instant struct {
	At     string `json:"at"`
	Source string `json:"source"`
}

// Freeze is the freeze status of the planned stack at the planned instant.
type Freeze struct {
	// Frozen: a freeze window is in force; Until (RFC 3339) is its end.
	Frozen bool   `json:"frozen"`
	Window string `json:"window,omitempty"`
	Until  string `json:"until,omitempty"`
	// OverrideInForce: an emergency override lets a deploy through.
	OverrideInForce bool `json:"overrideInForce"`
	// Blocked: a deploy (up, promote, dr rebuild) would be refused now.
	Blocked bool `json:"blocked"`
	// Status is the decision in words; Override the command that lets an
	// emergency change through (when blocked).
	Status   string `json:"status"`
	Override string `json:"override,omitempty"`
}

// Resource is one resource the program registers.
type Resource struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	Name string `json:"name"`
	// ID is the mocked physical id (empty for component resources).
	ID string `json:"id"`
	// Parent is the URN of the parent resource ("" only for the stack).
	Parent string `json:"parent"`
	// Custom is true for resources a provider manages, false for components.
	Custom         bool `json:"custom"`
	Protect        bool `json:"protect"`
	RetainOnDelete bool `json:"retainOnDelete"`
	// Provider is the URN of the explicit provider resource, if any.
	Provider string `json:"provider"`
	// Inputs are the resource's inputs under the names the engine sees
	// (camelCase), secrets shown as core.SecretMarker, unknowns as
	// core.UnknownMarker.
	Inputs map[string]any `json:"inputs"`
}

// Violation is one policy rule a resource breaks.
type Violation struct {
	Policy           string `json:"policy"`
	EnforcementLevel string `json:"enforcementLevel"`
	URN              string `json:"urn"`
	Message          string `json:"message"`
}

// Options say which stack to plan and with what config.
type Options struct {
	Project string
	Stack   string
	// Environment is recorded in the plan document (policies key prod rules on it).
	Environment string
	// Config is the stack's config as Pulumi passes it to programs:
	// namespaced keys ("wedsync:region"), objects as JSON.
	Config map[string]string
	// SecretKeys are the config keys holding secrets.
	SecretKeys []string
}

// Run runs program under mocks and returns what it would create.
func Run(opts Options, program pulumi.RunFunc) (*Plan, error) {
	rec := newRecorder(opts.Project, opts.Stack)
	info := pulumi.RunInfo{
		Project:          opts.Project,
		Stack:            opts.Stack,
		Config:           opts.Config,
		ConfigSecretKeys: opts.SecretKeys,
		Mocks:            rec,
	}
	pctx, err := pulumi.NewContext(context.Background(), info)
	if err != nil {
		return nil, fmt.Errorf("start the mocked engine: %w", err)
	}
	defer func() { _ = pctx.Close() }()
	if err := pulumi.RunWithContext(pctx, program); err != nil {
		return nil, err
	}
	outputs, err := stackOutputs(pctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{
		Project:     opts.Project,
		Stack:       opts.Stack,
		Environment: opts.Environment,
		Resources:   rec.resources(),
		Violations:  []Violation{},
		Outputs:     outputs,
	}
	p.Limits = p.CheckLimits()
	return p, nil
}

// stackOutputs resolves what the program exported. The program has finished
// (every output is resolved), so awaiting does not block.
func stackOutputs(pctx *pulumi.Context) (map[string]any, error) {
	out := map[string]any{}
	for name, v := range pctx.GetCurrentExportMap() {
		res, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(v))
		if err != nil {
			return nil, fmt.Errorf("stack output %s: %w", name, err)
		}
		switch {
		case res.Secret:
			out[name] = core.SecretMarker
		case !res.Known:
			out[name] = core.UnknownMarker
		default:
			out[name] = res.Value
		}
	}
	return out, nil
}

// recorder is the mock resource monitor: it answers the program with
// realistic ids and records each registration.
type recorder struct {
	project, stack string

	mu     sync.Mutex
	byURN  map[string]*recorded
	stackR Resource
}

type recorded struct {
	Resource
	// state is what the mock returned (inputs plus computed attributes).
	state resource.PropertyMap
}

func newRecorder(project, stack string) *recorder {
	r := &recorder{project: project, stack: stack, byURN: map[string]*recorded{}}
	r.stackR = Resource{
		URN:    r.urn("", string(resource.RootStackType), project+"-"+stack),
		Type:   string(resource.RootStackType),
		Name:   project + "-" + stack,
		Inputs: map[string]any{},
	}
	return r
}

// NewResource answers a registration with a mocked id and state.
func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	parent := ""
	if rpc != nil {
		parent = rpc.GetParent()
	}
	if read := args.ReadRPC; read != nil {
		// A read (a stack reference, a .Get) sits under the parent the
		// program gives it, as in the engine.
		parent = read.GetParent()
	}
	urn := r.urn(parent, args.TypeToken, args.Name)
	providerURN := providerURNOf(args.Provider)

	r.mu.Lock()
	var provider *recorded
	if providerURN != "" {
		provider = r.byURN[providerURN]
	}
	r.mu.Unlock()

	id, state := "", resource.PropertyMap{}
	if args.Custom {
		id, state = mockState(args.TypeToken, args.Name, args.Inputs, provider)
	}

	rec := &recorded{
		Resource: Resource{
			URN:      urn,
			Type:     args.TypeToken,
			Name:     args.Name,
			ID:       id,
			Parent:   parent,
			Custom:   args.Custom,
			Provider: providerURN,
			Inputs:   toPlain(args.Inputs),
		},
		state: state,
	}
	if rpc != nil {
		rec.Protect = rpc.GetProtect()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
	}
	r.mu.Lock()
	r.byURN[urn] = rec
	r.mu.Unlock()
	return id, state, nil
}

// Call answers the data-source invokes the program makes.
func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	provider := r.byURN[providerURNOf(args.Provider)]
	r.mu.Unlock()
	return mockInvoke(args.Token, args.Args, provider)
}

func (r *recorder) resources() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []Resource{r.stackR}
	for _, rec := range r.byURN {
		out = append(out, rec.Resource)
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[i+1].URN < out[j+1].URN })
	return out
}

// providerURNOf strips the id from a provider reference ("urn::id").
func providerURNOf(ref string) string {
	if ref == "" {
		return ""
	}
	if i := strings.LastIndex(ref, "::"); i > 0 {
		return ref[:i]
	}
	return ref
}

// urn is the URN the engine gives a resource: the same scheme as Pulumi's
// own mock monitor, so plans and real previews name resources alike.
func (r *recorder) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.stack), tokens.PackageName(r.project), parentType, tokens.Type(typ), name))
}

// MandatoryViolations counts the violations that block a deploy.
func (p *Plan) MandatoryViolations() int {
	n := 0
	for _, v := range p.Violations {
		if v.EnforcementLevel == "mandatory" {
			n++
		}
	}
	return n
}
