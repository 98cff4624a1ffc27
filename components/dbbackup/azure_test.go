package dbbackup

import (
	"fmt"
	"strings"
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
			def := testkit.Get(r, "roleDefinitionId").(string)
			roles[def[strings.LastIndex(def, "/")+1:]] = true
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
	t.Run("export_logic_app_restores_the_newest_backup_as_files_into_db-exports_daily", func(t *testing.T) {
		flow := testkit.One(t, prod, LogicWorkflowType)
		want(t, flow, "definition.triggers.Daily.recurrence.schedule.hours.0", 4)
		want(t, flow, "definition.actions.Restore.inputs.method", "POST")
		want(t, flow, "definition.actions.Restore.inputs.body.restoreTargetInfo.objectType", "RestoreFilesTargetInfo")
		want(t, flow, "definition.actions.Restore.inputs.body.restoreTargetInfo.targetDetails.url", "https://bkdbexports.blob.core.windows.net/backups")
		prefix, _ := testkit.Get(flow, "definition.actions.Restore.inputs.body.restoreTargetInfo.targetDetails.filePrefix").(string)
		if !strings.HasPrefix(prefix, exportPrefix+"/wedsync-prod-main-") {
			t.Errorf("export files are named %q, want them under %s/ by server", prefix, exportPrefix)
		}
		uri, _ := testkit.Get(flow, "definition.actions.Restore.inputs.uri").(string)
		if !strings.Contains(uri, "/backupInstances/"+"wedsync-prod-db/restore?") {
			t.Errorf("restore calls %s, want the backup instance's restore", uri)
		}
		want(t, flow, "definition.actions.Restore.inputs.authentication.type", "ManagedServiceIdentity")
		want(t, flow, "definition.actions.Restore.inputs.body.recoveryPointId", "@{first(body('Newest'))?['name']}")
		want(t, flow, "definition.actions.Newest.inputs.where", "@equals(ticks(item()?['properties']?['recoveryPointTime']), max(body('Ticks')))")
		id := testkit.Get(flow, "definition.actions.Restore.inputs.authentication.identity")
		if ids, _ := testkit.Get(flow, "identity.userAssignedIdentities").(map[string]any); len(ids) != 1 || ids[fmt.Sprint(id)] == nil {
			t.Errorf("the Logic App authenticates as %v but carries identities %v", id, ids)
		}
	})
	t.Run("export_identity_may_only_restore_the_one_instance_and_the_vault_write_only_the_container", func(t *testing.T) {
		role := testkit.One(t, prod, "azure-native:authorization:RoleDefinition")
		actions, _ := testkit.Get(role, "permissions.0.actions").([]any)
		for _, a := range actions {
			if strings.Contains(fmt.Sprint(a), "*") || !strings.HasPrefix(fmt.Sprint(a), "Microsoft.DataProtection/backupVaults/backupInstances/") {
				t.Errorf("export role allows %v", a)
			}
		}
		if len(actions) != len(exportActions) {
			t.Errorf("export role has %d actions, want %d", len(actions), len(exportActions))
		}
		restores := named(t, prod, "azure-native:authorization:RoleAssignment", "main-export-restores")
		if s := fmt.Sprint(testkit.Get(restores, "scope")); !strings.HasSuffix(s, "/backupInstances/wedsync-prod-db") {
			t.Errorf("export identity is granted at %s, want the backup instance", s)
		}
		writes := named(t, prod, "azure-native:authorization:RoleAssignment", "main-writes-export-container")
		want(t, writes, "scope", exports[core.Azure][1]+"/blobServices/default/containers/backups")
	})
	t.Run("job_failure_alarm_counts_user_errors_too", func(t *testing.T) {
		a := named(t, prod, "azure-native:insights:MetricAlert", "main-"+alarmBackupFailed)
		want(t, a, "criteria.allOf.0.metricName", "BackupHealthEvent")
		values := fmt.Sprint(testkit.Get(a, "criteria.allOf.0.dimensions.0.values"))
		for _, v := range []string{"Persistent Degraded", "Transient Degraded", "Persistent Unhealthy", "Transient Unhealthy"} {
			if !strings.Contains(values, v) {
				t.Errorf("backup failure alarm ignores healthStatus %q: %s", v, values)
			}
		}
		if strings.Contains(values, "[Healthy") || strings.Contains(values, " Healthy") {
			t.Errorf("backup failure alarm counts healthy jobs: %s", values)
		}
	})
	t.Run("export_failure_alarm_watches_the_logic_app's_failed_runs", func(t *testing.T) {
		a := named(t, prod, "azure-native:insights:MetricAlert", "main-"+alarmExportFailed)
		want(t, a, "criteria.allOf.0.metricName", "RunsFailed")
		want(t, a, "criteria.allOf.0.metricNamespace", "Microsoft.Logic/workflows")
	})
}
