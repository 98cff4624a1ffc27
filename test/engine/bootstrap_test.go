package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/bootstrap"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// stateSafety is what keeps a cloud's state safe, as deployed: on the
// named resource (type, name), the input at path must hold want.
type stateSafety struct {
	typ, name, path string
	want            any
	what            string
}

// stateSafeties are, per cloud, the versioning and the lock (or, on GCP,
// the soft delete standing in for it) of the state bucket.
var stateSafeties = map[core.Cloud][]stateSafety{
	core.AWS: {
		{"aws:s3/bucketV2:BucketV2", "state", "objectLockEnabled", true, "object lock enabled"},
		{"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "state", "rule.defaultRetention.mode", "COMPLIANCE", "locked in compliance mode"},
		{"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "state", "rule.defaultRetention.days", float64(bootstrap.StateRetentionDays), "locked for the retention"},
		{"aws:s3/bucketVersioningV2:BucketVersioningV2", "state", "versioningConfiguration.status", "Enabled", "versioned"},
	},
	core.GCP: {
		{"gcp:storage/bucket:Bucket", "state", "versioning.enabled", true, "versioned"},
		{"gcp:storage/bucket:Bucket", "state", "softDeletePolicy.retentionDurationSeconds", float64(bootstrap.StateRetentionDays * 24 * 3600), "soft delete for the retention"},
	},
	core.Azure: {
		{"azure-native:storage:BlobServiceProperties", "state", "isVersioningEnabled", true, "versioned"},
		{"azure-native:storage:BlobContainer", "state", "immutableStorageWithVersioning.enabled", true, "version-level immutability (the lock)"},
	},
}

// bootstrapConfig is the bootstrap stack's config for cloud: what the
// runbook sets, with the offline plan's mock account, project and
// subscription, plus wedsync:environment, which the pack reads.
func bootstrapConfig(cloud core.Cloud) map[string]string {
	return map[string]string{
		bootstrap.Project + ":cloud":               string(cloud),
		bootstrap.Project + ":gcpProject":          "wedsync-prod",
		bootstrap.Project + ":azureSubscriptionId": plan.MockAzureSubscription,
		bootstrap.Project + ":alertTarget": map[core.Cloud]string{
			core.AWS:   "arn:aws:sns:eu-west-2:" + plan.MockAWSAccount + ":wedsync-prod-alerts",
			core.GCP:   "projects/wedsync-prod/notificationChannels/1234",
			core.Azure: "/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/wedsync-prod-alerts",
		}[cloud],
		"wedsync:environment": string(core.Prod),
	}
}

// TestTheBootstrapUnderTheRealEngine deploys the state backend program
// (bootstrap/) on each cloud with the pack and its config
// (bootstrap.PolicyConfig, as the stack's wedsync:policy and as the
// --policy-pack-config file rules.PackConfigFile makes of it):
// the pack passes, the engine deploys exactly the offline plan's resources,
// inputs and protection, the state bucket is versioned and locked and
// every resource protected, and a second preview finds nothing to change.
func TestTheBootstrapUnderTheRealEngine(t *testing.T) {
	setup(t)
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) { testBootstrap(t, cloud) })
	}
}

func testBootstrap(t *testing.T, cloud core.Cloud) {
	ctx := context.Background()
	watch := newStopwatch()
	name := "bootstrap-" + string(cloud)
	values := bootstrapConfig(cloud)
	// The pack's config, as the runbook gives it: the stack's
	// wedsync:policy (read by every policy) and the file
	// --policy-pack-config reads (resource policies), made from it.
	policy := bootstrap.PolicyConfig(name)
	raw, err := json.Marshal(policy)
	if err != nil {
		t.Fatal(err)
	}
	values["wedsync:policy"] = string(raw)
	data, err := rules.PackConfigFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(env.dir, name+"-policy-config.json")
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	offlinePlan, err := plan.Run(plan.Options{Project: bootstrap.Project, Stack: name, Environment: string(core.Prod), Config: values}, bootstrap.Program)
	if err != nil {
		t.Fatalf("offline plan: %v", err)
	}
	want := fromPlan(offlinePlan)
	sc := withFreezeOverride(t, name, &project.StackConfig{Values: values}, time.Now())
	s := newProjectStack(t, bootstrap.Project, name, sc, func([]string) pulumi.RunFunc { return bootstrap.Program })
	watch.lap("setup")

	c := collect()
	_, err = s.Up(ctx, optup.PolicyPacks(env.pack), optup.PolicyPackConfigs(cfgFile), optup.EventStreams(c.ch))
	evs := c.wait(t)
	if err != nil {
		t.Fatalf("up of %s failed: %v", name, err)
	}
	watch.lap("up")
	if m := mandatory(policyEvents(evs)); len(m) > 0 {
		t.Errorf("up: the policy pack reports mandatory violations: %v", m)
	}
	got := fromState(state(t, s))
	report(t, "up: the deployed resources differ from the offline plan's", resourceSetDiff(want, got))
	report(t, "up: deployed inputs differ from the offline plan's", inputDiffs(want, got, false))
	report(t, "up: resource options (protect) differ from the offline plan's", optionDiffs(want, got))
	report(t, "up: the state is not kept safe", stateSafetyProblems(cloud, got))

	c = collect()
	_, err = s.Preview(ctx, optpreview.PolicyPacks(env.pack), optpreview.PolicyPackConfigs(cfgFile),
		optpreview.ExpectNoChanges(), optpreview.EventStreams(c.ch))
	evs = c.wait(t)
	if err != nil {
		t.Fatalf("a preview after the up of %s is not a no-op:\n%s\n%v", name, strings.Join(changedSteps(evs), "\n"), err)
	}
	watch.lap("preview again")
	watch.record(name, len(want))
}

// changedSteps are the steps of an operation that change something.
func changedSteps(evs []apitype.EngineEvent) []string {
	var out []string
	for _, st := range steps(evs) {
		if st.Op != apitype.OpSame {
			out = append(out, fmt.Sprintf("%s %s %v", st.Op, st.URN, st.Diffs))
		}
	}
	return out
}

// stateSafetyProblems names what of cloud's stateSafeties the deployed
// resources lack, and every custom resource (providers apart) that is not
// protected: `pulumi destroy` must refuse to delete the state.
func stateSafetyProblems(cloud core.Cloud, got map[string]node) []string {
	var out []string
	for _, want := range stateSafeties[cloud] {
		found := false
		for _, n := range got {
			if n.Type != want.typ || n.Name != want.name {
				continue
			}
			found = true
			if v := valueAt(n.Inputs, want.path); !reflect.DeepEqual(v, want.want) {
				out = append(out, fmt.Sprintf("%s %s: %s = %v, want %v (%s)", n.Type, n.Name, want.path, v, want.want, want.what))
			}
		}
		if !found {
			out = append(out, fmt.Sprintf("no %s %s deployed (%s)", want.typ, want.name, want.what))
		}
	}
	for _, n := range got {
		if n.Custom && !strings.HasPrefix(n.Type, "pulumi:providers:") && !n.Protect {
			out = append(out, fmt.Sprintf("%s %s is not protected", n.Type, n.Name))
		}
	}
	sort.Strings(out)
	return out
}

// valueAt is the value at a dotted path of inputs (nil when absent).
func valueAt(inputs map[string]any, path string) any {
	var v any = inputs
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// The safety check is not a formality: the offline plan's backend with
// versioning off, the lock gone and one resource unprotected fails it on
// every cloud, naming each.
func TestTheStateSafetyCheckCatchesAnUnsafeBackend(t *testing.T) {
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p, err := plan.Run(plan.Options{Project: bootstrap.Project, Stack: "broken", Environment: string(core.Prod), Config: bootstrapConfig(cloud)}, bootstrap.Program)
			if err != nil {
				t.Fatal(err)
			}
			nodes := fromPlan(p)
			if problems := stateSafetyProblems(cloud, nodes); len(problems) > 0 {
				t.Fatalf("the planned backend already fails the check: %v", problems)
			}
			broken := 0
			for urn, n := range nodes {
				for _, s := range stateSafeties[cloud] {
					if n.Type == s.typ && n.Name == s.name {
						n.Inputs = map[string]any{}
						broken++
					}
				}
				if n.Type == stateSafeties[cloud][0].typ {
					n.Protect = false
				}
				nodes[urn] = n
			}
			problems := stateSafetyProblems(cloud, nodes)
			if broken == 0 || len(problems) < len(stateSafeties[cloud])+1 {
				t.Errorf("broke %d resources; the check reports %d problems: %v", broken, len(problems), problems)
			}
		})
	}
}
