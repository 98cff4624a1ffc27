package ciaccess

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// The forms bootstrap/ prints parse to their key; anything else is refused
// naming the allowed forms; no provider is no key.
func TestParseStateKey(t *testing.T) {
	for in, want := range map[string]StateKey{
		"awskms://alias/wedsync-state-prod?region=eu-central-1": {Cloud: core.AWS, AWSAlias: "alias/wedsync-state-prod"},
		"gcpkms://projects/wedsync-prod/locations/europe-west3/keyRings/wedsync-state/cryptoKeys/secrets-prod-gcp": {Cloud: core.GCP,
			GCPKey: "projects/wedsync-prod/locations/europe-west3/keyRings/wedsync-state/cryptoKeys/secrets-prod-gcp"},
		"azurekeyvault://wedsync-state-kv-ger.vault.azure.net/keys/secrets-prod-azure": {Cloud: core.Azure,
			AzureVault: "wedsync-state-kv-ger", AzureKey: "secrets-prod-azure", AzureResourceGroup: "wedsync-state-ger"},
		"":           {},
		"passphrase": {},
	} {
		if got, err := ParseStateKey(in); err != nil || got != want {
			t.Errorf("ParseStateKey(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{
		"awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=eu-central-1", // a key id: no alias to scope by
		"gcpkms://projects/wedsync-prod/locations/europe-west3/keyRings/wedsync-state",
		"azurekeyvault://other-vault.vault.azure.net/keys/secrets-prod-azure", // not bootstrap's: no resource group
		"hashivault://wedsync",
	} {
		if _, err := ParseStateKey(bad); err == nil {
			t.Errorf("ParseStateKey(%q) accepted", bad)
		}
	}
}

func planWithKey(t *testing.T, cloud core.Cloud, key StateKey) *plan.Plan {
	t.Helper()
	return testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, core.Prod)
		if err != nil {
			return err
		}
		_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: Settings{Repository: repo}, StateKey: key})
		return err
	})
}

// On each cloud, the identities get their use of the stack's key on that
// key only: deploy and drill encrypt and decrypt, preview and seal
// decrypt. The broken variant: a key on another cloud gives the
// identities here no key use at all.
func TestIdentitiesUseTheStateKeyOnItsCloud(t *testing.T) {
	keys := map[core.Cloud]StateKey{}
	for cloud, url := range map[core.Cloud]string{
		core.AWS:   "awskms://alias/wedsync-state-prod?region=eu-central-1",
		core.GCP:   "gcpkms://projects/wedsync-prod/locations/europe-west3/keyRings/wedsync-state/cryptoKeys/secrets-prod",
		core.Azure: "azurekeyvault://wedsync-state-kv-ger.vault.azure.net/keys/secrets-prod",
	} {
		k, err := ParseStateKey(url)
		if err != nil {
			t.Fatal(err)
		}
		keys[cloud] = k
	}
	t.Run("aws", func(t *testing.T) {
		p := planWithKey(t, core.AWS, keys[core.AWS])
		for kind, want := range map[string]string{"deploy": `["kms:Decrypt","kms:Encrypt"]`, "drill": `["kms:Decrypt","kms:Encrypt"]`, "preview": `["kms:Decrypt"]`, "seal": `["kms:Decrypt"]`} {
			doc := str(t, byName(t, p, "aws:iam/rolePolicy:RolePolicy", "ci-aws-"+kind+"-stack-secrets"), "policy")
			if !strings.Contains(doc, `"Action":`+want+`,`) || !strings.Contains(doc, `"kms:ResourceAliases":["alias/wedsync-state-prod"]`) {
				t.Errorf("%s: %s", kind, doc)
			}
		}
		if n := len(testkit.OfType(planWithKey(t, core.AWS, keys[core.GCP]), "aws:iam/rolePolicy:RolePolicy")); n != 3 {
			t.Errorf("with a GCP key the AWS roles have %d inline policies, want only deploy-guards, drill-restore-reads and seal-exports", n)
		}
	})
	t.Run("gcp", func(t *testing.T) {
		p := planWithKey(t, core.GCP, keys[core.GCP])
		for kind, role := range map[string]string{"deploy": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "drill": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
			"preview": "roles/cloudkms.cryptoKeyDecrypter", "seal": "roles/cloudkms.cryptoKeyDecrypter"} {
			r := byName(t, p, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "ci-gcp-"+kind+"-state-key")
			if str(t, r, "role") != role || str(t, r, "cryptoKeyId") != keys[core.GCP].GCPKey || !strings.Contains(str(t, r, "member"), "-ci-"+kind+"@") {
				t.Errorf("%s: %v", kind, r.Inputs)
			}
		}
		if n := len(testkit.OfType(planWithKey(t, core.GCP, keys[core.Azure]), "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")); n != 0 {
			t.Errorf("with an Azure key the GCP accounts hold %d key grants", n)
		}
	})
	t.Run("azure", func(t *testing.T) {
		p := planWithKey(t, core.Azure, keys[core.Azure])
		scope := "/resourceGroups/wedsync-state-ger/providers/Microsoft.KeyVault/vaults/wedsync-state-kv-ger/keys/secrets-prod"
		for kind, role := range map[string]string{"deploy": "state-secrets", "drill": "state-secrets", "preview": "state-decrypt", "seal": "state-decrypt"} {
			r := byName(t, p, "azure-native:authorization:RoleAssignment", "ci-azure-"+kind+"-state-key")
			if !strings.HasSuffix(str(t, r, "scope"), scope) || !strings.HasSuffix(str(t, r, "roleDefinitionId"), "/ci-azure-"+role) {
				t.Errorf("%s: %v", kind, r.Inputs)
			}
		}
		for name, want := range map[string]string{"ci-azure-state-secrets": "[Microsoft.KeyVault/vaults/keys/decrypt/action Microsoft.KeyVault/vaults/keys/encrypt/action]",
			"ci-azure-state-decrypt": "[Microsoft.KeyVault/vaults/keys/decrypt/action]"} {
			r := byName(t, p, "azure-native:authorization:RoleDefinition", name)
			if got := fmt.Sprint(testkit.Get(r, "permissions")); got != "[map[dataActions:"+want+"]]" {
				t.Errorf("%s: %v", name, got)
			}
		}
		for _, r := range testkit.OfType(planWithKey(t, core.Azure, keys[core.AWS]), "azure-native:authorization:RoleAssignment") {
			if strings.Contains(r.Name, "state-key") {
				t.Errorf("with an AWS key the Azure identities are assigned %s", r.Name)
			}
		}
	})
}
