package bootstrap_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/bootstrap"
	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/replacements"
	"github.com/wedsync/wedsync-infra/internal/testkit"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// planOf plans the bootstrap program for cloud offline, as the stacks are.
func planOf(t *testing.T, cloud core.Cloud, program pulumi.RunFunc) *plan.Plan {
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
	}, program)
	if err != nil {
		t.Fatalf("plan %s: %v", cloud, err)
	}
	return p
}

func mandatory(vs []plan.Violation) []plan.Violation {
	var out []plan.Violation
	for _, v := range vs {
		if v.EnforcementLevel == string(rules.Mandatory) {
			out = append(out, v)
		}
	}
	return out
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// The backend passes the policy pack on every cloud: what the pack demands
// of a prod backup bucket (encryption with a customer-managed key,
// versioning, lock, privacy, TLS, EU region) it demands of the state.
func TestBackendPassesThePack(t *testing.T) {
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := planOf(t, cloud, bootstrap.Program)
			for _, v := range mandatory(plan.Evaluate(p, bootstrap.PolicyConfig(string(cloud)), now)) {
				t.Errorf("%s: %s: %s", v.Policy, v.URN, v.Message)
			}
		})
	}
}

// stackRegions are where the shipped stacks run (primary and DR): the
// state must live elsewhere.
var stackRegions = []string{"eu-west-2", "eu-west-1", "europe-west2", "europe-west1", "uksouth", "ukwest"}

// bucketOf is the state bucket (storage account on Azure) and the
// resource that encrypts it, versions it and keeps it private, per cloud.
func bucketOf(t *testing.T, cloud core.Cloud, p *plan.Plan) (bucket plan.Resource, encryptedBy, versioned, private bool) {
	t.Helper()
	named := func(typ, name string) plan.Resource {
		for _, r := range testkit.OfType(p, typ) {
			if r.Name == name {
				return r
			}
		}
		t.Fatalf("no %s %s in the plan", typ, name)
		return plan.Resource{}
	}
	switch cloud {
	case core.AWS:
		bucket = named("aws:s3/bucketV2:BucketV2", "state")
		sse := named("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "state")
		key := named("aws:kms/key:Key", "state-key")
		kid, _ := testkit.Get(sse, "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId").(string)
		encryptedBy = key.ID != "" && strings.HasSuffix(kid, "/"+key.ID)
		versioned = testkit.Get(named("aws:s3/bucketVersioningV2:BucketVersioningV2", "state"), "versioningConfiguration.status") == "Enabled"
		pab := named("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "state")
		private = testkit.Get(pab, "blockPublicPolicy") == true && testkit.Get(pab, "restrictPublicBuckets") == true
	case core.GCP:
		bucket = named("gcp:storage/bucket:Bucket", "state")
		key := named("gcp:kms/cryptoKey:CryptoKey", "state-key-primary")
		encryptedBy = testkit.Get(bucket, "encryption.defaultKmsKeyName") == key.ID
		versioned = testkit.Get(bucket, "versioning.enabled") == true
		private = testkit.Get(bucket, "publicAccessPrevention") == "enforced"
	case core.Azure:
		bucket = named("azure-native:storage:StorageAccount", "state")
		encryptedBy = testkit.Get(bucket, "encryption.keySource") == "Microsoft.Keyvault" &&
			testkit.Get(bucket, "encryption.keyVaultProperties.keyName") == "state"
		versioned = testkit.Get(named("azure-native:storage:BlobServiceProperties", "state"), "isVersioningEnabled") == true
		private = testkit.Get(bucket, "allowBlobPublicAccess") == false
	}
	return bucket, encryptedBy, versioned, private
}

// regionOf is the region of the provider r is created with.
func regionOf(p *plan.Plan, r plan.Resource) string {
	for _, pr := range p.Resources {
		if pr.URN == r.Provider {
			if v, ok := testkit.Get(pr, "region").(string); ok {
				return v
			}
			v, _ := testkit.Get(pr, "location").(string)
			return v
		}
	}
	return ""
}

// What an operator relies on: the state bucket is versioned, encrypted
// with the backend's own key, private, in a third region, and nothing the
// program creates can be deleted by a destroy; every stack has a secrets
// provider URL of its cloud's scheme.
func TestBackendKeepsStateSafe(t *testing.T) {
	scheme := map[core.Cloud]string{core.AWS: "awskms://alias/wedsync-state-", core.GCP: "gcpkms://projects/", core.Azure: "azurekeyvault://"}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := planOf(t, cloud, bootstrap.Program)
			bucket, encrypted, versioned, private := bucketOf(t, cloud, p)
			if !encrypted || !versioned || !private {
				t.Errorf("state bucket: encrypted with the state key %v, versioned %v, private %v; want all", encrypted, versioned, private)
			}
			region := regionOf(p, bucket)
			if region != bootstrap.Regions[cloud][core.Primary] || slices.Contains(stackRegions, region) {
				t.Errorf("state bucket is in %q: want %s, a region no stack runs in", region, bootstrap.Regions[cloud][core.Primary])
			}
			for _, r := range p.Resources {
				if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") && !r.Protect {
					t.Errorf("%s %s is not protected", r.Type, r.Name)
				}
			}
			if url, _ := p.Outputs["backendUrl"].(string); cloud == core.AWS && !strings.Contains(url, "ssetype=aws:kms&kmskeyid=arn:aws:kms:eu-central-1:") {
				// Without them the bucket policy refuses every state write.
				t.Errorf("backend URL %q does not make the CLI encrypt uploads with the state key", url)
			}
			var providers map[string]string
			raw, _ := json.Marshal(p.Outputs["secretsProviders"])
			_ = json.Unmarshal(raw, &providers)
			for _, stack := range bootstrap.DefaultStacks[cloud] {
				if url := providers[stack]; !strings.HasPrefix(url, scheme[cloud]) || !strings.Contains(url, stack) {
					t.Errorf("secrets provider of %s is %q, want %s... naming the stack", stack, url, scheme[cloud])
				}
				checkStateKey(t, p, cloud, providers[stack])
			}
		})
	}
}

// checkStateKey: the stacks' ciaccess reads the provider URL as a key of
// its cloud (and grants CI its use); on Azure the resource group it
// derives from the vault's name (the URL names none) is the vault's.
func checkStateKey(t *testing.T, p *plan.Plan, cloud core.Cloud, url string) {
	t.Helper()
	key, err := ciaccess.ParseStateKey(url)
	if err != nil || key.Cloud != cloud {
		t.Errorf("secrets provider %q: read as a %q key, %v", url, key.Cloud, err)
		return
	}
	if cloud != core.Azure {
		return
	}
	vault := testkit.One(t, p, "azure-native:keyvault:Vault")
	if vault.Inputs["vaultName"] != key.AzureVault || vault.Inputs["resourceGroupName"] != key.AzureResourceGroup {
		t.Errorf("secrets provider %q: ciaccess reads vault %s in %s; bootstrap makes %v in %v", url, key.AzureVault, key.AzureResourceGroup,
			vault.Inputs["vaultName"], vault.Inputs["resourceGroupName"])
	}
}

// The pack is not a formality here: the backend with its encryption
// removed, or made public, fails it.
func TestBrokenBackendFailsThePack(t *testing.T) {
	breaks := map[core.Cloud]func(r *plan.Resource) bool{
		core.AWS: func(r *plan.Resource) bool {
			if r.Type != "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" || r.Name != "state" {
				return false
			}
			r.Inputs["blockPublicPolicy"], r.Inputs["restrictPublicBuckets"] = false, false
			return true
		},
		core.GCP: func(r *plan.Resource) bool {
			if r.Type != "gcp:storage/bucket:Bucket" || r.Name != "state" {
				return false
			}
			delete(r.Inputs, "encryption")
			return true
		},
		core.Azure: func(r *plan.Resource) bool {
			if r.Type != "azure-native:storage:StorageAccount" || r.Name != "state" {
				return false
			}
			delete(r.Inputs, "encryption")
			return true
		},
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := planOf(t, cloud, bootstrap.Program)
			broke := false
			for i := range p.Resources {
				broke = breaks[cloud](&p.Resources[i]) || broke
			}
			if !broke {
				t.Fatal("found nothing to break: the test would prove nothing")
			}
			if len(mandatory(plan.Evaluate(p, bootstrap.PolicyConfig(string(cloud)), now))) == 0 {
				t.Error("the pack passed a state bucket with its protection removed")
			}
		})
	}
}

// Every resource type the backend plans has a replacements row, so the
// e2e's stand-in providers and the plan's replacement warnings know it.
func TestEveryTypeHasAReplacementsRow(t *testing.T) {
	for _, cloud := range core.Clouds {
		for _, r := range planOf(t, cloud, bootstrap.Program).Resources {
			if !r.Custom || strings.HasPrefix(r.Type, "pulumi:") {
				continue
			}
			if _, ok := replacements.Lookup(r.Type); !ok {
				t.Errorf("%s (%s) has no row in internal/replacements", r.Type, cloud)
			}
		}
	}
}
