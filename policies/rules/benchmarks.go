package rules

// The benchmark controls each rule implements: one place, a table per rule.
// Every id and title is read from Prowler's compliance files
// (github.com/prowler-cloud/prowler prowler/compliance/aws/cis_3.0_aws.json,
// aws/aws_foundational_security_best_practices_aws.json, gcp/cis_3.0_gcp.json,
// azure/cis_3.0_azure.json: catalogue_gen.go), or from the Security Hub
// control pages where Prowler has none yet (docControls); the GDPR articles
// from the Regulation (gdprArticles). TestEveryRuleNamesItsControls fails on
// an id that is in neither. A rule that goes beyond every benchmark (the
// freeze, seasonal capacity) names only the GDPR article it serves.
//
// Corrections to the ids first written from memory (issue 23): VPC flow
// logging is CIS AWS 3.0 3.7, not 3.9 (3.9 is S3 object-level read
// logging); FSBP EC2.2 is the default security group and EC2.19 high-risk
// inbound ports, neither an egress control, and no CIS or FSBP control
// judges egress; CIS GCP 3.0 names log_connections (6.2.2) and
// log_disconnections (6.2.3) only, not log_lock_waits or log_temp_files;
// FSBP RDS.36 asks for log export to CloudWatch Logs, which the rule does
// not judge; CIS Azure 3.0's PostgreSQL parameters are 5.2.x, not 4.3.x.

// ctl is a control reference; types narrow it to some of the rule's types.
func ctl(f Framework, id string, types ...string) Control {
	return Control{Framework: f, ID: id, Types: types}
}

var ruleControls = map[string][]Control{
	// The erasure ledger goes beyond every benchmark: it serves the right
	// to erasure across restores and keeps no entry longer than the copies
	// it protects against.
	PolicyErasureLedger: {ctl(GDPR, "Art. 17"), ctl(GDPR, "Art. 5(1)(e)")},
	// Who read or wrote a backup (replicas included): CIS AWS 3.0 3.8/3.9
	// (object-level write/read logging); confidentiality and, after a
	// breach, what was taken (GDPR Art. 32(1)(b), Art. 33). Security Hub's
	// S3.22/S3.23 map to the same CIS ids but are not FSBP controls.
	PolicyBackupAccessRecords: {ctl(CISAWS, "3.8"), ctl(CISAWS, "3.9"), ctl(GDPR, "Art. 32(1)(b)"), ctl(GDPR, "Art. 33")},
	// CI's identities: no admin-wide or wildcard grants (CIS AWS 1.16, FSBP
	// IAM.1/IAM.21), no admin or act-as-anyone roles on GCP service accounts
	// (CIS GCP 1.5, 1.6), no custom subscription-owner roles (CIS Azure 2.23), no decrypt on every key (FSBP KMS.1).
	PolicyCINoData: {
		ctl(CISAWS, "1.16"), ctl(FSBP, "IAM.1"), ctl(FSBP, "IAM.21"),
		ctl(FSBP, "KMS.1"), ctl(CISGCP, "1.5"), ctl(CISGCP, "1.6"), ctl(CISAzure, "2.23"),
		ctl(GDPR, "Art. 25"), ctl(GDPR, "Art. 32(1)(b)"),
	},
	PolicyEncryptionCMK: {
		ctl(CISAWS, "2.3.1", awsRDSInstance), ctl(CISAWS, "2.2.1", awsLaunchTemplate, awsEBSVolume),
		ctl(FSBP, "RDS.3", awsRDSInstance), ctl(FSBP, "RDS.27", awsRDSCluster), ctl(FSBP, "EC2.3", awsLaunchTemplate, awsEBSVolume),
		ctl(CISAzure, "4.11", azStorageAccount),
		ctl(GDPR, "Art. 32(1)(a)"),
	},
	PolicyS3Encryption: {ctl(FSBP, "S3.17"), ctl(GDPR, "Art. 32(1)(a)")},
	PolicyKeyRotation: {
		ctl(CISAWS, "3.6"), ctl(FSBP, "KMS.4"), ctl(CISGCP, "1.10"), ctl(CISAzure, "3.3.8"),
		ctl(GDPR, "Art. 32(1)(a)"),
	},
	PolicyTLS: {
		ctl(CISGCP, "6.4"), ctl(CISAzure, "4.1", azStorageAccount), ctl(CISAzure, "4.15", azStorageAccount), ctl(CISAzure, "5.2.1", azPGConfiguration),
		ctl(GDPR, "Art. 32(1)(a)"), ctl(GDPR, "Art. 5(1)(f)"),
	},
	PolicyS3TLSOnly:   {ctl(CISAWS, "2.1.1"), ctl(FSBP, "S3.5"), ctl(GDPR, "Art. 32(1)(a)")},
	PolicyRDSForceSSL: {ctl(FSBP, "RDS.38", awsRDSInstance), ctl(GDPR, "Art. 32(1)(a)")},
	PolicyNoPublicData: {
		ctl(CISAWS, "2.3.3", awsRDSInstance), ctl(FSBP, "RDS.2", awsRDSInstance),
		ctl(CISGCP, "5.1", gcpBucket, gcpBucketIAMMember, gcpBucketIAMBinding), ctl(CISGCP, "5.2", gcpBucket),
		ctl(CISGCP, "6.5", gcpSQLInstance), ctl(CISGCP, "6.6", gcpSQLInstance),
		ctl(CISAzure, "4.17", azStorageAccount, azBlobContainer), ctl(CISAzure, "5.2.5", azPGServer, azPGFirewallRule),
		ctl(GDPR, "Art. 32(1)(b)"), ctl(GDPR, "Art. 5(1)(f)"),
	},
	PolicyS3PublicAccess:   {ctl(CISAWS, "2.1.4"), ctl(FSBP, "S3.8"), ctl(GDPR, "Art. 32(1)(b)")},
	PolicyInstanceMetadata: {ctl(CISAWS, "5.6"), ctl(FSBP, "EC2.8"), ctl(FSBP, "AutoScaling.3"), ctl(GDPR, "Art. 32(1)(b)")},
	PolicyBackupRetention: {
		ctl(FSBP, "RDS.11", awsRDSInstance), ctl(CISGCP, "6.7"),
		ctl(GDPR, "Art. 32(1)(c)"),
	},
	PolicyVersioning:         {ctl(FSBP, "S3.14"), ctl(GDPR, "Art. 32(1)(c)")},
	PolicyBackupImmutability: {ctl(FSBP, "S3.15"), ctl(GDPR, "Art. 32(1)(c)")},
	PolicyDeletionProtection: {
		ctl(FSBP, "RDS.8", awsRDSInstance), ctl(FSBP, "RDS.7", awsRDSCluster), ctl(CISAzure, "3.3.5", azKeyVault),
		ctl(GDPR, "Art. 32(1)(c)"),
	},
	PolicyCrossRegionCopy:     {ctl(FSBP, "S3.7", s3Buckets...), ctl(GDPR, "Art. 32(1)(c)")},
	PolicyDataResidency:       {ctl(GDPR, "Art. 44")},
	PolicyDatabaseLockedCopy:  {ctl(FSBP, "RDS.26"), ctl(GDPR, "Art. 32(1)(c)")},
	PolicyDatabaseOffsiteCopy: {ctl(GDPR, "Art. 32(1)(c)")},
	PolicyBackupVaultLock:     {ctl(GDPR, "Art. 32(1)(c)")},
	PolicyBackupLifetime:      {ctl(GDPR, "Art. 5(1)(e)"), ctl(GDPR, "Art. 17")},
	PolicySeasonalCapacity:    {ctl(GDPR, "Art. 32(1)(b)")},
	PolicyFreeze:              {ctl(GDPR, "Art. 32(1)(b)")},
	PolicyAlarmed:             {ctl(GDPR, "Art. 32(1)(b)"), ctl(GDPR, "Art. 33")},
	PolicyLBTLS:               {ctl(FSBP, "ELB.17"), ctl(CISGCP, "3.9"), ctl(GDPR, "Art. 32(1)(a)")},
	PolicyLBHTTPRedirect:      {ctl(FSBP, "ELB.1"), ctl(GDPR, "Art. 32(1)(a)")},
	PolicyLBWAF:               {ctl(FSBP, "ELB.16"), ctl(GDPR, "Art. 32(1)(b)")},
	PolicyLBAccessLogs:        {ctl(FSBP, "ELB.5"), ctl(CISGCP, "2.16"), ctl(GDPR, "Art. 33")},
	PolicyLBHealthCheck:       {ctl(GDPR, "Art. 32(1)(b)")},
	PolicyPublicEntry: {
		ctl(CISAWS, "5.2"), ctl(CISAWS, "5.3"), ctl(FSBP, "EC2.18"), ctl(FSBP, "EC2.19"),
		ctl(CISGCP, "3.6"), ctl(CISGCP, "3.7"),
		ctl(CISAzure, "7.1"), ctl(CISAzure, "7.2"), ctl(CISAzure, "7.3"), ctl(CISAzure, "7.4"),
		ctl(GDPR, "Art. 32(1)(b)"),
	},
	PolicyConfigNoCredentials: {ctl(GDPR, "Art. 32(1)(b)"), ctl(GDPR, "Art. 25")},
	PolicyExplicitEgress:      {ctl(GDPR, "Art. 32(1)(b)"), ctl(GDPR, "Art. 5(1)(f)")},
	PolicyFlowLogs: {
		ctl(CISAWS, "3.7"), ctl(FSBP, "EC2.6"), ctl(CISGCP, "3.8"),
		ctl(GDPR, "Art. 33"), ctl(GDPR, "Art. 32(1)(b)"),
	},
	PolicyDBLogging: {
		ctl(CISGCP, "6.2.2"), ctl(CISGCP, "6.2.3"),
		ctl(CISAzure, "5.2.3"), ctl(CISAzure, "5.2.6"), ctl(CISAzure, "5.2.7"),
		ctl(GDPR, "Art. 33"), ctl(GDPR, "Art. 32(1)(b)"),
	},

	// Availability of the offsite copy: its reads pass the source's firewall.
	PolicyOffsiteSourceFirewall: {ctl(GDPR, "Art. 32(1)(c)")},
}

// prowlerTypes maps a planned (canonical) type to the Prowler resource
// types whose checks judge what it creates: a launch template's or scale
// set's instances are the instances Prowler judges. A type not listed
// here has no benchmark control the report could call not covered.
var prowlerTypes = map[string][]string{
	awsS3BucketV2:                            {"AwsS3Bucket"},
	awsS3Bucket:                              {"AwsS3Bucket"},
	awsRDSInstance:                           {"AwsRdsDbInstance"},
	awsRDSCluster:                            {"AwsRdsDbCluster"},
	awsKMSKey:                                {"AwsKmsKey"},
	awsSecret:                                {"AwsSecretsManagerSecret"},
	awsLaunchTemplate:                        {"AwsEc2LaunchTemplate", "AwsEc2Instance", "AwsEc2Volume"},
	awsASG:                                   {"AwsAutoScalingAutoScalingGroup"},
	awsSG:                                    {"AwsEc2SecurityGroup"},
	awsVPC:                                   {"AwsEc2Vpc"},
	"aws:ec2/subnet:Subnet":                  {"AwsEc2Subnet"},
	"aws:ec2/eip:Eip":                        {"AwsEc2Eip"},
	awsLB:                                    {"AwsElbv2LoadBalancer"},
	"aws:wafv2/webAcl:WebAcl":                {"AwsWafv2WebAcl"},
	"aws:sns/topic:Topic":                    {"AwsSnsTopic"},
	"aws:iam/role:Role":                      {"AwsIamRole"},
	"aws:acm/certificate:Certificate":        {"AwsCertificateManagerCertificate"},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {"AwsCloudWatchAlarm"},
	gcpBucket:                                {"storage.googleapis.com/Bucket"},
	gcpSQLInstance:                           {"sqladmin.googleapis.com/Instance"},
	gcpCryptoKey:                             {"cloudkms.googleapis.com/CryptoKey"},
	gcpInstanceTemplate:                      {"compute.googleapis.com/Instance"},
	gcpFirewall:                              {"compute.googleapis.com/Firewall"},
	"gcp:compute/network:Network":            {"compute.googleapis.com/Network"},
	gcpSubnetwork:                            {"compute.googleapis.com/Subnetwork"},
	gcpBackend:                               {"compute.googleapis.com/BackendService"},
	"gcp:serviceaccount/account:Account":     {"iam.googleapis.com/ServiceAccount"},
	"gcp:logging/metric:Metric":              {"logging.googleapis.com/LogMetric"},
	azStorageAccount:                         {"microsoft.storage/storageaccounts"},
	azPGServer:                               {"microsoft.dbforpostgresql/flexibleservers"},
	azKeyVault:                               {"microsoft.keyvault/vaults"},
	azKeyVaultKey:                            {"microsoft.keyvault/vaults/keys"},
	azVMSS:                                   {"microsoft.compute/virtualmachines", "microsoft.compute/disks"},
	azNSG:                                    {"microsoft.network/networksecuritygroups"},
	azVNet:                                   {"microsoft.network/networkwatchers"},
	"azure-native:insights:Component":        {"microsoft.insights/components"},
	"azure-native:insights:ActivityLogAlert": {"microsoft.insights/activitylogalerts"},
}
