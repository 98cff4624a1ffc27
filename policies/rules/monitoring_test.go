package rules

import (
	"strings"
	"testing"
)

// alarmedOnly are the violations of the alarmed policy.
func alarmedOnly(env string, fixtures []fixture) []string {
	var out []string
	for _, v := range check(env, fixtures, Config{}, wednesday) {
		if v.Policy == PolicyAlarmed {
			out = append(out, v.URN)
		}
	}
	return out
}

func TestProdStoreOrGroupWithoutAnAlarmFails(t *testing.T) {
	// Per cloud: removing the alarm that watches a subject makes exactly
	// that subject fail.
	cases := map[string]map[string]string{
		"aws":   {"db-cpu": "db", "web-at-max": "web", "backup-freshness": "backup"},
		"gcp":   {"db-cpu": "db", "web-at-max": "web", "backup-freshness": "backup"},
		"azure": {"db-cpu": "db", "web-unhealthy": "web", "backup-freshness": "backup"},
	}
	for cloud, fixtures := range clouds() {
		if got := alarmedOnly("prod", fixtures); len(got) != 0 {
			t.Errorf("%s: compliant fixtures fail the alarmed policy: %v", cloud, got)
		}
		for alarmName, subject := range cases[cloud] {
			t.Run(cloud+"_"+alarmName, func(t *testing.T) {
				got := alarmedOnly("prod", with(fixtures, alarmName, "", nil))
				if len(got) != 1 || !strings.HasSuffix(got[0], "::"+subject) {
					t.Errorf("without %s, want only %s to fail, got %v", alarmName, subject, got)
				}
			})
		}
	}
}

func TestAlarmThatNotifiesNobodyDoesNotCount(t *testing.T) {
	targets := map[string]string{"aws": "alarmActions", "gcp": "notificationChannels", "azure": "actions"}
	for cloud, fixtures := range clouds() {
		t.Run(cloud, func(t *testing.T) {
			got := alarmedOnly("prod", with(fixtures, "db-cpu", targets[cloud], []any{}))
			if len(got) != 1 || !strings.HasSuffix(got[0], "::db") {
				t.Errorf("an alarm with no %s must not count; got %v", targets[cloud], got)
			}
		})
	}
}

func TestAlarmsAreRequiredInProdOnly(t *testing.T) {
	fixtures := with(with(with(awsFixtures(), "db-cpu", "", nil), "web-at-max", "", nil), "backup-freshness", "", nil)
	if got := alarmedOnly("staging", fixtures); len(got) != 0 {
		t.Errorf("staging is not judged, got %v", got)
	}
	if got := alarmedOnly("prod", fixtures); len(got) != 3 {
		t.Errorf("prod without alarms: want the database, group and backup store to fail, got %v", got)
	}
}

func TestUnknownAlarmReferencesCannotBeJudgedYet(t *testing.T) {
	fixtures := with(with(awsFixtures(), "db-cpu", "dimensions.DBInstanceIdentifier", planUnknown), "web-at-max", "", nil)
	if got := alarmedOnly("prod", fixtures); len(got) != 0 {
		t.Errorf("an alarm whose dimensions are unknown may name the group; got %v", got)
	}
}

func TestCopiesAndReportSinksNeedNoAlarmOfTheirOwn(t *testing.T) {
	fixtures := append(awsFixtures(),
		fixture{typ: awsS3BucketV2, name: "backup-replica", id: "wedsync-backup-replica", protect: true, inputs: obj("bucket", "wedsync-backup-replica")},
		fixture{typ: awsS3BucketV2, name: "backup-inventory", id: "wedsync-backup-inventory", protect: true, inputs: obj("bucket", "wedsync-backup-inventory")},
		fixture{typ: awsS3Inventory, name: "backup-inventory-config", inputs: obj("bucket", "wedsync-backup", "destination", obj("bucket", obj("bucketArn", "arn:aws:s3:::wedsync-backup-inventory")))},
	)
	fixtures = with(fixtures, "backup-replication", "rules.0.destination", obj("bucket", "arn:aws:s3:::wedsync-backup-replica"))
	if got := alarmedOnly("prod", fixtures); len(got) != 0 {
		t.Errorf("a replica (watched by its source's replication alarms) and an inventory sink need no alarm; got %v", got)
	}
}
