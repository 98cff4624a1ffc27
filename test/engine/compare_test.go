package engine_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// node is one resource as either side (the offline plan, the engine) has
// it, in the plan's terms: inputs as plain values, secrets as
// core.SecretMarker, unknowns as core.UnknownMarker, resource references
// as URNs.
type node struct {
	URN, Type, Name, Parent string
	Custom, Protect         bool
	// Provider is the explicit provider's URN ("" for none).
	Provider string
	Inputs   map[string]any
	// Needs are the URNs the engine must keep while this resource exists:
	// its dependencies, parent and provider (checkpoints only).
	Needs []string
}

// key is what makes a resource the same resource on both sides.
func (n node) key() string { return n.Type + " " + n.Name + " parent=" + n.Parent }

func fromPlan(p *plan.Plan) map[string]node {
	out := map[string]node{}
	for _, r := range p.Resources {
		out[r.URN] = node{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent,
			Custom: r.Custom, Protect: r.Protect, Provider: r.Provider, Inputs: r.Inputs,
		}
	}
	return out
}

// builtinDefaultProvider is the engine's own provider for its builtin
// package "pulumi", which serves stack references. The program never
// registers it (it has no explicit provider to give), so mocks never see
// it. Any other default provider is a resource without its site's
// provider, a bug the comparison reports.
func builtinDefaultProvider(n node) bool {
	return n.Type == "pulumi:providers:pulumi" && n.Name == "default"
}

// stackReference is the type of a stack reference: read by the engine as a
// custom resource through builtinDefaultProvider; Pulumi's mock monitor
// reports it as not custom and without a provider.
const stackReference = "pulumi:pulumi:StackReference"

// fromState reads the engine's checkpoint (`pulumi stack export`).
func fromState(d apitype.DeploymentV3) map[string]node {
	out := map[string]node{}
	for _, r := range d.Resources {
		if r.Delete || builtinDefaultProvider(node{Type: string(r.Type), Name: r.URN.Name()}) {
			continue
		}
		n := node{
			URN: string(r.URN), Type: string(r.Type), Name: r.URN.Name(), Parent: string(r.Parent),
			Custom: r.Custom, Protect: r.Protect, Provider: providerURN(r.Provider),
			Inputs: plainMap(r.Inputs),
		}
		for _, d := range r.Dependencies {
			n.Needs = append(n.Needs, string(d))
		}
		for _, deps := range r.PropertyDependencies {
			for _, d := range deps {
				n.Needs = append(n.Needs, string(d))
			}
		}
		for _, d := range []string{n.Parent, n.Provider, string(r.DeletedWith)} {
			if d != "" {
				n.Needs = append(n.Needs, d)
			}
		}
		out[n.URN] = n
	}
	return out
}

// fromPreview reads the resources a preview would create from its steps.
func fromPreview(steps []apitype.StepEventMetadata) map[string]node {
	out := map[string]node{}
	for _, s := range steps {
		if s.New == nil {
			continue
		}
		n := s.New
		if builtinDefaultProvider(node{Type: n.Type, Name: resource.URN(n.URN).Name()}) {
			continue
		}
		out[n.URN] = node{
			URN: n.URN, Type: n.Type, Name: resource.URN(n.URN).Name(), Parent: n.Parent,
			Custom: n.Custom, Protect: n.Protect, Provider: providerURN(n.Provider), Inputs: plainMap(n.Inputs),
		}
	}
	return out
}

// providerURN strips the provider's id from a provider reference.
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 {
		return ref[:i]
	}
	return ref
}

// plainMap turns the engine's JSON property values into the plan's plain
// form. Secrets (the signature objects of a checkpoint, or "[secret]" in
// events) become core.SecretMarker; unknowns core.UnknownMarker.
func plainMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainOf(v)
	}
	return out
}

func plainOf(v any) any {
	switch c := v.(type) {
	case string:
		if c == plugin.UnknownStringValue {
			return core.UnknownMarker
		}
		return c
	case map[string]any:
		switch c[resource.SigKey] {
		case resource.SecretSig:
			return core.SecretMarker
		case resource.ResourceReferenceSig:
			return c["urn"]
		case resource.AssetSig, resource.ArchiveSig:
			return "[asset]"
		}
		return plainMap(c)
	case []any:
		out := make([]any, len(c))
		for i, e := range c {
			out[i] = plainOf(e)
		}
		return out
	}
	return v
}

// resourceSetDiff lists resources one side has and the other lacks, by
// type, name and parent.
func resourceSetDiff(want, got map[string]node) []string {
	wantKeys, gotKeys := map[string]bool{}, map[string]bool{}
	for _, n := range want {
		wantKeys[n.key()] = true
	}
	for _, n := range got {
		gotKeys[n.key()] = true
	}
	var out []string
	for k := range wantKeys {
		if !gotKeys[k] {
			out = append(out, "only in the offline plan: "+k)
		}
	}
	for k := range gotKeys {
		if !wantKeys[k] {
			out = append(out, "only in the engine: "+k)
		}
	}
	sort.Strings(out)
	return out
}

// engineAddedInputs are inputs the engine itself adds to a provider
// resource, which a program never registers and so mocks never see: the
// plugin version (from the SDK's version option) and the engine's own
// bookkeeping under "__internal" (download URL, checksums).
var engineAddedInputs = map[string]bool{"version": true, "__internal": true}

// inputDiffs compares the inputs of the resources both sides have. With
// unknownOK (a preview), a value the engine does not know yet is skipped;
// everything else must be equal.
func inputDiffs(want, got map[string]node, unknownOK bool) []string {
	var out []string
	for urn, w := range want {
		g, ok := got[urn]
		if !ok {
			continue
		}
		gotInputs := g.Inputs
		if strings.HasPrefix(g.Type, "pulumi:providers:") {
			gotInputs = map[string]any{}
			for k, v := range g.Inputs {
				if !engineAddedInputs[k] {
					gotInputs[k] = v
				}
			}
		}
		for _, d := range valueDiffs("", w.Inputs, gotInputs, unknownOK) {
			out = append(out, urn+": "+d)
		}
	}
	sort.Strings(out)
	return out
}

// optionDiffs compares what the engine records about each resource beyond
// its inputs: custom or component, protect, and its explicit provider.
func optionDiffs(want, got map[string]node) []string {
	var out []string
	for urn, w := range want {
		g, ok := got[urn]
		if !ok || w.Type == stackReference {
			continue
		}
		if w.Custom != g.Custom {
			out = append(out, fmt.Sprintf("%s: custom %v in the plan, %v in the engine", urn, w.Custom, g.Custom))
		}
		if w.Protect != g.Protect {
			out = append(out, fmt.Sprintf("%s: protect %v in the plan, %v in the engine", urn, w.Protect, g.Protect))
		}
		if w.Provider != g.Provider {
			out = append(out, fmt.Sprintf("%s: provider %q in the plan, %q in the engine", urn, w.Provider, g.Provider))
		}
	}
	sort.Strings(out)
	return out
}

func valueDiffs(path string, want, got any, unknownOK bool) []string {
	if unknownOK && got == core.UnknownMarker {
		return nil
	}
	at := path
	if at == "" {
		at = "(inputs)"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: plan %s, engine %s", at, show(want), show(got))}
		}
		var out []string
		for _, k := range unionKeys(w, g) {
			wv, inW := w[k]
			gv, inG := g[k]
			p := join(path, k)
			switch {
			case !inW:
				out = append(out, fmt.Sprintf("%s: only in the engine (%s)", p, show(gv)))
			case !inG:
				out = append(out, fmt.Sprintf("%s: only in the plan (%s)", p, show(wv)))
			default:
				out = append(out, valueDiffs(p, wv, gv, unknownOK)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: plan %s, engine %s", at, show(want), show(got))}
		}
		var out []string
		for i := range w {
			out = append(out, valueDiffs(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], unknownOK)...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: plan %s, engine %s", at, show(want), show(got))}
	}
	return nil
}

func unionKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func show(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// violation is one policy finding, as the offline plan and the engine's
// policy events both name it.
type violation struct{ Policy, Level, URN string }

func planViolations(p *plan.Plan) map[violation]string {
	out := map[violation]string{}
	for _, v := range p.Violations {
		out[violation{v.Policy, v.EnforcementLevel, v.URN}] = v.Message
	}
	return out
}

func violationDiffs(want, got map[violation]string) []string {
	var out []string
	for v := range want {
		if _, ok := got[v]; !ok {
			out = append(out, fmt.Sprintf("only the offline plan reports %s (%s) on %s", v.Policy, v.Level, v.URN))
		}
	}
	for v, msg := range got {
		if _, ok := want[v]; !ok {
			out = append(out, fmt.Sprintf("only the engine's pack reports %s (%s) on %s: %s", v.Policy, v.Level, v.URN, msg))
		}
	}
	sort.Strings(out)
	return out
}
