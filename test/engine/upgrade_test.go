package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/replacements"
)

// The release N+1 the upgrade promotes: a new application version and new
// images on every cloud (the shapes environments/*.yaml's release block
// takes).
var nextRelease = map[string]any{
	"application": "2026.12.1",
	"images": map[string]any{
		"aws":   "ami-0e5d7c9b1a3f5e7d9",
		"gcp":   "projects/wedsync-images/global/images/wedsync-app-2026-12-1",
		"azure": "/subscriptions/3f2b6c1e-8d4a-4f7b-9c2e-5a1d0b7e6f43/resourceGroups/wedsync-images/providers/Microsoft.Compute/galleries/wedsync/images/wedsync-app/versions/2026.12.1",
	},
}

// promoted is sc with release N+1 over its release block (the stack config
// wins over the environment's, as `wedsync-infra promote` arranges).
func promoted(t *testing.T, sc *project.StackConfig) *project.StackConfig {
	t.Helper()
	rel := map[string]any{}
	if err := json.Unmarshal([]byte(sc.Values["wedsync:release"]), &rel); err != nil {
		t.Fatalf("the stack's wedsync:release is not an object: %v", err)
	}
	for k, v := range nextRelease {
		if reflect.DeepEqual(rel[k], v) {
			t.Fatalf("release N already has %s = %v: pick another N+1", k, v)
		}
		rel[k] = v
	}
	raw, err := json.Marshal(rel)
	if err != nil {
		t.Fatal(err)
	}
	return withValue(sc, "wedsync:release", string(raw))
}

// Ops the engine reports, folded to what happened to a resource.
const (
	opUpdate  = "update"
	opReplace = "replace"
	opCreate  = "create"
	opDelete  = "delete"
)

// predictedOps is what the offline plans of release N and N+1 predict
// for each cloud resource whose inputs differ: an update, or a replacement
// when a changed input is one the provider cannot update in place
// (internal/replacements); a resource only one plan has is created or
// deleted.
func predictedOps(t *testing.T, before, after *plan.Plan) map[string]string {
	t.Helper()
	olds := map[string]plan.Resource{}
	for _, r := range before.Resources {
		if r.Custom {
			olds[r.URN] = r
		}
	}
	out := map[string]string{}
	for _, r := range after.Resources {
		if !r.Custom {
			continue
		}
		old, ok := olds[r.URN]
		delete(olds, r.URN)
		if !ok {
			out[r.URN] = opCreate
			continue
		}
		var changed []string
		for _, k := range unionKeys(old.Inputs, r.Inputs) {
			if !reflect.DeepEqual(old.Inputs[k], r.Inputs[k]) {
				changed = append(changed, k)
			}
		}
		if len(changed) == 0 {
			continue
		}
		out[r.URN] = opUpdate
		if replace, known := replacements.Replaces(r.Type, changed); !known {
			t.Errorf("%s has no row in internal/replacements", r.Type)
		} else if len(replace) > 0 {
			out[r.URN] = opReplace
		}
	}
	for urn := range olds {
		out[urn] = opDelete
	}
	return out
}

// engineOps folds an update's steps into what happened to each cloud
// resource that changed.
func engineOps(steps []apitype.StepEventMetadata) map[string]string {
	out := map[string]string{}
	for _, s := range steps {
		custom := s.New != nil && s.New.Custom || s.Old != nil && s.Old.Custom
		if !custom || builtinDefaultProvider(node{Type: s.Type, Name: urnName(s.URN)}) {
			continue
		}
		switch s.Op {
		case apitype.OpSame, apitype.OpRead:
		case apitype.OpUpdate:
			if out[s.URN] == "" {
				out[s.URN] = opUpdate
			}
		case apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced, apitype.OpDiscardReplaced:
			out[s.URN] = opReplace
		case apitype.OpCreate:
			out[s.URN] = opCreate
		case apitype.OpDelete:
			out[s.URN] = opDelete
		default:
			out[s.URN] = string(s.Op)
		}
	}
	return out
}

func urnName(urn string) string {
	for i := len(urn) - 1; i > 1; i-- {
		if urn[i-1:i+1] == "::" {
			return urn[i+1:]
		}
	}
	return urn
}

// groupRolls says how each cloud rolls its group to a new image: AWS
// makes a new launch template version and Azure updates the scale set's
// model in place; a GCP instance template cannot change, so a new one is
// made, and the managed instance group moves to it in place (updated, or
// unchanged where the new template keeps the old one's link), never replaced.
var groupRolls = map[string]string{
	"aws:ec2/launchTemplate:LaunchTemplate":         opUpdate,
	"azure-native:compute:VirtualMachineScaleSet":   opUpdate,
	"gcp:compute/instanceTemplate:InstanceTemplate": opReplace,
}

// groupsStay are the groups themselves: updated at most, never replaced.
var groupsStay = map[string]bool{
	"aws:autoscaling/group:Group":                                       true,
	"gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": true,
	"azure-native:compute:VirtualMachineScaleSet":                       true,
}

// TestEveryStackUpgradesToTheNextRelease deploys every stack at release N,
// promotes release N+1 (new images, new application version) through the
// stack config, and updates: no protected resource is replaced or
// deleted, the groups roll to the new image, and what the engine changes
// (and how: update or replace) is exactly what the offline plans of N and
// N+1 predict.
func TestEveryStackUpgradesToTheNextRelease(t *testing.T) {
	setup(t)
	names, err := env.repo.Stacks()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if isRecovery(t, name) {
				// A recovery stack adopts its source's replicas from the
				// pretend cloud; its release moves with its source's.
				t.Skip("a recovery stack rebuilds its source; it is upgraded as its source is")
			}
			testUpgrade(t, "upgrade-"+name, name)
		})
	}
}

func testUpgrade(t *testing.T, name, base string) {
	ctx := context.Background()
	watch := newStopwatch()
	scN := stackConfig(t, base)
	scNext := promoted(t, scN)
	planN, planNext := offlinePlan(t, name, scN), offlinePlan(t, name, scNext)
	want := predictedOps(t, planN.Plan, planNext.Plan)
	if len(want) == 0 {
		t.Fatal("the offline plans of release N and N+1 do not differ: the upgrade proves nothing")
	}
	if len(planNext.Plan.Limits) > 0 {
		t.Fatalf("release N+1 breaches deploy-time limits: %v", planNext.Plan.Limits)
	}
	s := newStack(t, name, scN)
	if _, err := s.Up(ctx, optup.PolicyPacks(env.pack)); err != nil {
		t.Fatalf("up of %s at release N failed: %v", name, err)
	}
	watch.lap("up N")

	if err := s.SetConfig(ctx, "wedsync:release", auto.ConfigValue{Value: scNext.Values["wedsync:release"]}); err != nil {
		t.Fatal(err)
	}
	c := collect()
	_, err := s.Up(ctx, optup.PolicyPacks(env.pack), optup.EventStreams(c.ch))
	evs := c.wait(t)
	if err != nil {
		t.Fatalf("up of %s to release N+1 failed: %v", name, err)
	}
	watch.lap("up N+1")
	got := engineOps(steps(evs))

	report(t, "the update differs from what the offline plans of N and N+1 predict", opDiffs(want, got))
	report(t, "protected resources touched by the upgrade", protectedTouched(planN.Plan, got))
	report(t, "the groups do not roll as the clouds roll them", groupProblems(planN.Plan, got))
	watch.record(name, len(planNext.Plan.Resources))
}

func opDiffs(want, got map[string]string) []string {
	var out []string
	for _, urn := range unionKeys(anyMap(want), anyMap(got)) {
		if want[urn] != got[urn] {
			out = append(out, fmt.Sprintf("%s: offline plans predict %q, the engine did %q", urn, want[urn], got[urn]))
		}
	}
	return out
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func protectedTouched(p *plan.Plan, got map[string]string) []string {
	var out []string
	for _, r := range p.Resources {
		if op := got[r.URN]; r.Protect && (op == opReplace || op == opDelete) {
			out = append(out, fmt.Sprintf("%s %s: %s", r.Type, r.Name, op))
		}
	}
	sort.Strings(out)
	return out
}

func groupProblems(p *plan.Plan, got map[string]string) []string {
	var out []string
	rolled := 0
	for _, r := range p.Resources {
		if want, ok := groupRolls[r.Type]; ok {
			rolled++
			if got[r.URN] != want {
				out = append(out, fmt.Sprintf("%s %s: %q, want %q to the new image", r.Type, r.Name, got[r.URN], want))
			}
		}
		if groupsStay[r.Type] && got[r.URN] != "" && got[r.URN] != opUpdate {
			out = append(out, fmt.Sprintf("%s %s: %q; a group rolls in place", r.Type, r.Name, got[r.URN]))
		}
	}
	if rolled == 0 {
		out = append(out, "the stack has no launch template, instance template or scale set to roll")
	}
	return out
}
