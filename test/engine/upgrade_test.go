package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/offline"
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
		"aws": map[string]any{"eu-west-2": "ami-0e5d7c9b1a3f5e7d9", "eu-west-1": "ami-0f6e8d0c2b4a6f8e0"},
		"gcp": map[string]any{
			"europe-west2": "projects/wedsync-images/global/images/wedsync-app-2026-12-1",
			"europe-west1": "projects/wedsync-images/global/images/wedsync-app-2026-12-1",
		},
		"azure": map[string]any{
			"uksouth": "/subscriptions/3f2b6c1e-8d4a-4f7b-9c2e-5a1d0b7e6f43/resourceGroups/wedsync-images/providers/Microsoft.Compute/galleries/wedsync/images/wedsync-app/versions/2026.12.1",
			"ukwest":  "/subscriptions/3f2b6c1e-8d4a-4f7b-9c2e-5a1d0b7e6f43/resourceGroups/wedsync-images/providers/Microsoft.Compute/galleries/wedsync/images/wedsync-app/versions/2026.12.1",
		},
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
// N+1 predict. A recovery stack runs after the others and rebuilds the
// upgraded copy of its source (upgrade-<source>): it reads that stack's
// outputs through a stack reference and adopts its replicas, and is then
// upgraded as its source was.
func TestEveryStackUpgradesToTheNextRelease(t *testing.T) {
	setup(t)
	names, err := env.repo.Stacks()
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(names, func(i, j int) bool { return !isRecovery(t, names[i]) && isRecovery(t, names[j]) })
	recoveries := 0
	for _, name := range names {
		if isRecovery(t, name) {
			recoveries++
		}
		t.Run(name, func(t *testing.T) { testUpgrade(t, "upgrade-"+name, name) })
	}
	if recoveries == 0 {
		t.Error("no recovery stack was upgraded: the DR stacks must be in the run")
	}
}

// rebuildingUpgraded is sc with its recovery record pointed at the upgraded
// copy of its source, which this run deployed; ok is false when it did not.
func rebuildingUpgraded(t *testing.T, sc *project.StackConfig) (_ *project.StackConfig, source string, ok bool) {
	t.Helper()
	raw, isRecovery := sc.Values["wedsync:recovery"]
	if !isRecovery {
		return sc, "", true
	}
	rec := map[string]any{}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		t.Fatalf("wedsync:recovery is not an object: %v", err)
	}
	source = "upgrade-" + fmt.Sprint(rec["sourceStack"])
	if !deployed[source] {
		return nil, source, false
	}
	rec["sourceStack"] = source
	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return withValue(sc, "wedsync:recovery", string(out)), source, true
}

func testUpgrade(t *testing.T, name, base string) {
	ctx := context.Background()
	watch := newStopwatch()
	scN, source, ok := rebuildingUpgraded(t, stackConfig(t, base))
	if !ok {
		t.Skipf("%s rebuilds %s, which did not deploy in this run", name, source)
	}
	scNext := promoted(t, scN)
	planN, planNext := offlinePlan(t, name, scN), offlinePlan(t, name, scNext)
	want := predictedOps(t, planN.Plan, planNext.Plan)
	if len(want) == 0 {
		t.Fatal("the offline plans of release N and N+1 do not differ: the upgrade proves nothing")
	}
	report(t, "release N+1 does not boot its own region's image", regionImageProblems(planNext))
	if len(planNext.Plan.Limits) > 0 {
		t.Fatalf("release N+1 breaches deploy-time limits: %v", planNext.Plan.Limits)
	}
	if protected(planN.Plan) == 0 && planN.Config.Environment == core.Prod {
		t.Fatalf("%s is prod but its plan protects nothing: the upgrade cannot show a protected resource survives", base)
	}
	s := newStack(t, name, scN)
	if _, err := s.Up(ctx, optup.PolicyPacks(env.pack)); err != nil {
		t.Fatalf("up of %s at release N failed: %v", name, err)
	}
	deployed[name] = true
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

func protected(p *plan.Plan) int {
	n := 0
	for _, r := range p.Resources {
		if r.Protect {
			n++
		}
	}
	return n
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

// TestTheUpgradeChecksCatchAProtectedReplacementAndRebuildTheUpgradedSource
// runs the upgrade run's own checks on hand-made answers, without the
// engine: a replaced or deleted protected resource is reported (updates
// and unprotected replacements are not), and a recovery stack is pointed at
// the upgraded copy of its source only when this run deployed it.
func TestTheUpgradeChecksCatchAProtectedReplacementAndRebuildTheUpgradedSource(t *testing.T) {
	const db, key, tmpl = "urn:db", "urn:key", "urn:tmpl"
	p := &plan.Plan{Resources: []plan.Resource{
		{URN: db, Type: "aws:rds/instance:Instance", Name: "main", Protect: true},
		{URN: key, Type: "aws:kms/key:Key", Name: "data", Protect: true},
		{URN: tmpl, Type: "gcp:compute/instanceTemplate:InstanceTemplate", Name: "app"},
	}}
	got := protectedTouched(p, map[string]string{db: opReplace, key: opUpdate, tmpl: opReplace})
	if len(got) != 1 || got[0] != "aws:rds/instance:Instance main: replace" {
		t.Errorf("protected touched = %v, want the replaced database only", got)
	}
	if got := protectedTouched(p, map[string]string{key: opDelete}); len(got) != 1 {
		t.Errorf("a deleted protected key is not reported: %v", got)
	}

	// The upgrade run may have deployed upgrade-prod already: put back what
	// it recorded.
	wasDeployed := deployed["upgrade-prod"]
	defer func() { deployed["upgrade-prod"] = wasDeployed }()
	deployed["upgrade-prod"] = false
	sc := &project.StackConfig{Values: map[string]string{"wedsync:recovery": `{"sourceStack":"prod","restorePoint":"latest"}`}}
	if _, source, ok := rebuildingUpgraded(t, sc); ok || source != "upgrade-prod" {
		t.Errorf("source %q ok %v: upgrade-prod was not deployed in this run", source, ok)
	}
	deployed["upgrade-prod"] = true
	out, _, ok := rebuildingUpgraded(t, sc)
	if rec := out.Values["wedsync:recovery"]; !ok || !strings.Contains(rec, `"sourceStack":"upgrade-prod"`) || !strings.Contains(rec, `"restorePoint":"latest"`) {
		t.Errorf("recovery record %s, want the upgraded source and the rest kept", rec)
	}
	if _, _, ok := rebuildingUpgraded(t, &project.StackConfig{Values: map[string]string{}}); !ok {
		t.Error("a stack that rebuilds nothing is refused")
	}
}

// imageInputs are where each cloud's group names its image.
var imageInputs = map[string][]string{
	"aws:ec2/launchTemplate:LaunchTemplate":         {"imageId"},
	"gcp:compute/instanceTemplate:InstanceTemplate": {"disks", "0", "sourceImage"},
	"azure-native:compute:VirtualMachineScaleSet":   {"virtualMachineProfile", "storageProfile", "imageReference", "id"},
}

// regionImageProblems: the group of a stack boots release N+1's image of
// the stack's own region (a DR stack's is its DR region's: an AMI boots
// only where it is).
func regionImageProblems(res *offline.Result) []string {
	cfg := res.Config
	want := nextRelease["images"].(map[string]any)[string(cfg.Cloud)].(map[string]any)[cfg.Region]
	var out []string
	for _, r := range res.Plan.Resources {
		path, ok := imageInputs[r.Type]
		if !ok {
			continue
		}
		if got, _ := plan.Lookup(r.Inputs, path...); got != want {
			out = append(out, fmt.Sprintf("%s %s boots %v in %s, want %v", r.Type, r.Name, got, cfg.Region, want))
		}
	}
	return out
}
