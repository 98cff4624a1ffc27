package main

// tfTypes maps a Pulumi type token of the Terraform-bridged providers
// (pulumi-aws v6, pulumi-gcp v7) to the Terraform resource type it wraps,
// for every type in our plans that Trivy's Terraform adapters read
// (github.com/aquasecurity/trivy v0.74.0, pkg/iac/adapters/terraform/{aws,google}).
// Types Trivy has no adapter for are not converted: they can yield no finding.
//
// The pairs are the bridge's own mapping: each pulumi-aws and pulumi-gcp
// resource page names the Terraform resource it is generated from, and the
// providers' mapping tables say the same (pulumi/pulumi-aws provider/resources.go,
// pulumi/pulumi-gcp provider/resources.go; the V2 S3 tokens are the
// aws_s3_bucket_* resources, per https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketv2/).
//
// Attribute names: the bridge names an input by camelCasing the Terraform
// attribute, and pluralising it when it is a list or set that is not
// MaxItems=1 (pulumi-terraform-bridge, TerraformToPulumiNameV2). snakeCase
// undoes the first; renames undoes the second where Terraform's name is
// singular (block names from the Terraform provider docs,
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/<type>
// and https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/<type>).
var tfTypes = map[string]tfSpec{
	// AWS
	"aws:cloudwatch/logGroup:LogGroup":                  {Type: "aws_cloudwatch_log_group"},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {Type: "aws_default_security_group"},
	"aws:ec2/flowLog:FlowLog":                           {Type: "aws_flow_log"},
	"aws:ec2/launchTemplate:LaunchTemplate":             {Type: "aws_launch_template"},
	"aws:ec2/securityGroup:SecurityGroup":               {Type: "aws_security_group"},
	"aws:ec2/subnet:Subnet":                             {Type: "aws_subnet"},
	"aws:ec2/vpc:Vpc":                                   {Type: "aws_vpc"},
	"aws:iam/policy:Policy":                             {Type: "aws_iam_policy"},
	"aws:iam/role:Role":                                 {Type: "aws_iam_role"},
	"aws:iam/rolePolicy:RolePolicy":                     {Type: "aws_iam_role_policy"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {Type: "aws_iam_role_policy_attachment"},
	"aws:kms/key:Key":                                   {Type: "aws_kms_key"},
	"aws:lb/listener:Listener": {Type: "aws_lb_listener",
		Renames: map[string]string{"defaultActions": "default_action"}},
	"aws:lb/loadBalancer:LoadBalancer": {Type: "aws_lb",
		Renames: map[string]string{"subnetMappings": "subnet_mapping"}},
	"aws:rds/instance:Instance": {Type: "aws_db_instance"},
	"aws:rds/parameterGroup:ParameterGroup": {Type: "aws_db_parameter_group",
		Renames: map[string]string{"parameters": "parameter"}},
	"aws:s3/bucketV2:BucketV2": {Type: "aws_s3_bucket"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {Type: "aws_s3_bucket_lifecycle_configuration",
		Renames: map[string]string{"rules": "rule", "rules.transitions": "transition",
			"rules.noncurrentVersionTransitions": "noncurrent_version_transition"}},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": {Type: "aws_s3_bucket_object_lock_configuration"},
	"aws:s3/bucketPolicy:BucketPolicy":                                       {Type: "aws_s3_bucket_policy"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                 {Type: "aws_s3_bucket_public_access_block"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {
		Type: "aws_s3_bucket_server_side_encryption_configuration", Renames: map[string]string{"rules": "rule"}},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":              {Type: "aws_s3_bucket_versioning"},
	"aws:secretsmanager/secret:Secret":                          {Type: "aws_secretsmanager_secret"},
	"aws:sns/topic:Topic":                                       {Type: "aws_sns_topic"},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {Type: "aws_vpc_security_group_ingress_rule"},

	// GCP
	"gcp:compute/firewall:Firewall": {Type: "google_compute_firewall",
		Renames: map[string]string{"allows": "allow", "denies": "deny"}},
	"gcp:compute/network:Network":     {Type: "google_compute_network"},
	"gcp:compute/sSLPolicy:SSLPolicy": {Type: "google_compute_ssl_policy"},
	"gcp:compute/subnetwork:Subnetwork": {Type: "google_compute_subnetwork",
		Renames: map[string]string{"secondaryIpRanges": "secondary_ip_range"}},
	"gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {Type: "google_iam_workload_identity_pool_provider",
		Maps: []string{"attributeMapping"}},
	"gcp:kms/cryptoKey:CryptoKey": {Type: "google_kms_crypto_key"},
	"gcp:kms/keyRing:KeyRing":     {Type: "google_kms_key_ring"},
	"gcp:projects/iAMAuditConfig:IAMAuditConfig": {Type: "google_project_iam_audit_config",
		Renames: map[string]string{"auditLogConfigs": "audit_log_config"}},
	"gcp:projects/iAMMember:IAMMember":         {Type: "google_project_iam_member"},
	"gcp:pubsub/topicIAMMember:TopicIAMMember": {Type: "google_pubsub_topic_iam_member"},
	"gcp:serviceaccount/account:Account":       {Type: "google_service_account"},
	"gcp:sql/databaseInstance:DatabaseInstance": {Type: "google_sql_database_instance",
		Renames: map[string]string{"settings.databaseFlags": "database_flags",
			"settings.ipConfiguration.authorizedNetworks": "authorized_networks",
			"settings.denyMaintenancePeriods":             "deny_maintenance_period"}},
	"gcp:storage/bucket:Bucket": {Type: "google_storage_bucket",
		Renames: map[string]string{"lifecycleRules": "lifecycle_rule", "customPlacementConfig.dataLocations": "data_locations"}},
	"gcp:storage/bucketIAMMember:BucketIAMMember": {Type: "google_storage_bucket_iam_member"},
}

// tfSpec says how one type's inputs become Terraform.
type tfSpec struct {
	Type string
	// Renames: dotted input path (Pulumi names) -> Terraform name, where
	// the Terraform name is not the snake_case of the Pulumi one.
	Renames map[string]string
	// Maps: dotted input paths whose object is a Terraform map attribute
	// (key = value), not a block; tags and labels are maps everywhere.
	Maps []string
}

// mapAttributes are map-typed in every resource of both providers.
var mapAttributes = map[string]bool{"tags": true, "tagsAll": true, "labels": true, "userLabels": true}

// jsonAttributes are policy documents: Terraform takes them as a JSON
// string; a Pulumi program may pass an object.
var jsonAttributes = map[string]bool{"policy": true, "assumeRolePolicy": true}
