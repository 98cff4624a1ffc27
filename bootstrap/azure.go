package bootstrap

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// azureKeys are a Key Vault (RBAC, soft delete, purge protection) in the
// backend's region with the state key, which the storage account is
// encrypted with (its geo-replica in the paired region uses it too), and
// each stack's secrets key, named by `--secrets-provider
// azurekeyvault://...`.
func (b *builder) azureKeys() (keys, error) {
	site := b.dep.Primary
	client, err := authorization.GetClientConfig(b.ctx, pulumi.Provider(site.Provider))
	if err != nil {
		return keys{}, err
	}
	vault, err := keyvault.NewVault(b.ctx, "state-vault", &keyvault.VaultArgs{
		// Vault names are global and reserved while soft-deleted.
		VaultName:         pulumi.String(b.dep.NameWithin(24, "kv", site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              b.dep.Tags.For(core.Azure),
		Properties: keyvault.VaultPropertiesArgs{
			TenantId:                  pulumi.String(client.TenantId),
			Sku:                       keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
			EnableRbacAuthorization:   pulumi.Bool(true),
			EnableSoftDelete:          pulumi.Bool(true),
			SoftDeleteRetentionInDays: pulumi.Int(90),
			EnablePurgeProtection:     pulumi.Bool(true),
			// The CLI (administrators, CI runners) reaches the secrets keys
			// from the addresses in allowedIps only, signed in with Entra ID;
			// RBAC decides what each may do. Storage reaches the state key
			// as a trusted Azure service.
			PublicNetworkAccess: pulumi.String("Enabled"),
			NetworkAcls: keyvault.NetworkRuleSetArgs{
				DefaultAction: pulumi.String("Deny"),
				Bypass:        pulumi.String("AzureServices"),
				IpRules:       b.azureIPRules(),
			},
		},
	}, b.protect(site)...)
	if err != nil {
		return keys{}, err
	}
	state, err := b.azureKey(site, vault, "state")
	if err != nil {
		return keys{}, err
	}
	out := keys{state: state, secretsProviders: map[string]pulumi.StringOutput{}}
	for _, stack := range b.set.Stacks {
		k, err := b.azureKey(site, vault, "secrets-"+stack)
		if err != nil {
			return out, err
		}
		out.secretsProviders[stack] = k.ID.ApplyT(func(uri string) string {
			return "azurekeyvault://" + strings.TrimPrefix(uri, "https://")
		}).(pulumi.StringOutput)
	}
	return out, nil
}

// azureKey is the vault's RSA key NAME, rotated every keyRotationDays.
func (b *builder) azureKey(site core.Site, vault *keyvault.Vault, name string) (*core.Key, error) {
	iso := func(n int) string { return fmt.Sprintf("P%dD", n) }
	key, err := keyvault.NewKey(b.ctx, name+"-key", &keyvault.KeyArgs{
		KeyName:           pulumi.String(name),
		VaultName:         vault.Name,
		ResourceGroupName: site.AzureResourceGroup,
		Tags:              b.dep.Tags.For(core.Azure),
		Properties: keyvault.KeyPropertiesArgs{
			Kty:     pulumi.String("RSA"),
			KeySize: pulumi.Int(3072),
			KeyOps:  pulumi.ToStringArray([]string{"encrypt", "decrypt", "wrapKey", "unwrapKey"}),
			RotationPolicy: keyvault.RotationPolicyArgs{
				Attributes: keyvault.KeyRotationPolicyAttributesArgs{ExpiryTime: pulumi.String(iso(keyRotationDays + deletionWindowDays))},
				LifetimeActions: keyvault.LifetimeActionArray{
					keyvault.LifetimeActionArgs{
						Action:  keyvault.ActionArgs{Type: keyvault.KeyRotationPolicyActionTypeRotate},
						Trigger: keyvault.TriggerArgs{TimeAfterCreate: pulumi.String(iso(keyRotationDays))},
					},
				},
			},
		},
	}, b.protect(site, pulumi.Parent(vault))...)
	if err != nil {
		return nil, err
	}
	return &core.Key{
		Purpose: core.BackupKey, Region: site.Region, ID: key.KeyUri,
		VaultID:  vault.ID().ToStringOutput(),
		VaultURI: key.KeyUri.ApplyT(func(uri string) string { return strings.Split(uri, "/keys/")[0] + "/" }).(pulumi.StringOutput),
		Name:     key.Name,
	}, nil
}

// azureIPRules are the vault's allowed addresses, from allowedIps.
func (b *builder) azureIPRules() keyvault.IPRuleArray {
	var out keyvault.IPRuleArray
	for _, ip := range b.set.AllowedIPs {
		out = append(out, keyvault.IPRuleArgs{Value: pulumi.String(ip)})
	}
	return out
}
