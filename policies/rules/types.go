package rules

import (
	"regexp"
	"strings"
)

// CanonicalType is the token a rule is declared for: token itself, except
// that an Azure Native resource from an explicitly versioned module
// ("azure-native:dbforpostgresql/v20240801:Server", what the Go SDK's
// dbforpostgresql/v2/v20240801 package registers) is folded into its
// module's default token ("azure-native:dbforpostgresql:Server"). A pinned
// API version is the same Azure resource with the same properties, so one
// rule judges both. Every lookup by type (resource checks, a stack's index)
// goes through here. See
// https://www.pulumi.com/registry/packages/azure-native/version-guide/
func CanonicalType(token string) string {
	pkg, rest, ok := strings.Cut(token, ":")
	if !ok || pkg != "azure-native" {
		return token
	}
	module, name, ok := strings.Cut(rest, ":")
	if !ok {
		return token
	}
	base, version, versioned := strings.Cut(module, "/")
	if !versioned || !azureAPIVersion.MatchString(version) {
		return token
	}
	return pkg + ":" + base + ":" + name
}

// azureAPIVersion is an Azure Native module version segment: v, the API
// version's date, and a suffix for previews (v20240801, v20230601preview).
var azureAPIVersion = regexp.MustCompile(`^v\d{8}[a-z]*$`)

// BackupComponentTypes are the component types whose object stores hold
// backups (package components/backupbucket): the token it registers now,
// and the one it registered before the module matched the package (still
// the token of stacks deployed before, and of plans made then). A store is
// a backup store when one of these is among its ancestors, whatever it is
// called. A literal list: the rules do not import the component (and with
// it every cloud SDK).
var BackupComponentTypes = []string{"wedsync:backupbucket:BackupBucket", "wedsync:backup:BackupBucket"}

// Type tokens the rules judge, as the engine names them.
const (
	awsS3Bucket           = "aws:s3/bucket:Bucket"
	awsS3BucketV2         = "aws:s3/bucketV2:BucketV2"
	awsS3SSEConfigV2      = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	awsS3SSEConfig        = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
	awsS3PublicAccess     = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	awsS3Policy           = "aws:s3/bucketPolicy:BucketPolicy"
	awsS3VersioningV2     = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	awsS3Versioning       = "aws:s3/bucketVersioning:BucketVersioning"
	awsS3ObjectLockV2     = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	awsS3ObjectLock       = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
	awsS3Replication      = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	awsS3AclV2            = "aws:s3/bucketAclV2:BucketAclV2"
	awsS3Inventory        = "aws:s3/inventory:Inventory"
	awsS3LoggingV2        = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	gcpTransferJob        = "gcp:storage/transferJob:TransferJob"
	azDataFactoryPipeline = "azure-native:datafactory:Pipeline"
	awsRDSInstance        = "aws:rds/instance:Instance"
	awsRDSCluster         = "aws:rds/cluster:Cluster"
	awsRDSParameterGroup  = "aws:rds/parameterGroup:ParameterGroup"
	awsRDSClusterParams   = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
	awsRDSBackupReplica   = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	awsKMSKey             = "aws:kms/key:Key"
	awsSecret             = "aws:secretsmanager/secret:Secret"
	awsLaunchTemplate     = "aws:ec2/launchTemplate:LaunchTemplate"
	awsEBSVolume          = "aws:ebs/volume:Volume"
	awsASG                = "aws:autoscaling/group:Group"
	awsASGSchedule        = "aws:autoscaling/schedule:Schedule"
	gcpBucket             = "gcp:storage/bucket:Bucket"
	gcpBucketIAMMember    = "gcp:storage/bucketIAMMember:BucketIAMMember"
	gcpBucketIAMBinding   = "gcp:storage/bucketIAMBinding:BucketIAMBinding"
	gcpSQLInstance        = "gcp:sql/databaseInstance:DatabaseInstance"
	gcpCryptoKey          = "gcp:kms/cryptoKey:CryptoKey"
	gcpSecret             = "gcp:secretmanager/secret:Secret"
	gcpInstanceTemplate   = "gcp:compute/instanceTemplate:InstanceTemplate"
	gcpRegionTemplate     = "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate"
	gcpDisk               = "gcp:compute/disk:Disk"
	gcpRegionAutoscaler   = "gcp:compute/regionAutoscaler:RegionAutoscaler"
	gcpAutoscaler         = "gcp:compute/autoscaler:Autoscaler"
	gcpRegionIGM          = "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager"
	gcpIGM                = "gcp:compute/instanceGroupManager:InstanceGroupManager"
	azStorageAccount      = "azure-native:storage:StorageAccount"
	azBlobService         = "azure-native:storage:BlobServiceProperties"
	azBlobContainer       = "azure-native:storage:BlobContainer"
	azImmutabilityPolicy  = "azure-native:storage:BlobContainerImmutabilityPolicy"
	azPGServer            = "azure-native:dbforpostgresql:Server"
	azPGConfiguration     = "azure-native:dbforpostgresql:Configuration"
	azPGFirewallRule      = "azure-native:dbforpostgresql:FirewallRule"
	azKeyVault            = "azure-native:keyvault:Vault"
	azKeyVaultKey         = "azure-native:keyvault:Key"
	azVMSS                = "azure-native:compute:VirtualMachineScaleSet"
	azAutoscaleSetting    = "azure-native:insights:AutoscaleSetting"
	pulumiStackType       = "pulumi:pulumi:Stack"
	providerTypePrefix    = "pulumi:providers:"
	defaultAWSS3TLSPolicy = "aws:SecureTransport"
)

// s3Buckets are the S3 bucket types (the v6 Bucket carries its settings
// inline or in companions; BucketV2 only in companions).
var s3Buckets = []string{awsS3BucketV2, awsS3Bucket}

// dataStores are the types that hold WedSync's data: protected in prod, kept
// in allowed regions.
var dataStores = []string{
	awsS3Bucket, awsS3BucketV2, awsRDSInstance, awsRDSCluster, awsSecret, awsEBSVolume,
	gcpBucket, gcpSQLInstance, gcpSecret, gcpDisk,
	azStorageAccount, azPGServer, azKeyVault,
}

// compute are the types that process WedSync's data: kept in allowed regions.
var compute = []string{
	awsLaunchTemplate, awsASG, gcpInstanceTemplate, gcpRegionTemplate, gcpRegionIGM, gcpIGM, azVMSS,
}
