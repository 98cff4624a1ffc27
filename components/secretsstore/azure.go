package secretsstore

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
)

// Azure built-in roles for Key Vault's RBAC data plane, by role definition id.
const (
	azureSecretsUser             = "4633458b-17de-408a-b874-0445c86b69e6" // Key Vault Secrets User: read secret values
	azureCryptoServiceEncryption = "e147488a-f6f5-4113-8e2d-b22465e65bf6" // Key Vault Crypto Service Encryption User: get, wrap, unwrap
	azureCryptoUser              = "12338af0-0e69-4776-bea7-57ae8d297424" // Key Vault Crypto User: encrypt, decrypt, wrap, unwrap
)

// azureKeyRoles are the key roles of each access level: read is what a
// service needs to unwrap its data key; encryptDecrypt adds encrypt and
// decrypt of data (the application's field encryption).
var azureKeyRoles = map[Access]string{Read: azureCryptoServiceEncryption, EncryptDecrypt: azureCryptoUser}

// azureNotifyBeforeExpiryDays is when Key Vault raises KeyNearExpiry for a
// key version that failed to rotate.
const azureNotifyBeforeExpiryDays = 14

// azureExpiryAfterRotationDays is how long a key version outlives its
// scheduled rotation: time to notice and fix a failed rotation.
const azureExpiryAfterRotationDays = 30

// azureVault is one site's vault and keys.
type azureVault struct {
	site  core.Site
	vault *keyvault.Vault
	keys  map[core.KeyPurpose]*keyvault.Key
}

// azure is the store on Key Vault: a vault per site with a key per purpose
// and every secret, role assignments for the grants, the vaults' audit logs
// and, with an alert target, the alarms.
func (b *builder) azure() (outputs, error) {
	primary := b.dep.Primary
	client, err := authorization.GetClientConfig(b.ctx, pulumi.Provider(primary.Provider))
	if err != nil {
		return b.out, fmt.Errorf("look up the Azure tenant: %w", err)
	}
	b.azureSubscription = client.SubscriptionId
	var vaults []azureVault
	for _, site := range b.sites() {
		v, err := b.azureVault(site, client.TenantId)
		if err != nil {
			return b.out, err
		}
		vaults = append(vaults, v)
	}
	for _, v := range vaults {
		if err := b.azureGrants(v, b.subscription(v.site)); err != nil {
			return b.out, err
		}
	}
	if b.args.Alerts != nil {
		return b.out, b.azureAlarms()
	}
	return b.out, nil
}

// azureVault is site's vault with its keys, secrets and audit log.
func (b *builder) azureVault(site core.Site, tenantID string) (azureVault, error) {
	out := azureVault{site: site}
	vault, err := keyvault.NewVault(b.ctx, b.resourceName(site.Role, "vault"), &keyvault.VaultArgs{
		// Vault names are global and reserved while soft-deleted: the region
		// keeps the primary's and the DR's apart.
		VaultName:         pulumi.String(b.dep.NameWithin(24, "kv", site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              b.dep.Tags.For(core.Azure),
		Properties: keyvault.VaultPropertiesArgs{
			TenantId:                  pulumi.String(tenantID),
			Sku:                       keyvault.SkuArgs{Family: pulumi.String("A"), Name: pick(*b.set.HSMKeys, keyvault.SkuNamePremium, keyvault.SkuNameStandard)},
			EnableRbacAuthorization:   pulumi.Bool(true),
			EnableSoftDelete:          pulumi.Bool(true),
			SoftDeleteRetentionInDays: pulumi.Int(b.set.VaultSoftDeleteDays),
			PublicNetworkAccess:       pulumi.String("Disabled"),
			NetworkAcls: keyvault.NetworkRuleSetArgs{
				DefaultAction: pulumi.String("Deny"),
				Bypass:        pulumi.String("AzureServices"),
			},
			// Azure refuses false once purge protection is on; unset is off.
			EnablePurgeProtection: pulumiBoolOrNil(*b.set.PurgeProtection),
		},
	}, b.opts(site)...)
	if err != nil {
		return out, err
	}
	out.vault = vault
	b.out.vaults[site.Role] = vault.ID().ToStringOutput()
	if out.keys, err = b.azureKeys(site, vault); err != nil {
		return out, err
	}
	if err := b.azureSecrets(site, vault); err != nil {
		return out, err
	}
	return out, b.azureAudit(site, vault)
}

// azureKeys are the vault's keys, one per purpose, rotating on the
// settings' period.
func (b *builder) azureKeys(site core.Site, vault *keyvault.Vault) (map[core.KeyPurpose]*keyvault.Key, error) {
	keys := map[core.KeyPurpose]*keyvault.Key{}
	for _, purpose := range core.KeyPurposes {
		key, err := keyvault.NewKey(b.ctx, b.resourceName(site.Role, "key", string(purpose)), &keyvault.KeyArgs{
			KeyName:           pulumi.String(string(purpose)),
			VaultName:         vault.Name,
			ResourceGroupName: site.AzureResourceGroup,
			Tags:              b.dep.Tags.For(core.Azure),
			Properties: keyvault.KeyPropertiesArgs{
				Kty:     pulumi.String(pick(*b.set.HSMKeys, "RSA-HSM", "RSA")),
				KeySize: pulumi.Int(3072),
				KeyOps:  pulumi.ToStringArray([]string{"encrypt", "decrypt", "wrapKey", "unwrapKey"}),
				RotationPolicy: keyvault.RotationPolicyArgs{
					Attributes: keyvault.KeyRotationPolicyAttributesArgs{
						ExpiryTime: pulumi.String(isoDays(b.set.KeyRotationDays + azureExpiryAfterRotationDays)),
					},
					LifetimeActions: keyvault.LifetimeActionArray{
						keyvault.LifetimeActionArgs{
							Action:  keyvault.ActionArgs{Type: keyvault.KeyRotationPolicyActionTypeRotate},
							Trigger: keyvault.TriggerArgs{TimeAfterCreate: pulumi.String(isoDays(b.set.KeyRotationDays))},
						},
						keyvault.LifetimeActionArgs{
							Action:  keyvault.ActionArgs{Type: keyvault.KeyRotationPolicyActionTypeNotify},
							Trigger: keyvault.TriggerArgs{TimeBeforeExpiry: pulumi.String(isoDays(azureNotifyBeforeExpiryDays))},
						},
					},
				},
			},
		}, b.opts(site, pulumi.Parent(vault))...)
		if err != nil {
			return nil, err
		}
		keys[purpose] = key
		// Keys are versionless (https://VAULT.vault.azure.net/keys/NAME), so
		// services follow rotation; the vault URI is the key id's prefix.
		b.addKey(&core.Key{
			Purpose:  purpose,
			Region:   site.Region,
			ID:       key.KeyUri,
			VaultID:  vault.ID().ToStringOutput(),
			VaultURI: key.KeyUri.ApplyT(func(uri string) string { return strings.Split(uri, "/keys/")[0] + "/" }).(pulumi.StringOutput),
			Name:     key.Name,
		}, site.Role)
	}
	return keys, nil
}

// azureSecrets writes every secret to site's vault, with its readers:
// Key Vault does not replicate across regions by itself.
func (b *builder) azureSecrets(site core.Site, vault *keyvault.Vault) error {
	for _, sec := range b.set.Secrets {
		tags := b.dep.Tags.For(core.Azure)
		if sec.Description != "" {
			tags = b.dep.Tags.With("description", sec.Description).For(core.Azure)
		}
		secret, err := keyvault.NewSecret(b.ctx, b.resourceName(site.Role, "secret", sec.Name), &keyvault.SecretArgs{
			SecretName:        pulumi.String(sec.Name),
			VaultName:         vault.Name,
			ResourceGroupName: site.AzureResourceGroup,
			Tags:              tags,
			Properties:        keyvault.SecretPropertiesArgs{Value: b.value(sec.Name)},
		}, b.opts(site, pulumi.Parent(vault))...)
		if err != nil {
			return err
		}
		if site.Role == core.Primary {
			b.out.secretIDs[sec.Name] = secret.ID().ToStringOutput()
		}
		if err := b.azureSecretReaders(site, sec.Name, secret); err != nil {
			return err
		}
	}
	return nil
}

func pulumiBoolOrNil(on bool) pulumi.BoolPtrInput {
	if on {
		return pulumi.Bool(true)
	}
	return nil
}

func azureRole(subscription, id string) pulumi.String {
	return pulumi.String(fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", subscription, id))
}

func (b *builder) azureSecretReaders(site core.Site, name string, secret *keyvault.Secret) error {
	for i, reader := range b.set.readersOf(name) {
		if _, err := authorization.NewRoleAssignment(b.ctx, b.resourceName(site.Role, "secret", name, "reader", fmt.Sprint(i)), &authorization.RoleAssignmentArgs{
			Scope:            secret.ID(),
			RoleDefinitionId: azureRole(b.subscription(site), azureSecretsUser),
			PrincipalId:      pulumi.String(reader),
		}, site.With(pulumi.Parent(secret))...); err != nil {
			return err
		}
	}
	return nil
}

// subscription is the site's subscription, or the one the provider's
// credentials select when the stack does not pin one.
func (b *builder) subscription(site core.Site) string {
	if site.AzureSubscriptionID != "" {
		return site.AzureSubscriptionID
	}
	return b.azureSubscription
}

// azureGrants assigns each key grant's role on exactly that key.
func (b *builder) azureGrants(v azureVault, subscription string) error {
	for _, purpose := range core.KeyPurposes {
		users := b.set.keyUsers(purpose)
		for _, a := range Accesses {
			for i, principal := range users[a] {
				key := v.keys[purpose]
				if _, err := authorization.NewRoleAssignment(b.ctx, b.resourceName(v.site.Role, "key", string(purpose), string(a), fmt.Sprint(i)), &authorization.RoleAssignmentArgs{
					Scope:            key.ID(),
					RoleDefinitionId: azureRole(subscription, azureKeyRoles[a]),
					PrincipalId:      pulumi.String(principal),
				}, v.site.With(pulumi.Parent(key))...); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// azureAudit sends the vault's AuditEvent log (every key and secret
// operation, with the caller) to a Log Analytics workspace in the same site,
// so the DR site's audit trail survives the primary region's outage.
func (b *builder) azureAudit(site core.Site, vault *keyvault.Vault) error {
	if !*b.set.AuditLogs {
		return nil
	}
	ws, err := b.azureAuditWorkspace(site)
	if err != nil {
		return err
	}
	_, err = insights.NewDiagnosticSetting(b.ctx, b.resourceName(site.Role, "vault-audit"), &insights.DiagnosticSettingArgs{
		Name:                        pulumi.String("audit-to-log-analytics"),
		ResourceUri:                 vault.ID(),
		WorkspaceId:                 ws.ID(),
		LogAnalyticsDestinationType: pulumi.String("Dedicated"),
		Logs: insights.LogSettingsArray{
			insights.LogSettingsArgs{Category: pulumi.String("AuditEvent"), Enabled: pulumi.Bool(true)},
		},
	}, site.With(pulumi.Parent(vault))...)
	return err
}

// azureAuditWorkspace is the Log Analytics workspace at site that keeps
// the audit records for the settings' retention; the primary's is the
// store's AuditLog, where the stack's other resource logs go too.
func (b *builder) azureAuditWorkspace(site core.Site) (*operationalinsights.Workspace, error) {
	ws, err := operationalinsights.NewWorkspace(b.ctx, b.resourceName(site.Role, "audit"), &operationalinsights.WorkspaceArgs{
		WorkspaceName:     pulumi.String(b.dep.Name("secrets-audit", site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Sku:               operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(b.set.AuditRetentionDays),
		Tags:              b.dep.Tags.For(core.Azure),
	}, b.opts(site)...)
	if err == nil && site.Role == core.Primary {
		b.out.auditLog = ws.ID().ToStringOutput()
	}
	return ws, err
}

// azureAlarms: an activity log alert when a vault of the stack is deleted
// (soft delete schedules every key in it for purge), and a metric alert on
// each vault's API results with status 401 or 403 for a spike of denied
// calls. Deleting a single key is a data-plane call the activity log does
// not carry; it is in the vault's AuditEvent log (the store's audit
// workspace).
func (b *builder) azureAlarms() error {
	t, primary := b.args.Alerts.Limits(), b.dep.Primary
	opts := primary.With(pulumi.Parent(b.c))
	groups := b.args.Alerts.IDs.ApplyT(func(ids []string) []insights.ActionGroupType {
		out := make([]insights.ActionGroupType, len(ids))
		for i, id := range ids {
			out[i] = insights.ActionGroupType{ActionGroupId: id}
		}
		return out
	}).(insights.ActionGroupTypeArrayOutput)
	var vaults pulumi.StringArray
	for _, site := range b.sites() {
		vaults = append(vaults, b.out.vaults[site.Role])
	}
	if _, err := insights.NewActivityLogAlert(b.ctx, b.resourceName(core.Primary, alarmKeyDeletion), &insights.ActivityLogAlertArgs{
		ActivityLogAlertName: pulumi.String(b.dep.Name("secrets", alarmKeyDeletion)),
		ResourceGroupName:    primary.AzureResourceGroup,
		Location:             pulumi.String("Global"),
		Description:          pulumi.String(alarmDescription(alarmKeyDeletion, t)),
		Enabled:              pulumi.Bool(true),
		Scopes:               vaults,
		Condition: insights.AlertRuleAllOfConditionArgs{AllOf: insights.AlertRuleAnyOfOrLeafConditionArray{
			insights.AlertRuleAnyOfOrLeafConditionArgs{Field: pulumi.String("category"), Equals: pulumi.String("Administrative")},
			insights.AlertRuleAnyOfOrLeafConditionArgs{Field: pulumi.String("operationName"), Equals: pulumi.String("Microsoft.KeyVault/vaults/delete")},
		}},
		Actions: insights.ActionListArgs{ActionGroups: groups},
		Tags:    b.dep.Tags.For(core.Azure),
	}, opts...); err != nil {
		return err
	}
	for _, site := range b.sites() {
		if err := azuremetric.New(b.ctx, b.resourceName(site.Role, alarmAccessDenied), b.dep, b.args.Alerts, azuremetric.Alert{
			Key:         alarmAccessDenied,
			RuleName:    b.dep.Name("secrets", alarmAccessDenied, site.Short()),
			Description: alarmDescription(alarmAccessDenied, t),
			Severity:    2,
			Scope:       b.out.vaults[site.Role],
			Namespace:   "Microsoft.KeyVault/vaults",
			Metric:      "ServiceApiResult",
			Dimensions:  map[string][]string{"StatusCode": {"401", "403"}},
			Operator:    "GreaterThan",
			Threshold:   float64(t.SecretAccessDenied),
			Aggregation: "Count",
			Frequency:   "PT1M",
			Window:      fmt.Sprintf("PT%dM", t.SecretAccessDeniedMinutes),
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}
