// Package erasureledger is the GDPR erasure ledger of a stack: a locked,
// encrypted, private bucket (container on Azure) in the primary region,
// copied to the DR region, holding one small object per erasure. Backups
// are immutable, so an erased person stays in them "beyond use"; after any
// restore, `wedsync-infra erasure replay` reads the ledger and erases them
// again before the restored database serves anyone.
//
// The store itself is a backup bucket of purpose "erasure-ledger"
// (components/backupbucket, Ledger: locking, encryption, privacy,
// replication and its alarms are the backups'); this package adds its
// retention, derived from every copy's lifetime, and its grants: the app
// may only create entries, the restore identity may read them.
package erasureledger

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:erasureledger:ErasureLedger"

// Purpose is the backup-bucket purpose of the ledger's store.
const Purpose = "erasure-ledger"

// ErasureLedgerArgs are what the ledger needs.
type ErasureLedgerArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Copies are the settings of every copy of the stack's data: the
	// ledger is locked for the longest of their lifetimes.
	Copies Copies
	// Key and DRKey are the backup keys at the primary and DR sites.
	Key, DRKey *core.Key
	// Alerts receives the replication alarms (as the backups').
	Alerts *core.AlertTarget
	// AccessLogWorkspace (Azure): who read or wrote an entry is recorded.
	AccessLogWorkspace pulumi.StringOutput
	// Writer is the app's identity (role ARN, service account email,
	// principal id): it may create entries and nothing else. On a DR stack
	// (Existing) it is the DR stack's app, granted on the copy in its
	// region: during a regional outage the app runs there and records its
	// erasures in that copy (the primary is lost), which replay reads
	// besides the primary (internal/erasure, StackLedger.otherCopy, says
	// why replication never copies them back). Optional on a DR stack.
	Writer pulumi.StringOutput
	// Readers are the identities that replay after a restore (the restore
	// and drill job identity, in the same forms): read only.
	Readers []pulumi.StringOutput
	// Existing, on a DR stack, is the source's ledger replica in this
	// region: no store is made, its readers and its writer are granted on it.
	Existing *Existing
}

// Existing names a ledger store another stack made.
type Existing struct {
	// Bucket is the bucket name (AWS, GCP) or storage account name (Azure).
	Bucket string
	// ID is the store's provider id: the storage account's resource id on
	// Azure; the bucket name elsewhere.
	ID string
}

// ErasureLedger is the ledger and its grants.
type ErasureLedger struct {
	pulumi.ResourceState

	// Bucket is the store's bucket (storage account on Azure).
	Bucket pulumi.StringOutput
	// ID is its provider id.
	ID pulumi.StringOutput
	// URL is the ARN, gs:// URL or container URL.
	URL pulumi.StringOutput
	// Replica and ReplicaLocation are the DR copy ("" when none).
	Replica, ReplicaLocation pulumi.StringOutput
	// RetentionDays is the lock: the longest lifetime of any copy.
	RetentionDays pulumi.IntOutput
}

// outputs is what each cloud returns (its grants; the store is common).
type outputs struct {
	grants []string
}

// NewErasureLedger creates the ledger (or, with Existing, only its read
// grants) with its retention derived from the copies' settings.
func NewErasureLedger(ctx *pulumi.Context, name string, args *ErasureLedgerArgs, opts ...pulumi.ResourceOption) (*ErasureLedger, error) {
	if args == nil {
		return nil, fmt.Errorf("erasure ledger %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("erasure ledger %s: %w", name, err)
	}
	c := &ErasureLedger{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: a, c: c, days: RetentionDays(a.Deployment.Environment, a.Copies)}
	if err := b.store(); err != nil {
		return nil, fmt.Errorf("erasure ledger %s: %w", name, err)
	}
	if _, err := (core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}).Build(a.Deployment.Primary.Cloud); err != nil {
		return nil, fmt.Errorf("erasure ledger %s: %w", name, err)
	}
	c.RetentionDays = pulumi.Int(b.days).ToIntOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"bucket":          c.Bucket,
		"id":              c.ID,
		"url":             c.URL,
		"replica":         c.Replica,
		"replicaLocation": c.ReplicaLocation,
		"retentionDays":   c.RetentionDays,
	})
}

// builder is the validated description every cloud grants on.
type builder struct {
	ctx  *pulumi.Context
	name string
	a    ErasureLedgerArgs
	c    *ErasureLedger
	days int
	// bucket is the store made here (nil with Existing).
	bucket *backupbucket.BackupBucket
}

// store makes the ledger's locked bucket, or names the existing one.
func (b *builder) store() error {
	a, c := b.a, b.c
	if e := a.Existing; e != nil {
		str := func(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }
		c.Bucket, c.ID, c.URL = str(e.Bucket), str(e.ID), str(e.Bucket)
		c.Replica, c.ReplicaLocation = str(""), str("")
		return nil
	}
	bucket, err := backupbucket.NewBackupBucket(b.ctx, b.name, &backupbucket.BackupBucketArgs{
		Deployment: a.Deployment,
		Settings: backupbucket.Settings{
			RetentionDays: b.days,
			ReplicateToDR: pulumi.BoolRef(true),
		},
		Key: a.Key, DRKey: a.DRKey,
		Alerts:             a.Alerts,
		AccessLogWorkspace: a.AccessLogWorkspace,
		Purpose:            Purpose,
		Ledger:             true,
	}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	b.bucket = bucket
	c.Bucket, c.ID, c.URL = bucket.BucketName, bucket.BucketID, bucket.BucketURL
	c.Replica, c.ReplicaLocation = bucket.ReplicaName, bucket.ReplicaLocation
	return nil
}

// opts are the options of a grant at the primary site.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.a.Deployment.Primary.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// validate checks args against the deployment, after defaults.
func (a *ErasureLedgerArgs) validate() error {
	dep := a.Deployment
	p := &core.Problems{}
	p.Include(ConfigKey+".", a.Settings.Validate(dep.Environment, dep.Primary.Cloud))
	if !dep.Environment.Valid() {
		p.Add("Deployment.Environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	if a.Existing == nil {
		if a.Key == nil {
			p.Missing("Key", "the ledger is encrypted with the stack's backup key")
		}
		if a.Writer == (pulumi.StringOutput{}) {
			p.Missing("Writer", "the app's identity, which appends an entry per erasure")
		}
	} else if a.Existing.Bucket == "" {
		p.Missing("Existing.Bucket", "the source's ledger replica in this region (its erasureLedger.replica output)")
	}
	if days := RetentionDays(dep.Environment, a.Copies); days > backupbucket.MaxRetentionDays {
		p.Add("Copies", days, "a copy lives longer than %d days, which no lock may hold; shorten the backup retention", backupbucket.MaxRetentionDays)
	}
	return p.Err()
}
