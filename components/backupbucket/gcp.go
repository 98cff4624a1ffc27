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
func newGCP(ctx *pulumi.Context, name string, p *build) (outputs, error) {
	primary := p.dep.Primary
	main, err := p.gcsBucket(ctx, name, primary, p.name(primary), p.key)
	if err != nil {
		return outputs{}, err
	}
	out := outputs{
		name: main.Name,
		id:   main.ID().ToStringOutput(),
		url:  pulumi.Sprintf("gs://%s", main.Name),
	}
	watch := []*storage.Bucket{main}
	if p.dr != nil {
		replica, err := p.gcsBucket(ctx, name+"-replica", *p.dr, p.name(*p.dr, "replica"), p.drKey)
		if err != nil {
			return out, err
		}
		sts, err := storage.GetTransferProjectServiceAccount(ctx, &storage.GetTransferProjectServiceAccountArgs{Project: project(primary)}, pulumi.Provider(primary.Provider))
		if err != nil {
			return out, err
		}
		ready, err := p.gcsTransferGrants(ctx, name+"-replica", primary, sts.Member, main, replica)
		if err != nil {
			return out, err
		}
		_, err = storage.NewTransferJob(ctx, name+"-replica", &storage.TransferJobArgs{
			Description: pulumi.String(fmt.Sprintf("%s %s backups to the DR replica in %s", p.dep.Stack, p.purpose, p.dr.Region)),
			Project:     pulumi.StringPtrFromPtr(project(primary)),
			Status:      pulumi.String("ENABLED"),
			TransferSpec: &storage.TransferJobTransferSpecArgs{
				GcsDataSource:   &storage.TransferJobTransferSpecGcsDataSourceArgs{BucketName: main.Name},
				GcsDataSink:     &storage.TransferJobTransferSpecGcsDataSinkArgs{BucketName: replica.Name},
				TransferOptions: immutableCopy(),
			},
			Schedule: &storage.TransferJobScheduleArgs{ScheduleStartDate: transferStart, RepeatInterval: pulumi.String(replicaRepeat)},
		}, p.at(primary, pulumi.DependsOn(ready))...)
		if err != nil {
			return out, err
		}
		out.replicaLocation = pulumi.String(p.dr.Region).ToStringOutput()
		out.replicaName = replica.Name
		watch = append(watch, replica)
	}
	if p.alerts != nil {
		for i, b := range watch {
			what, logical := "primary bucket", name
			if i > 0 {
				what, logical = "DR replica", name+"-replica"
			}
			if err := p.gcsFreshnessAlert(ctx, logical, what, b); err != nil {
				return out, err
			}
		}
	}
	return out, nil
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
// than merely kept as a noncurrent version). Soft delete then keeps anything
// deleted after its retention recoverable for softDeleteDays.
//
// The key must already let the project's Cloud Storage service agent
// (service-PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com)
// encrypt and decrypt: the secrets store grants that once per key, because a
// per-bucket grant of the same binding would be removed for every bucket when
// any one of them is destroyed.
func (p *build) gcsBucket(ctx *pulumi.Context, name string, site core.Site, bucketName string, key *core.Key) (*storage.Bucket, error) {
	rules := storage.BucketLifecycleRuleArray{}
	for _, t := range p.s.Tiers.ages() {
		rules = append(rules, &storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("SetStorageClass"), StorageClass: pulumi.String(gcsStorageClass[t.name])},
			Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(t.days)},
		})
	}
	rules = append(rules,
		&storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
			Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(p.s.RetentionDays)},
		},
		&storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("AbortIncompleteMultipartUpload")},
			Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(7)},
		},
	)
	return storage.NewBucket(ctx, name, &storage.BucketArgs{
		Name:                     pulumi.String(bucketName),
		Project:                  pulumi.StringPtrFromPtr(project(site)),
		Location:                 pulumi.String(strings.ToUpper(site.Region)),
		StorageClass:             pulumi.String("STANDARD"),
		ForceDestroy:             pulumi.Bool(p.forceDestroy()),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		Encryption:               &storage.BucketEncryptionArgs{DefaultKmsKeyName: key.ID},
		Versioning:               &storage.BucketVersioningArgs{Enabled: pulumi.Bool(false)},
		RetentionPolicy: &storage.BucketRetentionPolicyArgs{
			RetentionPeriod: pulumi.Int(p.s.RetentionDays * 86400),
			IsLocked:        pulumi.Bool(p.mode == Compliance),
		},
		SoftDeletePolicy: &storage.BucketSoftDeletePolicyArgs{
			RetentionDurationSeconds: pulumi.Int(softDeleteDays(p.dep.Environment) * 86400),
		},
		LifecycleRules: rules,
	}, p.at(site, p.protect)...)
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
func (p *build) gcsTransferGrants(ctx *pulumi.Context, name string, site core.Site, member string, src, dst *storage.Bucket) ([]pulumi.Resource, error) {
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
		m, err := storage.NewBucketIAMMember(ctx, name+"-"+g.suffix, &storage.BucketIAMMemberArgs{
			Bucket: g.bucket.Name,
			Role:   pulumi.String(g.role),
			Member: pulumi.String(member),
		}, p.at(site)...)
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
func (p *build) gcsFreshnessAlert(ctx *pulumi.Context, name, what string, b *storage.Bucket) error {
	site := p.dep.Primary
	t := p.alerts.Limits()
	filter := pulumi.Sprintf(`resource.type = "gcs_bucket" AND resource.labels.bucket_name = "%s" AND `+
		`metric.type = "storage.googleapis.com/api/request_count" AND `+
		`metric.labels.method = one_of("WriteObject", "RewriteObject", "ComposeObject")`, b.Name)
	_, err := monitoring.NewAlertPolicy(ctx, name+"-freshness", &monitoring.AlertPolicyArgs{
		DisplayName: pulumi.String(fmt.Sprintf("%s: no %s backup written to the %s in %d hours", p.dep.Stack, p.purpose, what, t.BackupMaxAgeHours)),
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
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(p.alarmDescription(alarmFreshness, t)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: p.alerts.IDs,
	}, p.at(site)...)
	return err
}
