package network

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/servicenetworking"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// gcpHealthCheckRanges are where Google's load balancer and autohealing
// health checks come from.
var gcpHealthCheckRanges = []string{"35.191.0.0/16", "130.211.0.0/22"}

// AppTag marks instances that serve the app; firewall rules target it.
const AppTag = "wedsync-app"

// gcp: a custom-mode network with one regional subnetwork (flow logs and
// private Google access on), Cloud NAT for egress, private services access
// for Cloud SQL's private IP, a firewall that admits only health checks
// and the load balancer to the app, and egress denied but for AppEgress.
func (b *builder) gcp() (outputs, error) {
	dep, site := b.dep, b.site
	net, err := compute.NewNetwork(b.ctx, b.name, &compute.NetworkArgs{
		Name:                  pulumi.String(dep.Name(site.Short())),
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	subnet, err := compute.NewSubnetwork(b.ctx, b.name+"-app", &compute.SubnetworkArgs{
		Name:                  pulumi.String(dep.Name("app", site.Short())),
		Network:               net.ID(),
		Region:                pulumi.String(site.Region),
		IpCidrRange:           pulumi.String(b.layout.cidr),
		PrivateIpGoogleAccess: pulumi.Bool(true),
		LogConfig: &compute.SubnetworkLogConfigArgs{
			AggregationInterval: pulumi.String("INTERVAL_5_SEC"),
			FlowSampling:        pulumi.Float64(0.5),
			Metadata:            pulumi.String("INCLUDE_ALL_METADATA"),
		},
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	if err := b.gcpEdges(net); err != nil {
		return outputs{}, err
	}
	if err := b.gcpEgress(net); err != nil {
		return outputs{}, err
	}
	peering, err := b.gcpPrivateServices(net)
	if err != nil {
		return outputs{}, err
	}
	return outputs{
		ID:                net.ID().ToStringOutput(),
		AppSubnetIDs:      pulumi.StringArray{subnet.SelfLink}.ToStringArrayOutput(),
		DatabaseSubnetIDs: pulumi.StringArray{}.ToStringArrayOutput(),
		Ready:             []pulumi.Resource{peering},
	}, nil
}

// gcpEdges are what crosses the network's edge: Cloud NAT out, and health
// checks in to the app.
func (b *builder) gcpEdges(net *compute.Network) error {
	dep, site := b.dep, b.site
	router, err := compute.NewRouter(b.ctx, b.name, &compute.RouterArgs{
		Name: pulumi.String(dep.Name(site.Short())), Network: net.ID(), Region: pulumi.String(site.Region),
	}, b.opts()...)
	if err != nil {
		return err
	}
	if _, err := compute.NewRouterNat(b.ctx, b.name, &compute.RouterNatArgs{
		Name:                          pulumi.String(dep.Name(site.Short())),
		Router:                        router.Name,
		Region:                        pulumi.String(site.Region),
		NatIpAllocateOption:           pulumi.String("AUTO_ONLY"),
		SourceSubnetworkIpRangesToNat: pulumi.String("ALL_SUBNETWORKS_ALL_IP_RANGES"),
		LogConfig:                     &compute.RouterNatLogConfigArgs{Enable: pulumi.Bool(true), Filter: pulumi.String("ERRORS_ONLY")},
	}, b.opts()...); err != nil {
		return err
	}
	_, err = compute.NewFirewall(b.ctx, b.name+"-health-checks", &compute.FirewallArgs{
		Name:         pulumi.String(dep.Name("allow-health-checks", site.Short())),
		Network:      net.ID(),
		Direction:    pulumi.String("INGRESS"),
		SourceRanges: pulumi.ToStringArray(gcpHealthCheckRanges),
		TargetTags:   pulumi.StringArray{pulumi.String(AppTag)},
		Allows:       compute.FirewallAllowArray{compute.FirewallAllowArgs{Protocol: pulumi.String("tcp"), Ports: pulumi.StringArray{pulumi.Sprintf("%d", AppPort)}}},
	}, b.opts()...)
	return err
}

// gcpPrivateServices peers the network with Google's service producers
// over a reserved range, so Cloud SQL gets a private IP in it. A database
// must wait for the peering (outputs.Ready).
func (b *builder) gcpPrivateServices(net *compute.Network) (*servicenetworking.Connection, error) {
	peeringRange, err := compute.NewGlobalAddress(b.ctx, b.name+"-private-services", &compute.GlobalAddressArgs{
		Name:         pulumi.String(b.dep.Name("private-services", b.site.Short())),
		Network:      net.ID(),
		Purpose:      pulumi.String("VPC_PEERING"),
		AddressType:  pulumi.String("INTERNAL"),
		Address:      pulumi.String(b.layout.peeringBase),
		PrefixLength: pulumi.Int(16),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	return servicenetworking.NewConnection(b.ctx, b.name+"-private-services", &servicenetworking.ConnectionArgs{
		Network:               net.ID(),
		Service:               pulumi.String("servicenetworking.googleapis.com"),
		ReservedPeeringRanges: pulumi.StringArray{peeringRange.Name},
	}, b.opts()...)
}

// gcpPrivateGoogleAccessRanges are private.googleapis.com and
// restricted.googleapis.com, Private Google Access's addresses for the
// Google APIs (cloud.google.com/vpc/docs/configure-private-google-access#config-domain).
var gcpPrivateGoogleAccessRanges = []string{"199.36.153.8/30", "199.36.153.4/30"}

// gcpEgressDenyPriority is the deny-all egress rule's: below every allow
// (1000) and above the network's implied allow-all egress (65535).
const gcpEgressDenyPriority = 65000

// gcpEgress replaces the implied allow-all egress: a low-priority deny of
// everything, and AppEgress allowed from the app's service account only
// (cloud.google.com/firewall/docs/firewalls#default_firewall_rules).
func (b *builder) gcpEgress(net *compute.Network) error {
	dep, site := b.dep, b.site
	if _, err := compute.NewFirewall(b.ctx, b.name+"-deny-egress", &compute.FirewallArgs{
		Name:              pulumi.String(dep.Name("deny-all-egress", site.Short())),
		Description:       pulumi.String("everything the egress table (components/network AppEgress) does not allow"),
		Network:           net.ID(),
		Direction:         pulumi.String("EGRESS"),
		Priority:          pulumi.Int(gcpEgressDenyPriority),
		DestinationRanges: pulumi.StringArray{pulumi.String("0.0.0.0/0")},
		Denies:            compute.FirewallDenyArray{compute.FirewallDenyArgs{Protocol: pulumi.String("all")}},
	}, b.opts()...); err != nil {
		return err
	}
	for _, e := range appEgressOn(core.GCP) {
		var ranges []string
		switch e.To {
		case ToDatabase:
			ranges = []string{b.layout.peeringBase + "/16"}
		case ToCloudAPIs:
			ranges = gcpPrivateGoogleAccessRanges
		case ToInternet:
			ranges = []string{"0.0.0.0/0"}
		}
		if _, err := compute.NewFirewall(b.ctx, b.name+"-egress-"+e.Name, &compute.FirewallArgs{
			Name:                  pulumi.String(dep.Name("allow-egress", e.Name, site.Short())),
			Description:           pulumi.String(e.Why),
			Network:               net.ID(),
			Direction:             pulumi.String("EGRESS"),
			Priority:              pulumi.Int(1000),
			DestinationRanges:     pulumi.ToStringArray(ranges),
			TargetServiceAccounts: pulumi.StringArray{pulumi.String(b.appAccount)},
			Allows:                compute.FirewallAllowArray{compute.FirewallAllowArgs{Protocol: pulumi.String("tcp"), Ports: pulumi.StringArray{pulumi.Sprintf("%d", e.Port)}}},
		}, b.opts()...); err != nil {
			return err
		}
	}
	return nil
}
