package stacks

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
)

// valid is a minimal valid prod config; each case changes one thing.
func valid() map[string]string {
	return map[string]string{
		"wedsync:environment": "prod",
		"wedsync:cloud":       "aws",
		"wedsync:region":      "eu-west-2",
		"wedsync:drRegion":    "eu-west-1",
		"wedsync:costCentre":  "wedsync-prod",
		"wedsync:alerting":    `{"receivers":[{"name":"oncall","email":"oncall@wedsync.co.uk"}],"escalation":[{"name":"wedding-day","email":"weddings@wedsync.co.uk"}]}`,
		"wedsync:budget":      `{"amount":1000}`,
		"wedsync:release":     `{"application":"2026.11.4","images":{"aws":{"eu-west-2":"ami-0d1f3c5e7a9b2c4d6"}},"postgresVersion":"16"}`,
	}
}

func with(changes map[string]string) map[string]string {
	raw := valid()
	for k, v := range changes {
		if v == "<unset>" {
			delete(raw, k)
			continue
		}
		raw[k] = v
	}
	return raw
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		// want are fragments that must all appear in one problem each.
		want []string
	}{
		{"unknown_environment_names_the_allowed_ones", with(map[string]string{"wedsync:environment": "production"}),
			[]string{`wedsync:environment = "production": use dev, staging or prod`}},
		{"unknown_cloud_names_the_allowed_ones", with(map[string]string{"wedsync:cloud": "oracle"}),
			[]string{`wedsync:cloud = "oracle": use aws, gcp or azure`}},
		{"missing_region_is_required", with(map[string]string{"wedsync:region": "<unset>"}),
			[]string{"wedsync:region: required: a region of AWS, e.g. eu-west-2"}},
		{"region_of_another_cloud_is_not_a_region", with(map[string]string{"wedsync:region": "europe-west2"}),
			[]string{`wedsync:region = "europe-west2": not a region of AWS`}},
		{"typo_in_region_suggests_the_real_one", with(map[string]string{"wedsync:region": "eu-wset-2"}),
			[]string{`did you mean "eu-west-2"?`}},
		{"prod_without_dr_region_is_refused", with(map[string]string{"wedsync:drRegion": "<unset>"}),
			[]string{"wedsync:drRegion: required"}},
		{"dr_region_equal_to_region_is_refused", with(map[string]string{"wedsync:drRegion": "eu-west-2"}),
			[]string{"must differ from wedsync:region"}},
		{"bad_time_zone_is_refused", with(map[string]string{"wedsync:timezone": "London"}),
			[]string{`wedsync:timezone = "London": not an IANA time zone`}},
		{"local_time_zone_is_refused", with(map[string]string{"wedsync:timezone": "Local"}),
			[]string{"not an IANA time zone"}},
		{"prod_without_cost_centre_is_refused", with(map[string]string{"wedsync:costCentre": "<unset>"}),
			[]string{"wedsync:costCentre: required"}},
		{"gcp_without_project_is_refused", with(map[string]string{"wedsync:cloud": "gcp", "wedsync:region": "europe-west2", "wedsync:drRegion": "europe-west1"}),
			[]string{"wedsync:gcpProject: required"}},
		{"azure_subscription_must_be_a_uuid", with(map[string]string{"wedsync:cloud": "azure", "wedsync:region": "uksouth", "wedsync:drRegion": "ukwest", "wedsync:azureSubscriptionId": "my-sub"}),
			[]string{`wedsync:azureSubscriptionId = "my-sub": not a subscription id`}},
		{"aws_account_must_be_12_digits", with(map[string]string{"wedsync:awsAccountId": "1234"}),
			[]string{`wedsync:awsAccountId = "1234": not an AWS account id`}},
		{"unknown_key_suggests_the_known_one", with(map[string]string{"wedsync:regoin": "eu-west-2"}),
			[]string{`wedsync:regoin = "eu-west-2": unknown key; did you mean "region"?`}},
		{"unknown_key_far_from_any_has_no_suggestion", with(map[string]string{"wedsync:flavour": "vanilla"}),
			[]string{`wedsync:flavour = "vanilla": unknown key; known keys:`}},
		{"tags_must_be_an_object", with(map[string]string{"wedsync:tags": `["a"]`}),
			[]string{"wedsync:tags"}},
		{"tags_cannot_override_standard_tags", with(map[string]string{"wedsync:tags": `{"environment":"dev"}`}),
			[]string{`wedsync:tags.environment = "dev": is a standard tag`}},
		{"season_problems_name_the_nested_field", with(map[string]string{"wedsync:season": `{"capacity":{"peak":{"min":1,"max":4,"desired":1}}}`}),
			[]string{"wedsync:season.capacity.peak.min: 1 is below capacity.offSeason.min"}},
		{"season_time_zone_is_the_stack_time_zone", with(map[string]string{"wedsync:season": `{"timezone":"America/New_York"}`}),
			[]string{`wedsync:season.timezone = "America/New_York": the calendar uses the stack's time zone`}},
		{"season_typo_suggests_the_field", with(map[string]string{"wedsync:season": `{"peakMonth":"May-October"}`}),
			[]string{`wedsync:season.peakMonth = "May-October": unknown field; did you mean "peakMonths"?`}},
		{"tag_values_must_be_strings", with(map[string]string{"wedsync:tags": `{"team":3}`}),
			[]string{"wedsync:tags.team = 3: wrong type: want a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("wedsync", "prod", tt.raw)
			if err == nil {
				t.Fatalf("Load accepted %v", tt.raw)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Load("wedsync", "prod", map[string]string{
		"wedsync:environment": "live",
		"wedsync:cloud":       "aws",
		"wedsync:region":      "mars-1",
		"wedsync:timezone":    "Nowhere/Town",
	})
	problems := core.Flatten(err)
	if len(problems) != 3 {
		t.Fatalf("want 3 problems (environment, timezone, region), got %d:\n%v", len(problems), err)
	}
	for i, field := range []string{"wedsync:environment", "wedsync:timezone", "wedsync:region"} {
		if !strings.HasPrefix(problems[i].Error(), field) {
			t.Errorf("problem %d = %q, want it to start with %s", i, problems[i], field)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"time_zone_defaults_to_london", valid(), func(t *testing.T, c Config) {
			if c.Timezone != "Europe/London" {
				t.Errorf("Timezone = %q", c.Timezone)
			}
		}},
		{"owner_defaults_to_platform", valid(), func(t *testing.T, c Config) {
			if c.Owner != "platform" {
				t.Errorf("Owner = %q", c.Owner)
			}
		}},
		{"explicit_time_zone_is_kept", with(map[string]string{"wedsync:timezone": "America/New_York"}), func(t *testing.T, c Config) {
			if c.Timezone != "America/New_York" {
				t.Errorf("Timezone = %q", c.Timezone)
			}
		}},
		{"dev_needs_no_dr_region_nor_cost_centre", map[string]string{"wedsync:environment": "dev", "wedsync:cloud": "aws", "wedsync:region": "eu-west-2",
			"wedsync:alerting": `{"receivers":[{"name":"dev","email":"dev@wedsync.co.uk"}]}`, "wedsync:budget": `{"amount":100}`, "wedsync:release": valid()["wedsync:release"]}, func(t *testing.T, c Config) {
			if c.DRRegion != "" || c.Environment != core.Dev {
				t.Errorf("got %+v", c)
			}
		}},
		{"other_namespaces_are_not_ours", with(map[string]string{"aws:region": "us-east-1"}), func(t *testing.T, c Config) {
			if c.Region != "eu-west-2" {
				t.Errorf("Region = %q: aws:region must not override wedsync:region", c.Region)
			}
		}},
		{"season_follows_the_stack_time_zone", with(map[string]string{"wedsync:timezone": "America/New_York"}), func(t *testing.T, c Config) {
			if c.Season.Timezone != "America/New_York" || c.Season.PeakMonths == "" {
				t.Errorf("Season = %+v, want defaults in the stack's zone", c.Season)
			}
		}},
		{"extra_tags_are_read", with(map[string]string{"wedsync:tags": `{"data-classification":"guest-pii"}`}), func(t *testing.T, c Config) {
			if c.Tags["data-classification"] != "guest-pii" {
				t.Errorf("Tags = %v", c.Tags)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("wedsync", "prod", tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestKeysAreNamespaced(t *testing.T) {
	for _, k := range Keys() {
		if !strings.HasPrefix(k, "wedsync:") {
			t.Errorf("key %q is not in the wedsync namespace", k)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct{ got, want string }{
		{"regoin", `; did you mean "region"?`},
		{"drregion", `; did you mean "drRegion"?`},
		{"costCenter", `; did you mean "costCentre"?`},
		{"zzz", ""},
	}
	for _, tt := range tests {
		if got := core.DidYouMean(tt.got, settingKeys()); got != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.got, got, tt.want)
		}
	}
}

// FuzzLoad feeds arbitrary values to every key: Load must never panic, and
// whatever it accepts must be valid.
func FuzzLoad(f *testing.F) {
	f.Add("prod", "aws", "eu-west-2", "eu-west-1", "Europe/London", `{"a":"b"}`)
	f.Add("dev", "gcp", "europe-west2", "", "UTC", `{}`)
	f.Add("staging", "azure", "uksouth", "ukwest", "America/New_York", `{"x":{"y":1}}`)
	f.Add("", "", "", "", "", `[`)
	f.Fuzz(func(t *testing.T, env, cloud, region, dr, tz, tags string) {
		raw := map[string]string{
			"wedsync:environment": env, "wedsync:cloud": cloud, "wedsync:region": region,
			"wedsync:drRegion": dr, "wedsync:timezone": tz, "wedsync:tags": tags,
			"wedsync:costCentre": "cc", "wedsync:gcpProject": "p",
		}
		c, err := Load("wedsync", "fuzz", raw)
		if err != nil {
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("Load accepted a config that does not validate: %v", verr)
		}
		if !c.Environment.Valid() || !c.Cloud.Valid() || !core.ValidRegion(c.Cloud, c.Region) {
			t.Fatalf("Load accepted %+v", c)
		}
	})
}
