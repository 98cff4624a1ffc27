package stacks_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// The shipped prod stack of each cloud, planned on a wedding Saturday in
// peak season (the thresholds and routing a wedding day gets).
var prodStacks = map[string]string{"aws": "prod", "gcp": "prod-gcp", "azure": "prod-azure"}

const weddingSaturday = "2026-06-13T15:00:00+01:00"

func prodPlan(t *testing.T, stack string) *plan.Plan {
	t.Helper()
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339, weddingSaturday)
	if err != nil {
		t.Fatal(err)
	}
	res, err := offline.Plan(p, stack, at)
	if err != nil {
		t.Fatal(err)
	}
	return res.Plan
}

// alarmTypes are the resources that raise alarms, per cloud, and how to read
// whom each notifies.
var alarmTypes = map[string]func(plan.Resource) []string{
	"aws:cloudwatch/metricAlarm:MetricAlarm": func(r plan.Resource) []string { return strs(r.Inputs["alarmActions"]) },
	"gcp:monitoring/alertPolicy:AlertPolicy": func(r plan.Resource) []string { return strs(r.Inputs["notificationChannels"]) },
	"azure-native:insights:MetricAlert":      func(r plan.Resource) []string { return field(r.Inputs["actions"], "actionGroupId") },
	"azure-native:insights:ActivityLogAlert": func(r plan.Resource) []string {
		groups, _ := plan.Lookup(r.Inputs, "actions", "actionGroups")
		return field(groups, "actionGroupId")
	},
}

// targetTypes are the notification targets' types per cloud.
var targetTypes = map[string]string{
	"aws":   "aws:sns/topic:Topic",
	"gcp":   "gcp:monitoring/notificationChannel:NotificationChannel",
	"azure": "azure-native:insights:ActionGroup",
}

// wantAlarms are the alarms each component raises in prod, by the logical
// name's suffix after the component's own name.
var wantAlarms = map[string]map[string][]string{
	"aws": {
		// A Multi-AZ standby publishes no lag: the read replica's lag and
		// RDS's replication events page instead; storage pages on RDS's
		// autoscaling events.
		"wedsync:database:Database":            {"cpu", "free-storage", "connections", "read1-cpu", "read1-connections", "read1-replication-lag", "replication-events"},
		"wedsync:autoscaling:AutoscalingGroup": {"at-max", "unhealthy"},
		"wedsync:backupbucket:BackupBucket":    {"freshness", "replication-failed", "replication-latency", "offsite-freshness", "offsite-failed"},
		"wedsync:secretsstore:SecretsStore":    {"key-deletion", "access-denied"},
		"wedsync:ingress:Ingress":              {"fast-burn", "slow-burn", "latency-p99", "unhealthy-backends"},
	},
	"gcp": {
		"wedsync:database:Database":            {"cpu", "free-storage", "connections", "replication-lag", "read1-cpu", "read1-connections", "read1-replication-lag"},
		"wedsync:autoscaling:AutoscalingGroup": {"at-max", "unhealthy"},
		"wedsync:backupbucket:BackupBucket":    {"freshness", "replica-freshness"},
		"wedsync:secretsstore:SecretsStore":    {"key-deletion", "access-denied"},
		"wedsync:ingress:Ingress":              {"fast-burn", "slow-burn", "latency-p99", "unhealthy-backends"},
	},
	"azure": {
		"wedsync:database:Database":            {"cpu", "free-storage", "connections", "replication-lag", "read1-cpu", "read1-connections", "read1-replication-lag"},
		"wedsync:autoscaling:AutoscalingGroup": {"at-max", "unhealthy"},
		"wedsync:backupbucket:BackupBucket":    {"freshness", "offsite-freshness", "offsite-failed", "offsite-sas-age"},
		"wedsync:secretsstore:SecretsStore":    {"key-deletion", "access-denied", "access-denied-dr"},
		// The burn rates and p99 are log alerts (ScheduledQueryRule).
		"wedsync:ingress:Ingress": {"unhealthy-backends"},
	},
}

func TestEveryComponentAlarmIsInTheProdPlanAndNotifiesTheStacksTarget(t *testing.T) {
	for cloud, stack := range prodStacks {
		t.Run(cloud, func(t *testing.T) {
			p := prodPlan(t, stack)
			byURN := map[string]plan.Resource{}
			for _, r := range p.Resources {
				byURN[r.URN] = r
			}
			var targets []string
			for _, r := range p.Resources {
				if r.Type == targetTypes[cloud] {
					targets = append(targets, r.ID)
				}
			}
			escalation := slices.IndexFunc(targets, func(id string) bool { return strings.Contains(id, "wedding-day-escalation") })
			if len(targets) != 2 || escalation < 0 {
				t.Fatalf("want the receivers' target and the wedding-day escalation target, got %v", targets)
			}
			got := map[string][]string{} // component type -> alarm suffixes
			for _, r := range p.Resources {
				read, ok := alarmTypes[r.Type]
				if !ok {
					continue
				}
				parent := byURN[r.Parent]
				got[parent.Type] = append(got[parent.Type], strings.TrimPrefix(r.Name, parent.Name+"-"))
				notified := read(r)
				want := targets
				at := strings.SplitN(r.Type, ":", 2)[0]
				if at == "azure-native" {
					at = "azure"
				}
				if at != cloud {
					// An alarm at the offsite site (another cloud) notifies
					// the same receivers through that cloud's own target.
					want = nil
					for _, t := range p.Resources {
						if t.Type == targetTypes[at] {
							want = append(want, t.ID)
						}
					}
					if len(want) != 2 {
						t.Errorf("%s %s: want the offsite site's receivers and escalation targets, got %v", r.Type, r.Name, want)
					}
				}
				for _, id := range want {
					// Azure routes the escalation by time (see the wedding-day
					// test); AWS and GCP notify both all week.
					if at == "azure" && strings.Contains(id, "wedding-day-escalation") {
						continue
					}
					if !slices.Contains(notified, id) {
						t.Errorf("%s %s does not notify %s; it notifies %v", r.Type, r.Name, id, notified)
					}
				}
				if desc := description(r); !strings.Contains(desc, "docs/runbooks/alarms/") {
					t.Errorf("%s %s: description carries no runbook link: %q", r.Type, r.Name, desc)
				}
			}
			for component, want := range wantAlarms[cloud] {
				for _, suffix := range want {
					if !slices.Contains(got[component], suffix) {
						t.Errorf("%s raises no %q alarm; it raises %v", component, suffix, got[component])
					}
				}
			}
		})
	}
}

func TestProdPlanHasABudgetWithForecastAndActualThresholds(t *testing.T) {
	for cloud, stack := range prodStacks {
		t.Run(cloud, func(t *testing.T) {
			p := prodPlan(t, stack)
			var got []string
			for _, r := range p.Resources {
				switch r.Type {
				case "aws:budgets/budget:Budget":
					for _, n := range r.Inputs["notifications"].([]any) {
						m := n.(map[string]any)
						got = append(got, fmt.Sprintf("%v %v", m["notificationType"], m["threshold"]))
					}
				case "gcp:billing/budget:Budget":
					for _, n := range r.Inputs["thresholdRules"].([]any) {
						m := n.(map[string]any)
						got = append(got, fmt.Sprintf("%v %v", m["spendBasis"], m["thresholdPercent"].(float64)*100))
					}
				case "azure-native:consumption:Budget":
					for _, n := range r.Inputs["notifications"].(map[string]any) {
						m := n.(map[string]any)
						got = append(got, fmt.Sprintf("%v %v", m["thresholdType"], m["threshold"]))
					}
				}
			}
			sort.Strings(got)
			got = slices.Compact(got)
			want := map[string][]string{
				"aws":   {"ACTUAL 100", "ACTUAL 80", "FORECASTED 100", "FORECASTED 80"},
				"gcp":   {"CURRENT_SPEND 100", "CURRENT_SPEND 80", "FORECASTED_SPEND 100", "FORECASTED_SPEND 80"},
				"azure": {"Actual 100", "Actual 80", "Forecasted 100", "Forecasted 80"},
			}[cloud]
			if strings.Join(got, ", ") != strings.Join(want, ", ") {
				t.Errorf("budget thresholds = %v, want %v", got, want)
			}
		})
	}
}

func TestEscalationReceiverIsWiredOnWeddingDays(t *testing.T) {
	for cloud, stack := range prodStacks {
		t.Run(cloud, func(t *testing.T) {
			p := prodPlan(t, stack)
			var esc plan.Resource
			for _, r := range p.Resources {
				if r.Type == targetTypes[cloud] && strings.Contains(r.ID, "wedding-day-escalation") {
					esc = r
				}
			}
			if esc.ID == "" {
				t.Fatal("no wedding-day escalation target")
			}
			if cloud != "azure" {
				// No time routing: the escalation is on every alarm (checked
				// above) and says in its name when it applies.
				label, _ := esc.Inputs["displayName"].(string)
				if !strings.Contains(label, "WEDDING-DAY ESCALATION (Fri 16:00 to Sun 02:00 Europe/London)") {
					t.Errorf("escalation target's name does not say what it is: %q", label)
				}
				return
			}
			var rule plan.Resource
			for _, r := range p.Resources {
				if r.Type == "azure-native:alertsmanagement:AlertProcessingRule" {
					rule = r
				}
			}
			if ids := strs(lookup(rule, "properties", "actions", "0", "actionGroupIds")); !slices.Contains(ids, esc.ID) {
				t.Errorf("the processing rule adds %v, want the escalation group", ids)
			}
			var days []string
			recs, _ := lookup(rule, "properties", "schedule", "recurrences").([]any)
			for _, r := range recs {
				m := r.(map[string]any)
				days = append(days, fmt.Sprintf("%v %v-%v", strs(m["daysOfWeek"]), m["startTime"], m["endTime"]))
			}
			want := "[Friday] 16:00:00-23:59:59, [Saturday] <nil>-<nil>, [Sunday] 00:00:00-02:00:00"
			if strings.Join(days, ", ") != want {
				t.Errorf("escalation schedule = %v, want %s", days, want)
			}
			// Every alert lives in a resource group the rule covers.
			scopes := strs(lookup(rule, "properties", "scopes"))
			for _, r := range p.Resources {
				if _, ok := alarmTypes[r.Type]; !ok || !strings.HasPrefix(r.Type, "azure-native:") {
					// The offsite site's GCP alarms escalate all week (checked above).
					continue
				}
				rg, _ := r.Inputs["resourceGroupName"].(string)
				if !slices.ContainsFunc(scopes, func(s string) bool { return strings.HasSuffix(s, "/resourceGroups/"+rg) }) {
					t.Errorf("%s %s is in %s, which the escalation rule does not cover (%v)", r.Type, r.Name, rg, scopes)
				}
			}
		})
	}
}

func description(r plan.Resource) string {
	for _, path := range [][]string{{"alarmDescription"}, {"description"}, {"documentation", "content"}} {
		if v, ok := plan.Lookup(r.Inputs, path...); ok {
			if s, ok := v.(string); ok {
				return s
			}
		}
	}
	return ""
}

func lookup(r plan.Resource, path ...string) any {
	v, _ := plan.Lookup(r.Inputs, path...)
	return v
}

func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func field(v any, key string) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if s, ok := m[key].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
