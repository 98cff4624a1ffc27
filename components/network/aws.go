package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// aws: a VPC with public subnets (load balancer, NAT), private app subnets
// (egress through NAT only) and database subnets with no route out at all.
// Prod gets a NAT gateway per zone, so losing a zone does not cut egress
// for the others; other environments share one.
func (n *Network) aws(ctx *pulumi.Context, name string, args *NetworkArgs, l layout) error {
	dep, site := args.Deployment, args.Site
	opts := site.With(pulumi.Parent(n))
	zones := site.Zones()

	vpc, err := ec2.NewVpc(ctx, name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(l.cidr),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               pulumi.StringMap{"Name": pulumi.String(dep.Name(site.Short()))},
	}, opts...)
	if err != nil {
		return err
	}
	// The default security group allows all traffic between its members:
	// take every rule away so nothing lands in it by accident.
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default", &ec2.DefaultSecurityGroupArgs{VpcId: vpc.ID()}, opts...); err != nil {
		return err
	}
	igw, err := ec2.NewInternetGateway(ctx, name, &ec2.InternetGatewayArgs{VpcId: vpc.ID()}, opts...)
	if err != nil {
		return err
	}
	publicRT, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}},
	}, opts...)
	if err != nil {
		return err
	}
	databaseRT, err := ec2.NewRouteTable(ctx, name+"-database", &ec2.RouteTableArgs{VpcId: vpc.ID()}, opts...)
	if err != nil {
		return err
	}

	subnet := func(tier string, i int, cidr string, rt *ec2.RouteTable) (*ec2.Subnet, error) {
		sn, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-%s-%s", name, tier, zones[i]), &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(cidr),
			AvailabilityZone: pulumi.String(zones[i]),
			Tags:             pulumi.StringMap{"Name": pulumi.String(dep.Name(tier, zones[i])), "tier": pulumi.String(tier)},
		}, opts...)
		if err != nil {
			return nil, err
		}
		_, err = ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-%s-%s", name, tier, zones[i]), &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: rt.ID(),
		}, opts...)
		return sn, err
	}

	var appSubnets, databaseSubnets pulumi.StringArray
	var nat *ec2.NatGateway
	for i := range zones {
		public, err := subnet("public", i, l.public[i], publicRT)
		if err != nil {
			return err
		}
		if nat == nil || dep.IsProd() {
			eip, err := ec2.NewEip(ctx, fmt.Sprintf("%s-nat-%s", name, zones[i]), &ec2.EipArgs{Domain: pulumi.String("vpc")}, opts...)
			if err != nil {
				return err
			}
			nat, err = ec2.NewNatGateway(ctx, fmt.Sprintf("%s-%s", name, zones[i]), &ec2.NatGatewayArgs{
				AllocationId: eip.ID(), SubnetId: public.ID(),
			}, append(opts, pulumi.DependsOn([]pulumi.Resource{igw}))...)
			if err != nil {
				return err
			}
		}
		appRT, err := ec2.NewRouteTable(ctx, fmt.Sprintf("%s-app-%s", name, zones[i]), &ec2.RouteTableArgs{
			VpcId:  vpc.ID(),
			Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: nat.ID()}},
		}, opts...)
		if err != nil {
			return err
		}
		app, err := subnet("app", i, l.app[i], appRT)
		if err != nil {
			return err
		}
		db, err := subnet("database", i, l.database[i], databaseRT)
		if err != nil {
			return err
		}
		appSubnets = append(appSubnets, app.ID())
		databaseSubnets = append(databaseSubnets, db.ID())
	}

	appSG, err := ec2.NewSecurityGroup(ctx, name+"-app", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("WedSync application instances: the app port from inside the VPC (load balancer), all egress"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(AppPort), ToPort: pulumi.Int(AppPort),
			CidrBlocks: pulumi.StringArray{pulumi.String(l.cidr)}, Description: pulumi.String("load balancer to app"),
		}},
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Protocol: pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
			CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")}, Description: pulumi.String("updates, cloud APIs, the database"),
		}},
	}, opts...)
	if err != nil {
		return err
	}
	dbSG, err := ec2.NewSecurityGroup(ctx, name+"-database", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("WedSync databases: PostgreSQL from the application instances only"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(PostgresPort), ToPort: pulumi.Int(PostgresPort),
			SecurityGroups: pulumi.StringArray{appSG.ID()}, Description: pulumi.String("app to PostgreSQL"),
		}},
	}, opts...)
	if err != nil {
		return err
	}

	n.ID = vpc.ID().ToStringOutput()
	n.AppSubnetIDs = appSubnets.ToStringArrayOutput()
	n.DatabaseSubnetIDs = databaseSubnets.ToStringArrayOutput()
	n.AppSecurityGroupID = appSG.ID().ToStringOutput()
	n.DatabaseSecurityGroupID = dbSG.ID().ToStringOutput()
	return nil
}
