package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/wedsync/wedsync-infra/season"
)

// Level is a policy's enforcement level, as Pulumi names it.
type Level string

// The enforcement levels the pack uses.
const (
	// Mandatory violations stop a deploy (and make the offline plan and
	// `policy check` exit 1).
	Mandatory Level = "mandatory"
	// Advisory violations are shown but do not block.
	Advisory Level = "advisory"
)

// Resource is one resource as the rules see it: the same shape whether it
// comes from the Pulumi engine (preview) or from an offline plan.
type Resource struct {
	URN string
	// Type is the token exactly as the engine names it; rules match it
	// through CanonicalType.
	Type string
	Name string
	// Parent is the URN of the resource's parent ("" for the stack, or when
	// the front end does not say).
	Parent string
	// ID is the physical id when known (offline plans); empty in a preview.
	ID      string
	Protect bool
	// Region is where the resource lives: its own region/location input, else
	// its provider's; empty when unknown.
	Region string
	Props  property.Map
	// Deps maps an input name to the URNs it was computed from (preview).
	Deps map[string][]string
}

// Env is everything an evaluation knows beyond the resources.
type Env struct {
	// Environment is the stack's environment ("dev", "staging", "prod").
	Environment string
	Config      Config
	// Now is read once per evaluation, so every rule sees the same instant.
	Now time.Time
}

// Prod reports whether prod-only rules apply.
func (e *Env) Prod() bool { return e.Environment == "prod" }

// Finding is one violation a policy reports.
type Finding struct {
	Policy  string
	Level   Level
	URN     string
	Message string
}

// Policy is one rule of the pack. A resource policy judges each resource on
// its own (Check, per type); a stack policy judges all of them together
// (Stack), for rules that need a companion resource or the clock.
type Policy struct {
	Name        string
	Description string
	// Level is the enforcement level, in every environment unless
	// ProdLevel says otherwise; LevelIn reads the two.
	Level Level
	// ProdLevel, if set, is the level in prod: a control that is
	// mandatory in prod and advisory elsewhere.
	ProdLevel Level
	// ProdOnly policies pass every resource of a non-prod stack.
	ProdOnly bool
	// Check maps a type token to the function judging resources of that type;
	// each returned message is a violation.
	Check map[string]func(r *Resource, env *Env) []string
	// Stack judges the whole stack; each finding is a violation.
	Stack func(s *Stack, env *Env) []Finding
	// Judges lists the types a stack policy reports findings on (the
	// resource policies' types are their Check keys).
	Judges []string
}

// IsStack reports whether p is a stack policy.
func (p *Policy) IsStack() bool { return p.Stack != nil }

// LevelIn is p's enforcement level in environment env.
func (p *Policy) LevelIn(env string) Level {
	if env == "prod" && p.ProdLevel != "" {
		return p.ProdLevel
	}
	return p.Level
}

// Policies returns every policy of the pack, in a stable order.
func Policies() []*Policy {
	var all []*Policy
	for _, group := range [][]*Policy{encryptionPolicies(), exposurePolicies(), dataProtectionPolicies(), capacityPolicies(), freezePolicies(), monitoringPolicies(), databaseCopyPolicies(), offsiteFirewallPolicies(), ingressPolicies(), configPolicies(), networkPolicies(), ciAccessPolicies(), accessRecordPolicies(), erasurePolicies()} {
		all = append(all, group...)
	}
	return all
}

// Stack is the set of resources a stack policy judges, indexed by type and
// (lazily) by the references between them. It is not safe for concurrent use.
type Stack struct {
	Resources []*Resource
	byType    map[string][]*Resource
	refIndex  map[string]*refs
	// targets name the buckets that receive copies; backups caches
	// isBackupStore.
	targets map[string]bool
	backups map[*Resource]bool
	// cal is the season calendar the capacity rule compares with; sims the
	// simulated schedules, by their inputs.
	cal  *calendarView
	sims map[string]simulation
}

// refs indexes the resources of some types by what their input prop names:
// each key (a URN, id, name, or an ARN's or path's last segment) maps to the
// resources naming it; undecided says whether any reference is unknown.
type refs struct {
	by        map[string][]*Resource
	undecided bool
}

// NewStack indexes resources.
func NewStack(resources []*Resource) *Stack {
	s := &Stack{Resources: resources, byType: map[string][]*Resource{}}
	for _, r := range resources {
		t := CanonicalType(r.Type)
		s.byType[t] = append(s.byType[t], r)
	}
	return s
}

// OfType returns the resources of any of the (canonical) types, in stack
// order.
func (s *Stack) OfType(types ...string) []*Resource {
	if len(types) == 1 {
		return s.byType[types[0]]
	}
	var out []*Resource
	for _, t := range types {
		out = append(out, s.byType[t]...)
	}
	return out
}

// root is the stack resource's URN (where stack-wide findings are reported).
func (s *Stack) root() string {
	if rs := s.byType[pulumiStackType]; len(rs) > 0 {
		return rs[0].URN
	}
	return ""
}

// tri is a three-valued answer: a reference during a preview may not be
// resolvable yet.
type tri int

const (
	no tri = iota
	maybe
	yes
)

// names are the strings another resource may use to refer to r: its URN, its
// id, the id's last segment, and its name-like inputs.
func (r *Resource) names() []string {
	out := []string{r.URN}
	if r.ID != "" {
		out = append(out, r.ID, lastSegment(r.ID))
	}
	for _, k := range nameKeys {
		if s, st := str(r.Props, k); st == known && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// nameKeys are inputs that carry a resource's physical name.
var nameKeys = []string{"name", "bucket", "identifier", "clusterIdentifier", "accountName", "containerName", "serverName", "vmScaleSetName"}

// refers reports whether from's input prop refers to to: by the URNs the
// engine recorded the input as depending on, by a resource reference, or by
// a string naming it (an id, a name, or an ARN or path ending in its name).
func (from *Resource) refers(prop string, to *Resource) tri {
	if slices.Contains(from.Deps[prop], to.URN) {
		return yes
	}
	v, ok := from.Props.GetOk(prop)
	if !ok || v.IsNull() {
		return no
	}
	for _, d := range v.Dependencies() {
		if string(d) == to.URN {
			return yes
		}
	}
	switch {
	case v.IsComputed():
		// Unknown in a preview: the engine still says which resources it
		// comes from, and to is not among them.
		if len(from.Deps[prop]) > 0 {
			return no
		}
		return maybe
	case v.IsResourceReference():
		if string(v.AsResourceReference().URN) == to.URN {
			return yes
		}
		return no
	case v.IsString():
		s := v.AsString()
		for _, n := range to.names() {
			if s == n || lastSegment(s) == n {
				return yes
			}
		}
	}
	return no
}

// companions returns the resources of the given types whose input prop
// refers to r, and whether some other one might (its reference unknown).
// It answers what refers would, through an index built once per types/prop.
func (s *Stack) companions(r *Resource, prop string, types ...string) (found []*Resource, undecided bool) {
	idx := s.index(prop, types)
	seen := map[*Resource]bool{}
	for _, n := range r.names() {
		for _, c := range idx.by[n] {
			if !seen[c] {
				seen[c] = true
				found = append(found, c)
			}
		}
	}
	return found, idx.undecided
}

func (s *Stack) index(prop string, types []string) *refs {
	key := prop + "\x00" + strings.Join(types, "\x00")
	if idx, ok := s.refIndex[key]; ok {
		return idx
	}
	idx := &refs{by: map[string][]*Resource{}}
	add := func(k string, c *Resource) {
		if k != "" && !slices.Contains(idx.by[k], c) {
			idx.by[k] = append(idx.by[k], c)
		}
	}
	for _, c := range s.OfType(types...) {
		for _, u := range c.Deps[prop] {
			add(u, c)
		}
		v, ok := c.Props.GetOk(prop)
		if !ok || v.IsNull() {
			continue
		}
		deps := v.Dependencies()
		for _, d := range deps {
			add(string(d), c)
		}
		switch {
		case v.IsComputed():
			if len(deps) == 0 && len(c.Deps[prop]) == 0 {
				idx.undecided = true
			}
		case v.IsResourceReference():
			add(string(v.AsResourceReference().URN), c)
		case v.IsString():
			add(v.AsString(), c)
			add(lastSegment(v.AsString()), c)
		}
	}
	if s.refIndex == nil {
		s.refIndex = map[string]*refs{}
	}
	s.refIndex[key] = idx
	return idx
}

// NewEnv is the evaluation context for a stack of environment env: cfg with
// its defaults applied for env, and the instant now (zero skips the rules
// that need a clock).
func NewEnv(env string, cfg Config, now time.Time) *Env {
	cfg.ApplyDefaults(env)
	return &Env{Environment: env, Config: cfg, Now: now}
}

// Evaluate runs every enabled policy over the resources and returns the
// findings, sorted by URN then policy. It is what the offline plan, `policy
// check` and the tests use; the pack calls the same Check and Stack
// functions through policyx.
func Evaluate(resources []*Resource, env *Env) []Finding {
	var out []Finding
	stack := NewStack(resources)
	for _, p := range Policies() {
		out = append(out, p.Evaluate(stack, env)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].URN != out[j].URN {
			return out[i].URN < out[j].URN
		}
		return out[i].Policy < out[j].Policy
	})
	return out
}

// Evaluate runs p over the stack: each resource through Check, then Stack.
// Exempt resources are skipped.
func (p *Policy) Evaluate(s *Stack, env *Env) []Finding {
	if p.ProdOnly && !env.Prod() {
		return nil
	}
	var out []Finding
	if p.Check != nil {
		for _, r := range s.Resources {
			out = append(out, p.CheckResource(r, env)...)
		}
	}
	if p.Stack != nil {
		for _, f := range p.Stack(s, env) {
			if env.Config.Exempt(p.Name, f.URN) {
				continue
			}
			f.Policy, f.Level = p.Name, p.LevelIn(env.Environment)
			out = append(out, f)
		}
	}
	return out
}

// CheckResource runs p's resource check on r.
func (p *Policy) CheckResource(r *Resource, env *Env) []Finding {
	if p.ProdOnly && !env.Prod() {
		return nil
	}
	check := p.Check[CanonicalType(r.Type)]
	if check == nil || env.Config.Exempt(p.Name, r.URN) {
		return nil
	}
	var out []Finding
	for _, msg := range check(r, env) {
		out = append(out, Finding{Policy: p.Name, Level: p.LevelIn(env.Environment), URN: r.URN, Message: msg})
	}
	return out
}

// Types lists the (canonical) type tokens p judges, sorted: the types of
// its resource checks, or the types its stack rule reads.
func (p *Policy) Types() []string {
	out := slices.Clone(p.Judges)
	for t := range p.Check {
		out = append(out, t)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// fix formats a violation: what is wrong, then how to fix it.
func fix(problem, remedy string, args ...any) string {
	return fmt.Sprintf(problem+"; "+remedy, args...)
}

// checks builds a Check map giving several types the same function.
func checks(fn func(*Resource, *Env) []string, types ...string) map[string]func(*Resource, *Env) []string {
	m := make(map[string]func(*Resource, *Env) []string, len(types))
	for _, t := range types {
		m[t] = fn
	}
	return m
}

// merge joins Check maps; a type in several maps gets all their checks.
func merge(maps ...map[string]func(*Resource, *Env) []string) map[string]func(*Resource, *Env) []string {
	out := map[string]func(*Resource, *Env) []string{}
	for _, m := range maps {
		for t, fn := range m {
			if prev, ok := out[t]; ok {
				out[t] = func(r *Resource, env *Env) []string { return append(prev(r, env), fn(r, env)...) }
				continue
			}
			out[t] = fn
		}
	}
	return out
}

// displayName is how messages name a resource: its physical name if known.
func (r *Resource) displayName() string {
	for _, k := range nameKeys {
		if s, st := str(r.Props, k); st == known && s != "" {
			return s
		}
	}
	return r.Name
}

// seasonConfig is the calendar the freeze rule reads, defaults applied.
func seasonConfig(c Config) season.Config {
	s := c.Season
	s.ApplyDefaults()
	return s
}

// lower folds a string for comparisons the clouds make case-insensitively.
func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
