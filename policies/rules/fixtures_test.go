package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// The fixtures are compliant prod stacks, one per cloud, written as the
// offline plan records them (plain inputs, explicit providers); each test
// breaks one input and expects the rule that guards it to fire.

const stackURN = "urn:pulumi:prod::wedsync::pulumi:pulumi:Stack::wedsync-prod"

func urnOf(typ, name string) string { return "urn:pulumi:prod::wedsync::" + typ + "::" + name }

type fixture struct {
	typ, name, id string
	protect       bool
	inputs        map[string]any
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

func awsFixtures() []fixture {
	return []fixture{
		{typ: "pulumi:providers:aws", name: "aws-primary", inputs: obj("region", "eu-west-2")},
		{typ: awsKMSKey, name: "data-key", inputs: obj("enableKeyRotation", true)},
		{typ: awsS3BucketV2, name: "backup", id: "wedsync-backup", protect: true, inputs: obj("bucket", "wedsync-backup")},
		{typ: awsS3SSEConfigV2, name: "backup-sse", inputs: obj("bucket", "wedsync-backup", "rules", arr(obj("applyServerSideEncryptionByDefault", obj("sseAlgorithm", "aws:kms", "kmsMasterKeyId", awsKey))))},
		{typ: awsS3PublicAccess, name: "backup-pab", inputs: obj("bucket", "wedsync-backup", "blockPublicAcls", true, "blockPublicPolicy", true, "ignorePublicAcls", true, "restrictPublicBuckets", true)},
		{typ: awsS3Policy, name: "backup-tls", inputs: obj("bucket", "wedsync-backup", "policy", tlsDeny)},
		{typ: awsS3VersioningV2, name: "backup-versioning", inputs: obj("bucket", "wedsync-backup", "versioningConfiguration", obj("status", "Enabled"))},
		{typ: awsS3ObjectLockV2, name: "backup-lock", inputs: obj("bucket", "wedsync-backup", "rule", obj("defaultRetention", obj("mode", "COMPLIANCE", "days", 35.0)))},
		{typ: awsS3Replication, name: "backup-replication", inputs: obj("bucket", "wedsync-backup", "rules", arr(obj("status", "Enabled")))},
		{typ: awsRDSInstance, name: "db", id: "wedsync-db", protect: true, inputs: obj("identifier", "wedsync-db", "engine", "postgres", "engineVersion", "16.4",
			"storageEncrypted", true, "kmsKeyId", awsKey, "publiclyAccessible", false, "deletionProtection", true, "backupRetentionPeriod", 35.0, "parameterGroupName", "wedsync-pg")},
		{typ: awsRDSParameterGroup, name: "db-params", id: "wedsync-pg", inputs: obj("name", "wedsync-pg", "family", "postgres16", "parameters", arr(obj("name", "rds.force_ssl", "value", "1")))},
		{typ: awsRDSBackupReplica, name: "db-backups-dr", inputs: obj("sourceDbInstanceArn", "arn:aws:rds:eu-west-2:123456789012:db:wedsync-db", "kmsKeyId", awsKey)},
		{typ: awsSecret, name: "db-secret", protect: true, inputs: obj("name", "wedsync/db", "kmsKeyId", awsKey)},
		{typ: awsLaunchTemplate, name: "web-lt", inputs: obj("blockDeviceMappings", arr(obj("deviceName", "/dev/xvda", "ebs", obj("encrypted", "true", "kmsKeyId", awsKey))), "metadataOptions", obj("httpTokens", "required"))},
		{typ: awsASG, name: "web", id: "wedsync-web", inputs: obj("name", "wedsync-web", "minSize", 2.0, "maxSize", 20.0)},
		{typ: awsASGSchedule, name: "web-wedding", inputs: obj("autoscalingGroupName", "wedsync-web", "scheduledActionName", "wedding-open", "recurrence", "0 16 * * 5", "timeZone", "Europe/London", "minSize", 20.0, "maxSize", 60.0)},
		{typ: awsASGSchedule, name: "web-peak", inputs: obj("autoscalingGroupName", "wedsync-web", "scheduledActionName", "peak-2026", "startTime", "2026-05-01T00:00:00Z", "timeZone", "Europe/London", "minSize", 8.0, "maxSize", 40.0)},
		{typ: awsMetricAlarm, name: "db-cpu", inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("DBInstanceIdentifier", "wedsync-db"))},
		{typ: awsMetricAlarm, name: "web-at-max", inputs: obj("alarmActions", arr(snsTopic), "metricQueries", arr(obj("id", "desired", "metric", obj("dimensions", obj("AutoScalingGroupName", "wedsync-web")))))},
		{typ: awsMetricAlarm, name: "backup-freshness", inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("BucketName", "wedsync-backup", "FilterId", "all-requests"))},
		{typ: awsS3LifecycleV2, name: "backup-lifecycle", inputs: obj("bucket", "wedsync-backup", "rules", arr(obj("expiration", obj("days", 34.0), "noncurrentVersionExpiration", obj("noncurrentDays", 1.0))))},
		{typ: awsBackupVault, name: "db-vault", id: "wedsync-db-vault", inputs: obj("name", "wedsync-db-vault", "kmsKeyArn", awsKey)},
		{typ: awsBackupVaultLock, name: "db-vault-lock", inputs: obj("backupVaultName", "wedsync-db-vault", "changeableForDays", 3.0, "minRetentionDays", 35.0, "maxRetentionDays", 35.0)},
		{typ: awsBackupSelection, name: "db-selection", inputs: obj("resources", arr("arn:aws:rds:eu-west-2:123456789012:db:wedsync-db"))},
		{typ: gcpTransferJob, name: "backup-offsite", inputs: obj("status", "ENABLED", "transferSpec", obj("awsS3DataSource", obj("bucketName", "wedsync-backup"), "gcsDataSink", obj("bucketName", "wedsync-offsite")))},
	}
}

func gcpFixtures() []fixture {
	return []fixture{
		{typ: "pulumi:providers:gcp", name: "gcp-primary", inputs: obj("region", "europe-west2", "project", "wedsync-prod")},
		{typ: gcpCryptoKey, name: "data-key", inputs: obj("keyRing", "projects/p/locations/europe-west2/keyRings/r", "rotationPeriod", "7776000s")},
		{typ: gcpBucket, name: "backup", id: "wedsync-backup-g", protect: true, inputs: obj("name", "wedsync-backup-g", "location", "EUR4",
			"encryption", obj("defaultKmsKeyName", gcpKey), "publicAccessPrevention", "enforced", "uniformBucketLevelAccess", true,
			"versioning", obj("enabled", true), "retentionPolicy", obj("retentionPeriod", 3024000.0, "isLocked", true),
			"lifecycleRules", arr(obj("action", obj("type", "Delete"), "condition", obj("age", 35.0))))},
		{typ: gcpWorkflow, name: "db-export", inputs: obj("sourceContents", "call: googleapis.sqladmin.v1.instances.export\nargs:\n  instance: wedsync-db")},
		{typ: gcpTransferJob, name: "backup-offsite", inputs: obj("status", "ENABLED", "transferSpec", obj("azureBlobStorageDataSource", obj("storageAccount", "wsoffsite", "container", "backups"), "gcsDataSink", obj("bucketName", "wedsync-offsite")))},
		{typ: gcpBucketIAMMember, name: "backup-writer", inputs: obj("bucket", "wedsync-backup-g", "role", "roles/storage.objectCreator", "member", "serviceAccount:backup@p.iam.gserviceaccount.com")},
		{typ: gcpSQLInstance, name: "db", id: "wedsync-db", protect: true, inputs: obj("name", "wedsync-db", "databaseVersion", "POSTGRES_16", "region", "europe-west2",
			"encryptionKeyName", gcpKey, "deletionProtection", true, "settings", obj("deletionProtectionEnabled", true,
				"ipConfiguration", obj("ipv4Enabled", false, "privateNetwork", "projects/p/global/networks/wedsync", "sslMode", "ENCRYPTED_ONLY"),
				"backupConfiguration", obj("enabled", true, "pointInTimeRecoveryEnabled", true, "backupRetentionSettings", obj("retainedBackups", 35.0, "retentionUnit", "COUNT"))))},
		{typ: gcpSecret, name: "db-secret", protect: true, inputs: obj("secretId", "db", "replication", obj("userManaged", obj("replicas", arr(obj("location", "europe-west2", "customerManagedEncryption", obj("kmsKeyName", gcpKey))))))},
		{typ: gcpInstanceTemplate, name: "web-template", inputs: obj("disks", arr(obj("boot", true, "diskEncryptionKey", obj("kmsKeySelfLink", gcpKey))))},
		{typ: gcpRegionIGM, name: "web", id: "projects/p/regions/europe-west2/instanceGroupManagers/wedsync-web", inputs: obj("name", "wedsync-web", "region", "europe-west2")},
		{typ: gcpRegionAutoscaler, name: "web-autoscaler", inputs: obj("region", "europe-west2", "target", "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west2/instanceGroupManagers/wedsync-web",
			"autoscalingPolicy", obj("minReplicas", 2.0, "maxReplicas", 60.0, "scalingSchedules", arr(
				obj("name", "wedding-days", "schedule", "0 16 * * 5", "timeZone", "Europe/London", "durationSec", 122400.0, "minRequiredReplicas", 20.0),
				obj("name", "peak-season", "schedule", "0 0 1 5 *", "timeZone", "Europe/London", "durationSec", 15897600.0, "minRequiredReplicas", 8.0))))},
		{typ: gcpAlertPolicy, name: "db-cpu", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "cloudsql_database" AND resource.labels.database_id = "p:wedsync-db"`))))},
		{typ: gcpAlertPolicy, name: "web-at-max", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "instance_group" AND resource.labels.instance_group_name = "wedsync-web"`))))},
		{typ: gcpAlertPolicy, name: "backup-freshness", inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.type = "gcs_bucket" AND resource.labels.bucket_name = "wedsync-backup-g"`))))},
	}
}

func azureFixtures() []fixture {
	return []fixture{
		{typ: "pulumi:providers:azure-native", name: "azure-primary", inputs: obj("location", "uksouth")},
		{typ: azStorageAccount, name: "backup", id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wsbackupuks", protect: true, inputs: obj(
			"accountName", "wsbackupuks", "location", "uksouth", "sku", obj("name", "Standard_GZRS"),
			"encryption", obj("keySource", "Microsoft.Keyvault", "keyVaultProperties", obj("keyName", "data", "keyVaultUri", "https://wskv.vault.azure.net")),
			"enableHttpsTrafficOnly", true, "minimumTlsVersion", "TLS1_2", "allowBlobPublicAccess", false)},
		{typ: azBlobService, name: "backup-blob", inputs: obj("accountName", "wsbackupuks", "isVersioningEnabled", true)},
		{typ: azBlobContainer, name: "backup-container", inputs: obj("accountName", "wsbackupuks", "containerName", "backups", "publicAccess", "None")},
		{typ: azImmutabilityPolicy, name: "backup-immutability", inputs: obj("accountName", "wsbackupuks", "containerName", "backups", "immutabilityPeriodSinceCreationInDays", 35.0)},
		{typ: azPGServer, name: "db", protect: true, inputs: obj("serverName", "wedsync-db", "location", "uksouth",
			"dataEncryption", obj("type", "AzureKeyVault", "primaryKeyURI", azKeyURI),
			"backup", obj("backupRetentionDays", 35.0, "geoRedundantBackup", "Enabled"),
			"network", obj("delegatedSubnetResourceId", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/db"))},
		{typ: azBackupVault, name: "db-vault", inputs: obj("vaultName", "wsdbvault", "properties", obj("securitySettings", obj("immutabilitySettings", obj("state", "Locked"))))},
		{typ: azBackupInstance, name: "db-backup", inputs: obj("vaultName", "wsdbvault", "properties", obj("dataSourceInfo", obj("resourceID", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-db")))},
		{typ: gcpTransferJob, name: "backup-offsite", inputs: obj("status", "ENABLED", "transferSpec", obj("azureBlobStorageDataSource", obj("storageAccount", "wsbackupuks", "container", "backups"), "gcsDataSink", obj("bucketName", "wedsync-offsite")))},
		{typ: azPGConfiguration, name: "db-tls", inputs: obj("serverName", "wedsync-db", "configurationName", "require_secure_transport", "value", "ON")},
		{typ: azKeyVault, name: "vault", protect: true, inputs: obj("vaultName", "wskv", "location", "uksouth", "properties", obj("networkAcls", obj("defaultAction", "Deny"), "enablePurgeProtection", true))},
		{typ: azKeyVaultKey, name: "data-key", inputs: obj("vaultName", "wskv", "keyName", "data", "properties", obj("rotationPolicy", obj("lifetimeActions", arr(obj("action", obj("type", "Rotate"), "trigger", obj("timeAfterCreate", "P90D"))))))},
		{typ: azVMSS, name: "web", id: vmssID, inputs: obj("vmScaleSetName", "wedsync-web", "location", "uksouth", "virtualMachineProfile", obj("securityProfile", obj("encryptionAtHost", true)))},
		{typ: azAutoscaleSetting, name: "web-autoscale", inputs: obj("targetResourceUri", vmssID, "location", "uksouth", "profiles", arr(
			obj("name", "off-season", "capacity", obj("minimum", "2", "maximum", "60", "default", "2")),
			obj("name", "wedding-days", "capacity", obj("minimum", "20", "maximum", "60", "default", "20"),
				"recurrence", obj("frequency", "Week", "schedule", obj("timeZone", "GMT Standard Time", "days", arr("Friday"), "hours", arr(16.0), "minutes", arr(0.0)))),
			obj("name", "peak-2026", "capacity", obj("minimum", "8", "maximum", "40", "default", "8"),
				"fixedDate", obj("timeZone", "UTC", "start", "2026-05-01T00:00:00Z", "end", "2026-11-01T00:00:00Z"))))},
		{typ: azMetricAlert, name: "db-cpu", inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr("/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-db"))},
		{typ: azMetricAlert, name: "web-unhealthy", inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr(vmssID))},
		{typ: azMetricAlert, name: "backup-freshness", inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/wsbackupuks"))},
	}
}

// planOf records fixtures as the offline plan would: a stack resource, and
// every resource on the fixture's (first) provider.
func planOf(env string, fixtures []fixture) *plan.Plan {
	p := &plan.Plan{Project: "wedsync", Stack: "prod", Environment: env}
	p.Resources = append(p.Resources, plan.Resource{URN: stackURN, Type: pulumiStackType, Name: "wedsync-prod", Inputs: map[string]any{}})
	provider := ""
	for _, f := range fixtures {
		r := plan.Resource{URN: urnOf(f.typ, f.name), Type: f.typ, Name: f.name, ID: f.id, Custom: true, Protect: f.protect, Inputs: f.inputs}
		if strings.HasPrefix(f.typ, providerTypePrefix) {
			provider = r.URN
		} else {
			r.Provider = provider
		}
		if r.ID == "" {
			r.ID = f.name + "-id"
		}
		p.Resources = append(p.Resources, r)
	}
	return p
}

// remove deletes the input at a path.
type removeT struct{}

var remove = removeT{}

// with returns a deep copy of fixtures with the input at path (dotted,
// numbers index lists) of resource name set to value (or removed); an empty
// path drops the resource.
func with(fixtures []fixture, name, path string, value any) []fixture {
	var out []fixture
	found := false
	for _, f := range fixtures {
		f.inputs = deepCopy(f.inputs).(map[string]any)
		if f.name == name {
			found = true
			if path == "" {
				continue
			}
			setPath(f.inputs, strings.Split(path, "."), value)
		}
		out = append(out, f)
	}
	if !found {
		panic("no fixture named " + name)
	}
	return out
}

func withProtect(fixtures []fixture, name string, protect bool) []fixture {
	out := with(fixtures, name, "x-unused", remove)
	for i := range out {
		if out[i].name == name {
			out[i].protect = protect
		}
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
				panic(fmt.Sprintf("bad index %q", key))
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
