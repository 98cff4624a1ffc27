package dbbackup

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
)

// LogicWorkflowType is the Logic App's type token. The proxy does not serve
// the logic SDK module at v2.92.0 to this build (`go list -m
// github.com/pulumi/pulumi-azure-native-sdk/logic/v2@v2.92.0`: "This module
// version is not available"), so it is registered by token with the ARM
// shape, as the Backup vault is.
const LogicWorkflowType = "azure-native:logic:Workflow"

// exportAPIVersion is the Data Protection REST API the Logic App calls.
const exportAPIVersion = "2024-04-01"

// exportActions are all the export identity may do, on the one backup
// instance: find its newest recovery point and restore it as files.
// https://learn.microsoft.com/rest/api/dataprotection/backup-instances/trigger-restore
var exportActions = []string{
	"Microsoft.DataProtection/backupVaults/backupInstances/read",
	"Microsoft.DataProtection/backupVaults/backupInstances/recoveryPoints/read",
	"Microsoft.DataProtection/backupVaults/backupInstances/restore/action",
	"Microsoft.DataProtection/backupVaults/backupInstances/validateRestore/action",
}

// azureExport writes the newest vault backup into the db-exports container
// every day, scheduled by Azure alone: a Logic App (Consumption) whose
// Recurrence trigger fires two hours after the vault's daily backup and
// whose HTTP actions, authenticated as a user-assigned identity, list the
// backup instance's recovery points and trigger a restore of the newest
// as files (RestoreFilesTargetInfo, AzureBlobs) under
// database/ in the container. The vault's own identity writes the files,
// with Storage Blob Data Contributor on that container only.
//
// Why not the server's own long-term retention API (startLtrBackup): it
// takes a container SAS URL, and the db-exports account refuses shared-key
// SAS (allowSharedKeyAccess false); a user-delegation SAS must be signed
// with HMAC, which neither Logic Apps nor Data Factory expressions can do.
// The vault's restore-as-files needs no SAS.
// https://learn.microsoft.com/azure/backup/backup-azure-database-postgresql-flex-use-rest-api-restore
// https://learn.microsoft.com/azure/logic-apps/authenticate-with-managed-identity
func (b *builder) azureExport(vault *backupVault, instance *dataProtection, instanceName string) (pulumi.StringOutput, error) {
	site := b.dep.Primary
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name+"-export", &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(b.dep.Name("db", "export")),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              b.dep.Tags.For(core.Azure),
	}, b.opts(site)...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.azureExportGrant(identity, instance); err != nil {
		return pulumi.StringOutput{}, err
	}
	flow := &dataProtection{}
	if err := b.ctx.RegisterResource(LogicWorkflowType, b.name+"-export", pulumi.Map{
		"workflowName":      pulumi.String(b.dep.Name("db", "export")),
		"resourceGroupName": site.AzureResourceGroup,
		"location":          pulumi.String(site.Region),
		"state":             pulumi.String("Enabled"),
		"identity": pulumi.Map{
			"type":                   pulumi.String("UserAssigned"),
			"userAssignedIdentities": identity.ID().ApplyT(func(id pulumi.ID) map[string]any { return map[string]any{string(id): map[string]any{}} }).(pulumi.MapOutput),
		},
		"definition": b.azureExportDefinition(identity.ID(), vault.ID(), instanceName),
		"tags":       b.dep.Tags.For(core.Azure),
	}, flow, b.opts(site)...); err != nil {
		return pulumi.StringOutput{}, err
	}
	if b.a.Alerts != nil {
		if err := b.azureExportAlarm(flow); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return identity.PrincipalId, nil
}

// azureExportGrant lets identity do exportActions on the one backup
// instance, through a custom role assignable only in the stack's resource
// group (no built-in role is as narrow: Backup Operator can also stop
// protection and start backups).
func (b *builder) azureExportGrant(identity *managedidentity.UserAssignedIdentity, instance *dataProtection) error {
	site := b.dep.Primary
	group := b.a.Database.ApplyT(func(id string) string { return core.AzureSubscriptionOf(id) + "/resourceGroups/" + groupName(id) }).(pulumi.StringOutput)
	role, err := authorization.NewRoleDefinition(b.ctx, b.name+"-export", &authorization.RoleDefinitionArgs{
		RoleDefinitionId: pulumi.String(core.StableGUID(b.dep.Name("db", "export", "role"))),
		RoleName:         pulumi.String(b.dep.Name("db", "export")),
		Description:      pulumi.String("Restore the database's newest vault backup as files into db-exports; nothing else"),
		RoleType:         pulumi.String("CustomRole"),
		Scope:            group,
		AssignableScopes: pulumi.StringArray{group},
		Permissions:      authorization.PermissionArray{authorization.PermissionArgs{Actions: pulumi.ToStringArray(exportActions)}},
	}, b.opts(site)...)
	if err != nil {
		return err
	}
	_, err = authorization.NewRoleAssignment(b.ctx, b.name+"-export-restores", &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(core.StableGUID(b.dep.Name("db", "export", "restores"))),
		Scope:              instance.ID().ToStringOutput(),
		RoleDefinitionId:   role.ID().ToStringOutput(),
		PrincipalId:        identity.PrincipalId,
		PrincipalType:      pulumi.String("ServicePrincipal"),
		Description:        pulumi.String("the daily database export restores the newest backup as files"),
	}, b.opts(site)...)
	return err
}

// groupName is the resource group of an ARM resource id.
func groupName(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}

// azureExportHour is when the export runs: two hours after the vault's
// daily backup starts, time for the backup to finish.
func (b *builder) azureExportHour() int { return (b.hour() + 2) % 24 }

// azureExportDefinition is the Logic App: daily recurrence, list the
// instance's recovery points, restore the newest (by recoveryPointTime) as
// files named by the run's date under database/.
// https://learn.microsoft.com/azure/logic-apps/logic-apps-workflow-actions-triggers
// https://learn.microsoft.com/azure/logic-apps/workflow-definition-language-functions-reference
func (b *builder) azureExportDefinition(identity pulumi.IDOutput, vault pulumi.IDOutput, instance string) pulumi.MapOutput {
	container := pulumi.Sprintf("https://%s.blob.core.windows.net/%s", b.a.Export.Name, exportContainer)
	server := b.a.Database.ApplyT(func(id string) string { return id[strings.LastIndex(id, "/")+1:] }).(pulumi.StringOutput)
	region := b.dep.Primary.Region
	return pulumi.All(identity, vault, container, server).ApplyT(func(v []any) map[string]any {
		id, base := string(v[0].(pulumi.ID)), string(v[1].(pulumi.ID))+"/backupInstances/"+instance
		auth := map[string]any{"type": "ManagedServiceIdentity", "identity": id, "audience": "https://management.azure.com/"}
		retry := map[string]any{"type": "exponential", "count": 4, "interval": "PT5M"}
		return map[string]any{
			"$schema":        "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
			"contentVersion": "1.0.0.0",
			"triggers": map[string]any{"Daily": map[string]any{"type": "Recurrence", "recurrence": map[string]any{
				"frequency": "Day", "interval": 1, "timeZone": "UTC",
				"schedule": map[string]any{"hours": []int{b.azureExportHour()}, "minutes": []int{0}},
			}}},
			"actions": map[string]any{
				"RecoveryPoints": map[string]any{"type": "Http", "inputs": map[string]any{
					"method": "GET", "uri": "https://management.azure.com" + base + "/recoveryPoints?api-version=" + exportAPIVersion,
					"authentication": auth, "retryPolicy": retry,
				}},
				// The newest point: the largest ticks() of recoveryPointTime
				// (Select to numbers, max, then Query for the point).
				"Ticks": map[string]any{"type": "Select", "runAfter": map[string]any{"RecoveryPoints": []string{"Succeeded"}}, "inputs": map[string]any{
					"from": "@body('RecoveryPoints')?['value']", "select": "@ticks(item()?['properties']?['recoveryPointTime'])",
				}},
				"Newest": map[string]any{"type": "Query", "runAfter": map[string]any{"Ticks": []string{"Succeeded"}}, "inputs": map[string]any{
					"from":  "@body('RecoveryPoints')?['value']",
					"where": "@equals(ticks(item()?['properties']?['recoveryPointTime']), max(body('Ticks')))",
				}},
				"Restore": map[string]any{"type": "Http", "runAfter": map[string]any{"Newest": []string{"Succeeded"}}, "inputs": map[string]any{
					"method": "POST", "uri": "https://management.azure.com" + base + "/restore?api-version=" + exportAPIVersion,
					"authentication": auth, "retryPolicy": retry,
					"body": map[string]any{
						"objectType":          "AzureBackupRecoveryPointBasedRestoreRequest",
						"sourceDataStoreType": "VaultStore",
						"recoveryPointId":     "@{first(body('Newest'))?['name']}",
						"restoreTargetInfo": map[string]any{
							"objectType": "RestoreFilesTargetInfo", "recoveryOption": "FailIfExists", "restoreLocation": region,
							"targetDetails": map[string]any{
								"restoreTargetLocationType": "AzureBlobs", "url": v[2].(string),
								"filePrefix": fmt.Sprintf("%s/%s-@{formatDateTime(utcNow(), 'yyyy-MM-ddTHH-mm-ssZ')}", exportPrefix, v[3].(string)),
							},
						},
					},
				}},
			},
		}
	}).(pulumi.MapOutput)
}

// azureExportAlarm raises when a run of the export Logic App fails.
func (b *builder) azureExportAlarm(flow *dataProtection) error {
	a := azuremetric.LogicRunsFailed(b.dep.Name("db", alarmExportFailed), b.alarmDescription(alarmExportFailed), flow.ID())
	return azuremetric.New(b.ctx, b.name+"-"+alarmExportFailed, b.dep, b.a.Alerts, a, b.opts(b.dep.Primary)...)
}
