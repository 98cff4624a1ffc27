package dbbackup

import (
	"github.com/wedsync/wedsync-infra/components/core"
)

// ProdMinRetentionDays is the shortest retention prod accepts, the same as
// the backup buckets': five weekly cycles.
const ProdMinRetentionDays = 35

// MaxRetentionDays bounds retention: a locked vault of decades could never
// be shortened, and GDPR expects backups of guest data to expire.
const MaxRetentionDays = 3650

// Settings are the cloud-neutral knobs of the database's copies. The stack
// fills them from wedsync:backup (one retention for every backup tier), so
// they have no config key of their own.
type Settings struct {
	// RetentionDays is how long each daily copy (vault recovery point,
	// export) is kept; then it is deleted. The copy's effective lifetime
	// equals it: no second rule keeps it longer.
	RetentionDays int `json:"retentionDays,omitempty"`
	// HourUTC is when the daily copy starts: after the database's own
	// nightly backup window, before the offsite transfer (04:00 UTC).
	HourUTC *int `json:"hourUTC,omitempty"`
}

// defaultRetention is the retention per environment, as the buckets'.
var defaultRetention = map[core.Environment]int{core.Dev: 7, core.Staging: 60, core.Prod: 365}

// defaultHourUTC is the start of the daily copy.
const defaultHourUTC = 2

// ApplyDefaults fills every unset setting for env.
func (s *Settings) ApplyDefaults(env core.Environment) {
	if s.RetentionDays == 0 {
		d, ok := defaultRetention[env]
		if !ok {
			d = defaultRetention[core.Prod]
		}
		s.RetentionDays = d
	}
	if s.HourUTC == nil {
		h := defaultHourUTC
		s.HourUTC = &h
	}
}

// Validate returns every problem with s at once, each naming the field,
// the value and what is allowed. cloud == "" checks what every cloud shares.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	switch {
	case s.RetentionDays < 1:
		p.Add("retentionDays", s.RetentionDays, "must be at least 1 day")
	case env.IsProd() && s.RetentionDays < ProdMinRetentionDays:
		p.Add("retentionDays", s.RetentionDays, "prod keeps database copies at least %d days", ProdMinRetentionDays)
	case s.RetentionDays > MaxRetentionDays:
		p.Add("retentionDays", s.RetentionDays, "at most %d days: a locked vault cannot be shortened later", MaxRetentionDays)
	}
	if h := s.HourUTC; h != nil && (*h < 0 || *h > 23) {
		p.Add("hourUTC", *h, "an hour of the day, 0 to 23")
	}
	if cloud != "" && !cloud.Valid() {
		p.Add("cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	return p.Err()
}

// Locked reports whether env's vault is locked in compliance mode (nobody,
// the account root included, can delete a copy or shorten its retention):
// prod. Elsewhere the lock is governance (liftable by a privileged
// principal), so dev and staging stay tear-downable.
func Locked(env core.Environment) bool { return env.IsProd() }
