package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	vpc_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// aws: a VPC with public subnets (load balancer, NAT), private app subnets
// (egress through NAT only) and database subnets with no route out at all.
// Prod gets a NAT gateway per zone, so losing a zone does not cut egress
// for the others; other environments share one.
func (b *builder) aws() (outputs, error) {
	vpc, igw, err := b.awsVPC()
	if err != nil {
		return outputs{}, err
	}
	publicRT, err := ec2.NewRouteTable(b.ctx, b.name+"-public", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}},
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	databaseRT, err := ec2.NewRouteTable(b.ctx, b.name+"-database", &ec2.RouteTableArgs{VpcId: vpc.ID()}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	publicSubnets, appSubnets, databaseSubnets, appRoutes, err := b.awsZones(vpc, igw, publicRT, databaseRT)
	if err != nil {
		return outputs{}, err
	}
	paths, err := b.awsEndpoints(vpc, appSubnets, appRoutes)
	if err != nil {
		return outputs{}, err
	}
	appSG, dbSG, err := b.awsSecurityGroups(vpc, paths)
	if err != nil {
		return outputs{}, err
	}
	return outputs{
		ID:                      vpc.ID().ToStringOutput(),
		AppSubnetIDs:            appSubnets.ToStringArrayOutput(),
		PublicSubnetIDs:         publicSubnets.ToStringArrayOutput(),
		DatabaseSubnetIDs:       databaseSubnets.ToStringArrayOutput(),
		AppSecurityGroupID:      appSG.ID().ToStringOutput(),
		DatabaseSecurityGroupID: dbSG.ID().ToStringOutput(),
	}, nil
}

// awsVPC is the VPC, with its default security group emptied, and its
// internet gateway.
func (b *builder) awsVPC() (*ec2.Vpc, *ec2.InternetGateway, error) {
	vpc, err := ec2.NewVpc(b.ctx, b.name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(b.layout.cidr),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               pulumi.StringMap{"Name": pulumi.String(b.dep.Name(b.site.Short()))},
	}, b.opts()...)
	if err != nil {
		return nil, nil, err
	}
	// The default security group allows all traffic between its members:
	// take every rule away so nothing lands in it by accident.
	if _, err := ec2.NewDefaultSecurityGroup(b.ctx, b.name+"-default", &ec2.DefaultSecurityGroupArgs{VpcId: vpc.ID()}, b.opts()...); err != nil {
		return nil, nil, err
	}
	igw, err := ec2.NewInternetGateway(b.ctx, b.name, &ec2.InternetGatewayArgs{VpcId: vpc.ID()}, b.opts()...)
	return vpc, igw, err
}

// awsZones makes each zone's public, app and database subnets, and the NAT
// gateways the app subnets route out through, and returns the public, app
// and database subnet ids and the app subnets' route tables.
func (b *builder) awsZones(vpc *ec2.Vpc, igw *ec2.InternetGateway, publicRT, databaseRT *ec2.RouteTable) (publics, app, database, appRoutes pulumi.StringArray, err error) {
	zones, l := b.site.Zones(), b.layout
	var nat *ec2.NatGateway
	for i, zone := range zones {
		public, err := b.awsSubnet(vpc, "public", zone, l.public[i], publicRT)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if nat == nil || b.dep.IsProd() {
			eip, err := ec2.NewEip(b.ctx, fmt.Sprintf("%s-nat-%s", b.name, zone), &ec2.EipArgs{Domain: pulumi.String("vpc")}, b.opts()...)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			nat, err = ec2.NewNatGateway(b.ctx, fmt.Sprintf("%s-%s", b.name, zone), &ec2.NatGatewayArgs{
				AllocationId: eip.ID(), SubnetId: public.ID(),
			}, b.opts(pulumi.DependsOn([]pulumi.Resource{igw}))...)
			if err != nil {
				return nil, nil, nil, nil, err
			}
		}
		appRT, err := ec2.NewRouteTable(b.ctx, fmt.Sprintf("%s-app-%s", b.name, zone), &ec2.RouteTableArgs{
			VpcId:  vpc.ID(),
			Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: nat.ID()}},
		}, b.opts()...)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		a, err := b.awsSubnet(vpc, "app", zone, l.app[i], appRT)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		db, err := b.awsSubnet(vpc, "database", zone, l.database[i], databaseRT)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		publics, app, database, appRoutes = append(publics, public.ID()), append(app, a.ID()), append(database, db.ID()), append(appRoutes, appRT.ID())
	}
	return publics, app, database, appRoutes, nil
}

// awsSubnet is one tier's subnet in zone, associated with rt.
func (b *builder) awsSubnet(vpc *ec2.Vpc, tier, zone, cidr string, rt *ec2.RouteTable) (*ec2.Subnet, error) {
	name := fmt.Sprintf("%s-%s-%s", b.name, tier, zone)
	sn, err := ec2.NewSubnet(b.ctx, name, &ec2.SubnetArgs{
		VpcId:            vpc.ID(),
		CidrBlock:        pulumi.String(cidr),
		AvailabilityZone: pulumi.String(zone),
		Tags:             pulumi.StringMap{"Name": pulumi.String(b.dep.Name(tier, zone)), "tier": pulumi.String(tier)},
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	_, err = ec2.NewRouteTableAssociation(b.ctx, name, &ec2.RouteTableAssociationArgs{
		SubnetId: sn.ID(), RouteTableId: rt.ID(),
	}, b.opts()...)
	return sn, err
}

// awsSecurityGroups are the app group (the app port from inside the VPC in;
// out, AppEgress and nothing else) and the database group (PostgreSQL from
// the app group, and from its own members: RDS Proxy to the instance).
//
// The app group's egress names the database group, and the database
// group's ingress names the app group: inline on both they would be a
// cycle, so the database group is made empty and its ingress rules are
// resources of their own (a group must not mix inline rules with rule
// resources). Security groups deny what they do not allow, so AppEgress
// is the whole of what leaves an instance.
func (b *builder) awsSecurityGroups(vpc *ec2.Vpc, paths awsPaths) (app, database *ec2.SecurityGroup, err error) {
	database, err = ec2.NewSecurityGroup(b.ctx, b.name+"-database", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("WedSync databases: PostgreSQL from the application instances only"),
	}, b.opts()...)
	if err != nil {
		return nil, nil, err
	}
	app, err = ec2.NewSecurityGroup(b.ctx, b.name+"-app", &ec2.SecurityGroupArgs{
		VpcId: vpc.ID(),
		// Unchanged although egress is no longer "all": a security
		// group's description forces its replacement.
		Description: pulumi.String("WedSync application instances: the app port from inside the VPC (load balancer), all egress"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(AppPort), ToPort: pulumi.Int(AppPort),
			CidrBlocks: pulumi.StringArray{pulumi.String(b.layout.cidr)}, Description: pulumi.String("load balancer to app"),
		}},
		Egress: awsAppEgress(database, paths),
	}, b.opts()...)
	if err != nil {
		return nil, nil, err
	}
	rule := func(key, why string, from pulumi.StringInput) error {
		_, err := vpc_.NewSecurityGroupIngressRule(b.ctx, b.name+"-database-"+key, &vpc_.SecurityGroupIngressRuleArgs{
			SecurityGroupId: database.ID(), ReferencedSecurityGroupId: from,
			IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(PostgresPort), ToPort: pulumi.Int(PostgresPort),
			Description: pulumi.String(why),
		}, b.opts()...)
		return err
	}
	if err := rule("from-app", "app to PostgreSQL", app.ID()); err != nil {
		return nil, nil, err
	}
	return app, database, rule("from-proxy", "RDS Proxy to PostgreSQL", database.ID())
}

// awsAppEgress translates AppEgress: the database tier by its security
// group, the cloud APIs by the interface endpoints' group and the S3
// gateway endpoint's prefix list, the internet by address, TCP only.
func awsAppEgress(database *ec2.SecurityGroup, paths awsPaths) ec2.SecurityGroupEgressArray {
	var out ec2.SecurityGroupEgressArray
	for _, e := range appEgressOn(core.AWS) {
		r := ec2.SecurityGroupEgressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(e.Port), ToPort: pulumi.Int(e.Port),
			Description: pulumi.String(e.Name),
		}
		switch e.To {
		case ToDatabase:
			r.SecurityGroups = pulumi.StringArray{database.ID()}
		case ToCloudAPIs:
			r.SecurityGroups = pulumi.StringArray{paths.endpointGroup}
			r.PrefixListIds = pulumi.StringArray{paths.s3PrefixList}
		case ToInternet:
			r.CidrBlocks = pulumi.StringArray{pulumi.String("0.0.0.0/0")}
		}
		out = append(out, r)
	}
	return out
}
