package database

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestDefaultsAreValidInEveryEnvironment(t *testing.T) {
	for _, env := range core.Environments {
		s := Settings{}
		s.ApplyDefaults(env)
		if err := s.Validate(env, ""); err != nil {
			t.Errorf("%s defaults are invalid: %v", env, err)
		}
	}
}

func TestProdDefaultsAreStrict(t *testing.T) {
	s := Settings{}
	s.ApplyDefaults(core.Prod)
	if s.BackupRetentionDays != 35 || !*s.HighAvailability || !*s.CrossRegionBackups || !*s.DeletionProtection || !*s.PointInTimeRecovery {
		t.Errorf("prod defaults = %+v", s)
	}
	d := Settings{}
	d.ApplyDefaults(core.Dev)
	if d.BackupRetentionDays != 7 || *d.HighAvailability || *d.CrossRegionBackups || !*d.DeletionProtection {
		t.Errorf("dev defaults = %+v", d)
	}
}

func TestSettingsValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    core.Environment
		change func(*Settings)
		field  string
	}{
		{"unknown_size_is_refused", core.Dev, func(s *Settings) { s.Size = "huge" }, "size"},
		{"prod_refuses_burstable_size", core.Prod, func(s *Settings) { s.Size = "xsmall" }, "size"},
		{"storage_below_minimum_is_refused", core.Dev, func(s *Settings) { s.StorageGB = 10 }, "storageGb"},
		{"storage_above_maximum_is_refused", core.Dev, func(s *Settings) { s.StorageGB = 20000; s.MaxStorageGB = 16384 }, "storageGb"},
		{"max_storage_below_storage_is_refused", core.Dev, func(s *Settings) { s.StorageGB = 50; s.MaxStorageGB = 40 }, "maxStorageGb"},
		{"unsupported_version_is_refused", core.Dev, func(s *Settings) { s.Version = "13" }, "version"},
		{"bad_database_name_is_refused", core.Dev, func(s *Settings) { s.DatabaseName = "Wed-Sync" }, "databaseName"},
		{"retention_below_7_days_is_refused", core.Dev, func(s *Settings) { s.BackupRetentionDays = 3 }, "backupRetentionDays"},
		{"retention_above_35_days_is_refused", core.Dev, func(s *Settings) { s.BackupRetentionDays = 40 }, "backupRetentionDays"},
		{"prod_refuses_retention_below_35_days", core.Prod, func(s *Settings) { s.BackupRetentionDays = 7 }, "backupRetentionDays"},
		{"prod_refuses_turning_pitr_off", core.Prod, func(s *Settings) { s.PointInTimeRecovery = off() }, "pointInTimeRecovery"},
		{"prod_refuses_turning_ha_off", core.Prod, func(s *Settings) { s.HighAvailability = off() }, "highAvailability"},
		{"prod_refuses_turning_deletion_protection_off", core.Prod, func(s *Settings) { s.DeletionProtection = off() }, "deletionProtection"},
		{"prod_refuses_turning_cross_region_backups_off", core.Prod, func(s *Settings) { s.CrossRegionBackups = off() }, "crossRegionBackups"},
		{"unknown_maintenance_day_is_refused", core.Dev, func(s *Settings) { s.MaintenanceWindow = &Window{Day: "Tue", Hour: 2} }, "maintenanceWindow.day"},
		{"prod_refuses_maintenance_on_saturday", core.Prod, func(s *Settings) { s.MaintenanceWindow = &Window{Day: "saturday", Hour: 2} }, "maintenanceWindow.day"},
		{"prod_refuses_maintenance_on_friday", core.Prod, func(s *Settings) { s.MaintenanceWindow = &Window{Day: "friday", Hour: 2} }, "maintenanceWindow.day"},
		{"maintenance_hour_out_of_range_is_refused", core.Dev, func(s *Settings) { s.MaintenanceWindow = &Window{Day: "monday", Hour: 24} }, "maintenanceWindow.hour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Settings{}
			tc.change(&s)
			s.ApplyDefaults(tc.env)
			err := s.Validate(tc.env, "")
			expectProblems(t, err, tc.field+" = ")
			if n := len(core.Flatten(err)); n != 1 {
				t.Errorf("%d problems, want 1: %v", n, err)
			}
		})
	}
}

func TestDevMayLoosenWhatProdRefuses(t *testing.T) {
	s := Settings{Size: "xsmall", BackupRetentionDays: 7, PointInTimeRecovery: off(), HighAvailability: off(),
		DeletionProtection: off(), CrossRegionBackups: off(), MaintenanceWindow: &Window{Day: "saturday", Hour: 2}}
	s.ApplyDefaults(core.Dev)
	if err := s.Validate(core.Dev, ""); err != nil {
		t.Errorf("dev refused: %v", err)
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	s := Settings{Size: "huge", Version: "9", BackupRetentionDays: 1, HighAvailability: off()}
	s.ApplyDefaults(core.Prod)
	if n := len(core.Flatten(s.Validate(core.Prod, ""))); n != 4 {
		t.Errorf("%d problems, want 4", n)
	}
}

func TestRestoreValidation(t *testing.T) {
	const replicated = "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abc"
	const azureSource = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-prod-main"
	for _, tc := range []struct {
		name  string
		cloud core.Cloud
		r     Restore
		field string // "" when valid
	}{
		{"restore_needs_a_snapshot_or_a_point_in_time", core.AWS, Restore{SourceID: "db-X"}, "snapshotId"},
		{"restore_refuses_snapshot_and_point_in_time_together", core.AWS, Restore{SourceID: "db-X", SnapshotID: "s", PointInTime: "latest"}, "pointInTime"},
		{"point_in_time_must_be_rfc3339_or_latest", core.AWS, Restore{SourceID: "db-X", PointInTime: "yesterday"}, "pointInTime"},
		{"point_in_time_needs_a_source", core.AWS, Restore{PointInTime: "latest"}, "sourceId"},
		{"geo_restore_refuses_a_snapshot", core.AWS, Restore{SnapshotID: "s", GeoRestore: true}, "geoRestore"},
		{"aws_geo_restore_needs_backups_replicated_into_this_region", core.AWS, Restore{SourceID: "db-X", PointInTime: "latest", GeoRestore: true}, "sourceId"},
		{"aws_geo_restore_from_replicated_backups_is_valid", core.AWS, Restore{SourceID: replicated, PointInTime: "latest", GeoRestore: true}, ""},
		{"aws_snapshot_restore_is_valid", core.AWS, Restore{SnapshotID: "wedsync-prod-main-final"}, ""},
		{"gcp_has_no_geo_restore", core.GCP, Restore{SourceID: "main", PointInTime: "latest", GeoRestore: true}, "geoRestore"},
		{"gcp_backup_run_id_is_a_number", core.GCP, Restore{SourceID: "main", SnapshotID: "abc"}, "snapshotId"},
		{"gcp_backup_restore_needs_the_source_instance", core.GCP, Restore{SnapshotID: "1700000000000"}, "sourceId"},
		{"gcp_clone_at_latest_is_valid", core.GCP, Restore{SourceID: "main", PointInTime: "latest"}, ""},
		{"azure_has_no_snapshots", core.Azure, Restore{SnapshotID: "s"}, "snapshotId"},
		{"azure_needs_an_explicit_time", core.Azure, Restore{SourceID: azureSource, PointInTime: "latest"}, "pointInTime"},
		{"azure_source_is_a_flexible_server_id", core.Azure, Restore{SourceID: "main", PointInTime: "2026-06-13T14:00:00Z"}, "sourceId"},
		{"azure_geo_restore_is_valid", core.Azure, Restore{SourceID: azureSource, PointInTime: "2026-06-13T14:00:00Z", GeoRestore: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate(tc.cloud, testkit.Regions[tc.cloud][core.DR])
			if tc.field == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			expectProblems(t, err, tc.field)
		})
	}
}

func TestArgsValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cloud  core.Cloud
		env    core.Environment
		change func(*DatabaseArgs)
		field  string
	}{
		{"missing_key_is_refused_not_replaced_by_a_provider_key", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Key = nil }, "key: required"},
		{"key_of_another_purpose_is_refused", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Key.Purpose = core.BackupKey }, "key = \"backup\""},
		{"key_in_another_region_is_refused", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Key.Region = "eu-west-1" }, "key.region"},
		{"prod_needs_the_dr_key", core.AWS, core.Prod, func(a *DatabaseArgs) { a.DRKey = nil }, "drKey: required"},
		{"dr_key_must_be_in_the_dr_region", core.AWS, core.Prod, func(a *DatabaseArgs) { a.DRKey.Region = "eu-west-2" }, "drKey.region"},
		{"cross_region_backups_need_a_dr_site", core.AWS, core.Prod, func(a *DatabaseArgs) { a.Deployment.DR = nil }, "settings.crossRegionBackups"},
		{"prod_settings_problems_are_reported", core.AWS, core.Prod, func(a *DatabaseArgs) { a.Settings.BackupRetentionDays = 7 }, "settings.backupRetentionDays"},
		{"aws_needs_the_database_security_group", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Network.DatabaseSecurityGroupID = pulumi.StringOutput{} }, "network.databaseSecurityGroupId"},
		{"aws_needs_database_subnets", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Network.DatabaseSubnetIDs = pulumi.StringArrayOutput{} }, "network.databaseSubnetIds"},
		{"gcp_needs_the_network", core.GCP, core.Dev, func(a *DatabaseArgs) { a.Network.ID = pulumi.StringOutput{} }, "network.id"},
		{"prod_gcp_without_administrators_is_refused", core.GCP, core.Prod, func(a *DatabaseArgs) { a.Settings.Administrators = nil }, "settings.administrators: required"},
		{"prod_azure_without_administrators_is_refused", core.Azure, core.Prod, func(a *DatabaseArgs) { a.Settings.Administrators = nil }, "settings.administrators: required"},
		{"administrator_problems_are_reported", core.GCP, core.Dev, func(a *DatabaseArgs) { a.Settings.Administrators[0].ID = "" }, "settings.administrators[0].id: required"},
		{"app_principal_with_a_wildcard_is_refused", core.GCP, core.Dev, func(a *DatabaseArgs) { a.AppPrincipals[0].ID = "*@wedsync-prod.iam.gserviceaccount.com" }, "appPrincipals[0].id"},
		{"app_principal_in_the_wrong_form_is_refused", core.Azure, core.Dev, func(a *DatabaseArgs) { a.AppPrincipals[0].ID = "wedsync-app" }, "appPrincipals[0].id"},
		{"application_is_never_an_administrator", core.Azure, core.Dev, func(a *DatabaseArgs) { a.AppPrincipals[0].ID = a.Settings.Administrators[0].ID }, "appPrincipals[0].id"},
		{"azure_needs_the_private_dns_zone", core.Azure, core.Dev, func(a *DatabaseArgs) { a.Network.DatabasePrivateDNSZoneID = pulumi.StringOutput{} }, "network.databasePrivateDnsZoneId"},
		{"azure_needs_the_delegated_subnet", core.Azure, core.Dev, func(a *DatabaseArgs) { a.Network.DatabaseSubnetIDs = pulumi.StringArrayOutput{} }, "network.databaseSubnetIds"},
		{"restore_problems_are_reported", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Restore = &Restore{} }, "restore.snapshotId"},
		{"unknown_environment_is_refused", core.AWS, core.Dev, func(a *DatabaseArgs) { a.Deployment.Environment = "qa" }, "deployment.environment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := planErr(tc.cloud, tc.env, tc.change)
			expectProblems(t, err, tc.field)
			if err != nil && !strings.Contains(err.Error(), "database main: ") {
				t.Errorf("error does not name the database: %v", err)
			}
		})
	}
}

func TestPrincipalValidation(t *testing.T) {
	group := func(id string) []Principal { return []Principal{{Name: "WedSync DBAs", ID: id, Kind: GroupPrincipal}} }
	const objectID = "44444444-4444-4444-4444-444444444444"
	for _, tc := range []struct {
		name   string
		cloud  core.Cloud
		env    core.Environment
		admins []Principal
		field  string // "" when valid
	}{
		{"prod_gcp_needs_an_administrator", core.GCP, core.Prod, nil, "administrators: required"},
		{"prod_azure_needs_an_administrator", core.Azure, core.Prod, nil, "administrators: required"},
		{"prod_aws_keeps_its_managed_password_and_needs_none", core.AWS, core.Prod, nil, ""},
		{"dev_gcp_may_have_no_administrator", core.GCP, core.Dev, nil, ""},
		{"gcp_group_by_email_is_valid", core.GCP, core.Prod, group("dba@wedsync.co.uk"), ""},
		{"azure_group_by_object_id_is_valid", core.Azure, core.Prod, group(objectID), ""},
		{"empty_id_is_refused", core.AWS, core.Dev, group(""), "administrators[0].id: required"},
		{"wildcard_id_is_refused", core.GCP, core.Dev, group("*@wedsync.co.uk"), "administrators[0].id = "},
		{"wildcard_name_is_refused", core.Azure, core.Dev, []Principal{{Name: "WedSync*", ID: objectID, Kind: GroupPrincipal}}, "administrators[0].name = "},
		{"gcp_all_users_is_refused", core.GCP, core.Dev, group("allUsers"), "administrators[0].id = "},
		{"unknown_kind_is_refused", core.GCP, core.Dev, []Principal{{ID: "dba@wedsync.co.uk", Kind: "robot"}}, "administrators[0].kind = "},
		{"gcp_id_must_be_a_lowercase_email", core.GCP, core.Dev, group("DBA@wedsync.co.uk"), "administrators[0].id = "},
		{"gcp_service_account_must_be_one", core.GCP, core.Dev, []Principal{{ID: "ops@wedsync.co.uk", Kind: ServiceAccountPrincipal}}, "administrators[0].id = "},
		{"azure_id_must_be_an_object_id", core.Azure, core.Dev, group("dba@wedsync.co.uk"), "administrators[0].id = "},
		{"azure_needs_the_display_name", core.Azure, core.Dev, []Principal{{ID: objectID, Kind: GroupPrincipal}}, "administrators[0].name: required"},
		{"a_principal_is_listed_once", core.GCP, core.Dev, append(group("dba@wedsync.co.uk"), group("dba@wedsync.co.uk")...), "administrators[1].id = "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Settings{Administrators: tc.admins}
			s.ApplyDefaults(tc.env)
			err := s.Validate(tc.env, tc.cloud)
			if tc.field == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			expectProblems(t, err, tc.field)
			if n := len(core.Flatten(err)); n != 1 {
				t.Errorf("%d problems, want 1: %v", n, err)
			}
		})
	}
}

func TestMissingAdministratorsErrorShowsAnExample(t *testing.T) {
	for cloud, example := range map[core.Cloud]string{core.GCP: `"id": "dba@wedsync.co.uk"`, core.Azure: `"name": "WedSync DBAs"`} {
		s := Settings{}
		s.ApplyDefaults(core.Prod)
		err := s.Validate(core.Prod, cloud)
		expectProblems(t, err, "wedsync:database.administrators", example)
	}
}

func TestCloudNeutralValidateChecksPrincipalsToo(t *testing.T) {
	s := Settings{Administrators: []Principal{{ID: "*", Kind: GroupPrincipal}}}
	s.ApplyDefaults(core.Prod)
	expectProblems(t, s.Validate(core.Prod, ""), "administrators[0].id = ")
}
