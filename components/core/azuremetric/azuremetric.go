// Package azuremetric is the one Azure Monitor metric alert every component
// raises: a static threshold on one metric of one resource, notifying the
// stack's action groups. Components say what to watch; this says how Azure
// takes it.
package azuremetric

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Alert is what a component watches.
type Alert struct {
	// Key is the alarm's name within the component; it names the criterion.
	Key string
	// RuleName is the alert rule's name in Azure.
	RuleName    string
	Description string
	// Severity is 0 (critical) to 4 (verbose).
	Severity int
	Scope    pulumi.StringInput
	// Namespace is the metric namespace; empty for the resource's default.
	Namespace  string
	Metric     string
	Dimensions map[string][]string
	// Operator: GreaterThan, GreaterThanOrEqual, LessThan, ...
	Operator    string
	Threshold   float64
	Aggregation string
	// Frequency and Window are ISO 8601 durations (PT5M, PT1H).
	Frequency, Window string
}

// New creates a as an alert rule in the deployment's primary resource
// group, notifying to.
func New(ctx *pulumi.Context, name string, dep core.Deployment, to *core.AlertTarget, a Alert, opts ...pulumi.ResourceOption) error {
	criterion := insights.MetricCriteriaArgs{
		CriterionType:   pulumi.String("StaticThresholdCriterion"),
		Name:            pulumi.String(a.Key),
		MetricName:      pulumi.String(a.Metric),
		Operator:        pulumi.String(a.Operator),
		Threshold:       pulumi.Float64(a.Threshold),
		TimeAggregation: pulumi.String(a.Aggregation),
	}
	if a.Namespace != "" {
		criterion.MetricNamespace = pulumi.String(a.Namespace)
	}
	var dims insights.MetricDimensionArray
	for _, dim := range slices.Sorted(maps.Keys(a.Dimensions)) {
		dims = append(dims, insights.MetricDimensionArgs{
			Name: pulumi.String(dim), Operator: pulumi.String("Include"), Values: pulumi.ToStringArray(a.Dimensions[dim]),
		})
	}
	if len(dims) > 0 {
		criterion.Dimensions = dims
	}
	_, err := insights.NewMetricAlert(ctx, name, &insights.MetricAlertArgs{
		RuleName:            pulumi.String(a.RuleName),
		ResourceGroupName:   dep.Primary.AzureResourceGroup,
		Location:            pulumi.String("global"),
		Description:         pulumi.String(a.Description),
		Enabled:             pulumi.Bool(true),
		Severity:            pulumi.Int(a.Severity),
		Scopes:              pulumi.StringArray{a.Scope},
		EvaluationFrequency: pulumi.String(a.Frequency),
		WindowSize:          pulumi.String(a.Window),
		Criteria: insights.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
			OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
			AllOf:     insights.MetricCriteriaArray{criterion},
		},
		Actions: Actions(to),
		Tags:    dep.Tags.For(core.Azure),
	}, opts...)
	return err
}

// Actions are the target's action groups in the form Azure alert rules take.
func Actions(to *core.AlertTarget) insights.MetricAlertActionArrayOutput {
	return to.IDs.ApplyT(func(ids []string) []insights.MetricAlertAction {
		out := make([]insights.MetricAlertAction, len(ids))
		for i := range ids {
			out[i] = insights.MetricAlertAction{ActionGroupId: &ids[i]}
		}
		return out
	}).(insights.MetricAlertActionArrayOutput)
}

// LogicRunsFailed is the alert of a Logic App whose run failed (metric
// RunsFailed over six hours, severity 1): a scheduled job that did not do
// its work.
// https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-logic-workflows-metrics
func LogicRunsFailed(ruleName, description string, workflow pulumi.StringInput) Alert {
	return Alert{
		Key:         "runs-failed",
		RuleName:    ruleName,
		Description: description,
		Severity:    1,
		Scope:       workflow,
		Namespace:   "Microsoft.Logic/workflows",
		Metric:      "RunsFailed",
		Operator:    "GreaterThan",
		Threshold:   0,
		Aggregation: "Total",
		Frequency:   "PT1H",
		Window:      "PT6H",
	}
}
