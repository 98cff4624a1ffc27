package database

import (
	"os"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// alarmThresholds reads each alarm's threshold by its name suffix.
func alarmThresholds(t *testing.T, peak bool) map[string]any {
	t.Helper()
	r := planDB(t, core.AWS, core.Prod, func(a *DatabaseArgs) { a.Alerts.Thresholds = core.AlarmThresholds(peak) })
	out := map[string]any{}
	for _, a := range testkit.OfType(r.Plan, awsAlarm) {
		out[strings.TrimPrefix(a.Name, "main-")] = testkit.Get(a, "threshold")
		if d, _ := testkit.Get(a, "alarmDescription").(string); !strings.Contains(d, core.Runbook("alarms/database.md#")) {
			t.Errorf("%s: no runbook link in %q", a.Name, d)
		}
	}
	return out
}

func TestPeakSeasonPagesEarlier(t *testing.T) {
	off, peak := alarmThresholds(t, false), alarmThresholds(t, true)
	if off["cpu"] != 80.0 || peak["cpu"] != 70.0 {
		t.Errorf("cpu thresholds off/peak = %v/%v, want 80/70", off["cpu"], peak["cpu"])
	}
	// medium: 400 connections is 80% of the ceiling; peak pages at 70%.
	if off["connections"] != 400.0 || peak["connections"] != 350.0 {
		t.Errorf("connections thresholds off/peak = %v/%v, want 400/350", off["connections"], peak["connections"])
	}
	// The read replica's lag, in seconds.
	if off["read1-replication-lag"] != 300.0 || peak["read1-replication-lag"] != 120.0 {
		t.Errorf("replica lag thresholds off/peak = %v/%v, want 300/120", off["read1-replication-lag"], peak["read1-replication-lag"])
	}
}

// Every alarm key links to a section of the runbook that exists.
func TestEveryAlarmHasItsRunbookSection(t *testing.T) {
	doc, err := os.ReadFile("../../docs/runbooks/alarms/database.md")
	if err != nil {
		t.Fatal(err)
	}
	has := func(key string) bool { return strings.Contains(string(doc), "\n## "+key+"\n") }
	for _, key := range []string{alarmCPU, alarmStorage, alarmConnections, alarmReplicationLag, alarmReplicationEvents} {
		if !has(key) {
			t.Errorf("docs/runbooks/alarms/database.md has no section %q", key)
		}
	}
	if has("no-such-alarm") {
		t.Error("the section check finds anything")
	}
}
