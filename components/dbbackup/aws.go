package dbbackup

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// lockGraceDays is how long a compliance vault lock can still be removed
// after it is set (AWS Backup's "cooling-off" ChangeableForDays, minimum 3):
// after that nobody can delete a recovery point early or shorten retention.
// https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
const lockGraceDays = 3

// aws is the database's copies on AWS:
//   - an AWS Backup vault under the backup key, locked (compliance in prod,
//     governance elsewhere) so recovery points live exactly RetentionDays;
//   - a backup plan taking a daily snapshot of the RDS instance, with a
//     copy rule into a second locked vault in the DR region (DR backup key);
//   - when each daily backup job completes, an EventBridge rule starts a
//     Step Functions state machine (AWS SDK integration) that exports the
//     new snapshot to the db-exports bucket as Parquet under the backup key
//     (rds:StartExportTask), so the buckets' replication and offsite
//     transfer carry it on.
func (b *builder) aws() (outputs, error) {
	primary := b.dep.Primary
	vault, err := b.awsVault(b.name, primary, b.a.Key)
	if err != nil {
		return outputs{}, err
	}
	out := outputs{vault: vault.Name, schedule: pulumi.String(b.awsSchedule()).ToStringOutput()}
	var drVault *backup.Vault
	if dr := b.dep.DR; dr != nil {
		if drVault, err = b.awsVault(b.name+"-dr", *dr, b.a.DRKey); err != nil {
			return out, err
		}
		out.drVault = drVault.Arn
	}
	role, err := b.awsBackupRole()
	if err != nil {
		return out, err
	}
	if err := b.awsPlan(vault, drVault, role); err != nil {
		return out, err
	}
	if b.dep.IsProd() {
		plan, err := b.awsRestoreTesting(vault, role)
		if err != nil {
			return out, err
		}
		reports, err := b.awsReports()
		if err != nil {
			return out, err
		}
		out.restoreTests, out.reports = plan.Arn, reports.Bucket
	}
	machine, err := b.awsExport(vault)
	if err != nil {
		return out, err
	}
	out.jobIdentity = role.Arn
	out.exportPath = pulumi.Sprintf("s3://%s/%s/", b.a.Export.Name, exportPrefix)
	if b.a.Alerts != nil {
		if err := b.awsAlarms(vault, machine); err != nil {
			return out, err
		}
	}
	return out, nil
}

// awsSchedule is the backup rule's daily cron expression.
func (b *builder) awsSchedule() string { return fmt.Sprintf("cron(0 %d * * ? *)", b.hour()) }

// awsVault is a vault at site under key, locked for exactly the retention:
// the lock's minimum and maximum are both RetentionDays, so no recovery
// point can be deleted earlier or kept longer than stated.
func (b *builder) awsVault(name string, site core.Site, key *core.Key) (*backup.Vault, error) {
	vault, err := backup.NewVault(b.ctx, name, &backup.VaultArgs{
		Name:         pulumi.String(b.dep.Name("db", site.Short())),
		KmsKeyArn:    key.ID,
		ForceDestroy: pulumi.Bool(b.dep.Environment == core.Dev),
		Tags:         b.dep.Tags.For(core.AWS),
	}, b.opts(site, b.dep.Protect())...)
	if err != nil {
		return nil, err
	}
	lock := &backup.VaultLockConfigurationArgs{
		BackupVaultName:  vault.Name,
		MinRetentionDays: pulumi.Int(b.retention()),
		MaxRetentionDays: pulumi.Int(b.retention()),
	}
	if Locked(b.dep.Environment) {
		lock.ChangeableForDays = pulumi.Int(lockGraceDays)
	}
	_, err = backup.NewVaultLockConfiguration(b.ctx, name, lock, b.opts(site, b.dep.Protect())...)
	return vault, err
}

// awsBackupRole is the role AWS Backup runs the plan's jobs as: the
// service's own managed policies for backing up and restoring, nothing else.
func (b *builder) awsBackupRole() (*iam.Role, error) {
	site := b.dep.Primary
	role, err := iam.NewRole(b.ctx, b.name+"-backup", &iam.RoleArgs{
		Name:             pulumi.String(b.dep.NameWithin(64, "db", "backup")),
		Description:      pulumi.String("AWS Backup copies the database into the backup vaults"),
		AssumeRolePolicy: pulumi.String(trust("backup.amazonaws.com")),
		Tags:             b.dep.Tags.For(core.AWS),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	for _, p := range []string{"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"} {
		if _, err := iam.NewRolePolicyAttachment(b.ctx, b.name+"-"+strings.ToLower(p[len("AWSBackupServiceRolePolicyFor"):]), &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String("arn:aws:iam::aws:policy/service-role/" + p),
		}, b.opts(site)...); err != nil {
			return nil, err
		}
	}
	return role, nil
}

// awsPlan backs the instance up daily into vault, each recovery point
// deleted after exactly RetentionDays, and copies it to drVault (nil: no
// DR site) with the same lifetime.
func (b *builder) awsPlan(vault, drVault *backup.Vault, role *iam.Role) error {
	site := b.dep.Primary
	life := &backup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(b.retention())}
	rule := &backup.PlanRuleArgs{
		RuleName:         pulumi.String("daily"),
		TargetVaultName:  vault.Name,
		Schedule:         pulumi.String(b.awsSchedule()),
		StartWindow:      pulumi.Int(60),
		CompletionWindow: pulumi.Int(240),
		Lifecycle:        life,
	}
	if drVault != nil {
		rule.CopyActions = backup.PlanRuleCopyActionArray{&backup.PlanRuleCopyActionArgs{
			DestinationVaultArn: drVault.Arn,
			Lifecycle:           &backup.PlanRuleCopyActionLifecycleArgs{DeleteAfter: pulumi.Int(b.retention())},
		}}
	}
	plan, err := backup.NewPlan(b.ctx, b.name, &backup.PlanArgs{
		Name:  pulumi.String(b.dep.Name("db", "daily")),
		Rules: backup.PlanRuleArray{rule},
		Tags:  b.dep.Tags.For(core.AWS),
	}, b.opts(site)...)
	if err != nil {
		return err
	}
	_, err = backup.NewSelection(b.ctx, b.name, &backup.SelectionArgs{
		Name:       pulumi.String(b.dep.NameWithin(50, "db")),
		PlanId:     plan.ID(),
		IamRoleArn: role.Arn,
		Resources:  pulumi.StringArray{b.a.Database},
	}, b.opts(site)...)
	return err
}

// trust is a role trust policy for an AWS service principal.
func trust(service string) string {
	return mustJSON(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": service}, "Action": "sts:AssumeRole",
	}}})
}

// policy is an IAM policy document of statements.
func policy(statements ...map[string]any) (string, error) {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(b), err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// awsAlarms raise when a backup or copy job fails (AWS Backup's own job
// metrics) and when the export state machine fails.
func (b *builder) awsAlarms(vault *backup.Vault, machine *sfn.StateMachine) error {
	site := b.dep.Primary
	actions := b.a.Alerts.Actions()
	type alarm struct {
		key, namespace, metric string
		dims                   pulumi.StringMap
	}
	for _, a := range []alarm{
		{alarmBackupFailed, "AWS/Backup", "NumberOfBackupJobsFailed", pulumi.StringMap{"BackupVaultName": vault.Name, "ResourceType": pulumi.String("RDS")}},
		{alarmCopyFailed, "AWS/Backup", "NumberOfCopyJobsFailed", pulumi.StringMap{"BackupVaultName": vault.Name, "ResourceType": pulumi.String("RDS")}},
		{alarmExportFailed, "AWS/States", "ExecutionsFailed", pulumi.StringMap{"StateMachineArn": machine.Arn}},
	} {
		if _, err := cloudwatch.NewMetricAlarm(b.ctx, b.name+"-"+a.key, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(b.dep.NameWithin(255, "db", a.key)),
			AlarmDescription:   pulumi.String(b.alarmDescription(a.key)),
			Namespace:          pulumi.String(a.namespace),
			MetricName:         pulumi.String(a.metric),
			Dimensions:         a.dims,
			Statistic:          pulumi.String("Sum"),
			Period:             pulumi.Int(3600),
			EvaluationPeriods:  pulumi.Int(1),
			Threshold:          pulumi.Float64(0),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"),
			TreatMissingData:   pulumi.String("notBreaching"),
			AlarmActions:       actions,
			OkActions:          actions,
		}, b.opts(site)...); err != nil {
			return err
		}
	}
	return nil
}
