package backupbucket

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestGCP(t *testing.T) {
	prod := fixture{cloud: core.GCP, env: core.Prod, alerts: true}.run(t)
	dev := fixture{cloud: core.GCP, env: core.Dev, noDR: true}.run(t)
	key := "projects/" + testkit.GCPProject + "/locations/europe-west2/keyRings/wedsync/cryptoKeys/backup"
	drKey := "projects/" + testkit.GCPProject + "/locations/europe-west1/keyRings/wedsync/cryptoKeys/backup"

	t.Run("prod_bucket_is_encrypted_with_the_backup_key", func(t *testing.T) {
		b := prod.one(gcsBucketT, "db-exports")
		equal(t, b, key, "encryption", "defaultKmsKeyName")
		equal(t, b, "EUROPE-WEST2", "location")
		if !b.Protect {
			t.Error("prod bucket is not protected")
		}
		equal(t, b, false, "forceDestroy")
	})
	t.Run("bucket_is_private", func(t *testing.T) {
		for _, b := range append(prod.all(gcsBucketT), dev.all(gcsBucketT)...) {
			equal(t, b, true, "uniformBucketLevelAccess")
			equal(t, b, "enforced", "publicAccessPrevention")
		}
	})
	t.Run("prod_retention_is_locked_and_refuses_overwrites_instead_of_versioning", func(t *testing.T) {
		b := prod.one(gcsBucketT, "db-exports")
		equal(t, b, true, "retentionPolicy", "isLocked")
		equal(t, b, 365*86400, "retentionPolicy", "retentionPeriod")
		equal(t, b, false, "versioning", "enabled")
		equal(t, b, 0, "softDeletePolicy", "retentionDurationSeconds")
	})
	t.Run("dev_retention_is_unlocked", func(t *testing.T) {
		b := dev.one(gcsBucketT, "db-exports")
		equal(t, b, false, "retentionPolicy", "isLocked")
		equal(t, b, 7*86400, "retentionPolicy", "retentionPeriod")
	})
	t.Run("prod_lifecycle_goes_nearline_coldline_archive_then_deletes_at_retention", func(t *testing.T) {
		rules := toJSON(get(t, prod.one(gcsBucketT, "db-exports"), "lifecycleRules"))
		for _, want := range []string{
			`{"action":{"storageClass":"NEARLINE","type":"SetStorageClass"},"condition":{"age":30}}`,
			`{"action":{"storageClass":"COLDLINE","type":"SetStorageClass"},"condition":{"age":90}}`,
			`{"action":{"storageClass":"ARCHIVE","type":"SetStorageClass"},"condition":{"age":180}}`,
			`{"action":{"type":"Delete"},"condition":{"age":365}}`,
		} {
			if !strings.Contains(rules, want) {
				t.Errorf("lifecycle lacks %s: %s", want, rules)
			}
		}
	})
	t.Run("prod_replica_is_a_locked_bucket_in_the_dr_region_under_the_dr_key", func(t *testing.T) {
		r := prod.one(gcsBucketT, "db-exports-replica")
		equal(t, r, "EUROPE-WEST1", "location")
		equal(t, r, drKey, "encryption", "defaultKmsKeyName")
		equal(t, r, true, "retentionPolicy", "isLocked")
		if prod.providerOf(r) != "gcp-dr" {
			t.Errorf("replica provider = %s", prod.providerOf(r))
		}
		job := prod.one(transferJob, "db-exports-replica")
		equal(t, job, "wedsync-prod-backup-db-exports-euw2", "transferSpec", "gcsDataSource", "bucketName")
		equal(t, job, "wedsync-prod-backup-db-exports-replica-euw1", "transferSpec", "gcsDataSink", "bucketName")
		equal(t, job, "NEVER", "transferSpec", "transferOptions", "overwriteWhen")
		equal(t, job, "3600s", "schedule", "repeatInterval")
	})
	t.Run("dev_without_dr_has_no_replica", func(t *testing.T) {
		if n := len(dev.all(transferJob)); n != 0 {
			t.Errorf("dev has %d transfer jobs", n)
		}
	})
	t.Run("prod_alerts_when_no_backup_arrives_at_primary_or_replica", func(t *testing.T) {
		for _, n := range []string{"db-exports-freshness", "db-exports-replica-freshness"} {
			a := prod.one("gcp:monitoring/alertPolicy:AlertPolicy", n)
			equal(t, a, "EVALUATION_MISSING_DATA_ACTIVE", "conditions", "0", "conditionThreshold", "evaluationMissingData")
		}
	})
}
