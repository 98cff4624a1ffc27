package bootstrap

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// keyRotationDays and deletionWindowDays are the keys' rotation and the
// wait before a deleted key is gone (the longest KMS allows: 30 days).
const (
	keyRotationDays    = 90
	deletionWindowDays = 30
)

// awsKeys are the state key (multi-Region, with its replica beside the
// bucket's replica) and each stack's secrets key, all under aliases the
// backend and `--secrets-provider awskms://alias/...` name.
func (b *builder) awsKeys() (keys, error) {
	primary, dr := b.dep.Primary, *b.dep.DR
	state, err := b.awsKey(primary, "state", "wedsync Pulumi state", true)
	if err != nil {
		return keys{}, err
	}
	replica, err := kms.NewReplicaKey(b.ctx, "state-key-dr", &kms.ReplicaKeyArgs{
		PrimaryKeyArn:        state.Arn,
		Description:          pulumi.String("wedsync Pulumi state (replica)"),
		DeletionWindowInDays: pulumi.Int(deletionWindowDays),
		Tags:                 b.dep.Tags.For(core.AWS),
	}, b.protect(dr)...)
	if err != nil {
		return keys{}, err
	}
	out := keys{
		state:            &core.Key{Purpose: core.BackupKey, Region: primary.Region, ID: state.Arn},
		stateDR:          &core.Key{Purpose: core.BackupKey, Region: dr.Region, ID: replica.Arn},
		secretsProviders: map[string]pulumi.StringOutput{},
	}
	for _, stack := range b.set.Stacks {
		if _, err := b.awsKey(primary, "state-"+stack, "wedsync "+stack+" secrets", false); err != nil {
			return keys{}, err
		}
		out.secretsProviders[stack] = pulumi.Sprintf("awskms://alias/wedsync-state-%s?region=%s", stack, primary.Region)
	}
	return out, nil
}

// awsKey is a rotated symmetric key with the alias alias/wedsync-NAME.
func (b *builder) awsKey(site core.Site, name, desc string, multiRegion bool) (*kms.Key, error) {
	key, err := kms.NewKey(b.ctx, name+"-key", &kms.KeyArgs{
		Description:           pulumi.String(desc),
		KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     pulumi.Bool(true),
		RotationPeriodInDays:  pulumi.Int(keyRotationDays),
		DeletionWindowInDays:  pulumi.Int(deletionWindowDays),
		MultiRegion:           pulumi.Bool(multiRegion),
		Tags:                  b.dep.Tags.For(core.AWS),
	}, b.protect(site)...)
	if err != nil {
		return nil, err
	}
	_, err = kms.NewAlias(b.ctx, name+"-alias", &kms.AliasArgs{
		Name:        pulumi.String(fmt.Sprintf("alias/wedsync-%s", name)),
		TargetKeyId: key.KeyId,
	}, b.protect(site)...)
	return key, err
}
