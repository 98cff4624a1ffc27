package dbbackup

import (
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestAzure(t *testing.T) {
	prod := run(t, core.Azure, core.Prod, nil)
	staging := run(t, core.Azure, core.Staging, nil)

	t.Run("prod_vault_is_geo_redundant_locked_immutable_and_always_soft_deleting", func(t *testing.T) {
		v := testkit.One(t, prod, BackupVaultType)
		want(t, v, "properties.storageSettings.0.type", "GeoRedundant")
		want(t, v, "properties.featureSettings.crossRegionRestoreSettings.state", "Enabled")
		want(t, v, "properties.securitySettings.immutabilitySettings.state", "Locked")
		want(t, v, "properties.securitySettings.softDeleteSettings.state", "AlwaysOn")
		if !v.Protect {
			t.Error("prod vault is not protected")
		}
	})
	t.Run("staging_vault_is_immutable_but_unlocked", func(t *testing.T) {
		want(t, testkit.One(t, staging, BackupVaultType), "properties.securitySettings.immutabilitySettings.state", "Unlocked")
	})
	t.Run("policy_backs_up_daily_and_deletes_at_retention", func(t *testing.T) {
		p := testkit.One(t, prod, BackupPolicyType)
		want(t, p, "properties.policyRules.0.trigger.schedule.repeatingTimeIntervals.0", "R/2025-01-01T02:00:00+00:00/P1D")
		want(t, p, "properties.policyRules.1.lifecycles.0.deleteAfter.duration", "P365D")
	})
	t.Run("instance_protects_the_server_after_the_vault_is_granted", func(t *testing.T) {
		i := testkit.One(t, prod, BackupInstanceType)
		want(t, i, "properties.dataSourceInfo.resourceID", databases[core.Azure])
		roles := map[string]bool{}
		for _, r := range testkit.OfType(prod, "azure-native:authorization:RoleAssignment") {
			roles[testkit.Get(r, "roleDefinitionId").(string)[len("/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/"):]] = true
			if testkit.Get(r, "principalId") == "" {
				t.Errorf("%s grants nobody", r.Name)
			}
		}
		for _, role := range []string{roleLTRBackup, roleReader, roleBlobDataContributor} {
			if !roles[role] {
				t.Errorf("the vault is not granted role %s", role)
			}
		}
	})
}
