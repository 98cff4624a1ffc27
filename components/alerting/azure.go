package alerting

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/consumption/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// AlertProcessingRuleType is the Azure Monitor alert processing rule's type
// token. The alertsmanagement SDK module is not served to this build, so
// the rule is registered by its token with the ARM shape (API 2021-08-08);
// the azure-native provider creates it the same way.
const AlertProcessingRuleType = "azure-native:alertsmanagement:AlertProcessingRule"

// alertProcessingRule is the state of a rule registered by token.
type alertProcessingRule struct{ pulumi.CustomResourceState }

// azure makes an action group for the receivers and, in prod, one for the
// escalation. Azure can route by time: an alert processing rule adds the
// escalation action group to every alert fired in the stack's resource
// groups during the wedding-day window (on the calendar's wall clock), so
// the escalation is called only then.
func (b *targetBuilder) azure() (targetOutputs, error) {
	dep := b.a.Deployment
	receivers, err := b.azureActionGroup(b.name, dep.Name("alerts"), "wedsync", b.a.Settings.Receivers)
	if err != nil {
		return targetOutputs{}, err
	}
	out := targetOutputs{receivers: receivers, escalation: none(), all: receivers, routing: b.alongside(core.Azure)}
	if !b.escalates() {
		return out, nil
	}
	out.escalation, err = b.azureActionGroup(b.name+"-wedding-day-escalation", dep.Name("alerts", "wedding-day-escalation"), "weddingday", b.a.Settings.Escalation)
	if err != nil {
		return targetOutputs{}, err
	}
	if err := b.azureEscalationRule(out.escalation); err != nil {
		return targetOutputs{}, err
	}
	cal := b.a.Calendar
	out.routing = fmt.Sprintf("alarms go to the receivers; an alert processing rule adds the %s receivers from %s to %s (%s)",
		b.escalationLabel(), cal.WeddingDays.Start, cal.WeddingDays.End, b.window.windowsZone)
	return out, nil
}

// azureActionGroup is one action group (logical, physical and short name)
// notifying receivers.
func (b *targetBuilder) azureActionGroup(logical, physical, short string, receivers []Receiver) (pulumi.StringArrayOutput, error) {
	dep := b.a.Deployment
	var emails insights.EmailReceiverArray
	var hooks insights.WebhookReceiverArray
	for _, r := range receivers {
		if r.Email != "" {
			emails = append(emails, insights.EmailReceiverArgs{Name: pulumi.String(r.Name), EmailAddress: pulumi.String(r.Email), UseCommonAlertSchema: pulumi.Bool(true)})
		} else {
			hooks = append(hooks, insights.WebhookReceiverArgs{Name: pulumi.String(r.Name), ServiceUri: secretURL(r.Webhook), UseCommonAlertSchema: pulumi.Bool(true)})
		}
	}
	ag, err := insights.NewActionGroup(b.ctx, logical, &insights.ActionGroupArgs{
		ActionGroupName:   pulumi.String(physical),
		ResourceGroupName: dep.Primary.AzureResourceGroup,
		Location:          pulumi.String("Global"),
		GroupShortName:    pulumi.String(short),
		Enabled:           pulumi.Bool(true),
		EmailReceivers:    emails,
		WebhookReceivers:  hooks,
		Tags:              dep.Tags.For(core.Azure),
	}, b.opts()...)
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	return pulumi.StringArray{ag.ID().ToStringOutput()}.ToStringArrayOutput(), nil
}

// azureEscalationRule adds the escalation action groups to every alert in
// the stack's resource groups during the wedding-day window.
func (b *targetBuilder) azureEscalationRule(escalation pulumi.StringArrayOutput) error {
	dep := b.a.Deployment
	subscription, err := azureSubscription(b.ctx, dep)
	if err != nil {
		return err
	}
	var scopes pulumi.StringArray
	for _, site := range []*core.Site{&dep.Primary, dep.DR} {
		if site != nil && site.Cloud == core.Azure {
			scopes = append(scopes, pulumi.Sprintf("/subscriptions/%s/resourceGroups/%s", subscription, site.AzureResourceGroup))
		}
	}
	var recurrences pulumi.Array
	for _, d := range b.window.days() {
		r := pulumi.Map{"recurrenceType": pulumi.String("Weekly"), "daysOfWeek": pulumi.StringArray{pulumi.String(d.weekday.String())}}
		if d.from != 0 || d.to != 24*60 {
			r["startTime"] = pulumi.String(clock(d.from))
			r["endTime"] = pulumi.String(clock(d.to))
		}
		recurrences = append(recurrences, r)
	}
	var rule alertProcessingRule
	return b.ctx.RegisterResource(AlertProcessingRuleType, b.name+"-wedding-day-escalation", pulumi.Map{
		"alertProcessingRuleName": pulumi.String(dep.Name("alerts", "wedding-day-escalation")),
		"resourceGroupName":       dep.Primary.AzureResourceGroup,
		"location":                pulumi.String("Global"),
		"tags":                    dep.Tags.For(core.Azure),
		"properties": pulumi.Map{
			"description": pulumi.String(b.escalationLabel() + ": adds the escalation receivers to every alert in the stack's resource groups. Runbook: " + core.Runbook("alarms/escalation.md")),
			"enabled":     pulumi.Bool(true),
			"scopes":      scopes,
			"actions": pulumi.Array{pulumi.Map{
				"actionType":     pulumi.String("AddActionGroups"),
				"actionGroupIds": escalation,
			}},
			"schedule": pulumi.Map{
				"timeZone":    pulumi.String(b.window.windowsZone),
				"recurrences": recurrences,
			},
		},
	}, &rule, b.opts()...)
}

// clock formats minutes after midnight as Azure schedules take times; the
// end of the day is the last second of it.
func clock(minute int) string {
	if minute >= 24*60 {
		return "23:59:59"
	}
	return fmt.Sprintf("%02d:%02d:00", minute/60, minute%60)
}

// azure makes one consumption budget per season in the next twelve months
// (Azure budgets are time-bounded): monthly grain, the peak amount in peak
// months, scoped to the subscription and filtered to the stack's resource
// groups, notifying the receivers' action group.
func (b *budgetBuilder) azure() (budgetOutputs, error) {
	dep, s := b.a.Deployment, b.a.Settings
	subscription, err := azureSubscription(b.ctx, dep)
	if err != nil {
		return budgetOutputs{}, err
	}
	var groups pulumi.StringArray
	for _, site := range []*core.Site{&dep.Primary, dep.DR} {
		if site != nil && site.Cloud == core.Azure {
			groups = append(groups, site.AzureResourceGroup)
		}
	}
	var lines []string
	for _, r := range runs(b.months) {
		season := "off-season"
		if r.peak {
			season = "peak"
		}
		label := season + "-" + r.start.Format("200601")
		ns := consumption.NotificationMap{}
		for _, n := range notices {
			kind := "Actual"
			if n.forecast {
				kind = "Forecasted"
			}
			ns[n.label()] = consumption.NotificationArgs{
				Enabled:       pulumi.Bool(true),
				Operator:      pulumi.String("GreaterThanOrEqualTo"),
				Threshold:     pulumi.Float64(n.percent),
				ThresholdType: pulumi.String(kind),
				ContactGroups: b.a.Notify,
			}
		}
		amount := s.amountFor(r.peak)
		if _, err := consumption.NewBudget(b.ctx, b.name+"-"+label, &consumption.BudgetArgs{
			BudgetName: pulumi.String(dep.Name("monthly", label)),
			Scope:      pulumi.Sprintf("/subscriptions/%s", subscription),
			Category:   pulumi.String("Cost"),
			Amount:     pulumi.Float64(amount),
			TimeGrain:  pulumi.String("Monthly"),
			TimePeriod: consumption.BudgetTimePeriodArgs{
				StartDate: pulumi.String(r.start.Format(time.RFC3339)),
				EndDate:   pulumi.String(r.end.Add(-time.Second).Format(time.RFC3339)),
			},
			Filter: &consumption.BudgetFilterArgs{Dimensions: &consumption.BudgetComparisonExpressionArgs{
				Name: pulumi.String("ResourceGroupName"), Operator: pulumi.String("In"), Values: groups,
			}},
			Notifications: ns,
		}, b.opts()...); err != nil {
			return budgetOutputs{}, err
		}
		lines = append(lines, fmt.Sprintf("%s to %s (%s): %g a month", r.start.Format("2006-01"), r.end.AddDate(0, -1, 0).Format("2006-01"), season, amount))
	}
	return budgetOutputs{amounts: lines}, nil
}

// azureSubscription is the subscription of the primary site: the stack's
// config, else the one the provider signs in to.
func azureSubscription(ctx *pulumi.Context, dep core.Deployment) (pulumi.StringOutput, error) {
	if dep.Primary.AzureSubscriptionID != "" {
		return pulumi.String(dep.Primary.AzureSubscriptionID).ToStringOutput(), nil
	}
	cfg, err := authorization.GetClientConfig(ctx, pulumi.Provider(dep.Primary.Provider))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return pulumi.String(cfg.SubscriptionId).ToStringOutput(), nil
}

// azureWorkbook is the workbook's content: one metrics chart per panel.
// (Portal dashboards are not in the SDK modules this build has; a workbook
// is Azure Monitor's own page for this.)
func azureWorkbook(w watched) map[string]any {
	type m struct{ namespace, metric, aggregation string }
	charts := map[panel][]m{
		dbSaturation:  {{"microsoft.dbforpostgresql/flexibleservers", "cpu_percent", "Average"}, {"microsoft.dbforpostgresql/flexibleservers", "storage_percent", "Maximum"}},
		dbTraffic:     {{"microsoft.dbforpostgresql/flexibleservers", "active_connections", "Maximum"}},
		dbLatency:     {{"microsoft.dbforpostgresql/flexibleservers", "max_physical_replication_lag", "Maximum"}, {"microsoft.dbforpostgresql/flexibleservers", "disk_queue_depth", "Average"}},
		groupCapacity: {{"microsoft.compute/virtualmachinescalesets", "VmAvailabilityMetric", "Average"}},
		groupCPU:      {{"microsoft.compute/virtualmachinescalesets", "Percentage CPU", "Average"}},
		backupWrites:  {{"microsoft.storage/storageaccounts", "Transactions", "Total"}},
		// The gateway's metrics have no percentiles: p99 is the latency
		// alarm's log query; the chart shows the average total time.
		lbRequests: {{"microsoft.network/applicationgateways", "TotalRequests", "Total"}},
		lbErrors:   {{"microsoft.network/applicationgateways", "FailedRequests", "Total"}},
		lbLatency:  {{"microsoft.network/applicationgateways", "ApplicationGatewayTotalTime", "Average"}},
		lbBudget:   {{"microsoft.network/applicationgateways", "FailedRequests", "Total"}, {"microsoft.network/applicationgateways", "TotalRequests", "Total"}},
	}
	resources := map[panel][]string{backupWrites: w.buckets}
	for _, p := range trafficPanels {
		resources[p] = []string{w.lb}
	}
	var items []any
	for _, p := range w.shown() {
		ids := resources[p]
		if ids == nil {
			ids = []string{w.database}
			if p == groupCapacity || p == groupCPU {
				ids = []string{w.group}
			}
		}
		var ms []any
		for _, x := range charts[p] {
			ms = append(ms, map[string]any{"namespace": x.namespace, "metric": x.namespace + "--" + x.metric, "aggregation": x.aggregation})
		}
		items = append(items, map[string]any{"type": 10, "name": string(p), "content": map[string]any{
			"version": "MetricsItem/2.0", "size": 0, "chartType": 2, "title": string(p),
			"resourceType": charts[p][0].namespace, "resourceIds": ids, "timeContext": map[string]any{"durationMs": 86400000},
			"metrics": ms, "gridSettings": map[string]any{"rowLimit": 10000},
		}})
	}
	return map[string]any{"version": "Notebook/1.0", "items": items, "isLocked": false}
}

// azure makes an Azure Monitor workbook. Workbooks chart resources by id;
// storage account ids follow from the subscription, resource group and name.
func (b *dashboardBuilder) azure() (dashboardOutputs, error) {
	dep := b.a.Deployment
	sub, err := azureSubscription(b.ctx, dep)
	if err != nil {
		return dashboardOutputs{}, err
	}
	buckets := pulumi.All(sub, dep.Primary.AzureResourceGroup, b.a.Buckets).ApplyT(func(vs []any) []string {
		var ids []string
		for _, n := range vs[2].([]string) {
			ids = append(ids, fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s", vs[0], vs[1], n))
		}
		return ids
	}).(pulumi.StringArrayOutput)
	wb, err := insights.NewWorkbook(b.ctx, b.name, &insights.WorkbookArgs{
		ResourceName:      pulumi.String(stableUUID(dep.Name("dashboard"))),
		ResourceGroupName: dep.Primary.AzureResourceGroup,
		DisplayName:       pulumi.String(dep.Name()),
		Category:          pulumi.String("workbook"),
		Kind:              pulumi.String("shared"),
		SerializedData:    b.body(buckets, func(w watched) any { return azureWorkbook(w) }),
		SourceId:          pulumi.String("azure monitor"),
		Tags:              dep.Tags.For(core.Azure),
	}, b.opts()...)
	if err != nil {
		return dashboardOutputs{}, err
	}
	return dashboardOutputs{url: pulumi.Sprintf("https://portal.azure.com/#resource%s/workbook", wb.ID())}, nil
}

// azure: the drill publishes its result as two Application Insights custom
// metrics (DrillSucceeded, RestoreSeconds, dimension Stack) to a
// workspace-based component of its own, and a log search alert rule over
// it pages the alert target when the newest drill failed or was slower
// than the RTO. A missing drill cannot be alarmed on Azure: a log search
// alert looks back at most two days (its query time range,
// overrideQueryTimeRange, goes to P2D) and metric alerts do not fire on
// absent data; the weekly workflow's own failure is what shows a drill
// that did not run there (docs/runbooks/alarms/restore-drill.md).
func (b *drillBuilder) azure() (pulumi.Map, error) {
	dep := b.a.Deployment
	site := dep.Primary
	rg, loc, tags := site.AzureResourceGroup, pulumi.String(site.Region), dep.Tags.For(core.Azure)
	ws, err := operationalinsights.NewWorkspace(b.ctx, b.name, &operationalinsights.WorkspaceArgs{
		WorkspaceName: pulumi.String(dep.Name("restore-drill", site.Short())), ResourceGroupName: rg, Location: loc, Tags: tags,
		Sku: operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")}, RetentionInDays: pulumi.Int(90),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	ai, err := insights.NewComponent(b.ctx, b.name, &insights.ComponentArgs{
		ResourceName: pulumi.String(dep.Name("restore-drill", site.Short())), ResourceGroupName: rg, Location: loc, Tags: tags,
		Kind: pulumi.String("other"), ApplicationType: pulumi.String("other"), IngestionMode: pulumi.String("LogAnalytics"), WorkspaceResourceId: ws.ID(),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	kql := fmt.Sprintf(`customMetrics
| where name in ("%s", "%s") and tostring(customDimensions.Stack) == "%s"
| summarize arg_max(timestamp, valueMin, valueMax) by name
| summarize breaches = countif((name == "%s" and valueMin < 1) or (name == "%s" and valueMax > %.0f))`,
		drillSucceeded, drillSeconds, dep.Stack, drillSucceeded, drillSeconds, b.a.RTO.Seconds())
	_, err = insights.NewScheduledQueryRule(b.ctx, b.name, &insights.ScheduledQueryRuleArgs{
		RuleName: pulumi.String(dep.Name("restore-drill")), ResourceGroupName: rg, Location: loc, Tags: tags,
		Description: pulumi.String(b.description("failed", "failed, or was slower than the RTO")), Enabled: pulumi.Bool(true),
		Severity: pulumi.Float64(1), Scopes: pulumi.StringArray{ai.ID()},
		WindowSize: pulumi.String("P1D"), EvaluationFrequency: pulumi.String("PT1H"), OverrideQueryTimeRange: pulumi.String("P2D"),
		Criteria: insights.ScheduledQueryRuleCriteriaArgs{AllOf: insights.ConditionArray{insights.ConditionArgs{
			Query: pulumi.String(kql), MetricMeasureColumn: pulumi.String("breaches"), TimeAggregation: pulumi.String("Maximum"),
			Operator: pulumi.String("GreaterThan"), Threshold: pulumi.Float64(0),
			FailingPeriods: &insights.ConditionFailingPeriodsArgs{MinFailingPeriodsToAlert: pulumi.Float64(1), NumberOfEvaluationPeriods: pulumi.Float64(1)},
		}}},
		Actions: &insights.ActionsArgs{ActionGroups: b.a.Alerts.IDs},
	}, b.opts()...)
	return pulumi.Map{"metrics": pulumi.ToStringArray([]string{drillSucceeded, drillSeconds}), "connectionString": ai.ConnectionString}, err
}
