package backupbucket

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
)

const (
	azAccount   = "azure-native:storage:StorageAccount"
	azBlobProps = "azure-native:storage:BlobServiceProperties"
	azContainer = "azure-native:storage:BlobContainer"
	azLifecycle = "azure-native:storage:ManagementPolicy"
	azRole      = "azure-native:authorization:RoleAssignment"
)

func TestAzure(t *testing.T) {
	prod := fixture{cloud: core.Azure, env: core.Prod}.run(t)
	dev := fixture{cloud: core.Azure, env: core.Dev, noDR: true}.run(t)

	t.Run("prod_account_is_encrypted_with_the_backup_key_through_its_own_identity", func(t *testing.T) {
		a := prod.one(azAccount, "db-exports")
		equal(t, a, "Microsoft.Keyvault", "encryption", "keySource")
		equal(t, a, "backup", "encryption", "keyVaultProperties", "keyName")
		equal(t, a, "https://wedsync-uksouth.vault.azure.net/", "encryption", "keyVaultProperties", "keyVaultUri")
		equal(t, a, true, "encryption", "requireInfrastructureEncryption")
		identity := toString(get(t, a, "encryption", "encryptionIdentity", "encryptionUserAssignedIdentity"))
		if !strings.Contains(identity, "Microsoft.ManagedIdentity/userAssignedIdentities/") {
			t.Errorf("encryption identity = %s", identity)
		}
		role := prod.one(azRole, "db-exports-uses-key")
		equal(t, role, "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/wedsync-uksouth", "scope")
		if !strings.HasSuffix(toString(get(t, role, "roleDefinitionId")), "/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6") {
			t.Errorf("role = %v", get(t, role, "roleDefinitionId"))
		}
	})
	t.Run("account_is_private_tls_only_and_keyless", func(t *testing.T) {
		for _, a := range append(prod.all(azAccount), dev.all(azAccount)...) {
			equal(t, a, true, "enableHttpsTrafficOnly")
			equal(t, a, "TLS1_2", "minimumTlsVersion")
			equal(t, a, false, "allowBlobPublicAccess")
			equal(t, a, false, "allowSharedKeyAccess")
		}
		equal(t, prod.one(azContainer, "db-exports"), "None", "publicAccess")
	})
	t.Run("prod_account_is_geo_zone_redundant_and_protected", func(t *testing.T) {
		a := prod.one(azAccount, "db-exports")
		equal(t, a, "Standard_RAGZRS", "sku", "name")
		if !a.Protect || !prod.one(azContainer, "db-exports").Protect {
			t.Error("prod account or container is not protected")
		}
		equal(t, dev.one(azAccount, "db-exports"), "Standard_LRS", "sku", "name")
	})
	t.Run("blobs_are_versioned_with_change_feed_and_no_blob_soft_delete_past_retention", func(t *testing.T) {
		p := prod.one(azBlobProps, "db-exports")
		equal(t, p, true, "isVersioningEnabled")
		equal(t, p, true, "changeFeed", "enabled")
		equal(t, p, false, "deleteRetentionPolicy", "enabled")
		equal(t, p, 30, "containerDeleteRetentionPolicy", "days")
		equal(t, p, false, "restorePolicy", "enabled")
	})
	t.Run("prod_immutability_is_locked_for_the_retention_dev_unlocked", func(t *testing.T) {
		a := prod.one(azAccount, "db-exports")
		equal(t, a, "Locked", "immutableStorageWithVersioning", "immutabilityPolicy", "state")
		equal(t, a, 365, "immutableStorageWithVersioning", "immutabilityPolicy", "immutabilityPeriodSinceCreationInDays")
		equal(t, dev.one(azAccount, "db-exports"), "Unlocked", "immutableStorageWithVersioning", "immutabilityPolicy", "state")
		equal(t, prod.one(azContainer, "db-exports"), true, "immutableStorageWithVersioning", "enabled")
	})
	t.Run("prod_lifecycle_goes_cool_cold_then_deletes_at_retention_never_archive_on_RA-GZRS", func(t *testing.T) {
		lc := prod.one(azLifecycle, "db-exports")
		base := []string{"policy", "rules", "0", "definition", "actions", "baseBlob"}
		for field, days := range map[string]int{"tierToCool": 30, "tierToCold": 90, "delete": 365} {
			equal(t, lc, days, append(base, field, "daysAfterCreationGreaterThan")...)
		}
		if v, ok := lookup(lc, append(base, "tierToArchive")...); ok {
			t.Errorf("RA-GZRS account tiers to archive (%v): Azure does not support archive on GZRS", v)
		}
	})
	t.Run("dr_copy_is_the_geo_replica_in_the_pair_region", func(t *testing.T) {
		if n := len(prod.all("azure-native:storage:StorageAccount")); n != 1 {
			t.Errorf("want one geo-replicated account, got %d", n)
		}
	})
}

// Who read, wrote or deleted a backup is recorded in the audit workspace;
// without one the component makes no diagnostic setting.
func TestAzureAccessLogs(t *testing.T) {
	const ws = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/audit"
	with := fixture{cloud: core.Azure, env: core.Prod, logs: ws}.run(t)
	d := with.one("azure-native:insights:DiagnosticSetting", "db-exports-access")
	equal(t, d, ws, "workspaceId")
	got := toJSON(get(t, d, "logs"))
	for _, c := range []string{"StorageRead", "StorageWrite", "StorageDelete"} {
		if !strings.Contains(got, c) {
			t.Errorf("access logs %s lack %s", got, c)
		}
	}
	if n := len(fixture{cloud: core.Azure, env: core.Prod}.run(t).all("azure-native:insights:DiagnosticSetting")); n != 0 {
		t.Errorf("%d diagnostic settings without a workspace", n)
	}
}
