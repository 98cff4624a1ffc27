package erasureledger

import (
	"fmt"
	"slices"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/dbbackup"
)

// ConfigKey is where users write Settings in stack config.
const ConfigKey = "wedsync:erasure"

// Settings are the cloud-neutral knobs, read from `wedsync:erasure`. The
// ledger's retention is not among them: it is derived from the copies'
// settings (RetentionDays), so lengthening a backup lengthens the ledger.
type Settings struct {
	// Enabled creates the ledger. On in staging and prod (prod refuses to
	// turn it off), off in dev, whose copies hold no real person.
	Enabled *bool `json:"enabled,omitempty"`
	// SQLFile is the app's erasure SQL, relative to the repository: one or
	// more statements, each ending with a semicolon at the end of a line,
	// with $1 the subject id and $2 its kind (`erasure replay` runs them).
	SQLFile string `json:"sqlFile,omitempty"`
	// ReplayMarginMinutes is how far before a restored copy's time replay
	// starts reading entries: an erasure recorded while the copy was being
	// taken may or may not be in it.
	ReplayMarginMinutes int `json:"replayMarginMinutes,omitempty"`
}

// DefaultSQLFile is the erasure SQL of the reference schema the project's
// tests use; an app names its own.
const DefaultSQLFile = "internal/erasure/testdata/erasure.sql"

// defaultMarginMinutes covers a copy taken over an hour (an export, a
// snapshot) and the clocks of the app and the database disagreeing.
const defaultMarginMinutes = 60

// ApplyDefaults fills every unset setting for env.
func (s *Settings) ApplyDefaults(env core.Environment) {
	if s.Enabled == nil {
		on := env != core.Dev
		s.Enabled = &on
	}
	if s.SQLFile == "" {
		s.SQLFile = DefaultSQLFile
	}
	if s.ReplayMarginMinutes == 0 {
		s.ReplayMarginMinutes = defaultMarginMinutes
	}
}

// Validate returns every problem with s for env at once. cloud == ""
// checks only what every cloud shares.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	if env.IsProd() && s.Enabled != nil && !*s.Enabled {
		p.Add("enabled", false, "prod keeps an erasure ledger (GDPR Art. 17: an erased person must not come back with a restore); remove the setting or set true")
	}
	if s.ReplayMarginMinutes < 0 || s.ReplayMarginMinutes > 24*60 {
		p.Add("replayMarginMinutes", s.ReplayMarginMinutes, "0 to 1440 minutes")
	}
	if cloud != "" && !cloud.Valid() {
		p.Add("cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	return p.Err()
}

// Copies are the settings of every copy of the stack's data: what decides
// how long an erased person can still be in one.
type Copies struct {
	// Database holds the PITR window (backupRetentionDays).
	Database database.Settings
	// Backup is every backup bucket tier (primary, replica, offsite): one
	// locked retention, then lifecycle expiry.
	Backup backupbucket.Settings
	// DBBackup is the vault recovery points and daily exports.
	DBBackup dbbackup.Settings
}

// Lifetime is how long one kind of copy lives, in days.
type Lifetime struct {
	Copy string
	Days int
}

// Lifetimes are how long each kind of copy lives at the longest, after
// defaults. A bucket's lifecycle removes a backup within a day after its
// lock ends (S3 rounds to the next midnight UTC, GCS and Azure run daily),
// so a bucket copy lives up to its retention plus one day; the vault's
// recovery points are deleted by the backup service's daily job, the same.
func Lifetimes(env core.Environment, c Copies) []Lifetime {
	c.Database.ApplyDefaults(env)
	c.Backup.ApplyDefaults(env)
	c.DBBackup.ApplyDefaults(env)
	out := []Lifetime{
		{"database point-in-time window", c.Database.BackupRetentionDays},
		{"backup buckets (primary, DR replica) until lifecycle expiry", c.Backup.RetentionDays + 1},
		{"database vault copies and exports", c.DBBackup.RetentionDays + 1},
	}
	if c.Backup.Offsite != nil {
		out = append(out, Lifetime{fmt.Sprintf("offsite tier (%s %s)", c.Backup.Offsite.Cloud, c.Backup.Offsite.Region), c.Backup.RetentionDays + 1})
	}
	return out
}

// RetentionDays is the ledger's locked retention: the longest lifetime of
// any copy, so every entry outlives the copies it protects against, and no
// longer (GDPR Art. 5(1)(e): the ledger is itself kept no longer than
// necessary).
func RetentionDays(env core.Environment, c Copies) int {
	return slices.MaxFunc(Lifetimes(env, c), func(a, b Lifetime) int { return a.Days - b.Days }).Days
}
