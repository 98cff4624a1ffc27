package alerting

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
	"github.com/wedsync/wedsync-infra/season"
)

// drillPlan plans a prod alert target and the restore drill alarm on cloud.
func drillPlan(t *testing.T, cloud core.Cloud) (*plan.Plan, []string) {
	t.Helper()
	var ids []string
	p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, core.Prod)
		if err != nil {
			return err
		}
		target, err := NewAlertTarget(ctx, "alerts", &AlertTargetArgs{Deployment: dep, Settings: prodSettings(), Calendar: season.Config{}, Now: november})
		if err != nil {
			return err
		}
		target.Target.IDs.ApplyT(func(v []string) []string { ids = v; return v })
		_, err = NewRestoreDrillAlarm(ctx, "restore-drill", &RestoreDrillAlarmArgs{Deployment: dep, Alerts: target.Target})
		return err
	})
	return p, ids
}

// On AWS a failed or slow drill pages at once and a missing one after seven
// daily periods without data (missing data breaching, the longest
// CloudWatch evaluates); both page every alert target.
func TestAWSDrillAlarmsFireOnFailedSlowAndMissing(t *testing.T) {
	p, ids := drillPlan(t, core.AWS)
	alarms := named(testkit.OfType(p, "aws:cloudwatch/metricAlarm:MetricAlarm"), "restore-drill")
	if len(alarms) != 2 {
		t.Fatalf("want the failed-or-slow and the missing alarm, got %d", len(alarms))
	}
	for _, a := range alarms {
		actions, _ := testkit.Get(a, "alarmActions").([]any)
		if len(ids) == 0 || len(actions) != len(ids) {
			t.Errorf("%s pages %v, want every alert target %v", a.Name, actions, ids)
		}
		desc, _ := testkit.Get(a, "alarmDescription").(string)
		if !strings.Contains(desc, "docs/runbooks/alarms/restore-drill.md#") {
			t.Errorf("%s links no runbook section: %q", a.Name, desc)
		}
	}
	slow := named(alarms, "failed-or-slow")[0]
	qs, _ := testkit.Get(slow, "metricQueries").([]any)
	expr, _ := qs[len(qs)-1].(map[string]any)["expression"].(string)
	if expr != "IF(ok < 1 || seconds > 14400, 1, 0)" || testkit.Get(slow, "treatMissingData") != "notBreaching" {
		t.Errorf("failed-or-slow: %q, missing data %v; want a failed or > 4 h drill, a quiet day not breaching", expr, testkit.Get(slow, "treatMissingData"))
	}
	missing := named(alarms, "missing")[0]
	if testkit.Get(missing, "treatMissingData") != "breaching" || testkit.Get(missing, "evaluationPeriods") != 7.0 ||
		testkit.Get(missing, "datapointsToAlarm") != 7.0 || testkit.Get(missing, "period") != 86400.0 {
		t.Errorf("missing: %+v; want 7 of 7 daily periods, missing data breaching", missing.Inputs)
	}
}

// On GCP one policy covers all three over 8 days, notifying every channel.
func TestGCPDrillPolicyFiresOnFailedSlowAndMissing(t *testing.T) {
	p, ids := drillPlan(t, core.GCP)
	policy := named(testkit.OfType(p, "gcp:monitoring/alertPolicy:AlertPolicy"), "restore-drill")
	if len(policy) != 1 {
		t.Fatalf("want one restore drill policy, got %d", len(policy))
	}
	conds, _ := testkit.Get(policy[0], "conditions").([]any)
	q, _ := conds[0].(map[string]any)["conditionPrometheusQueryLanguage"].(map[string]any)["query"].(string)
	for _, want := range []string{"< 1)", "> 14400)", "absent_over_time(", "[8d]"} {
		if !strings.Contains(q, want) {
			t.Errorf("the query lacks %q: %s", want, q)
		}
	}
	if ch, _ := testkit.Get(policy[0], "notificationChannels").([]any); len(ids) == 0 || len(ch) != len(ids) {
		t.Errorf("the policy notifies %v, want %v", ch, ids)
	}
}

// On Azure the log search alert pages the action groups on a failed or
// slow drill.
func TestAzureDrillRuleFiresOnFailedAndSlow(t *testing.T) {
	p, _ := drillPlan(t, core.Azure)
	rule := named(testkit.OfType(p, "azure-native:insights:ScheduledQueryRule"), "restore-drill")
	if len(rule) != 1 {
		t.Fatalf("want one restore drill rule, got %d", len(rule))
	}
	q, _ := testkit.Get(rule[0], "criteria").(map[string]any)["allOf"].([]any)[0].(map[string]any)["query"].(string)
	if !strings.Contains(q, "valueMin < 1") || !strings.Contains(q, "valueMax > 14400") {
		t.Errorf("the query does not fire on a failed or > 4 h drill: %s", q)
	}
	if groups, _ := testkit.Get(rule[0], "actions").(map[string]any)["actionGroups"].([]any); len(groups) == 0 {
		t.Error("the rule pages nobody")
	}
}
