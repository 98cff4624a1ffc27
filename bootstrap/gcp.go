package bootstrap

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// gcpKeys are a key ring at each site with the state key (the bucket's at
// the primary, the replica's at the DR site), and each stack's secrets key
// in the primary's ring, named by `--secrets-provider gcpkms://...`.
func (b *builder) gcpKeys() (keys, error) {
	out := keys{secretsProviders: map[string]pulumi.StringOutput{}}
	primaryRing, err := b.gcpRing(b.dep.Primary)
	if err != nil {
		return out, err
	}
	drRing, err := b.gcpRing(*b.dep.DR)
	if err != nil {
		return out, err
	}
	state, err := b.gcpKey(b.dep.Primary, primaryRing, "state")
	if err != nil {
		return out, err
	}
	stateDR, err := b.gcpKey(*b.dep.DR, drRing, "state")
	if err != nil {
		return out, err
	}
	// Cloud Storage encrypts with the key as the project's service agent.
	gcs := storage.GetProjectServiceAccountOutput(b.ctx, storage.GetProjectServiceAccountOutputArgs{Project: pulumi.String(b.set.GCPProject)}, pulumi.Provider(b.dep.Primary.Provider))
	for _, k := range []struct {
		site core.Site
		key  *kms.CryptoKey
	}{{b.dep.Primary, state}, {*b.dep.DR, stateDR}} {
		grant, err := kms.NewCryptoKeyIAMMember(b.ctx, "state-key-storage-agent-"+string(k.site.Role), &kms.CryptoKeyIAMMemberArgs{
			CryptoKeyId: k.key.ID(),
			Role:        pulumi.String("roles/cloudkms.cryptoKeyEncrypterDecrypter"),
			Member:      gcs.Member(),
		}, b.protect(k.site, pulumi.Parent(k.key))...)
		if err != nil {
			return out, err
		}
		out.after = append(out.after, grant)
	}
	out.state = &core.Key{Purpose: core.BackupKey, Region: b.dep.Primary.Region, ID: state.ID().ToStringOutput()}
	out.stateDR = &core.Key{Purpose: core.BackupKey, Region: b.dep.DR.Region, ID: stateDR.ID().ToStringOutput()}
	for _, stack := range b.set.Stacks {
		key, err := b.gcpKey(b.dep.Primary, primaryRing, "secrets-"+stack)
		if err != nil {
			return out, err
		}
		out.secretsProviders[stack] = pulumi.Sprintf("gcpkms://%s", key.ID())
	}
	return out, nil
}

// gcpRing is the key ring wedsync-state at site. Key rings cannot be
// deleted, so it is protected like everything else here.
func (b *builder) gcpRing(site core.Site) (*kms.KeyRing, error) {
	return kms.NewKeyRing(b.ctx, "state-keyring-"+string(site.Role), &kms.KeyRingArgs{
		Name:     pulumi.String("wedsync-state"),
		Location: pulumi.String(site.Region),
		Project:  pulumi.String(site.GCPProject),
	}, b.protect(site)...)
}

// gcpKey is a rotated software key NAME in ring.
func (b *builder) gcpKey(site core.Site, ring *kms.KeyRing, name string) (*kms.CryptoKey, error) {
	return kms.NewCryptoKey(b.ctx, name+"-key-"+string(site.Role), &kms.CryptoKeyArgs{
		Name:                     pulumi.String(name),
		KeyRing:                  ring.ID(),
		Purpose:                  pulumi.String("ENCRYPT_DECRYPT"),
		RotationPeriod:           pulumi.String(fmt.Sprintf("%ds", keyRotationDays*86400)),
		DestroyScheduledDuration: pulumi.String(fmt.Sprintf("%ds", deletionWindowDays*86400)),
		Labels:                   b.dep.Tags.For(core.GCP),
		VersionTemplate: kms.CryptoKeyVersionTemplateArgs{
			Algorithm:       pulumi.String("GOOGLE_SYMMETRIC_ENCRYPTION"),
			ProtectionLevel: pulumi.String("SOFTWARE"),
		},
	}, b.protect(site)...)
}
