package backupbucket

import (
	"os"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestAzureProdAccountAlarmsWhenNoBackupArrives(t *testing.T) {
	r := fixture{cloud: core.Azure, env: core.Prod, alerts: true}.run(t)
	alert := r.one("azure-native:insights:MetricAlert", "db-exports-freshness")
	account := r.one("azure-native:storage:StorageAccount", "db-exports")
	if got := testkit.Get(alert, "scopes.0"); got != account.ID {
		t.Errorf("the alert watches %v, want the backup account %s", got, account.ID)
	}
	if got := testkit.Get(alert, "criteria.allOf.0.metricName"); got != "Transactions" {
		t.Errorf("metric = %v, want Transactions (blob writes)", got)
	}
	if got := testkit.Get(alert, "windowSize"); got != "PT24H" {
		t.Errorf("window = %v, want a day", got)
	}
	if d, _ := testkit.Get(alert, "description").(string); !strings.Contains(d, core.Runbook("alarms/backups.md#freshness")) {
		t.Errorf("no runbook link in %q", d)
	}
	if len(testkit.Get(alert, "actions").([]any)) != 1 {
		t.Error("the alert notifies the alert target")
	}
}

func TestBackupAlarmsCarryRunbooksOnAWSAndGCP(t *testing.T) {
	for typ, cloud := range map[string]core.Cloud{"aws:cloudwatch/metricAlarm:MetricAlarm": core.AWS, "gcp:monitoring/alertPolicy:AlertPolicy": core.GCP} {
		r := fixture{cloud: cloud, env: core.Prod, alerts: true}.run(t)
		alarms := r.all(typ)
		if len(alarms) == 0 {
			t.Fatalf("%s: no alarms", cloud)
		}
		for _, a := range alarms {
			d, _ := testkit.Get(a, "alarmDescription").(string)
			if d == "" {
				d, _ = testkit.Get(a, "documentation.content").(string)
			}
			if !strings.Contains(d, core.Runbook("alarms/backups.md#")) {
				t.Errorf("%s %s: no runbook link in %q", cloud, a.Name, d)
			}
		}
	}
}

// TestEveryBackupAlarmHasItsRunbookSection: each alarm's runbook link
// lands on a section of docs/runbooks/alarms/backups.md.
func TestEveryBackupAlarmHasItsRunbookSection(t *testing.T) {
	doc, err := os.ReadFile("../../docs/runbooks/alarms/backups.md")
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{dep: core.Deployment{Stack: "prod"}, purpose: "db-exports"}
	for _, key := range []string{alarmFreshness, alarmReplicationFailed, alarmReplicationLatency, alarmOffsiteFailed, alarmOffsiteSASAge, alarmOffsiteStartFailed, alarmOffsiteKeyAge} {
		desc := b.alarmDescription(key, core.AlarmThresholds(false))
		_, anchor, ok := strings.Cut(desc, "backups.md#")
		if !ok || !strings.Contains(string(doc), "\n## "+anchor+"\n") {
			t.Errorf("alarm %s links %q, which is no section of the runbook", key, anchor)
		}
	}
}
