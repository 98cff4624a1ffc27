package rules

import (
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
)

var accessRecordBreakings = []breaking{
	{"backup_bucket_without_access_records", "aws", "backup-access", "", nil, PolicyBackupAccessRecords, "backup"},
	{"access_records_select_another_bucket", "aws", "backup-access", "advancedEventSelectors.0.fieldSelectors.2.startsWiths", []any{"arn:aws:s3:::someone-else/"}, PolicyBackupAccessRecords, "backup"},
	{"access_records_of_management_events", "aws", "backup-access", "advancedEventSelectors.0.fieldSelectors.0.equals", []any{"Management"}, PolicyBackupAccessRecords, "backup"},
	{"access_records_of_reads_only", "aws", "backup-access", "advancedEventSelectors.0.fieldSelectors", []any{
		obj("field", "eventCategory", "equals", arr("Data")), obj("field", "resources.type", "equals", arr("AWS::S3::Object")),
		obj("field", "readOnly", "equals", arr("true")), obj("field", "resources.ARN", "startsWiths", arr("arn:aws:s3:::wedsync-backup/")),
	}, PolicyBackupAccessRecords, "backup"},
	{"erasure_ledger_without_access_records", "aws", "ledger-access", "", nil, PolicyBackupAccessRecords, "ledger"},
	{"legacy_backup_bucket_without_access_records", "more", "archive-access", "", nil, PolicyBackupAccessRecords, "archive-bucket"},
}

func init() { breakings = append(breakings, accessRecordBreakings...) }

// A DR replica holds the same guest data as its primary: the store must
// select it and, the replica being in another region, be multi-region;
// in a preview, an unknown ARN counts when the engine says it comes from
// the bucket.
func TestReplicaAccessIsRecordedFromItsRegion(t *testing.T) {
	replica := fixture{typ: awsS3BucketV2, name: "backup-replica", in: "backups", id: "wedsync-backup-replica", protect: true,
		inputs: obj("bucket", "wedsync-backup-replica", "region", "eu-west-1")}
	stack := func(multi bool, prefixes ...any) []*Resource {
		f := with(append(awsFixtures(), replica), "backup-access", "advancedEventSelectors.0.fieldSelectors.2.startsWiths", arr(prefixes...))
		return resourcesOf(with(f, "backup-access", "multiRegionEnabled", multi))
	}
	flagged := func(rs []*Resource) bool {
		for _, f := range Evaluate(rs, NewEnv("prod", Config{}, wednesday)) {
			if f.Policy == PolicyBackupAccessRecords && f.URN == replica.urn(append(awsFixtures(), replica)) {
				return true
			}
		}
		return false
	}
	both := []any{"arn:aws:s3:::wedsync-backup/", "arn:aws:s3:::wedsync-backup-replica/"}
	if flagged(stack(true, both...)) {
		t.Error("a multi-region store selecting the replica's objects was flagged")
	}
	if !flagged(stack(true, "arn:aws:s3:::wedsync-backup/")) {
		t.Error("a store selecting only the primary passed for the replica")
	}
	if !flagged(stack(false, both...)) {
		t.Error("a single-region store passed for a replica in another region")
	}
	preview := func(dep string) []*Resource {
		rs := stack(true, "arn:aws:s3:::wedsync-backup/", core.UnknownMarker)
		for _, r := range rs {
			if r.Name == "backup-access" {
				r.Deps = map[string][]string{"advancedEventSelectors": {dep}}
			}
		}
		return rs
	}
	if flagged(preview(replica.urn(append(awsFixtures(), replica)))) {
		t.Error("an unknown ARN computed from the replica was not counted")
	}
	if !flagged(preview(urnOf(awsS3BucketV2, "elsewhere"))) {
		t.Error("an unknown ARN computed from another bucket was counted for the replica")
	}
}
