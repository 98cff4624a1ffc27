package ciaccess

import "github.com/wedsync/wedsync-infra/components/core"

// DrillTypes are, per cloud (AWS and GCP: see drill.go for Azure), the
// resource types a restore drill's scratch
// stack registers: the source's DR stack in drill mode (stacks.Recovery
// Drill, `dr drill --recovery-stack`). The drill identity may create,
// change and delete these, under the scratch names only (drill.go), with
// the rows the deploy identity's tables give them. internal/offline's
// TestDrillIdentityCoversTheDrillPlanAndNoMore holds this list equal to
// the drill plans' types: a type the drill plan gains fails it until it is
// added here, and one it loses until it is removed.
var DrillTypes = map[core.Cloud][]string{
	core.AWS: {
		"aws:budgets/budget:Budget",
		"aws:cloudwatch/eventRule:EventRule",
		"aws:cloudwatch/logGroup:LogGroup",
		"aws:cloudwatch/metricAlarm:MetricAlarm",
		"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
		"aws:ec2/eip:Eip",
		"aws:ec2/internetGateway:InternetGateway",
		"aws:ec2/natGateway:NatGateway",
		"aws:ec2/routeTable:RouteTable",
		"aws:ec2/routeTableAssociation:RouteTableAssociation",
		"aws:ec2/securityGroup:SecurityGroup",
		"aws:ec2/subnet:Subnet",
		"aws:ec2/vpc:Vpc",
		"aws:ec2/vpcEndpoint:VpcEndpoint",
		"aws:iam/role:Role",
		"aws:iam/rolePolicy:RolePolicy",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"aws:kms/alias:Alias",
		"aws:kms/key:Key",
		"aws:rds/instance:Instance",
		"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
		"aws:rds/parameterGroup:ParameterGroup",
		"aws:rds/proxy:Proxy",
		"aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
		"aws:rds/proxyTarget:ProxyTarget",
		"aws:rds/subnetGroup:SubnetGroup",
		"aws:secretsmanager/secret:Secret",
		"aws:sns/topic:Topic",
		"aws:sns/topicPolicy:TopicPolicy",
		"aws:sns/topicSubscription:TopicSubscription",
		"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
	},
	core.GCP: {
		"gcp:billing/budget:Budget",
		"gcp:compute/firewall:Firewall",
		"gcp:compute/globalAddress:GlobalAddress",
		"gcp:compute/network:Network",
		"gcp:compute/router:Router",
		"gcp:compute/routerNat:RouterNat",
		"gcp:compute/subnetwork:Subnetwork",
		"gcp:logging/metric:Metric",
		"gcp:monitoring/alertPolicy:AlertPolicy",
		"gcp:monitoring/notificationChannel:NotificationChannel",
		"gcp:projects/iAMMember:IAMMember",
		"gcp:servicenetworking/connection:Connection",
		"gcp:sql/databaseInstance:DatabaseInstance",
	},
}
