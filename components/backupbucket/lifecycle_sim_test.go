package backupbucket

import "math"

// Lifecycle simulators: each cloud's documented lifecycle semantics,
// written from the cloud's documentation and independent of the code that
// generates the rules. Each answers: a backup written at time written (in
// days since day 0 began, UTC), under these rules, when is the last copy
// of its data gone? Time is in days; the clouds act at most once a day.

// endOfDay is the next midnight UTC at or after t.
func endOfDay(t float64) float64 { return math.Ceil(t) }

// s3Rules are what decides a backup's life on a versioned, object-locked
// S3 bucket.
type s3Rules struct {
	expirationDays int // Expiration.Days of the current version
	noncurrentDays int // NoncurrentVersionExpiration.NoncurrentDays
	lockDays       int // object lock default retention
}

// simulateS3 follows:
//   - the rule's days are added to the event (creation; becoming
//     noncurrent) and rounded up to the next midnight UTC:
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html#intro-lifecycle-rules-number-of-days
//   - on a versioned bucket, expiring the current version adds a delete
//     marker; the data lives on as a noncurrent version until
//     NoncurrentVersionExpiration deletes it permanently:
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
//   - lifecycle does not delete a version under object lock retention; it
//     is tried again at the next daily run:
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-lifecycle
func simulateS3(r s3Rules, written float64) float64 {
	noncurrentSince := endOfDay(written + float64(r.expirationDays))
	eligible := endOfDay(noncurrentSince + float64(r.noncurrentDays))
	for run := eligible; ; run++ {
		if run >= written+float64(r.lockDays) {
			return run
		}
	}
}

// gcsRules are what decides a backup's life on a GCS bucket without
// versioning.
type gcsRules struct {
	deleteAgeDays   int // lifecycle Delete with condition age
	retentionDays   float64
	softDeleteDays  float64
	actionLagDays   float64 // how long after its condition GCS acts (up to 1)
	hasDeleteAction bool
}

// simulateGCS follows:
//   - age counts from the object's creation; an action runs
//     asynchronously, within 24 hours of its condition being met:
//     https://cloud.google.com/storage/docs/lifecycle#behavior
//   - a retention policy refuses deletion until creation + the period:
//     https://cloud.google.com/storage/docs/bucket-lock
//   - a deleted object is kept, restorable, for the soft delete duration:
//     https://cloud.google.com/storage/docs/soft-delete
func simulateGCS(r gcsRules, written float64) float64 {
	if !r.hasDeleteAction {
		return math.Inf(1)
	}
	deleted := math.Max(written+float64(r.deleteAgeDays), written+r.retentionDays) + r.actionLagDays
	return deleted + r.softDeleteDays
}

// azureRules are what decides a backup's life on a versioned Azure
// storage account with version-level immutability.
type azureRules struct {
	baseDeleteAfter    int // baseBlob.delete.daysAfterCreationGreaterThan
	versionDeleteAfter int // version.delete.daysAfterCreationGreaterThan
	immutableDays      int // immutabilityPeriodSinceCreationInDays
	softDeleteDays     int // blob soft delete; 0 when off
	runOffset          float64
}

// simulateAzure follows:
//   - the policy runs once a day; "daysAfterCreationGreaterThan n" matches
//     a blob or version more than n days old:
//     https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-overview
//   - deleting the base blob of a versioned account keeps its data as a
//     previous version, with its creation time:
//     https://learn.microsoft.com/azure/storage/blobs/versioning-overview
//   - a version under an immutability policy cannot be deleted until it
//     expires: https://learn.microsoft.com/azure/storage/blobs/immutable-version-level-worm-policies
//   - soft delete keeps a deleted version for its retention:
//     https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview
func simulateAzure(r azureRules, written float64) float64 {
	baseDeleted := math.Inf(1)
	for run := math.Floor(written) + r.runOffset; run < written+20000; run++ {
		if run < written {
			continue
		}
		age := run - written
		if math.IsInf(baseDeleted, 1) && age > float64(r.baseDeleteAfter) {
			baseDeleted = run
		}
		if !math.IsInf(baseDeleted, 1) && age > float64(r.versionDeleteAfter) && age >= float64(r.immutableDays) {
			return run + float64(r.softDeleteDays)
		}
	}
	return math.Inf(1)
}
