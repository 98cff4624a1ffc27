package database

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RDS events the alarms match, from the DB instance events table:
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.instance
var (
	// awsStorageEvents follow autoscaled storage: RDS grows the disk when
	// less than 10% of the allocation is free, up to maxAllocatedStorage
	// (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html),
	// so FreeStorageSpace, which is measured against the current
	// allocation, says nothing about the ceiling, and RDS publishes no
	// per-instance allocated-storage metric to do the arithmetic with.
	// These events do: 0225 storage reached 80% of the maximum, 0224 a
	// pending scale would reach the maximum, 0223 autoscaling cannot scale,
	// 0222 free storage is low enough that RDS will shut the database down,
	// 0221 it did, 0007 the allocation is consumed. (0089, 90% of the
	// allocation consumed, is left out: autoscaling acts at the same point.)
	awsStorageEvents = []string{"RDS-EVENT-0007", "RDS-EVENT-0221", "RDS-EVENT-0222", "RDS-EVENT-0223", "RDS-EVENT-0224", "RDS-EVENT-0225"}
	// awsReplicationEvents are the "read replica" category (0045 an error
	// in replication, 0057 replication terminated, 0062 stopped, 0063
	// reset, 0202 replica creation failed) and 0028, automatic backups
	// disabled, which also ends the replicated automated backups in the DR
	// region. RDS publishes no metric for the cross-region backup
	// replication (its restorable window is only read with
	// describe-db-instance-automated-backups), and no event: the events
	// table's backup category for DB instances is 0001, 0002 and 0086, and
	// "Troubleshooting stopped cross-Region automated backups"
	// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedXREGBackups.Troubleshooting.html)
	// says RDS stops the replication (a disabled key, a suspended account)
	// without naming one. Nor can a CloudWatch alarm watch it: the
	// replicated backups are read only in the DR region, and an alarm
	// notifies only an SNS topic of its own region. So
	// .github/workflows/backup-replication.yml reads them there hourly and
	// `wedsync-infra dr replication` pages when they stop or fall behind
	// the RPO (docs/runbooks/alarms/database.md, "Cross-region automated backups").
	awsReplicationEvents = []string{"RDS-EVENT-0028", "RDS-EVENT-0045", "RDS-EVENT-0057", "RDS-EVENT-0062", "RDS-EVENT-0063", "RDS-EVENT-0202"}
)

// awsMetric is one CloudWatch alarm on an RDS metric of one instance.
type awsMetric struct {
	key, metric, statistic, comparison string
	threshold                          float64
}

// awsAlarms raises CloudWatch alarms to the SNS topic(s): CPU and
// connections on the primary and every replica, each replica's lag, and
// EventBridge-matched RDS events for storage near its autoscaling ceiling
// and for broken replication. A Multi-AZ standby replicates synchronously
// at the storage layer and publishes no lag metric, so there is no lag
// alarm on the primary.
func (b *builder) awsAlarms(inst *rds.Instance, replicas []*rds.Instance) error {
	t := b.a.Alerts.Limits()
	cpu := awsMetric{alarmCPU, "CPUUtilization", "Average", "GreaterThanThreshold", t.DatabaseCPUPercent}
	conns := awsMetric{alarmConnections, "DatabaseConnections", "Maximum", "GreaterThanThreshold", b.a.connectionsAlarm(t)}
	if err := b.awsMetricAlarms("", inst, cpu, conns); err != nil {
		return err
	}
	ids := pulumi.StringArray{inst.Identifier}
	for i, r := range replicas {
		// RDS's ReplicaLag: seconds the replica's replay is behind.
		lag := awsMetric{alarmReplicationLag, "ReplicaLag", "Maximum", "GreaterThanThreshold", t.ReplicationLagSeconds}
		if err := b.awsMetricAlarms(replicaLabel(i), r, cpu, conns, lag); err != nil {
			return err
		}
		ids = append(ids, r.Identifier)
	}
	if err := b.awsEventAlarm(alarmStorage, ids, awsStorageEvents); err != nil {
		return err
	}
	if len(replicas) > 0 || b.a.crossRegion() {
		return b.awsEventAlarm(alarmReplicationEvents, ids, awsReplicationEvents)
	}
	return nil
}

// awsMetricAlarms raises each alarm on inst; label names a replica's.
func (b *builder) awsMetricAlarms(label string, inst *rds.Instance, alarms ...awsMetric) error {
	a, t := b.a, b.a.Alerts.Limits()
	actions := a.Alerts.Actions()
	for _, al := range alarms {
		key := al.key
		if label != "" {
			key = label + "-" + al.key
		}
		_, err := cloudwatch.NewMetricAlarm(b.ctx, b.name+"-"+key, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(a.Deployment.Name(b.name, key)),
			AlarmDescription:   pulumi.String(alarmDescription(al.key, t)),
			Namespace:          pulumi.String("AWS/RDS"),
			MetricName:         pulumi.String(al.metric),
			Dimensions:         pulumi.StringMap{"DBInstanceIdentifier": inst.Identifier},
			Statistic:          pulumi.String(al.statistic),
			Period:             pulumi.Int(300),
			EvaluationPeriods:  pulumi.Int(t.EvaluationMinutes / 5),
			ComparisonOperator: pulumi.String(al.comparison),
			Threshold:          pulumi.Float64(al.threshold),
			TreatMissingData:   pulumi.String("notBreaching"),
			AlarmActions:       actions,
			OkActions:          actions,
		}, b.opts(a.Deployment.Primary)...)
		if err != nil {
			return err
		}
	}
	return nil
}

// awsEventAlarm is an EventBridge rule matching events of the instances
// ids and an alarm on the rule's matches, which pages on the first.
func (b *builder) awsEventAlarm(key string, ids pulumi.StringArray, events []string) error {
	a, t := b.a, b.a.Alerts.Limits()
	opts := b.opts(a.Deployment.Primary)
	rule, err := cloudwatch.NewEventRule(b.ctx, b.name+"-"+key, &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(a.Deployment.Name(b.name, key)),
		Description:  pulumi.String("RDS events the database's " + key + " alarm counts"),
		EventPattern: ids.ToStringArrayOutput().ApplyT(func(ids []string) (string, error) { return awsEventPattern(ids, events) }).(pulumi.StringOutput),
	}, opts...)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewMetricAlarm(b.ctx, b.name+"-"+key, &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(a.Deployment.Name(b.name, key)),
		AlarmDescription:   pulumi.String(alarmDescription(key, t)),
		Namespace:          pulumi.String("AWS/Events"),
		MetricName:         pulumi.String("MatchedEvents"),
		Dimensions:         pulumi.StringMap{"RuleName": rule.Name},
		Statistic:          pulumi.String("Sum"),
		Period:             pulumi.Int(300),
		EvaluationPeriods:  pulumi.Int(1),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		Threshold:          pulumi.Float64(0),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       a.Alerts.Actions(),
	}, opts...)
	return err
}

// awsEventPattern matches the RDS DB instance events with the given ids
// from the instances ids.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-cloud-watch-events.html
func awsEventPattern(ids, events []string) (string, error) {
	out, err := json.Marshal(map[string]any{
		"source":      []string{"aws.rds"},
		"detail-type": []string{"RDS DB Instance Event"},
		"detail":      map[string]any{"SourceIdentifier": ids, "EventID": events},
	})
	return string(out), err
}
