package dbbackup

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// awsExport exports every completed daily snapshot to the db-exports bucket.
// Nothing runs on a timer of ours: AWS Backup's job-completed event starts
// the state machine, which looks up the job's recovery point (the snapshot
// ARN) and starts an RDS export task of it. Each step runs as a role that
// can do only that step:
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ExportSnapshot.html
func (b *builder) awsExport(vault *backup.Vault) (*sfn.StateMachine, error) {
	site := b.dep.Primary
	exportRole, err := b.awsRole("export", "export.rds.amazonaws.com", "RDS writes the database's snapshot export into db-exports",
		pulumi.All(b.a.Export.URL, b.a.Key.ID).ApplyT(func(v []any) (string, error) {
			bucket, key := v[0].(string), v[1].(string)
			return policy(
				map[string]any{"Effect": "Allow", "Action": []string{"s3:ListBucket", "s3:GetBucketLocation"}, "Resource": bucket},
				map[string]any{"Effect": "Allow", "Action": []string{"s3:PutObject*", "s3:GetObject*", "s3:DeleteObject*"}, "Resource": bucket + "/" + exportPrefix + "/*"},
				map[string]any{"Effect": "Allow", "Action": []string{"kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"}, "Resource": key,
					"Condition": map[string]any{"StringLike": map[string]any{"kms:ViaService": "s3." + site.Region + ".amazonaws.com"}}},
			)
		}).(pulumi.StringOutput))
	if err != nil {
		return nil, err
	}
	runner, err := b.awsRole("export-runner", "states.amazonaws.com", "Step Functions starts the database's daily snapshot export",
		pulumi.All(b.a.Database, exportRole.Arn, b.a.Key.ID).ApplyT(func(v []any) (string, error) {
			db, role, key := v[0].(string), v[1].(string), v[2].(string)
			return policy(
				// DescribeBackupJob has no resource-level permissions.
				map[string]any{"Effect": "Allow", "Action": "backup:DescribeBackupJob", "Resource": "*"},
				map[string]any{"Effect": "Allow", "Action": "rds:StartExportTask", "Resource": snapshotsOf(db)},
				map[string]any{"Effect": "Allow", "Action": "iam:PassRole", "Resource": role,
					"Condition": map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "export.rds.amazonaws.com"}}},
				map[string]any{"Effect": "Allow", "Action": []string{"kms:CreateGrant", "kms:DescribeKey"}, "Resource": key},
			)
		}).(pulumi.StringOutput))
	if err != nil {
		return nil, err
	}
	machine, err := sfn.NewStateMachine(b.ctx, b.name+"-export", &sfn.StateMachineArgs{
		Name:       pulumi.String(b.dep.NameWithin(80, "db", "export")),
		RoleArn:    runner.Arn,
		Definition: pulumi.All(b.a.Export.Name, exportRole.Arn, b.a.Key.ID).ApplyT(func(v []any) (string, error) { return exportDefinition(v[0].(string), v[1].(string), v[2].(string)) }).(pulumi.StringOutput),
		Tags:       b.dep.Tags.For(core.AWS),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	return machine, b.awsExportTrigger(machine)
}

// snapshotsOf is the ARN pattern of the snapshots AWS Backup takes of the
// instance dbArn (arn:aws:rds:REGION:ACCOUNT:db:NAME).
func snapshotsOf(dbArn string) string {
	parts := strings.SplitN(dbArn, ":", 7)
	if len(parts) < 5 {
		return dbArn
	}
	return strings.Join(parts[:5], ":") + ":snapshot:awsbackup:*"
}

// exportDefinition is the state machine: find the completed job's recovery
// point, export it. The export task id is the job's id, so a retried
// event cannot start a second export of the same snapshot.
func exportDefinition(bucket, role, key string) (string, error) {
	retry := []any{map[string]any{"ErrorEquals": []string{"States.TaskFailed"}, "IntervalSeconds": 60, "MaxAttempts": 3, "BackoffRate": 2}}
	return mustJSONErr(map[string]any{
		"Comment": "Export the database's completed daily AWS Backup snapshot to db-exports",
		"StartAt": "RecoveryPoint",
		"States": map[string]any{
			"RecoveryPoint": map[string]any{
				"Type":           "Task",
				"Resource":       "arn:aws:states:::aws-sdk:backup:describeBackupJob",
				"Parameters":     map[string]any{"BackupJobId.$": "$.detail.backupJobId"},
				"ResultSelector": map[string]any{"snapshot.$": "$.RecoveryPointArn", "job.$": "$.BackupJobId"},
				"Retry":          retry,
				"Next":           "Export",
			},
			"Export": map[string]any{
				"Type":     "Task",
				"Resource": "arn:aws:states:::aws-sdk:rds:startExportTask",
				"Parameters": map[string]any{
					"ExportTaskIdentifier.$": "States.Format('db-{}', $.job)",
					"SourceArn.$":            "$.snapshot",
					"S3BucketName":           bucket,
					"S3Prefix":               exportPrefix,
					"IamRoleArn":             role,
					"KmsKeyId":               key,
				},
				"Retry": retry,
				"End":   true,
			},
		},
	})
}

func mustJSONErr(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// awsExportTrigger starts machine on every completed backup job of the
// instance (AWS Backup's own "Backup Job State Change" event):
// https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html
func (b *builder) awsExportTrigger(machine *sfn.StateMachine) error {
	site := b.dep.Primary
	role, err := b.awsRole("export-trigger", "events.amazonaws.com", "EventBridge starts the database's snapshot export",
		machine.Arn.ApplyT(func(arn string) (string, error) {
			return policy(map[string]any{"Effect": "Allow", "Action": "states:StartExecution", "Resource": arn})
		}).(pulumi.StringOutput))
	if err != nil {
		return err
	}
	rule, err := cloudwatch.NewEventRule(b.ctx, b.name+"-export", &cloudwatch.EventRuleArgs{
		Name:        pulumi.String(b.dep.NameWithin(64, "db", "backup", "completed")),
		Description: pulumi.String("A daily backup of the database completed: export it to db-exports"),
		EventPattern: b.a.Database.ApplyT(func(db string) string {
			return mustJSON(map[string]any{
				"source": []string{"aws.backup"}, "detail-type": []string{"Backup Job State Change"},
				"detail": map[string]any{"state": []string{"COMPLETED"}, "resourceArn": []string{db}},
			})
		}).(pulumi.StringOutput),
		Tags: b.dep.Tags.For(core.AWS),
	}, b.opts(site)...)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewEventTarget(b.ctx, b.name+"-export", &cloudwatch.EventTargetArgs{
		Rule:    rule.Name,
		Arn:     machine.Arn,
		RoleArn: role.Arn,
	}, b.opts(site)...)
	return err
}

// awsRole is a role service assumes, named for what, with one inline policy.
func (b *builder) awsRole(what, service, description string, doc pulumi.StringOutput) (*iam.Role, error) {
	site := b.dep.Primary
	role, err := iam.NewRole(b.ctx, b.name+"-"+what, &iam.RoleArgs{
		Name:             pulumi.String(b.dep.NameWithin(64, "db", what)),
		Description:      pulumi.String(description),
		AssumeRolePolicy: pulumi.String(trust(service)),
		Tags:             b.dep.Tags.For(core.AWS),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	_, err = iam.NewRolePolicy(b.ctx, b.name+"-"+what, &iam.RolePolicyArgs{Role: role.ID(), Policy: doc}, b.opts(site)...)
	return role, err
}
