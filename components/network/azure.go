package network

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// azure: a virtual network with a gateway subnet (the Application
// Gateway, the only public entry point), an app subnet (behind a network security
// group that admits only the load balancer and Azure's health probes) and a
// subnet delegated to PostgreSQL flexible servers, whose private addresses
// resolve through a private DNS zone linked to the network.
//
// Subnets are declared inline on the virtual network: declared as separate
// resources, every update of the network would try to remove them.
func (b *builder) azure() (outputs, error) {
	nsg, err := b.azureAppNSG()
	if err != nil {
		return outputs{}, err
	}
	vnet, err := network.NewVirtualNetwork(b.ctx, b.name, &network.VirtualNetworkArgs{
		ResourceGroupName:  b.site.AzureResourceGroup,
		VirtualNetworkName: pulumi.String(b.dep.Name(b.site.Short())),
		Location:           pulumi.String(b.site.Region),
		Tags:               b.dep.Tags.For(core.Azure),
		AddressSpace:       &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String(b.layout.cidr)}},
		Subnets: network.SubnetTypeArray{
			network.SubnetTypeArgs{
				Name:                 pulumi.String("app"),
				AddressPrefix:        pulumi.String(b.layout.app[0]),
				NetworkSecurityGroup: &network.NetworkSecurityGroupTypeArgs{Id: nsg.ID()},
			},
			network.SubnetTypeArgs{
				Name:          pulumi.String("database"),
				AddressPrefix: pulumi.String(b.layout.database[0]),
				Delegations: network.DelegationArray{network.DelegationArgs{
					Name:        pulumi.String("postgresql-flexible-servers"),
					ServiceName: pulumi.String("Microsoft.DBforPostgreSQL/flexibleServers"),
				}},
			},
			// Private endpoints (the Key Vault's): the vault denies public
			// network access, so this is the scale set's only way to it.
			network.SubnetTypeArgs{
				Name:          pulumi.String("endpoints"),
				AddressPrefix: pulumi.String(b.layout.endpoints),
			},
			// The Application Gateway's own subnet (v2 needs one to itself).
			network.SubnetTypeArgs{
				Name:          pulumi.String("gateway"),
				AddressPrefix: pulumi.String(b.layout.public[0]),
			},
		},
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	zone, err := b.azurePostgresZone(vnet)
	if err != nil {
		return outputs{}, err
	}
	vaultZone, err := b.azureVaultZone(vnet)
	if err != nil {
		return outputs{}, err
	}
	// The app configuration store's private endpoint registers here
	// (components/appconfig).
	configZone, err := b.azurePrivateZone(vnet, "appconfig", AzureAppConfigZone)
	if err != nil {
		return outputs{}, err
	}
	subnetID := func(subnet string) pulumi.StringOutput {
		return pulumi.Sprintf("%s/subnets/%s", vnet.ID(), subnet)
	}
	return outputs{
		ID:                       vnet.ID().ToStringOutput(),
		AppSubnetIDs:             pulumi.StringArray{subnetID("app")}.ToStringArrayOutput(),
		PublicSubnetIDs:          pulumi.StringArray{subnetID("gateway")}.ToStringArrayOutput(),
		DatabaseSubnetIDs:        pulumi.StringArray{subnetID("database")}.ToStringArrayOutput(),
		DatabasePrivateDNSZoneID: zone.ID().ToStringOutput(),
		EndpointSubnetID:         subnetID("endpoints"),
		VaultPrivateDNSZoneID:    vaultZone.ID().ToStringOutput(),
		ConfigPrivateDNSZoneID:   configZone.ID().ToStringOutput(),
	}, nil
}

// azureAppNSG admits the app port from the load balancer and the virtual
// network, and nothing else.
func (b *builder) azureAppNSG() (*network.NetworkSecurityGroup, error) {
	allow := func(name string, priority int, source string) network.SecurityRuleTypeArgs {
		return network.SecurityRuleTypeArgs{
			Name: pulumi.String(name), Priority: pulumi.Int(priority),
			Direction: pulumi.String("Inbound"), Access: pulumi.String("Allow"), Protocol: pulumi.String("Tcp"),
			SourceAddressPrefix: pulumi.String(source), SourcePortRange: pulumi.String("*"),
			DestinationAddressPrefix: pulumi.String("*"), DestinationPortRange: pulumi.Sprintf("%d", AppPort),
		}
	}
	return network.NewNetworkSecurityGroup(b.ctx, b.name+"-app", &network.NetworkSecurityGroupArgs{
		ResourceGroupName:        b.site.AzureResourceGroup,
		NetworkSecurityGroupName: pulumi.String(b.dep.Name("app", b.site.Short())),
		Location:                 pulumi.String(b.site.Region),
		Tags:                     b.dep.Tags.For(core.Azure),
		SecurityRules: network.SecurityRuleTypeArray{
			allow("allow-load-balancer-to-app", 100, "AzureLoadBalancer"),
			allow("allow-vnet-to-app", 110, "VirtualNetwork"),
			network.SecurityRuleTypeArgs{
				Name: pulumi.String("deny-everything-else-inbound"), Priority: pulumi.Int(4000),
				Direction: pulumi.String("Inbound"), Access: pulumi.String("Deny"), Protocol: pulumi.String("*"),
				SourceAddressPrefix: pulumi.String("*"), SourcePortRange: pulumi.String("*"),
				DestinationAddressPrefix: pulumi.String("*"), DestinationPortRange: pulumi.String("*"),
			},
		},
	}, b.opts()...)
}

// azurePostgresZone is the private DNS zone flexible servers with private
// access need (a name ending in .postgres.database.azure.com), linked to
// the network.
func (b *builder) azurePostgresZone(vnet *network.VirtualNetwork) (*network.PrivateZone, error) {
	return b.azurePrivateZone(vnet, "postgres", fmt.Sprintf("%s.private.postgres.database.azure.com", b.dep.Name(b.site.Short())))
}

// azureVaultZone is the Key Vault private DNS zone, linked to the network,
// where the vault's private endpoint (made with the vault's grants, in
// components/appaccess) registers its address.
func (b *builder) azureVaultZone(vnet *network.VirtualNetwork) (*network.PrivateZone, error) {
	return b.azurePrivateZone(vnet, "vault", AzureKeyVaultZone)
}

// azurePrivateZone is a private DNS zone linked to the network (without
// auto-registration): where a private address is found by its public name.
func (b *builder) azurePrivateZone(vnet *network.VirtualNetwork, key, zoneName string) (*network.PrivateZone, error) {
	rg, tags, vnetName := b.site.AzureResourceGroup, b.dep.Tags.For(core.Azure), b.dep.Name(b.site.Short())
	zone, err := network.NewPrivateZone(b.ctx, b.name+"-"+key, &network.PrivateZoneArgs{
		ResourceGroupName: rg,
		PrivateZoneName:   pulumi.String(zoneName),
		Location:          pulumi.String("global"),
		Tags:              tags,
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	_, err = network.NewVirtualNetworkLink(b.ctx, b.name+"-"+key, &network.VirtualNetworkLinkArgs{
		ResourceGroupName:      rg,
		PrivateZoneName:        zone.Name,
		VirtualNetworkLinkName: pulumi.String(vnetName),
		Location:               pulumi.String("global"),
		RegistrationEnabled:    pulumi.Bool(false),
		VirtualNetwork:         &network.SubResourceArgs{Id: vnet.ID()},
		Tags:                   tags,
	}, b.opts()...)
	return zone, err
}
