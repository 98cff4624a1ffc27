package cost

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wedsync/wedsync-infra/bootstrap"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// bootstrapStack is the bootstrap program's offline plan for cloud, as the
// estimator sees a stack: prod's assumptions, the backend's third region.
func bootstrapStack(t *testing.T, cloud core.Cloud) Stack {
	t.Helper()
	alerts := map[core.Cloud]string{
		core.AWS:   "arn:aws:sns:eu-west-2:" + plan.MockAWSAccount + ":wedsync-prod-alerts",
		core.GCP:   "projects/wedsync-prod/notificationChannels/1234",
		core.Azure: "/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/wedsync-prod-alerts",
	}[cloud]
	p, err := plan.Run(plan.Options{
		Project: bootstrap.Project, Stack: string(cloud), Environment: string(core.Prod),
		Config: map[string]string{
			bootstrap.Project + ":cloud":               string(cloud),
			bootstrap.Project + ":gcpProject":          "wedsync-prod",
			bootstrap.Project + ":azureSubscriptionId": plan.MockAzureSubscription,
			bootstrap.Project + ":alertTarget":         alerts,
		},
	}, bootstrap.Program)
	if err != nil {
		t.Fatalf("plan the bootstrap for %s: %v", cloud, err)
	}
	return Stack{
		Name: "bootstrap-" + string(cloud), Environment: string(core.Prod), Cloud: string(cloud),
		Region: bootstrap.Regions[cloud][core.Primary], Plan: p,
	}
}

// The state backend is priced like a stack: every billable type it plans,
// in its third region and its replica's, has a price or a free or
// not-priced entry with its reason. The broken variant, the table without
// the price of the state key, names it.
func TestTheBootstrapPlanIsFullyPriced(t *testing.T) {
	tab := loadTable(t)
	a, err := LoadAssumptions("../../pricing", string(core.Prod))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[core.Cloud]string{core.AWS: "aws:kms/key:Key", core.GCP: "gcp:kms/cryptoKey:CryptoKey", core.Azure: "azure-native:keyvault:Key"}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			st := bootstrapStack(t, cloud)
			r, err := Estimate(st, 2027, tab, a)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range r.Unpriced {
				t.Errorf("%s in %s is unpriced: %s", u.Type, u.Region, u.Reason)
			}
			if r.Total <= 0 {
				t.Errorf("total %v: the backend costs something (keys, storage)", r.Total)
			}
			broken, err := Estimate(st, 2027, tab.Without(keys[cloud]), a)
			if err != nil {
				t.Fatal(err)
			}
			named := false
			for _, u := range broken.Unpriced {
				named = named || u.Type == keys[cloud]
			}
			if !named {
				t.Errorf("without the %s price: unpriced %+v", keys[cloud], broken.Unpriced)
			}
		})
	}
}

// A region's notPriced entry must name the page the price is on, and
// cannot shadow a price the same file gives.
func TestARegionsNotPricedEntryNamesItsPage(t *testing.T) {
	head := "cloud: aws\nregion: eu-central-1\ncurrency: USD\nread: \"2026-12-06\"\ntypes: {}\n"
	for name, body := range map[string]string{
		"with its page":    "notPriced:\n  aws:kms/key:Key: \"not read: https://aws.amazon.com/kms/pricing/\"\n",
		"without its page": "notPriced:\n  aws:kms/key:Key: \"not read\"\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "aws-eu-central-1.yaml"), []byte(head+body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadTable(dir)
		if ok := err == nil; ok != (name == "with its page") {
			t.Errorf("%s: LoadTable error %v", name, err)
		}
	}
}
