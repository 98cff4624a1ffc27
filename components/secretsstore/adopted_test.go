package secretsstore

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// adoptedPlan plans an adopted store over the test keys of both sites
// (keysAt names the sites the keys are taken from, role by role).
func adoptedPlan(t *testing.T, cloud core.Cloud, keysAt map[core.Role]core.Role) *plan.Plan {
	t.Helper()
	return testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, core.Prod)
		if err != nil {
			return err
		}
		keys := map[core.Role]map[core.KeyPurpose]*core.Key{}
		for role, from := range keysAt {
			keys[role] = map[core.KeyPurpose]*core.Key{}
			for _, p := range core.KeyPurposes {
				keys[role][p] = testkit.Key(cloud, p, from)
			}
		}
		_, err = NewAdoptedStore(ctx, "main", &AdoptedStoreArgs{Deployment: dep, Keys: keys, Alerts: testkit.Alerts(cloud)})
		return err
	})
}

// watched is what the key-deletion alarm of the plan watches, as text: the
// AWS rule's pattern, the GCP policy's filter, the Azure alert's scopes.
func watched(t *testing.T, cloud core.Cloud, p *plan.Plan) string {
	t.Helper()
	var v any
	switch cloud {
	case core.AWS:
		for _, r := range testkit.OfType(p, "aws:cloudwatch/eventRule:EventRule") {
			if r.Name == "main-key-deletion" {
				v = testkit.Get(r, "eventPattern")
			}
		}
	case core.GCP:
		for _, r := range testkit.OfType(p, "gcp:monitoring/alertPolicy:AlertPolicy") {
			if r.Name == "main-key-deletion" {
				v = testkit.Get(r, "conditions.0.conditionMatchedLog.filter")
			}
		}
	default:
		v = testkit.Get(testkit.One(t, p, "azure-native:insights:ActivityLogAlert"), "scopes")
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// A recovery's adopted keys are watched from its own region by the store's
// alarms, under the store's names (key-deletion, access-denied), so on-call
// hears of a replica key scheduled for deletion after the source's region
// is gone. Broken variant: alarms over the other site's keys do not watch
// this region's replicas.
func TestTheAdoptedKeysAreWatchedInTheRecoveryRegion(t *testing.T) {
	alarmType := map[core.Cloud]string{
		core.AWS: "aws:cloudwatch/metricAlarm:MetricAlarm", core.GCP: "gcp:monitoring/alertPolicy:AlertPolicy", core.Azure: "azure-native:insights:MetricAlert",
	}
	// What names this region's adopted keys in each cloud's alarm.
	here := map[core.Cloud]string{
		core.AWS:   testkit.KeyID(core.AWS, core.DataKey, core.Primary),
		core.GCP:   strings.Split(testkit.KeyID(core.GCP, core.DataKey, core.Primary), "/cryptoKeys/")[0] + "/",
		core.Azure: "vaults/wedsync-kv-" + core.ShortRegion(testkit.Regions[core.Azure][core.Primary]),
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := adoptedPlan(t, cloud, map[core.Role]core.Role{core.Primary: core.Primary, core.DR: core.DR})
			names := map[string]bool{}
			for _, typ := range []string{alarmType[cloud], "azure-native:insights:ActivityLogAlert"} {
				for _, r := range testkit.OfType(p, typ) {
					names[r.Name] = true
				}
			}
			for _, want := range []string{"main-key-deletion", "main-access-denied"} {
				if !names[want] {
					t.Errorf("no %s alarm over the adopted keys (have %v)", want, names)
				}
			}
			if got := watched(t, cloud, p); !strings.Contains(got, here[cloud]) {
				t.Errorf("the key-deletion alarm watches %s, not this region's keys (%s)", got, here[cloud])
			}
			broken := adoptedPlan(t, cloud, map[core.Role]core.Role{core.Primary: core.DR, core.DR: core.DR})
			if strings.Contains(watched(t, cloud, broken), here[cloud]) {
				t.Error("alarms over the other region's keys pass as watching this region's")
			}
		})
	}
}

// On Azure the adopted store keeps an audit workspace in the recovery's
// region for the environment's audit retention, the stack's resource logs'
// destination; elsewhere it creates none.
func TestTheAdoptedStoreKeepsAnAuditWorkspaceInItsRegionOnAzure(t *testing.T) {
	both := map[core.Role]core.Role{core.Primary: core.Primary, core.DR: core.DR}
	ws := testkit.One(t, adoptedPlan(t, core.Azure, both), "azure-native:operationalinsights:Workspace")
	if got := testkit.Get(ws, "location"); got != testkit.Regions[core.Azure][core.Primary] {
		t.Errorf("workspace in %v, want the recovery's region %s", got, testkit.Regions[core.Azure][core.Primary])
	}
	if got, _ := testkit.Get(ws, "retentionInDays").(float64); int(got) != ProdAuditRetentionDays {
		t.Errorf("retention %v days, want prod's %d", testkit.Get(ws, "retentionInDays"), ProdAuditRetentionDays)
	}
	for _, cloud := range []core.Cloud{core.AWS, core.GCP} {
		if n := len(testkit.OfType(adoptedPlan(t, cloud, both), "azure-native:operationalinsights:Workspace")); n != 0 {
			t.Errorf("%s: %d workspaces", cloud, n)
		}
	}
}

// Without keys at a site or an alert target nothing is registered.
func TestTheAdoptedStoreRefusesMissingKeysAndAlerts(t *testing.T) {
	err := testkit.PlanErr(core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.Azure, core.Prod)
		if err != nil {
			return err
		}
		keys := map[core.Role]map[core.KeyPurpose]*core.Key{core.Primary: {core.DataKey: core.KeyID(core.DataKey, "ukwest", "https://v.vault.azure.net/keys/data")}}
		_, err = NewAdoptedStore(ctx, "main", &AdoptedStoreArgs{Deployment: dep, Keys: keys})
		return err
	})
	for _, want := range []string{"Alerts", "Keys[dr]", "Keys[primary][data].VaultID"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
