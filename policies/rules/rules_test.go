package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// wednesday is outside every default freeze window, in peak season.
var wednesday = time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)

func TestCompliantProdStacksPassEveryRule(t *testing.T) {
	for cloud, fixtures := range clouds() {
		t.Run(cloud+"_prod_stack_has_no_violations", func(t *testing.T) {
			for _, v := range check("prod", fixtures, Config{}, wednesday) {
				t.Errorf("unexpected %s on %s: %s", v.Policy, v.URN, v.Message)
			}
		})
	}
}

// breaking is one way to break a compliant stack and the rule that catches it.
type breaking struct {
	name     string
	cloud    string
	resource string // fixture name
	path     string // "" drops the resource
	value    any
	policy   string
	on       string // fixture name the violation is reported on; default resource
}

// also breaks something else as well, for cases that take two changes.
var also = map[string]func([]fixture) []fixture{
	"gcs_without_versioning":        func(f []fixture) []fixture { return with(f, "backup", "retentionPolicy", remove) },
	"rds_postgres_14_default_group": func(f []fixture) []fixture { return with(f, "db", "parameterGroupName", remove) },
	"rds_postgres_14_group_without_force_ssl": func(f []fixture) []fixture {
		return with(with(f, "db", "engineVersion", "14.9"), "db-params", "parameters", []any{})
	},
	"asg_max_below_ten_times_baseline": func(f []fixture) []fixture { return with(f, "web-close-off", "minSize", 7.0) },
	"inventory_into_the_backup_bucket_exempts_nothing": func(f []fixture) []fixture {
		return append(f, fixture{typ: awsS3Inventory, name: "stray-inventory", inputs: obj("bucket", "wedsync-data",
			"destination", obj("bucket", obj("bucketArn", "arn:aws:s3:::wedsync-backup")))})
	},
	"access_logs_into_the_backup_bucket_exempt_nothing": func(f []fixture) []fixture {
		return append(f, fixture{typ: awsS3LoggingV2, name: "stray-logging", inputs: obj("bucket", "wedsync-data", "targetBucket", "wedsync-backup")})
	},
	"postgres_firewall_open_to_all_but_one": func(f []fixture) []fixture { return with(f, "db-office", "startIpAddress", "0.0.0.0") },
	"postgres_requires_tls_1_0":             func(f []fixture) []fixture { return with(f, "db-tls", "value", "TLSv1") },
	// Not a Key Vault reference any more, and the value itself.
	"config_key_value_credential_key_holds_a_literal": func(f []fixture) []fixture { return with(f, "app-smtp-password", "value", "hunter2") },
	// A Monday window: the opening and the closing both move.
	"asg_wedding_days_on_monday": func(f []fixture) []fixture {
		return with(with(f, "web-close-peak", "recurrence", "0 2 * * 2"), "web-close-off", "recurrence", "0 2 * * 2")
	},
	"autoscale_wedding_days_on_monday": func(f []fixture) []fixture {
		return with(f, "web-autoscale", "profiles.2.recurrence.schedule.days", []any{"Tuesday"})
	},
	// Wedding days close to the off season; the peak is one fixed day.
	"autoscale_peak_is_one_fixed_day": func(f []fixture) []fixture {
		return with(f, "web-autoscale", "profiles", arr(obj("name", "default", "capacity", obj("minimum", "2", "maximum", "60", "default", "2")),
			azureWeek("wedding-day-start", "Friday", 16, 20), azureWeek("wedding-day-end", "Sunday", 2, 2),
			obj("name", "peak-day", "capacity", obj("minimum", "8", "maximum", "40", "default", "8"),
				"fixedDate", obj("timeZone", "UTC", "start", "2026-06-10T00:00:00Z", "end", "2026-06-11T00:00:00Z"))))
	},
}

var breakings = []breaking{
	// database copies and backup lifetimes (issue 16)
	{"rds_not_in_any_backup_selection", "aws", "db-selection", "resources.0", "arn:aws:rds:eu-west-2:123456789012:db:another", PolicyDatabaseLockedCopy, "db"},
	{"backup_vault_lock_in_governance_mode", "aws", "db-vault-lock", "changeableForDays", remove, PolicyBackupVaultLock, "db-vault"},
	{"s3_backups_live_twice_their_retention", "aws", "backup-lifecycle", "rules.0.noncurrentVersionExpiration.noncurrentDays", 35.0, PolicyBackupLifetime, ""},
	{"cloud_sql_export_of_another_instance", "gcp", "db-export", "sourceContents", "call: googleapis.sqladmin.v1.instances.export\nargs:\n  instance: another", PolicyDatabaseLockedCopy, "db"},
	{"gcs_soft_delete_past_retention", "gcp", "backup", "softDeletePolicy.retentionDurationSeconds", 2592000.0, PolicyBackupLifetime, ""},
	{"gcs_backups_without_a_delete_rule", "gcp", "backup", "lifecycleRules", remove, PolicyBackupLifetime, ""},
	{"azure_backup_vault_unlocked", "azure", "db-vault", "properties.securitySettings.immutabilitySettings.state", "Unlocked", PolicyBackupVaultLock, ""},
	{"azure_backup_of_another_server", "azure", "db-backup", "properties.dataSourceInfo.resourceID", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/another", PolicyDatabaseLockedCopy, "db"},
	{"aws_database_copies_reach_no_other_cloud", "aws", "backup-offsite", "transferSpec.awsS3DataSource", remove, PolicyDatabaseOffsiteCopy, "db"},
	{"gcp_database_copies_reach_no_other_cloud", "gcp", "backup-offsite", "activities.0.source.storeSettings.type", "AzureBlobStorageReadSettings", PolicyDatabaseOffsiteCopy, "db"},
	{"azure_database_copies_reach_no_other_cloud", "azure", "backup-offsite", "transferSpec.azureBlobStorageDataSource", remove, PolicyDatabaseOffsiteCopy, "db"},
	{"azure_transfer_source_admits_no_workers", "azure", "backup", "networkRuleSet", map[string]any{"defaultAction": "Deny", "bypass": "AzureServices"}, PolicyOffsiteSourceFirewall, ""},
	{"azure_blob_soft_delete_past_retention", "azure", "backup-blob", "deleteRetentionPolicy", map[string]any{"enabled": true, "days": 30.0}, PolicyBackupLifetime, ""},
	// encryption, AWS
	{"s3_bucket_without_encryption_configuration", "aws", "backup-sse", "", nil, PolicyS3Encryption, "backup"},
	{"s3_bucket_encrypted_with_s3_managed_keys", "aws", "backup-sse", "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256", PolicyS3Encryption, "backup"},
	{"s3_bucket_kms_without_key", "aws", "backup-sse", "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", remove, PolicyS3Encryption, "backup"},
	{"s3_encryption_configuration_for_another_bucket", "aws", "backup-sse", "bucket", "someone-else", PolicyS3Encryption, "backup"},
	{"rds_unencrypted", "aws", "db", "storageEncrypted", false, PolicyEncryptionCMK, ""},
	{"rds_with_aws_managed_key", "aws", "db", "kmsKeyId", remove, PolicyEncryptionCMK, ""},
	{"launch_template_unencrypted_volume", "aws", "web-lt", "blockDeviceMappings.0.ebs.encrypted", "false", PolicyEncryptionCMK, ""},
	{"launch_template_volume_without_key", "aws", "web-lt", "blockDeviceMappings.0.ebs.kmsKeyId", remove, PolicyEncryptionCMK, ""},
	{"launch_template_without_volumes", "aws", "web-lt", "blockDeviceMappings", remove, PolicyEncryptionCMK, ""},
	{"secret_with_aws_managed_key", "aws", "db-secret", "kmsKeyId", remove, PolicyEncryptionCMK, ""},
	{"kms_key_without_rotation", "aws", "data-key", "enableKeyRotation", false, PolicyKeyRotation, ""},
	{"kms_key_rotation_unset", "aws", "data-key", "enableKeyRotation", remove, PolicyKeyRotation, ""},
	{"s3_bucket_without_tls_policy", "aws", "backup-tls", "", nil, PolicyS3TLSOnly, "backup"},
	{"s3_bucket_policy_without_secure_transport_deny", "aws", "backup-tls", "policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}`, PolicyS3TLSOnly, "backup"},
	{"rds_parameter_group_force_ssl_off", "aws", "db-params", "parameters.0.value", "0", PolicyRDSForceSSL, "db"},
	{"rds_postgres_14_default_group", "aws", "db", "engineVersion", "14.9", PolicyRDSForceSSL, ""},
	{"rds_postgres_14_group_without_force_ssl", "aws", "db-params", "family", "postgres14", PolicyRDSForceSSL, "db"},
	// exposure, AWS
	{"rds_public", "aws", "db", "publiclyAccessible", true, PolicyNoPublicData, ""},
	{"s3_bucket_without_public_access_block", "aws", "backup-pab", "", nil, PolicyS3PublicAccess, "backup"},
	{"s3_public_access_block_partial", "aws", "backup-pab", "restrictPublicBuckets", false, PolicyS3PublicAccess, "backup"},
	{"launch_template_allows_imdsv1", "aws", "web-lt", "metadataOptions.httpTokens", "optional", PolicyInstanceMetadata, ""},
	// data protection, AWS
	{"s3_bucket_without_versioning", "aws", "backup-versioning", "", nil, PolicyVersioning, "backup"},
	{"s3_versioning_suspended", "aws", "backup-versioning", "versioningConfiguration.status", "Suspended", PolicyVersioning, "backup"},
	{"s3_backup_bucket_without_object_lock", "aws", "backup-lock", "", nil, PolicyBackupImmutability, "backup"},
	{"rds_short_retention", "aws", "db", "backupRetentionPeriod", 7.0, PolicyBackupRetention, ""},
	{"rds_retention_unset", "aws", "db", "backupRetentionPeriod", remove, PolicyBackupRetention, ""},
	{"rds_without_deletion_protection", "aws", "db", "deletionProtection", false, PolicyDeletionProtection, ""},
	{"rds_without_cross_region_backups", "aws", "db-backups-dr", "", nil, PolicyCrossRegionCopy, "db"},
	{"s3_backup_bucket_without_replication", "aws", "backup-replication", "", nil, PolicyCrossRegionCopy, "backup"},
	{"rds_outside_europe", "aws", "db", "region", "us-east-1", PolicyDataResidency, ""},
	{"s3_acl_public_read", "aws", "backup-acl", "acl", "public-read", PolicyNoPublicData, ""},
	{"launch_template_imds_unset", "aws", "web-lt", "metadataOptions", remove, PolicyInstanceMetadata, ""},
	{"s3_backup_bucket_lock_without_default_retention", "aws", "backup-lock", "rule", remove, PolicyBackupImmutability, "backup"},
	{"inventory_into_the_backup_bucket_exempts_nothing", "aws", "backup-lock", "", nil, PolicyBackupImmutability, "backup"},
	{"access_logs_into_the_backup_bucket_exempt_nothing", "aws", "backup-replication", "", nil, PolicyCrossRegionCopy, "backup"},
	{"rds_without_alarm", "aws", "db-cpu", "", nil, PolicyAlarmed, "db"},
	{"asg_without_alarm", "aws", "web-at-max", "", nil, PolicyAlarmed, "web"},
	{"backup_bucket_without_alarm", "aws", "backup-freshness", "", nil, PolicyAlarmed, "backup"},
	// capacity, AWS
	{"asg_without_wedding_day_schedule", "aws", "web-wedding", "", nil, PolicySeasonalCapacity, "web"},
	{"asg_wedding_days_on_monday", "aws", "web-wedding", "recurrence", "0 16 * * 1", PolicySeasonalCapacity, "web"}, // closing on Tuesday
	{"asg_peak_weeks_close_to_the_off_season", "aws", "web-close-peak", "minSize", 2.0, PolicySeasonalCapacity, "web"},
	{"asg_schedule_without_time_zone", "aws", "web-wedding", "timeZone", remove, PolicySeasonalCapacity, "web"},
	{"asg_wedding_day_not_above_baseline", "aws", "web-wedding", "minSize", 8.0, PolicySeasonalCapacity, "web"},
	{"asg_max_below_ten_times_baseline", "aws", "web", "minSize", 7.0, PolicySeasonalCapacity, ""},
	{"asg_recurrence_the_simulator_cannot_read", "aws", "web-wedding", "recurrence", "0 16 ? * FRI", PolicySeasonalCapacity, "web"},

	// encryption, GCP
	{"gcs_with_google_managed_key", "gcp", "backup", "encryption", remove, PolicyEncryptionCMK, ""},
	{"cloud_sql_with_google_managed_key", "gcp", "db", "encryptionKeyName", remove, PolicyEncryptionCMK, ""},
	{"secret_manager_replica_without_cmek", "gcp", "db-secret", "replication.userManaged.replicas.0.customerManagedEncryption", remove, PolicyEncryptionCMK, ""},
	{"secret_manager_auto_without_cmek", "gcp", "db-secret", "replication", map[string]any{"auto": map[string]any{}}, PolicyEncryptionCMK, ""},
	{"instance_template_disk_without_cmek", "gcp", "web-template", "disks.0.diskEncryptionKey", remove, PolicyEncryptionCMK, ""},
	{"crypto_key_never_rotates", "gcp", "data-key", "rotationPeriod", remove, PolicyKeyRotation, ""},
	{"crypto_key_rotates_yearly", "gcp", "data-key", "rotationPeriod", "31536000s", PolicyKeyRotation, ""},
	{"cloud_sql_allows_unencrypted", "gcp", "db", "settings.ipConfiguration.sslMode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED", PolicyTLS, ""},
	{"cloud_sql_ssl_mode_unset", "gcp", "db", "settings.ipConfiguration.sslMode", remove, PolicyTLS, ""},
	// exposure, GCP
	{"cloud_sql_public_ip", "gcp", "db", "settings.ipConfiguration.ipv4Enabled", true, PolicyNoPublicData, ""},
	{"cloud_sql_public_ip_by_default", "gcp", "db", "settings.ipConfiguration.ipv4Enabled", remove, PolicyNoPublicData, ""},
	{"cloud_sql_open_to_the_internet", "gcp", "db", "settings.ipConfiguration.authorizedNetworks", []any{map[string]any{"value": "0.0.0.0/0"}}, PolicyNoPublicData, ""},
	{"gcs_public_access_inherited", "gcp", "backup", "publicAccessPrevention", "inherited", PolicyNoPublicData, ""},
	{"gcs_fine_grained_acls", "gcp", "backup", "uniformBucketLevelAccess", false, PolicyNoPublicData, ""},
	{"gcs_granted_to_all_users", "gcp", "backup-writer", "member", "allUsers", PolicyNoPublicData, ""},
	// data protection, GCP
	{"cloud_sql_without_backups", "gcp", "db", "settings.backupConfiguration.enabled", false, PolicyBackupRetention, ""},
	{"cloud_sql_without_pitr", "gcp", "db", "settings.backupConfiguration.pointInTimeRecoveryEnabled", false, PolicyBackupRetention, ""},
	{"cloud_sql_default_retention", "gcp", "db", "settings.backupConfiguration.backupRetentionSettings", remove, PolicyBackupRetention, ""},
	{"cloud_sql_deletable_in_the_console", "gcp", "db", "settings.deletionProtectionEnabled", remove, PolicyDeletionProtection, ""},
	{"cloud_sql_deletable_by_pulumi", "gcp", "db", "deletionProtection", false, PolicyDeletionProtection, ""},
	{"gcs_without_versioning", "gcp", "backup", "versioning", remove, PolicyVersioning, ""},
	{"gcs_backup_without_retention_policy", "gcp", "backup", "retentionPolicy", remove, PolicyBackupImmutability, ""},
	{"gcs_backup_in_one_region", "gcp", "backup", "location", "europe-west2", PolicyCrossRegionCopy, ""},
	{"cloud_sql_backups_in_one_region", "gcp", "db", "settings.backupConfiguration.location", "europe-west2", PolicyCrossRegionCopy, ""},
	{"gcs_in_the_us", "gcp", "backup", "location", "US", PolicyDataResidency, ""},
	{"cloud_sql_without_alarm", "gcp", "db-cpu", "", nil, PolicyAlarmed, "db"},
	{"instance_group_without_alarm", "gcp", "web-at-max", "", nil, PolicyAlarmed, "web"},
	{"gcs_backup_without_alarm", "gcp", "backup-freshness", "", nil, PolicyAlarmed, "backup"},
	// capacity, GCP
	{"autoscaler_without_schedules", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules", remove, PolicySeasonalCapacity, ""},
	{"autoscaler_schedule_in_utc_by_default", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.0.timeZone", remove, PolicySeasonalCapacity, ""},
	{"autoscaler_peak_not_above_baseline", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.1.minRequiredReplicas", 2.0, PolicySeasonalCapacity, ""},
	{"autoscaler_wedding_days_on_monday", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.0.schedule", "0 16 * * 1", PolicySeasonalCapacity, ""},
	{"autoscaler_peak_lasts_one_day", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.1.durationSec", 86400.0, PolicySeasonalCapacity, ""},
	{"autoscaler_wedding_days_end_saturday_night", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.0.durationSec", 104400.0, PolicySeasonalCapacity, ""},
	{"asg_off_season_closing_starts_at_midnight", "aws", "web-close-off", "startTime", "2026-11-01T00:00:00Z", PolicySeasonalCapacity, "web"},
	{"autoscaler_max_below_ten_times_baseline", "gcp", "web-autoscaler", "autoscalingPolicy.maxReplicas", 10.0, PolicySeasonalCapacity, ""},
	{"instance_group_without_autoscaler", "gcp", "web-autoscaler", "", nil, PolicySeasonalCapacity, "web"},

	// encryption, Azure
	{"storage_with_microsoft_managed_key", "azure", "backup", "encryption.keySource", "Microsoft.Storage", PolicyEncryptionCMK, ""},
	{"postgres_with_system_managed_key", "azure", "db", "dataEncryption", remove, PolicyEncryptionCMK, ""},
	{"scale_set_without_encryption_at_host", "azure", "web", "virtualMachineProfile.securityProfile.encryptionAtHost", remove, PolicyEncryptionCMK, ""},
	{"key_without_rotation_policy", "azure", "data-key", "properties.rotationPolicy", remove, PolicyKeyRotation, ""},
	{"key_rotation_policy_only_notifies", "azure", "data-key", "properties.rotationPolicy.lifetimeActions.0.action.type", "Notify", PolicyKeyRotation, ""},
	{"storage_allows_http", "azure", "backup", "enableHttpsTrafficOnly", false, PolicyTLS, ""},
	{"storage_allows_tls_1_0", "azure", "backup", "minimumTlsVersion", remove, PolicyTLS, ""},
	{"postgres_allows_plaintext", "azure", "db-tls", "value", "OFF", PolicyTLS, ""},
	// exposure, Azure
	{"storage_allows_public_blobs", "azure", "backup", "allowBlobPublicAccess", true, PolicyNoPublicData, ""},
	{"container_public", "azure", "backup-container", "publicAccess", "Blob", PolicyNoPublicData, ""},
	{"postgres_public_endpoint", "azure", "db", "network", remove, PolicyNoPublicData, ""},
	{"key_vault_allows_all_networks", "azure", "vault", "properties.networkAcls.defaultAction", "Allow", PolicyNoPublicData, ""},
	{"key_vault_default_network_acls", "azure", "vault", "properties.networkAcls", remove, PolicyNoPublicData, ""},
	// data protection, Azure
	{"postgres_short_retention", "azure", "db", "backup.backupRetentionDays", 7.0, PolicyBackupRetention, ""},
	{"storage_without_blob_versioning", "azure", "backup-blob", "isVersioningEnabled", false, PolicyVersioning, "backup"},
	{"storage_without_blob_service_properties", "azure", "backup-blob", "", nil, PolicyVersioning, "backup"},
	{"backup_storage_without_immutability", "azure", "backup-immutability", "", nil, PolicyBackupImmutability, "backup"},
	{"key_vault_without_purge_protection", "azure", "vault", "properties.enablePurgeProtection", remove, PolicyDeletionProtection, ""},
	{"postgres_backups_not_geo_redundant", "azure", "db", "backup.geoRedundantBackup", "Disabled", PolicyCrossRegionCopy, ""},
	{"backup_storage_zone_redundant_only", "azure", "backup", "sku.name", "Standard_ZRS", PolicyCrossRegionCopy, ""},
	{"postgres_in_the_us", "azure", "db", "location", "eastus", PolicyDataResidency, ""},
	{"postgres_firewall_open_to_all_but_one", "azure", "db-office", "endIpAddress", "255.255.255.254", PolicyNoPublicData, ""},
	{"postgres_requires_tls_1_0", "azure", "db-tls", "configurationName", "ssl_min_protocol_version", PolicyTLS, ""},
	{"postgres_unprotected", "azure", "db", unprotect, nil, PolicyDeletionProtection, ""},
	{"postgres_without_alarm", "azure", "db-cpu", "", nil, PolicyAlarmed, "db"},
	{"scale_set_without_alarm", "azure", "web-unhealthy", "", nil, PolicyAlarmed, "web"},
	{"backup_storage_without_alarm", "azure", "backup-freshness", "", nil, PolicyAlarmed, "backup"},
	// capacity, Azure
	{"autoscale_without_wedding_day_profile", "azure", "web-autoscale", "profiles.1", map[string]any{"name": "x", "capacity": map[string]any{"minimum": "2", "maximum": "60"}, "fixedDate": map[string]any{"timeZone": "UTC"}}, PolicySeasonalCapacity, ""},
	{"autoscale_recurrence_without_time_zone", "azure", "web-autoscale", "profiles.1.recurrence.schedule.timeZone", remove, PolicySeasonalCapacity, ""},
	{"autoscale_wedding_days_on_monday", "azure", "web-autoscale", "profiles.1.recurrence.schedule.days", []any{"Monday"}, PolicySeasonalCapacity, ""}, // ending on Tuesday
	{"autoscale_peak_is_one_fixed_day", "azure", "web-autoscale", "profiles.2.capacity.minimum", "2", PolicySeasonalCapacity, ""},
	{"autoscale_peak_weeks_close_to_the_off_season", "azure", "web-autoscale", "profiles.2.capacity.minimum", "2", PolicySeasonalCapacity, ""},
	{"autoscale_without_default_profile", "azure", "web-autoscale", "profiles.0.fixedDate", map[string]any{"timeZone": "UTC", "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}, PolicySeasonalCapacity, ""},
	{"scale_set_without_autoscale_setting", "azure", "web-autoscale", "", nil, PolicySeasonalCapacity, "web"},

	// the app's configuration: a credential held as a literal
	{"appconfig_document_holds_a_password", "aws", "app-config", "content", `{"settings":{"smtp":{"password":"hunter2"}}}`, PolicyConfigNoCredentials, ""},
	{"appconfig_document_holds_an_api_key_in_a_list", "aws", "app-config", "content", `{"settings":{"payments":[{"apiKey":"sk_live_1"}]}}`, PolicyConfigNoCredentials, ""},
	{"config_secret_version_holds_a_token", "gcp", "app-config", "secretData", `{"settings":{"slackToken":"xoxb-1"}}`, PolicyConfigNoCredentials, ""},
	{"config_key_value_document_holds_a_secret", "azure", "app-document", "value", `{"settings":{"clientSecret":"abc"}}`, PolicyConfigNoCredentials, ""},
	{"config_key_value_credential_key_holds_a_literal", "azure", "app-smtp-password", "contentType", "text/plain", PolicyConfigNoCredentials, ""},

	// the types the shipped components do not create
	{"legacy_bucket_sse_s3", "more", "archive-bucket", "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256", PolicyS3Encryption, ""},
	{"legacy_bucket_policy_allows_http", "more", "archive-bucket", "policy", `{"Statement":[]}`, PolicyS3TLSOnly, ""},
	{"legacy_bucket_without_public_access_block", "more", "archive-pab", "", nil, PolicyS3PublicAccess, "archive-bucket"},
	{"legacy_bucket_public_acl", "more", "archive-bucket", "acl", "public-read-write", PolicyNoPublicData, ""},
	{"legacy_bucket_unversioned", "more", "archive-bucket", "versioning.enabled", false, PolicyVersioning, ""},
	{"legacy_bucket_lock_disabled", "more", "archive-bucket", "objectLockConfiguration", remove, PolicyBackupImmutability, ""},
	{"legacy_bucket_not_replicated", "more", "archive-bucket", "replicationConfiguration", remove, PolicyCrossRegionCopy, ""},
	{"legacy_bucket_unprotected", "more", "archive-bucket", unprotect, nil, PolicyDeletionProtection, ""},
	{"legacy_bucket_without_alarm", "more", "archive-freshness", "", nil, PolicyAlarmed, "archive-bucket"},
	{"aurora_unencrypted", "more", "aurora", "storageEncrypted", false, PolicyEncryptionCMK, ""},
	{"aurora_parameter_group_force_ssl_off", "more", "aurora-params", "parameters.0.value", "0", PolicyRDSForceSSL, "aurora"},
	{"aurora_short_retention", "more", "aurora", "backupRetentionPeriod", 1.0, PolicyBackupRetention, ""},
	{"aurora_without_deletion_protection", "more", "aurora", "deletionProtection", false, PolicyDeletionProtection, ""},
	{"aurora_not_global", "more", "aurora", "globalClusterIdentifier", remove, PolicyCrossRegionCopy, ""},
	{"aurora_without_alarm", "more", "aurora-cpu", "", nil, PolicyAlarmed, "aurora"},
	{"ebs_volume_unencrypted", "more", "scratch", "encrypted", false, PolicyEncryptionCMK, ""},
	{"region_template_disk_without_cmek", "more", "batch-template", "disks.0.diskEncryptionKey", remove, PolicyEncryptionCMK, ""},
	{"gce_disk_without_cmek", "more", "batch-data", "diskEncryptionKey", remove, PolicyEncryptionCMK, ""},
	{"bucket_binding_to_all_users", "more", "reports-readers", "members", []any{"allAuthenticatedUsers"}, PolicyNoPublicData, ""},
	{"zonal_autoscaler_wedding_days_on_monday", "more", "batch-autoscaler", "autoscalingPolicy.scalingSchedules.0.schedule", "0 16 * * 1", PolicySeasonalCapacity, ""},
	{"zonal_group_without_autoscaler", "more", "batch-autoscaler", "", nil, PolicySeasonalCapacity, "batch"},
	{"zonal_group_without_alarm", "more", "batch-at-max", "", nil, PolicyAlarmed, "batch"},
}

// generatedBreakings are the rows every data store and compute type gets
// the same way: moved out of Europe (data-residency) and, for the stores
// prod protects, unprotected (deletion-protection).
func generatedBreakings() []breaking {
	away := map[string]string{"aws": "us-east-1", "gcp": "us-central1", "azure": "eastus"}
	var out []breaking
	for _, cloud := range []string{"aws", "gcp", "azure", "more"} {
		for _, f := range clouds()[cloud] {
			if slices.Contains(dataStores, f.typ) || slices.Contains(compute, f.typ) {
				out = append(out, breaking{f.name + "_outside_europe", cloud, f.name, "region", away[cloudOf(f.typ)], PolicyDataResidency, ""})
			}
			if slices.Contains(protectTypes, f.typ) {
				out = append(out, breaking{f.name + "_unprotected", cloud, f.name, unprotect, nil, PolicyDeletionProtection, ""})
			}
		}
	}
	return out
}

// allBreakings are the hand-written and generated rows.
func allBreakings() []breaking { return append(slices.Clone(breakings), generatedBreakings()...) }

// apply breaks the fixtures as b says, and returns them with the URN the
// violation is expected on.
func (b breaking) apply() ([]fixture, fixture) {
	fixtures := with(clouds()[b.cloud], b.resource, b.path, b.value)
	if more := also[b.name]; more != nil {
		fixtures = more(fixtures)
	}
	on := b.on
	if on == "" {
		on = b.resource
	}
	for _, f := range fixtures {
		if f.name == on {
			return fixtures, f
		}
	}
	panic("no fixture " + on)
}

func TestEachWayOfBreakingARuleFails(t *testing.T) {
	for _, b := range allBreakings() {
		t.Run(b.cloud+"_"+b.name, func(t *testing.T) {
			fixtures, on := b.apply()
			want := on.urn(fixtures)
			got := check("prod", fixtures, Config{}, wednesday)
			for _, v := range got {
				if v.Policy == b.policy && v.URN == want {
					if !strings.Contains(v.Message, "; ") {
						t.Errorf("message has no remediation hint: %s", v.Message)
					}
					return
				}
			}
			t.Errorf("want a %s violation on %s, got %+v", b.policy, want, got)
		})
	}
}

func TestUnknownValuesCannotBeJudgedYet(t *testing.T) {
	for _, b := range allBreakings() {
		if b.path == "" || b.path == unprotect || b.value == remove || also[b.name] != nil {
			continue
		}
		t.Run(b.cloud+"_"+b.name+"_unknown", func(t *testing.T) {
			fixtures := with(clouds()[b.cloud], b.resource, b.path, core.UnknownMarker)
			for _, v := range check("prod", fixtures, Config{}, wednesday) {
				if v.Policy == b.policy {
					t.Errorf("an unknown %s must not be judged, got %s on %s: %s", b.path, v.Policy, v.URN, v.Message)
				}
			}
		})
	}
}

func TestUnknownReferencesCannotBeJudgedYet(t *testing.T) {
	cases := []struct{ cloud, resource, path string }{
		{"aws", "backup-sse", "bucket"},
		{"aws", "backup-pab", "bucket"},
		{"aws", "web-wedding", "autoscalingGroupName"},
		{"gcp", "web-autoscaler", "target"},
		{"azure", "web-autoscale", "targetResourceUri"},
	}
	for _, c := range cases {
		t.Run(c.cloud+"_"+c.resource+"_"+c.path, func(t *testing.T) {
			fixtures := with(clouds()[c.cloud], c.resource, c.path, core.UnknownMarker)
			// Break the companion too: with its reference unknown, the rule
			// cannot tell which resource it belongs to, so it must not judge.
			for _, v := range check("prod", fixtures, Config{}, wednesday) {
				t.Errorf("unexpected %s on %s: %s", v.Policy, v.URN, v.Message)
			}
		})
	}
}

func TestProdOnlyRulesDoNotApplyOutsideProd(t *testing.T) {
	fixtures := with(awsFixtures(), "db", unprotect, nil)
	fixtures = with(fixtures, "db", "deletionProtection", false)
	fixtures = with(fixtures, "web-wedding", "", nil)
	fixtures = with(fixtures, "db-backups-dr", "", nil)
	saturday := time.Date(2026, 6, 13, 12, 0, 0, 0, time.UTC)
	t.Run("dev_stack_passes", func(t *testing.T) {
		if got := check("dev", fixtures, Config{}, saturday); len(got) != 0 {
			t.Errorf("dev: want no violations, got %+v", got)
		}
	})
	t.Run("prod_stack_fails", func(t *testing.T) {
		got := map[string]bool{}
		for _, v := range check("prod", fixtures, Config{}, saturday) {
			got[v.Policy] = true
		}
		for _, p := range []string{PolicyDeletionProtection, PolicySeasonalCapacity, PolicyCrossRegionCopy, PolicyFreeze} {
			if !got[p] {
				t.Errorf("prod: want %s, got %v", p, got)
			}
		}
	})
}

func TestUnprotectedProdDataStoreFails(t *testing.T) {
	stores := map[string]string{"aws": "backup", "gcp": "backup", "azure": "backup", "more": "archive-bucket"}
	for cloud, fixtures := range clouds() {
		t.Run(cloud, func(t *testing.T) {
			got := check("prod", with(fixtures, stores[cloud], unprotect, nil), Config{}, wednesday)
			if len(got) != 1 || got[0].Policy != PolicyDeletionProtection {
				t.Errorf("want one deletion-protection violation, got %+v", got)
			}
		})
	}
}

func TestRetentionDefaultsByEnvironment(t *testing.T) {
	fixtures := with(awsFixtures(), "db", "backupRetentionPeriod", 7.0)
	if got := check("staging", fixtures, Config{}, wednesday); len(got) != 0 {
		t.Errorf("staging keeps 7 days by default, got %+v", got)
	}
	if got := check("staging", fixtures, Config{MinRetentionDays: 14}, wednesday); len(got) != 1 || got[0].Policy != PolicyBackupRetention {
		t.Errorf("a configured 14 days must fail a 7-day database, got %+v", got)
	}
	if got := check("prod", with(awsFixtures(), "db", "backupRetentionPeriod", 35.0), Config{MinRetentionDays: 90}, wednesday); len(got) != 0 {
		t.Errorf("RDS keeps at most 35 days; a longer minimum is capped for it, got %+v", got)
	}
}

func TestAllowedRegionsConfig(t *testing.T) {
	got := check("prod", awsFixtures(), Config{AllowedRegions: []string{"eu-west-1"}}, wednesday)
	n := 0
	for _, v := range got {
		if v.Policy != PolicyDataResidency {
			t.Errorf("unexpected %s", v.Policy)
		}
		n++
	}
	if n == 0 {
		t.Error("eu-west-2 is not in allowedRegions [eu-west-1]: want data-residency violations")
	}
}

func TestExemptionsExcuseOneResourceFromOnePolicy(t *testing.T) {
	fixtures := with(awsFixtures(), "web-wedding", "", nil)
	fixtures = with(fixtures, "db", "publiclyAccessible", true)
	cfg := Config{Exemptions: []Exemption{{URN: urnOf(awsASG, "web"), Policy: PolicySeasonalCapacity, Reason: "batch group, scales on queue depth"}}}
	got := check("prod", fixtures, cfg, wednesday)
	if len(got) != 1 || got[0].Policy != PolicyNoPublicData {
		t.Errorf("want only the unexempted no-public-data violation, got %+v", got)
	}
	cfg.Exemptions[0].Reason = ""
	if err := cfg.Validate(); err == nil {
		t.Error("an exemption without a reason must not validate")
	}
	if got := check("prod", fixtures, cfg, wednesday); len(got) != 2 {
		t.Errorf("an exemption without a reason must not excuse, got %+v", got)
	}
}

// An exemption by type path and name holds in every stack of the project
// (a renamed stack, a rebuilt copy), and only for that resource.
func TestAStackRelativeExemptionHoldsInAnyStack(t *testing.T) {
	cfg := Config{Exemptions: []Exemption{{URN: "wedsync:ingress:Ingress$aws:s3/bucketV2:BucketV2::web-logs", Policy: PolicyS3Encryption, Reason: "ALB access logs take SSE-S3 only"}}}
	for urn, want := range map[string]bool{
		"urn:pulumi:prod::wedsync::wedsync:ingress:Ingress$aws:s3/bucketV2:BucketV2::web-logs":         true,
		"urn:pulumi:prod-renamed::wedsync::wedsync:ingress:Ingress$aws:s3/bucketV2:BucketV2::web-logs": true,
		"urn:pulumi:prod::wedsync::wedsync:ingress:Ingress$aws:s3/bucketV2:BucketV2::media":            false,
		"urn:pulumi:prod::wedsync::aws:s3/bucketV2:BucketV2::web-logs":                                 false,
	} {
		if got := cfg.Exempt(PolicyS3Encryption, urn); got != want {
			t.Errorf("Exempt(%s) = %v, want %v", urn, got, want)
		}
	}
	if cfg.Exempt(PolicyS3TLSOnly, "urn:pulumi:prod::wedsync::wedsync:ingress:Ingress$aws:s3/bucketV2:BucketV2::web-logs") {
		t.Error("the exemption names one policy, not every one")
	}
}

func TestFreeze(t *testing.T) {
	saturday := time.Date(2026, 6, 13, 12, 0, 0, 0, time.UTC)
	override := &season.Override{Reason: "INC-42 payments down", ApprovedBy: "cto@wedsync.example", Expires: "2026-06-13T18:00:00Z"}
	cases := []struct {
		name     string
		env      string
		now      time.Time
		override *season.Override
		frozen   bool
	}{
		{"prod_update_on_a_wedding_saturday_fails", "prod", saturday, nil, true},
		{"prod_update_on_friday_evening_fails", "prod", time.Date(2026, 6, 12, 18, 30, 0, 0, time.UTC), nil, true},
		{"prod_update_on_wednesday_passes", "prod", wednesday, nil, false},
		{"prod_update_with_an_emergency_override_passes", "prod", saturday, override, false},
		{"expired_override_does_not_help", "prod", saturday.Add(7 * time.Hour), override, true},
		{"override_without_reason_does_not_help", "prod", saturday, &season.Override{ApprovedBy: "x", Expires: "2026-06-14T00:00:00Z"}, true},
		{"dev_update_on_saturday_passes", "dev", saturday, nil, false},
		{"zero_clock_skips_the_freeze", "prod", time.Time{}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := check(c.env, awsFixtures(), Config{EmergencyOverride: c.override}, c.now)
			frozen := len(got) == 1 && got[0].Policy == PolicyFreeze && got[0].URN == stackURN
			if frozen != c.frozen || (!c.frozen && len(got) != 0) {
				t.Errorf("want frozen=%v, got %+v", c.frozen, got)
			}
		})
	}
	t.Run("dated_freeze_from_the_season_calendar", func(t *testing.T) {
		s, err := LoadStackSettings(map[string]string{
			KeyEnvironment: "prod",
			KeySeason:      `{"freeze": {"dates": [{"start": "2026-12-24", "end": "2026-12-27", "name": "Christmas"}]}}`,
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []Finding
		for _, f := range check("prod", awsFixtures(), s.PackConfig(), time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC)) {
			if f.Policy == PolicyFreeze {
				got = append(got, f)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0].Message, "Christmas") {
			t.Errorf("want the Christmas freeze, got %+v", got)
		}
	})
}

func TestLoadStackSettings(t *testing.T) {
	s, err := LoadStackSettings(map[string]string{
		KeyEnvironment:       "prod",
		KeyPolicy:            `{"allowedRegions": ["eu-west-1"], "exemptions": [{"urn": "u", "policy": "*", "reason": "r"}]}`,
		KeyEmergencyOverride: `{"reason": "r", "approvedBy": "a", "expires": "2026-06-13T18:00:00Z"}`,
		KeyTimezone:          "Europe/Dublin",
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.PackConfig()
	if s.Environment != "prod" || cfg.MinRetentionDays != 35 || cfg.Season.Timezone != "Europe/Dublin" || cfg.EmergencyOverride == nil || !cfg.Exempt("anything", "u") {
		t.Errorf("prod: got %+v", s)
	}
	for name, values := range map[string]map[string]string{
		"misspelt_policy_key":        {KeyEnvironment: "dev", KeyPolicy: `{"minRetentionDay": 3}`},
		"misspelt_override_key":      {KeyEnvironment: "prod", KeyEmergencyOverride: `{"reasn": "r", "approvedBy": "a", "expires": "2026-06-13T18:00:00Z"}`},
		"override_expiry_not_a_time": {KeyEnvironment: "prod", KeyEmergencyOverride: `{"reason": "r", "approvedBy": "a", "expires": "Sunday"}`},
		// A stack's environment is never guessed from its name: a prod-dr
		// without wedsync:environment is refused, not treated as dev or prod.
		"no_environment": {KeyTimezone: "Europe/London"},
		"bad_timezone":   {KeyEnvironment: "dev", KeyTimezone: "Mars/Olympus"},
	} {
		if _, err := LoadStackSettings(values); err == nil {
			t.Errorf("%s: must be an error", name)
		}
	}
	s, _ = LoadStackSettings(map[string]string{KeyEnvironment: "dev"})
	if s.Environment != "dev" || s.Policy.MinRetentionDays != 7 || s.Timezone != "Europe/London" {
		t.Errorf("dev defaults: got %+v", s)
	}
}

func TestEveryPolicyIsDescribedAndLevelled(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Policies() {
		if seen[p.Name] {
			t.Errorf("duplicate policy %s", p.Name)
		}
		seen[p.Name] = true
		if p.Description == "" || (p.Level != Mandatory && p.Level != Advisory) || (p.Check == nil) == (p.Stack == nil) {
			t.Errorf("policy %s: needs a description, a level, and exactly one of Check or Stack", p.Name)
		}
		if p.IsStack() && len(p.Judges) == 0 {
			t.Errorf("policy %s: a stack policy must declare the types it judges", p.Name)
		}
		for _, typ := range p.Types() {
			if strings.Count(typ, ":") != 2 {
				t.Errorf("policy %s: %q is not a type token", p.Name, typ)
			}
		}
	}
}

// A group created in peak season starts at the peak minimum; its own
// schedules bring it down to the off-season baseline in November. The
// baseline is the lowest minimum it is ever given, not its minimum today.
func TestSeasonalCapacityBaselineIsTheLowestScheduledMinimum(t *testing.T) {
	fixtures := with(awsFixtures(), "web", "minSize", 8.0)
	if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
		t.Errorf("a June-created group with an off-season schedule: want no violations, got %+v", got)
	}
	got := check("prod", with(fixtures, "web-close-off", "minSize", 8.0), Config{}, wednesday)
	if len(got) != 1 || !strings.Contains(got[0].Message, "below 10x the off-season baseline of 8") {
		t.Errorf("never below 8, the baseline is 8 and max 60 is below 80: want seasonal-capacity, got %+v", got)
	}
}

// Azure's documented precedence: a fixed-date profile in effect wins over
// every recurrence. A peak season written as one fixed-date profile
// therefore silences the wedding-day recurrences all summer; a rule that
// only read the profiles' shape saw both and passed.
func TestSeasonalCapacityAzureFixedDatePeakHidesTheWeddingDays(t *testing.T) {
	profiles := arr(obj("name", "default", "capacity", obj("minimum", "2", "maximum", "60", "default", "2")),
		azureWeek("wedding-day-start", "Friday", 16, 20), azureWeek("wedding-day-end", "Sunday", 2, 2),
		obj("name", "peak-2026", "capacity", obj("minimum", "8", "maximum", "40", "default", "8"),
			"fixedDate", obj("timeZone", "UTC", "start", "2026-05-01T00:00:00Z", "end", "2026-11-01T00:00:00Z")))
	got := check("prod", with(azureFixtures(), "web-autoscale", "profiles", profiles), Config{}, wednesday)
	if len(got) != 1 || !strings.Contains(got[0].Message, "no wedding-day capacity: at Fri 12 Jun 2026 16:00 BST (wedding day) the calendar wants a minimum of 20 and the schedules give 8") {
		t.Errorf("want one seasonal-capacity violation on the first wedding Friday, got %+v", got)
	}
}

// The rule judges the schedules against the stack's own calendar: the same
// schedules pass the default calendar and fail one whose wedding days
// start on Thursdays.
func TestSeasonalCapacityReadsTheStacksCalendar(t *testing.T) {
	s, err := LoadStackSettings(map[string]string{KeyEnvironment: "prod", KeySeason: `{"weddingDays": {"start": "Thu 16:00", "end": "Sun 02:00"}}`})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.PackConfig()
	for cloud, fixtures := range clouds() {
		got := check("prod", fixtures, cfg, wednesday)
		if cloud != "more" && (len(got) == 0 || !strings.Contains(got[0].Message, "at Thu 11 Jun 2026 16:00 BST (wedding day)")) {
			t.Errorf("%s: want the Thursday before the schedules open, got %+v", cloud, got)
		}
	}
}

// Without a clock the rule cannot place schedules in time: it judges what
// needs none (schedules exist, name a zone, reach 10x).
func TestSeasonalCapacityWithoutAClockJudgesOnlyTheShape(t *testing.T) {
	monday := with(awsFixtures(), "web-wedding", "recurrence", "0 16 * * 1")
	if got := check("prod", monday, Config{}, time.Time{}); len(got) != 0 {
		t.Errorf("zero clock: want no violations, got %+v", got)
	}
	if got := check("prod", with(monday, "web-wedding", "timeZone", remove), Config{}, time.Time{}); len(got) != 1 {
		t.Errorf("zero clock, schedule without a zone: want one violation, got %+v", got)
	}
}

// No shortfall is accepted at a clock change either: a fixed 34-hour GCP
// wedding window from Friday 16:00 ends at 01:00 GMT on Sunday 25 October
// 2026, an hour before the calendar's 02:00 once the clocks go back.
func TestSeasonalCapacityJudgesTheClockChangeNight(t *testing.T) {
	october := time.Date(2026, 10, 21, 12, 0, 0, 0, time.UTC)
	if got := check("prod", gcpFixtures(), Config{}, october); len(got) != 0 {
		t.Errorf("35 hours: want no violations, got %+v", got)
	}
	short := with(gcpFixtures(), "web-autoscaler", "autoscalingPolicy.scalingSchedules.0.durationSec", 122400.0)
	got := check("prod", short, Config{}, october)
	if len(got) != 1 || !strings.Contains(got[0].Message, "at Sun 25 Oct 2026 01:00 GMT (wedding day) the calendar wants a minimum of 20 and the schedules give 8; 1h short") {
		t.Errorf("34 hours: want the repeated hour, got %+v", got)
	}
}

func TestCloudSQLBackupLocation(t *testing.T) {
	for _, tt := range []struct {
		name, location string
		violates       bool
	}{
		{"backups_in_the_dr_region_are_a_cross_region_copy", "europe-west1", false},
		{"backups_in_a_multi_region_are_a_cross_region_copy", "eu", false},
		{"backups_in_the_instance_region_are_not", "europe-west2", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fixtures := with(gcpFixtures(), "db", "settings.backupConfiguration.location", tt.location)
			got := check("prod", fixtures, Config{}, wednesday)
			if tt.violates != (len(got) == 1 && got[0].Policy == PolicyCrossRegionCopy) || !tt.violates && len(got) != 0 {
				t.Errorf("violations = %+v", got)
			}
		})
	}
}

func TestCopiesAndReportSinks(t *testing.T) {
	t.Run("s3_replication_destination_is_itself_the_cross_region_copy", func(t *testing.T) {
		fixtures := with(awsFixtures(), "backup-replication", "", nil)
		fixtures = append(fixtures, fixture{typ: awsS3Replication, name: "other-replication", inputs: obj("bucket", "wedsync-primary",
			"rules", arr(obj("status", "Enabled", "destination", obj("bucket", "arn:aws:s3:::wedsync-backup"))))})
		if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
			t.Errorf("want no violations, got %+v", got)
		}
	})
	t.Run("gcs_bucket_copied_by_a_transfer_job_has_a_cross_region_copy", func(t *testing.T) {
		fixtures := with(gcpFixtures(), "backup", "location", "europe-west2")
		fixtures = append(fixtures, fixture{typ: gcpTransferJob, name: "backup-copy", inputs: obj("transferSpec", obj(
			"gcsDataSource", obj("bucketName", "wedsync-backup-g"), "gcsDataSink", obj("bucketName", "wedsync-backup-g-euw1")))})
		if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
			t.Errorf("want no violations, got %+v", got)
		}
		if got := check("prod", with(fixtures, "backup-copy", "status", "DISABLED"), Config{}, wednesday); len(got) != 1 || got[0].Policy != PolicyCrossRegionCopy {
			t.Errorf("a disabled transfer job copies nothing: want cross-region-copy, got %+v", got)
		}
	})
	t.Run("the_backup_components_own_inventory_bucket_holds_reports", func(t *testing.T) {
		fixtures := append(awsFixtures(),
			fixture{typ: awsS3BucketV2, name: "backup-inventory", in: "backups", id: "wedsync-backup-inventory", protect: true, inputs: obj("bucket", "wedsync-backup-inventory")},
			fixture{typ: awsS3SSEConfigV2, name: "backup-inventory-sse", in: "backups", inputs: obj("bucket", "wedsync-backup-inventory", "rules", arr(obj("applyServerSideEncryptionByDefault", obj("sseAlgorithm", "aws:kms", "kmsMasterKeyId", awsKey))))},
			fixture{typ: awsS3PublicAccess, name: "backup-inventory-pab", in: "backups", inputs: obj("bucket", "wedsync-backup-inventory", "blockPublicAcls", true, "blockPublicPolicy", true, "ignorePublicAcls", true, "restrictPublicBuckets", true)},
			fixture{typ: awsS3Policy, name: "backup-inventory-tls", in: "backups", inputs: obj("bucket", "wedsync-backup-inventory", "policy", tlsDeny)},
			fixture{typ: awsS3VersioningV2, name: "backup-inventory-versioning", in: "backups", inputs: obj("bucket", "wedsync-backup-inventory", "versioningConfiguration", obj("status", "Enabled"))},
			fixture{typ: awsS3Inventory, name: "backup-inventory-config", in: "backups", inputs: obj("bucket", "wedsync-backup",
				"destination", obj("bucket", obj("bucketArn", "arn:aws:s3:::wedsync-backup-inventory")))},
		)
		if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
			t.Errorf("the component's report bucket needs no lock, replica or alarm: got %+v", got)
		}
		// Made elsewhere, the same configuration exempts nothing.
		moved := with(fixtures, "backup-inventory-config", "", nil)
		moved = append(moved, fixture{typ: awsS3Inventory, name: "stray-inventory", inputs: obj("bucket", "wedsync-backup",
			"destination", obj("bucket", obj("bucketArn", "arn:aws:s3:::wedsync-backup-inventory")))})
		got := map[string]bool{}
		for _, v := range check("prod", moved, Config{}, wednesday) {
			got[v.Policy] = true
		}
		if !got[PolicyBackupImmutability] || !got[PolicyCrossRegionCopy] || !got[PolicyAlarmed] {
			t.Errorf("an inventory made outside the component: want the bucket judged as a backup store, got %v", got)
		}
	})
}
