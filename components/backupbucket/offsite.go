package backupbucket

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// offsiteStartHourUTC is when the nightly offsite copy runs: after the
// nightly exports (around 01:00-02:00 UK time) have landed and replicated.
const offsiteStartHourUTC = 4

// offsiteFromS3 copies the S3 backups nightly to a GCS bucket at the offsite
// site: encrypted with the offsite key, retention-locked like the rest. The
// Storage Transfer job reads S3 through an AWS role that trusts only the
// project's Storage Transfer service account, by its Google subject id
// (AssumeRoleWithWebIdentity): there is no access key to leak or rotate.
// It returns the copy's "cloud:region" and bucket name.
func (b *builder) offsiteFromS3(src *s3.BucketV2) (pulumi.StringOutput, pulumi.StringOutput, error) {
	var none pulumi.StringOutput
	sts, err := storage.GetTransferProjectServiceAccount(b.ctx, &storage.GetTransferProjectServiceAccountArgs{Project: project(*b.offsite)}, pulumi.Provider(b.offsite.Provider))
	if err != nil {
		return none, none, err
	}
	role, readPolicy, err := b.offsiteReader(sts.SubjectId, src)
	if err != nil {
		return none, none, err
	}
	return b.offsiteTransfer(sts, offsiteSource{
		from: "S3",
		spec: func(spec *storage.TransferJobTransferSpecArgs) {
			spec.AwsS3DataSource = &storage.TransferJobTransferSpecAwsS3DataSourceArgs{BucketName: src.Bucket, RoleArn: role.Arn}
		},
		after: []pulumi.Resource{readPolicy},
	})
}

// offsiteSource is what a Storage Transfer copy into the offsite bucket
// reads: the source named in the job's description, its data source, the
// source-side grants it makes once the offsite bucket exists (optional),
// and what else the job waits for.
type offsiteSource struct {
	from   string
	spec   func(*storage.TransferJobTransferSpecArgs)
	grants func(name string, off core.Site, member string) (pulumi.Resource, error)
	after  []pulumi.Resource
}

// offsiteTransfer is the skeleton every Storage Transfer copy shares: the
// locked offsite bucket, the transfer service agent's grants on it, the
// source's grants, the failure notifications, the nightly job that
// copies src into the bucket without ever overwriting, and its alarms. It
// returns the copy's "cloud:region" and bucket name.
func (b *builder) offsiteTransfer(sts *storage.GetTransferProjectServiceAccountResult, src offsiteSource) (pulumi.StringOutput, pulumi.StringOutput, error) {
	off, name := *b.offsite, b.name+"-offsite"
	var none pulumi.StringOutput
	dst, err := b.gcsBucket(name, off, b.bucketName(off, "offsite"), b.offKey)
	if err != nil {
		return none, none, err
	}
	deps, err := b.gcsTransferGrants(name, off, sts.Member, nil, dst)
	if err != nil {
		return none, none, err
	}
	if src.grants != nil {
		g, err := src.grants(name, off, sts.Member)
		if err != nil {
			return none, none, err
		}
		deps = append(deps, g)
	}
	notify, err := b.offsiteNotifications(name, off, sts.Member)
	if err != nil {
		return none, none, err
	}
	spec := &storage.TransferJobTransferSpecArgs{
		GcsDataSink:      &storage.TransferJobTransferSpecGcsDataSinkArgs{BucketName: dst.Name},
		TransferOptions:  immutableCopy(),
		ObjectConditions: b.offsiteConditions(),
	}
	src.spec(spec)
	_, err = storage.NewTransferJob(b.ctx, name, &storage.TransferJobArgs{
		Description:        pulumi.String(fmt.Sprintf("%s %s backups from %s %s, offsite", b.dep.Stack, b.purpose, src.from, b.dep.Primary.Region)),
		Project:            pulumi.StringPtrFromPtr(project(off)),
		Status:             pulumi.String("ENABLED"),
		TransferSpec:       spec,
		NotificationConfig: notify.config,
		Schedule:           offsiteSchedule(),
	}, b.opts(off, pulumi.DependsOn(append(append(deps, src.after...), notify.ready...)))...)
	if err != nil {
		return none, none, err
	}
	if err := b.offsiteAlarms(dst, notify.topic); err != nil {
		return none, none, err
	}
	return pulumi.Sprintf("%s:%s", off.Cloud, off.Region), dst.Name, nil
}

// offsiteRecoveryWindowHours is how far back a recovery's offsite copy
// reaches: the source's own offsite copy carried everything until its
// last nightly run before the loss, so two days cover what was written
// after that run and a rebuild that spans a night, and no more.
const offsiteRecoveryWindowHours = 48

// offsiteConditions are what a transfer job copies: everything new in the
// source, but in a recovery only what was written in the last
// offsiteRecoveryWindowHours. The adopted replica (or failed-over account)
// holds the source's whole history, which the source's offsite bucket
// already has (it stays, locked): copied again into this stack's new
// bucket it would be paid for twice and, relocked from the day of the
// copy, outlive its stated retention by up to the retention itself.
// Storage Transfer compares the objects' last modification time with the
// start of each run:
// https://cloud.google.com/storage-transfer/docs/reference/rest/v1/TransferSpec#ObjectConditions
func (b *builder) offsiteConditions() storage.TransferJobTransferSpecObjectConditionsPtrInput {
	if !b.recovery {
		return nil
	}
	return &storage.TransferJobTransferSpecObjectConditionsArgs{
		MaxTimeElapsedSinceLastModification: pulumi.String(fmt.Sprintf("%ds", offsiteRecoveryWindowHours*3600)),
	}
}

// offsiteReader is the AWS role the transfer service account (Google
// subject subject) assumes to read src and decrypt with the backup key, and
// the role's policy.
func (b *builder) offsiteReader(subject string, src *s3.BucketV2) (*iam.Role, pulumi.Resource, error) {
	primary, name := b.dep.Primary, b.name+"-offsite-reader"
	trust, err := policyDoc{Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]any{"Federated": "accounts.google.com"},
		Action:    "sts:AssumeRoleWithWebIdentity",
		Condition: map[string]any{"StringEquals": map[string]any{
			"accounts.google.com:aud": subject,
			"accounts.google.com:sub": subject,
		}},
	}}}.String()
	if err != nil {
		return nil, nil, err
	}
	role, err := iam.NewRole(b.ctx, name, &iam.RoleArgs{
		Name:             pulumi.String(b.dep.NameWithin(64, "backup", b.purpose, "offsite-reader")),
		Description:      pulumi.String("Google Storage Transfer reads " + b.purpose + " backups for the offsite copy"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.opts(primary)...)
	if err != nil {
		return nil, nil, err
	}
	read := pulumi.All(src.Arn, b.key.ID).ApplyT(func(v []any) (string, error) {
		bucketArn, keyArn := v[0].(string), v[1].(string)
		return policyDoc{Statement: []policyStatement{
			{Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetBucketLocation"}, Resource: bucketArn},
			{Effect: "Allow", Action: "s3:GetObject", Resource: bucketArn + "/*"},
			{Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn,
				Condition: map[string]any{"StringLike": map[string]any{"kms:ViaService": "s3." + primary.Region + ".amazonaws.com"}}},
		}}.String()
	}).(pulumi.StringOutput)
	readPolicy, err := iam.NewRolePolicy(b.ctx, name, &iam.RolePolicyArgs{Role: role.ID(), Policy: read}, b.opts(primary)...)
	return role, readPolicy, err
}
