// Package azurestorage is the one secure-by-default Azure storage account
// the components create (flow records, backups, ledgers, offsite copies):
// Entra ID only, closed to every network but Azure's trusted services,
// HTTPS and TLS 1.2 only, no public blobs, no cross-tenant replication,
// encrypted with a Key Vault key through an identity of its own that may
// only wrap with that key. Components say what differs (name, redundancy,
// immutability); this says how every account is locked down.
package azurestorage

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// CryptoServiceEncryptionUser is the built-in role that lets a service
// wrap and unwrap its data key with a Key Vault key, and nothing else.
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-service-encryption-user
const CryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

// KeyIdentityArgs names an account's identity and its grant on the key.
type KeyIdentityArgs struct {
	Deployment core.Deployment
	Site       core.Site
	Key        *core.Key
	// Name is the identity's name under the deployment, as parts of
	// Deployment.Name; the grant's name derives from them and "key".
	Name []string
	// Description says who uses the key, on the grant.
	Description string
}

// KeyIdentity is an account's own identity and its grant on the key's
// vault, which the account must depend on: Azure refuses an account whose
// key it cannot reach.
func KeyIdentity(ctx *pulumi.Context, name string, a KeyIdentityArgs, opts ...pulumi.ResourceOption) (*managedidentity.UserAssignedIdentity, pulumi.Resource, error) {
	dep, site := a.Deployment, a.Site
	identity, err := managedidentity.NewUserAssignedIdentity(ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(dep.Name(a.Name...)),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              dep.Tags.For(core.Azure),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	grant, err := authorization.NewRoleAssignment(ctx, name+"-uses-key", &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.String(core.StableGUID(dep.Name(append(a.Name[:len(a.Name):len(a.Name)], "key")...))),
		Scope:              a.Key.VaultID,
		RoleDefinitionId:   core.AzureRoleDefinition(a.Key.VaultID, CryptoServiceEncryptionUser),
		PrincipalId:        identity.PrincipalId,
		PrincipalType:      pulumi.String("ServicePrincipal"),
		Description:        pulumi.String(a.Description),
	}, opts...)
	return identity, grant, err
}

// AccountArgs is what differs between accounts.
type AccountArgs struct {
	Deployment core.Deployment
	Site       core.Site
	Key        *core.Key
	// Identity wraps the account's data key with Key (see KeyIdentity).
	Identity *managedidentity.UserAssignedIdentity
	// Name is the account's name: 3 to 24 lowercase letters and digits.
	Name string
	// Sku is the redundancy, e.g. Standard_LRS or Standard_RAGZRS.
	Sku string
	// InfrastructureEncryption adds Azure's own second layer of
	// encryption under the customer-managed key.
	InfrastructureEncryption bool
	// Immutability is version-level WORM for the whole account, if any.
	Immutability *storage.ImmutableStorageAccountArgs
	// IPRules admit these public addresses through the closed network
	// (nil: none, and no ipRules input at all).
	IPRules storage.IPRuleArrayInput
}

// NewAccount is a StorageV2, hot-tier account locked down as the package
// says. opts are the account's own: it must depend on KeyIdentity's grant.
func NewAccount(ctx *pulumi.Context, name string, a AccountArgs, opts ...pulumi.ResourceOption) (*storage.StorageAccount, error) {
	encryption := &storage.EncryptionArgs{
		KeySource:          pulumi.String("Microsoft.Keyvault"),
		KeyVaultProperties: &storage.KeyVaultPropertiesArgs{KeyName: a.Key.Name, KeyVaultUri: a.Key.VaultURI},
		EncryptionIdentity: &storage.EncryptionIdentityArgs{EncryptionUserAssignedIdentity: a.Identity.ID()},
		Services:           &storage.EncryptionServicesArgs{Blob: &storage.EncryptionServiceArgs{Enabled: pulumi.Bool(true), KeyType: pulumi.String("Account")}},
	}
	if a.InfrastructureEncryption {
		encryption.RequireInfrastructureEncryption = pulumi.Bool(true)
	}
	args := &storage.StorageAccountArgs{
		AccountName:       pulumi.String(a.Name),
		ResourceGroupName: a.Site.AzureResourceGroup,
		Location:          pulumi.String(a.Site.Region),
		Kind:              pulumi.String("StorageV2"),
		Sku:               &storage.SkuArgs{Name: pulumi.String(a.Sku)},
		AccessTier:        storage.AccessTierHot,
		// Entra ID only: no account keys, no SAS signed with them.
		AllowSharedKeyAccess:         pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		AllowBlobPublicAccess:        pulumi.Bool(false),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		EnableHttpsTrafficOnly:       pulumi.Bool(true),
		MinimumTlsVersion:            pulumi.String("TLS1_2"),
		// Closed to every network: no IP or virtual-network rule admits
		// anyone, and only Azure's trusted services (Network Watcher
		// writing flow records, Azure Backup writing restore files, the
		// platform's replication) pass, as the bypass lets them. Public
		// network access stays "Enabled" because "Disabled" would refuse
		// the trusted services too
		// (learn.microsoft.com/azure/storage/common/storage-network-security#grant-access-to-trusted-azure-services).
		PublicNetworkAccess: pulumi.String("Enabled"),
		NetworkRuleSet:      &storage.NetworkRuleSetArgs{DefaultAction: storage.DefaultActionDeny, Bypass: pulumi.String("AzureServices"), IpRules: a.IPRules},
		Identity:            &storage.IdentityArgs{Type: pulumi.String("UserAssigned"), UserAssignedIdentities: pulumi.StringArray{a.Identity.ID()}},
		Encryption:          encryption,
		Tags:                a.Deployment.Tags.For(core.Azure),
	}
	if a.Immutability != nil {
		args.ImmutableStorageWithVersioning = a.Immutability
	}
	return storage.NewStorageAccount(ctx, name, args, opts...)
}
