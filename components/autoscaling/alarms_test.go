package autoscaling

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// alarmTypes are the alarm resources per cloud and where each names its targets.
var alarmTypes = map[core.Cloud]struct{ typ, targets string }{
	core.AWS:   {"aws:cloudwatch/metricAlarm:MetricAlarm", "alarmActions"},
	core.GCP:   {"gcp:monitoring/alertPolicy:AlertPolicy", "notificationChannels"},
	core.Azure: {"azure-native:insights:MetricAlert", "actions"},
}

func TestProdGroupRaisesAtMaxAndUnhealthyOnEveryCloud(t *testing.T) {
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := planGroup(t, cloud, core.Prod, juneWednesday, nil).Plan
			at := alarmTypes[cloud]
			var names []string
			for _, a := range testkit.OfType(p, at.typ) {
				names = append(names, a.Name)
				if d := description(a); !strings.Contains(d, core.Runbook("alarms/app-group.md#")) {
					t.Errorf("%s: no runbook link in %q", a.Name, d)
				}
				targets, _ := plan.Lookup(a.Inputs, at.targets)
				if list, _ := targets.([]any); len(list) == 0 {
					t.Errorf("%s notifies nobody", a.Name)
				}
			}
			if strings.Join(names, ",") != "app-at-max,app-unhealthy" {
				t.Errorf("alarms = %v, want app-at-max and app-unhealthy", names)
			}
		})
	}
}

func description(r plan.Resource) string {
	for _, k := range []string{"alarmDescription", "description"} {
		if s, ok := r.Inputs[k].(string); ok {
			return s
		}
	}
	s, _ := testkit.Get(r, "documentation.content").(string)
	return s
}
