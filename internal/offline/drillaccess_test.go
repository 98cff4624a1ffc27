package offline_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// drillWednesday is a peak-season Wednesday morning: no freeze.
var drillWednesday = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)

// The restore drill's identity may create exactly the types a drill's
// scratch stack plans (ciaccess.DrillTypes against the drill-mode plan of
// each cloud's prod), and its grants for them name only the scratch
// stacks' names, never the source's. Broken variants: the plan of the
// same scratch stack with drill mode off (a rebuild, adopting the
// source's buckets) needs types the identity lacks, and a grant moved
// onto the source's names is found.
func TestDrillIdentityCoversTheDrillPlanAndNoMore(t *testing.T) {
	wd, _ := os.Getwd()
	p, err := project.Find(wd)
	if err != nil {
		t.Fatal(err)
	}
	for source, cloud := range map[string]core.Cloud{"prod": core.AWS, "prod-gcp": core.GCP} {
		t.Run(source, func(t *testing.T) {
			s, err := drill.PrepareScratch(context.Background(), p, source, drillWednesday)
			if err != nil {
				t.Fatal(err)
			}
			if missing, extra := typeDiff(t, p, s, cloud); len(missing)+len(extra) > 0 {
				t.Errorf("the drill identity of %s lacks %v and has %v beyond the drill plan's types", source, missing, extra)
			}
			off := *s.Config
			off.Values = maps.Clone(s.Config.Values)
			off.Values["wedsync:recovery"] = strings.Replace(off.Values["wedsync:recovery"], `"drill":true`, `"drill":false`, 1)
			if missing, _ := typeDiff(t, p, &drill.Scratch{Name: s.Name, Config: &off}, cloud); len(missing) == 0 {
				t.Errorf("a rebuild under the scratch name needs nothing beyond the drill's types: the check cannot fail")
			}
			src, err := offline.Plan(p, source, drillWednesday)
			if err != nil {
				t.Fatal(err)
			}
			dep := core.Deployment{Project: src.Config.Project, Stack: src.Config.Stack}
			own := dep.Name() + "-"
			scratch := ciaccess.ScratchPrefix(dep)
			if problems := drillGrantProblems(src.Plan, own, scratch); len(problems) > 0 {
				t.Errorf("the drill identity's scratch grants of %s:\n%s", source, strings.Join(problems, "\n"))
			}
			broken := drillGrantProblems(movedOnto(src.Plan, scratch, own), own, scratch)
			if len(broken) == 0 {
				t.Errorf("scratch grants moved onto %s* pass the check: it cannot fail", own)
			}
		})
	}
}

// typeDiff is the types of cloud the plan of s has and the drill identity
// lacks, and those the identity has beyond them.
func typeDiff(t *testing.T, p *project.Project, s *drill.Scratch, cloud core.Cloud) (missing, extra []string) {
	t.Helper()
	res, err := offline.PlanConfig(p.Name, s.Name, s.Config, drillWednesday)
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]bool{}
	for _, r := range res.Plan.Resources {
		if ciaccess.CloudOf(r.Type) == cloud {
			planned[r.Type] = true
		}
	}
	for typ := range planned {
		if !slices.Contains(ciaccess.DrillTypes[cloud], typ) {
			missing = append(missing, typ)
		}
	}
	for _, typ := range ciaccess.DrillTypes[cloud] {
		if !planned[typ] {
			extra = append(extra, typ)
		}
	}
	slices.Sort(missing)
	return missing, extra
}

// drillGrantProblems are the drill's scratch grants in the source's plan
// that are missing, or name the source's own names: an AWS policy
// resource not under the scratch prefix, a GCP condition without it.
func drillGrantProblems(pl *plan.Plan, own, scratch string) []string {
	var out []string
	found := false
	for _, r := range pl.Resources {
		if !strings.Contains(r.Name, "drill-scratch") {
			continue
		}
		switch r.Type {
		case "aws:iam/policy:Policy":
			found = true
			var doc struct{ Statement []struct{ Resource any } }
			_ = json.Unmarshal([]byte(r.Inputs["policy"].(string)), &doc)
			for _, st := range doc.Statement {
				for _, arn := range arns(st.Resource) {
					if strings.Contains(arn, own) || (strings.Contains(arn, "wedsync-") && !strings.Contains(arn, scratch)) {
						out = append(out, r.Name+": "+arn)
					}
				}
			}
		case "gcp:projects/iAMMember:IAMMember":
			found = true
			cond, _ := r.Inputs["condition"].(map[string]any)
			expr, _ := cond["expression"].(string)
			if !strings.Contains(expr, "'"+scratch+"'") || strings.Contains(expr, "'"+own+"'") {
				out = append(out, r.Name+": "+expr)
			}
		}
	}
	if !found {
		out = append(out, "no drill-scratch grant in the plan")
	}
	return out
}

func arns(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// movedOnto is pl with the drill's scratch grants renamed from one prefix
// to another.
func movedOnto(pl *plan.Plan, from, to string) *plan.Plan {
	out := *pl
	out.Resources = slices.Clone(pl.Resources)
	for i, r := range out.Resources {
		if !strings.Contains(r.Name, "drill-scratch") {
			continue
		}
		raw, _ := json.Marshal(r.Inputs)
		var in map[string]any
		_ = json.Unmarshal([]byte(strings.ReplaceAll(string(raw), from, to)), &in)
		out.Resources[i].Inputs = in
	}
	return &out
}
