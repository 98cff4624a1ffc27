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
	signer := o.rotation.Signer
	args.OffsiteCredential = o.secrets[offsiteSASSecret(args.Purpose)]
	args.OffsiteSigner = &signer
	args.OffsiteRotator = o.rotation.Member
}

// export is the output offsiteSAS: what the rotation workflow needs, per
// purpose (account, container, secret, signer) and the provider it signs in
// to GCP with. Nothing when there is no copy from Azure.
func (o *blobOffsite) export(ctx *pulumi.Context, buckets map[string]*backupbucket.BackupBucket) {
	if o == nil {
		return
	}
	per := pulumi.Map{}
	for _, purpose := range backupPurposes {
		bucket := buckets[purpose]
		per[purpose] = pulumi.Map{
			"account":   bucket.BucketName,
			"container": pulumi.String(backupbucket.AzureContainer),
			"secret":    o.secrets[offsiteSASSecret(purpose)],
			"signer":    bucket.OffsiteSignerClientID,
		}
	}
	ctx.Export("offsiteSAS", pulumi.Map{"workloadIdentityProvider": o.rotation.Provider, "purposes": per})
}
