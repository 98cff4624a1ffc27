package autoscaling

import (
	"reflect"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

func TestDefaults(t *testing.T) {
	for env, want := range map[core.Environment]Settings{
		core.Prod:    {Size: "medium", HealthCheckPath: "/healthz", CPUTargetPercent: 60, MinHealthyPercent: 90},
		core.Staging: {Size: "small", HealthCheckPath: "/healthz", CPUTargetPercent: 60, MinHealthyPercent: 50},
		core.Dev:     {Size: "xsmall", HealthCheckPath: "/healthz", CPUTargetPercent: 60, MinHealthyPercent: 50},
	} {
		t.Run(string(env)+"_defaults", func(t *testing.T) {
			var s Settings
			s.ApplyDefaults(env)
			if !reflect.DeepEqual(s, want) {
				t.Fatalf("got %+v, want %+v", s, want)
			}
			if err := s.Validate(env, ""); err != nil {
				t.Fatalf("defaults do not validate: %v", err)
			}
		})
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
		{"prod_refuses_burstable_instances", core.Prod, func(s *Settings) { s.Size = "xsmall" }, "size"},
		{"aws_image_must_be_an_ami_id", core.Dev, func(s *Settings) { s.Image.AWS["eu-west-2"] = "ubuntu" }, "image.aws.eu-west-2"},
		{"an_image_region_must_be_the_clouds", core.Dev, func(s *Settings) { s.Image.AWS["europe-west2"] = "ami-0abcdef1234567890" }, "image.aws.europe-west2"},
		{"gcp_image_must_be_an_image_path", core.Dev, func(s *Settings) { s.Image.GCP["europe-west2"] = "ubuntu-2404" }, "image.gcp.europe-west2"},
		{"prod_refuses_a_gcp_image_family", core.Prod, func(s *Settings) {
			s.Image.GCP["europe-west2"] = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64"
		}, "image.gcp.europe-west2"},
		{"azure_image_must_be_an_id_or_urn", core.Dev, func(s *Settings) { s.Image.Azure["uksouth"] = "Canonical:ubuntu" }, "image.azure.uksouth"},
		{"staging_refuses_the_latest_azure_image", core.Staging, func(s *Settings) { s.Image.Azure["uksouth"] = "Canonical:ubuntu-24_04-lts:server:latest" }, "image.azure.uksouth"},
		{"health_check_path_is_absolute", core.Dev, func(s *Settings) { s.HealthCheckPath = "healthz" }, "healthCheckPath"},
		{"cpu_target_in_range", core.Dev, func(s *Settings) { s.CPUTargetPercent = 95 }, "cpuTargetPercent"},
		{"min_healthy_at_most_95", core.Dev, func(s *Settings) { s.MinHealthyPercent = 100 }, "minHealthyPercent"},
		{"prod_keeps_90_percent_healthy_in_rollouts", core.Prod, func(s *Settings) { s.MinHealthyPercent = 50 }, "minHealthyPercent"},
		{"ssh_key_must_be_openssh", core.Dev, func(s *Settings) { s.AdminSSHPublicKey = "-----BEGIN PUBLIC KEY-----" }, "adminSshPublicKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Settings{Image: testImages()}
			tc.change(&s)
			s.ApplyDefaults(tc.env)
			expectProblems(t, s.Validate(tc.env, ""), tc.field)
		})
	}
	t.Run("dev_may_use_floating_images", func(t *testing.T) {
		s := Settings{Image: core.Images{GCP: core.RegionImages{"europe-west2": "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64"}, Azure: core.RegionImages{"uksouth": "Canonical:ubuntu-24_04-lts:server:latest"}}}
		s.ApplyDefaults(core.Dev)
		if err := s.Validate(core.Dev, ""); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("every_problem_at_once", func(t *testing.T) {
		s := Settings{Size: "huge", HealthCheckPath: "x", CPUTargetPercent: 5}
		s.ApplyDefaults(core.Prod)
		expectProblems(t, s.Validate(core.Prod, ""), "size", "healthCheckPath", "cpuTargetPercent")
	})
}

func TestProdMaxCapacityIsTenTimesTheBaseline(t *testing.T) {
	low := testCalendar()
	low.Capacity.OffSeason = season.Capacity{Min: 4, Max: 10, Desired: 4}
	low.Capacity.Peak = season.Capacity{Min: 8, Max: 30, Desired: 8}
	low.Capacity.WeddingDay = season.Capacity{Min: 20, Max: 39, Desired: 20}
	for _, tc := range []struct {
		name   string
		env    core.Environment
		cal    season.Config
		reason string
		ok     bool
	}{
		{"default_calendar_passes_in_prod", core.Prod, testCalendar(), "", true},
		{"prod_max_below_10x_baseline_is_refused", core.Prod, low, "", false},
		{"prod_max_below_10x_baseline_with_a_reason_passes", core.Prod, low, "capped by the database's connection limit until issue 12", true},
		{"blank_reason_is_no_reason", core.Prod, low, "   ", false},
		{"dev_may_cap_capacity", core.Dev, low, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Settings{MaxCapacityReason: tc.reason}.ValidateCalendar(tc.env, tc.cal)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				expectProblems(t, err, "maxCapacityReason", "39", "40")
			}
		})
	}
	t.Run("new_autoscaling_group_refuses_it_too", func(t *testing.T) {
		expectProblems(t, planErr(core.AWS, core.Prod, func(a *AutoscalingGroupArgs) { a.Calendar = low }), "settings.maxCapacityReason")
	})
}

func TestArgsValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cloud  core.Cloud
		change func(*AutoscalingGroupArgs)
		field  string
	}{
		{"a_nil_key_is_refused", core.AWS, func(a *AutoscalingGroupArgs) { a.Key = nil }, "key"},
		{"the_clouds_image_is_required", core.GCP, func(a *AutoscalingGroupArgs) { a.Settings.Image.GCP = nil }, "settings.image.gcp"},
		// The group launches in its site's region; the release's image in
		// another region cannot boot it (a DR stack's failure mode).
		{"an_image_in_the_sites_region_is_required", core.AWS, func(a *AutoscalingGroupArgs) { delete(a.Settings.Image.AWS, "eu-west-2") }, "settings.image.aws.eu-west-2"},
		{"azure_needs_an_admin_key", core.Azure, func(a *AutoscalingGroupArgs) { a.Settings.AdminSSHPublicKey = "" }, "settings.adminSshPublicKey"},
		{"now_is_required", core.AWS, func(a *AutoscalingGroupArgs) { a.Now = time.Time{} }, "now"},
		{"an_invalid_calendar_is_refused", core.AWS, func(a *AutoscalingGroupArgs) { a.Calendar.PeakMonths = "Maytember" }, "calendar.peakMonths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, planErr(tc.cloud, core.Prod, tc.change), tc.field)
		})
	}
}
