package core

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Network is a site's private network, as the components placed in it need
// it. The network component makes one per site; tests may build one from
// literal ids.
type Network struct {
	// ID is the AWS VPC id, the GCP network id
	// (projects/P/global/networks/N), or the Azure virtual network id.
	ID pulumi.StringOutput
	// AppSubnetIDs are where instances run: AWS private subnets (one per
	// zone), the GCP subnetwork's self link, the Azure app subnet id.
	AppSubnetIDs pulumi.StringArrayOutput
	// PublicSubnetIDs are where the load balancer lives: AWS public
	// subnets (one per zone), the Azure Application Gateway subnet. Unused
	// on GCP, whose global load balancer lives outside the network.
	PublicSubnetIDs pulumi.StringArrayOutput
	// DatabaseSubnetIDs are where databases live: AWS private subnets (one per
	// zone, for a DB subnet group) or the Azure subnet delegated to
	// PostgreSQL flexible servers. Unused on GCP, where Cloud SQL peers with
	// the network through private services access.
	DatabaseSubnetIDs pulumi.StringArrayOutput
	// AppSecurityGroupID and DatabaseSecurityGroupID (AWS only): the
	// database security group admits PostgreSQL only from the app group.
	AppSecurityGroupID      pulumi.StringOutput
	DatabaseSecurityGroupID pulumi.StringOutput
	// DatabasePrivateDNSZoneID (Azure only) is the private DNS zone
	// PostgreSQL flexible servers register their private address in.
	DatabasePrivateDNSZoneID pulumi.StringOutput
	// EndpointSubnetID and VaultPrivateDNSZoneID (Azure only) are where
	// private endpoints live and the privatelink.vaultcore.azure.net zone
	// a Key Vault's private endpoint registers in.
	EndpointSubnetID      pulumi.StringOutput
	VaultPrivateDNSZoneID pulumi.StringOutput
	// ConfigPrivateDNSZoneID (Azure only) is the privatelink.azconfig.io
	// zone an App Configuration store's private endpoint registers in.
	ConfigPrivateDNSZoneID pulumi.StringOutput
	// Ready lists resources a database must wait for (GCP: the private
	// services peering), to pass as pulumi.DependsOn.
	Ready []pulumi.Resource
}
