package backupbucket

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	s3BucketT    = "aws:s3/bucketV2:BucketV2"
	s3Lock       = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	s3SSE        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	s3Versioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	s3Public     = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	s3Ownership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	s3Policy     = "aws:s3/bucketPolicy:BucketPolicy"
	s3Lifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	s3Repl       = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	s3Inventory  = "aws:s3/inventory:Inventory"
	iamRole      = "aws:iam/role:Role"
	cwAlarm      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	transferJob  = "gcp:storage/transferJob:TransferJob"
	gcsBucketT   = "gcp:storage/bucket:Bucket"
)

func TestAWS(t *testing.T) {
	prod := fixture{cloud: core.AWS, env: core.Prod, offsite: true, alerts: true}.run(t)
	dev := fixture{cloud: core.AWS, env: core.Dev, noDR: true}.run(t)
	primaryKey := "arn:aws:kms:eu-west-2:123456789012:key/backup-eu-west-2"
	drKey := "arn:aws:kms:eu-west-1:123456789012:key/backup-eu-west-1"

	t.Run("prod_bucket_is_encrypted_with_the_backup_key_and_bucket_keys", func(t *testing.T) {
		sse := prod.one(s3SSE, "db-exports")
		equal(t, sse, "aws:kms", "rules", "0", "applyServerSideEncryptionByDefault", "sseAlgorithm")
		equal(t, sse, primaryKey, "rules", "0", "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
		equal(t, sse, true, "rules", "0", "bucketKeyEnabled")
	})
	t.Run("every_read_or_write_of_a_backup_is_recorded_under_the_backup_key", func(t *testing.T) {
		store := prod.one("aws:cloudtrail/eventDataStore:EventDataStore", "db-exports-access")
		equal(t, store, primaryKey, "kmsKeyId")
		sel := toJSON(get(t, store, "advancedEventSelectors"))
		// The DR replica holds the same guest data: its reads are recorded too,
		// which a store only sees from another region when multi-region.
		for _, want := range []string{`"Data"`, `"AWS::S3::Object"`, `"arn:aws:s3:::wedsync-prod-backup-db-exports-euw2/"`,
			`"arn:aws:s3:::wedsync-prod-backup-db-exports-replica-euw1/"`} {
			if !strings.Contains(sel, want) {
				t.Errorf("access records select %s, want %s", sel, want)
			}
		}
		equal(t, store, true, "multiRegionEnabled")
		// Without a replica the store stays in its region.
		equal(t, dev.one("aws:cloudtrail/eventDataStore:EventDataStore", "db-exports-access"), false, "multiRegionEnabled")
	})
	t.Run("prod_bucket_is_versioned_and_protected", func(t *testing.T) {
		equal(t, prod.one(s3Versioning, "db-exports"), "Enabled", "versioningConfiguration", "status")
		b := prod.one(s3BucketT, "db-exports")
		if !b.Protect {
			t.Error("prod backup bucket is not protected")
		}
		equal(t, b, false, "forceDestroy")
		equal(t, b, true, "objectLockEnabled")
		equal(t, b, "wedsync-prod-backup-db-exports-euw2", "bucket")
	})
	t.Run("every_bucket_blocks_public_access_and_acls", func(t *testing.T) {
		for _, res := range prod.all(s3Public) {
			for _, f := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				equal(t, res, true, f)
			}
		}
		if n := len(prod.all(s3Public)); n != 3 {
			t.Errorf("want public access blocks on primary, replica and inventory buckets, got %d", n)
		}
		for _, res := range prod.all(s3Ownership) {
			equal(t, res, "BucketOwnerEnforced", "rule", "objectOwnership")
		}
	})
	t.Run("bucket_policy_refuses_plain_http_and_foreign_keys", func(t *testing.T) {
		doc := policy(t, prod.one(s3Policy, "db-exports"), "policy")
		tls := statement(doc, "DenyInsecureTransport")
		if tls == nil || tls["Effect"] != "Deny" || !strings.Contains(toJSON(tls["Condition"]), `"aws:SecureTransport":"false"`) {
			t.Errorf("no TLS-only statement: %v", doc)
		}
		if s := statement(doc, "DenyUploadsNotEncryptedWithKMS"); s == nil || !strings.Contains(toJSON(s["Condition"]), `"aws:kms"`) {
			t.Errorf("unencrypted uploads are not refused: %v", doc)
		}
		if s := statement(doc, "DenyUploadsUnderAnotherKey"); s == nil || !strings.Contains(toJSON(s["Condition"]), primaryKey) {
			t.Errorf("uploads under another key are not refused: %v", doc)
		}
	})
	t.Run("prod_locks_backups_in_compliance_mode_for_the_retention", func(t *testing.T) {
		lock := prod.one(s3Lock, "db-exports")
		equal(t, lock, "COMPLIANCE", "rule", "defaultRetention", "mode")
		equal(t, lock, 365, "rule", "defaultRetention", "days")
	})
	t.Run("dev_locks_in_governance_mode_and_can_be_torn_down", func(t *testing.T) {
		equal(t, dev.one(s3Lock, "db-exports"), "GOVERNANCE", "rule", "defaultRetention", "mode")
		b := dev.one(s3BucketT, "db-exports")
		equal(t, b, true, "forceDestroy")
		if b.Protect {
			t.Error("dev bucket is protected")
		}
	})
	t.Run("prod_lifecycle_tiers_down_and_expires_at_retention", func(t *testing.T) {
		lc := prod.one(s3Lifecycle, "db-exports")
		for i, want := range []string{"30 STANDARD_IA", "90 GLACIER_IR", "180 DEEP_ARCHIVE"} {
			tr := get(t, lc, "rules", "0", "transitions", string(rune('0'+i))).(map[string]any)
			if got := toString(tr["days"]) + " " + toString(tr["storageClass"]); got != want {
				t.Errorf("transition %d = %s, want %s", i, got, want)
			}
		}
		equal(t, lc, 364, "rules", "0", "expiration", "days")
		equal(t, lc, 1, "rules", "0", "noncurrentVersionExpiration", "noncurrentDays")
	})
	t.Run("dev_lifecycle_has_no_tiers", func(t *testing.T) {
		if v, ok := lookup(dev.one(s3Lifecycle, "db-exports"), "rules", "0", "transitions"); ok && v != nil && len(v.([]any)) > 0 {
			t.Errorf("dev transitions = %v", v)
		}
	})
	t.Run("prod_replicates_to_a_locked_bucket_in_the_dr_region_under_the_dr_key", func(t *testing.T) {
		replica := prod.one(s3BucketT, "db-exports-replica")
		if prod.providerOf(replica) != "aws-dr" {
			t.Errorf("replica provider = %s, want aws-dr", prod.providerOf(replica))
		}
		equal(t, replica, "wedsync-prod-backup-db-exports-replica-euw1", "bucket")
		equal(t, prod.one(s3SSE, "db-exports-replica"), drKey, "rules", "0", "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
		equal(t, prod.one(s3Lock, "db-exports-replica"), "COMPLIANCE", "rule", "defaultRetention", "mode")
		equal(t, prod.one(s3Versioning, "db-exports-replica"), "Enabled", "versioningConfiguration", "status")
		repl := prod.one(s3Repl, "db-exports")
		equal(t, repl, "arn:aws:s3:::wedsync-prod-backup-db-exports-replica-euw1", "rules", "0", "destination", "bucket")
		equal(t, repl, drKey, "rules", "0", "destination", "encryptionConfiguration", "replicaKmsKeyId")
		equal(t, repl, "Enabled", "rules", "0", "destination", "replicationTime", "status")
		equal(t, repl, 15, "rules", "0", "destination", "replicationTime", "time", "minutes")
		equal(t, repl, "Enabled", "rules", "0", "destination", "metrics", "status")
		equal(t, repl, "Disabled", "rules", "0", "deleteMarkerReplication", "status")
	})
	t.Run("dev_without_dr_has_no_replica", func(t *testing.T) {
		if n := len(dev.all(s3Repl)); n != 0 {
			t.Errorf("dev has %d replication configs", n)
		}
	})
	t.Run("inventory_reports_encryption_lock_replication_and_checksums_daily", func(t *testing.T) {
		inv := prod.one(s3Inventory, "db-exports")
		fields := toJSON(get(t, inv, "optionalFields"))
		for _, f := range []string{"EncryptionStatus", "ObjectLockMode", "ObjectLockRetainUntilDate", "ReplicationStatus", "ChecksumAlgorithm"} {
			if !strings.Contains(fields, `"`+f+`"`) {
				t.Errorf("inventory lacks %s: %s", f, fields)
			}
		}
		equal(t, inv, "Daily", "schedule", "frequency")
		equal(t, inv, "arn:aws:s3:::wedsync-prod-backup-db-exports-inventory-euw2", "destination", "bucket", "bucketArn")
		equal(t, inv, primaryKey, "destination", "bucket", "encryption", "sseKms", "keyId")
	})
	t.Run("prod_alarms_on_freshness_and_replication", func(t *testing.T) {
		for _, n := range []string{"db-exports-freshness", "db-exports-replication-failed", "db-exports-replication-latency"} {
			a := prod.one(cwAlarm, n)
			equal(t, a, "[arn:aws:sns:eu-west-2:123456789012:alerts]", "alarmActions")
		}
		equal(t, prod.one(cwAlarm, "db-exports-freshness"), "breaching", "treatMissingData")
		equal(t, prod.one(cwAlarm, "db-exports-replication-latency"), 900, "threshold")
		if n := len(dev.all(cwAlarm)); n != 0 {
			t.Errorf("dev without an alert target has %d alarms", n)
		}
	})
	t.Run("prod_copies_offsite_to_a_locked_gcs_bucket_in_london_nightly", func(t *testing.T) {
		b := prod.one(gcsBucketT, "db-exports-offsite")
		if prod.providerOf(b) != "gcp-offsite" {
			t.Errorf("offsite bucket provider = %s", prod.providerOf(b))
		}
		equal(t, b, "EUROPE-WEST2", "location")
		equal(t, b, "projects/"+testkit.GCPProject+"/locations/europe-west2/keyRings/wedsync/cryptoKeys/backup", "encryption", "defaultKmsKeyName")
		equal(t, b, true, "retentionPolicy", "isLocked")
		equal(t, b, "enforced", "publicAccessPrevention")
		if !b.Protect {
			t.Error("offsite bucket is not protected")
		}
		job := prod.one(transferJob, "db-exports-offsite")
		equal(t, job, "wedsync-prod-backup-db-exports-euw2", "transferSpec", "awsS3DataSource", "bucketName")
		equal(t, job, "arn:aws:iam::123456789012:role/wedsync-prod-backup-db-exports-offsite-reader", "transferSpec", "awsS3DataSource", "roleArn")
		equal(t, job, "wedsync-prod-backup-db-exports-offsite-euw2", "transferSpec", "gcsDataSink", "bucketName")
		equal(t, job, "86400s", "schedule", "repeatInterval")
		if _, ok := lookup(job, "transferSpec", "awsS3DataSource", "awsAccessKey"); ok {
			t.Error("offsite transfer uses an access key")
		}
	})
	t.Run("offsite_role_trusts_only_the_transfer_service_account", func(t *testing.T) {
		doc := policy(t, prod.one(iamRole, "db-exports-offsite-reader"), "assumeRolePolicy")
		s := toJSON(doc)
		for _, want := range []string{`"Federated":"accounts.google.com"`, `"sts:AssumeRoleWithWebIdentity"`, `"accounts.google.com:sub":"1`, `"accounts.google.com:aud":"1`} {
			if !strings.Contains(s, want) {
				t.Errorf("trust policy lacks %s: %s", want, s)
			}
		}
	})
}
