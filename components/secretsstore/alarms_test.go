package secretsstore

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestProdStoreAlarmsOnKeyDeletionAndDeniedAccess(t *testing.T) {
	want := map[core.Cloud]map[string][]string{
		core.AWS: {
			"aws:cloudwatch/metricAlarm:MetricAlarm": {"secrets-access-denied", "secrets-key-deletion"},
			"aws:cloudwatch/eventRule:EventRule":     {"secrets-access-denied", "secrets-key-deletion"},
		},
		core.GCP: {
			"gcp:monitoring/alertPolicy:AlertPolicy": {"secrets-access-denied", "secrets-key-deletion"},
			"gcp:logging/metric:Metric":              {"secrets-access-denied"},
		},
		core.Azure: {
			"azure-native:insights:ActivityLogAlert": {"secrets-key-deletion"},
			"azure-native:insights:MetricAlert":      {"secrets-access-denied", "secrets-access-denied-dr"},
		},
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			s := scenario{cloud: cloud, env: core.Prod, args: func(a *SecretsStoreArgs) { a.Alerts = testkit.Alerts(cloud) }}
			r := s.mustRun(t)
			for typ, wantNames := range want[cloud] {
				if got := strings.Join(names(r.ofType(typ)), ","); got != strings.Join(wantNames, ",") {
					t.Errorf("%s = %s, want %v", typ, got, wantNames)
				}
			}
		})
	}
	t.Run("aws_key_deletion_watches_the_stacks_keys", func(t *testing.T) {
		r := scenario{cloud: core.AWS, env: core.Prod, settings: everySecret(core.AWS), args: func(a *SecretsStoreArgs) { a.Alerts = testkit.Alerts(core.AWS) }}.mustRun(t)
		rule := r.named("aws:cloudwatch/eventRule:EventRule", "secrets-key-deletion")
		pattern, _ := rule.Inputs["eventPattern"].(string)
		if !strings.Contains(pattern, "ScheduleKeyDeletion") || strings.Count(pattern, "arn:aws:kms:") != len(core.KeyPurposes) {
			t.Errorf("the rule must match ScheduleKeyDeletion on every primary key: %s", pattern)
		}
	})
	t.Run("no_alert_target_no_alarms", func(t *testing.T) {
		r := scenario{cloud: core.AWS, env: core.Dev, noDR: true, settings: everySecret(core.AWS)}.mustRun(t)
		if n := len(r.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")); n != 0 {
			t.Errorf("%d alarms without an alert target", n)
		}
	})
}
