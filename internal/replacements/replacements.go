// Package replacements is the table of what cannot change in place: for
// every resource type the stacks use, the input properties whose change
// makes the provider replace the resource (delete and create, or create
// and delete) instead of updating it. The e2e's stand-in providers answer
// Diff from it, so an update the real providers would turn into a
// replacement (a new database, an emptied bucket) shows as one.
//
// The rows are the providers' facts: for pulumi-aws v6 and pulumi-gcp v7
// (bridged from the Terraform providers) the attributes the schema marks
// ForceNew; for azure-native v2 the properties the ARM specification makes
// create-only (the resource's name and scope, its location). Each row cites
// the type's page in the Pulumi Registry, which documents the inputs of
// that provider version. A type missing from the table is a test failure
// (TestEveryTypeTheStacksUseHasARow).
package replacements

import (
	"sort"

	"github.com/wedsync/wedsync-infra/internal/limits"
)

// Row is what forces a type's replacement.
type Row struct {
	// Replace are the top-level inputs whose change replaces the resource.
	Replace []string
	// All is true for an immutable type: any change replaces it (a GCP
	// instance template; the group that uses it then rolls to the new one).
	All bool
	// Doc is the type's documentation page.
	Doc string
}

// Lookup is typ's row (Azure's versioned modules folded, as in
// limits.Fold).
func Lookup(typ string) (Row, bool) {
	r, ok := Table[limits.Fold(typ)]
	return r, ok
}

// Replaces are the changed properties that force typ's replacement
// (sorted); known is false for a type the table does not know.
func Replaces(typ string, changed []string) (replace []string, known bool) {
	r, ok := Lookup(typ)
	if !ok {
		return nil, false
	}
	forces := map[string]bool{}
	for _, p := range r.Replace {
		forces[p] = true
	}
	for _, c := range changed {
		if r.All || forces[c] {
			replace = append(replace, c)
		}
	}
	sort.Strings(replace)
	return replace, true
}

// Table is every type the stacks use, by type token.
var Table = map[string]Row{
	"aws:autoscaling/group:Group":                         {Replace: []string{"name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/group/"},
	"aws:autoscaling/policy:Policy":                       {Replace: []string{"autoscalingGroupName", "name"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/policy/"},
	"aws:autoscaling/schedule:Schedule":                   {Replace: []string{"autoscalingGroupName", "scheduledActionName"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/schedule/"},
	"aws:budgets/budget:Budget":                           {Replace: []string{"accountId", "name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/budgets/budget/"},
	"aws:cloudtrail/eventDataStore:EventDataStore":        {Replace: []string{}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/cloudtrail/eventdatastore/"},
	"aws:cloudwatch/dashboard:Dashboard":                  {Replace: []string{"dashboardName"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/dashboard/"},
	"aws:cloudwatch/eventRule:EventRule":                  {Replace: []string{"eventBusName", "name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/eventrule/"},
	"aws:cloudwatch/metricAlarm:MetricAlarm":              {Replace: []string{"name"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/metricalarm/"},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":   {Replace: []string{"vpcId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/defaultsecuritygroup/"},
	"aws:ec2/eip:Eip":                                     {Replace: []string{"address", "customerOwnedIpv4Pool", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/eip/"},
	"aws:ec2/internetGateway:InternetGateway":             {Replace: []string{}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/internetgateway/"},
	"aws:ec2/launchTemplate:LaunchTemplate":               {Replace: []string{"name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/launchtemplate/"},
	"aws:ec2/natGateway:NatGateway":                       {Replace: []string{"allocationId", "connectivityType", "privateIp", "subnetId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/natgateway/"},
	"aws:ec2/routeTable:RouteTable":                       {Replace: []string{"vpcId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/routetable/"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {Replace: []string{"gatewayId", "subnetId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/routetableassociation/"},
	"aws:ec2/securityGroup:SecurityGroup":                 {Replace: []string{"description", "name", "namePrefix", "vpcId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/"},
	"aws:ec2/subnet:Subnet":                               {Replace: []string{"availabilityZone", "availabilityZoneId", "cidrBlock", "vpcId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/subnet/"},
	"aws:ec2/vpc:Vpc":                                     {Replace: []string{"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpc/"},
	"aws:iam/instanceProfile:InstanceProfile":             {Replace: []string{"name", "namePrefix", "path"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/iam/instanceprofile/"},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {Replace: []string{"url"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/iam/openidconnectprovider/"},
	// AppConfig (internal/service/appconfig in terraform-provider-aws): a
	// hosted version and a deployment are immutable; a new document is a
	// new version and a new deployment, never a new instance.
	"aws:appconfig/application:Application":                               {Replace: []string{}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/appconfig/application/"},
	"aws:appconfig/environment:Environment":                               {Replace: []string{"applicationId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/appconfig/environment/"},
	"aws:appconfig/configurationProfile:ConfigurationProfile":             {Replace: []string{"applicationId", "locationUri", "type"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/appconfig/configurationprofile/"},
	"aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion": {All: true, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/appconfig/hostedconfigurationversion/"},
	"aws:appconfig/deploymentStrategy:DeploymentStrategy":                 {Replace: []string{"replicateTo"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/appconfig/deploymentstrategy/"},
	"aws:appconfig/deployment:Deployment":                                 {Replace: []string{"applicationId", "configurationProfileId", "configurationVersion", "deploymentStrategyId", "description", "environmentId", "kmsKeyIdentifier"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/appconfig/deployment/"},
	// Secret Manager (terraform-provider-google): a version's data is
	// immutable; replication and the id are set once.
	"gcp:secretmanager/secret:Secret":                   {Replace: []string{"project", "replication", "secretId"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/secretmanager/secret/"},
	"gcp:secretmanager/secretVersion:SecretVersion":     {Replace: []string{"secret", "secretData"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/secretmanager/secretversion/"},
	"gcp:secretmanager/secretIamMember:SecretIamMember": {Replace: []string{"condition", "member", "project", "role", "secretId"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/secretmanager/secretiammember/"},
	// App Configuration (azure-native path parameters and location).
	"azure-native:appconfiguration:ConfigurationStore":  {Replace: []string{"configStoreName", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/appconfiguration/configurationstore/"},
	"azure-native:appconfiguration:KeyValue":            {Replace: []string{"configStoreName", "keyValueName", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/appconfiguration/keyvalue/"},
	"aws:iam/role:Role":                                 {Replace: []string{"name", "namePrefix", "path"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/"},
	"aws:iam/rolePolicy:RolePolicy":                     {Replace: []string{"name", "namePrefix", "role"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/iam/rolepolicy/"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {Replace: []string{"policyArn", "role"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/iam/rolepolicyattachment/"},
	// Rows below read from terraform-provider-aws (ForceNew attributes) in each
	// resource's file named beside it.
	"aws:backup/plan:Plan":                                     {Replace: []string{"name"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/backup/plan/"},                                                                                           // internal/service/backup/plan.go
	"aws:backup/selection:Selection":                           {Replace: []string{"name", "condition", "iamRoleArn", "notResources", "planId", "selectionTags", "resources"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/backup/selection/"},   // internal/service/backup/selection.go: no update, every input replaces
	"aws:backup/vault:Vault":                                   {Replace: []string{"name", "kmsKeyArn"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/backup/vault/"},                                                                             // internal/service/backup/vault.go
	"aws:backup/vaultLockConfiguration:VaultLockConfiguration": {Replace: []string{"backupVaultName", "changeableForDays", "maxRetentionDays", "minRetentionDays"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/backup/vaultlockconfiguration/"}, // internal/service/backup/vault_lock_configuration.go: no update
	"aws:cloudwatch/eventTarget:EventTarget":                   {Replace: []string{"rule", "eventBusName", "targetId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/eventtarget/"},                                                    // internal/service/events/target.go
	"aws:cloudwatch/logGroup:LogGroup":                         {Replace: []string{"name", "namePrefix", "logGroupClass"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/loggroup/"},                                                    // internal/service/logs/group.go
	"aws:ec2/vpcEndpoint:VpcEndpoint":                          {Replace: []string{"serviceName", "vpcEndpointType", "vpcId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpcendpoint/"},                                                    // internal/service/ec2/vpc_endpoint.go
	"aws:rds/proxy:Proxy":                                      {Replace: []string{"engineFamily", "vpcSubnetIds"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/proxy/"},                                                                     // internal/service/rds/proxy.go: name renames in place
	"aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":  {Replace: []string{"dbProxyName"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/proxydefaulttargetgroup/"},                                                                    // internal/service/rds/proxy_default_target_group.go
	"aws:rds/proxyTarget:ProxyTarget":                          {Replace: []string{"dbProxyName", "targetGroupName", "dbInstanceIdentifier", "dbClusterIdentifier"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/proxytarget/"},              // internal/service/rds/proxy_target.go: no update
	"aws:secretsmanager/secret:Secret":                         {Replace: []string{"name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/secretsmanager/secret/"},                                                                   // internal/service/secretsmanager/secret.go
	"aws:sfn/stateMachine:StateMachine":                        {Replace: []string{"name", "namePrefix", "type"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/sfn/statemachine/"},                                                                // internal/service/sfn/state_machine.go
	// terraform-provider-google (ForceNew attributes), file named beside each.
	"gcp:cloudscheduler/job:Job":               {Replace: []string{"name", "region", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/cloudscheduler/job/"},               // google/services/cloudscheduler/resource_cloud_scheduler_job.go
	"gcp:projects/iAMCustomRole:IAMCustomRole": {Replace: []string{"roleId", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/projects/iamcustomrole/"},                   // google/services/resourcemanager/resource_google_project_iam_custom_role.go
	"gcp:workflows/workflow:Workflow":          {Replace: []string{"name", "region", "project", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/workflows/workflow/"}, // google/services/workflows/resource_workflows_workflow.go
	// azure-native replaces on the resource's URL path parameters (its
	// provider's diff) and on the properties its forceNewMap lists; the ARM
	// specs mark none of these resources' other properties create-only.
	"azure-native:dataprotection:BackupInstance": {Replace: []string{"resourceGroupName", "vaultName", "backupInstanceName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dataprotection/backupinstance/"},
	"azure-native:dataprotection:BackupPolicy":   {Replace: []string{"resourceGroupName", "vaultName", "backupPolicyName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dataprotection/backuppolicy/"},
	"azure-native:dataprotection:BackupVault":    {Replace: []string{"resourceGroupName", "vaultName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dataprotection/backupvault/"},
	"azure-native:network:PrivateDnsZoneGroup":   {Replace: []string{"resourceGroupName", "privateEndpointName", "privateDnsZoneGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/network/privatednszonegroup/"},
	// forceNewMap["Network"]["PrivateEndpoint"] = subnet in azure-native's provider.
	"azure-native:network:PrivateEndpoint": {Replace: []string{"resourceGroupName", "privateEndpointName", "subnet"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/network/privateendpoint/"},
	"aws:kms/alias:Alias":                  {Replace: []string{"name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/kms/alias/"},
	"aws:kms/grant:Grant":                  {Replace: []string{"constraints", "grantCreationTokens", "granteePrincipal", "keyId", "name", "operations", "retireOnDelete", "retiringPrincipal"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/kms/grant/"},
	"aws:kms/key:Key":                      {Replace: []string{"customKeyStoreId", "customerMasterKeySpec", "keySpec", "keyUsage", "multiRegion", "xksKeyId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/kms/key/"},
	"aws:kms/replicaKey:ReplicaKey":        {Replace: []string{"primaryKeyArn"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/kms/replicakey/"},
	"aws:lb/targetGroup:TargetGroup":       {Replace: []string{"ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/lb/targetgroup/"},
	"aws:rds/instance:Instance":            {Replace: []string{"availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "identifier", "identifierPrefix", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/"},
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication":            {Replace: []string{"kmsKeyId", "preSignedUrl", "retentionPeriod", "sourceDbInstanceArn"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/instanceautomatedbackupsreplication/"},
	"aws:rds/parameterGroup:ParameterGroup":                                                      {Replace: []string{"description", "family", "name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/parametergroup/"},
	"aws:rds/subnetGroup:SubnetGroup":                                                            {Replace: []string{"name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/rds/subnetgroup/"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {Replace: []string{"bucket", "expectedBucketOwner"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketlifecycleconfigurationv2/"},
	"aws:s3/bucketMetric:BucketMetric":                                                           {Replace: []string{"bucket", "name"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketmetric/"},
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":                     {Replace: []string{"bucket", "expectedBucketOwner", "objectLockEnabled"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketobjectlockconfigurationv2/"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {Replace: []string{"bucket"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketownershipcontrols/"},
	"aws:s3/bucketPolicy:BucketPolicy":                                                           {Replace: []string{"bucket"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketpolicy/"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {Replace: []string{"bucket"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketpublicaccessblock/"},
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig":                                     {Replace: []string{"bucket"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketreplicationconfig/"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {Replace: []string{"bucket", "expectedBucketOwner"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketserversideencryptionconfigurationv2/"},
	"aws:s3/bucketV2:BucketV2":                                                                   {Replace: []string{"bucket", "bucketPrefix", "objectLockEnabled"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketv2/"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               {Replace: []string{"bucket", "expectedBucketOwner"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketversioningv2/"},
	"aws:s3/inventory:Inventory":                                                                 {Replace: []string{"bucket", "name"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/s3/inventory/"},
	"aws:sns/topic:Topic":                                                                        {Replace: []string{"fifoTopic", "name", "namePrefix"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/sns/topic/"},
	"aws:sns/topicPolicy:TopicPolicy":                                                            {Replace: []string{"arn"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/sns/topicpolicy/"},
	"aws:sns/topicSubscription:TopicSubscription":                                                {Replace: []string{"confirmationTimeoutInMinutes", "endpoint", "endpointAutoConfirms", "protocol", "topicArn"}, Doc: "https://www.pulumi.com/registry/packages/aws/api-docs/sns/topicsubscription/"},
	"azure-native:alertsmanagement:AlertProcessingRule":                                          {Replace: []string{"alertProcessingRuleName", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/alertsmanagement/alertprocessingrule/"},
	"azure-native:authorization:ManagementLockByScope":                                           {Replace: []string{"lockName", "scope"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/authorization/managementlockbyscope/"},
	"azure-native:authorization:RoleAssignment":                                                  {Replace: []string{"principalId", "roleAssignmentName", "roleDefinitionId", "scope"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/authorization/roleassignment/"},
	"azure-native:compute:DiskEncryptionSet":                                                     {Replace: []string{"diskEncryptionSetName", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/compute/diskencryptionset/"},
	"azure-native:compute:VirtualMachineScaleSet":                                                {Replace: []string{"location", "orchestrationMode", "platformFaultDomainCount", "resourceGroupName", "vmScaleSetName", "zones"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/compute/virtualmachinescaleset/"},
	"azure-native:consumption:Budget":                                                            {Replace: []string{"budgetName", "scope"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/consumption/budget/"},
	"azure-native:dbforpostgresql:Administrator":                                                 {Replace: []string{"objectId", "resourceGroupName", "serverName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dbforpostgresql/administrator/"},
	"azure-native:dbforpostgresql:Configuration":                                                 {Replace: []string{"configurationName", "resourceGroupName", "serverName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dbforpostgresql/configuration/"},
	"azure-native:dbforpostgresql:Database":                                                      {Replace: []string{"charset", "collation", "databaseName", "resourceGroupName", "serverName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dbforpostgresql/database/"},
	"azure-native:dbforpostgresql:Server":                                                        {Replace: []string{"location", "network", "resourceGroupName", "serverName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/dbforpostgresql/server/"},
	"azure-native:insights:ActionGroup":                                                          {Replace: []string{"actionGroupName", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/insights/actiongroup/"},
	"azure-native:insights:ActivityLogAlert":                                                     {Replace: []string{"activityLogAlertName", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/insights/activitylogalert/"},
	"azure-native:insights:AutoscaleSetting":                                                     {Replace: []string{"autoscaleSettingName", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/insights/autoscalesetting/"},
	"azure-native:insights:DiagnosticSetting":                                                    {Replace: []string{"name", "resourceUri"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/insights/diagnosticsetting/"},
	"azure-native:insights:MetricAlert":                                                          {Replace: []string{"location", "resourceGroupName", "ruleName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/insights/metricalert/"},
	"azure-native:insights:Workbook":                                                             {Replace: []string{"kind", "location", "resourceGroupName", "resourceName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/insights/workbook/"},
	"azure-native:keyvault:Key":                                                                  {Replace: []string{"keyName", "properties", "resourceGroupName", "vaultName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/keyvault/key/"},
	"azure-native:keyvault:Vault":                                                                {Replace: []string{"location", "resourceGroupName", "vaultName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/keyvault/vault/"},
	"azure-native:managedidentity:FederatedIdentityCredential":                                   {Replace: []string{"federatedIdentityCredentialResourceName", "resourceGroupName", "resourceName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/managedidentity/federatedidentitycredential/"},
	"azure-native:managedidentity:UserAssignedIdentity":                                          {Replace: []string{"location", "resourceGroupName", "resourceName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/managedidentity/userassignedidentity/"},
	"azure-native:network:NetworkSecurityGroup":                                                  {Replace: []string{"location", "networkSecurityGroupName", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/network/networksecuritygroup/"},
	"azure-native:network:PrivateZone":                                                           {Replace: []string{"location", "privateZoneName", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/network/privatezone/"},
	"azure-native:network:VirtualNetwork":                                                        {Replace: []string{"location", "resourceGroupName", "virtualNetworkName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/network/virtualnetwork/"},
	"azure-native:network:VirtualNetworkLink":                                                    {Replace: []string{"location", "privateZoneName", "resourceGroupName", "virtualNetworkLinkName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/network/virtualnetworklink/"},
	"azure-native:operationalinsights:Workspace":                                                 {Replace: []string{"location", "resourceGroupName", "workspaceName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/operationalinsights/workspace/"},
	"azure-native:resources:ResourceGroup":                                                       {Replace: []string{"location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/resources/resourcegroup/"},
	"azure-native:storage:BlobContainer":                                                         {Replace: []string{"accountName", "containerName", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/storage/blobcontainer/"},
	"azure-native:storage:BlobServiceProperties":                                                 {Replace: []string{"accountName", "blobServicesName", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/storage/blobserviceproperties/"},
	"azure-native:storage:ManagementPolicy":                                                      {Replace: []string{"accountName", "managementPolicyName", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/storage/managementpolicy/"},
	"azure-native:storage:StorageAccount":                                                        {Replace: []string{"accountName", "isHnsEnabled", "location", "resourceGroupName"}, Doc: "https://www.pulumi.com/registry/packages/azure-native/api-docs/storage/storageaccount/"},
	"gcp:billing/budget:Budget":                                                                  {Replace: []string{"billingAccount"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/billing/budget/"},
	"gcp:compute/firewall:Firewall":                                                              {Replace: []string{"direction", "name", "network", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/firewall/"},
	"gcp:compute/globalAddress:GlobalAddress":                                                    {Replace: []string{"address", "addressType", "description", "ipVersion", "name", "network", "prefixLength", "project", "purpose"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/globaladdress/"},
	"gcp:compute/healthCheck:HealthCheck":                                                        {Replace: []string{"name", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/healthcheck/"},
	"gcp:compute/instanceTemplate:InstanceTemplate":                                              {All: true, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/instancetemplate/"},
	"gcp:compute/network:Network":                                                                {Replace: []string{"autoCreateSubnetworks", "description", "name", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/network/"},
	"gcp:compute/regionAutoscaler:RegionAutoscaler":                                              {Replace: []string{"name", "project", "region"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/regionautoscaler/"},
	"gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager":                          {Replace: []string{"baseInstanceName", "description", "distributionPolicyZones", "name", "project", "region"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/regioninstancegroupmanager/"},
	"gcp:compute/router:Router":                                                                  {Replace: []string{"name", "network", "project", "region"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/router/"},
	"gcp:compute/routerNat:RouterNat":                                                            {Replace: []string{"name", "project", "region", "router"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/routernat/"},
	"gcp:compute/subnetwork:Subnetwork":                                                          {Replace: []string{"name", "network", "project", "region"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/compute/subnetwork/"},
	"gcp:iam/workloadIdentityPool:WorkloadIdentityPool":                                          {Replace: []string{"project", "workloadIdentityPoolId"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/iam/workloadidentitypool/"},
	"gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":                          {Replace: []string{"project", "workloadIdentityPoolId", "workloadIdentityPoolProviderId"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/iam/workloadidentitypoolprovider/"},
	"gcp:kms/cryptoKey:CryptoKey":                                                                {Replace: []string{"cryptoKeyBackend", "destroyScheduledDuration", "importOnly", "keyRing", "name", "purpose", "skipInitialVersionCreation"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/kms/cryptokey/"},
	"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":                                              {Replace: []string{"condition", "cryptoKeyId", "member", "role"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/kms/cryptokeyiammember/"},
	"gcp:kms/keyRing:KeyRing":                                                                    {Replace: []string{"location", "name", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/kms/keyring/"},
	"gcp:logging/metric:Metric":                                                                  {Replace: []string{"name", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/logging/metric/"},
	"gcp:monitoring/alertPolicy:AlertPolicy":                                                     {Replace: []string{"project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/monitoring/alertpolicy/"},
	"gcp:monitoring/dashboard:Dashboard":                                                         {Replace: []string{"project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/monitoring/dashboard/"},
	"gcp:monitoring/notificationChannel:NotificationChannel":                                     {Replace: []string{"project", "type"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/monitoring/notificationchannel/"},
	"gcp:projects/iAMAuditConfig:IAMAuditConfig":                                                 {Replace: []string{"project", "service"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/projects/iamauditconfig/"},
	"gcp:projects/iAMMember:IAMMember":                                                           {Replace: []string{"condition", "member", "project", "role"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/projects/iammember/"},
	"gcp:projects/serviceIdentity:ServiceIdentity":                                               {Replace: []string{"project", "service"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/projects/serviceidentity/"},
	"gcp:serviceaccount/account:Account":                                                         {Replace: []string{"accountId", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/serviceaccount/account/"},
	"gcp:serviceaccount/iAMMember:IAMMember":                                                     {Replace: []string{"condition", "member", "role", "serviceAccountId"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/serviceaccount/iammember/"},
	"gcp:servicenetworking/connection:Connection":                                                {Replace: []string{"network", "service"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/servicenetworking/connection/"},
	"gcp:sql/database:Database":                                                                  {Replace: []string{"instance", "name", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/sql/database/"},
	"gcp:sql/databaseInstance:DatabaseInstance":                                                  {Replace: []string{"encryptionKeyName", "masterInstanceName", "name", "project", "region", "replicaConfiguration"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/sql/databaseinstance/"},
	"gcp:sql/user:User":                                                                          {Replace: []string{"host", "instance", "name", "project", "type"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/sql/user/"},
	"gcp:storage/bucket:Bucket":                                                                  {Replace: []string{"customPlacementConfig", "location", "name", "project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/storage/bucket/"},
	"gcp:storage/bucketIAMMember:BucketIAMMember":                                                {Replace: []string{"bucket", "condition", "member", "role"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/storage/bucketiammember/"},
	"gcp:storage/transferJob:TransferJob":                                                        {Replace: []string{"project"}, Doc: "https://www.pulumi.com/registry/packages/gcp/api-docs/storage/transferjob/"},
}
