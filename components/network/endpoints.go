package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AWSInterfaceEndpoints are the AWS APIs the application calls on its data
// path, reached through interface endpoints with private DNS, so a key or
// secret call never leaves the VPC (or depends on the NAT gateways).
// S3 is reached through a gateway endpoint on the app route tables.
// docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
var AWSInterfaceEndpoints = []string{"kms", "secretsmanager", "appconfigdata"}

// AzureKeyVaultZone is the private DNS zone Key Vault's private endpoints
// register in (learn.microsoft.com/azure/private-link/private-endpoint-dns).
const AzureKeyVaultZone = "privatelink.vaultcore.azure.net"

// AzureAppConfigZone is the private DNS zone App Configuration's private
// endpoints register in (same page).
const AzureAppConfigZone = "privatelink.azconfig.io"

// awsPaths are what the app group's egress names to reach the AWS APIs
// privately: the interface endpoints' security group and the S3 gateway
// endpoint's prefix list.
type awsPaths struct {
	endpointGroup pulumi.StringInput
	s3PrefixList  pulumi.StringInput
}

// awsEndpoints are the VPC endpoints of the data path: S3 (gateway, on the
// app route tables) and each interface endpoint in the app subnets, behind
// a security group admitting HTTPS from the VPC only.
func (b *builder) awsEndpoints(vpc *ec2.Vpc, appSubnets, appRoutes pulumi.StringArray) (awsPaths, error) {
	sg, err := ec2.NewSecurityGroup(b.ctx, b.name+"-endpoints", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("WedSync VPC interface endpoints: HTTPS from inside the VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(b.layout.cidr)}, Description: pulumi.String("VPC to AWS APIs"),
		}},
	}, b.opts()...)
	if err != nil {
		return awsPaths{}, err
	}
	service := func(s string) pulumi.String {
		return pulumi.String(fmt.Sprintf("com.amazonaws.%s.%s", b.site.Region, s))
	}
	s3, err := ec2.NewVpcEndpoint(b.ctx, b.name+"-s3", &ec2.VpcEndpointArgs{
		VpcId: vpc.ID(), ServiceName: service("s3"), VpcEndpointType: pulumi.String("Gateway"), RouteTableIds: appRoutes,
		Tags: pulumi.StringMap{"Name": pulumi.String(b.dep.Name("s3", b.site.Short()))},
	}, b.opts()...)
	if err != nil {
		return awsPaths{}, err
	}
	for _, s := range AWSInterfaceEndpoints {
		if _, err := ec2.NewVpcEndpoint(b.ctx, b.name+"-"+s, &ec2.VpcEndpointArgs{
			VpcId: vpc.ID(), ServiceName: service(s), VpcEndpointType: pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true), SubnetIds: appSubnets, SecurityGroupIds: pulumi.StringArray{sg.ID()},
			Tags: pulumi.StringMap{"Name": pulumi.String(b.dep.Name(s, b.site.Short()))},
		}, b.opts()...); err != nil {
			return awsPaths{}, err
		}
	}
	return awsPaths{endpointGroup: sg.ID(), s3PrefixList: s3.PrefixListId}, nil
}
