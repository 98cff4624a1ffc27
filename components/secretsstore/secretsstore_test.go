package secretsstore

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		env                                   core.Environment
		deletion, softDelete, audit, rotation int
		hsm                                   bool
	}{
		{core.Prod, 30, 90, 365, 90, true},
		{core.Staging, 7, 7, 90, 90, false},
		{core.Dev, 7, 7, 90, 90, false},
	} {
		t.Run(string(tc.env)+"_defaults", func(t *testing.T) {
			s := Settings{Grants: []Grant{{Principal: appRole, Keys: []core.KeyPurpose{core.DataKey}}}}
			s.ApplyDefaults(tc.env)
			if s.DeletionWindowDays != tc.deletion || s.VaultSoftDeleteDays != tc.softDelete ||
				s.AuditRetentionDays != tc.audit || s.KeyRotationDays != tc.rotation || *s.HSMKeys != tc.hsm {
				t.Errorf("got deletion %d, soft delete %d, audit %d, rotation %d, hsm %v",
					s.DeletionWindowDays, s.VaultSoftDeleteDays, s.AuditRetentionDays, s.KeyRotationDays, *s.HSMKeys)
			}
			if !*s.PurgeProtection || !*s.ReplicateToDR || !*s.AuditLogs {
				t.Error("protections must default to on")
			}
			if s.Grants[0].Access != Read {
				t.Errorf("a grant without access must default to read, got %q", s.Grants[0].Access)
			}
			if err := s.Validate(tc.env, ""); err != nil {
				t.Errorf("defaults must be valid: %v", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    core.Environment
		change func(*Settings)
		want   string // a substring of the one expected problem
	}{
		{"prod_refuses_a_short_deletion_window", core.Prod, func(s *Settings) { s.DeletionWindowDays = 7 }, "deletionWindowDays = 7: prod keeps"},
		{"deletion_window_beyond_30_days_is_refused", core.Dev, func(s *Settings) { s.DeletionWindowDays = 45 }, "deletionWindowDays = 45"},
		{"rotation_beyond_a_year_is_refused", core.Dev, func(s *Settings) { s.KeyRotationDays = 400 }, "keyRotationDays = 400"},
		{"prod_refuses_a_short_vault_soft_delete", core.Prod, func(s *Settings) { s.VaultSoftDeleteDays = 30 }, "vaultSoftDeleteDays = 30: prod"},
		{"prod_refuses_short_audit_retention", core.Prod, func(s *Settings) { s.AuditRetentionDays = 90 }, "auditRetentionDays = 90: prod"},
		{"prod_refuses_turning_off_purge_protection", core.Prod, func(s *Settings) { s.PurgeProtection = on(false) }, "purgeProtection = false"},
		{"prod_refuses_software_keys", core.Prod, func(s *Settings) { s.HSMKeys = on(false) }, "hsmKeys = false"},
		{"prod_refuses_turning_off_dr_replication", core.Prod, func(s *Settings) { s.ReplicateToDR = on(false) }, "replicateToDR = false"},
		{"prod_refuses_turning_off_audit_logs", core.Prod, func(s *Settings) { s.AuditLogs = on(false) }, "auditLogs = false"},
		{"secret_names_are_lowercase_words", core.Dev, func(s *Settings) { s.Secrets[1].Name = "Sendgrid_Key" }, `secrets[1].name = "Sendgrid_Key"`},
		{"secret_names_are_unique", core.Dev, func(s *Settings) { s.Secrets[1].Name = s.Secrets[0].Name }, "secrets[1].name"},
		{"rotation_needs_a_function", core.Dev, func(s *Settings) { s.Secrets[0].Rotation = &Rotation{Days: 30} }, "secrets[0].rotation.function: required"},
		{"rotation_function_is_a_lambda_arn", core.Dev, func(s *Settings) {
			s.Secrets[0].Rotation = &Rotation{Days: 30, Function: "rotate-stripe"}
		}, "secrets[0].rotation.function"},
		{"rotation_days_are_bounded", core.Dev, func(s *Settings) {
			s.Secrets[0].Rotation = &Rotation{Days: 0, Function: "arn:aws:lambda:eu-west-2:123456789012:function:rotate"}
		}, "secrets[0].rotation.days = 0"},
		{"grant_needs_a_principal", core.Dev, func(s *Settings) { s.Grants[0].Principal = "" }, "grants[0].principal: required"},
		{"grant_rejects_star", core.Dev, func(s *Settings) { s.Grants[0].Principal = "*" }, "wildcard principals"},
		{"grant_rejects_allUsers", core.Dev, func(s *Settings) { s.Grants[0].Principal = "allUsers" }, "wildcard principals"},
		{"grant_rejects_allAuthenticatedUsers", core.Dev, func(s *Settings) { s.Grants[0].Principal = "allAuthenticatedUsers" }, "wildcard principals"},
		{"grant_rejects_an_account_wildcard", core.Dev, func(s *Settings) { s.Grants[0].Principal = "arn:aws:iam::*:root" }, "wildcard principals"},
		{"grant_rejects_unknown_access", core.Dev, func(s *Settings) { s.Grants[0].Access = "write" }, `grants[0].access = "write"`},
		{"grant_rejects_unknown_secret", core.Dev, func(s *Settings) { s.Grants[0].Secrets = []string{"nope"} }, `grants[0].secrets[0] = "nope"`},
		{"grant_rejects_unknown_key_purpose", core.Dev, func(s *Settings) { s.Grants[0].Keys = []core.KeyPurpose{"logs"} }, `grants[0].keys[0] = "logs"`},
		{"grant_must_name_something", core.Dev, func(s *Settings) { s.Grants[0].Secrets, s.Grants[0].Keys = nil, nil }, "grants[0]: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := everySecret(core.AWS)
			tc.change(&s)
			s.ApplyDefaults(tc.env)
			err := s.Validate(tc.env, "")
			problems := core.Flatten(err)
			if len(problems) != 1 || !strings.Contains(problems[0].Error(), tc.want) {
				t.Fatalf("want one problem containing %q, got %v", tc.want, problems)
			}
		})
	}
}

func TestValidateForCloud(t *testing.T) {
	lambda := "arn:aws:lambda:eu-west-2:123456789012:function:rotate"
	for _, tc := range []struct {
		name   string
		cloud  core.Cloud
		change func(*Settings)
		want   string
	}{
		{"aws_refuses_rotation_under_90_days", core.AWS, func(s *Settings) { s.KeyRotationDays = 30 }, "AWS rotates keys every 90 to 2560 days"},
		{"gcp_refuses_rotation_over_90_days", core.GCP, func(s *Settings) { s.KeyRotationDays = 180 }, "GCP rotates keys every 1 to 90 days"},
		{"azure_refuses_rotation_under_7_days", core.Azure, func(s *Settings) { s.KeyRotationDays = 3 }, "Azure rotates keys every 7 to 365 days"},
		{"gcp_refuses_secret_rotation", core.GCP, func(s *Settings) { s.Secrets[0].Rotation = &Rotation{Days: 30, Function: lambda} }, "GCP cannot run a rotation function"},
		{"azure_refuses_secret_rotation", core.Azure, func(s *Settings) { s.Secrets[0].Rotation = &Rotation{Days: 30, Function: lambda} }, "Azure cannot run a rotation function"},
		{"aws_principal_is_a_role_arn", core.AWS, func(s *Settings) { s.Grants[0].Principal = "arn:aws:iam::123456789012:root" }, "AWS grants name"},
		{"gcp_principal_is_an_iam_member", core.GCP, func(s *Settings) { s.Grants[0].Principal = "app@example.com" }, "GCP grants name"},
		{"gcp_rejects_a_whole_domain", core.GCP, func(s *Settings) { s.Grants[0].Principal = "domain:example.com" }, "GCP grants name"},
		{"azure_principal_is_an_object_id", core.Azure, func(s *Settings) { s.Grants[0].Principal = "wedsync-app" }, "Azure grants name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := everySecret(tc.cloud)
			tc.change(&s)
			s.ApplyDefaults(core.Prod)
			problems := core.Flatten(s.Validate(core.Prod, tc.cloud))
			if len(problems) != 1 || !strings.Contains(problems[0].Error(), tc.want) {
				t.Fatalf("want one problem containing %q, got %v", tc.want, problems)
			}
		})
	}
	t.Run("no_cloud_checks_only_what_every_cloud_shares", func(t *testing.T) {
		s := everySecret(core.AWS)
		s.KeyRotationDays = 30 // under AWS's 90, within every cloud's shared bound
		s.ApplyDefaults(core.Prod)
		if err := s.Validate(core.Prod, ""); err != nil {
			t.Errorf("without a cloud: %v", err)
		}
		if err := s.Validate(core.Prod, core.AWS); err == nil {
			t.Error("AWS accepts a 30-day rotation")
		}
	})
	t.Run("every_cloud_accepts_its_own_principals", func(t *testing.T) {
		for _, cloud := range core.Clouds {
			s := everySecret(cloud)
			s.ApplyDefaults(core.Prod)
			if err := s.Validate(core.Prod, cloud); err != nil {
				t.Errorf("%s: %v", cloud, err)
			}
		}
	})
}

func TestNewSecretsStoreRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    scenario
		want string
	}{
		{"a_value_for_an_unknown_secret", scenario{cloud: core.AWS, settings: everySecret(core.AWS), args: func(a *SecretsStoreArgs) {
			a.SecretValues = map[string]pulumi.StringInput{"nope": pulumi.String("x")}
		}}, "SecretValues[nope]"},
		{"a_wildcard_grant_with_its_config_key", scenario{cloud: core.AWS, settings: Settings{Grants: []Grant{{Principal: "*", Keys: []core.KeyPurpose{core.DataKey}}}}},
			`wedsync:secrets.grants[0].principal = "*": wildcard principals`},
		{"an_azure_secret_without_a_value", scenario{cloud: core.Azure, settings: everySecret(core.Azure)}, "Azure Key Vault has no secret without a value"},
		{"a_gcp_site_without_a_project", scenario{cloud: core.GCP, args: func(a *SecretsStoreArgs) { a.Deployment.Primary.GCPProject = "" }}, "Deployment.Primary.GCPProject: required"},
		{"a_deploy_role_that_is_not_an_arn", scenario{cloud: core.AWS, args: func(a *SecretsStoreArgs) { a.DeployRoleARN = "deployer" }}, `DeployRoleARN = "deployer"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.run(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}
