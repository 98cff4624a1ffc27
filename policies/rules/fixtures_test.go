package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The fixtures are compliant prod stacks, one per cloud and one more for
// the types the shipped components do not create, written as the offline
// plan records them (plain inputs, explicit providers, backup stores under
// the backup component); each test breaks one input and expects the rule
// that guards it to fire.

const stackURN = "urn:pulumi:prod::wedsync::pulumi:pulumi:Stack::wedsync-prod"

// backupComponent is the token the backup component registers.
const backupComponent = "wedsync:backupbucket:BackupBucket"

func urnOf(typ, name string) string { return "urn:pulumi:prod::wedsync::" + typ + "::" + name }

type fixture struct {
	typ, name, id string
	// in names the fixture's parent component (another fixture), if any.
	in      string
	protect bool
	inputs  map[string]any
}

// urn is the fixture's URN in its stack: its parent's type chain, then its
// own type.
func (f fixture) urn(all []fixture) string {
	byName := map[string]fixture{}
	for _, p := range all {
		byName[p.name] = p
	}
	return urnOf(typeChain(byName, f), f.name)
}

func typeChain(byName map[string]fixture, f fixture) string {
	if f.in == "" {
		return f.typ
	}
	p, ok := byName[f.in]
	if !ok {
		panic("no parent fixture " + f.in)
	}
	return typeChain(byName, p) + "$" + f.typ
}

func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func arr(v ...any) []any { return v }

const (
	awsKey   = "arn:aws:kms:eu-west-2:123456789012:key/1111"
	gcpKey   = "projects/p/locations/europe-west2/keyRings/r/cryptoKeys/k"
	azKeyURI = "https://wskv.vault.azure.net/keys/data"
	vmssID   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/wedsync-web"
	// Where the fixtures' alarms notify.
	snsTopic      = "arn:aws:sns:eu-west-2:123456789012:wedsync-prod-alerts"
	gcpChannel    = "projects/p/notificationChannels/1234"
	azActionGroup = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/wedsync-prod-alerts"
	tlsDeny       = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::wedsync-backup","arn:aws:s3:::wedsync-backup/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
)

// The AWS group follows the default calendar (Europe/London; peak
// May-October at 8, wedding days Friday 16:00 to Sunday 02:00 at 20, else
// 2) the way the generator writes it: dated season actions and wedding-day
// opening and closing recurrences bounded to their season.
func awsFixtures() []fixture {
	return append([]fixture{
		{typ: "pulumi:providers:aws", name: "aws-primary", inputs: obj("region", "eu-west-2")},
		{typ: awsKMSKey, name: "data-key", inputs: obj("enableKeyRotation", true)},
		{typ: backupComponent, name: "backups", inputs: obj()},
		{typ: awsS3BucketV2, name: "backup", in: "backups", id: "wedsync-backup", protect: true, inputs: obj("bucket", "wedsync-backup")},
		{typ: awsS3SSEConfigV2, name: "backup-sse", in: "backups", inputs: obj("bucket", "wedsync-backup", "rules", arr(obj("applyServerSideEncryptionByDefault", obj("sseAlgorithm", "aws:kms", "kmsMasterKeyId", awsKey))))},
		{typ: awsS3PublicAccess, name: "backup-pab", in: "backups", inputs: obj("bucket", "wedsync-backup", "blockPublicAcls", true, "blockPublicPolicy", true, "ignorePublicAcls", true, "restrictPublicBuckets", true)},
		{typ: awsS3Policy, name: "backup-tls", in: "backups", inputs: obj("bucket", "wedsync-backup", "policy", tlsDeny)},
		{typ: awsS3VersioningV2, name: "backup-versioning", in: "backups", inputs: obj("bucket", "wedsync-backup", "versioningConfiguration", obj("status", "Enabled"))},
		{typ: awsS3ObjectLockV2, name: "backup-lock", in: "backups", inputs: obj("bucket", "wedsync-backup", "rule", obj("defaultRetention", obj("mode", "COMPLIANCE", "days", 35.0)))},
		{typ: awsS3Replication, name: "backup-replication", in: "backups", inputs: obj("bucket", "wedsync-backup", "rules", arr(obj("status", "Enabled")))},
		{typ: awsS3AclV2, name: "backup-acl", in: "backups", inputs: obj("bucket", "wedsync-backup", "acl", "private")},
		accessStore("backup-access", "backups", "arn:aws:s3:::wedsync-backup/"),
		{typ: awsRDSInstance, name: "db", id: "wedsync-db", protect: true, inputs: obj("identifier", "wedsync-db", "engine", "postgres", "engineVersion", "16.4",
			"storageEncrypted", true, "kmsKeyId", awsKey, "publiclyAccessible", false, "deletionProtection", true, "backupRetentionPeriod", 35.0, "parameterGroupName", "wedsync-pg")},
		{typ: awsRDSParameterGroup, name: "db-params", id: "wedsync-pg", inputs: obj("name", "wedsync-pg", "family", "postgres16", "parameters", arr(obj("name", "rds.force_ssl", "value", "1"),
			obj("name", "log_connections", "value", "1"), obj("name", "log_disconnections", "value", "1"), obj("name", "log_lock_waits", "value", "1"), obj("name", "log_temp_files", "value", "0")))},
		// The network: egress named port by port, flows recorded.
		{typ: awsVPC, name: "vpc", id: "wedsync-vpc", inputs: obj("cidrBlock", "10.10.0.0/16")},
		{typ: awsFlowLog, name: "vpc-flow", inputs: obj("vpcId", "wedsync-vpc", "trafficType", "ALL", "logDestinationType", "cloud-watch-logs")},
		{typ: awsSG, name: "app-sg", id: "sg-app", inputs: obj("egress", arr(obj("protocol", "tcp", "fromPort", 443.0, "toPort", 443.0, "cidrBlocks", arr("0.0.0.0/0")),
			obj("protocol", "tcp", "fromPort", 5432.0, "toPort", 5432.0, "securityGroups", arr("sg-db"))))},
		{typ: awsEgressRule, name: "app-egress", inputs: obj("securityGroupId", "sg-app", "ipProtocol", "tcp", "fromPort", 443.0, "toPort", 443.0, "cidrIpv4", "0.0.0.0/0")},
		{typ: awsRDSBackupReplica, name: "db-backups-dr", inputs: obj("sourceDbInstanceArn", "arn:aws:rds:eu-west-2:123456789012:db:wedsync-db", "kmsKeyId", awsKey)},
		{typ: awsSecret, name: "db-secret", protect: true, inputs: obj("name", "wedsync/db", "kmsKeyId", awsKey)},
		{typ: awsLaunchTemplate, name: "web-lt", inputs: obj("blockDeviceMappings", arr(obj("deviceName", "/dev/xvda", "ebs", obj("encrypted", "true", "kmsKeyId", awsKey))), "metadataOptions", obj("httpTokens", "required"))},
		{typ: awsASG, name: "web", id: "wedsync-web", inputs: obj("name", "wedsync-web", "minSize", 2.0, "maxSize", 20.0)},
		{typ: awsASGSchedule, name: "web-peak", inputs: obj("autoscalingGroupName", "wedsync-web", "scheduledActionName", "peak-2026", "startTime", "2026-04-30T23:00:00Z", "timeZone", "Europe/London", "minSize", 8.0, "maxSize", 40.0, "desiredCapacity", 10.0)},
		{typ: awsASGSchedule, name: "web-wedding", inputs: obj("autoscalingGroupName", "wedsync-web", "scheduledActionName", "wedding-open", "recurrence", "0 16 * * 5", "timeZone", "Europe/London", "minSize", 20.0, "maxSize", 60.0, "desiredCapacity", 20.0)},
		{typ: awsASGSchedule, name: "web-close-peak", inputs: obj("autoscalingGroupName", "wedsync-web", "scheduledActionName", "wedding-close-peak", "recurrence", "0 2 * * 0", "timeZone", "Europe/London",
			"startTime", "2026-04-30T23:00:01Z", "endTime", "2026-10-31T23:59:59Z", "minSize", 8.0, "maxSize", 40.0, "desiredCapacity", 10.0)},
		{typ: awsASGSchedule, name: "web-close-off", inputs: obj("autoscalingGroupName", "wedsync-web", "scheduledActionName", "wedding-close-off", "recurrence", "0 2 * * 0", "timeZone", "Europe/London",
			"startTime", "2026-11-01T02:00:00Z", "minSize", 2.0, "maxSize", 10.0, "desiredCapacity", 2.0)},
		{typ: awsMetricAlarm, name: "db-cpu", inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("DBInstanceIdentifier", "wedsync-db"))},
		{typ: awsMetricAlarm, name: "web-at-max", inputs: obj("alarmActions", arr(snsTopic), "metricQueries", arr(obj("id", "desired", "metric", obj("dimensions", obj("AutoScalingGroupName", "wedsync-web")))))},
		{typ: awsMetricAlarm, name: "backup-freshness", inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("BucketName", "wedsync-backup", "FilterId", "all-requests"))},
		{typ: awsS3LifecycleV2, name: "backup-lifecycle", inputs: obj("bucket", "wedsync-backup", "rules", arr(obj("expiration", obj("days", 34.0), "noncurrentVersionExpiration", obj("noncurrentDays", 1.0))))},
		{typ: awsBackupVault, name: "db-vault", id: "wedsync-db-vault", inputs: obj("name", "wedsync-db-vault", "kmsKeyArn", awsKey)},
		{typ: awsBackupVaultLock, name: "db-vault-lock", inputs: obj("backupVaultName", "wedsync-db-vault", "changeableForDays", 3.0, "minRetentionDays", 35.0, "maxRetentionDays", 35.0)},
		{typ: awsBackupSelection, name: "db-selection", inputs: obj("resources", arr("arn:aws:rds:eu-west-2:123456789012:db:wedsync-db"))},
		{typ: gcpTransferJob, name: "backup-offsite", inputs: obj("status", "ENABLED", "transferSpec", obj("awsS3DataSource", obj("bucketName", "wedsync-backup"), "gcsDataSink", obj("bucketName", "wedsync-offsite")))},
		{typ: awsAppConfigVersion, name: "app-config", inputs: obj("contentType", "application/json", "content", appConfigDocument)},
	}, ledgerFixtures("aws")...)
}

// accessStore is the backup component's event data store recording the
// data events of the objects under prefixes, as the offline plan writes it.
func accessStore(name, in string, prefixes ...any) fixture {
	return fixture{typ: awsEventDataStore, name: name, in: in, inputs: obj("multiRegionEnabled", true, "kmsKeyId", awsKey,
		"advancedEventSelectors", arr(obj("fieldSelectors", arr(
			obj("field", "eventCategory", "equals", arr("Data")),
			obj("field", "resources.type", "equals", arr("AWS::S3::Object")),
			obj("field", "resources.ARN", "startsWiths", arr(prefixes...)),
		))))}
}

// appConfigDocument is a compliant configuration document: credentials by
// identifier only.
const appConfigDocument = `{"stack":{"database":{"endpoint":"db.internal","credentialsSecret":"arn:aws:secretsmanager:eu-west-2:123456789012:secret:wedsync/prod/db"}},` +
	`"settings":{"smtp":{"host":"smtp.example","password":"projects/p/secrets/smtp"},"sessionTokenTtlSeconds":300}}`

func gcpFixtures() []fixture {
	return append([]fixture{
		{typ: "pulumi:providers:gcp", name: "gcp-primary", inputs: obj("region", "europe-west2", "project", "wedsync-prod")},
		{typ: gcpCryptoKey, name: "data-key", inputs: obj("keyRing", "projects/p/locations/europe-west2/keyRings/r", "rotationPeriod", "7776000s")},
		{typ: backupComponent, name: "backups", inputs: obj()},
		{typ: gcpBucket, name: "backup", in: "backups", id: "wedsync-backup-g", protect: true, inputs: obj("name", "wedsync-backup-g", "location", "EUR4",
			"encryption", obj("defaultKmsKeyName", gcpKey), "publicAccessPrevention", "enforced", "uniformBucketLevelAccess", true,
			"versioning", obj("enabled", true), "retentionPolicy", obj("retentionPeriod", 3024000.0, "isLocked", true),
			"lifecycleRules", arr(obj("action", obj("type", "Delete"), "condition", obj("age", 35.0))))},
		{typ: gcpWorkflow, name: "db-export", inputs: obj("sourceContents", "call: googleapis.sqladmin.v1.instances.export\nargs:\n  instance: wedsync-db")},
		{typ: azDataFactoryPipeline, name: "backup-offsite", inputs: obj("activities", arr(obj("name", "copy", "type", "Copy",
			"source", obj("type", "BinarySource", "storeSettings", obj("type", "GoogleCloudStorageReadSettings")),
			"sink", obj("type", "BinarySink", "storeSettings", obj("type", "AzureBlobStorageWriteSettings")))))},
		{typ: gcpBucketIAMMember, name: "backup-writer", in: "backups", inputs: obj("bucket", "wedsync-backup-g", "role", "roles/storage.objectCreator", "member", "serviceAccount:backup@p.iam.gserviceaccount.com")},
		{typ: gcpSQLInstance, name: "db", id: "wedsync-db", protect: true, inputs: obj("name", "wedsync-db", "databaseVersion", "POSTGRES_16", "region", "europe-west2",
			"encryptionKeyName", gcpKey, "deletionProtection", true, "settings", obj("deletionProtectionEnabled", true,
				"ipConfiguration", obj("ipv4Enabled", false, "privateNetwork", "projects/p/global/networks/wedsync", "sslMode", "ENCRYPTED_ONLY"),
				"backupConfiguration", obj("enabled", true, "pointInTimeRecoveryEnabled", true, "backupRetentionSettings", obj("retainedBackups", 35.0, "retentionUnit", "COUNT")),
				"databaseFlags", arr(obj("name", "log_connections", "value", "on"), obj("name", "log_disconnections", "value", "on"), obj("name", "log_lock_waits", "value", "on"), obj("name", "log_temp_files", "value", "0"))))},
		{typ: gcpSubnetwork, name: "subnet", inputs: obj("logConfig", obj("aggregationInterval", "INTERVAL_5_SEC", "flowSampling", 0.5, "metadata", "INCLUDE_ALL_METADATA"))},
		{typ: gcpFirewall, name: "deny-egress", inputs: obj("direction", "EGRESS", "priority", 65000.0, "destinationRanges", arr("0.0.0.0/0"), "denies", arr(obj("protocol", "all")))},
		{typ: gcpFirewall, name: "egress-https", inputs: obj("direction", "EGRESS", "destinationRanges", arr("0.0.0.0/0"), "allows", arr(obj("protocol", "tcp", "ports", arr("443"))))},
		{typ: gcpSecret, name: "db-secret", protect: true, inputs: obj("secretId", "db", "replication", obj("userManaged", obj("replicas", arr(obj("location", "europe-west2", "customerManagedEncryption", obj("kmsKeyName", gcpKey))))))},
		{typ: gcpInstanceTemplate, name: "web-template", inputs: obj("disks", arr(obj("boot", true, "diskEncryptionKey", obj("kmsKeySelfLink", gcpKey))))},
		{typ: gcpRegionIGM, name: "web", id: "projects/p/regions/europe-west2/instanceGroupManagers/wedsync-web", inputs: obj("name", "wedsync-web", "region", "europe-west2")},
		// Wedding days last 35 hours from Friday 16:00, to cover Sunday 02:00
		// when the clocks go back (an hour more than needed on other
		// weekends); the peak season 184 days from 1 May (it ends an hour
		// early in GMT, inside a wedding night, where the weekly schedule
		// holds more).
		{typ: gcpRegionAutoscaler, name: "web-autoscaler", inputs: obj("region", "europe-west2", "target", "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west2/instanceGroupManagers/wedsync-web",
			"autoscalingPolicy", obj("minReplicas", 2.0, "maxReplicas", 60.0, "scalingSchedules", arr(
				obj("name", "wedding-days", "schedule", "0 16 * * 5", "timeZone", "Europe/London", "durationSec", 126000.0, "minRequiredReplicas", 20.0),
				obj("name", "peak-season", "schedule", "0 0 1 5 *", "timeZone", "Europe/London", "durationSec", 15897600.0, "minRequiredReplicas", 8.0))))},
		{typ: gcpAlertPolicy, name: "db-cpu", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "cloudsql_database" AND resource.labels.database_id = "p:wedsync-db"`))))},
		{typ: gcpAlertPolicy, name: "web-at-max", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "instance_group" AND resource.labels.instance_group_name = "wedsync-web"`))))},
		{typ: gcpAlertPolicy, name: "backup-freshness", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "gcs_bucket" AND resource.labels.bucket_name = "wedsync-backup-g"`))))},
		{typ: "wedsync:appconfig:AppConfig", name: "app", inputs: obj()},
		{typ: gcpSecretVersion, name: "app-config", in: "app", inputs: obj("secret", "projects/p/secrets/appconfig-wedsync-prod", "secretData", appConfigDocument)},
		// A secret's version outside the component may hold a credential.
		{typ: gcpSecretVersion, name: "smtp-password", inputs: obj("secret", "projects/p/secrets/wedsync-prod-smtp", "secretData", `{"password":"hunter2"}`)},
	}, ledgerFixtures("gcp")...)
}

// azureWeek is a weekly Azure autoscale profile starting at hour on day.
func azureWeek(name, day string, hour, minimum float64) map[string]any {
	return obj("name", name, "capacity", obj("minimum", minimum, "maximum", 60.0, "default", minimum),
		"recurrence", obj("frequency", "Week", "schedule", obj("timeZone", "GMT Standard Time", "days", arr(day), "hours", arr(hour), "minutes", arr(0.0))))
}

const azVNetID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/wedsync-vnet"

func azureFixtures() []fixture {
	return append([]fixture{
		{typ: "pulumi:providers:azure-native", name: "azure-primary", inputs: obj("location", "uksouth")},
		{typ: backupComponent, name: "backups", inputs: obj()},
		{typ: azStorageAccount, name: "backup", in: "backups", id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wsbackupuks", protect: true, inputs: obj(
			"accountName", "wsbackupuks", "location", "uksouth", "sku", obj("name", "Standard_GZRS"),
			"encryption", obj("keySource", "Microsoft.Keyvault", "keyVaultProperties", obj("keyName", "data", "keyVaultUri", "https://wskv.vault.azure.net")),
			"enableHttpsTrafficOnly", true, "minimumTlsVersion", "TLS1_2", "allowBlobPublicAccess", false)},
		{typ: azBlobService, name: "backup-blob", in: "backups", inputs: obj("accountName", "wsbackupuks", "isVersioningEnabled", true)},
		{typ: azBlobContainer, name: "backup-container", in: "backups", inputs: obj("accountName", "wsbackupuks", "containerName", "backups", "publicAccess", "None")},
		{typ: azImmutabilityPolicy, name: "backup-immutability", in: "backups", inputs: obj("accountName", "wsbackupuks", "containerName", "backups", "immutabilityPeriodSinceCreationInDays", 35.0)},
		{typ: azPGServer, name: "db", protect: true, inputs: obj("serverName", "wedsync-db", "location", "uksouth",
			"dataEncryption", obj("type", "AzureKeyVault", "primaryKeyURI", azKeyURI),
			"backup", obj("backupRetentionDays", 35.0, "geoRedundantBackup", "Enabled"),
			"network", obj("delegatedSubnetResourceId", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/db"))},
		{typ: azBackupVault, name: "db-vault", inputs: obj("vaultName", "wsdbvault", "properties", obj("securitySettings", obj("immutabilitySettings", obj("state", "Locked"))))},
		{typ: azBackupInstance, name: "db-backup", inputs: obj("vaultName", "wsdbvault", "properties", obj("dataSourceInfo", obj("resourceID", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-db")))},
		{typ: gcpTransferJob, name: "backup-offsite", inputs: obj("status", "ENABLED", "transferSpec", obj("azureBlobStorageDataSource", obj("storageAccount", "wsbackupuks", "container", "backups"), "gcsDataSink", obj("bucketName", "wedsync-offsite")))},
		{typ: azPGConfiguration, name: "db-tls", inputs: obj("serverName", "wedsync-db", "configurationName", "require_secure_transport", "value", "ON")},
		{typ: azPGConfiguration, name: "db-connections", inputs: obj("serverName", "wedsync-db", "configurationName", "log_connections", "value", "on")},
		{typ: azPGConfiguration, name: "db-disconnections", inputs: obj("serverName", "wedsync-db", "configurationName", "log_disconnections", "value", "on")},
		{typ: azPGConfiguration, name: "db-lock-waits", inputs: obj("serverName", "wedsync-db", "configurationName", "log_lock_waits", "value", "on")},
		{typ: azPGConfiguration, name: "db-temp-files", inputs: obj("serverName", "wedsync-db", "configurationName", "log_temp_files", "value", "0")},
		{typ: azPGConfiguration, name: "db-throttle", inputs: obj("serverName", "wedsync-db", "configurationName", "connection_throttle.enable", "value", "on")},
		{typ: azVNet, name: "vnet", id: azVNetID, inputs: obj("virtualNetworkName", "wedsync-vnet", "location", "uksouth")},
		{typ: azFlowLog, name: "vnet-flows", inputs: obj("targetResourceId", azVNetID, "enabled", true, "storageId", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wsflowsuks")},
		{typ: azNSG, name: "app-nsg", inputs: obj("securityRules", arr(
			obj("name", "allow-app-internet-https", "direction", "Outbound", "access", "Allow", "protocol", "Tcp", "destinationAddressPrefix", "Internet", "destinationPortRange", "443", "priority", 130.0),
			obj("name", "deny-everything-else-outbound", "direction", "Outbound", "access", "Deny", "protocol", "*", "destinationAddressPrefix", "*", "destinationPortRange", "*", "priority", 4000.0)))},
		{typ: azPGFirewallRule, name: "db-office", inputs: obj("serverName", "wedsync-db", "firewallRuleName", "office", "startIpAddress", "203.0.113.10", "endIpAddress", "203.0.113.10")},
		{typ: azKeyVault, name: "vault", protect: true, inputs: obj("vaultName", "wskv", "location", "uksouth", "properties", obj("networkAcls", obj("defaultAction", "Deny"), "enablePurgeProtection", true))},
		{typ: azKeyVaultKey, name: "data-key", inputs: obj("vaultName", "wskv", "keyName", "data", "properties", obj("rotationPolicy", obj("lifetimeActions", arr(obj("action", obj("type", "Rotate"), "trigger", obj("timeAfterCreate", "P90D"))))))},
		{typ: azVMSS, name: "web", id: vmssID, inputs: obj("vmScaleSetName", "wedsync-web", "location", "uksouth", "virtualMachineProfile", obj("securityProfile", obj("encryptionAtHost", true)))},
		// Written in June: the weekly pattern carries the peak season (wedding
		// days open at 20 and close back to 8), more than the off season needs.
		{typ: azAutoscaleSetting, name: "web-autoscale", inputs: obj("targetResourceUri", vmssID, "location", "uksouth", "profiles", arr(
			obj("name", "default", "capacity", obj("minimum", "2", "maximum", "60", "default", "2")),
			azureWeek("wedding-day-start", "Friday", 16, 20),
			azureWeek("wedding-day-end", "Sunday", 2, 8)))},
		{typ: azMetricAlert, name: "db-cpu", inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr("/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-db"))},
		{typ: azMetricAlert, name: "web-unhealthy", inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr(vmssID))},
		{typ: azMetricAlert, name: "backup-freshness", inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wsbackupuks"))},
		{typ: azAppConfigKeyValue, name: "app-document", inputs: obj("configStoreName", "wedsync-prod-appconfig", "keyValueName", "wedsync:document$prod", "contentType", "application/json", "value", appConfigDocument)},
		{typ: azAppConfigKeyValue, name: "app-smtp-password", inputs: obj("configStoreName", "wedsync-prod-appconfig", "keyValueName", "wedsync:secrets:smtpPassword$prod",
			"contentType", keyVaultRefContentType+";charset=utf-8", "value", `{"uri":"https://wskv.vault.azure.net/secrets/smtp-password"}`)},
	}, ledgerFixtures("azure")...)
}

// moreFixtures is a compliant prod stack of the types the shipped
// components do not create (today), so every type a rule declares has a
// compliant row: the legacy S3 Bucket with its settings inline, an Aurora
// cluster, EBS and GCE disks, a regional instance template, a zonal managed
// instance group and autoscaler, a bucket IAM binding.
func moreFixtures() []fixture {
	const legacyPolicy = `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	return []fixture{
		{typ: "pulumi:providers:aws", name: "aws-primary", inputs: obj("region", "eu-west-2")},
		{typ: backupComponent, name: "archive", inputs: obj()},
		{typ: awsS3Bucket, name: "archive-bucket", in: "archive", id: "wedsync-archive", protect: true, inputs: obj("bucket", "wedsync-archive", "acl", "private",
			"serverSideEncryptionConfiguration", obj("rule", obj("applyServerSideEncryptionByDefault", obj("sseAlgorithm", "aws:kms", "kmsMasterKeyId", awsKey))),
			"versioning", obj("enabled", true), "policy", legacyPolicy,
			"objectLockConfiguration", obj("objectLockEnabled", "Enabled", "rule", obj("defaultRetention", obj("mode", "COMPLIANCE", "days", 35.0))),
			"replicationConfiguration", obj("rules", arr(obj("status", "Enabled"))))},
		accessStore("archive-access", "archive", "arn:aws:s3:::wedsync-archive/"),
		{typ: awsS3PublicAccess, name: "archive-pab", in: "archive", inputs: obj("bucket", "wedsync-archive", "blockPublicAcls", true, "blockPublicPolicy", true, "ignorePublicAcls", true, "restrictPublicBuckets", true)},
		{typ: awsRDSCluster, name: "aurora", id: "wedsync-aurora", protect: true, inputs: obj("clusterIdentifier", "wedsync-aurora", "engine", "aurora-postgresql", "engineVersion", "16.4",
			"storageEncrypted", true, "kmsKeyId", awsKey, "deletionProtection", true, "backupRetentionPeriod", 35.0,
			"globalClusterIdentifier", "wedsync-global", "dbClusterParameterGroupName", "wedsync-aurora-pg")},
		{typ: awsRDSClusterParams, name: "aurora-params", id: "wedsync-aurora-pg", inputs: obj("name", "wedsync-aurora-pg", "family", "aurora-postgresql16", "parameters", arr(obj("name", "rds.force_ssl", "value", "1")))},
		{typ: awsEBSVolume, name: "scratch", inputs: obj("availabilityZone", "eu-west-2a", "encrypted", true, "kmsKeyId", awsKey)},
		{typ: awsMetricAlarm, name: "aurora-cpu", inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("DBClusterIdentifier", "wedsync-aurora"))},
		{typ: awsMetricAlarm, name: "archive-freshness", inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("BucketName", "wedsync-archive"))},
		{typ: "pulumi:providers:gcp", name: "gcp-primary", inputs: obj("region", "europe-west2", "project", "wedsync-prod")},
		{typ: gcpRegionTemplate, name: "batch-template", inputs: obj("disks", arr(obj("boot", true, "diskEncryptionKey", obj("kmsKeySelfLink", gcpKey))))},
		{typ: gcpDisk, name: "batch-data", inputs: obj("zone", "europe-west2-a", "diskEncryptionKey", obj("kmsKeySelfLink", gcpKey))},
		{typ: gcpIGM, name: "batch", id: "projects/p/zones/europe-west2-a/instanceGroupManagers/wedsync-batch", inputs: obj("name", "wedsync-batch", "zone", "europe-west2-a")},
		{typ: gcpAutoscaler, name: "batch-autoscaler", inputs: obj("zone", "europe-west2-a", "target", "https://www.googleapis.com/compute/v1/projects/p/zones/europe-west2-a/instanceGroupManagers/wedsync-batch",
			"autoscalingPolicy", obj("minReplicas", 2.0, "maxReplicas", 60.0, "scalingSchedules", arr(
				obj("name", "wedding-days", "schedule", "0 16 * * 5", "timeZone", "Europe/London", "durationSec", 126000.0, "minRequiredReplicas", 20.0),
				obj("name", "peak-season", "schedule", "0 0 1 5 *", "timeZone", "Europe/London", "durationSec", 15897600.0, "minRequiredReplicas", 8.0))))},
		{typ: gcpBucketIAMBinding, name: "reports-readers", inputs: obj("bucket", "wedsync-reports", "role", "roles/storage.objectViewer", "members", arr("group:auditors@wedsync.example"))},
		{typ: gcpAlertPolicy, name: "batch-at-max", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "instance_group" AND resource.labels.instance_group_name = "wedsync-batch"`))))},
	}
}

// resourcesOf records fixtures as the offline plan would: a stack resource,
// and every resource on the (last listed) provider of its cloud.
func resourcesOf(fixtures []fixture) []*Resource {
	out := []*Resource{{URN: stackURN, Type: pulumiStackType, Name: "wedsync-prod", Props: FromPlain(map[string]any{})}}
	byName := map[string]fixture{}
	for _, f := range fixtures {
		byName[f.name] = f
	}
	providers := map[string]*Resource{}
	for _, f := range fixtures {
		props := FromPlain(f.inputs)
		r := &Resource{URN: urnOf(typeChain(byName, f), f.name), Type: f.typ, Name: f.name, ID: f.id, Protect: f.protect, Props: props, Parent: stackURN}
		if f.in != "" {
			r.Parent = urnOf(typeChain(byName, byName[f.in]), f.in)
		}
		if r.ID == "" {
			r.ID = f.name + "-id"
		}
		if strings.HasPrefix(f.typ, providerTypePrefix) {
			providers[cloudOf(strings.TrimPrefix(f.typ, providerTypePrefix))] = r
		} else if p := providers[cloudOf(f.typ)]; p != nil {
			r.Region = Region(props, p.Props)
		} else {
			r.Region = Region(props, FromPlain(nil))
		}
		out = append(out, r)
	}
	return out
}

// check evaluates fixtures as a stack of environment env at now.
func check(env string, fixtures []fixture, cfg Config, now time.Time) []Finding {
	return Evaluate(resourcesOf(fixtures), NewEnv(env, cfg, now))
}

// clouds are the compliant stacks.
func clouds() map[string][]fixture {
	return map[string][]fixture{
		"aws":   append(awsFixtures(), awsIngressFixtures()...),
		"gcp":   append(gcpFixtures(), gcpIngressFixtures()...),
		"azure": append(azureFixtures(), azureIngressFixtures()...),
		"more":  append(append(moreFixtures(), ciFixtures()...), ledgerFixtures("more")...),
	}
}

// remove deletes the input at a path.
type removeT struct{}

var remove = removeT{}

// unprotect, as a path, turns off a fixture's protect option.
const unprotect = "!protect"

// with returns a deep copy of fixtures with the input at path (dotted,
// numbers index lists) of resource name set to value (or removed); an empty
// path drops the resource, unprotect unprotects it.
func with(fixtures []fixture, name, path string, value any) []fixture {
	var out []fixture
	found := false
	for _, f := range fixtures {
		f.inputs = deepCopy(f.inputs).(map[string]any)
		if f.name == name {
			found = true
			switch path {
			case "":
				continue
			case unprotect:
				f.protect = false
			default:
				setPath(f.inputs, strings.Split(path, "."), value)
			}
		}
		out = append(out, f)
	}
	if !found {
		panic("no fixture named " + name)
	}
	return out
}

func setPath(m map[string]any, path []string, value any) {
	var cur any = m
	for i, key := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if value == remove {
					delete(c, key)
				} else {
					c[key] = value
				}
				return
			}
			if _, ok := c[key]; !ok {
				c[key] = map[string]any{}
			}
			cur = c[key]
		case []any:
			idx, err := strconv.Atoi(key)
			if err != nil || idx >= len(c) {
				panic(fmt.Sprintf("bad index %q (append with a parent path instead)", key))
			}
			if last {
				c[idx] = value
				return
			}
			cur = c[idx]
		default:
			panic(fmt.Sprintf("cannot descend into %T at %q", cur, key))
		}
	}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
