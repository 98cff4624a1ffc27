package dr

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/stacks"
)

var replicationNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// prodWant is prod's: the offline plan's ARNs and the prod default of 35 days.
var prodWant = ReplicationWant{
	ARN:           "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-a15ae3fd8d4a44a7120bd3c874d43f4ce4328d09",
	Region:        "eu-west-1",
	Key:           "arn:aws:kms:eu-west-1:123456789012:key/5dd30ce7-ddfa-b1dd-d451-745d3a8ff17d",
	RetentionDays: 35,
}

// goodBackups is testdata/automated-backups.json: the shape of the AWS
// CLI's describe-db-instance-automated-backups output, with the fields of
// the API reference's DBInstanceAutomatedBackup, as prod's replicated
// backups look in eu-west-1 while replicating.
func goodBackups(t *testing.T) AutomatedBackups {
	t.Helper()
	data, err := os.ReadFile("testdata/automated-backups.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseAutomatedBackups(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestReplicationCheckFindsEachBrokenReplication(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(*AutomatedBackups)
		says   []string
	}{
		{"healthy", func(*AutomatedBackups) {}, nil},
		{"latest_time_at_the_limit_is_normal_lag", func(d *AutomatedBackups) {
			d.DBInstanceAutomatedBackups[0].RestoreWindow.LatestTime = "2026-11-25T11:40:00Z"
		}, nil},
		{"stale_latest_time", func(d *AutomatedBackups) {
			d.DBInstanceAutomatedBackups[0].RestoreWindow.LatestTime = "2026-11-25T11:39:00Z"
		}, []string{"latest restorable time 2026-11-25T11:39:00Z is 21m0s old: more than 20m0s", "wedsync-infra up --stack", "tell the DR owner"}},
		{"replication_stopped", func(d *AutomatedBackups) { d.DBInstanceAutomatedBackups[0].Status = "retained" }, []string{`status "retained": want "replicating"`, "describe-key"}},
		{"wrong_key", func(d *AutomatedBackups) {
			d.DBInstanceAutomatedBackups[0].KmsKeyID = "arn:aws:kms:eu-west-1:123456789012:key/c3a8c1bf-6eb1-4797-82db-a076662abe3c"
		}, []string{"want the DR data key " + prodWant.Key}},
		{"short_window", func(d *AutomatedBackups) {
			d.DBInstanceAutomatedBackups[0].RestoreWindow.EarliestTime = "2026-11-20T03:00:00Z"
		}, []string{"earliest restorable time 2026-11-20T03:00:00Z: want about 35 days ago", "[warning]"}},
		{"none_found", func(d *AutomatedBackups) { d.DBInstanceAutomatedBackups = nil }, []string{"no replicated automated backups " + prodWant.ARN + " in eu-west-1"}},
		{"another_instances_backups_only", func(d *AutomatedBackups) {
			d.DBInstanceAutomatedBackups[0].DBInstanceAutomatedBackupsArn = "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-other"
		}, []string{"no replicated automated backups"}},
		{"two_found", func(d *AutomatedBackups) {
			d.DBInstanceAutomatedBackups = append(d.DBInstanceAutomatedBackups, d.DBInstanceAutomatedBackups[0])
		}, []string{"2 replicated automated backups named " + prodWant.ARN}},
		{"no_restore_window", func(d *AutomatedBackups) { d.DBInstanceAutomatedBackups[0].RestoreWindow = nil }, []string{"no restore window"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := goodBackups(t)
			tc.break_(&doc)
			got, err := CheckReplication(doc, prodWant, replicationNow)
			if err != nil {
				t.Fatal(err)
			}
			var text []string
			for _, f := range got {
				if f.Fix == "" {
					t.Errorf("finding %q names no fix", f.Problem)
				}
				line := f.Problem + " -> " + f.Fix
				if f.Warning {
					line += " [warning]"
				}
				text = append(text, line)
			}
			all := strings.Join(text, "\n")
			if tc.name != "short_window" && strings.Contains(all, "[warning]") {
				t.Errorf("a page-worthy finding is only a warning:\n%s", all)
			}
			if len(tc.says) == 0 && len(got) > 0 {
				t.Errorf("healthy replication reported:\n%s", all)
			}
			if len(tc.says) > 0 && len(got) == 0 {
				t.Errorf("broken replication not reported")
			}
			for _, s := range tc.says {
				if !strings.Contains(all, s) {
					t.Errorf("findings do not say %q:\n%s", s, all)
				}
			}
		})
	}
}

func TestReplicationCheckRefusesBadInput(t *testing.T) {
	for name, data := range map[string]string{
		"malformed":      `{"DBInstanceAutomatedBackups": [`,
		"another_output": `{"DBInstances": []}`,
	} {
		if _, err := ParseAutomatedBackups([]byte(data)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	doc := goodBackups(t)
	doc.DBInstanceAutomatedBackups[0].RestoreWindow.LatestTime = "yesterday"
	if _, err := CheckReplication(doc, prodWant, replicationNow); err == nil || !strings.Contains(err.Error(), "LatestTime") {
		t.Errorf("an unreadable LatestTime: %v, want an error naming it", err)
	}
}

func TestReplicationWantComesFromTheStacksOutputs(t *testing.T) {
	on, off := true, false
	cfg := stacks.Config{Cloud: core.AWS, Region: "eu-west-2", DRRegion: "eu-west-1", Database: database.Settings{BackupRetentionDays: 35, CrossRegionBackups: &on}}
	outputs := map[string]any{"database": map[string]any{"sourceId": prodWant.ARN}, "keys": map[string]any{"dr.data": prodWant.Key}}
	got, err := ReplicationWantOf("prod", cfg, outputs)
	if err != nil || got != prodWant {
		t.Errorf("got %+v, %v; want %+v", got, err, prodWant)
	}
	// Before the replication existed, sourceId is the DbiResourceId.
	if _, err := ReplicationWantOf("prod", cfg, map[string]any{"database": map[string]any{"sourceId": "db-ZDTFA4GKDZCNE2XFUYY5T7KXDE"}}); err == nil ||
		!strings.Contains(err.Error(), "database.sourceId") || !strings.Contains(err.Error(), `keys."dr.data"`) {
		t.Errorf("outputs without the replication: %v", err)
	}
	cfg.Database.CrossRegionBackups = &off
	if _, err := ReplicationWantOf("prod", cfg, outputs); err == nil {
		t.Error("a stack without cross-region backups was checked")
	}
}
