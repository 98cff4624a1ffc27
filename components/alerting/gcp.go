package alerting

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/billing"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// gcp makes one Monitoring notification channel per receiver. Alert
// policies cannot route by time, so prod's escalation channels are on every
// alert policy, each named as the wedding-day escalation.
func (b *targetBuilder) gcp() (targetOutputs, error) {
	dep := b.a.Deployment
	return b.bothLists(core.GCP, func(prefix, label string, receivers []Receiver, _ bool) (pulumi.StringArrayOutput, error) {
		var ids pulumi.StringArray
		for _, r := range receivers {
			args := &monitoring.NotificationChannelArgs{
				Project:     pulumi.String(dep.Primary.GCPProject),
				DisplayName: pulumi.String(label + ": " + r.Name),
				Description: pulumi.String(dep.Name("alerts") + " receiver " + r.Name),
				Enabled:     pulumi.Bool(true),
			}
			if r.Email != "" {
				args.Type = pulumi.String("email")
				args.Labels = pulumi.StringMap{"email_address": pulumi.String(r.Email)}
			} else {
				args.Type = pulumi.String("webhook_tokenauth")
				args.Labels = pulumi.StringMap{"url": secretURL(r.Webhook)}
			}
			ch, err := monitoring.NewNotificationChannel(b.ctx, prefix+"-"+r.Name, args, b.opts()...)
			if err != nil {
				return pulumi.StringArrayOutput{}, err
			}
			ids = append(ids, ch.ID().ToStringOutput())
		}
		return ids.ToStringArrayOutput(), nil
	})
}

// gcp makes a monthly billing budget for the stack's project. A GCP budget
// has one amount per recurring period (a custom period cannot repeat), so
// it holds the peak figure all year; forecast rules still warn early.
func (b *budgetBuilder) gcp() (budgetOutputs, error) {
	dep, s := b.a.Deployment, b.a.Settings
	proj, err := organizations.LookupProject(b.ctx, &organizations.LookupProjectArgs{ProjectId: pulumi.StringRef(dep.Primary.GCPProject)}, pulumi.Provider(dep.Primary.Provider))
	if err != nil {
		return budgetOutputs{}, err
	}
	var rules billing.BudgetThresholdRuleArray
	for _, n := range notices {
		basis := "CURRENT_SPEND"
		if n.forecast {
			basis = "FORECASTED_SPEND"
		}
		rules = append(rules, billing.BudgetThresholdRuleArgs{ThresholdPercent: pulumi.Float64(n.percent / 100), SpendBasis: pulumi.String(basis)})
	}
	amount := &billing.BudgetAmountSpecifiedAmountArgs{Units: pulumi.String(wholeUnits(s.PeakAmount))}
	if s.Currency != "" {
		amount.CurrencyCode = pulumi.String(s.Currency)
	}
	_, err = billing.NewBudget(b.ctx, b.name, &billing.BudgetArgs{
		BillingAccount: pulumi.String(s.BillingAccount),
		DisplayName:    pulumi.String(dep.NameWithin(60, "monthly")),
		BudgetFilter: &billing.BudgetBudgetFilterArgs{
			Projects:             pulumi.StringArray{pulumi.String("projects/" + proj.Number)},
			CalendarPeriod:       pulumi.String("MONTH"),
			CreditTypesTreatment: pulumi.String("INCLUDE_ALL_CREDITS"),
		},
		Amount:         &billing.BudgetAmountArgs{SpecifiedAmount: amount},
		ThresholdRules: rules,
		AllUpdatesRule: &billing.BudgetAllUpdatesRuleArgs{MonitoringNotificationChannels: b.a.Notify},
	}, b.opts()...)
	currency := s.Currency
	if currency == "" {
		currency = "(billing account currency)"
	}
	line := fmt.Sprintf("every month: %s %s (the peak figure: GCP budgets have one amount per recurring period)", wholeUnits(s.PeakAmount), currency)
	return budgetOutputs{amounts: []string{line}}, err
}

// gcpDashboard is the Monitoring dashboard: one chart per panel.
func gcpDashboard(dep core.Deployment, w watched) map[string]any {
	db := func(metric string) string {
		return fmt.Sprintf(`resource.type="cloudsql_database" AND resource.labels.database_id="%s" AND metric.type="cloudsql.googleapis.com/database/%s"`, w.database, metric)
	}
	group := func(metric string) string {
		return fmt.Sprintf(`resource.type="instance_group" AND resource.labels.instance_group_name="%s" AND metric.type="%s"`, w.group, metric)
	}
	filters := map[panel][]string{
		dbSaturation:  {db("cpu/utilization"), db("disk/utilization")},
		dbTraffic:     {db("postgresql/num_backends")},
		dbLatency:     {},
		groupCapacity: {group("compute.googleapis.com/instance_group/size")},
		groupCPU:      {fmt.Sprintf(`resource.type="gce_instance" AND metadata.system_labels.instance_group="%s" AND metric.type="compute.googleapis.com/instance/cpu/utilization"`, w.group)},
	}
	// replica_lag is reported by each replica, not by the primary.
	for _, r := range w.replicas {
		filters[dbLatency] = append(filters[dbLatency], fmt.Sprintf(`resource.type="cloudsql_database" AND resource.labels.database_id="%s" AND metric.type="cloudsql.googleapis.com/database/replication/replica_lag"`, r))
	}
	for _, b := range w.buckets {
		filters[backupWrites] = append(filters[backupWrites], fmt.Sprintf(`resource.type="gcs_bucket" AND resource.labels.bucket_name="%s" AND metric.type="storage.googleapis.com/api/request_count" AND metric.labels.method="WriteObject"`, b))
	}
	lb := func(metric, extra string) string {
		return fmt.Sprintf(`resource.type="https_lb_rule" AND resource.labels.url_map_name="%s" AND metric.type="loadbalancing.googleapis.com/https/%s"%s`, w.lb, metric, extra)
	}
	filters[lbRequests] = []string{lb("request_count", "")}
	filters[lbErrors] = []string{lb("request_count", ` AND metric.labels.response_code_class=500`)}
	filters[lbLatency] = []string{lb("total_latencies", "")}
	filters[lbBudget] = []string{`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url"`}
	var tiles []any
	for i, p := range w.shown() {
		period, aligner := "300s", "ALIGN_MEAN"
		switch p {
		case backupWrites:
			period, aligner = "86400s", "ALIGN_SUM"
		case lbRequests, lbErrors:
			aligner = "ALIGN_RATE"
		case lbLatency:
			aligner = "ALIGN_PERCENTILE_99"
		case lbBudget:
			period, aligner = "86400s", "ALIGN_FRACTION_TRUE"
		}
		var sets []any
		for _, f := range filters[p] {
			sets = append(sets, map[string]any{"timeSeriesQuery": map[string]any{"timeSeriesFilter": map[string]any{
				"filter": f, "aggregation": map[string]any{"alignmentPeriod": period, "perSeriesAligner": aligner},
			}}, "plotType": "LINE"})
		}
		tiles = append(tiles, map[string]any{"xPos": (i % 2) * 6, "yPos": (i / 2) * 4, "width": 6, "height": 4,
			"widget": map[string]any{"title": string(p), "xyChart": map[string]any{"dataSets": sets}}})
	}
	return map[string]any{"displayName": dep.Name(), "mosaicLayout": map[string]any{"columns": 12, "tiles": tiles}}
}

// gcp makes a Cloud Monitoring dashboard.
func (b *dashboardBuilder) gcp() (dashboardOutputs, error) {
	dep := b.a.Deployment
	body := b.body(b.a.Buckets, func(w watched) any { return gcpDashboard(dep, w) })
	if _, err := monitoring.NewDashboard(b.ctx, b.name, &monitoring.DashboardArgs{Project: pulumi.String(dep.Primary.GCPProject), DashboardJson: body}, b.opts()...); err != nil {
		return dashboardOutputs{}, err
	}
	return dashboardOutputs{url: pulumi.Sprintf("https://console.cloud.google.com/monitoring/dashboards?project=%s", dep.Primary.GCPProject)}, nil
}

// gcp is one alert policy over the drill's custom metrics
// (custom.googleapis.com/wedsync/restore_drill/{succeeded,restore_seconds},
// label stack, resource global), notifying the alert target. A metric
// absence condition looks back at most 23.5 hours
// (cloud.google.com/monitoring/alerts/metric-absence), so the policy is
// one PromQL condition (cloud.google.com/monitoring/promql/promql-in-alerting)
// over MissingAfter: the newest drill failed, or was slower than the RTO, or
// there is none at all (absent_over_time: missing data breaches).
func (b *drillBuilder) gcp() (pulumi.Map, error) {
	dep := b.a.Deployment
	days := int(b.a.MissingAfter.Hours() / 24)
	series := func(metric string) string {
		return fmt.Sprintf(`%s{monitored_resource="global",stack="%s"}[%dd]`, PromQLName(drillGCPPrefix+metric), dep.Stack, days)
	}
	query := fmt.Sprintf("(last_over_time(%s) < 1) or (last_over_time(%s) > %.0f) or absent_over_time(%s)",
		series("succeeded"), series("restore_seconds"), b.a.RTO.Seconds(), series("succeeded"))
	_, err := monitoring.NewAlertPolicy(b.ctx, b.name, &monitoring.AlertPolicyArgs{
		Project:     pulumi.String(dep.Primary.GCPProject),
		DisplayName: pulumi.String(dep.NameWithin(100, "restore-drill")),
		Combiner:    pulumi.String("OR"),
		Conditions: monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String("restore drill failed, slow or missing"),
			ConditionPrometheusQueryLanguage: &monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs{
				Query: pulumi.String(query), Duration: pulumi.String("0s"), EvaluationInterval: pulumi.String("3600s"),
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(b.description("", "failed, was slow or did not run")), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: b.a.Alerts.IDs,
	}, b.opts()...)
	return pulumi.Map{"project": pulumi.String(dep.Primary.GCPProject), "query": pulumi.String(query)}, err
}

// PromQLName is a Cloud Monitoring metric type as PromQL names it: the
// first "/" becomes ":", every other character outside [a-zA-Z0-9_:] "_"
// (cloud.google.com/monitoring/promql, "Mapping Cloud Monitoring metric
// names to PromQL").
func PromQLName(metricType string) string {
	out := []rune(metricType)
	colon := false
	for i, r := range out {
		switch {
		case r == '/' && !colon:
			out[i], colon = ':', true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
		default:
			out[i] = '_'
		}
	}
	return string(out)
}
