package network

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	netv "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240301"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// azure: a virtual network with a gateway subnet (the Application
// Gateway, the only public entry point), an app subnet (out through a NAT
// gateway with one static public IP, the address a supplier allowlists), a
// subnet delegated to PostgreSQL flexible servers, whose private addresses
// resolve through a private DNS zone linked to the network, and a subnet
// for private endpoints. Every subnet is private (defaultOutboundAccess
// false: nothing reaches out but through the NAT gateway,
// learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access)
// and has its own network security group (azure_rules.go).
//
// Subnets are declared inline on the virtual network: declared as separate
// resources, every update of the network would try to remove them. The
// network is declared with the 2024-03-01 API, the first of the module's
// that has defaultOutboundAccess (the SDK aliases its API versions, so the
// network updates in place).
func (b *builder) azure() (outputs, error) {
	nsgs, err := b.azureNSGs()
	if err != nil {
		return outputs{}, err
	}
	nat, err := b.azureNAT()
	if err != nil {
		return outputs{}, err
	}
	subnet := func(name, prefix string, nsg *network.NetworkSecurityGroup) netv.SubnetTypeArgs {
		return netv.SubnetTypeArgs{
			Name: pulumi.String(name), AddressPrefix: pulumi.String(prefix),
			NetworkSecurityGroup:  &netv.NetworkSecurityGroupTypeArgs{Id: nsg.ID()},
			DefaultOutboundAccess: pulumi.Bool(false),
		}
	}
	app := subnet("app", b.layout.app[0], nsgs.app)
	app.NatGateway = &netv.SubResourceArgs{Id: nat.ID()}
	database := subnet("database", b.layout.database[0], nsgs.database)
	database.Delegations = netv.DelegationArray{netv.DelegationArgs{
		Name:        pulumi.String("postgresql-flexible-servers"),
		ServiceName: pulumi.String("Microsoft.DBforPostgreSQL/flexibleServers"),
	}}
	// Private endpoints (the Key Vault's): the vault denies public network
	// access, so this is the scale set's only way to it. The subnet's NSG
	// applies to the endpoints only with network policies enabled.
	endpoints := subnet("endpoints", b.layout.endpoints, nsgs.endpoints)
	endpoints.PrivateEndpointNetworkPolicies = pulumi.String("NetworkSecurityGroupEnabled")
	vnet, err := netv.NewVirtualNetwork(b.ctx, b.name, &netv.VirtualNetworkArgs{
		ResourceGroupName:  b.site.AzureResourceGroup,
		VirtualNetworkName: pulumi.String(b.dep.Name(b.site.Short())),
		Location:           pulumi.String(b.site.Region),
		Tags:               b.dep.Tags.For(core.Azure),
		AddressSpace:       &netv.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String(b.layout.cidr)}},
		// The Application Gateway's own subnet (v2 needs one to itself)
		// is the last.
		Subnets: netv.SubnetTypeArray{app, database, endpoints, subnet("gateway", b.layout.public[0], nsgs.gateway)},
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	return b.azureOutputs(vnet)
}

// azureOutputs are the network's zones and ids as the components see them.
func (b *builder) azureOutputs(vnet *netv.VirtualNetwork) (outputs, error) {
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

// azureNAT is the app subnet's way out: a NAT gateway with one static
// Standard public IP.
func (b *builder) azureNAT() (*network.NatGateway, error) {
	rg, tags := b.site.AzureResourceGroup, b.dep.Tags.For(core.Azure)
	ip, err := network.NewPublicIPAddress(b.ctx, b.name+"-nat", &network.PublicIPAddressArgs{
		ResourceGroupName:        rg,
		PublicIpAddressName:      pulumi.String(b.dep.Name("nat", b.site.Short())),
		Location:                 pulumi.String(b.site.Region),
		Sku:                      &network.PublicIPAddressSkuArgs{Name: pulumi.String("Standard")},
		PublicIPAllocationMethod: pulumi.String("Static"),
		PublicIPAddressVersion:   pulumi.String("IPv4"),
		Tags:                     tags,
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	return network.NewNatGateway(b.ctx, b.name, &network.NatGatewayArgs{
		ResourceGroupName:    rg,
		NatGatewayName:       pulumi.String(b.dep.Name(b.site.Short())),
		Location:             pulumi.String(b.site.Region),
		Sku:                  &network.NatGatewaySkuArgs{Name: pulumi.String("Standard")},
		PublicIpAddresses:    network.SubResourceArray{network.SubResourceArgs{Id: ip.ID()}},
		IdleTimeoutInMinutes: pulumi.Int(4),
		Tags:                 tags,
	}, b.opts()...)
}

// azurePostgresZone is the private DNS zone flexible servers with private
// access need (a name ending in .postgres.database.azure.com), linked to
// the network.
func (b *builder) azurePostgresZone(vnet *netv.VirtualNetwork) (*network.PrivateZone, error) {
	return b.azurePrivateZone(vnet, "postgres", fmt.Sprintf("%s.private.postgres.database.azure.com", b.dep.Name(b.site.Short())))
}

// azureVaultZone is the Key Vault private DNS zone, linked to the network,
// where the vault's private endpoint (made with the vault's grants, in
// components/appaccess) registers its address.
func (b *builder) azureVaultZone(vnet *netv.VirtualNetwork) (*network.PrivateZone, error) {
	return b.azurePrivateZone(vnet, "vault", AzureKeyVaultZone)
}

// azurePrivateZone is a private DNS zone linked to the network (without
// auto-registration): where a private address is found by its public name.
func (b *builder) azurePrivateZone(vnet *netv.VirtualNetwork, key, zoneName string) (*network.PrivateZone, error) {
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
