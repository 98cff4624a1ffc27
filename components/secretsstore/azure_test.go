package secretsstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

const (
	azVault  = "azure-native:keyvault:Vault"
	azKey    = "azure-native:keyvault:Key"
	azSecret = "azure-native:keyvault:Secret"
	azRole   = "azure-native:authorization:RoleAssignment"
)

func azureValues(a *SecretsStoreArgs) {
	a.SecretValues = map[string]pulumi.StringInput{
		"stripe-api-key":   pulumi.String("sk_live_not_a_real_key"),
		"sendgrid-api-key": pulumi.String("SG.not_a_real_key"),
	}
}

func vaultID(site string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/wedsync-prod-%s/providers/Microsoft.KeyVault/vaults/wedsync-prod-kv-%s", plan.MockAzureSubscription, site, site)
}

func TestAzure(t *testing.T) {
	s := everySecret(core.Azure)
	s.Grants = append(s.Grants, Grant{Principal: "55555555-5555-5555-5555-555555555555", Keys: []core.KeyPurpose{core.BackupKey}})
	r := scenario{cloud: core.Azure, settings: s, args: azureValues}.mustRun(t)

	t.Run("prod_vaults_have_purge_protection_rbac_and_no_public_access", func(t *testing.T) {
		vaults := r.ofType(azVault)
		if len(vaults) != 2 {
			t.Fatalf("want a vault per site, got %v", names(vaults))
		}
		for _, v := range vaults {
			p := v.Inputs["properties"].(map[string]any)
			for k, want := range map[string]any{
				"enableRbacAuthorization": true, "enablePurgeProtection": true, "enableSoftDelete": true,
				"softDeleteRetentionInDays": 90.0, "publicNetworkAccess": "Disabled",
			} {
				if p[k] != want {
					t.Errorf("%s %s = %v, want %v", v.Name, k, p[k], want)
				}
			}
			if get(t, p, "networkAcls", "defaultAction") != "Deny" || get(t, p, "networkAcls", "bypass") != "AzureServices" {
				t.Errorf("%s network ACLs = %v", v.Name, p["networkAcls"])
			}
			if get(t, p, "sku", "name") != "premium" || p["tenantId"] != plan.MockAzureTenant {
				t.Errorf("%s sku %v tenant %v", v.Name, p["sku"], p["tenantId"])
			}
			if !v.Protect || get(t, v.Inputs, "tags", "environment") != "prod" {
				t.Errorf("%s must be protected and tagged", v.Name)
			}
		}
	})

	t.Run("prod_dr_vault_and_keys_are_in_the_dr_region", func(t *testing.T) {
		v := r.named(azVault, "secrets-vault-dr")
		if v.Inputs["location"] != "ukwest" || r.providerName(v) != "azure-dr" || v.Inputs["resourceGroupName"] != "wedsync-prod-ukw" {
			t.Errorf("DR vault: %v via %s", v.Inputs["location"], r.providerName(v))
		}
		for _, purpose := range core.KeyPurposes {
			k := r.named(azKey, "secrets-key-"+string(purpose)+"-dr")
			if k.Inputs["vaultName"] != "wedsync-prod-kv-ukw" || r.providerName(k) != "azure-dr" {
				t.Errorf("DR %s key in %v via %s", purpose, k.Inputs["vaultName"], r.providerName(k))
			}
		}
	})

	t.Run("every_key_rotates_and_expires_with_a_notice", func(t *testing.T) {
		keys := r.ofType(azKey)
		if len(keys) != 2*len(core.KeyPurposes) {
			t.Fatalf("want a key per purpose and site, got %v", names(keys))
		}
		for _, k := range keys {
			pol := get(t, k.Inputs, "properties", "rotationPolicy").(map[string]any)
			if get(t, pol, "attributes", "expiryTime") != "P120D" ||
				get(t, pol, "lifetimeActions", "0", "action", "type") != "Rotate" || get(t, pol, "lifetimeActions", "0", "trigger", "timeAfterCreate") != "P90D" ||
				get(t, pol, "lifetimeActions", "1", "action", "type") != "Notify" || get(t, pol, "lifetimeActions", "1", "trigger", "timeBeforeExpiry") != "P14D" {
				t.Errorf("%s rotation policy = %v", k.Name, pol)
			}
			if get(t, k.Inputs, "properties", "kty") != "RSA-HSM" || !k.Protect {
				t.Errorf("prod key %s must be an HSM key and protected", k.Name)
			}
		}
	})

	t.Run("keys_are_handed_out_versionless_with_their_vault", func(t *testing.T) {
		for role, site := range map[core.Role]string{core.Primary: "uks", core.DR: "ukw"} {
			k, ok := r.keyUser(role, core.DataKey)
			uri := "https://wedsync-prod-kv-" + site + ".vault.azure.net/"
			if !ok || k["id"] != uri+"keys/data" || k["vaultUri"] != uri || k["vaultId"] != vaultID(site) || k["name"] != "data" {
				t.Errorf("Key(%s, data) = %v", role, k)
			}
		}
	})

	t.Run("secrets_are_written_to_both_vaults_and_stay_secret", func(t *testing.T) {
		secrets := r.ofType(azSecret)
		if len(secrets) != 4 {
			t.Fatalf("want each secret in each vault, got %v", names(secrets))
		}
		for _, s := range secrets {
			if get(t, s.Inputs, "properties", "value") != core.SecretMarker || !s.Protect {
				t.Errorf("%s value recorded as %v", s.Name, get(t, s.Inputs, "properties", "value"))
			}
		}
	})

	t.Run("grants_assign_least_privilege_roles_on_exactly_the_granted_objects", func(t *testing.T) {
		var got []string
		for _, ra := range r.ofType(azRole) {
			role := ra.Inputs["roleDefinitionId"].(string)
			got = append(got, fmt.Sprintf("%v %s %v", ra.Inputs["principalId"], role[strings.LastIndex(role, "/")+1:], ra.Inputs["scope"]))
		}
		want := map[string]bool{}
		for _, site := range []string{"uks", "ukw"} {
			want[appIdentity+" "+azureSecretsUser+" "+vaultID(site)+"/secrets/stripe-api-key"] = true
			want[appIdentity+" "+azureCryptoUser+" "+vaultID(site)+"/keys/field"] = true
			want["55555555-5555-5555-5555-555555555555 "+azureCryptoServiceEncryption+" "+vaultID(site)+"/keys/backup"] = true
		}
		if len(got) != len(want) {
			t.Errorf("role assignments = %v", got)
		}
		for _, g := range got {
			if !want[g] {
				t.Errorf("unexpected role assignment %s", g)
			}
		}
	})

	t.Run("vault_audit_events_go_to_log_analytics", func(t *testing.T) {
		for _, site := range []string{"", "-dr"} {
			d := r.named("azure-native:insights:DiagnosticSetting", "secrets-vault-audit"+site)
			ws := r.named("azure-native:operationalinsights:Workspace", "secrets-audit"+site)
			if d.Inputs["workspaceId"] != ws.ID || get(t, d.Inputs, "logs", "0", "category") != "AuditEvent" || get(t, d.Inputs, "logs", "0", "enabled") != true {
				t.Errorf("diagnostic setting %s = %v", d.Name, d.Inputs)
			}
			if ws.Inputs["retentionInDays"] != 365.0 {
				t.Errorf("workspace %s keeps %v days", ws.Name, ws.Inputs["retentionInDays"])
			}
		}
		if d := r.named("azure-native:insights:DiagnosticSetting", "secrets-vault-audit-dr"); d.Inputs["resourceUri"] != vaultID("ukw") {
			t.Errorf("DR diagnostic setting watches %v", d.Inputs["resourceUri"])
		}
	})
}

func TestAzureDev(t *testing.T) {
	s := everySecret(core.Azure)
	s.PurgeProtection = on(false)
	r := scenario{cloud: core.Azure, env: core.Dev, noDR: true, settings: s, args: azureValues}.mustRun(t)
	t.Run("dev_vault_is_standard_with_a_short_soft_delete_but_still_private_and_rbac", func(t *testing.T) {
		vaults := r.ofType(azVault)
		if len(vaults) != 1 {
			t.Fatalf("dev without DR has %d vaults", len(vaults))
		}
		p := vaults[0].Inputs["properties"].(map[string]any)
		if get(t, p, "sku", "name") != "standard" || p["softDeleteRetentionInDays"] != 7.0 || p["enablePurgeProtection"] != nil ||
			p["enableRbacAuthorization"] != true || p["publicNetworkAccess"] != "Disabled" {
			t.Errorf("dev vault = %v", p)
		}
	})
}
