package database

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

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
	// ReadReplicas is how many read replicas serve the application's read
	// path, each in another zone than the primary where the region has
	// zones, on the size's class (a replica replays every write, so it is
	// never smaller than the primary). Peak season scales reads, not the
	// writer: prod keeps at least one.
	ReadReplicas *int `json:"readReplicas,omitempty"`
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

// versions are the PostgreSQL major versions every cloud offers: the one
// list releases are checked against too.
var versions = core.PostgresVersions

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
	// maxReadReplicas is Azure's limit per server (RDS allows 15, Cloud
	// SQL 10).
	maxReadReplicas = 5
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
	if s.ReadReplicas == nil {
		n := map[bool]int{true: 1, false: 0}[prod]
		s.ReadReplicas = &n
	}
	if s.MaintenanceWindow == nil {
		// Tuesday 02:00 UTC: the quietest night, furthest from weekend weddings.
		s.MaintenanceWindow = &Window{Day: "tuesday", Hour: 2}
	}
}

// Validate returns every problem with s for env on cloud at once. Prod
// refuses to loosen any protection; no environment may be unencrypted or
// public (those are not settings at all). With a cloud, its rules are added:
// on GCP and Azure, where administrators sign in with their cloud identity
// and there is no password, prod needs at least one administrator, named as
// that cloud names principals. cloud == "" checks only what every cloud
// shares.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
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
	s.checkReplicas(p, prod, cloud)
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
	return p.Err()
}

// checkReplicas records the problems with readReplicas: a count the clouds
// allow, at least one in prod, and (Azure) a size that offers replicas.
func (s Settings) checkReplicas(p *core.Problems, prod bool, cloud core.Cloud) {
	if s.ReadReplicas == nil {
		return
	}
	n := *s.ReadReplicas
	switch {
	case n < 0 || n > maxReadReplicas:
		p.Add("readReplicas", n, "use 0 to %d (Azure's limit per server)", maxReadReplicas)
	case prod && n < 1:
		p.Add("readReplicas", n, "prod keeps at least 1: peak season scales reads onto the replicas; remove the setting")
	case n > 0 && cloud == core.Azure && sizes[s.Size].burstable:
		p.Add("readReplicas", n, "Azure offers no read replicas on Burstable sizes (%s); use size small or larger, or 0 replicas", s.Size)
	}
}

// replicas is the number of read replicas.
func (s Settings) replicas() int { return *s.ReadReplicas }
