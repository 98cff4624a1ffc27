package backupbucket

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// keyVaultCryptoServiceEncryptionUser is the built-in role that lets a
// service wrap and unwrap its data key with a Key Vault key, and nothing else.
const keyVaultCryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

// azureContainer is the one container of a backup account.
const azureContainer = "backups"

// On Azure the DR tier is the account's own geo-replication (RA-GZRS): three
// zones in the primary region, asynchronously copied to the region's pair
// (uksouth -> ukwest), readable there at any time. Azure chooses the
// secondary region; it is the stack's DR region when that is the pair.
// The copy is encrypted with the same Key Vault key (vaults replicate to the
// pair too), so DRKey is not used on Azure.
func newAzure(ctx *pulumi.Context, name string, p *build) (outputs, error) {
	site := p.dep.Primary
	tags := p.dep.Tags.For(core.Azure)
	identity, err := managedidentity.NewUserAssignedIdentity(ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(p.dep.Name("backup", p.purpose, site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              tags,
	}, p.at(site)...)
	if err != nil {
		return outputs{}, err
	}
	// The identity may only use the key to wrap the account's data key; the
	// account cannot be created with a key it cannot reach.
	grant, err := authorization.NewRoleAssignment(ctx, name+"-uses-key", &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(guid(p.dep.Name("backup", p.purpose, site.Short(), "key"))),
		Scope:              p.key.VaultID,
		RoleDefinitionId: p.key.VaultID.ApplyT(func(vault string) string {
			return subscriptionOf(vault) + "/providers/Microsoft.Authorization/roleDefinitions/" + keyVaultCryptoServiceEncryptionUser
		}).(pulumi.StringOutput),
		PrincipalId:   identity.PrincipalId,
		PrincipalType: pulumi.String("ServicePrincipal"),
		Description:   pulumi.String("backup storage account " + p.purpose + " encrypts with the backup key"),
	}, p.at(site)...)
	if err != nil {
		return outputs{}, err
	}
	immutability := "Unlocked"
	if p.mode == Compliance {
		immutability = "Locked"
	}
	account, err := storage.NewStorageAccount(ctx, name, &storage.StorageAccountArgs{
		AccountName:       pulumi.String(p.dep.CompactName(24, "bk", p.purpose, site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Kind:              pulumi.String("StorageV2"),
		Sku:               &storage.SkuArgs{Name: pulumi.String(p.azureSku())},
		AccessTier:        storage.AccessTierHot,
		// Entra ID only: no account keys, no SAS signed with them.
		AllowSharedKeyAccess:         pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		AllowBlobPublicAccess:        pulumi.Bool(false),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		EnableHttpsTrafficOnly:       pulumi.Bool(true),
		MinimumTlsVersion:            pulumi.String("TLS1_2"),
		Identity: &storage.IdentityArgs{
			Type:                   pulumi.String("UserAssigned"),
			UserAssignedIdentities: pulumi.StringArray{identity.ID()},
		},
		Encryption: &storage.EncryptionArgs{
			KeySource: pulumi.String("Microsoft.Keyvault"),
			KeyVaultProperties: &storage.KeyVaultPropertiesArgs{
				KeyName:     p.key.Name,
				KeyVaultUri: p.key.VaultURI,
			},
			EncryptionIdentity:              &storage.EncryptionIdentityArgs{EncryptionUserAssignedIdentity: identity.ID()},
			RequireInfrastructureEncryption: pulumi.Bool(true),
			Services: &storage.EncryptionServicesArgs{
				Blob: &storage.EncryptionServiceArgs{Enabled: pulumi.Bool(true), KeyType: pulumi.String("Account")},
			},
		},
		// Version-level WORM for the whole account: every blob version is
		// immutable for the retention period. It works with versioning (a
		// container-level policy does not), and unlike a container policy
		// its lock is a declarative state rather than a separate API call.
		ImmutableStorageWithVersioning: &storage.ImmutableStorageAccountArgs{
			Enabled: pulumi.Bool(true),
			ImmutabilityPolicy: &storage.AccountImmutabilityPolicyPropertiesArgs{
				ImmutabilityPeriodSinceCreationInDays: pulumi.Int(p.s.RetentionDays),
				State:                                 pulumi.String(immutability),
				AllowProtectedAppendWrites:            pulumi.Bool(false),
			},
		},
		Tags: tags,
	}, p.at(site, p.protect, pulumi.DependsOn([]pulumi.Resource{grant}))...)
	if err != nil {
		return outputs{}, err
	}
	days := softDeleteDays(p.dep.Environment)
	if _, err := storage.NewBlobServiceProperties(ctx, name, &storage.BlobServicePropertiesArgs{
		AccountName:         account.Name,
		ResourceGroupName:   site.AzureResourceGroup,
		BlobServicesName:    pulumi.String("default"),
		IsVersioningEnabled: pulumi.Bool(true),
		ChangeFeed: &storage.ChangeFeedArgs{
			Enabled:         pulumi.Bool(true),
			RetentionInDays: pulumi.Int(p.s.RetentionDays),
		},
		DeleteRetentionPolicy:          &storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(days)},
		ContainerDeleteRetentionPolicy: &storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(days)},
		// Point-in-time restore must end before soft delete does.
		RestorePolicy: &storage.RestorePolicyPropertiesArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(days - 1)},
	}, p.at(site)...); err != nil {
		return outputs{}, err
	}
	container, err := storage.NewBlobContainer(ctx, name, &storage.BlobContainerArgs{
		AccountName:                    account.Name,
		ResourceGroupName:              site.AzureResourceGroup,
		ContainerName:                  pulumi.String(azureContainer),
		PublicAccess:                   storage.PublicAccessNone,
		ImmutableStorageWithVersioning: &storage.ImmutableStorageWithVersioningArgs{Enabled: pulumi.Bool(true)},
	}, p.at(site, p.protect)...)
	if err != nil {
		return outputs{}, err
	}
	if _, err := storage.NewManagementPolicy(ctx, name, &storage.ManagementPolicyArgs{
		AccountName:          account.Name,
		ResourceGroupName:    site.AzureResourceGroup,
		ManagementPolicyName: pulumi.String("default"),
		Policy:               &storage.ManagementPolicySchemaArgs{Rules: p.azureLifecycle()},
	}, p.at(site, pulumi.DependsOn([]pulumi.Resource{container}))...); err != nil {
		return outputs{}, err
	}
	if p.alerts != nil {
		if err := p.azureFreshnessAlert(ctx, name, account); err != nil {
			return outputs{}, err
		}
	}
	out := outputs{
		name: account.Name,
		id:   account.ID().ToStringOutput(),
		url:  pulumi.Sprintf("https://%s.blob.core.windows.net/%s", account.Name, azureContainer),
	}
	if p.dr != nil {
		out.replicaLocation = pulumi.String(p.dr.Region).ToStringOutput()
		out.replicaName = pulumi.Sprintf("%s-secondary", account.Name)
	}
	return out, nil
}

// azureSku is read-access geo-zone-redundant wherever there is a DR region
// (always in prod), locally redundant in dev.
func (p *build) azureSku() string {
	if p.dr != nil {
		return "Standard_RAGZRS"
	}
	return "Standard_LRS"
}

// azureLifecycle tiers backups to cool, cold and archive as they age, and
// deletes them (and their earlier versions) once retention has passed.
func (p *build) azureLifecycle() storage.ManagementPolicyRuleArray {
	after := func(days int) *storage.DateAfterModificationArgs {
		return &storage.DateAfterModificationArgs{DaysAfterCreationGreaterThan: pulumi.Float64(float64(days))}
	}
	base := &storage.ManagementPolicyBaseBlobArgs{Delete: after(p.s.RetentionDays)}
	for _, t := range p.s.Tiers.ages() {
		switch t.name {
		case "infrequent":
			base.TierToCool = after(t.days)
		case "cold":
			base.TierToCold = after(t.days)
		case "archive":
			base.TierToArchive = after(t.days)
		}
	}
	return storage.ManagementPolicyRuleArray{&storage.ManagementPolicyRuleArgs{
		Name:    pulumi.String("tiers-and-retention"),
		Enabled: pulumi.Bool(true),
		Type:    pulumi.String("Lifecycle"),
		Definition: &storage.ManagementPolicyDefinitionArgs{
			Filters: &storage.ManagementPolicyFilterArgs{
				BlobTypes:   pulumi.ToStringArray([]string{"blockBlob"}),
				PrefixMatch: pulumi.ToStringArray([]string{azureContainer + "/"}),
			},
			Actions: &storage.ManagementPolicyActionArgs{
				BaseBlob: base,
				Version: &storage.ManagementPolicyVersionArgs{
					Delete: &storage.DateAfterCreationArgs{DaysAfterCreationGreaterThan: pulumi.Float64(float64(p.s.RetentionDays))},
				},
			},
		},
	}}
}

// subscriptionOf returns "/subscriptions/ID" from an ARM resource id.
func subscriptionOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return "/subscriptions/" + parts[1]
	}
	return ""
}

// guid is a stable UUID derived from s: role assignment names must be GUIDs,
// and the same one on every run.
func guid(s string) string {
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
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
func (p *build) azureFreshnessAlert(ctx *pulumi.Context, name string, account *storage.StorageAccount) error {
	site, t := p.dep.Primary, p.alerts.Limits()
	actions := p.alerts.IDs.ApplyT(func(ids []string) []insights.MetricAlertAction {
		out := make([]insights.MetricAlertAction, len(ids))
		for i := range ids {
			out[i] = insights.MetricAlertAction{ActionGroupId: &ids[i]}
		}
		return out
	}).(insights.MetricAlertActionArrayOutput)
	_, err := insights.NewMetricAlert(ctx, name+"-"+alarmFreshness, &insights.MetricAlertArgs{
		RuleName:            pulumi.String(p.dep.Name("backup", p.purpose, alarmFreshness)),
		ResourceGroupName:   site.AzureResourceGroup,
		Location:            pulumi.String("global"),
		Description:         pulumi.String(p.alarmDescription(alarmFreshness, t)),
		Enabled:             pulumi.Bool(true),
		Severity:            pulumi.Int(1),
		Scopes:              pulumi.StringArray{account.ID()},
		EvaluationFrequency: pulumi.String("PT1H"),
		WindowSize:          pulumi.String(fmt.Sprintf("PT%dH", t.BackupMaxAgeHours)),
		Criteria: insights.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
			OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
			AllOf: insights.MetricCriteriaArray{insights.MetricCriteriaArgs{
				CriterionType:   pulumi.String("StaticThresholdCriterion"),
				Name:            pulumi.String("blob-writes"),
				MetricNamespace: pulumi.String("Microsoft.Storage/storageAccounts"),
				MetricName:      pulumi.String("Transactions"),
				Dimensions: insights.MetricDimensionArray{insights.MetricDimensionArgs{
					Name: pulumi.String("ApiName"), Operator: pulumi.String("Include"),
					Values: pulumi.ToStringArray([]string{"PutBlob", "PutBlockList", "CopyBlob"}),
				}},
				Operator:        pulumi.String("LessThan"),
				Threshold:       pulumi.Float64(1),
				TimeAggregation: pulumi.String("Total"),
			}},
		},
		Actions: actions,
		Tags:    p.dep.Tags.For(core.Azure),
	}, p.at(site)...)
	return err
}
