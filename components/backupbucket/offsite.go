package backupbucket

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// offsiteStartHourUTC is when the nightly offsite copy runs: after the
// nightly exports (around 01:00-02:00 UK time) have landed and replicated.
const offsiteStartHourUTC = 4

// offsiteFromS3 copies the S3 backups nightly to a GCS bucket at the offsite
// site: encrypted with the offsite key, retention-locked like the rest. The
// Storage Transfer job reads S3 through an AWS role that trusts only the
// project's Storage Transfer service account, by its Google subject id
// (AssumeRoleWithWebIdentity): there is no access key to leak or rotate.
func (p *build) offsiteFromS3(ctx *pulumi.Context, name string, src *s3.BucketV2) (pulumi.StringOutput, pulumi.StringOutput, error) {
	primary, off := p.dep.Primary, *p.offsite
	var none pulumi.StringOutput
	sts, err := storage.GetTransferProjectServiceAccount(ctx, &storage.GetTransferProjectServiceAccountArgs{Project: project(off)}, pulumi.Provider(off.Provider))
	if err != nil {
		return none, none, err
	}
	trust, err := policyDoc{Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]any{"Federated": "accounts.google.com"},
		Action:    "sts:AssumeRoleWithWebIdentity",
		Condition: map[string]any{"StringEquals": map[string]any{
			"accounts.google.com:aud": sts.SubjectId,
			"accounts.google.com:sub": sts.SubjectId,
		}},
	}}}.String()
	if err != nil {
		return none, none, err
	}
	role, err := iam.NewRole(ctx, name+"-offsite-reader", &iam.RoleArgs{
		Name:             pulumi.String(p.dep.NameWithin(64, "backup", p.purpose, "offsite-reader")),
		Description:      pulumi.String("Google Storage Transfer reads " + p.purpose + " backups for the offsite copy"),
		AssumeRolePolicy: pulumi.String(trust),
	}, p.at(primary)...)
	if err != nil {
		return none, none, err
	}
	read := pulumi.All(src.Arn, p.key.ID).ApplyT(func(v []any) (string, error) {
		bucketArn, keyArn := v[0].(string), v[1].(string)
		return policyDoc{Statement: []policyStatement{
			{Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetBucketLocation"}, Resource: bucketArn},
			{Effect: "Allow", Action: "s3:GetObject", Resource: bucketArn + "/*"},
			{Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn,
				Condition: map[string]any{"StringLike": map[string]any{"kms:ViaService": "s3." + primary.Region + ".amazonaws.com"}}},
		}}.String()
	}).(pulumi.StringOutput)
	readPolicy, err := iam.NewRolePolicy(ctx, name+"-offsite-reader", &iam.RolePolicyArgs{Role: role.ID(), Policy: read}, p.at(primary)...)
	if err != nil {
		return none, none, err
	}
	dst, err := p.gcsBucket(ctx, name+"-offsite", off, p.name(off, "offsite"), p.offKey)
	if err != nil {
		return none, none, err
	}
	ready, err := p.gcsTransferGrants(ctx, name+"-offsite", off, sts.Member, nil, dst)
	if err != nil {
		return none, none, err
	}
	_, err = storage.NewTransferJob(ctx, name+"-offsite", &storage.TransferJobArgs{
		Description: pulumi.String(fmt.Sprintf("%s %s backups from S3 %s, offsite", p.dep.Stack, p.purpose, primary.Region)),
		Project:     pulumi.StringPtrFromPtr(project(off)),
		Status:      pulumi.String("ENABLED"),
		TransferSpec: &storage.TransferJobTransferSpecArgs{
			AwsS3DataSource: &storage.TransferJobTransferSpecAwsS3DataSourceArgs{
				BucketName: src.Bucket,
				RoleArn:    role.Arn,
			},
			GcsDataSink:     &storage.TransferJobTransferSpecGcsDataSinkArgs{BucketName: dst.Name},
			TransferOptions: immutableCopy(),
		},
		Schedule: &storage.TransferJobScheduleArgs{
			ScheduleStartDate: transferStart,
			StartTimeOfDay: &storage.TransferJobScheduleStartTimeOfDayArgs{
				Hours: pulumi.Int(offsiteStartHourUTC), Minutes: pulumi.Int(0), Seconds: pulumi.Int(0), Nanos: pulumi.Int(0),
			},
			RepeatInterval: pulumi.String("86400s"),
		},
	}, p.at(off, pulumi.DependsOn(append(ready, readPolicy)))...)
	if err != nil {
		return none, none, err
	}
	return pulumi.Sprintf("%s:%s", off.Cloud, off.Region), dst.Name, nil
}
