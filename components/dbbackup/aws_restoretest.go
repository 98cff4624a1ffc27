package dbbackup

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// restoreTestHour is the weekly restore test's day and time: Wednesday,
// far from the wedding weekend, after the night's backup.
const restoreTestDay = "WED"

// restoreValidationHours is how long the restored instance stays up for a
// validation (the drill's verify SQL) to report on it before AWS Backup
// deletes it.
// https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
const restoreValidationHours = 2

// reportTemplates are the Backup Audit Manager job reports delivered daily:
// every restore job (the restore tests among them) and every backup job.
// https://docs.aws.amazon.com/aws-backup/latest/devguide/create-report-plan-api.html
var reportTemplates = map[string]string{"restore-jobs": "RESTORE_JOB_REPORT", "backup-jobs": "BACKUP_JOB_REPORT"}

// restorePlanName is the restore testing plan's name (letters, digits and
// underscores only).
func (b *builder) restorePlanName() string {
	return strings.ReplaceAll(b.dep.NameWithin(50, "db", "restore", "test"), "-", "_")
}

// awsRestoreTesting tests the newest recovery point of the vault by
// restoring it every week (prod): AWS Backup restores the RDS snapshot into
// a new instance, keeps it restoreValidationHours for validation, then
// deletes it; each test is a restore job that `backup report` reads
// (ListRestoreJobs by the plan's ARN) and the restore job report lists.
// https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
func (b *builder) awsRestoreTesting(vault *backup.Vault, role *iam.Role) (*backup.RestoreTestingPlan, error) {
	site := b.dep.Primary
	plan, err := backup.NewRestoreTestingPlan(b.ctx, b.name, &backup.RestoreTestingPlanArgs{
		Name:                       pulumi.String(b.restorePlanName()),
		ScheduleExpression:         pulumi.String(fmt.Sprintf("cron(0 %d ? * %s *)", (b.hour()+3)%24, restoreTestDay)),
		ScheduleExpressionTimezone: pulumi.String("Etc/UTC"),
		StartWindowHours:           pulumi.Int(8),
		RecoveryPointSelection: &backup.RestoreTestingPlanRecoveryPointSelectionArgs{
			Algorithm:           pulumi.String("LATEST_WITHIN_WINDOW"),
			IncludeVaults:       pulumi.StringArray{vault.Arn},
			RecoveryPointTypes:  pulumi.ToStringArray([]string{"SNAPSHOT"}),
			SelectionWindowDays: pulumi.Int(7),
		},
		Tags: b.dep.Tags.For(core.AWS),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	_, err = backup.NewRestoreTestingSelection(b.ctx, b.name, &backup.RestoreTestingSelectionArgs{
		Name:                   pulumi.String("database"),
		RestoreTestingPlanName: plan.Name,
		ProtectedResourceType:  pulumi.String("RDS"),
		ProtectedResourceArns:  pulumi.StringArray{b.a.Database},
		IamRoleArn:             role.Arn,
		ValidationWindowHours:  pulumi.Int(restoreValidationHours),
	}, b.opts(site)...)
	return plan, err
}

// awsReports delivers Backup Audit Manager's daily job reports (JSON and
// CSV) into a report bucket of their own: private, versioned, TLS-only,
// under the backup key (which the reports' service-linked role may use
// through a grant), each report kept for the retention. Backup Audit
// Manager writes as its service-linked role AWSServiceRoleForBackupReports,
// which the bucket policy alone lets put objects.
// https://docs.aws.amazon.com/aws-backup/latest/devguide/create-report-plan-console.html
func (b *builder) awsReports() (*s3.BucketV2, error) {
	site := b.dep.Primary
	bucket, err := s3.NewBucketV2(b.ctx, b.name+"-reports", &s3.BucketV2Args{
		Bucket:       pulumi.String(b.dep.NameWithin(63, "backup", "reports", site.Short())),
		ForceDestroy: pulumi.Bool(b.dep.Environment == core.Dev),
		Tags:         b.dep.Tags.For(core.AWS),
	}, b.opts(site, b.dep.Protect())...)
	if err != nil {
		return nil, err
	}
	ready, err := b.awsReportGuards(bucket)
	if err != nil {
		return nil, err
	}
	var plans []pulumi.Resource
	for _, what := range []string{"restore-jobs", "backup-jobs"} {
		p, err := backup.NewReportPlan(b.ctx, b.name+"-"+what, &backup.ReportPlanArgs{
			Name:        pulumi.String(strings.ReplaceAll(b.dep.NameWithin(256, "db", what), "-", "_")),
			Description: pulumi.String("Daily AWS Backup " + what + " report of " + b.dep.Stack),
			ReportDeliveryChannel: &backup.ReportPlanReportDeliveryChannelArgs{
				S3BucketName: bucket.Bucket,
				S3KeyPrefix:  pulumi.String(what),
				Formats:      pulumi.ToStringArray([]string{"JSON", "CSV"}),
			},
			ReportSetting: &backup.ReportPlanReportSettingArgs{ReportTemplate: pulumi.String(reportTemplates[what])},
			Tags:          b.dep.Tags.For(core.AWS),
		}, b.opts(site, pulumi.DependsOn(ready))...)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	_, err = kms.NewGrant(b.ctx, b.name+"-reports", &kms.GrantArgs{
		Name:             pulumi.String(b.dep.Name("backup-reports")),
		KeyId:            b.a.Key.ID,
		GranteePrincipal: pulumi.Sprintf("%s", reportsRole(b.a.Database)),
		Operations:       pulumi.ToStringArray([]string{"GenerateDataKey", "Encrypt", "Decrypt", "DescribeKey"}),
	}, b.opts(site, pulumi.DependsOn(plans))...)
	return bucket, err
}

// reportsRole is Backup Audit Manager's service-linked role in the
// database's account (AWS creates it with the first report plan).
func reportsRole(db pulumi.StringOutput) pulumi.StringOutput {
	return db.ApplyT(func(arn string) string {
		account := ""
		if parts := strings.SplitN(arn, ":", 6); len(parts) > 4 {
			account = parts[4]
		}
		return "arn:aws:iam::" + account + ":role/aws-service-role/reports.backup.amazonaws.com/AWSServiceRoleForBackupReports"
	}).(pulumi.StringOutput)
}

// awsReportGuards make the report bucket owner-enforced, private,
// versioned, encrypted with the backup key, reports expiring at the
// retention, and writable only over TLS and only by the reports role.
func (b *builder) awsReportGuards(bucket *s3.BucketV2) ([]pulumi.Resource, error) {
	site := b.dep.Primary
	opts := b.opts(site, pulumi.DependsOn([]pulumi.Resource{bucket}))
	name := b.name + "-reports"
	var ready []pulumi.Resource
	add := func(r pulumi.Resource, err error) error {
		ready = append(ready, r)
		return err
	}
	for _, step := range []func() error{
		func() error {
			return add(s3.NewBucketOwnershipControls(b.ctx, name, &s3.BucketOwnershipControlsArgs{Bucket: bucket.ID(),
				Rule: &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")}}, opts...))
		},
		func() error {
			return add(s3.NewBucketPublicAccessBlock(b.ctx, name, &s3.BucketPublicAccessBlockArgs{Bucket: bucket.ID(),
				BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true), IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true)}, opts...))
		},
		func() error {
			return add(s3.NewBucketVersioningV2(b.ctx, name, &s3.BucketVersioningV2Args{Bucket: bucket.ID(),
				VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")}}, opts...))
		},
		func() error {
			return add(s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{Bucket: bucket.ID(),
				Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
					ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
						SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: b.a.Key.ID},
					BucketKeyEnabled: pulumi.Bool(true),
				}}}, opts...))
		},
		func() error {
			return add(s3.NewBucketLifecycleConfigurationV2(b.ctx, name, &s3.BucketLifecycleConfigurationV2Args{Bucket: bucket.ID(),
				Rules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
					Id: pulumi.String("reports-expire"), Status: pulumi.String("Enabled"),
					Filter:                      &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
					Expiration:                  &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(b.retention())},
					NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(1)},
				}}}, opts...))
		},
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	policy := pulumi.All(bucket.Arn, reportsRole(b.a.Database)).ApplyT(func(v []any) (string, error) {
		arn, role := v[0].(string), v[1].(string)
		return policy(
			map[string]any{"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": []string{arn, arn + "/*"},
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
			map[string]any{"Sid": "BackupAuditManagerWrites", "Effect": "Allow", "Principal": map[string]any{"AWS": role},
				"Action": "s3:PutObject", "Resource": arn + "/*"},
		)
	}).(pulumi.StringOutput)
	err := add(s3.NewBucketPolicy(b.ctx, name, &s3.BucketPolicyArgs{Bucket: bucket.ID(), Policy: policy}, b.opts(site, pulumi.DependsOn(ready))...))
	return ready, err
}
