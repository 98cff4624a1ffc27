package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/alerting"
)

// alerting creates where the stack's alarms go, before any component: each
// component raises its alarms to it as it is made.
func (b *build) alerting() (err error) {
	b.alerts, err = alerting.NewAlertTarget(b.ctx, "alerts", &alerting.AlertTargetArgs{
		Deployment: b.dep,
		Settings:   b.cfg.Alerting,
		Calendar:   b.cfg.Season,
		Now:        b.now,
	})
	if err == nil {
		b.ctx.Export("alerts", pulumi.Map{
			"ids":        b.alerts.Target.IDs,
			"escalation": b.alerts.Escalation,
			"routing":    b.alerts.Routing,
		})
	}
	return err
}

// dashboard shows the golden signals of the database and the app group,
// and how fresh the backups are, on the primary site's cloud. A drill has
// none: it has no app group, traffic or backups to show, and its result is
// the drill's report and the source's restore drill alarm.
func (b *build) dashboard() error {
	if b.cfg.drilling() {
		return nil
	}
	var buckets pulumi.StringArray
	for _, purpose := range backupPurposes {
		if m, ok := b.buckets[purpose].(pulumi.Map); ok {
			if name, ok := m["bucket"].(pulumi.StringOutput); ok {
				buckets = append(buckets, name)
			}
		}
	}
	d, err := alerting.NewDashboard(b.ctx, "main", &alerting.DashboardArgs{
		Deployment: b.dep,
		Database:   b.db.MetricsID,
		Replicas:   b.db.ReplicaMetricsIDs,
		Group:      b.group.GroupName,
		Buckets:    buckets.ToStringArrayOutput(),
		// The ingress's traffic panels: requests, 5xx, p99, error budget.
		LoadBalancer: b.web.MetricsID,
	})
	if err == nil {
		b.ctx.Export("dashboard", d.URL)
	}
	return err
}

// budget is the stack's monthly cost budget; its notices go to the
// everyday receivers, never to the wedding-day escalation.
func (b *build) budget() error {
	budget, err := alerting.NewBudget(b.ctx, "monthly", &alerting.BudgetArgs{
		Deployment: b.dep,
		Settings:   b.cfg.Budget,
		Calendar:   b.cfg.Season,
		Now:        b.now,
		Notify:     b.alerts.Receivers,
	})
	if err == nil {
		b.ctx.Export("budget", budget.Amounts)
	}
	return err
}

// restoreDrillAlarm pages when the weekly restore drill of a prod stack
// fails, is slower than the 4-hour RTO, or does not run (dr drill
// --recovery-stack --publish-metric publishes what it reads). A recovery
// stack is not drilled: it is the drill's subject, never its source.
func (b *build) restoreDrillAlarm() error {
	if !b.dep.IsProd() || b.cfg.Recovery != nil {
		return nil
	}
	a, err := alerting.NewRestoreDrillAlarm(b.ctx, "restore-drill", &alerting.RestoreDrillAlarmArgs{
		Deployment: b.dep,
		Alerts:     b.alerts.Target,
	})
	if err == nil {
		b.ctx.Export("restoreDrill", a.Sink)
	}
	return err
}
