package backupbucket

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
	"github.com/wedsync/wedsync-infra/components/core/azurestorage"
)

// AzureContainer is the one container of a backup account.
const AzureContainer = "backups"

// On Azure the DR tier is the account's own geo-replication (RA-GZRS): three
// zones in the primary region, asynchronously copied to the region's pair
// (uksouth -> ukwest), readable there at any time. Azure chooses the
// secondary region; it is the stack's DR region when that is the pair.
// The copy is encrypted with the same Key Vault key (vaults replicate to the
// pair too), so DRKey is not used on Azure.
func (b *builder) azure() (outputs, error) {
	identity, grant, err := b.azureKeyIdentity()
	if err != nil {
		return outputs{}, err
	}
	account, err := b.azureAccount(identity, grant)
	if err != nil {
		return outputs{}, err
	}
	container, err := b.azureBlobs(account)
	if err != nil {
		return outputs{}, err
	}
	if b.logs != (pulumi.StringOutput{}) {
		if err := b.azureAccessLogs(account.ID().ToStringOutput(), accessLogSetting); err != nil {
			return outputs{}, err
		}
	}
	if b.alerts != nil && !b.ledger {
		if err := b.azureFreshnessAlert(account.ID().ToStringOutput()); err != nil {
			return outputs{}, err
		}
	}
	if b.alerts != nil && b.ledger {
		if err := b.azureLedgerAlert(account); err != nil {
			return outputs{}, err
		}
	}
	out := outputs{
		name: account.Name,
		id:   account.ID().ToStringOutput(),
		url:  pulumi.Sprintf("https://%s.blob.core.windows.net/%s", account.Name, AzureContainer),
	}
	if b.dr != nil {
		out.replicaLocation = pulumi.String(b.dr.Region).ToStringOutput()
		out.replicaName = pulumi.Sprintf("%s-secondary", account.Name)
	}
	if b.offsite != nil {
		src := blobSource{name: account.Name, id: account.ID().ToStringOutput(), containerID: container.ID().ToStringOutput(), ready: []pulumi.Resource{container}}
		if out.offsiteLocation, out.offsiteName, err = b.offsiteFromBlob(src); err != nil {
			return out, err
		}
		out.offsiteSigner = b.offSignerClientID
	}
	return out, nil
}

// azureKeyIdentity is the account's own identity and its grant on the
// backup key. The identity may only use the key to wrap the account's data
// key; the account cannot be created with a key it cannot reach.
func (b *builder) azureKeyIdentity() (*managedidentity.UserAssignedIdentity, pulumi.Resource, error) {
	site := b.dep.Primary
	return azurestorage.KeyIdentity(b.ctx, b.name, azurestorage.KeyIdentityArgs{
		Deployment: b.dep, Site: site, Key: b.key, Name: []string{"backup", b.purpose, site.Short()},
		Description: "backup storage account " + b.purpose + " encrypts with the backup key",
	}, b.opts(site)...)
}

// azureAccount is the backup storage account, locked down as every account
// is (azurestorage), encrypted with the backup key through identity (after
// grant) and a second, infrastructure layer, and immutable for the
// retention period.
func (b *builder) azureAccount(identity *managedidentity.UserAssignedIdentity, grant pulumi.Resource) (*storage.StorageAccount, error) {
	site := b.dep.Primary
	immutability := "Unlocked"
	if b.mode == Compliance {
		immutability = "Locked"
	}
	return azurestorage.NewAccount(b.ctx, b.name, azurestorage.AccountArgs{
		Deployment: b.dep, Site: site, Key: b.key, Identity: identity,
		Name: b.dep.CompactName(24, "bk", b.purpose, site.Short()), Sku: b.azureSku(),
		InfrastructureEncryption: true,
		// An account the offsite transfer reads also admits Storage
		// Transfer's workers (offsite_blob.go).
		IPRules: b.offsiteSourceRules(),
		// Version-level WORM for the whole account: every blob version is
		// immutable for the retention period. It works with versioning (a
		// container-level policy does not), and unlike a container policy
		// its lock is a declarative state rather than a separate API call.
		Immutability: &storage.ImmutableStorageAccountArgs{
			Enabled: pulumi.Bool(true),
			ImmutabilityPolicy: &storage.AccountImmutabilityPolicyPropertiesArgs{
				ImmutabilityPeriodSinceCreationInDays: pulumi.Int(b.s.RetentionDays),
				State:                                 pulumi.String(immutability),
				AllowProtectedAppendWrites:            pulumi.Bool(false),
			},
		},
	}, b.opts(site, b.dep.Protect(), pulumi.DependsOn([]pulumi.Resource{grant}))...)
}

// azureBlobs configures the account's blobs: versioned with a change feed;
// one private, immutable container (soft-deleted for softDeleteDays if
// removed); and the lifecycle that tiers and expires backups.
//
// Blob soft delete (and point-in-time restore, which needs it) is off: it
// would keep every deleted version softDeleteDays past its retention, and
// GDPR erasure is promised at retention. Version-level WORM already refuses
// every delete or overwrite before then.
func (b *builder) azureBlobs(account *storage.StorageAccount) (*storage.BlobContainer, error) {
	site := b.dep.Primary
	if _, err := storage.NewBlobServiceProperties(b.ctx, b.name, &storage.BlobServicePropertiesArgs{
		AccountName:         account.Name,
		ResourceGroupName:   site.AzureResourceGroup,
		BlobServicesName:    pulumi.String("default"),
		IsVersioningEnabled: pulumi.Bool(true),
		ChangeFeed: &storage.ChangeFeedArgs{
			Enabled:         pulumi.Bool(true),
			RetentionInDays: pulumi.Int(b.s.RetentionDays),
		},
		DeleteRetentionPolicy:          &storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(false)},
		ContainerDeleteRetentionPolicy: &storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(softDeleteDays(b.dep.Environment))},
		RestorePolicy:                  &storage.RestorePolicyPropertiesArgs{Enabled: pulumi.Bool(false)},
	}, b.opts(site)...); err != nil {
		return nil, err
	}
	container, err := storage.NewBlobContainer(b.ctx, b.name, &storage.BlobContainerArgs{
		AccountName:                    account.Name,
		ResourceGroupName:              site.AzureResourceGroup,
		ContainerName:                  pulumi.String(AzureContainer),
		PublicAccess:                   storage.PublicAccessNone,
		ImmutableStorageWithVersioning: &storage.ImmutableStorageWithVersioningArgs{Enabled: pulumi.Bool(true)},
	}, b.opts(site, b.dep.Protect())...)
	if err != nil {
		return nil, err
	}
	_, err = storage.NewManagementPolicy(b.ctx, b.name, &storage.ManagementPolicyArgs{
		AccountName:          account.Name,
		ResourceGroupName:    site.AzureResourceGroup,
		ManagementPolicyName: pulumi.String("default"),
		Policy:               &storage.ManagementPolicySchemaArgs{Rules: b.azureLifecycle()},
	}, b.opts(site, pulumi.DependsOn([]pulumi.Resource{container}))...)
	return container, err
}

// azureSku is read-access geo-zone-redundant wherever there is a DR region
// (always in prod) and for an offsite copy (a prod backup account is
// geo-redundant, whatever tier it is), locally redundant in dev.
func (b *builder) azureSku() string {
	if b.dr != nil || b.offsiteCopy {
		return "Standard_RAGZRS"
	}
	return "Standard_LRS"
}

// azureLifecycle tiers backups to cool and cold as they age, and deletes
// them (and their earlier versions) once retention has passed. Azure runs
// the policy once a day, so a backup goes within a day of its retention
// (https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-overview#how-do-i-know-whether-the-policy-is-running).
//
// The archive tier maps to cold on a geo-zone-redundant account: Azure
// does not support the archive tier on GZRS or RA-GZRS accounts
// (https://learn.microsoft.com/azure/storage/blobs/access-tiers-overview#archive-access-tier),
// and every account with a DR site is RA-GZRS. Cold keeps a restore online
// (no rehydration), at a higher price than archive.
func (b *builder) azureLifecycle() storage.ManagementPolicyRuleArray {
	after := func(days int) *storage.DateAfterModificationArgs {
		return &storage.DateAfterModificationArgs{DaysAfterCreationGreaterThan: pulumi.Float64(float64(days))}
	}
	base := &storage.ManagementPolicyBaseBlobArgs{Delete: after(b.s.RetentionDays)}
	tiers := b.s.Tiers.ages()
	if b.live {
		// Current blobs stay, in the hot tier; replaced versions expire.
		base, tiers = nil, nil
	}
	for _, t := range tiers {
		switch t.name {
		case "infrequent":
			base.TierToCool = after(t.days)
		case "cold":
			base.TierToCold = after(t.days)
		case "archive":
			if b.azureSku() == "Standard_LRS" {
				base.TierToArchive = after(t.days)
			} else if base.TierToCold == nil {
				base.TierToCold = after(t.days)
			}
		}
	}
	return storage.ManagementPolicyRuleArray{&storage.ManagementPolicyRuleArgs{
		Name:    pulumi.String("tiers-and-retention"),
		Enabled: pulumi.Bool(true),
		Type:    pulumi.String("Lifecycle"),
		Definition: &storage.ManagementPolicyDefinitionArgs{
			Filters: &storage.ManagementPolicyFilterArgs{
				BlobTypes:   pulumi.ToStringArray([]string{"blockBlob"}),
				PrefixMatch: pulumi.ToStringArray([]string{AzureContainer + "/"}),
			},
			Actions: &storage.ManagementPolicyActionArgs{
				BaseBlob: base,
				Version: &storage.ManagementPolicyVersionArgs{
					Delete: &storage.DateAfterCreationArgs{DaysAfterCreationGreaterThan: pulumi.Float64(float64(b.s.RetentionDays))},
				},
			},
		},
	}}
}

// subscriptionOf and guid are core's, by the names the offsite files use.
func subscriptionOf(id string) string { return core.AzureSubscriptionOf(id) }
func guid(s string) string            { return core.StableGUID(s) }

// roleGrant is a role (its full definition id) a service principal holds
// on one scope, and why.
type roleGrant struct {
	suffix string
	role   pulumi.StringOutput
	scope  pulumi.StringOutput
	why    string
}

// grantRoles assigns each grant to principal at site, as
// logical-<suffix>, named by a GUID of the stack's name of key and suffix.
func (b *builder) grantRoles(site core.Site, logical, key string, principal pulumi.StringInput, grants []roleGrant) ([]pulumi.Resource, error) {
	var out []pulumi.Resource
	for _, g := range grants {
		a, err := authorization.NewRoleAssignment(b.ctx, logical+"-"+g.suffix, &authorization.RoleAssignmentArgs{
			RoleAssignmentName: pulumi.String(guid(b.dep.Name("backup", b.purpose, key, g.suffix))),
			Scope:              g.scope,
			RoleDefinitionId:   g.role,
			PrincipalId:        principal,
			PrincipalType:      pulumi.String("ServicePrincipal"),
			Description:        pulumi.String(g.why),
		}, b.opts(site)...)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// userIdentity is a user-assigned managed identity at site named by the
// stack's name of parts.
func (b *builder) userIdentity(logical string, site core.Site, parts ...string) (*managedidentity.UserAssignedIdentity, error) {
	return managedidentity.NewUserAssignedIdentity(b.ctx, logical, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(b.dep.Name(parts...)),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              b.dep.Tags.For(core.Azure),
	}, b.opts(site)...)
}

// azureFreshnessAlert raises when no blob was written to the account in
// the backup age window: the nightly export did not arrive.
//
// Replication has no alarm on Azure, by design rather than omission: the
// DR copy is the account's own geo-replication (RA-GZRS), which Azure runs
// and exposes no failure or latency metric for (its last sync time is a
// property, read in the backups runbook). Azure Monitor also evaluates a
// metric with no data as no alert, so an account that sees no write at all
// stays silent until its first write; the dashboard's write chart shows it.
func (b *builder) azureFreshnessAlert(account pulumi.StringOutput) error {
	t := b.alerts.Limits()
	return azuremetric.New(b.ctx, b.name+"-"+alarmFreshness, b.dep, b.alerts, azuremetric.Alert{
		Key:         "blob-writes",
		RuleName:    b.dep.Name("backup", b.purpose, alarmFreshness),
		Description: b.alarmDescription(alarmFreshness, t),
		Severity:    1,
		Scope:       account,
		Namespace:   "Microsoft.Storage/storageAccounts",
		// Transactions by ApiName: https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-storage-storageaccounts-metrics
		Metric:      "Transactions",
		Dimensions:  map[string][]string{"ApiName": {"PutBlob", "PutBlockList", "CopyBlob"}},
		Operator:    "LessThan",
		Threshold:   1,
		Aggregation: "Total",
		Frequency:   "PT1H",
		Window:      fmt.Sprintf("PT%dH", t.BackupMaxAgeHours),
	}, b.opts(b.dep.Primary)...)
}

// accessLogSetting is the name of the account's access-log diagnostic setting.
const accessLogSetting = "backup-access-to-log-analytics"

// azureAccessLogs sends the account's blob read, write and delete logs to
// the audit workspace: who read or wrote a backup is recorded.
// https://learn.microsoft.com/azure/storage/blobs/monitor-blob-storage-reference#resource-logs
// setting names the diagnostic setting: an account keeps up to five, each
// by its own name.
func (b *builder) azureAccessLogs(account pulumi.StringOutput, setting string) error {
	var logs insights.LogSettingsArray
	for _, c := range []string{"StorageRead", "StorageWrite", "StorageDelete"} {
		logs = append(logs, insights.LogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
	}
	_, err := insights.NewDiagnosticSetting(b.ctx, b.name+"-access", &insights.DiagnosticSettingArgs{
		Name:        pulumi.String(setting),
		ResourceUri: pulumi.Sprintf("%s/blobServices/default", account),
		WorkspaceId: b.logs,
		Logs:        logs,
	}, b.opts(b.dep.Primary)...)
	return err
}

// azureLedgerAlert raises when the ledger account answers under 99.9% of
// requests in an hour: an erasure may not have been recorded, or replay
// could not read. Its DR copy is geo-replication, which has no alarm
// (see azureFreshnessAlert); a ledger is written only when someone is
// erased, so "nothing written" says nothing.
func (b *builder) azureLedgerAlert(account *storage.StorageAccount) error {
	t := b.alerts.Limits()
	return azuremetric.New(b.ctx, b.name+"-"+alarmLedgerUnavailable, b.dep, b.alerts, azuremetric.Alert{
		Key:         "availability",
		RuleName:    b.dep.Name("backup", b.purpose, alarmLedgerUnavailable),
		Description: b.alarmDescription(alarmLedgerUnavailable, t),
		Severity:    1,
		Scope:       account.ID(),
		Namespace:   "Microsoft.Storage/storageAccounts",
		Metric:      "Availability",
		Operator:    "LessThan",
		Threshold:   99.9,
		Aggregation: "Average",
		Frequency:   "PT15M",
		Window:      "PT1H",
	}, b.opts(b.dep.Primary)...)
}
