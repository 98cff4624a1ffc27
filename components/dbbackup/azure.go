package dbbackup

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
)

// The Data Protection resources' type tokens. The proxy does not serve the
// dataprotection SDK module to this build, so they are registered by token
// with the ARM shape (API 2023-11-01), as the alerting component registers
// its alert processing rule; the azure-native provider creates them the
// same way.
const (
	BackupVaultType    = "azure-native:dataprotection:BackupVault"
	BackupPolicyType   = "azure-native:dataprotection:BackupPolicy"
	BackupInstanceType = "azure-native:dataprotection:BackupInstance"
)

// Built-in roles the vault's identity needs: the two Azure Backup asks for
// to protect a flexible server, and write access to the export container
// for restore-as-files.
// https://learn.microsoft.com/azure/backup/backup-azure-database-postgresql-flex-overview
// Each ID checked against the built-in roles reference
// (MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md).
const (
	// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/databases#postgresql-flexible-server-long-term-retention-backup-role
	roleLTRBackup = "c088a766-074b-43ba-90d4-1fb21feae531" // PostgreSQL Flexible Server Long Term Retention Backup Role
	// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general#reader
	roleReader = "acdd72a7-3385-48ef-bd42-f606fba81ae7" // Reader
	// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor
	roleBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe" // Storage Blob Data Contributor
)

// unhealthy are the BackupHealthEvent healthStatus values of a failed job:
// Unhealthy for service errors, Degraded for user errors (a lost role
// assignment, a deleted key), each Transient then Persistent when it
// repeats. Only "Healthy" is a success.
// https://learn.microsoft.com/azure/backup/metrics-overview
var unhealthy = []string{"Transient Unhealthy", "Persistent Unhealthy", "Transient Degraded", "Persistent Degraded"}

// pgFlexible is the datasource type of a PostgreSQL flexible server.
const pgFlexible = "Microsoft.DBforPostgreSQL/flexibleServers"

// exportContainer is the db-exports account's container (backupbucket's).
const exportContainer = "backups"

// backupVault is the state of a vault registered by token.
type backupVault struct {
	pulumi.CustomResourceState
	Name     pulumi.StringOutput `pulumi:"name"`
	Identity pulumi.MapOutput    `pulumi:"identity"`
}

// dataProtection is the state of a policy or instance registered by token.
type dataProtection struct{ pulumi.CustomResourceState }

// azure is the database's copies on Azure: the flexible server keeps its
// own PITR backups (the native tier); a Backup vault takes a daily
// long-term backup of it, kept exactly RetentionDays. The vault is
// geo-redundant with cross-region restore (its copy in the paired DR
// region) and immutable, locked in prod, with soft delete always on. The
// export path is the vault's restore-as-files into the db-exports account,
// which the vault's identity may write: Azure Backup writes the server's
// dump files there every day when the export Logic App asks
// (azure_export.go).
func (b *builder) azure() (outputs, error) {
	site := b.dep.Primary
	vault, err := b.azureVault()
	if err != nil {
		return outputs{}, err
	}
	principal := vault.Identity.ApplyT(func(m map[string]any) string {
		s, _ := m["principalId"].(string)
		return s
	}).(pulumi.StringOutput)
	grants, err := b.azureGrants(principal)
	if err != nil {
		return outputs{}, err
	}
	policy := &dataProtection{}
	policyName := "daily"
	if err := b.ctx.RegisterResource(BackupPolicyType, b.name+"-daily", pulumi.Map{
		"backupPolicyName":  pulumi.String(policyName),
		"vaultName":         vault.Name,
		"resourceGroupName": site.AzureResourceGroup,
		"properties":        b.azurePolicy(),
	}, policy, b.opts(site)...); err != nil {
		return outputs{}, err
	}
	instanceName := b.dep.Name("db")
	instance := &dataProtection{}
	if err := b.ctx.RegisterResource(BackupInstanceType, b.name, pulumi.Map{
		"backupInstanceName": pulumi.String(instanceName),
		"vaultName":          vault.Name,
		"resourceGroupName":  site.AzureResourceGroup,
		"properties": pulumi.Map{
			"objectType":     pulumi.String("BackupInstance"),
			"friendlyName":   pulumi.String(b.dep.Name("db")),
			"dataSourceInfo": b.azureDatasource(),
			"policyInfo":     pulumi.Map{"policyId": policy.ID()},
		},
	}, instance, b.opts(site, pulumi.DependsOn(grants))...); err != nil {
		return outputs{}, err
	}
	if _, err := b.azureExport(vault, instance, instanceName); err != nil {
		return outputs{}, err
	}
	if b.a.Alerts != nil {
		if err := b.azureAlarm(vault); err != nil {
			return outputs{}, err
		}
	}
	return outputs{
		vault:       vault.Name,
		schedule:    pulumi.String(b.azureSchedule()).ToStringOutput(),
		jobIdentity: principal,
		exportPath:  pulumi.Sprintf("https://%s.blob.core.windows.net/%s/%s/", b.a.Export.Name, exportContainer, exportPrefix),
	}, nil
}

// azureSchedule is the policy's repeating interval: daily at the hour, from
// a fixed date in the past so the input never changes between runs.
func (b *builder) azureSchedule() string {
	return fmt.Sprintf("R/2025-01-01T%02d:00:00+00:00/P1D", b.hour())
}

// azureVault is the Backup vault: geo-redundant with cross-region restore
// where the stack has a DR region, immutable (locked in prod: nobody can
// delete a recovery point before its retention ends), soft delete always
// on in prod, and Azure Monitor alerts for every failed job.
func (b *builder) azureVault() (*backupVault, error) {
	site := b.dep.Primary
	redundancy, crossRegion := "LocallyRedundant", "Disabled"
	if b.dep.DR != nil {
		redundancy, crossRegion = "GeoRedundant", "Enabled"
	}
	immutability, softDelete := "Unlocked", "On"
	if Locked(b.dep.Environment) {
		immutability, softDelete = "Locked", "AlwaysOn"
	}
	vault := &backupVault{}
	err := b.ctx.RegisterResource(BackupVaultType, b.name, pulumi.Map{
		"vaultName":         pulumi.String(b.dep.Name("db", site.Short())),
		"resourceGroupName": site.AzureResourceGroup,
		"location":          pulumi.String(site.Region),
		"identity":          pulumi.Map{"type": pulumi.String("SystemAssigned")},
		"tags":              b.dep.Tags.For(core.Azure),
		"properties": pulumi.Map{
			"storageSettings": pulumi.Array{pulumi.Map{"datastoreType": pulumi.String("VaultStore"), "type": pulumi.String(redundancy)}},
			"featureSettings": pulumi.Map{"crossRegionRestoreSettings": pulumi.Map{"state": pulumi.String(crossRegion)}},
			"securitySettings": pulumi.Map{
				"immutabilitySettings": pulumi.Map{"state": pulumi.String(immutability)},
				"softDeleteSettings":   pulumi.Map{"state": pulumi.String(softDelete), "retentionDurationInDays": pulumi.Float64(14)},
			},
			"monitoringSettings": pulumi.Map{"azureMonitorAlertSettings": pulumi.Map{"alertsForAllJobFailures": pulumi.String("Enabled")}},
		},
	}, vault, b.opts(site, b.dep.Protect())...)
	return vault, err
}

// azurePolicy backs the server up daily into the vault store and deletes
// each backup after exactly RetentionDays.
func (b *builder) azurePolicy() pulumi.Map {
	store := pulumi.Map{"dataStoreType": pulumi.String("VaultStore"), "objectType": pulumi.String("DataStoreInfoBase")}
	return pulumi.Map{
		"objectType":      pulumi.String("BackupPolicy"),
		"datasourceTypes": pulumi.StringArray{pulumi.String(pgFlexible)},
		"policyRules": pulumi.Array{
			pulumi.Map{
				"name":             pulumi.String("BackupDaily"),
				"objectType":       pulumi.String("AzureBackupRule"),
				"backupParameters": pulumi.Map{"objectType": pulumi.String("AzureBackupParams"), "backupType": pulumi.String("Full")},
				"dataStore":        store,
				"trigger": pulumi.Map{
					"objectType": pulumi.String("ScheduleBasedTriggerContext"),
					"schedule":   pulumi.Map{"repeatingTimeIntervals": pulumi.StringArray{pulumi.String(b.azureSchedule())}, "timeZone": pulumi.String("UTC")},
					"taggingCriteria": pulumi.Array{pulumi.Map{
						"isDefault": pulumi.Bool(true), "taggingPriority": pulumi.Int(99),
						"tagInfo": pulumi.Map{"tagName": pulumi.String("Default")},
					}},
				},
			},
			pulumi.Map{
				"name":       pulumi.String("Default"),
				"objectType": pulumi.String("AzureRetentionRule"),
				"isDefault":  pulumi.Bool(true),
				"lifecycles": pulumi.Array{pulumi.Map{
					"deleteAfter":     pulumi.Map{"objectType": pulumi.String("AbsoluteDeleteOption"), "duration": pulumi.Sprintf("P%dD", b.retention())},
					"sourceDataStore": store,
				}},
			},
		},
	}
}

// azureDatasource names the flexible server to the vault.
func (b *builder) azureDatasource() pulumi.Map {
	site := b.dep.Primary
	return pulumi.Map{
		"objectType":       pulumi.String("Datasource"),
		"datasourceType":   pulumi.String(pgFlexible),
		"resourceID":       b.a.Database,
		"resourceUri":      b.a.Database,
		"resourceType":     pulumi.String(pgFlexible),
		"resourceLocation": pulumi.String(site.Region),
		"resourceName": b.a.Database.ApplyT(func(id string) string {
			return id[strings.LastIndex(id, "/")+1:]
		}).(pulumi.StringOutput),
	}
}

// azureGrants give the vault's identity exactly what Azure Backup needs:
// the LTR backup role on the server, Reader on its resource group, and
// blob write on the db-exports container (only) for restore-as-files.
func (b *builder) azureGrants(principal pulumi.StringOutput) ([]pulumi.Resource, error) {
	site := b.dep.Primary
	group := b.a.Database.ApplyT(func(id string) string {
		if i := strings.Index(strings.ToLower(id), "/providers/"); i > 0 {
			return id[:i]
		}
		return id
	}).(pulumi.StringOutput)
	grants := []struct {
		suffix, role string
		scope        pulumi.StringOutput
	}{
		{"backs-up-server", roleLTRBackup, b.a.Database},
		{"reads-group", roleReader, group},
		// A new name for the container-scoped grant (it was the account's):
		// a changed scope replaces an assignment, and the old and new ones
		// must not share a name while both exist.
		{"writes-export-container", roleBlobDataContributor, pulumi.Sprintf("%s/blobServices/default/containers/%s", b.a.Export.ID, exportContainer)},
	}
	var out []pulumi.Resource
	for _, g := range grants {
		r, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+g.suffix, &authorization.RoleAssignmentArgs{
			RoleAssignmentName: pulumi.String(core.StableGUID(b.dep.Name("db", "backup", g.suffix))),
			Scope:              g.scope,
			RoleDefinitionId:   core.AzureRoleDefinition(g.scope, g.role),
			PrincipalId:        principal,
			PrincipalType:      pulumi.String("ServicePrincipal"),
			Description:        pulumi.String("the database's Backup vault: " + g.suffix),
		}, b.opts(site)...)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// azureAlarm raises on the vault's own backup health events: a backup
// instance whose jobs fail turns unhealthy or degraded. The metric and its
// healthStatus dimension are the vault's
// (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-dataprotection-backupvaults-metrics);
// the vault's built-in Azure Monitor alerts for every job failure
// (alertsForAllJobFailures) back it up.
// https://learn.microsoft.com/azure/backup/metrics-overview
func (b *builder) azureAlarm(vault *backupVault) error {
	return azuremetric.New(b.ctx, b.name+"-"+alarmBackupFailed, b.dep, b.a.Alerts, azuremetric.Alert{
		Key:         "backup-health",
		RuleName:    b.dep.Name("db", alarmBackupFailed),
		Description: b.alarmDescription(alarmBackupFailed),
		Severity:    1,
		Scope:       vault.ID(),
		Namespace:   "Microsoft.DataProtection/backupVaults",
		Metric:      "BackupHealthEvent",
		Dimensions:  map[string][]string{"healthStatus": unhealthy},
		Operator:    "GreaterThan",
		Threshold:   0,
		Aggregation: "Count",
		Frequency:   "PT1H",
		Window:      "PT6H",
	}, b.opts(b.dep.Primary)...)
}
