package deploy

import (
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// The weekly backup workflow verifies every tier and runs the restore
// drill of each prod stack, on a schedule that never falls on a wedding
// day (Saturday) or the Friday before.
func TestBackupDrillRunsWeeklyOffWeddingDays(t *testing.T) {
	w := workflows(t)["backup-drill.yml"]
	if w == nil {
		t.Fatal("no .github/workflows/backup-drill.yml")
	}
	scheduled := false
	for _, e := range w.On {
		if s, ok := e.(*actionlint.ScheduledEvent); ok {
			for _, entry := range s.Schedules {
				c := entry.Cron
				fields := strings.Fields(c.Value)
				if len(fields) != 5 || fields[2] != "*" || fields[4] == "*" || strings.ContainsAny(fields[4], "56,-/") {
					t.Errorf("cron %q: want one weekday, not Friday (5) or Saturday (6), every week", c.Value)
				}
				scheduled = true
			}
		}
	}
	if !scheduled {
		t.Error("not scheduled")
	}
	j := w.Jobs["drill"]
	if j == nil {
		t.Fatal("no drill job")
	}
	all := strings.Join(runs(j), "\n")
	for _, want := range []string{"wedsync-infra backup verify --stack \"$STACK\" --tier all", "wedsync-infra dr drill --stack", "backup report --stack \"$STACK\" --format html", "make postgresql"} {
		if !strings.Contains(all, want) {
			t.Errorf("the drill job does not run %q", want)
		}
	}
}
