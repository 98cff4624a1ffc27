package rules

import (
	"slices"
	"sort"
	"strings"
)

// ControlResult is one row of the policy report: one control as one rule
// implements it, over the stack's resources of the types it judges.
type ControlResult struct {
	Control Control
	Rule    string
	Level   Level
	// Checked counts the resources of the control's types; each is
	// passed, failed or not applicable (a prod-only rule in another
	// environment, or an exempt resource).
	Checked, Passed, Failed, NotApplicable int
	// FailedURNs name the failed resources, sorted.
	FailedURNs []string
}

// Status is "fail" (a mandatory rule failed), "warn" (an advisory one
// did), "pass", or "n/a" (nothing of its types was judged).
func (r ControlResult) Status() string {
	switch {
	case r.Failed > 0 && r.Level == Advisory:
		return "warn"
	case r.Failed > 0:
		return "fail"
	case r.Passed > 0:
		return "pass"
	}
	return "n/a"
}

// Uncovered is a benchmark control that applies to some of the stack's
// resource types (by Prowler's checks of it) and that no rule checks.
type Uncovered struct {
	Control Control
	// Resources counts the stack's resources of Control.Types.
	Resources int
}

// Report is the per-control view of an evaluation.
type Report struct {
	Controls   []ControlResult
	NotCovered []Uncovered
}

// BuildReport evaluates every rule over resources and reports it per
// benchmark control, with the controls that apply and that no rule checks.
func BuildReport(resources []*Resource, env *Env) *Report {
	stack := NewStack(resources)
	rep := &Report{}
	covered := map[string]bool{}
	for _, p := range Policies() {
		failed := map[string]bool{}
		for _, f := range p.Evaluate(stack, env) {
			failed[f.URN] = true
		}
		for _, c := range p.Controls() {
			covered[c.Key()] = true
			rep.Controls = append(rep.Controls, p.controlResult(stack, env, c, failed))
		}
	}
	sort.SliceStable(rep.Controls, func(i, j int) bool {
		a, b := rep.Controls[i].Control, rep.Controls[j].Control
		if a.Framework != b.Framework {
			return frameworkRank(a.Framework) < frameworkRank(b.Framework)
		}
		if a.ID != b.ID {
			return controlLess(a.ID, b.ID)
		}
		return rep.Controls[i].Rule < rep.Controls[j].Rule
	})
	rep.NotCovered = notCovered(stack, covered)
	return rep
}

// ControlTypes are the (canonical) types c judges as p implements it.
func (p *Policy) ControlTypes(c Control) []string {
	if len(c.Types) > 0 {
		return c.Types
	}
	var out []string
	for _, t := range p.Types() {
		if strings.HasPrefix(t, c.Framework.Cloud()) {
			out = append(out, t)
		}
	}
	return out
}

func (p *Policy) controlResult(s *Stack, env *Env, c Control, failed map[string]bool) ControlResult {
	row := ControlResult{Control: c, Rule: p.Name, Level: p.LevelIn(env.Environment)}
	for _, r := range s.OfType(p.ControlTypes(c)...) {
		row.Checked++
		switch {
		case p.ProdOnly && !env.Prod(), env.Config.Exempt(p.Name, r.URN):
			row.NotApplicable++
		case failed[r.URN]:
			row.Failed++
			row.FailedURNs = append(row.FailedURNs, r.URN)
		default:
			row.Passed++
		}
	}
	sort.Strings(row.FailedURNs)
	return row
}

// notCovered lists the catalogue's controls that judge a type the stack
// plans (through prowlerTypes) and that no rule names.
func notCovered(s *Stack, covered map[string]bool) []Uncovered {
	var out []Uncovered
	for _, b := range slices.Concat(prowlerCatalogue, docControls) {
		c := Control{Framework: b.Framework, ID: b.ID, Title: b.Title}
		if covered[c.Key()] {
			continue
		}
		n := 0
		for t, pts := range prowlerTypes {
			if len(s.byType[t]) > 0 && overlaps(pts, b.ProwlerTypes) {
				c.Types = append(c.Types, t)
				n += len(s.byType[t])
			}
		}
		if n > 0 {
			sort.Strings(c.Types)
			out = append(out, Uncovered{Control: c, Resources: n})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Control, out[j].Control
		if a.Framework != b.Framework {
			return frameworkRank(a.Framework) < frameworkRank(b.Framework)
		}
		return controlLess(a.ID, b.ID)
	})
	return out
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
