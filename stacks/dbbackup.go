package stacks

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/dbbackup"
)

// dbBackup creates the database's daily copies into the backup vault and
// the db-exports bucket (components/dbbackup), kept as long as every other
// backup tier (wedsync:backup retentionDays).
func (b *build) dbBackup() error {
	if b.cfg.drilling() {
		return nil // a drill writes no copies (Recovery.Drill)
	}
	dep := b.dep
	args := &dbbackup.DatabaseBackupArgs{
		Deployment:       dep,
		Settings:         b.dbBackupSettings(),
		Database:         b.db.BackupTarget,
		DatabaseIdentity: b.db.ExportIdentity,
		DatabaseName:     b.db.DatabaseName,
		Export:           b.exportBucket(),
		Key:              b.store.Key(core.Primary, core.BackupKey),
		Alerts:           b.alerts.Target,
	}
	if dep.DR != nil && dep.Primary.Cloud == core.AWS {
		args.DRKey = b.store.Key(core.DR, core.BackupKey)
	}
	backup, err := dbbackup.NewDatabaseBackup(b.ctx, "main", args)
	if err != nil {
		return err
	}
	b.restoreIdentity = backup.JobIdentity
	b.ctx.Export("databaseBackup", pulumi.Map{
		"vault":       backup.Vault,
		"drVault":     backup.DRVault,
		"schedule":    backup.Schedule,
		"jobIdentity": backup.JobIdentity,
		"exportPath":  backup.ExportPath,
		"lockMode":    backup.LockMode,
		// AWS prod: the restore testing plan `backup report` reads, and
		// the bucket of Backup Audit Manager's job reports.
		"restoreTests": backup.RestoreTests,
		"reports":      backup.Reports,
		// What `backup now` starts an on-demand backup of: the RDS
		// instance ARN, the Cloud SQL instance, the flexible server's id.
		"target":  b.db.BackupTarget,
		"project": pulumi.String(dep.Primary.GCPProject),
	})
	return nil
}

// dbBackupSettings are the database copies' settings: kept as long as
// every other backup tier.
func (b *build) dbBackupSettings() dbbackup.Settings {
	return dbbackup.Settings{RetentionDays: b.cfg.Backup.RetentionDays}
}

// exportBucket is the db-exports bucket the daily export lands in: the
// component's own, or on an Azure recovery the source's failed-over
// account, which lives in the source's resource group beside its database.
func (b *build) exportBucket() dbbackup.Bucket {
	if bucket := b.dbExports; bucket != nil {
		return dbbackup.Bucket{Name: bucket.BucketName, ID: bucket.BucketID, URL: bucket.BucketURL}
	}
	name := b.src.BackupBuckets["db-exports"].Bucket
	str := func(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }
	return dbbackup.Bucket{
		Name: str(name),
		ID:   str(b.recoveredAccountID(name)),
		URL:  str("https://" + name + ".blob.core.windows.net/backups"),
	}
}

// recoveredAccountID is the resource id of the source's failed-over
// storage account name, in the source's resource group beside its
// database (an Azure recovery).
func (b *build) recoveredAccountID(name string) string {
	group := ""
	if db := b.src.Database; db != nil {
		if i := strings.Index(strings.ToLower(db.SourceID), "/providers/"); i > 0 {
			group = db.SourceID[:i]
		}
	}
	return group + "/providers/Microsoft.Storage/storageAccounts/" + name
}
