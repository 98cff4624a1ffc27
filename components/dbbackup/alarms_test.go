package dbbackup

import (
	"os"
	"strings"
	"testing"
)

// Every alarm's description links to a runbook section that exists.
func TestEveryAlarmHasARunbookSection(t *testing.T) {
	doc, err := os.ReadFile("../../docs/runbooks/alarms/backups.md")
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{}
	for _, key := range alarmKeys {
		if !strings.Contains(string(doc), "\n## "+key+"\n") {
			t.Errorf("docs/runbooks/alarms/backups.md has no section %q", key)
		}
		if d := b.alarmDescription(key); !strings.Contains(d, "alarms/backups.md#"+key) {
			t.Errorf("alarm %s links elsewhere: %s", key, d)
		}
	}
}
