package ciaccess

// The AWS deploy identity's table: per planned type, the IAM actions the
// provider calls to create, read, update and delete it (never a wildcard),
// and where the service lets a policy name the resource, the ARNs of the
// stack's names. Action names are from the Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/ :
// list_amazonec2.html, list_amazons3.html, list_awskeymanagementservice.html,
// list_amazonrds.html, list_awsidentityandaccessmanagementiam.html,
// list_awselasticloadbalancingv2.html, list_awsbackup.html (CreateBackupVault
// also needs backup-storage:MountCapsule and kms:CreateGrant, per
// list_awsbackupstorage.html), list_awsbudgetservice.html,
// list_awscloudtrail.html, list_amazoncloudwatch.html,
// list_amazoneventbridge.html, list_amazoncloudwatchlogs.html,
// list_amazonec2autoscaling.html, list_awsappconfig.html,
// list_awscertificatemanager.html, list_amazonroute53.html,
// list_awssecretsmanager.html, list_awsstepfunctions.html, list_amazonsns.html,
// list_awswafv2.html.

// awsRow is what one resource type needs.
type awsRow struct {
	Actions []string
	// ARNs, when set, are the resources the actions apply to, as templates
	// of {region}, {prefix} (the stack's name and a hyphen) and {ci} (the
	// CI identities' own names): the service supports resource-level
	// permissions for every action of the row and the stack names every
	// such resource with its prefix (TestPlannedNamesFitTheScopes holds
	// that against each shipped plan). Unset: any resource of the
	// service in the stack's regions (aws:RequestedRegion).
	ARNs []string
	// Global services (IAM, Route 53, Budgets) take no region condition:
	// their requests are signed for us-east-1.
	Global bool
	// Condition narrows the row's actions further (e.g. kms:CreateGrant
	// only for the grantee the stack grants).
	Condition map[string]any
}

var (
	awsTags       = []string{"ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags"}
	awsStackRoles = []string{"arn:aws:iam::*:role/{prefix}*"}
	awsBuckets    = []string{"arn:aws:s3:::{prefix}*"}
	awsTopics     = []string{"arn:aws:sns:{region}:*:{prefix}*"}
)

func withTags(actions ...string) []string { return append(actions, awsTags...) }

// awsTable has a row for every AWS type a stack plans.
var awsTable = map[string]awsRow{
	// The provider itself: the lookups components make (zones, regions,
	// the ALB log-delivery account, images).
	"pulumi:providers:aws": {Actions: []string{"ec2:DescribeAvailabilityZones", "ec2:DescribeRegions", "ec2:DescribeAccountAttributes", "ec2:DescribeImages"}},

	"aws:acm/certificate:Certificate": {Actions: []string{"acm:RequestCertificate", "acm:DescribeCertificate", "acm:DeleteCertificate",
		"acm:ListTagsForCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"}},
	"aws:acm/certificateValidation:CertificateValidation": {Actions: []string{"acm:DescribeCertificate"}},

	"aws:appconfig/application:Application": {Actions: []string{"appconfig:CreateApplication", "appconfig:GetApplication", "appconfig:UpdateApplication",
		"appconfig:DeleteApplication", "appconfig:ListTagsForResource", "appconfig:TagResource", "appconfig:UntagResource"}},
	"aws:appconfig/configurationProfile:ConfigurationProfile": {Actions: []string{"appconfig:CreateConfigurationProfile", "appconfig:GetConfigurationProfile",
		"appconfig:UpdateConfigurationProfile", "appconfig:DeleteConfigurationProfile", "appconfig:ListTagsForResource", "appconfig:TagResource", "appconfig:UntagResource"}},
	"aws:appconfig/deployment:Deployment": {Actions: []string{"appconfig:StartDeployment", "appconfig:GetDeployment", "appconfig:StopDeployment",
		"appconfig:ListTagsForResource", "appconfig:TagResource"}},
	"aws:appconfig/deploymentStrategy:DeploymentStrategy": {Actions: []string{"appconfig:CreateDeploymentStrategy", "appconfig:GetDeploymentStrategy",
		"appconfig:UpdateDeploymentStrategy", "appconfig:DeleteDeploymentStrategy", "appconfig:ListTagsForResource", "appconfig:TagResource", "appconfig:UntagResource"}},
	"aws:appconfig/environment:Environment": {Actions: []string{"appconfig:CreateEnvironment", "appconfig:GetEnvironment", "appconfig:UpdateEnvironment",
		"appconfig:DeleteEnvironment", "appconfig:ListTagsForResource", "appconfig:TagResource", "appconfig:UntagResource"}},
	"aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion": {Actions: []string{"appconfig:CreateHostedConfigurationVersion",
		"appconfig:GetHostedConfigurationVersion", "appconfig:DeleteHostedConfigurationVersion"}},

	// Auto Scaling launches from the launch template as the caller:
	// ec2:RunInstances and passing the instance role.
	"aws:autoscaling/group:Group": {Actions: []string{"autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup",
		"autoscaling:DeleteAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities",
		"autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags", "autoscaling:StartInstanceRefresh", "autoscaling:DescribeInstanceRefreshes",
		"autoscaling:CancelInstanceRefresh", "autoscaling:EnableMetricsCollection", "autoscaling:DisableMetricsCollection",
		"autoscaling:AttachLoadBalancerTargetGroups", "autoscaling:DetachLoadBalancerTargetGroups", "autoscaling:DescribeLoadBalancerTargetGroups",
		"autoscaling:SetInstanceProtection", "ec2:RunInstances", "ec2:DescribeLaunchTemplateVersions"}},
	"aws:autoscaling/policy:Policy": {Actions: []string{"autoscaling:PutScalingPolicy", "autoscaling:DescribePolicies", "autoscaling:DeletePolicy"}},
	"aws:autoscaling/schedule:Schedule": {Actions: []string{"autoscaling:PutScheduledUpdateGroupAction", "autoscaling:DescribeScheduledActions",
		"autoscaling:DeleteScheduledAction"}},

	"aws:backup/plan:Plan": {Actions: []string{"backup:CreateBackupPlan", "backup:GetBackupPlan", "backup:UpdateBackupPlan", "backup:DeleteBackupPlan",
		"backup:ListTags", "backup:TagResource", "backup:UntagResource"}},
	// Restore testing and Audit Manager report plans (Service Authorization
	// Reference, AWS Backup): their definitions only; AWS Backup runs the
	// restore tests and writes the reports as itself.
	"aws:backup/reportPlan:ReportPlan": {Actions: []string{"backup:CreateReportPlan", "backup:DescribeReportPlan", "backup:UpdateReportPlan",
		"backup:DeleteReportPlan", "backup:ListTags", "backup:TagResource", "backup:UntagResource"}},
	"aws:backup/restoreTestingPlan:RestoreTestingPlan": {Actions: []string{"backup:CreateRestoreTestingPlan", "backup:GetRestoreTestingPlan",
		"backup:UpdateRestoreTestingPlan", "backup:DeleteRestoreTestingPlan", "backup:ListTags", "backup:TagResource", "backup:UntagResource"}},
	"aws:backup/restoreTestingSelection:RestoreTestingSelection": {Actions: []string{"backup:CreateRestoreTestingSelection",
		"backup:GetRestoreTestingSelection", "backup:UpdateRestoreTestingSelection", "backup:DeleteRestoreTestingSelection"}},
	"aws:backup/selection:Selection": {Actions: []string{"backup:CreateBackupSelection", "backup:GetBackupSelection", "backup:DeleteBackupSelection"}},
	"aws:backup/vault:Vault": {Actions: []string{"backup:CreateBackupVault", "backup:DescribeBackupVault", "backup:DeleteBackupVault",
		"backup:ListTags", "backup:TagResource", "backup:UntagResource", "backup-storage:MountCapsule", "kms:DescribeKey"}},
	"aws:backup/vaultLockConfiguration:VaultLockConfiguration": {Actions: []string{"backup:PutBackupVaultLockConfiguration", "backup:DescribeBackupVault",
		"backup:DeleteBackupVaultLockConfiguration"}},

	"aws:budgets/budget:Budget": {Global: true, Actions: []string{"budgets:ModifyBudget", "budgets:ViewBudget", "budgets:ListTagsForResource",
		"budgets:TagResource", "budgets:UntagResource"}},

	"aws:cloudtrail/eventDataStore:EventDataStore": {Actions: []string{"cloudtrail:CreateEventDataStore", "cloudtrail:GetEventDataStore",
		"cloudtrail:UpdateEventDataStore", "cloudtrail:DeleteEventDataStore", "cloudtrail:AddTags", "cloudtrail:RemoveTags", "cloudtrail:ListTags"}},

	"aws:cloudwatch/dashboard:Dashboard": {Actions: []string{"cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"}},
	"aws:cloudwatch/eventRule:EventRule": {Actions: []string{"events:PutRule", "events:DescribeRule", "events:DeleteRule", "events:EnableRule",
		"events:DisableRule", "events:ListTagsForResource", "events:TagResource", "events:UntagResource"}},
	"aws:cloudwatch/eventTarget:EventTarget": {Actions: []string{"events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"}},
	"aws:cloudwatch/logGroup:LogGroup": {Actions: []string{"logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:DeleteLogGroup",
		"logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
		"logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource"}},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {Actions: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
		"cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"}},

	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {Actions: withTags("ec2:DescribeSecurityGroups", "ec2:AuthorizeSecurityGroupIngress",
		"ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress")},
	"aws:ec2/eip:Eip":         {Actions: withTags("ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute")},
	"aws:ec2/flowLog:FlowLog": {Actions: withTags("ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs")},
	"aws:ec2/internetGateway:InternetGateway": {Actions: withTags("ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:DescribeInternetGateways",
		"ec2:AttachInternetGateway", "ec2:DetachInternetGateway")},
	"aws:ec2/launchTemplate:LaunchTemplate": {Actions: withTags("ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
		"ec2:DeleteLaunchTemplate", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions")},
	"aws:ec2/natGateway:NatGateway": {Actions: withTags("ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DescribeNatGateways")},
	"aws:ec2/routeTable:RouteTable": {Actions: withTags("ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:DescribeRouteTables",
		"ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute")},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {Actions: []string{"ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
		"ec2:ReplaceRouteTableAssociation", "ec2:DescribeRouteTables"}},
	"aws:ec2/securityGroup:SecurityGroup": {Actions: withTags("ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups",
		"ec2:DescribeSecurityGroupRules", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
		"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress")},
	"aws:ec2/subnet:Subnet": {Actions: withTags("ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute")},
	"aws:ec2/vpc:Vpc": {Actions: withTags("ec2:CreateVpc", "ec2:DeleteVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute",
		"ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups")},
	"aws:ec2/vpcEndpoint:VpcEndpoint": {Actions: withTags("ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
		"ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists")},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {Actions: withTags("ec2:AuthorizeSecurityGroupIngress",
		"ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules", "ec2:ModifySecurityGroupRules")},

	// IAM: only the stack's own names; the deny on the CI identities
	// (awsGuards) wins over these for the CI roles and policies.
	"aws:iam/instanceProfile:InstanceProfile": {Global: true, ARNs: []string{"arn:aws:iam::*:instance-profile/{prefix}*"}, Actions: []string{
		"iam:CreateInstanceProfile", "iam:GetInstanceProfile", "iam:DeleteInstanceProfile", "iam:AddRoleToInstanceProfile",
		"iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile"}},
	"aws:iam/role:Role": {Global: true, ARNs: awsStackRoles, Actions: []string{"iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole",
		"iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies",
		"iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:PassRole"}},
	"aws:iam/rolePolicy:RolePolicy": {Global: true, ARNs: awsStackRoles, Actions: []string{"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"}},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {Global: true, ARNs: awsStackRoles, Actions: []string{"iam:AttachRolePolicy",
		"iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"}},
	// The CI identities' own: read only.
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {Global: true, ARNs: []string{"arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com"},
		Actions: []string{"iam:GetOpenIDConnectProvider"}},
	"aws:iam/policy:Policy": {Global: true, ARNs: []string{"arn:aws:iam::*:policy/{ci}-*"}, Actions: []string{"iam:GetPolicy", "iam:GetPolicyVersion",
		"iam:ListPolicyVersions"}},

	// KMS keys have generated ids: any key in the stack's regions. The
	// deploy role may write key policies (the stack's keys name their
	// users) but never use a key itself (awsGuards), so no key policy
	// can give CI the data.
	"aws:kms/alias:Alias": {Actions: []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"}},
	// The launch template's volumes: a grant to the Auto Scaling service
	// role only.
	"aws:kms/grant:Grant": {Actions: []string{"kms:CreateGrant", "kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant"},
		Condition: map[string]any{"ArnLike": map[string]any{"kms:GranteePrincipal": "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}}},
	"aws:kms/key:Key": {Actions: []string{"kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
		"kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
		"kms:ScheduleKeyDeletion", "kms:UpdateKeyDescription", "kms:EnableKey", "kms:DisableKey", "kms:ListAliases"}},
	"aws:kms/replicaKey:ReplicaKey": {Actions: []string{"kms:ReplicateKey", "kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
		"kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:EnableKey", "kms:DisableKey"}},

	"aws:lb/listener:Listener": {Actions: []string{"elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
		"elasticloadbalancing:ModifyListener", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
		"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags"}},
	"aws:lb/loadBalancer:LoadBalancer": {Actions: []string{"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer",
		"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
		"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
		"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags"}},
	"aws:lb/targetGroup:TargetGroup": {Actions: []string{"elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup",
		"elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DescribeTargetGroups",
		"elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags"}},

	// RDS names the default option group too (og:default:...): any RDS
	// resource in the stack's regions. An encrypted instance needs the
	// caller's kms:CreateGrant for RDS (awsServiceGrants).
	"aws:rds/instance:Instance": {Actions: []string{"rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:DescribeDBInstances",
		"rds:RebootDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource", "kms:DescribeKey"}},
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": {Actions: []string{"rds:StartDBInstanceAutomatedBackupsReplication",
		"rds:StopDBInstanceAutomatedBackupsReplication", "rds:DescribeDBInstanceAutomatedBackups", "rds:DescribeDBInstances", "kms:DescribeKey"}},
	"aws:rds/parameterGroup:ParameterGroup": {Actions: []string{"rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:DeleteDBParameterGroup",
		"rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ResetDBParameterGroup", "rds:AddTagsToResource", "rds:ListTagsForResource"}},
	"aws:rds/proxy:Proxy": {Actions: []string{"rds:CreateDBProxy", "rds:ModifyDBProxy", "rds:DeleteDBProxy", "rds:DescribeDBProxies",
		"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource"}},
	"aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": {Actions: []string{"rds:ModifyDBProxyTargetGroup", "rds:DescribeDBProxyTargetGroups"}},
	"aws:rds/proxyTarget:ProxyTarget":                         {Actions: []string{"rds:RegisterDBProxyTargets", "rds:DeregisterDBProxyTargets", "rds:DescribeDBProxyTargets"}},
	"aws:rds/subnetGroup:SubnetGroup": {Actions: []string{"rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup",
		"rds:DescribeDBSubnetGroups", "rds:AddTagsToResource", "rds:ListTagsForResource"}},

	"aws:route53/healthCheck:HealthCheck": {Global: true, Actions: []string{"route53:CreateHealthCheck", "route53:UpdateHealthCheck",
		"route53:DeleteHealthCheck", "route53:GetHealthCheck", "route53:ChangeTagsForResource", "route53:ListTagsForResource"}},
	"aws:route53/record:Record": {Global: true, Actions: []string{"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
		"route53:GetChange", "route53:GetHostedZone"}},

	// S3: the stack's buckets only, configuration never objects (no
	// s3:GetObject: awsGuards denies it outright). HeadBucket is
	// authorized by s3:ListBucket.
	"aws:s3/bucketV2:BucketV2": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket",
		"s3:GetBucketLocation", "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite",
		"s3:GetBucketVersioning", "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging",
		"s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
		"s3:GetBucketObjectLockConfiguration", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketOwnershipControls"}},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {Global: true, ARNs: awsBuckets, Actions: []string{
		"s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"}},
	"aws:s3/bucketMetric:BucketMetric": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetMetricsConfiguration", "s3:PutMetricsConfiguration"}},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": {Global: true, ARNs: awsBuckets, Actions: []string{
		"s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"}},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetBucketOwnershipControls",
		"s3:PutBucketOwnershipControls"}},
	"aws:s3/bucketPolicy:BucketPolicy": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetBucketPublicAccessBlock",
		"s3:PutBucketPublicAccessBlock"}},
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetReplicationConfiguration",
		"s3:PutReplicationConfiguration"}},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {Global: true, ARNs: awsBuckets, Actions: []string{
		"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"}},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetBucketVersioning", "s3:PutBucketVersioning"}},
	"aws:s3/inventory:Inventory":                   {Global: true, ARNs: awsBuckets, Actions: []string{"s3:GetInventoryConfiguration", "s3:PutInventoryConfiguration"}},

	// Secrets: the secret's settings, never its value
	// (secretsmanager:GetSecretValue is denied by awsGuards).
	"aws:secretsmanager/secret:Secret": {Actions: []string{"secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret",
		"secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:GetResourcePolicy",
		"secretsmanager:ReplicateSecretToRegions", "secretsmanager:RemoveRegionsFromReplication", "kms:DescribeKey"}},

	"aws:sfn/stateMachine:StateMachine": {ARNs: []string{"arn:aws:states:{region}:*:stateMachine:{prefix}*"}, Actions: []string{
		"states:CreateStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine", "states:DescribeStateMachine",
		"states:ListStateMachineVersions", "states:ListTagsForResource", "states:TagResource", "states:UntagResource"}},

	"aws:sns/topic:Topic": {ARNs: awsTopics, Actions: []string{"sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
		"sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource"}},
	"aws:sns/topicPolicy:TopicPolicy": {ARNs: awsTopics, Actions: []string{"sns:GetTopicAttributes", "sns:SetTopicAttributes"}},
	"aws:sns/topicSubscription:TopicSubscription": {ARNs: awsTopics, Actions: []string{"sns:Subscribe", "sns:Unsubscribe",
		"sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"}},

	"aws:wafv2/webAcl:WebAcl": {Actions: []string{"wafv2:CreateWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL", "wafv2:GetWebACL",
		"wafv2:ListTagsForResource", "wafv2:TagResource", "wafv2:UntagResource"}},
	"aws:wafv2/webAclAssociation:WebAclAssociation": {Actions: []string{"wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
		"wafv2:GetWebACLForResource", "elasticloadbalancing:SetWebACL"}},
}

// awsServiceGrants: RDS and AWS Backup create a KMS grant for the
// resource they encrypt, as the caller; allowed only when the grant is for
// an AWS resource (kms:GrantIsForAWSResource), never for a principal.
// Rows whose type is planned pull it in.
var awsServiceGrants = struct {
	Types []string
	Row   awsRow
}{
	Types: []string{"aws:rds/instance:Instance", "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "aws:backup/vault:Vault"},
	Row:   awsRow{Actions: []string{"kms:CreateGrant"}, Condition: map[string]any{"Bool": map[string]any{"kms:GrantIsForAWSResource": "true"}}},
}

// AWSDataReads are the actions that read guest data or backups, or use a
// key directly: the deploy identity is denied them outright (awsGuards),
// and the pack refuses a CI role that is allowed any of them.
var AWSDataReads = []string{
	"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", "s3:RestoreObject",
	"secretsmanager:GetSecretValue", "rds-db:connect", "backup:StartRestoreJob",
	"kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
}

// AWSKeyGrants are the actions that give a principal use of a key or data:
// the pack refuses them to a CI role unless narrowed by a condition.
var AWSKeyGrants = []string{"kms:CreateGrant"}
