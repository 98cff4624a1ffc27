package backupbucket

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// replicationRuleID names the one replication rule; the replication alarms
// select its metrics by it.
const replicationRuleID = "dr"

// replicationMinutes is S3 Replication Time Control's 15-minute target, which
// is also the platform's RPO.
const replicationMinutes = 15

// awsStorageClass is the S3 storage class of each tier. Glacier Instant
// Retrieval for the cold tier keeps a restore within the 1-hour RTO; only the
// archive tier (months old) needs a bulk restore.
var awsStorageClass = map[string]string{
	"infrequent": "STANDARD_IA",
	"cold":       "GLACIER_IR",
	"archive":    "DEEP_ARCHIVE",
}

// s3Bucket is one locked, encrypted, private S3 bucket and the resources
// that configure it.
type s3Bucket struct {
	bucket *s3.BucketV2
	// ready are the configuration resources replication must wait for.
	ready []pulumi.Resource
}

// aws is the backup store on S3: a locked bucket, a replica in the DR
// region under the DR key, a daily inventory, an optional offsite copy on
// GCS, and CloudWatch alarms.
func (b *builder) aws() (outputs, error) {
	primary := b.dep.Primary
	main, err := b.s3Bucket(b.name, primary, b.primaryName(), b.key, true, nil, b.adoption("tags", "tagsAll", "forceDestroy")...)
	if err != nil {
		return outputs{}, err
	}
	out := outputs{
		name: main.bucket.Bucket,
		id:   main.bucket.ID().ToStringOutput(),
		url:  main.bucket.Arn,
	}
	recorded := []*s3.BucketV2{main.bucket}
	if b.dr != nil {
		replica, err := b.s3Bucket(b.name+"-replica", *b.dr, b.bucketName(*b.dr, "replica"), b.drKey, true, nil)
		if err != nil {
			return out, err
		}
		if err := b.s3Replication(main, replica); err != nil {
			return out, err
		}
		out.replicaLocation = pulumi.String(b.dr.Region).ToStringOutput()
		out.replicaName = replica.bucket.Bucket
		recorded = append(recorded, replica.bucket)
	}
	if out.inventoryDestination, err = b.s3Inventory(main.bucket); err != nil {
		return out, err
	}
	if err := b.s3AccessRecords(recorded); err != nil {
		return out, err
	}
	if b.offsite != nil {
		if out.offsiteLocation, out.offsiteName, err = b.offsiteFromS3(main.bucket); err != nil {
			return out, err
		}
	}
	if b.alerts != nil {
		if err := b.s3Alarms(main.bucket); err != nil {
			return out, err
		}
	}
	return out, nil
}

// s3Bucket creates a bucket at site encrypted with key: versioned, object
// locked (locked=true) for the retention period, private, owner-enforced,
// TLS-only, accepting uploads only under its own key, and tiered by age.
// policy is the bucket's one bucket policy, from its ARN (nil: the backup
// policy, TLS-only and uploads only under key); a bucket has one policy,
// so whatever else must be allowed goes into it, never into a second one.
// bucketOpts are further options of the bucket itself (an adoption).
func (b *builder) s3Bucket(name string, site core.Site, bucketName string, key *core.Key, locked bool, policy func(arn pulumi.StringOutput) pulumi.StringOutput, bucketOpts ...pulumi.ResourceOption) (*s3Bucket, error) {
	bucket, err := s3.NewBucketV2(b.ctx, name, &s3.BucketV2Args{
		Bucket: pulumi.String(bucketName),
		// Object lock can only be turned on when the bucket is created.
		ObjectLockEnabled: pulumi.Bool(locked),
		ForceDestroy:      pulumi.Bool(b.forceDestroy()),
	}, b.opts(site, append([]pulumi.ResourceOption{b.dep.Protect()}, bucketOpts...)...)...)
	if err != nil {
		return nil, err
	}
	out := &s3Bucket{bucket: bucket}
	if err := b.s3Guards(out, name, site, key); err != nil {
		return nil, err
	}
	if policy == nil {
		policy = func(arn pulumi.StringOutput) pulumi.StringOutput {
			return pulumi.All(arn, key.ID).ApplyT(func(v []any) (string, error) {
				return bucketPolicy(v[0].(string), v[1].(string), true)
			}).(pulumi.StringOutput)
		}
	}
	if err := b.s3Retention(out, name, site, locked, policy(bucket.Arn)); err != nil {
		return nil, err
	}
	return out, nil
}

// add records r as configuration replication must wait for.
func (s *s3Bucket) add(r pulumi.Resource, err error) error {
	if err == nil {
		s.ready = append(s.ready, r)
	}
	return err
}

// s3Guards makes the bucket owner-enforced, private, versioned and
// encrypted with key by default.
func (b *builder) s3Guards(s *s3Bucket, name string, site core.Site, key *core.Key) error {
	bucket := s.bucket
	opts := b.opts(site, pulumi.DependsOn([]pulumi.Resource{bucket}))
	if err := s.add(s3.NewBucketOwnershipControls(b.ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...)); err != nil {
		return err
	}
	if err := s.add(s3.NewBucketPublicAccessBlock(b.ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)); err != nil {
		return err
	}
	if err := s.add(s3.NewBucketVersioningV2(b.ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, opts...)); err != nil {
		return err
	}
	return s.add(s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm:   pulumi.String("aws:kms"),
				KmsMasterKeyId: key.ID,
			},
			// Bucket keys cut KMS requests (and cost) by orders of magnitude
			// for buckets of many objects.
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...))
}

// s3Retention locks the bucket's objects for the retention (locked=true),
// tiers and expires them, and sets the TLS- and key-only bucket policy,
// each after the guards.
func (b *builder) s3Retention(s *s3Bucket, name string, site core.Site, locked bool, policy pulumi.StringOutput) error {
	bucket := s.bucket
	if locked {
		if err := s.add(s3.NewBucketObjectLockConfigurationV2(b.ctx, name, &s3.BucketObjectLockConfigurationV2Args{
			Bucket:            bucket.ID(),
			ObjectLockEnabled: pulumi.String("Enabled"),
			Rule: &s3.BucketObjectLockConfigurationV2RuleArgs{
				DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
					Mode: pulumi.String(strings.ToUpper(string(b.mode))),
					Days: pulumi.Int(b.s.RetentionDays),
				},
			},
		}, b.opts(site, pulumi.DependsOn(s.ready))...)); err != nil {
			return err
		}
	}
	if err := s.add(s3.NewBucketLifecycleConfigurationV2(b.ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  b.s3Lifecycle(),
	}, b.opts(site, pulumi.DependsOn(s.ready))...)); err != nil {
		return err
	}
	// The policy waits for the public access block, which would otherwise
	// race it and refuse the policy.
	return s.add(s3.NewBucketPolicy(b.ctx, name, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policy,
	}, b.opts(site, pulumi.DependsOn(s.ready))...))
}

// s3Lifecycle tiers backups down as they age and ends every backup's life
// at its retention, within a day. On a versioned bucket, expiring the
// current version only adds a delete marker: the data lives on as a
// noncurrent version until the noncurrent rule removes it. S3 counts both
// rules' days from the event and rounds up to the next midnight UTC
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html#intro-lifecycle-rules-number-of-days),
// so "expire at R, noncurrent after R" kept data about 2R days. Here the
// current version expires after R-1 days and the noncurrent one a day
// later: a backup written at t (days into its first day) becomes
// noncurrent at midnight after t+R-1 and is removed at the next midnight
// after that plus one day, R+1-t days after it was written: in [R, R+1).
// Object lock holds it at least R days whatever the rules say, and
// lifecycle never removes a version still locked.
func (b *builder) s3Lifecycle() s3.BucketLifecycleConfigurationV2RuleArray {
	var transitions s3.BucketLifecycleConfigurationV2RuleTransitionArray
	for _, t := range b.s.Tiers.ages() {
		transitions = append(transitions, &s3.BucketLifecycleConfigurationV2RuleTransitionArgs{
			Days:         pulumi.Int(t.days),
			StorageClass: pulumi.String(awsStorageClass[t.name]),
		})
	}
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	if b.live {
		return b.s3LiveLifecycle(all)
	}
	return s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:          pulumi.String("tiers-and-retention"),
			Status:      pulumi.String("Enabled"),
			Filter:      all,
			Transitions: transitions,
			Expiration:  &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(s3CurrentExpiryDays(b.s.RetentionDays))},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(s3NoncurrentDays),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(7),
			},
		},
		// Expired delete markers would otherwise pile up once their last
		// version is gone.
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expired-delete-markers"),
			Status:     pulumi.String("Enabled"),
			Filter:     all,
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{ExpiredObjectDeleteMarker: pulumi.Bool(true)},
		},
	}
}

// s3LiveLifecycle keeps every current version, in the standard class, and
// a replaced version for the retention (object lock holds it that long).
func (b *builder) s3LiveLifecycle(all *s3.BucketLifecycleConfigurationV2RuleFilterArgs) s3.BucketLifecycleConfigurationV2RuleArray {
	return s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("replaced-versions"),
			Status: pulumi.String("Enabled"),
			Filter: all,
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(b.s.RetentionDays),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(7),
			},
		},
	}
}

// s3NoncurrentDays is how long a replaced or expired version is kept once
// noncurrent: the shortest S3 allows, since object lock already kept it
// for the retention.
const s3NoncurrentDays = 1

// s3CurrentExpiryDays is when the current version of a backup kept
// retention days expires (at least 1, S3's minimum).
func s3CurrentExpiryDays(retention int) int { return max(retention-s3NoncurrentDays, 1) }

type policyDoc struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal,omitempty"`
	Action    any            `json:"Action"`
	Resource  any            `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

func (d policyDoc) String() (string, error) {
	d.Version = "2012-10-17"
	b, err := json.Marshal(d)
	return string(b), err
}

// bucketPolicy refuses plain-HTTP requests and, with requireKey, uploads
// that are not SSE-KMS under the bucket's own key (a client naming another
// key would otherwise encrypt backups with a key we do not control).
func bucketPolicy(bucketArn, keyArn string, requireKey bool) (string, error) {
	doc := policyDoc{Statement: []policyStatement{{
		Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
		Resource:  []string{bucketArn, bucketArn + "/*"},
		Condition: map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}}}
	if requireKey {
		doc.Statement = append(doc.Statement,
			policyStatement{
				Sid: "DenyUploadsNotEncryptedWithKMS", Effect: "Deny", Principal: "*", Action: "s3:PutObject",
				Resource:  bucketArn + "/*",
				Condition: map[string]any{"StringNotEquals": map[string]any{"s3:x-amz-server-side-encryption": "aws:kms"}},
			},
			policyStatement{
				Sid: "DenyUploadsUnderAnotherKey", Effect: "Deny", Principal: "*", Action: "s3:PutObject",
				Resource:  bucketArn + "/*",
				Condition: map[string]any{"StringNotEqualsIfExists": map[string]any{"s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn}},
			})
	}
	return doc.String()
}

// inventoryPolicy is the inventory bucket's policy: TLS only, and S3's
// inventory of the backup bucket srcArn may write.
func inventoryPolicy(dstArn, srcArn string) (string, error) {
	doc, err := bucketPolicy(dstArn, "", false)
	if err != nil {
		return "", err
	}
	var d policyDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "", err
	}
	d.Statement = append(d.Statement, policyStatement{
		Sid: "AllowInventoryFromTheBackupBucket", Effect: "Allow",
		Principal: map[string]any{"Service": "s3.amazonaws.com"}, Action: "s3:PutObject",
		Resource:  dstArn + "/*",
		Condition: map[string]any{"ArnLike": map[string]any{"aws:SourceArn": srcArn}},
	})
	return d.String()
}

// s3Replication replicates every new backup to the replica with Replication
// Time Control (15 minutes, with metrics), re-encrypted under the DR key.
// Delete markers are not replicated: a delete at the primary, by mistake or
// by an attacker, must not reach the copy.
func (b *builder) s3Replication(src, dst *s3Bucket) error {
	name := b.name
	primary := b.dep.Primary
	trust, err := policyDoc{Statement: []policyStatement{{
		Effect: "Allow", Principal: map[string]any{"Service": "s3.amazonaws.com"}, Action: "sts:AssumeRole",
	}}}.String()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, name+"-replication", &iam.RoleArgs{
		Name:             pulumi.String(b.dep.NameWithin(64, "backup", b.purpose, "replication")),
		Description:      pulumi.String("S3 replicates " + b.purpose + " backups to the DR region"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.opts(primary)...)
	if err != nil {
		return err
	}
	policy := pulumi.All(src.bucket.Arn, dst.bucket.Arn, b.key.ID, b.drKey.ID).ApplyT(func(v []any) (string, error) {
		srcArn, dstArn, srcKey, dstKey := v[0].(string), v[1].(string), v[2].(string), v[3].(string)
		return policyDoc{Statement: []policyStatement{
			{Effect: "Allow", Action: []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, Resource: srcArn},
			{Effect: "Allow", Action: []string{
				"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
				"s3:GetObjectRetention", "s3:GetObjectLegalHold",
			}, Resource: srcArn + "/*"},
			{Effect: "Allow", Action: []string{"s3:ReplicateObject", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"}, Resource: dstArn + "/*"},
			{Effect: "Allow", Action: "kms:Decrypt", Resource: srcKey,
				Condition: map[string]any{"StringLike": map[string]any{"kms:ViaService": "s3." + primary.Region + ".amazonaws.com"}}},
			{Effect: "Allow", Action: []string{"kms:Encrypt", "kms:GenerateDataKey"}, Resource: dstKey,
				Condition: map[string]any{"StringLike": map[string]any{"kms:ViaService": "s3." + b.dr.Region + ".amazonaws.com"}}},
		}}.String()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(b.ctx, name+"-replication", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, b.opts(primary)...)
	if err != nil {
		return err
	}
	ready := append(append([]pulumi.Resource{rolePolicy}, src.ready...), dst.ready...)
	_, err = s3.NewBucketReplicationConfig(b.ctx, name, &s3.BucketReplicationConfigArgs{
		Bucket: src.bucket.ID(),
		Role:   role.Arn,
		Rules: s3.BucketReplicationConfigRuleArray{&s3.BucketReplicationConfigRuleArgs{
			Id:     pulumi.String(replicationRuleID),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketReplicationConfigRuleFilterArgs{Prefix: pulumi.String("")},
			DeleteMarkerReplication: &s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{
				Status: pulumi.String("Disabled"),
			},
			SourceSelectionCriteria: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs{
				SseKmsEncryptedObjects: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs{
					Status: pulumi.String("Enabled"),
				},
			},
			Destination: &s3.BucketReplicationConfigRuleDestinationArgs{
				Bucket:       dst.bucket.Arn,
				StorageClass: pulumi.String("STANDARD"),
				EncryptionConfiguration: &s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs{
					ReplicaKmsKeyId: b.drKey.ID,
				},
				ReplicationTime: &s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs{
					Status: pulumi.String("Enabled"),
					Time:   &s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs{Minutes: pulumi.Int(replicationMinutes)},
				},
				Metrics: &s3.BucketReplicationConfigRuleDestinationMetricsArgs{
					Status:         pulumi.String("Enabled"),
					EventThreshold: &s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs{Minutes: pulumi.Int(replicationMinutes)},
				},
			},
		}},
	}, b.opts(primary, pulumi.DependsOn(ready))...)
	return err
}

// s3Inventory delivers a daily inventory of every object version (encryption,
// lock mode and date, replication status, checksum algorithm) as the
// compliance report. S3 delivers inventories only to a bucket in the source
// bucket's region, so the replica (in the DR region) cannot hold it: it goes
// to a small inventory bucket beside the backups, under the same key.
func (b *builder) s3Inventory(src *s3.BucketV2) (pulumi.StringOutput, error) {
	name := b.name
	primary := b.dep.Primary
	// The inventory writer is S3 itself, which cannot be made to send the
	// encryption headers the backup policy demands; the bucket's default
	// encryption and the inventory's own SSE-KMS setting cover it. Its
	// allowance is in the bucket's one policy.
	writer := func(dstArn pulumi.StringOutput) pulumi.StringOutput {
		return pulumi.All(dstArn, src.Arn).ApplyT(func(v []any) (string, error) {
			return inventoryPolicy(v[0].(string), v[1].(string))
		}).(pulumi.StringOutput)
	}
	dst, err := b.s3Bucket(name+"-inventory", primary, b.bucketName(primary, "inventory"), b.key, false, writer)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	_, err = s3.NewInventory(b.ctx, name, &s3.InventoryArgs{
		Bucket:                 src.ID(),
		Name:                   pulumi.String("compliance"),
		IncludedObjectVersions: pulumi.String("All"),
		Schedule:               &s3.InventoryScheduleArgs{Frequency: pulumi.String("Daily")},
		OptionalFields: pulumi.ToStringArray([]string{
			"Size", "LastModifiedDate", "StorageClass", "ETag",
			"EncryptionStatus", "BucketKeyStatus",
			"ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus",
			"ReplicationStatus", "ChecksumAlgorithm",
		}),
		Destination: &s3.InventoryDestinationArgs{Bucket: &s3.InventoryDestinationBucketArgs{
			BucketArn: dst.bucket.Arn,
			Format:    pulumi.String("Parquet"),
			Prefix:    pulumi.String(b.purpose),
			Encryption: &s3.InventoryDestinationBucketEncryptionArgs{
				SseKms: &s3.InventoryDestinationBucketEncryptionSseKmsArgs{KeyId: b.key.ID},
			},
		}},
	}, b.opts(primary, pulumi.DependsOn(dst.ready))...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return pulumi.Sprintf("s3://%s/%s", dst.bucket.Bucket, b.purpose), nil
}

// s3Alarms raises: no new backup in a day (request metrics count PUTs, and
// no data at all is treated as no backup), replication failures, and
// replication falling behind the 15-minute target.
func (b *builder) s3Alarms(bucket *s3.BucketV2) error {
	name := b.name
	primary := b.dep.Primary
	actions := b.alerts.Actions()
	t := b.alerts.Limits()
	alarm := func(suffix, description string, args *cloudwatch.MetricAlarmArgs) error {
		args.Name = pulumi.String(b.dep.NameWithin(255, "backup", b.purpose, suffix))
		args.AlarmDescription = pulumi.String(description)
		args.Namespace = pulumi.String("AWS/S3")
		args.AlarmActions = actions
		args.OkActions = actions
		_, err := cloudwatch.NewMetricAlarm(b.ctx, name+"-"+suffix, args, b.opts(primary)...)
		return err
	}
	// A ledger is written when someone is erased, not daily: no freshness.
	if !b.ledger {
		metric, err := s3.NewBucketMetric(b.ctx, name, &s3.BucketMetricArgs{
			Bucket: bucket.ID(),
			Name:   pulumi.String("all-requests"),
		}, b.opts(primary)...)
		if err != nil {
			return err
		}
		if err := alarm(alarmFreshness, b.alarmDescription(alarmFreshness, t), &cloudwatch.MetricAlarmArgs{
			MetricName:         pulumi.String("PutRequests"),
			Dimensions:         pulumi.StringMap{"BucketName": bucket.Bucket, "FilterId": metric.Name},
			Statistic:          pulumi.String("Sum"),
			Period:             pulumi.Int(t.BackupMaxAgeHours * 3600),
			EvaluationPeriods:  pulumi.Int(1),
			Threshold:          pulumi.Float64(1),
			ComparisonOperator: pulumi.String("LessThanThreshold"),
			TreatMissingData:   pulumi.String("breaching"),
		}); err != nil {
			return err
		}
	}
	if b.dr == nil {
		return nil
	}
	replicaName := pulumi.String(b.bucketName(*b.dr, "replica"))
	dims := pulumi.StringMap{"SourceBucket": bucket.Bucket, "DestinationBucket": replicaName, "RuleId": pulumi.String(replicationRuleID)}
	if err := alarm(alarmReplicationFailed, b.alarmDescription(alarmReplicationFailed, t), &cloudwatch.MetricAlarmArgs{
		MetricName:         pulumi.String("OperationsFailedReplication"),
		Dimensions:         dims,
		Statistic:          pulumi.String("Sum"),
		Period:             pulumi.Int(300),
		EvaluationPeriods:  pulumi.Int(1),
		Threshold:          pulumi.Float64(0),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
	}); err != nil {
		return err
	}
	return alarm(alarmReplicationLatency, b.alarmDescription(alarmReplicationLatency, t), &cloudwatch.MetricAlarmArgs{
		MetricName:         pulumi.String("ReplicationLatency"),
		Dimensions:         dims,
		Statistic:          pulumi.String("Maximum"),
		Period:             pulumi.Int(300),
		EvaluationPeriods:  pulumi.Int(3),
		Threshold:          pulumi.Float64(float64(t.BackupReplicationMinutes * 60)),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
	})
}

// s3AccessRecords records who read, wrote or deleted a backup: S3 data
// events of the objects of every bucket given (the primary and its DR
// replica, which holds the same guest data) in a CloudTrail Lake event data
// store, encrypted with the backup key (whose policy lets CloudTrail use it
// for event data stores in the primary region) and kept as long as the
// backups themselves. A store records only its own region's events unless
// multiRegionEnabled, so a store with a replica in the DR region is
// multi-region; one selector lists every bucket's objects (resources.ARN
// startsWith takes several values), and data events are priced per event,
// so covering the replica adds only its own reads and writes
// (docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store.html,
// docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
func (b *builder) s3AccessRecords(buckets []*s3.BucketV2) error {
	field := func(name string, op string, values pulumi.StringArrayInput) cloudtrail.EventDataStoreAdvancedEventSelectorFieldSelectorArgs {
		f := cloudtrail.EventDataStoreAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String(name)}
		if op == "startsWith" {
			f.StartsWiths = values
		} else {
			f.Equals = values
		}
		return f
	}
	objects := pulumi.StringArray{}
	for _, bucket := range buckets {
		objects = append(objects, pulumi.Sprintf("%s/", bucket.Arn))
	}
	_, err := cloudtrail.NewEventDataStore(b.ctx, b.name+"-access", &cloudtrail.EventDataStoreArgs{
		Name:                         pulumi.String(b.dep.Name("backup", b.purpose, "access")),
		MultiRegionEnabled:           pulumi.Bool(len(buckets) > 1),
		OrganizationEnabled:          pulumi.Bool(false),
		RetentionPeriod:              pulumi.Int(max(b.s.RetentionDays, 7)),
		TerminationProtectionEnabled: pulumi.Bool(b.dep.IsProd()),
		KmsKeyId:                     b.key.ID,
		AdvancedEventSelectors: cloudtrail.EventDataStoreAdvancedEventSelectorArray{
			cloudtrail.EventDataStoreAdvancedEventSelectorArgs{
				Name: pulumi.String(b.purpose + " backups read, written or deleted"),
				FieldSelectors: cloudtrail.EventDataStoreAdvancedEventSelectorFieldSelectorArray{
					field("eventCategory", "equals", pulumi.StringArray{pulumi.String("Data")}),
					field("resources.type", "equals", pulumi.StringArray{pulumi.String("AWS::S3::Object")}),
					field("resources.ARN", "startsWith", objects),
				},
			},
		},
		Tags: b.dep.Tags.For(core.AWS),
	}, b.opts(b.dep.Primary)...)
	return err
}
