package appaccess

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/core"
)

// Azure built-in roles the application holds
// (learn.microsoft.com/azure/key-vault/general/rbac-guide#azure-built-in-roles-for-key-vault-data-plane-operations).
const (
	// AzureSecretsUser reads secret values.
	AzureSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6"
	// AzureCryptoUser encrypts, decrypts, wraps and unwraps with keys.
	AzureCryptoUser = "12338af0-0e69-4776-bea7-57ae8d297424"
)

// azure assigns the scale set's identity Key Vault Secrets User on the
// vault holding the secrets and Key Vault Crypto User on the field key
// alone. Database sign-in is an Entra principal on the server, which the
// API can only create as an administrator: the application's non-admin
// role is made after every up by `wedsync-infra db users` (internal/dbusers).
func (b *builder) azure() (outputs, error) {
	a := b.a
	vault := a.SecretsKey.VaultID
	fieldKey := pulumi.Sprintf("%s/keys/%s", a.FieldKey.VaultID, a.FieldKey.Name)
	for _, g := range []struct {
		suffix, role, why string
		scope             pulumi.StringOutput
	}{
		{"secrets", AzureSecretsUser, "the application reads its secrets", vault},
		{"field-key", AzureCryptoUser, "the application encrypts guest fields", fieldKey},
		{"config", appconfig.AzureDataReader, "the application reads its configuration store", a.ConfigScope},
	} {
		role := g.role
		if _, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+g.suffix, &authorization.RoleAssignmentArgs{
			Scope:            g.scope,
			RoleDefinitionId: core.AzureRoleDefinition(g.scope, role),
			PrincipalId:      a.Identity,
			PrincipalType:    pulumi.String("ServicePrincipal"),
			Description:      pulumi.String(g.why),
		}, b.opts()...); err != nil {
			return outputs{}, err
		}
	}
	if err := b.azureVaultEndpoint(); err != nil {
		return outputs{}, err
	}
	return outputs{grants: []string{
		"read its configuration store (App Configuration Data Reader)",
		"read secrets in the vault",
		"encrypt and decrypt with the field key",
	}}, nil
}

// azureVaultEndpoint is the vault's private endpoint in the application's
// network, registered in the Key Vault private DNS zone, so the vault's
// name resolves to a private address there
// (learn.microsoft.com/azure/key-vault/general/private-link-service).
func (b *builder) azureVaultEndpoint() error {
	a, site := b.a, b.site
	name := a.Deployment.Name("vault", site.Short())
	pe, err := network.NewPrivateEndpoint(b.ctx, b.name+"-vault", &network.PrivateEndpointArgs{
		ResourceGroupName:   site.AzureResourceGroup,
		PrivateEndpointName: pulumi.String(name),
		Location:            pulumi.String(site.Region),
		Subnet:              &network.SubnetTypeArgs{Id: a.Network.EndpointSubnetID},
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{network.PrivateLinkServiceConnectionArgs{
			Name:                 pulumi.String(name),
			PrivateLinkServiceId: a.SecretsKey.VaultID,
			GroupIds:             pulumi.StringArray{pulumi.String("vault")},
		}},
		Tags: a.Deployment.Tags.For(site.Cloud),
	}, b.opts()...)
	if err != nil {
		return err
	}
	_, err = network.NewPrivateDnsZoneGroup(b.ctx, b.name+"-vault", &network.PrivateDnsZoneGroupArgs{
		ResourceGroupName:       site.AzureResourceGroup,
		PrivateEndpointName:     pe.Name,
		PrivateDnsZoneGroupName: pulumi.String("vault"),
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{network.PrivateDnsZoneConfigArgs{
			Name: pulumi.String("vault"), PrivateDnsZoneId: a.Network.VaultPrivateDNSZoneID,
		}},
	}, b.opts()...)
	return err
}
