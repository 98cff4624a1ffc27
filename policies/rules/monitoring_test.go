package rules

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
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
	for cloud, target := range targets {
		fixtures := clouds()[cloud]
		t.Run(cloud, func(t *testing.T) {
			got := alarmedOnly("prod", with(fixtures, "db-cpu", target, []any{}))
			if len(got) != 1 || !strings.HasSuffix(got[0], "::db") {
				t.Errorf("an alarm with no %s must not count; got %v", target, got)
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

// An unknown value in an alarm is judged only for what it can name: the
// dimension it fills (a database identifier names a database), the
// resources the engine says it comes from, or else the subjects on the
// alarm's own cloud. It does not switch the rule off for the rest.
func TestUnknownAlarmReferencesAreScoped(t *testing.T) {
	dbUnknown := with(awsFixtures(), "db-cpu", "dimensions.DBInstanceIdentifier", core.UnknownMarker)
	t.Run("an_unknown_database_identifier_may_name_the_database", func(t *testing.T) {
		if got := alarmedOnly("prod", dbUnknown); len(got) != 0 {
			t.Errorf("got %v", got)
		}
	})
	t.Run("but_not_the_group", func(t *testing.T) {
		got := alarmedOnly("prod", with(dbUnknown, "web-at-max", "", nil))
		if len(got) != 1 || !strings.HasSuffix(got[0], "::web") {
			t.Errorf("want only the group without its alarm to fail, got %v", got)
		}
	})
	t.Run("an_unknown_dimension_map_may_name_any_aws_subject", func(t *testing.T) {
		fixtures := with(with(awsFixtures(), "db-cpu", "dimensions", core.UnknownMarker), "web-at-max", "", nil)
		if got := alarmedOnly("prod", fixtures); len(got) != 0 {
			t.Errorf("got %v", got)
		}
	})
	t.Run("an_unknown_gcp_filter_names_nothing_on_aws", func(t *testing.T) {
		fixtures := with(awsFixtures(), "web-at-max", "", nil)
		fixtures = append(fixtures, fixture{typ: gcpAlertPolicy, name: "offsite-freshness", inputs: obj("notificationChannels", arr(gcpChannel),
			"conditions", arr(obj("conditionThreshold", obj("filter", core.UnknownMarker))))})
		got := alarmedOnly("prod", fixtures)
		if len(got) != 1 || !strings.HasSuffix(got[0], "::web") {
			t.Errorf("want the AWS group to fail, got %v", got)
		}
	})
	t.Run("an_unknown_description_names_nothing", func(t *testing.T) {
		fixtures := with(with(awsFixtures(), "db-cpu", "alarmDescription", core.UnknownMarker), "web-at-max", "", nil)
		if got := alarmedOnly("prod", fixtures); len(got) != 1 {
			t.Errorf("want the group to fail, got %v", got)
		}
	})
	t.Run("in_a_preview_the_engine_says_what_it_comes_from", func(t *testing.T) {
		fixtures := with(awsFixtures(), "web-at-max", "metricQueries.0.metric.dimensions.AutoScalingGroupName", core.UnknownMarker)
		fixtures = with(fixtures, "db-cpu", "dimensions.DBInstanceIdentifier", core.UnknownMarker)
		resources := resourcesOf(fixtures)
		var db, web string
		for _, r := range resources {
			switch r.Name {
			case "db":
				db = r.URN
			case "web":
				web = r.URN
			}
		}
		for _, r := range resources {
			switch r.Name {
			case "db-cpu": // its unknown identifier comes from the database...
				r.Deps = map[string][]string{"dimensions": {db}}
			case "web-at-max": // ...and this one's from another group
				r.Deps = map[string][]string{"metricQueries": {"urn:pulumi:prod::wedsync::aws:autoscaling/group:Group::batch"}}
			}
		}
		var got []string
		for _, f := range Evaluate(resources, NewEnv("prod", Config{}, wednesday)) {
			if f.Policy == PolicyAlarmed {
				got = append(got, f.URN)
			}
		}
		if len(got) != 1 || got[0] != web {
			t.Errorf("want only %s, got %v", web, got)
		}
	})
}

func TestCopiesAndReportSinksNeedNoAlarmOfTheirOwn(t *testing.T) {
	fixtures := append(awsFixtures(),
		fixture{typ: awsS3BucketV2, name: "backup-replica", in: "backups", id: "wedsync-backup-replica", protect: true, inputs: obj("bucket", "wedsync-backup-replica")},
		fixture{typ: awsS3BucketV2, name: "backup-inventory", in: "backups", id: "wedsync-backup-inventory", protect: true, inputs: obj("bucket", "wedsync-backup-inventory")},
		fixture{typ: awsS3Inventory, name: "backup-inventory-config", in: "backups", inputs: obj("bucket", "wedsync-backup", "destination", obj("bucket", obj("bucketArn", "arn:aws:s3:::wedsync-backup-inventory")))},
	)
	fixtures = with(fixtures, "backup-replication", "rules.0.destination", obj("bucket", "arn:aws:s3:::wedsync-backup-replica"))
	if got := alarmedOnly("prod", fixtures); len(got) != 0 {
		t.Errorf("a replica (watched by its source's replication alarms) and an inventory sink need no alarm; got %v", got)
	}
}
