package alerting

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// awsPublishers are the services that publish to the topics: CloudWatch
// alarms, EventBridge rules (key and secret events), RDS event
// subscriptions (backup failures) and AWS Budgets.
var awsPublishers = []string{"cloudwatch.amazonaws.com", "events.amazonaws.com", "events.rds.amazonaws.com", "budgets.amazonaws.com"}

// aws makes an SNS topic for the receivers and, in prod, a second one for
// the wedding-day escalation. Both are encrypted with a customer-managed
// key of their own: the publishers need to use the key, and the stack's
// data keys must not grant CloudWatch or Budgets anything. Neither SNS nor
// CloudWatch can route by time, so every alarm notifies both topics and
// the escalation topic's name and display name say what it is.
func (b *targetBuilder) aws() (targetOutputs, error) {
	dep := b.a.Deployment
	caller, err := aws.GetCallerIdentity(b.ctx, nil, pulumi.Provider(dep.Primary.Provider))
	if err != nil {
		return targetOutputs{}, err
	}
	key, err := b.awsKey(caller.AccountId)
	if err != nil {
		return targetOutputs{}, err
	}
	return b.bothLists(core.AWS, func(prefix, label string, rs []Receiver, escalation bool) (pulumi.StringArrayOutput, error) {
		physical := dep.Name("alerts")
		if escalation {
			physical = dep.Name("alerts", "wedding-day-escalation")
		}
		return b.awsTopic(prefix, physical, label, rs, key, caller.AccountId)
	})
}

// awsKey is the topics' key: administered by the account, usable by the
// publishers of this account only.
func (b *targetBuilder) awsKey(account string) (*kms.Key, error) {
	dep := b.a.Deployment
	keyPolicy, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid": "AccountAdministers", "Effect": "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"},
				"Action":    "kms:*", "Resource": "*",
			},
			map[string]any{
				"Sid": "PublishersEncrypt", "Effect": "Allow",
				"Principal": map[string]any{"Service": awsPublishers},
				"Action":    []string{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
			},
		},
	})
	if err != nil {
		return nil, err
	}
	key, err := kms.NewKey(b.ctx, b.name, &kms.KeyArgs{
		Description:          pulumi.String(dep.Name("alerts") + ": encrypts the alert topics"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               pulumi.String(string(keyPolicy)),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(b.ctx, b.name, &kms.AliasArgs{Name: pulumi.String("alias/" + dep.Name("alerts")), TargetKeyId: key.KeyId}, b.opts()...); err != nil {
		return nil, err
	}
	return key, nil
}

// awsTopic makes one topic (logical name, physical name, display name)
// that this account's publishers may publish to, subscribing receivers.
func (b *targetBuilder) awsTopic(logical, physical, display string, receivers []Receiver, key *kms.Key, account string) (pulumi.StringArrayOutput, error) {
	tp, err := sns.NewTopic(b.ctx, logical, &sns.TopicArgs{
		Name:           pulumi.String(physical),
		DisplayName:    pulumi.String(display),
		KmsMasterKeyId: key.Arn,
	}, b.opts()...)
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	policy := tp.Arn.ApplyT(func(arn string) (string, error) {
		doc, err := json.Marshal(map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid": "PublishersPublish", "Effect": "Allow",
				"Principal": map[string]any{"Service": awsPublishers},
				"Action":    "sns:Publish", "Resource": arn,
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
			}},
		})
		return string(doc), err
	}).(pulumi.StringOutput)
	if _, err := sns.NewTopicPolicy(b.ctx, logical, &sns.TopicPolicyArgs{Arn: tp.Arn, Policy: policy}, b.opts()...); err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	for _, r := range receivers {
		protocol, endpoint := "email", pulumi.String(r.Email).ToStringOutput()
		if r.Webhook != "" {
			protocol, endpoint = "https", secretURL(r.Webhook)
		}
		if _, err := sns.NewTopicSubscription(b.ctx, logical+"-"+r.Name, &sns.TopicSubscriptionArgs{
			Topic:    tp.Arn,
			Protocol: pulumi.String(protocol),
			Endpoint: endpoint,
		}, b.opts()...); err != nil {
			return pulumi.StringArrayOutput{}, err
		}
	}
	return pulumi.StringArray{tp.Arn}.ToStringArrayOutput(), nil
}

// aws makes one monthly cost budget for the stack's resources (by their
// stack tag, which must be an activated cost allocation tag), with a planned
// limit per month for the next twelve: the peak amount in peak months.
// AWS Budgets notify one SNS topic per notification: the receivers' topic.
func (b *budgetBuilder) aws() (budgetOutputs, error) {
	dep, s := b.a.Deployment, b.a.Settings
	var limits budgets.BudgetPlannedLimitArray
	var lines []string
	for _, m := range b.months {
		amount := fmt.Sprintf("%.2f", s.amountFor(m.peak))
		limits = append(limits, budgets.BudgetPlannedLimitArgs{
			StartTime: pulumi.String(m.start.Format(awsBudgetTime)),
			Amount:    pulumi.String(amount),
			Unit:      pulumi.String("USD"),
		})
		lines = append(lines, fmt.Sprintf("%s: %s USD", m.start.Format("2006-01"), amount))
	}
	topic := b.a.Notify.ApplyT(func(ids []string) []string {
		if len(ids) == 0 {
			return nil
		}
		return ids[:1]
	}).(pulumi.StringArrayOutput)
	var ns budgets.BudgetNotificationArray
	for _, n := range notices {
		kind := "ACTUAL"
		if n.forecast {
			kind = "FORECASTED"
		}
		ns = append(ns, budgets.BudgetNotificationArgs{
			ComparisonOperator:     pulumi.String("GREATER_THAN"),
			NotificationType:       pulumi.String(kind),
			Threshold:              pulumi.Float64(n.percent),
			ThresholdType:          pulumi.String("PERCENTAGE"),
			SubscriberSnsTopicArns: topic,
		})
	}
	_, err := budgets.NewBudget(b.ctx, b.name, &budgets.BudgetArgs{
		Name:            pulumi.String(dep.Name("monthly")),
		BudgetType:      pulumi.String("COST"),
		TimeUnit:        pulumi.String("MONTHLY"),
		TimePeriodStart: pulumi.String(b.months[0].start.Format(awsBudgetTime)),
		PlannedLimits:   limits,
		CostFilters: budgets.BudgetCostFilterArray{budgets.BudgetCostFilterArgs{
			Name:   pulumi.String("TagKeyValue"),
			Values: pulumi.StringArray{pulumi.String("user:stack$" + dep.Stack)},
		}},
		Notifications: ns,
	}, b.opts()...)
	return budgetOutputs{amounts: lines}, err
}

// awsBudgetTime is how AWS Budgets write instants.
const awsBudgetTime = "2006-01-02_15:04"

// awsDashboard is the CloudWatch dashboard body: one metric widget per panel.
func awsDashboard(dep core.Deployment, w watched) map[string]any {
	region := dep.Primary.Region
	db := func(metric string) []any { return []any{"AWS/RDS", metric, "DBInstanceIdentifier", w.database} }
	asg := func(ns, metric string) []any { return []any{ns, metric, "AutoScalingGroupName", w.group} }
	metrics := map[panel][]any{
		dbSaturation:  {db("CPUUtilization"), db("FreeStorageSpace")},
		dbTraffic:     {db("DatabaseConnections")},
		dbLatency:     {db("ReadLatency"), db("WriteLatency")},
		groupCapacity: {asg("AWS/AutoScaling", "GroupDesiredCapacity"), asg("AWS/AutoScaling", "GroupInServiceInstances"), asg("AWS/AutoScaling", "GroupMaxSize")},
		groupCPU:      {asg("AWS/EC2", "CPUUtilization")},
	}
	// Each read replica's ReplicaLag, what its lag alarm reads (a Multi-AZ
	// standby publishes no lag metric).
	for _, r := range w.replicas {
		metrics[dbLatency] = append(metrics[dbLatency], []any{"AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", r})
	}
	for _, b := range w.buckets {
		metrics[backupWrites] = append(metrics[backupWrites], []any{"AWS/S3", "PutRequests", "BucketName", b, "FilterId", "all-requests"})
	}
	awsTrafficMetrics(metrics, w.lb)
	var widgets []any
	for i, p := range w.shown() {
		period, stat := 300, "Average"
		switch p {
		case backupWrites, lbBudget:
			period, stat = 86400, "Sum"
		case lbRequests, lbErrors:
			stat = "Sum"
		case lbLatency:
			stat = "p99"
		}
		widgets = append(widgets, map[string]any{
			"type": "metric", "x": (i % 2) * 12, "y": (i / 2) * 6, "width": 12, "height": 6,
			"properties": map[string]any{"title": string(p), "region": region, "metrics": metrics[p], "period": period, "stat": stat, "view": "timeSeries"},
		})
	}
	return map[string]any{"widgets": widgets}
}

// awsTrafficMetrics are the ALB's panels: requests, 5xx (the ALB's and
// the targets'), p99 target response time, and availability per day as
// metric math (100 - 5xx%).
func awsTrafficMetrics(metrics map[panel][]any, lb string) {
	alb := func(metric string, opts map[string]any) []any {
		return []any{"AWS/ApplicationELB", metric, "LoadBalancer", lb, opts}
	}
	hidden := func(id string) map[string]any { return map[string]any{"id": id, "visible": false} }
	metrics[lbRequests] = []any{alb("RequestCount", map[string]any{})}
	metrics[lbErrors] = []any{alb("HTTPCode_ELB_5XX_Count", map[string]any{}), alb("HTTPCode_Target_5XX_Count", map[string]any{})}
	metrics[lbLatency] = []any{alb("TargetResponseTime", map[string]any{})}
	metrics[lbBudget] = []any{
		[]any{map[string]any{"expression": "100-100*(FILL(e,0)+FILL(t,0))/r", "label": "availability % (objective 99.9)", "id": "a"}},
		alb("HTTPCode_ELB_5XX_Count", hidden("e")), alb("HTTPCode_Target_5XX_Count", hidden("t")), alb("RequestCount", hidden("r")),
	}
}

// aws makes a CloudWatch dashboard.
func (b *dashboardBuilder) aws() (dashboardOutputs, error) {
	dep := b.a.Deployment
	body := b.body(b.a.Buckets, func(w watched) any { return awsDashboard(dep, w) })
	d, err := cloudwatch.NewDashboard(b.ctx, b.name, &cloudwatch.DashboardArgs{DashboardName: pulumi.String(dep.Name()), DashboardBody: body}, b.opts()...)
	if err != nil {
		return dashboardOutputs{}, err
	}
	return dashboardOutputs{url: pulumi.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s", dep.Primary.Region, dep.Primary.Region, d.DashboardName)}, nil
}

// aws raises two CloudWatch alarms on the drill's custom metrics (namespace
// WedSync/RestoreDrill, dimension Stack), both paging the alert target: a
// failed or slow drill (metric math over the day's data; a day without a
// drill is not a failure), and a missing drill. CloudWatch evaluates at
// most seven days (Period x EvaluationPeriods <= 604,800 s, PutMetricAlarm
// in the CloudWatch API reference), so "missing" is seven daily periods in
// a row without a drill, missing data breaching: it fires at the latest
// eight days after the last drill. A composite alarm would make one of the
// two, at one more resource type: both name the runbook instead.
func (b *drillBuilder) aws() (pulumi.Map, error) {
	dep := b.a.Deployment
	actions := b.a.Alerts.Actions()
	dims := pulumi.StringMap{"Stack": pulumi.String(dep.Stack)}
	metric := func(id, name, stat string) cloudwatch.MetricAlarmMetricQueryArgs {
		return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace: pulumi.String(drillNamespace), MetricName: pulumi.String(name), Dimensions: dims,
			Period: pulumi.Int(86400), Stat: pulumi.String(stat),
		}}
	}
	rto := b.a.RTO.Seconds()
	if _, err := cloudwatch.NewMetricAlarm(b.ctx, b.name+"-failed-or-slow", &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String(dep.NameWithin(255, "restore-drill", "failed-or-slow")),
		AlarmDescription: pulumi.String(b.description("failed", fmt.Sprintf("failed, or restored slower than %.0f s", rto))),
		MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
			metric("ok", drillSucceeded, "Minimum"),
			metric("seconds", drillSeconds, "Maximum"),
			cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("bad"), Label: pulumi.String("failed or slow drill"), ReturnData: pulumi.Bool(true),
				Expression: pulumi.Sprintf("IF(ok < 1 || seconds > %.0f, 1, 0)", rto)},
		},
		EvaluationPeriods:  pulumi.Int(1),
		Threshold:          pulumi.Float64(1),
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	}, b.opts()...); err != nil {
		return nil, err
	}
	days := min(int(b.a.MissingAfter.Hours()/24)-1, 7)
	if _, err := cloudwatch.NewMetricAlarm(b.ctx, b.name+"-missing", &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(dep.NameWithin(255, "restore-drill", "missing")),
		AlarmDescription:   pulumi.String(b.description("missing", fmt.Sprintf("did not run for %d days", days))),
		Namespace:          pulumi.String(drillNamespace),
		MetricName:         pulumi.String(drillSucceeded),
		Dimensions:         dims,
		Statistic:          pulumi.String("SampleCount"),
		Period:             pulumi.Int(86400),
		EvaluationPeriods:  pulumi.Int(days),
		DatapointsToAlarm:  pulumi.Int(days),
		Threshold:          pulumi.Float64(1),
		ComparisonOperator: pulumi.String("LessThanThreshold"),
		TreatMissingData:   pulumi.String("breaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	}, b.opts()...); err != nil {
		return nil, err
	}
	return pulumi.Map{"namespace": pulumi.String(drillNamespace), "region": pulumi.String(dep.Primary.Region),
		"metrics": pulumi.ToStringArray([]string{drillSucceeded, drillSeconds})}, nil
}
