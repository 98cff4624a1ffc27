package network

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// azure: a virtual network with an app subnet (behind a network security
// group that admits only the load balancer and Azure's health probes) and a
// subnet delegated to PostgreSQL flexible servers, whose private addresses
// resolve through a private DNS zone linked to the network.
//
// Subnets are declared inline on the virtual network: declared as separate
// resources, every update of the network would try to remove them.
func (n *Network) azure(ctx *pulumi.Context, name string, args *NetworkArgs, l layout) error {
	dep, site := args.Deployment, args.Site
	opts := site.With(pulumi.Parent(n))
	tags := dep.Tags.For(core.Azure)
	rg := site.AzureResourceGroup

	nsg, err := network.NewNetworkSecurityGroup(ctx, name+"-app", &network.NetworkSecurityGroupArgs{
		ResourceGroupName:        rg,
		NetworkSecurityGroupName: pulumi.String(dep.Name("app", site.Short())),
		Location:                 pulumi.String(site.Region),
		Tags:                     tags,
		SecurityRules: network.SecurityRuleTypeArray{
			network.SecurityRuleTypeArgs{
				Name: pulumi.String("allow-load-balancer-to-app"), Priority: pulumi.Int(100),
				Direction: pulumi.String("Inbound"), Access: pulumi.String("Allow"), Protocol: pulumi.String("Tcp"),
				SourceAddressPrefix: pulumi.String("AzureLoadBalancer"), SourcePortRange: pulumi.String("*"),
				DestinationAddressPrefix: pulumi.String("*"), DestinationPortRange: pulumi.Sprintf("%d", AppPort),
			},
			network.SecurityRuleTypeArgs{
				Name: pulumi.String("allow-vnet-to-app"), Priority: pulumi.Int(110),
				Direction: pulumi.String("Inbound"), Access: pulumi.String("Allow"), Protocol: pulumi.String("Tcp"),
				SourceAddressPrefix: pulumi.String("VirtualNetwork"), SourcePortRange: pulumi.String("*"),
				DestinationAddressPrefix: pulumi.String("*"), DestinationPortRange: pulumi.Sprintf("%d", AppPort),
			},
			network.SecurityRuleTypeArgs{
				Name: pulumi.String("deny-everything-else-inbound"), Priority: pulumi.Int(4000),
				Direction: pulumi.String("Inbound"), Access: pulumi.String("Deny"), Protocol: pulumi.String("*"),
				SourceAddressPrefix: pulumi.String("*"), SourcePortRange: pulumi.String("*"),
				DestinationAddressPrefix: pulumi.String("*"), DestinationPortRange: pulumi.String("*"),
			},
		},
	}, opts...)
	if err != nil {
		return err
	}
	vnetName := dep.Name(site.Short())
	vnet, err := network.NewVirtualNetwork(ctx, name, &network.VirtualNetworkArgs{
		ResourceGroupName:  rg,
		VirtualNetworkName: pulumi.String(vnetName),
		Location:           pulumi.String(site.Region),
		Tags:               tags,
		AddressSpace:       &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String(l.cidr)}},
		Subnets: network.SubnetTypeArray{
			network.SubnetTypeArgs{
				Name:                 pulumi.String("app"),
				AddressPrefix:        pulumi.String(l.app[0]),
				NetworkSecurityGroup: &network.NetworkSecurityGroupTypeArgs{Id: nsg.ID()},
			},
			network.SubnetTypeArgs{
				Name:          pulumi.String("database"),
				AddressPrefix: pulumi.String(l.database[0]),
				Delegations: network.DelegationArray{network.DelegationArgs{
					Name:        pulumi.String("postgresql-flexible-servers"),
					ServiceName: pulumi.String("Microsoft.DBforPostgreSQL/flexibleServers"),
				}},
			},
		},
	}, opts...)
	if err != nil {
		return err
	}
	// Flexible servers with private access need a zone ending in
	// .postgres.database.azure.com, linked to the network.
	zone, err := network.NewPrivateZone(ctx, name+"-postgres", &network.PrivateZoneArgs{
		ResourceGroupName: rg,
		PrivateZoneName:   pulumi.String(fmt.Sprintf("%s.private.postgres.database.azure.com", dep.Name(site.Short()))),
		Location:          pulumi.String("global"),
		Tags:              tags,
	}, opts...)
	if err != nil {
		return err
	}
	if _, err := network.NewVirtualNetworkLink(ctx, name+"-postgres", &network.VirtualNetworkLinkArgs{
		ResourceGroupName:      rg,
		PrivateZoneName:        zone.Name,
		VirtualNetworkLinkName: pulumi.String(vnetName),
		Location:               pulumi.String("global"),
		RegistrationEnabled:    pulumi.Bool(false),
		VirtualNetwork:         &network.SubResourceArgs{Id: vnet.ID()},
		Tags:                   tags,
	}, opts...); err != nil {
		return err
	}

	subnetID := func(subnet string) pulumi.StringOutput {
		return pulumi.Sprintf("%s/subnets/%s", vnet.ID(), subnet)
	}
	n.ID = vnet.ID().ToStringOutput()
	n.AppSubnetIDs = pulumi.StringArray{subnetID("app")}.ToStringArrayOutput()
	n.DatabaseSubnetIDs = pulumi.StringArray{subnetID("database")}.ToStringArrayOutput()
	n.DatabasePrivateDNSZoneID = zone.ID().ToStringOutput()
	return nil
}
