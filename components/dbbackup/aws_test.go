package dbbackup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	vaultT   = "aws:backup/vault:Vault"
	lockT    = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
	planT    = "aws:backup/plan:Plan"
	selectT  = "aws:backup/selection:Selection"
	machineT = "aws:sfn/stateMachine:StateMachine"
	ruleT    = "aws:cloudwatch/eventRule:EventRule"
	policyT  = "aws:iam/rolePolicy:RolePolicy"
	alarmT   = "aws:cloudwatch/metricAlarm:MetricAlarm"
)

func TestAWS(t *testing.T) {
	prod := run(t, core.AWS, core.Prod, nil)
	staging := run(t, core.AWS, core.Staging, nil)
	key := testkit.KeyID(core.AWS, core.BackupKey, core.Primary)
	drKey := testkit.KeyID(core.AWS, core.BackupKey, core.DR)

	t.Run("vaults_are_under_the_backup_keys_in_both_regions", func(t *testing.T) {
		want(t, named(t, prod, vaultT, "main"), "kmsKeyArn", key)
		dr := named(t, prod, vaultT, "main-dr")
		want(t, dr, "kmsKeyArn", drKey)
		if !strings.Contains(dr.Provider, "aws-dr") {
			t.Errorf("DR vault is on provider %s, want the DR site's", dr.Provider)
		}
		if !named(t, prod, vaultT, "main").Protect {
			t.Error("prod vault is not protected")
		}
	})
	t.Run("prod_vaults_are_compliance_locked_for_exactly_the_retention", func(t *testing.T) {
		for _, name := range []string{"main", "main-dr"} {
			lock := named(t, prod, lockT, name)
			want(t, lock, "changeableForDays", lockGraceDays)
			want(t, lock, "minRetentionDays", 365)
			want(t, lock, "maxRetentionDays", 365)
		}
	})
	t.Run("staging_vault_lock_is_governance", func(t *testing.T) {
		if got := testkit.Get(named(t, staging, lockT, "main"), "changeableForDays"); got != nil {
			t.Errorf("staging vault lock is compliance (changeableForDays %v): nobody could tear it down", got)
		}
	})
	t.Run("daily_rule_copies_to_the_DR_vault_and_deletes_at_retention", func(t *testing.T) {
		p := testkit.One(t, prod, planT)
		want(t, p, "rules.0.schedule", "cron(0 2 * * ? *)")
		want(t, p, "rules.0.lifecycle.deleteAfter", 365)
		want(t, p, "rules.0.copyActions.0.lifecycle.deleteAfter", 365)
		dest, _ := testkit.Get(p, "rules.0.copyActions.0.destinationVaultArn").(string)
		if !strings.Contains(dest, ":eu-west-1:") {
			t.Errorf("copy goes to %q, want the DR region's vault", dest)
		}
		want(t, testkit.One(t, prod, selectT), "resources.0", databases[core.AWS])
	})
	t.Run("export_state_machine_exports_the_job's_snapshot_to_db-exports", func(t *testing.T) {
		def := doc(t, testkit.One(t, prod, machineT), "definition")
		export := def["States"].(map[string]any)["Export"].(map[string]any)
		if export["Resource"] != "arn:aws:states:::aws-sdk:rds:startExportTask" {
			t.Errorf("export step calls %v", export["Resource"])
		}
		params := export["Parameters"].(map[string]any)
		if params["S3BucketName"] != exports[core.AWS][0] || params["KmsKeyId"] != key || params["S3Prefix"] != exportPrefix {
			t.Errorf("export parameters %v", params)
		}
		pattern := doc(t, testkit.One(t, prod, ruleT), "eventPattern")
		if got := pattern["detail"].(map[string]any)["resourceArn"].([]any)[0]; got != databases[core.AWS] {
			t.Errorf("export trigger watches %v, want the database", got)
		}
	})
	t.Run("export_role_writes_only_the_export_prefix", func(t *testing.T) {
		s := testkit.Get(named(t, prod, policyT, "main-export"), "policy").(string)
		if !strings.Contains(s, exports[core.AWS][2]+"/"+exportPrefix+"/*") || strings.Contains(s, `"s3:*"`) || strings.Contains(s, exports[core.AWS][2]+`/*"`) {
			t.Errorf("export role policy is not limited to the export prefix: %s", s)
		}
	})
	t.Run("job_failures_alarm", func(t *testing.T) {
		if n := len(testkit.OfType(prod, alarmT)); n != len(alarmKeys) {
			t.Errorf("%d alarms, want %d", n, len(alarmKeys))
		}
	})
	t.Run("prod_restore_tests_the_newest_snapshot_weekly_away_from_weddings", func(t *testing.T) {
		plan := testkit.One(t, prod, "aws:backup/restoreTestingPlan:RestoreTestingPlan")
		want(t, plan, "scheduleExpression", "cron(0 5 ? * WED *)")
		want(t, plan, "recoveryPointSelection.algorithm", "LATEST_WITHIN_WINDOW")
		if v := fmt.Sprint(testkit.Get(plan, "recoveryPointSelection.includeVaults")); !strings.Contains(v, ":eu-west-2:") || !strings.HasSuffix(v, ":vault/wedsync-prod-db-euw2]") {
			t.Errorf("restore tests pick recovery points of %s, want only the primary vault", v)
		}
		sel := testkit.One(t, prod, "aws:backup/restoreTestingSelection:RestoreTestingSelection")
		want(t, sel, "protectedResourceType", "RDS")
		want(t, sel, "protectedResourceArns.0", databases[core.AWS])
		want(t, sel, "validationWindowHours", restoreValidationHours)
		if n := len(testkit.OfType(staging, "aws:backup/restoreTestingPlan:RestoreTestingPlan")); n != 0 {
			t.Errorf("staging has %d restore testing plans: restore tests are prod's", n)
		}
	})
	t.Run("prod_job_reports_land_in_a_private_encrypted_tls_only_bucket", func(t *testing.T) {
		templates := map[string]bool{}
		for _, r := range testkit.OfType(prod, "aws:backup/reportPlan:ReportPlan") {
			templates[fmt.Sprint(testkit.Get(r, "reportSetting.reportTemplate"))] = true
			want(t, r, "reportDeliveryChannel.s3BucketName", testkit.Get(named(t, prod, "aws:s3/bucketV2:BucketV2", "main-reports"), "bucket"))
		}
		if !templates["RESTORE_JOB_REPORT"] || !templates["BACKUP_JOB_REPORT"] {
			t.Errorf("report templates %v, want the restore and backup job reports", templates)
		}
		want(t, named(t, prod, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "main-reports"),
			"rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", key)
		pol := testkit.Get(named(t, prod, "aws:s3/bucketPolicy:BucketPolicy", "main-reports"), "policy").(string)
		if !strings.Contains(pol, "aws:SecureTransport") || !strings.Contains(pol, "AWSServiceRoleForBackupReports") || strings.Contains(pol, `"Principal":"*","Action":"s3:PutObject"`) {
			t.Errorf("report bucket policy: %s", pol)
		}
		grant := testkit.One(t, prod, "aws:kms/grant:Grant")
		if g := fmt.Sprint(testkit.Get(grant, "granteePrincipal")); !strings.HasSuffix(g, ":123456789012:role/aws-service-role/reports.backup.amazonaws.com/AWSServiceRoleForBackupReports") {
			t.Errorf("the backup key is granted to %s", g)
		}
	})
}
