package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/season"
)

// wednesday is outside every default freeze window.
var wednesday = time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)

func check(env string, fixtures []fixture, cfg Config, now time.Time) []plan.Violation {
	return EvaluatePlan(planOf(env, fixtures), cfg, now)
}

func clouds() map[string][]fixture {
	return map[string][]fixture{"aws": awsFixtures(), "gcp": gcpFixtures(), "azure": azureFixtures()}
}

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
	// capacity, AWS
	{"asg_without_wedding_day_schedule", "aws", "web-wedding", "", nil, PolicySeasonalCapacity, "web"},
	{"asg_without_peak_schedule", "aws", "web-peak", "", nil, PolicySeasonalCapacity, "web"},
	{"asg_schedule_without_time_zone", "aws", "web-wedding", "timeZone", remove, PolicySeasonalCapacity, "web"},
	{"asg_wedding_day_not_above_baseline", "aws", "web-wedding", "minSize", 2.0, PolicySeasonalCapacity, "web"},
	{"asg_max_below_ten_times_baseline", "aws", "web", "minSize", 7.0, PolicySeasonalCapacity, ""},

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
	// capacity, GCP
	{"autoscaler_without_schedules", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules", remove, PolicySeasonalCapacity, ""},
	{"autoscaler_schedule_in_utc_by_default", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.0.timeZone", remove, PolicySeasonalCapacity, ""},
	{"autoscaler_peak_not_above_baseline", "gcp", "web-autoscaler", "autoscalingPolicy.scalingSchedules.1.minRequiredReplicas", 2.0, PolicySeasonalCapacity, ""},
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
	// capacity, Azure
	{"autoscale_without_wedding_day_profile", "azure", "web-autoscale", "profiles.1", map[string]any{"name": "x", "capacity": map[string]any{"minimum": "2", "maximum": "60"}, "fixedDate": map[string]any{"timeZone": "UTC"}}, PolicySeasonalCapacity, ""},
	{"autoscale_recurrence_without_time_zone", "azure", "web-autoscale", "profiles.1.recurrence.schedule.timeZone", remove, PolicySeasonalCapacity, ""},
	{"scale_set_without_autoscale_setting", "azure", "web-autoscale", "", nil, PolicySeasonalCapacity, "web"},
}

func TestEachWayOfBreakingARuleFails(t *testing.T) {
	for _, b := range breakings {
		t.Run(b.cloud+"_"+b.name, func(t *testing.T) {
			fixtures := with(clouds()[b.cloud], b.resource, b.path, b.value)
			if more := also[b.name]; more != nil {
				fixtures = more(fixtures)
			}
			on := b.on
			if on == "" {
				on = b.resource
			}
			want := ""
			for _, f := range fixtures {
				if f.name == on {
					want = urnOf(f.typ, f.name)
				}
			}
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
	for _, b := range breakings {
		if b.path == "" || b.value == remove || also[b.name] != nil {
			continue
		}
		t.Run(b.cloud+"_"+b.name+"_unknown", func(t *testing.T) {
			fixtures := with(clouds()[b.cloud], b.resource, b.path, "[unknown]")
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
			fixtures := with(clouds()[c.cloud], c.resource, c.path, "[unknown]")
			// Break the companion too: with its reference unknown, the rule
			// cannot tell which resource it belongs to, so it must not judge.
			for _, v := range check("prod", fixtures, Config{}, wednesday) {
				t.Errorf("unexpected %s on %s: %s", v.Policy, v.URN, v.Message)
			}
		})
	}
}

func TestProdOnlyRulesDoNotApplyOutsideProd(t *testing.T) {
	fixtures := withProtect(awsFixtures(), "db", false)
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
	for cloud, fixtures := range clouds() {
		t.Run(cloud, func(t *testing.T) {
			got := check("prod", withProtect(fixtures, "backup", false), Config{}, wednesday)
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
		got := check("prod", awsFixtures(), s.PackConfig(), time.Date(2026, 12, 24, 10, 0, 0, 0, time.UTC))
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
		for _, typ := range p.types() {
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
	fixtures = append(fixtures, fixture{typ: awsASGSchedule, name: "web-off-season", inputs: obj("autoscalingGroupName", "wedsync-web",
		"scheduledActionName", "off-season-2026", "startTime", "2026-11-01T00:00:00Z", "timeZone", "Europe/London", "minSize", 2.0, "maxSize", 10.0)})
	if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
		t.Errorf("a June-created group with an off-season schedule: want no violations, got %+v", got)
	}
	got := check("prod", with(fixtures, "web-off-season", "", nil), Config{}, wednesday)
	if len(got) == 0 || !strings.Contains(got[len(got)-1].Message, "below 10x the off-season baseline of 8") {
		t.Errorf("without the off-season schedule the baseline is 8 and max 60 is below 80: want seasonal-capacity, got %+v", got)
	}
}

// Planned in June, Azure's profiles carry the peak season as a weekly
// pattern: wedding days open on Friday and close on Sunday back to the peak
// minimum, which is above the off-season default.
func TestSeasonalCapacityAzurePeakAsAWeeklyPattern(t *testing.T) {
	week := func(name, day string, hour, minimum float64) map[string]any {
		return obj("name", name, "capacity", obj("minimum", minimum, "maximum", 60.0, "default", minimum),
			"recurrence", obj("frequency", "Week", "schedule", obj("timeZone", "GMT Standard Time", "days", arr(day), "hours", arr(hour), "minutes", arr(0.0))))
	}
	profiles := arr(obj("name", "default", "capacity", obj("minimum", 2.0, "maximum", 60.0, "default", 2.0)),
		week("wedding-day-start", "Friday", 16, 20), week("wedding-day-end", "Sunday", 2, 8))
	fixtures := with(azureFixtures(), "web-autoscale", "profiles", profiles)
	if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
		t.Errorf("want no violations, got %+v", got)
	}
	flat := arr(obj("name", "default", "capacity", obj("minimum", 2.0, "maximum", 60.0, "default", 2.0)),
		week("wedding-day-start", "Friday", 16, 20), week("wedding-day-end", "Sunday", 2, 2))
	if got := check("prod", with(azureFixtures(), "web-autoscale", "profiles", flat), Config{}, wednesday); len(got) != 1 || got[0].Policy != PolicySeasonalCapacity {
		t.Errorf("weddings back to the off-season minimum and nothing else: want seasonal-capacity (no peak season), got %+v", got)
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
	t.Run("inventory_destination_is_not_a_backup_store", func(t *testing.T) {
		fixtures := with(awsFixtures(), "backup-lock", "", nil)
		fixtures = with(fixtures, "backup-replication", "", nil)
		fixtures = append(fixtures, fixture{typ: awsS3Inventory, name: "inventory", inputs: obj("bucket", "wedsync-data",
			"destination", obj("bucket", obj("bucketArn", "arn:aws:s3:::wedsync-backup")))})
		if got := check("prod", fixtures, Config{}, wednesday); len(got) != 0 {
			t.Errorf("want no backup rules on an inventory bucket, got %+v", got)
		}
	})
}
