package backupbucket

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// gcsStorageClass is the GCS storage class of each tier.
var gcsStorageClass = map[string]string{
	"infrequent": "NEARLINE",
	"cold":       "COLDLINE",
	"archive":    "ARCHIVE",
}

// transferStart is the first day of every Storage Transfer schedule. A fixed
// date in the past keeps the job's inputs stable between runs (a "today"
// would show a change on every preview); the job runs from its next start
// time on.
var transferStart = &storage.TransferJobScheduleScheduleStartDateArgs{Year: pulumi.Int(2025), Month: pulumi.Int(1), Day: pulumi.Int(1)}

// replicaRepeat is how often the DR replica catches up with the primary.
const replicaRepeat = "3600s"

// The DR copy on GCP is a second bucket in the DR region fed by a Storage
// Transfer job, not a dual-region bucket with turbo replication, because:
//   - a configurable dual-region pairs two regions of one multi-region, and
//     London (europe-west2) is in none (the EU multi-region excludes it), so
//     prod's europe-west2 + europe-west1 cannot be a dual-region at all;
//   - a dual-region bucket's CMEK key must live in the matching multi-region
//     location, not in the per-region keys the secrets store makes, so every
//     stack would need a third key location;
//   - a separate bucket is a separate deletion domain with its own locked
//     retention: a bucket-level mistake at the primary does not reach it.
//
// The price is RPO: the job runs hourly (turbo replication promises 15
// minutes). Backups are written nightly, so an hour is well inside a day's
// freshness, and each database keeps its own PITR for the minutes in between.
func (b *builder) gcp() (outputs, error) {
	primary := b.dep.Primary
	main, err := b.gcsBucket(b.name, primary, b.primaryName(), b.key,
		b.adoption("labels", "effectiveLabels", "terraformLabels", "forceDestroy")...)
	if err != nil {
		return outputs{}, err
	}
	out := outputs{
		name: main.Name,
		id:   main.ID().ToStringOutput(),
		url:  pulumi.Sprintf("gs://%s", main.Name),
	}
	var replica *storage.Bucket
	if b.dr != nil {
		if replica, err = b.gcsReplica(main); err != nil {
			return out, err
		}
		out.replicaLocation = pulumi.String(b.dr.Region).ToStringOutput()
		out.replicaName = replica.Name
	}
	if b.alerts != nil && b.ledger && replica != nil {
		if err := b.gcsLedgerCopyAlert(main, replica); err != nil {
			return out, err
		}
	}
	if b.alerts != nil && !b.ledger {
		if err := b.gcsFreshnessAlert(b.name, "primary bucket", main); err != nil {
			return out, err
		}
		if replica != nil {
			if err := b.gcsFreshnessAlert(b.name+"-replica", "DR replica", replica); err != nil {
				return out, err
			}
		}
	}
	if b.offsite != nil {
		if out.offsiteLocation, out.offsiteName, err = b.offsiteFromGCS(main); err != nil {
			return out, err
		}
	}
	return out, nil
}

// gcsReplica is the DR replica of main and the hourly transfer job that
// feeds it.
func (b *builder) gcsReplica(main *storage.Bucket) (*storage.Bucket, error) {
	primary, name := b.dep.Primary, b.name+"-replica"
	replica, err := b.gcsBucket(name, *b.dr, b.bucketName(*b.dr, "replica"), b.drKey)
	if err != nil {
		return nil, err
	}
	sts, err := storage.GetTransferProjectServiceAccount(b.ctx, &storage.GetTransferProjectServiceAccountArgs{Project: project(primary)}, pulumi.Provider(primary.Provider))
	if err != nil {
		return nil, err
	}
	ready, err := b.gcsTransferGrants(name, primary, sts.Member, main, replica)
	if err != nil {
		return nil, err
	}
	_, err = storage.NewTransferJob(b.ctx, name, &storage.TransferJobArgs{
		Description: pulumi.String(fmt.Sprintf("%s %s backups to the DR replica in %s", b.dep.Stack, b.purpose, b.dr.Region)),
		Project:     pulumi.StringPtrFromPtr(project(primary)),
		Status:      pulumi.String("ENABLED"),
		TransferSpec: &storage.TransferJobTransferSpecArgs{
			GcsDataSource:   &storage.TransferJobTransferSpecGcsDataSourceArgs{BucketName: main.Name},
			GcsDataSink:     &storage.TransferJobTransferSpecGcsDataSinkArgs{BucketName: replica.Name},
			TransferOptions: b.replicaCopy(),
		},
		Schedule: &storage.TransferJobScheduleArgs{ScheduleStartDate: transferStart, RepeatInterval: pulumi.String(replicaRepeat)},
	}, b.opts(primary, pulumi.DependsOn(ready))...)
	return replica, err
}

func project(site core.Site) *string {
	if site.GCPProject == "" {
		return nil
	}
	return &site.GCPProject
}

// gcsBucket creates a bucket at site encrypted with key: private (uniform
// access, public access prevention enforced), retention-locked in prod,
// soft-deleting, and tiered by age.
//
// It has no Object Versioning: GCS refuses versioning on a bucket with a
// retention policy, and the retention policy is the stronger guarantee (no
// backup can be replaced or deleted until it is retentionDays old, rather
// than merely kept as a noncurrent version). Soft delete is off: it would
// keep every backup softDeleteDays past its retention (GDPR erasure is
// promised at retention), and the retention lock already refuses every
// delete before then. The Delete rule at Age retentionDays ends a backup's
// life within a day of its retention (GCS acts asynchronously, within 24
// hours of the condition: https://cloud.google.com/storage/docs/lifecycle#behavior).
//
// The key must already let the project's Cloud Storage service agent
// (service-PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com)
// encrypt and decrypt: the secrets store grants that once per key, because a
// per-bucket grant of the same binding would be removed for every bucket when
// any one of them is destroyed.
// bucketOpts are further options of the bucket itself (an adoption).
func (b *builder) gcsBucket(name string, site core.Site, bucketName string, key *core.Key, bucketOpts ...pulumi.ResourceOption) (*storage.Bucket, error) {
	if b.live {
		return b.gcsLiveBucket(name, site, bucketName, key, bucketOpts...)
	}
	args := b.gcsBucketArgs(site, bucketName, key)
	rules := storage.BucketLifecycleRuleArray{}
	for _, t := range b.s.Tiers.ages() {
		rules = append(rules, &storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("SetStorageClass"), StorageClass: pulumi.String(gcsStorageClass[t.name])},
			Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(t.days)},
		})
	}
	args.LifecycleRules = append(rules,
		&storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
			Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(b.s.RetentionDays)},
		},
		abortIncompleteUploads,
	)
	args.Versioning = &storage.BucketVersioningArgs{Enabled: pulumi.Bool(false)}
	args.RetentionPolicy = &storage.BucketRetentionPolicyArgs{
		RetentionPeriod: pulumi.Int(b.s.RetentionDays * 86400),
		IsLocked:        pulumi.Bool(b.mode == Compliance),
	}
	args.SoftDeletePolicy = &storage.BucketSoftDeletePolicyArgs{RetentionDurationSeconds: pulumi.Int(0)}
	return storage.NewBucket(b.ctx, name, args, b.opts(site, append([]pulumi.ResourceOption{b.dep.Protect()}, bucketOpts...)...)...)
}

// gcsBucketArgs is what every bucket of the component shares, backup or
// live: where it is, its key, and no public or per-object access.
func (b *builder) gcsBucketArgs(site core.Site, bucketName string, key *core.Key) *storage.BucketArgs {
	return &storage.BucketArgs{
		Name:                     pulumi.String(bucketName),
		Project:                  pulumi.StringPtrFromPtr(project(site)),
		Location:                 pulumi.String(strings.ToUpper(site.Region)),
		StorageClass:             pulumi.String("STANDARD"),
		ForceDestroy:             pulumi.Bool(b.forceDestroy()),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		Encryption:               &storage.BucketEncryptionArgs{DefaultKmsKeyName: key.ID},
	}
}

// abortIncompleteUploads drops parts of uploads left unfinished for a week.
var abortIncompleteUploads = &storage.BucketLifecycleRuleArgs{
	Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("AbortIncompleteMultipartUpload")},
	Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(7)},
}

// gcsLiveBucket is gcsBucket for live objects: versioned (a locked
// retention policy would refuse every overwrite of a state file), with
// soft delete for the retention so that a deleted or replaced version can
// be restored, and replaced versions removed after the retention. Current
// versions are never deleted or tiered.
func (b *builder) gcsLiveBucket(name string, site core.Site, bucketName string, key *core.Key, bucketOpts ...pulumi.ResourceOption) (*storage.Bucket, error) {
	args := b.gcsBucketArgs(site, bucketName, key)
	args.Versioning = &storage.BucketVersioningArgs{Enabled: pulumi.Bool(true)}
	args.SoftDeletePolicy = &storage.BucketSoftDeletePolicyArgs{RetentionDurationSeconds: pulumi.Int(b.s.RetentionDays * 86400)}
	args.LifecycleRules = storage.BucketLifecycleRuleArray{
		&storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
			Condition: &storage.BucketLifecycleRuleConditionArgs{DaysSinceNoncurrentTime: pulumi.Int(b.s.RetentionDays), WithState: pulumi.String("ARCHIVED")},
		},
		abortIncompleteUploads,
	}
	return storage.NewBucket(b.ctx, name, args, b.opts(site, append([]pulumi.ResourceOption{b.dep.Protect()}, bucketOpts...)...)...)
}

// replicaCopy is how the DR replica is kept: immutably for backups; for
// live objects a changed object is copied again (the replica is versioned).
func (b *builder) replicaCopy() *storage.TransferJobTransferSpecTransferOptionsArgs {
	if !b.live {
		return immutableCopy()
	}
	return &storage.TransferJobTransferSpecTransferOptionsArgs{
		OverwriteWhen:                        pulumi.String("DIFFERENT"),
		DeleteObjectsUniqueInSink:            pulumi.Bool(false),
		DeleteObjectsFromSourceAfterTransfer: pulumi.Bool(false),
	}
}

// immutableCopy never overwrites or deletes at the destination: backups are
// immutable at both ends, and a job that tried would fail on the lock.
func immutableCopy() *storage.TransferJobTransferSpecTransferOptionsArgs {
	return &storage.TransferJobTransferSpecTransferOptionsArgs{
		OverwriteWhen:                        pulumi.String("NEVER"),
		DeleteObjectsUniqueInSink:            pulumi.Bool(false),
		DeleteObjectsFromSourceAfterTransfer: pulumi.Bool(false),
	}
}

// gcsTransferGrants lets the Storage Transfer service account read src (nil
// when the source is not a GCS bucket) and write dst, and returns the grants
// a transfer job must wait for.
func (b *builder) gcsTransferGrants(name string, site core.Site, member string, src, dst *storage.Bucket) ([]pulumi.Resource, error) {
	type grant struct {
		suffix string
		bucket *storage.Bucket
		role   string
	}
	grants := []grant{
		{"sink-writer", dst, "roles/storage.legacyBucketWriter"},
		{"sink-viewer", dst, "roles/storage.objectViewer"},
	}
	if src != nil {
		grants = append(grants,
			grant{"source-reader", src, "roles/storage.legacyBucketReader"},
			grant{"source-viewer", src, "roles/storage.objectViewer"})
	}
	var ready []pulumi.Resource
	for _, g := range grants {
		m, err := storage.NewBucketIAMMember(b.ctx, name+"-"+g.suffix, &storage.BucketIAMMemberArgs{
			Bucket: g.bucket.Name,
			Role:   pulumi.String(g.role),
			Member: pulumi.String(member),
		}, b.opts(site)...)
		if err != nil {
			return nil, err
		}
		ready = append(ready, m)
	}
	return ready, nil
}

// gcsFreshnessAlert raises when no object was written to b in a day: for the
// primary, the nightly backup did not arrive; for a copy, the transfer
// stopped. Missing data counts as no writes.
func (b *builder) gcsFreshnessAlert(name, what string, bucket *storage.Bucket) error {
	return b.gcsFreshnessAlertAt(b.dep.Primary, b.alerts, name, what, bucket)
}

// gcsFreshnessAlertAt is gcsFreshnessAlert in site's project, notifying
// target (the offsite copy's alarms live at the offsite site).
func (b *builder) gcsFreshnessAlertAt(site core.Site, target *core.AlertTarget, name, what string, bucket *storage.Bucket) error {
	t := target.Limits()
	filter := pulumi.Sprintf(`resource.type = "gcs_bucket" AND resource.labels.bucket_name = "%s" AND `+
		`metric.type = "storage.googleapis.com/api/request_count" AND `+
		`metric.labels.method = one_of("WriteObject", "RewriteObject", "ComposeObject")`, bucket.Name)
	_, err := monitoring.NewAlertPolicy(b.ctx, name+"-"+alarmFreshness, &monitoring.AlertPolicyArgs{
		DisplayName: pulumi.String(fmt.Sprintf("%s: no %s backup written to the %s in %d hours", b.dep.Stack, b.purpose, what, t.BackupMaxAgeHours)),
		Project:     pulumi.StringPtrFromPtr(project(site)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{&monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String(fmt.Sprintf("objects written in the last %d hours < 1", t.BackupMaxAgeHours)),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter: filter,
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{&monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod:    pulumi.String(fmt.Sprintf("%ds", t.BackupMaxAgeHours*3600)),
					PerSeriesAligner:   pulumi.String("ALIGN_SUM"),
					CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
				}},
				Comparison:            pulumi.String("COMPARISON_LT"),
				ThresholdValue:        pulumi.Float64(1),
				Duration:              pulumi.String("0s"),
				EvaluationMissingData: pulumi.String("EVALUATION_MISSING_DATA_ACTIVE"),
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(b.alarmDescription(alarmFreshness, t)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: target.IDs,
	}, b.opts(site)...)
	return err
}

// gcsLedgerCopyAlert raises when the ledger's replica holds fewer entries
// than the primary for a day: the hourly transfer stopped copying. A
// ledger is written only when someone is erased, so "nothing written"
// says nothing; the two buckets' object counts (sampled daily,
// cloud.google.com/monitoring/api/metrics_gcp#gcp-storage) must agree.
func (b *builder) gcsLedgerCopyAlert(main, replica *storage.Bucket) error {
	site := b.dep.Primary
	query := pulumi.Sprintf(`sum(storage_googleapis_com:storage_object_count{bucket_name="%s"}) - `+
		`sum(storage_googleapis_com:storage_object_count{bucket_name="%s"}) > 0`, main.Name, replica.Name)
	_, err := monitoring.NewAlertPolicy(b.ctx, b.name+"-"+alarmReplicationFailed, &monitoring.AlertPolicyArgs{
		DisplayName: pulumi.String(fmt.Sprintf("%s: the %s replica in %s is missing entries", b.dep.Stack, b.purpose, b.dr.Region)),
		Project:     pulumi.StringPtrFromPtr(project(site)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{&monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String("primary entries - replica entries > 0 for a day"),
			ConditionPrometheusQueryLanguage: &monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs{
				Query:    query,
				Duration: pulumi.String("86400s"),
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(b.alarmDescription(alarmReplicationFailed, b.alerts.Limits())), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: b.alerts.IDs,
	}, b.opts(site)...)
	return err
}
