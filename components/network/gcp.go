package network

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/servicenetworking"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// gcpHealthCheckRanges are where Google's load balancer and autohealing
// health checks come from.
var gcpHealthCheckRanges = []string{"35.191.0.0/16", "130.211.0.0/22"}

// AppTag marks instances that serve the app; firewall rules target it.
const AppTag = "wedsync-app"

// gcp: a custom-mode network with one regional subnetwork (flow logs and
// private Google access on), Cloud NAT for egress, private services access
// for Cloud SQL's private IP, and a firewall that admits only health checks
// and the load balancer to the app.
func (n *Network) gcp(ctx *pulumi.Context, name string, args *NetworkArgs, l layout) error {
	dep, site := args.Deployment, args.Site
	opts := site.With(pulumi.Parent(n))

	net, err := compute.NewNetwork(ctx, name, &compute.NetworkArgs{
		Name:                  pulumi.String(dep.Name(site.Short())),
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
	}, opts...)
	if err != nil {
		return err
	}
	subnet, err := compute.NewSubnetwork(ctx, name+"-app", &compute.SubnetworkArgs{
		Name:                  pulumi.String(dep.Name("app", site.Short())),
		Network:               net.ID(),
		Region:                pulumi.String(site.Region),
		IpCidrRange:           pulumi.String(l.cidr),
		PrivateIpGoogleAccess: pulumi.Bool(true),
		LogConfig: &compute.SubnetworkLogConfigArgs{
			AggregationInterval: pulumi.String("INTERVAL_5_SEC"),
			FlowSampling:        pulumi.Float64(0.5),
			Metadata:            pulumi.String("INCLUDE_ALL_METADATA"),
		},
	}, opts...)
	if err != nil {
		return err
	}
	router, err := compute.NewRouter(ctx, name, &compute.RouterArgs{
		Name: pulumi.String(dep.Name(site.Short())), Network: net.ID(), Region: pulumi.String(site.Region),
	}, opts...)
	if err != nil {
		return err
	}
	if _, err := compute.NewRouterNat(ctx, name, &compute.RouterNatArgs{
		Name:                          pulumi.String(dep.Name(site.Short())),
		Router:                        router.Name,
		Region:                        pulumi.String(site.Region),
		NatIpAllocateOption:           pulumi.String("AUTO_ONLY"),
		SourceSubnetworkIpRangesToNat: pulumi.String("ALL_SUBNETWORKS_ALL_IP_RANGES"),
		LogConfig:                     &compute.RouterNatLogConfigArgs{Enable: pulumi.Bool(true), Filter: pulumi.String("ERRORS_ONLY")},
	}, opts...); err != nil {
		return err
	}
	if _, err := compute.NewFirewall(ctx, name+"-health-checks", &compute.FirewallArgs{
		Name:         pulumi.String(dep.Name("allow-health-checks", site.Short())),
		Network:      net.ID(),
		Direction:    pulumi.String("INGRESS"),
		SourceRanges: pulumi.ToStringArray(gcpHealthCheckRanges),
		TargetTags:   pulumi.StringArray{pulumi.String(AppTag)},
		Allows:       compute.FirewallAllowArray{compute.FirewallAllowArgs{Protocol: pulumi.String("tcp"), Ports: pulumi.StringArray{pulumi.Sprintf("%d", AppPort)}}},
	}, opts...); err != nil {
		return err
	}
	peeringRange, err := compute.NewGlobalAddress(ctx, name+"-private-services", &compute.GlobalAddressArgs{
		Name:         pulumi.String(dep.Name("private-services", site.Short())),
		Network:      net.ID(),
		Purpose:      pulumi.String("VPC_PEERING"),
		AddressType:  pulumi.String("INTERNAL"),
		Address:      pulumi.String(l.peeringBase),
		PrefixLength: pulumi.Int(16),
	}, opts...)
	if err != nil {
		return err
	}
	peering, err := servicenetworking.NewConnection(ctx, name+"-private-services", &servicenetworking.ConnectionArgs{
		Network:               net.ID(),
		Service:               pulumi.String("servicenetworking.googleapis.com"),
		ReservedPeeringRanges: pulumi.StringArray{peeringRange.Name},
	}, opts...)
	if err != nil {
		return err
	}

	n.ID = net.ID().ToStringOutput()
	n.AppSubnetIDs = pulumi.StringArray{subnet.SelfLink}.ToStringArrayOutput()
	n.DatabaseSubnetIDs = pulumi.StringArray{}.ToStringArrayOutput()
	n.Ready = []pulumi.Resource{peering}
	return nil
}
