package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
)

// backupPurposes are the backup buckets every stack has: one per kind of
// data, so retention, access and restores stay separate.
var backupPurposes = []string{"db-exports", "media", "config"}

// backups creates the backup buckets, with the offsite tier's own keys
// where the stack has an offsite copy, and records what the DR stack needs:
// each bucket's name and its replica's.
func (b *build) backups() error {
	if b.cfg.drilling() {
		return b.drillBackups()
	}
	off, err := b.offsiteTier()
	if err != nil {
		return err
	}
	if b.src != nil && b.cfg.Cloud == core.Azure {
		return b.recoveredAccounts(off)
	}
	ctx, cfg, dep, store := b.ctx, b.cfg, b.dep, b.store
	offsiteKey, offsiteAlerts, fromBlob := off.key, off.alerts, off.fromBlob
	made := map[string]*backupbucket.BackupBucket{}
	out := pulumi.Map{}
	for _, purpose := range backupPurposes {
		args := &backupbucket.BackupBucketArgs{
			Deployment: dep,
			Settings:   cfg.Backup,
			Purpose:    purpose,
			Key:        store.Key(core.Primary, core.BackupKey),
			DRKey:      store.Key(core.DR, core.BackupKey),
			OffsiteKey: offsiteKey,
			Alerts:     b.alerts.Target,
			// The offsite copy's alarms, on the offsite site's cloud.
			OffsiteAlerts: offsiteAlerts,
		}
		fromBlob.wire(args)
		args.AccessLogWorkspace = b.logWorkspace()
		if b.src != nil {
			// Recovery: the bucket is the replica the source wrote to here;
			// its own replica goes back to the source's region.
			args.Adopt = &backupbucket.Adoption{Bucket: b.src.BackupBuckets[purpose].Replica}
		}
		bucket, err := backupbucket.NewBackupBucket(ctx, purpose, args)
		if err != nil {
			return err
		}
		made[purpose] = bucket
		if purpose == "db-exports" {
			b.dbExports = bucket
		}
		b.tierOutputs(purpose, bucket, offsiteKey)
		out[purpose] = pulumi.Map{
			"bucket":          bucket.BucketName,
			"replica":         bucket.ReplicaName,
			"replicaLocation": bucket.ReplicaLocation,
			"offsite":         bucket.OffsiteName,
		}
	}
	b.buckets = out
	fromBlob.export(ctx, made)
	return nil
}

// offsite is what every offsite copy of a stack shares: the offsite
// site's own keys, its alert target and (an Azure stack's) the SAS
// secrets and their rotation. All nil without an offsite site.
type offsite struct {
	key      *core.Key
	alerts   *core.AlertTarget
	fromBlob *blobOffsite
}

// offsiteTier makes the offsite site's secrets store, alert target and
// (Azure) SAS rotation identity, when the stack has an offsite site.
func (b *build) offsiteTier() (offsite, error) {
	ctx, dep := b.ctx, b.dep
	var off offsite
	if dep.Offsite == nil {
		return off, nil
	}
	offsiteStore, err := secretsstore.NewSecretsStore(ctx, "offsite", &secretsstore.SecretsStoreArgs{
		Deployment: atSite(dep, *dep.Offsite),
		// An Azure stack's copy reads with a SAS, kept here under the
		// offsite secrets key.
		Settings: secretsstore.Settings{Secrets: b.offsiteSecrets()},
		// The offsite site's project is the one the cloud's own prod
		// stack runs in (prod's offsite is prod-gcp's project): that
		// stack owns its audit configs, GCS data access included.
		SharedProject: true,
	})
	if err != nil {
		return off, err
	}
	off.key = offsiteStore.Key(core.Offsite, core.BackupKey)
	if off.fromBlob, err = b.newBlobOffsite(offsiteStore); err != nil {
		return off, err
	}
	off.alerts, err = b.offsiteAlerts()
	return off, err
}

// recoveredAccounts are the backup storage accounts of an Azure recovery:
// the source's own accounts, failed over to this region (an account's DR
// copy is its geo-secondary, which Azure turns into the primary with
// `az storage account failover`). The source stack keeps managing them;
// this stack names them, so nothing empty is created in their place.
// Each is watched from this region as the source watched it (its
// freshness alarm, its access logs into this stack's workspace), and with
// an offsite site copied there as the source copied it, by this stack's
// own transfer into its own buckets (the source's job reads the same
// account only while the lost region's signer identity and rotation
// last; this one depends on nothing there).
// After the failover an account is locally redundant; geo-replication back
// to the old region is switched on again when that region returns (see
// docs/runbooks/dr-region-rebuild.md).
func (b *build) recoveredAccounts(off offsite) error {
	out := pulumi.Map{}
	accounts := map[string]*backupbucket.FailedOverAccount{}
	for _, purpose := range backupPurposes {
		// Watched from here: the source's alarms and logs were in the lost region.
		args := &backupbucket.FailedOverAccountArgs{
			Deployment: b.dep, Purpose: purpose, Alerts: b.alerts.Target, AccessLogWorkspace: b.logWorkspace(),
			AccountID: pulumi.String(b.recoveredAccountID(b.src.BackupBuckets[purpose].Bucket)).ToStringOutput(),
			Settings:  b.cfg.Backup, OffsiteKey: off.key, OffsiteAlerts: off.alerts,
		}
		off.fromBlob.wireFailedOver(args)
		account, err := backupbucket.NewFailedOverAccount(b.ctx, purpose, args)
		if err != nil {
			return err
		}
		accounts[purpose] = account
		out[purpose] = pulumi.Map{
			"bucket":          pulumi.String(b.src.BackupBuckets[purpose].Bucket),
			"replica":         pulumi.String(""),
			"replicaLocation": pulumi.String(""),
			"offsite":         account.OffsiteName,
		}
		b.recoveredTiers(purpose, b.src.BackupBuckets[purpose].Bucket, account, off.key)
	}
	b.buckets = out
	off.fromBlob.exportFailedOver(b.ctx, accounts)
	return nil
}

// drillBackups are a drill's backup buckets: none. The source's replicas
// (its failed-over accounts on Azure) are neither adopted nor watched, so
// the drill changes nothing of them (Recovery.Drill); the outputs name no
// bucket and the stack has no backup tiers.
func (b *build) drillBackups() error {
	none := pulumi.String("")
	out := pulumi.Map{}
	for _, purpose := range backupPurposes {
		out[purpose] = pulumi.Map{"bucket": none, "replica": none, "replicaLocation": none, "offsite": none}
	}
	b.buckets = out
	return nil
}
