package backupbucket

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

func TestSettingsValidation(t *testing.T) {
	off := false
	cases := []struct {
		name  string
		env   core.Environment
		s     Settings
		field string // "" when valid
	}{
		{"prod_defaults_are_valid", core.Prod, Settings{}, ""},
		{"staging_defaults_are_valid", core.Staging, Settings{}, ""},
		{"dev_defaults_are_valid", core.Dev, Settings{}, ""},
		{"prod_refuses_retention_below_35_days", core.Prod, Settings{RetentionDays: 34, Tiers: Tiers{}}, "retentionDays"},
		{"prod_accepts_35_days_dropping_default_tiers_that_do_not_fit", core.Prod, Settings{RetentionDays: 35}, ""},
		{"dev_may_keep_7_days", core.Dev, Settings{RetentionDays: 7}, ""},
		{"retention_must_be_positive", core.Dev, Settings{RetentionDays: -1}, "retentionDays"},
		{"retention_is_bounded", core.Dev, Settings{RetentionDays: MaxRetentionDays + 1}, "retentionDays"},
		{"no_tier_before_day_30", core.Dev, Settings{RetentionDays: 365, Tiers: Tiers{InfrequentAfterDays: 20}}, "tiers.infrequentAfterDays"},
		{"tiers_must_ascend", core.Dev, Settings{RetentionDays: 365, Tiers: Tiers{InfrequentAfterDays: 90, ColdAfterDays: 60}}, "tiers.coldAfterDays"},
		{"tiers_must_be_30_days_apart", core.Dev, Settings{RetentionDays: 365, Tiers: Tiers{InfrequentAfterDays: 30, ArchiveAfterDays: 45}}, "tiers.archiveAfterDays"},
		{"archive_must_fit_its_minimum_stay_before_expiry", core.Prod, Settings{RetentionDays: 200, Tiers: Tiers{InfrequentAfterDays: 30, ArchiveAfterDays: 90}}, "tiers.archiveAfterDays"},
		{"tier_after_retention_is_refused", core.Dev, Settings{RetentionDays: 40, Tiers: Tiers{InfrequentAfterDays: 30}}, "tiers.infrequentAfterDays"},
		{"negative_tier_is_refused", core.Dev, Settings{RetentionDays: 365, Tiers: Tiers{ColdAfterDays: -5}}, "tiers.coldAfterDays"},
		{"skipping_a_tier_is_allowed", core.Prod, Settings{RetentionDays: 365, Tiers: Tiers{InfrequentAfterDays: 30, ArchiveAfterDays: 90}}, ""},
		{"prod_refuses_turning_replication_off", core.Prod, Settings{ReplicateToDR: &off}, "replicateToDR"},
		{"dev_may_turn_replication_off", core.Dev, Settings{ReplicateToDR: &off}, ""},
		{"offsite_cloud_must_exist", core.Prod, Settings{Offsite: &Offsite{Cloud: "oracle", Region: "uk-london-1"}}, "offsite.cloud"},
		{"offsite_region_must_exist_on_its_cloud", core.Prod, Settings{Offsite: &Offsite{Cloud: core.GCP, Region: "eu-west-2"}}, "offsite.region"},
		{"offsite_region_is_required", core.Prod, Settings{Offsite: &Offsite{Cloud: core.GCP}}, "offsite.region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.s
			s.ApplyDefaults(c.env)
			err := s.Validate(c.env, "")
			if c.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want a problem with %s, got none", c.field)
			}
			found := false
			for _, e := range core.Flatten(err) {
				if p := (*core.Problem)(nil); errors.As(e, &p) && p.Field == c.field {
					found = true
				}
			}
			if !found {
				t.Fatalf("want a problem with %s, got %v", c.field, err)
			}
		})
	}
}

func TestValidationReportsEveryProblemAtOnce(t *testing.T) {
	s := Settings{RetentionDays: 10, Tiers: Tiers{InfrequentAfterDays: 5, ColdAfterDays: 7}}
	err := s.Validate(core.Prod, "")
	if n := len(core.Flatten(err)); n != 3 {
		t.Fatalf("want 3 problems (retention, two tiers), got %d: %v", n, err)
	}
}

// TestSettingsValidationForCloud: only the primary's cloud can say whether
// it can feed an offsite copy; without one, the copy is not judged.
func TestSettingsValidationForCloud(t *testing.T) {
	s := Settings{Offsite: &Offsite{Cloud: core.GCP, Region: "europe-west2"}}
	s.ApplyDefaults(core.Prod)
	for cloud, refused := range map[core.Cloud]bool{"": false, core.AWS: false, core.GCP: true, core.Azure: false} {
		err := s.Validate(core.Prod, cloud)
		if got := hasProblem(err, "offsite.cloud"); got != refused {
			t.Errorf("primary on %q: offsite to gcp refused = %v, want %v (%v)", cloud, got, refused, err)
		}
	}
}

// hasProblem reports whether err has a problem with field.
func hasProblem(err error, field string) bool {
	for _, e := range core.Flatten(err) {
		if p := (*core.Problem)(nil); errors.As(e, &p) && p.Field == field {
			return true
		}
	}
	return false
}

func TestDefaults(t *testing.T) {
	t.Run("prod_keeps_a_year_and_tiers_down", func(t *testing.T) {
		var s Settings
		s.ApplyDefaults(core.Prod)
		if s.RetentionDays != 365 || s.Tiers != (Tiers{30, 90, 180}) || !*s.ReplicateToDR {
			t.Fatalf("prod defaults = %+v", s)
		}
	})
	t.Run("default_tiers_shrink_to_fit_a_shorter_retention", func(t *testing.T) {
		s := Settings{RetentionDays: 200}
		s.ApplyDefaults(core.Prod)
		if s.Tiers != (Tiers{InfrequentAfterDays: 30, ColdAfterDays: 90}) {
			t.Fatalf("tiers = %+v", s.Tiers)
		}
	})
	t.Run("explicit_tiers_are_kept_as_set", func(t *testing.T) {
		s := Settings{Tiers: Tiers{InfrequentAfterDays: 60}}
		s.ApplyDefaults(core.Prod)
		if s.Tiers != (Tiers{InfrequentAfterDays: 60}) {
			t.Fatalf("tiers = %+v", s.Tiers)
		}
	})
	t.Run("immutability_is_compliance_only_in_prod", func(t *testing.T) {
		if ImmutabilityFor(core.Prod) != Compliance || ImmutabilityFor(core.Staging) != Governance || ImmutabilityFor(core.Dev) != Governance {
			t.Fatal("prod must be compliance, other environments governance")
		}
	})
}

// TestArgsValidation covers what needs the deployment: keys, DR, offsite.
func TestArgsValidation(t *testing.T) {
	cases := []struct {
		name   string
		f      fixture
		change func(a *BackupBucketArgs)
		want   string
	}{
		{"missing_key_is_refused", fixture{cloud: core.AWS, env: core.Dev}, func(a *BackupBucketArgs) { a.Key = nil }, "Key"},
		{"key_in_another_region_is_refused", fixture{cloud: core.AWS, env: core.Dev}, func(a *BackupBucketArgs) { a.Key = key(core.AWS, "eu-west-1") }, "Key.Region"},
		{"missing_dr_key_is_refused", fixture{cloud: core.AWS, env: core.Prod}, func(a *BackupBucketArgs) { a.DRKey = nil }, "DRKey"},
		{"prod_without_dr_is_refused", fixture{cloud: core.AWS, env: core.Prod}, func(a *BackupBucketArgs) { a.Deployment.DR = nil }, "Deployment.DR"},
		{"purpose_must_be_a_name", fixture{cloud: core.AWS, env: core.Dev}, func(a *BackupBucketArgs) { a.Purpose = "DB Exports" }, "Purpose"},
		{"offsite_needs_its_site", fixture{cloud: core.AWS, env: core.Prod}, func(a *BackupBucketArgs) {
			a.Settings.Offsite = &Offsite{Cloud: core.GCP, Region: "europe-west2"}
		}, "Deployment.Offsite"},
		{"offsite_from_azure_to_aws_is_unsupported", fixture{cloud: core.Azure, env: core.Prod}, func(a *BackupBucketArgs) {
			a.Settings.Offsite = &Offsite{Cloud: core.AWS, Region: "eu-west-2"}
			a.Deployment.Offsite = &core.Site{Cloud: core.AWS, Region: "eu-west-2"}
			a.OffsiteKey = key(core.AWS, "eu-west-2")
		}, "wedsync:backup.offsite.cloud"},
		{"offsite_from_azure_needs_its_sas_secret", fixture{cloud: core.Azure, env: core.Prod}, func(a *BackupBucketArgs) {
			a.Settings.Offsite = &Offsite{Cloud: core.GCP, Region: "europe-west2"}
			a.Deployment.Offsite = &core.Site{Cloud: core.GCP, Region: "europe-west2"}
			a.OffsiteKey = key(core.GCP, "europe-west2")
		}, "OffsiteCredential"},
		{"azure_key_needs_its_vault", fixture{cloud: core.Azure, env: core.Dev}, func(a *BackupBucketArgs) {
			a.Key = core.KeyID(core.BackupKey, "uksouth", "https://v.vault.azure.net/keys/backup")
		}, "Key.VaultID"},
		{"azure_adopts_no_bucket", fixture{cloud: core.Azure, env: core.Prod}, func(a *BackupBucketArgs) {
			a.Adopt = &Adoption{Bucket: "wedsync-prod-backup-db-exports-replica-ukw"}
		}, "Adopt"},
		{"adoption_names_the_bucket", fixture{cloud: core.AWS, env: core.Prod}, func(a *BackupBucketArgs) { a.Adopt = &Adoption{} }, "Adopt.Bucket"},
		{"settings_problems_carry_the_config_key", fixture{cloud: core.AWS, env: core.Prod}, func(a *BackupBucketArgs) {
			a.Settings.RetentionDays = 30
		}, "wedsync:backup.retentionDays"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := regions[c.f.cloud]
			a := &BackupBucketArgs{
				Deployment: core.Deployment{Project: "wedsync", Stack: "t", Environment: c.f.env,
					Primary: core.Site{Cloud: c.f.cloud, Region: r[0], Role: core.Primary},
					DR:      &core.Site{Cloud: c.f.cloud, Region: r[1], Role: core.DR}},
				Key: key(c.f.cloud, r[0]), DRKey: key(c.f.cloud, r[1]), Purpose: "db-exports",
			}
			c.change(a)
			a.Settings.ApplyDefaults(c.f.env)
			err := a.validate()
			for _, e := range core.Flatten(err) {
				if p := (*core.Problem)(nil); errors.As(e, &p) && p.Field == c.want {
					return
				}
			}
			t.Fatalf("want a problem with %s, got %v", c.want, err)
		})
	}
}

func TestNewBackupBucketRefusesInvalidArgs(t *testing.T) {
	_, err := plan.Run(plan.Options{Project: "wedsync", Stack: "prod"}, func(ctx *pulumi.Context) error {
		_, err := NewBackupBucket(ctx, "b", &BackupBucketArgs{Deployment: core.Deployment{Environment: core.Prod, Primary: core.Site{Cloud: core.AWS, Region: "eu-west-2"}}, Purpose: "media"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Key") || !strings.Contains(err.Error(), "Deployment.DR") {
		t.Fatalf("want key and DR problems, got %v", err)
	}
}
