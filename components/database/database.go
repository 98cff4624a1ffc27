// Package database is WedSync's managed PostgreSQL: one cloud-neutral
// DatabaseArgs and an implementation per cloud (RDS for PostgreSQL, Cloud SQL,
// Azure Database for PostgreSQL Flexible Server), secure and recoverable by
// default: encrypted with a customer-managed key, private, TLS-only, backed
// up with point-in-time recovery, highly available and protected in prod.
package database

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Settings are the cloud-neutral knobs users write under `wedsync:database`.
type Settings struct {
	// Size is the vCPU and memory class: xsmall, small, medium, large or
	// xlarge (see sizes). Prod is at least small.
	Size string `json:"size,omitempty"`
	// StorageGB is the storage allocated at creation.
	StorageGB int `json:"storageGb,omitempty"`
	// MaxStorageGB is how far storage grows on its own (AWS, GCP). Azure
	// grows storage on its own without a ceiling.
	MaxStorageGB int `json:"maxStorageGb,omitempty"`
	// Version is the PostgreSQL major version.
	Version string `json:"version,omitempty"`
	// DatabaseName is the database created for the application.
	DatabaseName string `json:"databaseName,omitempty"`
	// BackupRetentionDays is how long automated backups and the transaction
	// logs for point-in-time recovery are kept.
	BackupRetentionDays int `json:"backupRetentionDays,omitempty"`
	// PointInTimeRecovery keeps transaction logs so the database can be
	// restored to any second within the retention.
	PointInTimeRecovery *bool `json:"pointInTimeRecovery,omitempty"`
	// HighAvailability keeps a synchronous standby in another zone.
	HighAvailability *bool `json:"highAvailability,omitempty"`
	// DeletionProtection makes the cloud refuse to delete the database (and,
	// on AWS, takes a final snapshot if it is deleted after all).
	DeletionProtection *bool `json:"deletionProtection,omitempty"`
	// CrossRegionBackups keeps a restorable copy in the DR region: AWS
	// replicated automated backups, GCP a cross-region replica, Azure
	// geo-redundant backups.
	CrossRegionBackups *bool `json:"crossRegionBackups,omitempty"`
	// MaintenanceWindow is when the cloud may patch the database (UTC).
	MaintenanceWindow *Window `json:"maintenanceWindow,omitempty"`
	// Administrators are the people (best: one group) who administer the
	// database with their cloud identity instead of a password: GCP Cloud
	// SQL IAM users, Azure Microsoft Entra administrators. AWS keeps its
	// RDS-managed master password and ignores them. Prod on GCP and Azure
	// needs at least one: no password is left to fall back on.
	Administrators []Principal `json:"administrators,omitempty"`
}

// PrincipalKind is what sort of cloud identity a Principal is.
type PrincipalKind string

// The kinds of principal a database admits.
const (
	UserPrincipal           PrincipalKind = "user"
	GroupPrincipal          PrincipalKind = "group"
	ServiceAccountPrincipal PrincipalKind = "serviceAccount"
)

// PrincipalKinds lists every principal kind.
var PrincipalKinds = []PrincipalKind{UserPrincipal, GroupPrincipal, ServiceAccountPrincipal}

// Principal is one cloud identity the database lets in without a password.
type Principal struct {
	// Name is the display name Microsoft Entra knows the principal by on
	// Azure (a user's UPN, a group's or managed identity's name), which is
	// also its PostgreSQL role name there. Unused on GCP.
	Name string `json:"name,omitempty"`
	// ID is the email on GCP (user, group or service account) and the
	// Entra object id on Azure (for a managed identity, its principal id).
	ID   string        `json:"id"`
	Kind PrincipalKind `json:"kind"`
}

var (
	emailPattern = regexp.MustCompile(`^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]+$`)
	guidPattern  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// wideMembers are GCP members that stand for many principals at once.
	wideMembers = []string{"allusers", "allauthenticatedusers"}
)

// adminExample is what an administrators setting looks like on cloud, for
// error messages.
func adminExample(cloud core.Cloud) string {
	if cloud == core.Azure {
		return `[{"name": "WedSync DBAs", "id": "<the group's Entra object id>", "kind": "group"}]`
	}
	return `[{"id": "dba@wedsync.co.uk", "kind": "group"}]`
}

// checkPrincipals records the problems of ps (at field) on cloud; with no
// cloud, only the rules every cloud shares. seen holds the ids already
// listed (across lists), so no principal appears twice.
func checkPrincipals(p *core.Problems, field string, ps []Principal, cloud core.Cloud, seen map[string]string) {
	for i, pr := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !slices.Contains(PrincipalKinds, pr.Kind) {
			p.Add(f+".kind", string(pr.Kind), "use %s", core.Join(PrincipalKinds))
		}
		wide := func(v string) bool {
			return strings.ContainsAny(v, "*?") || slices.Contains(wideMembers, strings.ToLower(v))
		}
		const wildcard = "wildcards admit every principal that matches; name one user, group or service account"
		if wide(pr.Name) {
			p.Add(f+".name", pr.Name, wildcard)
		}
		switch {
		case pr.ID == "":
			p.Missing(f+".id", "the principal's email (GCP) or Entra object id (Azure)")
			continue
		case wide(pr.ID):
			p.Add(f+".id", pr.ID, wildcard)
			continue
		}
		if other, dup := seen[strings.ToLower(pr.ID)]; dup {
			p.Add(f+".id", pr.ID, "already listed as %s; name each principal once (the application is never an administrator)", other)
		}
		seen[strings.ToLower(pr.ID)] = f
		switch cloud {
		case core.GCP:
			switch {
			case !emailPattern.MatchString(pr.ID):
				p.Add(f+".id", pr.ID, "GCP names principals by lowercase email, e.g. dba@wedsync.co.uk")
			case pr.Kind == ServiceAccountPrincipal && !strings.HasSuffix(pr.ID, ".gserviceaccount.com"):
				p.Add(f+".id", pr.ID, "a service account's email ends in .gserviceaccount.com")
			}
		case core.Azure:
			if !guidPattern.MatchString(pr.ID) {
				p.Add(f+".id", pr.ID, "Azure names principals by Entra object id (a GUID; for a managed identity, its principal id)")
			}
			if pr.Name == "" {
				p.Missing(f+".name", "Azure needs the principal's Entra display name (a user's UPN), which becomes its PostgreSQL role")
			}
		}
	}
}

// Window is a weekly one-hour window, in UTC: every cloud takes maintenance
// windows in UTC, so converting from local time would move the window twice
// a year.
type Window struct {
	// Day is a weekday, lowercase: monday ... sunday.
	Day string `json:"day"`
	// Hour is the starting hour, 0-23, UTC.
	Hour int `json:"hour"`
}

// size is one row of the sizing table: a vCPU and memory class and the
// instance class each cloud runs it on.
type size struct {
	vCPU, memoryGiB  int
	aws              string // RDS instance class
	gcp              string // Cloud SQL tier
	azure, azureTier string // Flexible Server SKU name and tier
	// connections is the connection count that raises the connections
	// alarm: 80% of the lowest default max_connections among the clouds for
	// this memory (Cloud SQL's, in practice).
	connections int
	// burstable sizes have no HA on Azure and no SLA on shared cores, so
	// prod refuses them.
	burstable bool
}

// sizes is the one table mapping Settings.Size to each cloud's classes.
// General-purpose classes: WedSync's working set (2,000+ active weddings)
// fits in memory at medium, and peak season scales reads, not the writer.
var sizes = map[string]size{
	"xsmall": {vCPU: 2, memoryGiB: 2, aws: "db.t4g.small", gcp: "db-custom-1-3840", azure: "Standard_B2s", azureTier: "Burstable", connections: 80, burstable: true},
	"small":  {vCPU: 2, memoryGiB: 8, aws: "db.m7g.large", gcp: "db-custom-2-8192", azure: "Standard_D2ds_v5", azureTier: "GeneralPurpose", connections: 320},
	"medium": {vCPU: 4, memoryGiB: 16, aws: "db.m7g.xlarge", gcp: "db-custom-4-16384", azure: "Standard_D4ds_v5", azureTier: "GeneralPurpose", connections: 400},
	"large":  {vCPU: 8, memoryGiB: 32, aws: "db.m7g.2xlarge", gcp: "db-custom-8-32768", azure: "Standard_D8ds_v5", azureTier: "GeneralPurpose", connections: 480},
	"xlarge": {vCPU: 16, memoryGiB: 64, aws: "db.m7g.4xlarge", gcp: "db-custom-16-65536", azure: "Standard_D16ds_v5", azureTier: "GeneralPurpose", connections: 640},
}

// sizeNames lists sizes smallest first, for messages.
var sizeNames = []string{"xsmall", "small", "medium", "large", "xlarge"}

// versions are the PostgreSQL major versions every cloud offers.
var versions = []string{"15", "16"}

// weekdays are the maintenance days, Monday first; the index is the ISO
// weekday minus one.
var weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// weddingDays are the days prod never takes maintenance: weddings run on
// Saturdays and the Friday evening before, and a Sunday window in UTC falls
// into Saturday-night receptions.
var weddingDays = []string{"friday", "saturday", "sunday"}

// Limits every cloud shares.
const (
	minStorageGB      = 20 // RDS gp3 minimum; Cloud SQL and Azure allow it too (Azure rounds up to 32)
	maxStorageGB      = 16384
	minRetentionDays  = 7  // Azure's minimum
	maxRetentionDays  = 35 // AWS's and Azure's maximum
	prodRetentionDays = 35
	defaultPort       = 5432
	// connectionsTableShare is the share of the ceiling the sizing table's
	// connections column holds (80%).
	connectionsTableShare = 0.8
)

var databaseNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func on() *bool  { b := true; return &b }
func off() *bool { b := false; return &b }

// ApplyDefaults fills every unset setting for env. Prod is large enough for
// peak season, keeps backups 35 days, and is highly available with a copy in
// the DR region; dev and staging are smaller and keep backups 7 days.
func (s *Settings) ApplyDefaults(env core.Environment) {
	prod := env.IsProd()
	if s.Size == "" {
		switch env {
		case core.Prod:
			s.Size = "medium"
		case core.Staging:
			s.Size = "small"
		default:
			s.Size = "xsmall"
		}
	}
	if s.StorageGB == 0 {
		s.StorageGB = map[bool]int{true: 100, false: 20}[prod]
	}
	if s.MaxStorageGB == 0 {
		s.MaxStorageGB = max(s.StorageGB, map[bool]int{true: 1000, false: 100}[prod])
	}
	if s.Version == "" {
		s.Version = "16"
	}
	if s.DatabaseName == "" {
		s.DatabaseName = "wedsync"
	}
	if s.BackupRetentionDays == 0 {
		s.BackupRetentionDays = map[bool]int{true: prodRetentionDays, false: minRetentionDays}[prod]
	}
	if s.PointInTimeRecovery == nil {
		s.PointInTimeRecovery = on()
	}
	if s.HighAvailability == nil {
		// A standby doubles the cost; dev and staging opt in.
		s.HighAvailability = map[bool]*bool{true: on(), false: off()}[prod]
	}
	if s.DeletionProtection == nil {
		s.DeletionProtection = on()
	}
	if s.CrossRegionBackups == nil {
		// Needs a DR site, which only prod is required to have.
		s.CrossRegionBackups = map[bool]*bool{true: on(), false: off()}[prod]
	}
	if s.MaintenanceWindow == nil {
		// Tuesday 02:00 UTC: the quietest night, furthest from weekend weddings.
		s.MaintenanceWindow = &Window{Day: "tuesday", Hour: 2}
	}
}

// Validate returns every problem with s for env at once, by the rules every
// cloud shares. Prod refuses to loosen any protection; no environment may
// be unencrypted or public (those are not settings at all).
func (s Settings) Validate(env core.Environment) error { return s.problems(env, "").Err() }

// ValidateFor is Validate with the rules of cloud added: on GCP and Azure,
// where administrators sign in with their cloud identity and there is no
// password, prod needs at least one administrator, named as that cloud
// names principals. Stacks call it to report every problem before deploy.
func (s Settings) ValidateFor(cloud core.Cloud, env core.Environment) error {
	return s.problems(env, cloud).Err()
}

func (s Settings) problems(env core.Environment, cloud core.Cloud) *core.Problems {
	p := &core.Problems{}
	prod := env.IsProd()
	sz, known := sizes[s.Size]
	switch {
	case !known:
		p.Add("size", s.Size, "use %s", core.Join(sizeNames))
	case prod && sz.burstable:
		p.Add("size", s.Size, "prod needs dedicated cores (burstable classes have no HA on Azure and no SLA); use small or larger")
	}
	storageOK := s.StorageGB >= minStorageGB && s.StorageGB <= maxStorageGB
	if !storageOK {
		p.Add("storageGb", s.StorageGB, "use %d to %d", minStorageGB, maxStorageGB)
	}
	if s.MaxStorageGB > maxStorageGB || storageOK && s.MaxStorageGB < s.StorageGB {
		p.Add("maxStorageGb", s.MaxStorageGB, "use storageGb (%d) to %d", s.StorageGB, maxStorageGB)
	}
	if !slices.Contains(versions, s.Version) {
		p.Add("version", s.Version, "use %s (the major versions every cloud offers)", core.Join(versions))
	}
	if !databaseNamePattern.MatchString(s.DatabaseName) {
		p.Add("databaseName", s.DatabaseName, "use 1-63 lowercase letters, digits or underscores, starting with a letter")
	}
	switch {
	case s.BackupRetentionDays < minRetentionDays || s.BackupRetentionDays > maxRetentionDays:
		p.Add("backupRetentionDays", s.BackupRetentionDays, "use %d to %d", minRetentionDays, maxRetentionDays)
	case prod && s.BackupRetentionDays < prodRetentionDays:
		p.Add("backupRetentionDays", s.BackupRetentionDays, "prod keeps backups at least %d days; set %d", prodRetentionDays, prodRetentionDays)
	}
	refuseOff := func(field string, v *bool, why string) {
		if prod && v != nil && !*v {
			p.Add(field, v, "prod cannot turn this off: %s; remove the setting", why)
		}
	}
	refuseOff("pointInTimeRecovery", s.PointInTimeRecovery, "the 15-minute RPO depends on it")
	refuseOff("highAvailability", s.HighAvailability, "peak season needs 99.9% availability through a zone outage")
	refuseOff("deletionProtection", s.DeletionProtection, "prod data must not be deletable by one command")
	refuseOff("crossRegionBackups", s.CrossRegionBackups, "prod is rebuilt in the DR region from them after a regional outage")
	if w := s.MaintenanceWindow; w != nil {
		if !slices.Contains(weekdays, w.Day) {
			p.Add("maintenanceWindow.day", w.Day, "use a lowercase weekday: %s", core.Join(weekdays))
		} else if prod && slices.Contains(weddingDays, w.Day) {
			p.Add("maintenanceWindow.day", w.Day, "prod takes no maintenance on %s (wedding days); use monday to thursday", core.Join(weddingDays))
		}
		if w.Hour < 0 || w.Hour > 23 {
			p.Add("maintenanceWindow.hour", w.Hour, "use an hour 0-23 (UTC)")
		}
	}
	checkPrincipals(p, "administrators", s.Administrators, cloud, map[string]string{})
	if prod && (cloud == core.GCP || cloud == core.Azure) && len(s.Administrators) == 0 {
		p.Missing("administrators", "prod on %s signs administrators in with their cloud identity and has no password to fall back on; name at least one, e.g. wedsync:database.administrators: %s",
			cloud.Title(), adminExample(cloud))
	}
	return p
}

// Restore creates the database from existing backups instead of empty: the
// disaster-recovery path. Set exactly one of SnapshotID or PointInTime.
type Restore struct {
	// SourceID is the database restored from. AWS: the ARN of automated
	// backups replicated into this region (arn:aws:rds:REGION:ACCOUNT:auto-backup:ab-...),
	// a DbiResourceId (db-...) or a DB instance identifier. GCP: the source
	// Cloud SQL instance name. Azure: the source server's resource id.
	SourceID string `json:"sourceId,omitempty"`
	// SnapshotID restores a snapshot. AWS: a DB snapshot identifier or ARN
	// (encrypted with this database's key). GCP: a backup run id of
	// SourceID. Azure has no snapshots: use PointInTime.
	SnapshotID string `json:"snapshotId,omitempty"`
	// PointInTime restores SourceID as it was at an RFC3339 time, or at the
	// latest restorable time with "latest" (not Azure: its API needs a time).
	PointInTime string `json:"pointInTime,omitempty"`
	// GeoRestore restores in this site's region from the cross-region
	// backups of a source in another region: the regional-outage case. AWS:
	// SourceID must be replicated automated backups in this region. Azure:
	// createMode GeoRestore. GCP restores other regions' backups by
	// SnapshotID instead.
	GeoRestore bool `json:"geoRestore,omitempty"`
}

// LatestRestorableTime is Restore.PointInTime's value for "as late as the
// backups allow".
const LatestRestorableTime = "latest"

// Validate returns every problem with r for a database on cloud in region.
func (r Restore) Validate(cloud core.Cloud, region string) error {
	p := &core.Problems{}
	switch {
	case r.SnapshotID == "" && r.PointInTime == "":
		p.Missing("snapshotId", "a restore needs snapshotId or pointInTime (a restored database is never created empty)")
	case r.SnapshotID != "" && r.PointInTime != "":
		p.Add("pointInTime", r.PointInTime, "set snapshotId or pointInTime, not both")
	}
	if r.PointInTime != "" {
		if r.PointInTime != LatestRestorableTime {
			if _, err := time.Parse(time.RFC3339, r.PointInTime); err != nil {
				p.Add("pointInTime", r.PointInTime, "use an RFC3339 time (2026-06-13T14:00:00Z) or %q", LatestRestorableTime)
			}
		}
		if r.SourceID == "" {
			p.Missing("sourceId", "a point-in-time restore needs the source database")
		}
	}
	if r.GeoRestore && r.SnapshotID != "" {
		p.Add("geoRestore", r.GeoRestore, "restores the latest cross-region backups at pointInTime; unset it to restore snapshotId")
	}
	switch cloud {
	case core.AWS:
		replicated := strings.HasPrefix(r.SourceID, "arn:aws:rds:"+region+":") && strings.Contains(r.SourceID, ":auto-backup:")
		if r.GeoRestore && r.SourceID != "" && !replicated {
			p.Add("sourceId", r.SourceID, "a geo-restore on AWS reads the automated backups replicated into %s: use their ARN (arn:aws:rds:%s:ACCOUNT:auto-backup:ab-...)", region, region)
		}
	case core.GCP:
		if r.GeoRestore {
			p.Add("geoRestore", r.GeoRestore, "Cloud SQL restores another region's backup by id: set snapshotId (backup run id) and sourceId instead")
		}
		if r.SnapshotID != "" {
			if !isDigits(r.SnapshotID) {
				p.Add("snapshotId", r.SnapshotID, "a Cloud SQL backup run id is a number (gcloud sql backups list)")
			}
			if r.SourceID == "" {
				p.Missing("sourceId", "Cloud SQL finds a backup run by its instance: name the source instance")
			}
		}
	case core.Azure:
		if r.SnapshotID != "" {
			p.Add("snapshotId", r.SnapshotID, "Azure flexible servers restore from a point in time, not snapshots: set sourceId and pointInTime")
		}
		if r.PointInTime == LatestRestorableTime {
			p.Add("pointInTime", r.PointInTime, "Azure needs the time to restore to: use an RFC3339 time")
		}
		if r.SourceID != "" && !strings.Contains(strings.ToLower(r.SourceID), "/providers/microsoft.dbforpostgresql/flexibleservers/") {
			p.Add("sourceId", r.SourceID, "use the source flexible server's resource id (/subscriptions/.../providers/Microsoft.DBforPostgreSQL/flexibleServers/NAME)")
		}
	}
	return p.Err()
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// DatabaseArgs are what a database needs from the stack.
type DatabaseArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Key encrypts the database at the primary site (the data key).
	Key *core.Key
	// DRKey is the data key in the DR site: it encrypts the cross-region
	// copy (AWS replicated backups, GCP replica, Azure geo-backups).
	// Required when Settings.CrossRegionBackups is on.
	DRKey *core.Key
	// Network is the primary site's network the database lives in.
	Network core.Network
	// Alerts, when set, receives the alarms (CPU, free storage, connections,
	// replication lag).
	Alerts *core.AlertTarget
	// Restore, when set, creates the database from backups of another one.
	Restore *Restore
	// AppPrincipals are the application's identities, which connect with
	// short-lived tokens instead of a password. GCP: service account emails,
	// made Cloud SQL IAM users with login rights on this instance only.
	// Azure: the managed identity (Name its name, ID its principal id);
	// Azure's API has no resource for a non-administrator Entra role, so an
	// administrator creates it once in the database:
	//   SELECT pgaadauth_create_principal_with_oid('NAME', 'ID', 'service', false, false);
	// AWS ignores them: the application's IAM role gets ConnectPolicy.
	// On every cloud the application's table privileges come from its
	// migrations (GRANT ...), never from the infrastructure.
	AppPrincipals []Principal
}

// Database is a managed PostgreSQL database.
type Database struct {
	pulumi.ResourceState

	// Endpoint is the host applications connect to: the RDS address, the
	// Cloud SQL private IP, the flexible server's FQDN.
	Endpoint pulumi.StringOutput
	Port     pulumi.IntOutput
	// DatabaseName is the application's database.
	DatabaseName pulumi.StringOutput
	// CredentialsSecret is the Secrets Manager ARN of the master user
	// credentials RDS generates and rotates (AWS). It is empty on GCP and
	// Azure: everyone signs in with a cloud identity there, so there is no
	// password to hold.
	CredentialsSecret pulumi.StringOutput
	// AppUsers are the PostgreSQL user names the application signs in as:
	// AWSAppUser on AWS, each app principal's IAM user on GCP (the email,
	// less ".gserviceaccount.com" for service accounts), each app
	// principal's Name on Azure.
	AppUsers pulumi.StringArrayOutput
	// ConnectPolicy (AWS) is an IAM policy document allowing rds-db:connect
	// as AWSAppUser on this database: attach it to the application's role,
	// which then signs in with `aws rds generate-db-auth-token` tokens.
	// Empty on GCP and Azure.
	ConnectPolicy pulumi.StringOutput
	// KeyID is the customer-managed key the database is encrypted with.
	KeyID pulumi.StringOutput
	// SourceID is what a restore elsewhere passes as Restore.SourceID: the
	// replicated automated backups ARN in the DR region when there are any,
	// else the DbiResourceId (AWS); the instance name (GCP); the server's
	// resource id (Azure).
	SourceID pulumi.StringOutput
	// MetricsID is what the cloud's metrics key the database by: the RDS
	// instance identifier, the Cloud SQL database_id (project:instance),
	// the flexible server's resource id. Dashboards read it.
	MetricsID pulumi.StringOutput
}

// adminLogin is the RDS master user (AWS), whose password RDS manages.
const adminLogin = "wedsync_admin"

// AWSAppUser is the database user the application signs in as on AWS with
// IAM database authentication. The application's first migration creates
// it, as the master user: CREATE USER wedsync_app; GRANT rds_iam TO wedsync_app;
const AWSAppUser = "wedsync_app"

// NewDatabase creates a database at the deployment's primary site. It
// applies the settings' defaults and validates everything first, so it is
// safe to use without the stacks package.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, fmt.Errorf("database %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("database %s: %w", name, err)
	}
	c := &Database{}
	if err := ctx.RegisterComponentResource("wedsync:database:Database", name, c, opts...); err != nil {
		return nil, err
	}
	var err error
	switch a.Deployment.Primary.Cloud {
	case core.AWS:
		err = newAWS(ctx, name, c, &a)
	case core.GCP:
		err = newGCP(ctx, name, c, &a)
	case core.Azure:
		err = newAzure(ctx, name, c, &a)
	}
	if err != nil {
		return nil, err
	}
	c.KeyID = a.Key.ID
	c.DatabaseName = pulumi.String(a.Settings.DatabaseName).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"endpoint":          c.Endpoint,
		"port":              c.Port,
		"databaseName":      c.DatabaseName,
		"credentialsSecret": c.CredentialsSecret,
		"appUsers":          c.AppUsers,
		"connectPolicy":     c.ConnectPolicy,
		"keyId":             c.KeyID,
		"sourceId":          c.SourceID,
		"metricsId":         c.MetricsID,
	})
}

// validate checks the settings and what they need from the stack.
func (a *DatabaseArgs) validate() error {
	p := &core.Problems{}
	dep := a.Deployment
	if !dep.Environment.Valid() {
		p.Add("deployment.environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	cloud := dep.Primary.Cloud
	if !cloud.Valid() {
		p.Add("deployment.primary.cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	p.Include("settings.", a.Settings.ValidateFor(cloud, dep.Environment))
	// Ids already listed as administrators, so the application is never one.
	seen := map[string]string{}
	for i, pr := range a.Settings.Administrators {
		seen[strings.ToLower(pr.ID)] = fmt.Sprintf("settings.administrators[%d]", i)
	}
	checkPrincipals(p, "appPrincipals", a.AppPrincipals, cloud, seen)
	checkKey := func(field string, k *core.Key, site *core.Site, why string) {
		switch {
		case k == nil:
			p.Missing(field, "%s; the database never falls back to a provider-managed key", why)
		case k.Purpose != "" && k.Purpose != core.DataKey:
			p.Add(field, string(k.Purpose), "use the %s key: databases are encrypted with the data key", core.DataKey)
		case site != nil && k.Region != "" && k.Region != site.Region:
			p.Add(field+".region", k.Region, "the key must be in the database's region %s", site.Region)
		case cloud == core.Azure && k.VaultID == (pulumi.StringOutput{}):
			p.Missing(field+".vaultId", "Azure grants the database's identity access on the key's vault")
		}
	}
	checkKey("key", a.Key, &dep.Primary, "the customer-managed key that encrypts the database")
	if a.Settings.CrossRegionBackups != nil && *a.Settings.CrossRegionBackups {
		if dep.DR == nil {
			p.Add("settings.crossRegionBackups", true, "needs a DR site: set wedsync:drRegion, or turn crossRegionBackups off outside prod")
		}
		checkKey("drKey", a.DRKey, dep.DR, "the key in the DR region that encrypts the cross-region copy")
	}
	if cloud == core.AWS && a.Network.DatabaseSecurityGroupID == (pulumi.StringOutput{}) {
		p.Missing("network.databaseSecurityGroupId", "the security group that admits PostgreSQL from the app only")
	}
	if cloud == core.Azure && a.Network.DatabasePrivateDNSZoneID == (pulumi.StringOutput{}) {
		p.Missing("network.databasePrivateDnsZoneId", "the private DNS zone the server registers its private address in")
	}
	if cloud == core.GCP && a.Network.ID == (pulumi.StringOutput{}) {
		p.Missing("network.id", "the VPC network Cloud SQL peers with for its private IP")
	}
	if cloud != core.GCP && a.Network.DatabaseSubnetIDs == (pulumi.StringArrayOutput{}) {
		p.Missing("network.databaseSubnetIds", "the private subnets the database lives in")
	}
	if a.Restore != nil && cloud.Valid() {
		p.Include("restore.", a.Restore.Validate(cloud, dep.Primary.Region))
	}
	return p.Err()
}

// crossRegion reports whether the database keeps a copy in the DR region.
func (a *DatabaseArgs) crossRegion() bool {
	return *a.Settings.CrossRegionBackups
}

// size is the settings' row of the sizing table.
func (a *DatabaseArgs) size() size { return sizes[a.Settings.Size] }

// backupHour is when daily backups start (UTC): two hours before the
// maintenance hour, so the two never overlap.
func (a *DatabaseArgs) backupHour() int { return (a.Settings.MaintenanceWindow.Hour + 22) % 24 }

// isoWeekday is the maintenance day as 1 (Monday) to 7 (Sunday).
func (a *DatabaseArgs) isoWeekday() int {
	return slices.Index(weekdays, a.Settings.MaintenanceWindow.Day) + 1
}

// Alarm names, the same on every cloud, each with what it means to on-call.
const (
	alarmCPU            = "cpu"
	alarmStorage        = "free-storage"
	alarmConnections    = "connections"
	alarmReplicationLag = "replication-lag"
)

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	page := "alarms/database.md#" + key
	switch key {
	case alarmCPU:
		return core.AlarmDescription(page, "Database CPU above %g%% for %d minutes: scale the size up before the weekend", t.DatabaseCPUPercent, t.EvaluationMinutes)
	case alarmStorage:
		return core.AlarmDescription(page, "Database has less than %g%% of its storage free: check storage autoscaling and the ceiling", t.DatabaseFreeStoragePercent)
	case alarmConnections:
		return core.AlarmDescription(page, "Database connections above %g%% of the size's ceiling: check the application's pool sizes", t.DatabaseConnectionsPercent)
	default:
		return core.AlarmDescription(page, "Replication lag is eating into the 15-minute RPO: check the standby and the DR copy")
	}
}

// storageAlarmBytes is the free space under which the storage alarm fires.
func (a *DatabaseArgs) storageAlarmBytes(t core.Thresholds) float64 {
	return float64(a.Settings.StorageGB) * t.DatabaseFreeStoragePercent / 100 * (1 << 30)
}

// connectionsAlarm is the connection count above which the connections
// alarm fires: the threshold's share of the size's ceiling.
func (a *DatabaseArgs) connectionsAlarm(t core.Thresholds) float64 {
	return float64(a.size().connections) / connectionsTableShare * t.DatabaseConnectionsPercent / 100
}

// principalLabel is a principal's part of a child resource's logical name:
// stable however the list is reordered.
func principalLabel(p Principal) string { return strings.ToLower(p.ID) }
