package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/erasureledger"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
)

// SourceLedger is the source's erasure ledger (its erasureLedger output):
// a recovery grants its restore identity read on the copy in its region.
type SourceLedger struct {
	Bucket          string `json:"bucket,omitempty"`
	ID              string `json:"id,omitempty"`
	Replica         string `json:"replica,omitempty"`
	ReplicaLocation string `json:"replicaLocation,omitempty"`
}

// check records what a recovery on c misses of the source's ledger.
func (l *SourceLedger) check(c Config, missing func(field, format string, args ...any)) {
	if c.Erasure.Enabled != nil && !*c.Erasure.Enabled {
		return
	}
	switch {
	case l == nil:
		missing("erasureLedger", "the source's erasure ledger (its erasureLedger output): replay reads its copy in %s after the restore", c.Region)
	case c.Cloud == core.Azure && (l.Bucket == "" || l.ID == ""):
		missing("erasureLedger.id", "the source's ledger storage account (bucket and id), failed over to %s", c.Region)
	case c.Cloud != core.Azure && l.Replica == "":
		missing("erasureLedger.replica", "the source's ledger replica bucket in %s", c.Region)
	}
}

// existing is the ledger copy a recovery on cloud reads: the replica here,
// or on Azure the source's account, failed over to this region.
func (l *SourceLedger) existing(cloud core.Cloud) *erasureledger.Existing {
	if cloud == core.Azure {
		return &erasureledger.Existing{Bucket: l.Bucket, ID: l.ID}
	}
	return &erasureledger.Existing{Bucket: l.Replica, ID: l.Replica}
}

// erasureLedger makes the GDPR erasure ledger, locked as long as the
// longest-lived copy of the data, the app its only writer, the restore
// identity its reader. A recovery makes no ledger of its own: it grants
// read on the source's copy in its region, which replay reads after the
// restore, and append to its own app, which records there the erasures it
// does while the source's region is lost. The outputs name it for `erasure replay` and the DR stacks.
func (b *build) erasureLedger() error {
	cfg := b.cfg
	if !*cfg.Erasure.Enabled || cfg.drilling() {
		// A drill grants nothing on the source's ledger (Recovery.Drill).
		return nil
	}
	args := &erasureledger.ErasureLedgerArgs{
		Deployment: b.dep,
		Settings:   cfg.Erasure,
		Copies:     erasureledger.Copies{Database: cfg.Database, Backup: cfg.Backup, DBBackup: b.dbBackupSettings()},
		Key:        b.store.Key(core.Primary, core.BackupKey),
		DRKey:      b.store.Key(core.DR, core.BackupKey),
		Alerts:     b.alerts.Target,
		Writer:     b.group.Identity,
		Readers:    []pulumi.StringOutput{b.restoreIdentity},
	}
	if store, ok := b.store.(*secretsstore.SecretsStore); ok && cfg.Cloud == core.Azure {
		args.AccessLogWorkspace = store.AuditLog
	}
	if b.src != nil {
		args.Existing = b.src.ErasureLedger.existing(cfg.Cloud)
	}
	ledger, err := erasureledger.NewErasureLedger(b.ctx, "erasure", args)
	if err != nil {
		return err
	}
	b.ctx.Export("erasureLedger", pulumi.Map{
		"cloud":               pulumi.String(string(cfg.Cloud)),
		"region":              pulumi.String(cfg.Region),
		"bucket":              ledger.Bucket,
		"id":                  ledger.ID,
		"replica":             ledger.Replica,
		"replicaLocation":     ledger.ReplicaLocation,
		"retentionDays":       ledger.RetentionDays,
		"sqlFile":             pulumi.String(cfg.Erasure.SQLFile),
		"replayMarginMinutes": pulumi.Int(cfg.Erasure.ReplayMarginMinutes),
	})
	return nil
}
