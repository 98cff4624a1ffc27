// Package dbbackup is the database's copies that leave the database: every
// day, scheduled by the cloud's own services (no server of ours), a
// restorable copy goes into a backup vault (locked in prod) and an export
// goes into the locked db-exports bucket, from where the buckets' DR
// replication and offsite transfer carry it on. Each job runs as an
// identity that can do only that job.
//
// It is its own component rather than part of the database or the backup
// bucket because it joins the two: it reads the database and writes the
// bucket, and neither should know the other. What is the same on every
// cloud (retention, schedule hour, lock mode, names) is computed here and
// in settings.go; aws.go, gcp.go and azure.go build it.
package dbbackup

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:dbbackup:DatabaseBackup"

// DatabaseBackupArgs are what the copies need from the stack.
type DatabaseBackupArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Database is what is copied: the RDS instance ARN (AWS), the Cloud SQL
	// instance name (GCP), the flexible server's resource id (Azure).
	Database pulumi.StringOutput
	// DatabaseIdentity is the Cloud SQL instance's own service account
	// (GCP): Cloud SQL writes an export as it, so it alone may create
	// objects in the export bucket. Unused elsewhere.
	DatabaseIdentity pulumi.StringOutput
	// DatabaseName is the application's database, which the export holds
	// (GCP: a Cloud SQL PostgreSQL export names exactly one database).
	DatabaseName pulumi.StringOutput
	// Export is the db-exports bucket the daily export lands in.
	Export Bucket
	// Key is the backup key at the primary site: the vault and the export
	// are encrypted with it.
	Key *core.Key
	// DRKey is the backup key in the DR region: the DR vault's (AWS).
	DRKey *core.Key
	// Alerts, when set, receives the job failure alarms.
	Alerts *core.AlertTarget
}

// Bucket names the export bucket: its name (the storage account's on
// Azure), its provider id (the account's resource id on Azure) and its URL
// (ARN on AWS).
type Bucket struct {
	Name, ID, URL pulumi.StringOutput
}

// DatabaseBackup is the database's daily copies.
type DatabaseBackup struct {
	pulumi.ResourceState

	// Vault is the backup vault holding the daily recovery points ("" on
	// GCP, whose daily copy is the export).
	Vault pulumi.StringOutput
	// DRVault is the vault in the DR region the copy rule fills ("" where
	// the cloud copies within the vault: Azure's geo-redundant vault).
	DRVault pulumi.StringOutput
	// Schedule is when the copy runs, in the scheduler's own syntax.
	Schedule pulumi.StringOutput
	// JobIdentity is who runs the jobs: the role ARN, service account email
	// or vault principal id.
	JobIdentity pulumi.StringOutput
	// ExportPath is where the daily export lands in the db-exports bucket.
	ExportPath pulumi.StringOutput
	// LockMode is "compliance" (prod) or "governance".
	LockMode pulumi.StringOutput
	// RestoreTests is the AWS Backup restore testing plan's ARN (AWS prod;
	// "" elsewhere): `backup report` lists its restore jobs.
	RestoreTests pulumi.StringOutput
	// Reports is the bucket Backup Audit Manager delivers the daily job
	// reports into (AWS prod; "" elsewhere).
	Reports pulumi.StringOutput
}

// outputs is what each cloud's implementation returns; unset fields are "".
type outputs struct {
	vault, drVault, schedule, jobIdentity, exportPath pulumi.StringOutput
	restoreTests, reports                             pulumi.StringOutput
}

// NewDatabaseBackup creates the database's daily copies. It applies defaults
// and validates everything first; nothing is registered when anything is
// wrong.
func NewDatabaseBackup(ctx *pulumi.Context, name string, args *DatabaseBackupArgs, opts ...pulumi.ResourceOption) (*DatabaseBackup, error) {
	if args == nil {
		return nil, fmt.Errorf("database backup %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("database backup %s: %w", name, err)
	}
	c := &DatabaseBackup{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: &a, c: c, dep: a.Deployment}
	var out outputs
	var err error
	switch a.Deployment.Primary.Cloud {
	case core.AWS:
		out, err = b.aws()
	case core.GCP:
		out, err = b.gcp()
	case core.Azure:
		out, err = b.azure()
	}
	if err != nil {
		return nil, fmt.Errorf("database backup %s: %w", name, err)
	}
	return c, c.set(ctx, out, a.Deployment.Environment)
}

// set copies out onto the component, "" for what the cloud left unset, and
// registers the outputs.
func (c *DatabaseBackup) set(ctx *pulumi.Context, out outputs, env core.Environment) error {
	for _, o := range []*pulumi.StringOutput{&out.vault, &out.drVault, &out.schedule, &out.jobIdentity, &out.exportPath, &out.restoreTests, &out.reports} {
		if *o == (pulumi.StringOutput{}) {
			*o = pulumi.String("").ToStringOutput()
		}
	}
	c.Vault, c.DRVault, c.Schedule = out.vault, out.drVault, out.schedule
	c.JobIdentity, c.ExportPath = out.jobIdentity, out.exportPath
	c.RestoreTests, c.Reports = out.restoreTests, out.reports
	c.LockMode = pulumi.String(lockMode(env)).ToStringOutput()
	return ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vault":        c.Vault,
		"drVault":      c.DRVault,
		"schedule":     c.Schedule,
		"jobIdentity":  c.JobIdentity,
		"exportPath":   c.ExportPath,
		"lockMode":     c.LockMode,
		"restoreTests": c.RestoreTests,
		"reports":      c.Reports,
	})
}

func lockMode(env core.Environment) string {
	if Locked(env) {
		return "compliance"
	}
	return "governance"
}

// validate checks the settings and what they need from the stack.
func (a *DatabaseBackupArgs) validate() error {
	p := &core.Problems{}
	dep := a.Deployment
	if !dep.Environment.Valid() {
		p.Add("deployment.environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	cloud := dep.Primary.Cloud
	if !cloud.Valid() {
		p.Add("deployment.primary.cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	p.Include("settings.", a.Settings.Validate(dep.Environment, cloud))
	if a.Database == (pulumi.StringOutput{}) {
		p.Missing("database", "the database to copy: RDS instance ARN, Cloud SQL instance name or flexible server id")
	}
	if cloud == core.GCP && a.DatabaseIdentity == (pulumi.StringOutput{}) {
		p.Missing("databaseIdentity", "the Cloud SQL instance's service account, which writes the export")
	}
	if cloud == core.GCP && a.DatabaseName == (pulumi.StringOutput{}) {
		p.Missing("databaseName", "the database the Cloud SQL export holds")
	}
	if cloud == core.GCP && dep.Primary.GCPProject == "" {
		p.Missing("deployment.primary.gcpProject", "the project the export workflow calls the SQL Admin API in")
	}
	if a.Export.Name == (pulumi.StringOutput{}) || a.Export.ID == (pulumi.StringOutput{}) || a.Export.URL == (pulumi.StringOutput{}) {
		p.Missing("export", "the db-exports bucket's name, id and URL")
	}
	switch {
	case a.Key == nil:
		p.Missing("key", "the backup key at %s: copies are never under a provider-managed key", dep.Primary.Region)
	case a.Key.Purpose != "" && a.Key.Purpose != core.BackupKey:
		p.Add("key", string(a.Key.Purpose), "use the %s key", core.BackupKey)
	}
	if cloud == core.AWS && dep.DR != nil && a.DRKey == nil {
		p.Missing("drKey", "the backup key in %s, which encrypts the DR vault", dep.DR.Region)
	}
	if dep.IsProd() && dep.DR == nil {
		p.Missing("deployment.dr", "prod copies the database's backups to the DR region; set wedsync:drRegion")
	}
	return p.Err()
}

// builder is one build: the defaulted, validated args and the component.
type builder struct {
	ctx  *pulumi.Context
	name string
	a    *DatabaseBackupArgs
	c    *DatabaseBackup
	dep  core.Deployment
}

// opts are a child's options at site: parented to the component and on the
// site's explicit provider.
func (b *builder) opts(site core.Site, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// hour is the daily start hour (UTC).
func (b *builder) hour() int { return *b.a.Settings.HourUTC }

// retention is how long every copy is kept.
func (b *builder) retention() int { return b.a.Settings.RetentionDays }

// exportPrefix is the folder of the export bucket the database's exports
// land in, so they never mix with media or config.
const exportPrefix = "database"
