package backupbucket

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/logging"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/pubsub"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// offsiteAlarms raise, at the offsite site and to its alert target: no
// copy arrived in the offsite bucket in a day; a transfer run failed or
// was aborted (the job's own notifications to topic); and (a copy read
// with a SAS) the SAS was not rotated.
func (b *builder) offsiteAlarms(dst *storage.Bucket, topic *pubsub.Topic) error {
	if b.offAlerts == nil {
		return nil
	}
	off, name := *b.offsite, b.name+"-offsite"
	if err := b.gcsFreshnessAlertAt(off, b.offAlerts, name, "offsite copy", dst); err != nil {
		return err
	}
	failed := pulumi.Sprintf(`resource.type = "pubsub_topic" AND resource.labels.topic_id = "%s" AND `+
		`metric.type = "pubsub.googleapis.com/topic/send_message_operation_count"`, topic.Name)
	if err := b.offsiteAlert(b.name+"-"+alarmOffsiteFailed, alarmOffsiteFailed,
		fmt.Sprintf("%s: the offsite copy of %s backups failed", b.dep.Stack, b.purpose),
		"failure notifications published > 0", failed, 300, "COMPARISON_GT", 0, "EVALUATION_MISSING_DATA_INACTIVE"); err != nil {
		return err
	}
	if b.offCredential == (pulumi.StringOutput{}) {
		return nil // S3 is read through a federated role: no secret to age
	}
	return b.offsiteSASAgeAlarm(name)
}

// offsiteSASAgeAlarm counts new versions of the SAS secret (Secret
// Manager's AddSecretVersion is an Admin Activity audit log, always on)
// and raises when none was added in BackupMaxAgeHours: the rotation runs
// twice a day, so one missed run stays quiet and the SAS still has days.
func (b *builder) offsiteSASAgeAlarm(name string) error {
	off := *b.offsite
	metric, err := logging.NewMetric(b.ctx, name+"-sas-rotated", &logging.MetricArgs{
		Name:    pulumi.String(b.dep.Name("backup", b.purpose, "offsite-sas-rotated")),
		Project: pulumi.StringPtrFromPtr(project(off)),
		Filter: b.offCredential.ApplyT(func(id string) string {
			return fmt.Sprintf(`protoPayload.serviceName="secretmanager.googleapis.com" AND `+
				`protoPayload.methodName="google.cloud.secretmanager.v1.SecretManagerService.AddSecretVersion" AND `+
				`protoPayload.resourceName=~"/secrets/%s(/versions/[0-9]+)?$"`, secretName(id))
		}).(pulumi.StringOutput),
		Description: pulumi.String("new versions of the offsite copy's read SAS for " + b.purpose + " backups"),
		MetricDescriptor: &logging.MetricMetricDescriptorArgs{
			MetricKind: pulumi.String("DELTA"),
			ValueType:  pulumi.String("INT64"),
		},
	}, b.opts(off)...)
	if err != nil {
		return err
	}
	hours := b.offAlerts.Limits().BackupMaxAgeHours
	return b.offsiteAlert(b.name+"-"+alarmOffsiteSASAge, alarmOffsiteSASAge,
		fmt.Sprintf("%s: the offsite %s SAS was not rotated in %d hours", b.dep.Stack, b.purpose, hours),
		fmt.Sprintf("SAS versions added in the last %d hours < 1", hours),
		pulumi.Sprintf(`metric.type = "logging.googleapis.com/user/%s"`, metric.Name), hours*3600, "COMPARISON_LT", 1, "EVALUATION_MISSING_DATA_ACTIVE")
}

// offsiteAlert is one threshold alert policy at the offsite site: the sum
// of filter's series over periodSeconds compared with threshold.
func (b *builder) offsiteAlert(name, key, title, condition string, filter pulumi.StringOutput, periodSeconds int, comparison string, threshold float64, missing string) error {
	off := *b.offsite
	_, err := monitoring.NewAlertPolicy(b.ctx, name, &monitoring.AlertPolicyArgs{
		DisplayName: pulumi.String(title),
		Project:     pulumi.StringPtrFromPtr(project(off)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{&monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String(condition),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter: filter,
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{&monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod:    pulumi.String(fmt.Sprintf("%ds", periodSeconds)),
					PerSeriesAligner:   pulumi.String("ALIGN_SUM"),
					CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
				}},
				Comparison:            pulumi.String(comparison),
				ThresholdValue:        pulumi.Float64(threshold),
				Duration:              pulumi.String("0s"),
				EvaluationMissingData: pulumi.String(missing),
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(b.alarmDescription(key, b.offAlerts.Limits())), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: b.offAlerts.IDs,
	}, b.opts(off)...)
	return err
}
