package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/alerting"
	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
)

// OffsiteSASEnvironment is the GitHub environment of the job that rotates
// the read SAS of an Azure stack's offsite copy
// (.github/workflows/offsite-sas.yml): no required reviewers, because it
// runs on a schedule; deployments from the stack's CI branch only.
const OffsiteSASEnvironment = "offsite-sas"

// offsiteSASSecret names the secret, in the offsite secrets store, that
// holds the read SAS of one purpose's container.
func offsiteSASSecret(purpose string) string { return "backup-" + purpose + "-offsite-sas" }

// blobOffsite is what an Azure stack's offsite copy on GCP needs beside its
// key (backupbucket/offsite_blob.go says why a SAS): the SAS secrets and
// the identity that rotates them.
type blobOffsite struct {
	secrets  map[string]pulumi.StringOutput
	rotation *backupbucket.OffsiteRotation
}

// offsiteAlerts is where the offsite copy's alarms go: they are alert
// policies on the offsite site's cloud, so they need that cloud's own
// channels to the stack's receivers.
func (b *build) offsiteAlerts() (*core.AlertTarget, error) {
	alerts, err := alerting.NewAlertTarget(b.ctx, "offsite-alerts", &alerting.AlertTargetArgs{
		Deployment: atSite(b.dep, *b.dep.Offsite), Settings: b.cfg.Alerting, Calendar: b.cfg.Season, Now: b.now,
	})
	if err != nil {
		return nil, err
	}
	return alerts.Target, nil
}

// offsiteSecrets are the SAS secrets the offsite store holds for an Azure
// stack (none elsewhere: S3 is read through a federated role).
func (b *build) offsiteSecrets() []secretsstore.Secret {
	if b.dep.Primary.Cloud != core.Azure {
		return nil
	}
	var out []secretsstore.Secret
	for _, purpose := range backupPurposes {
		out = append(out, secretsstore.Secret{Name: offsiteSASSecret(purpose),
			Description: fmt.Sprintf(`{"sas_token": ...}: read-and-list user delegation SAS of the %s container, rotated by .github/workflows/offsite-sas.yml`, purpose)})
	}
	return out
}

// newBlobOffsite makes the rotation identity of an Azure stack's offsite
// copy; nil for every other stack.
func (b *build) newBlobOffsite(store *secretsstore.SecretsStore) (*blobOffsite, error) {
	dep, cfg := b.dep, b.cfg
	if dep.Primary.Cloud != core.Azure || dep.Offsite == nil {
		return nil, nil
	}
	if cfg.CI == nil {
		return nil, fmt.Errorf("%s.offsite: the offsite copy of an Azure stack reads with a SAS that GitHub Actions rotates; set wedsync:ci.repository", backupbucket.ConfigKey)
	}
	at := atSite(dep, *dep.Offsite)
	branch := cfg.CI.Branch
	if branch == "" {
		branch = "main"
	}
	rotation, err := backupbucket.NewOffsiteRotation(b.ctx, "offsite-sas", &backupbucket.OffsiteRotationArgs{
		Deployment: at, Repository: cfg.CI.Repository, Environment: OffsiteSASEnvironment, Branch: branch,
	})
	if err != nil {
		return nil, err
	}
	return &blobOffsite{secrets: store.SecretIDs, rotation: rotation}, nil
}

// wire sets what one purpose's bucket needs for its copy from Azure.
func (o *blobOffsite) wire(args *backupbucket.BackupBucketArgs) {
	if o == nil {
		return
	}
	args.OffsiteCredential, args.OffsiteSigner, args.OffsiteRotator = o.of(args.Purpose)
}

// of is the SAS secret of purpose, the workload that signs it and the
// rotation job's member.
func (o *blobOffsite) of(purpose string) (pulumi.StringOutput, *backupbucket.Federation, pulumi.StringOutput) {
	signer := o.rotation.Signer
	return o.secrets[offsiteSASSecret(purpose)], &signer, o.rotation.Member
}

// wireFailedOver sets what one purpose's failed-over account needs for
// its copy (an Azure recovery), as wire does for a bucket.
func (o *blobOffsite) wireFailedOver(args *backupbucket.FailedOverAccountArgs) {
	if o == nil {
		return
	}
	args.OffsiteCredential, args.OffsiteSigner, args.OffsiteRotator = o.of(args.Purpose)
}

// sasAccount is what the rotation workflow signs for, per purpose: the
// account's name and the client id of its signer identity.
type sasAccount struct{ name, signer pulumi.StringOutput }

// export is the output offsiteSAS of the stack's own buckets.
func (o *blobOffsite) export(ctx *pulumi.Context, buckets map[string]*backupbucket.BackupBucket) {
	o.exportAccounts(ctx, func(purpose string) sasAccount {
		return sasAccount{buckets[purpose].BucketName, buckets[purpose].OffsiteSignerClientID}
	})
}

// exportFailedOver is the output offsiteSAS of an Azure recovery's
// failed-over accounts (the source's names).
func (o *blobOffsite) exportFailedOver(ctx *pulumi.Context, accounts map[string]*backupbucket.FailedOverAccount) {
	o.exportAccounts(ctx, func(purpose string) sasAccount {
		return sasAccount{accounts[purpose].AccountName, accounts[purpose].OffsiteSignerClientID}
	})
}

// exportAccounts is the output offsiteSAS: what the rotation workflow
// needs, per purpose (account, container, secret, signer) and the
// provider it signs in to GCP with. Nothing when there is no copy from Azure.
func (o *blobOffsite) exportAccounts(ctx *pulumi.Context, account func(purpose string) sasAccount) {
	if o == nil {
		return
	}
	per := pulumi.Map{}
	for _, purpose := range backupPurposes {
		a := account(purpose)
		per[purpose] = pulumi.Map{
			"account":   a.name,
			"container": pulumi.String(backupbucket.AzureContainer),
			"secret":    o.secrets[offsiteSASSecret(purpose)],
			"signer":    a.signer,
		}
	}
	ctx.Export("offsiteSAS", pulumi.Map{"workloadIdentityProvider": o.rotation.Provider, "purposes": per})
}
