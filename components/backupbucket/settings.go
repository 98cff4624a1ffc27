package backupbucket

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// ConfigKey is where users write Settings in stack config.
const ConfigKey = "wedsync:backup"

// ProdMinRetentionDays is the shortest retention prod accepts: five weekly
// cycles, so a corruption noticed a month late can still be restored.
const ProdMinRetentionDays = 35

// MaxRetentionDays bounds retention: GDPR expects backups of guest data to
// expire, and a locked policy of decades could never be shortened.
const MaxRetentionDays = 3650

// Minimum ages and stays of the storage tiers. AWS refuses a transition to
// Standard-IA before 30 days and wants 30 days in IA before the next one; the
// colder classes bill a minimum stay (Glacier IR/Coldline/Cold 90 days, Deep
// Archive/Azure Archive 180 days) whether or not the object lives that long.
const (
	minInfrequentAfterDays = 30
	minDaysBetweenTiers    = 30
	minColdStayDays        = 90
	minArchiveStayDays     = 180
)

// Settings are the cloud-neutral knobs, read from `wedsync:backup` in stack
// config. One retention applies to every tier: primary, replica and offsite.
type Settings struct {
	// RetentionDays is how long every backup is kept, immutable, in every
	// tier; then it expires. Prod: at least 35.
	RetentionDays int `json:"retentionDays,omitempty"`
	// Tiers are the ages at which backups move to colder, cheaper storage.
	Tiers Tiers `json:"tiers,omitempty"`
	// ReplicateToDR keeps a copy in the DR region (when the stack has one).
	// On by default; prod refuses to turn it off.
	ReplicateToDR *bool `json:"replicateToDR,omitempty"`
	// Offsite asks for a further copy at another site, possibly on another
	// cloud. The stack creates that site (Deployment.Offsite) from this.
	Offsite *Offsite `json:"offsite,omitempty"`
}

// Tiers are lifecycle transition ages in days since a backup was written. Zero
// skips a tier. Set none of them to get the environment's defaults.
type Tiers struct {
	// InfrequentAfterDays: S3 Standard-IA, GCS Nearline, Azure Cool.
	InfrequentAfterDays int `json:"infrequentAfterDays,omitempty"`
	// ColdAfterDays: S3 Glacier Instant Retrieval, GCS Coldline, Azure Cold.
	ColdAfterDays int `json:"coldAfterDays,omitempty"`
	// ArchiveAfterDays: S3 Glacier Deep Archive, GCS Archive, Azure Archive.
	ArchiveAfterDays int `json:"archiveAfterDays,omitempty"`
}

// Offsite is where the offsite copy lives.
type Offsite struct {
	Cloud  core.Cloud `json:"cloud"`
	Region string     `json:"region"`
	// KeyGeneration (a copy from GCP) numbers the HMAC key the copy reads
	// with: raising it and deploying rotates the key (a new key, its
	// secret written to Key Vault, the old key deleted). docs/offsite-tiers.md.
	KeyGeneration int `json:"keyGeneration,omitempty"`
	// SourceRanges (a copy from Azure) are Storage Transfer Service's
	// worker ranges, IPv4 CIDRs as Google publishes them: the backup
	// accounts the transfer reads admit them through their firewall.
	// .github/workflows/offsite-ranges.yml compares them weekly with
	// Google's list (offsite_blob.go says why).
	SourceRanges []string `json:"sourceRanges,omitempty"`
}

// Immutability is how firmly backups are locked for the retention period.
type Immutability string

const (
	// Governance locks backups against ordinary deletes, but a privileged
	// principal can lift the lock: dev and staging must stay tear-downable.
	Governance Immutability = "governance"
	// Compliance locks backups so that nobody, including the account root,
	// can delete them or shorten the retention: prod.
	Compliance Immutability = "compliance"
)

// ImmutabilityFor is the lock mode of an environment. It is not a setting:
// prod is always compliance-locked.
func ImmutabilityFor(env core.Environment) Immutability {
	if env.IsProd() {
		return Compliance
	}
	return Governance
}

// defaults per environment. Prod keeps a year and tiers down as backups age;
// staging keeps two months and exercises one transition; dev keeps a week and
// never tiers (nothing lives long enough).
var defaults = map[core.Environment]Settings{
	core.Dev:     {RetentionDays: 7},
	core.Staging: {RetentionDays: 60, Tiers: Tiers{InfrequentAfterDays: 30}},
	core.Prod:    {RetentionDays: 365, Tiers: Tiers{InfrequentAfterDays: 30, ColdAfterDays: 90, ArchiveAfterDays: 180}},
}

// ApplyDefaults fills every unset setting for env. It is the one place
// defaults live.
func (s *Settings) ApplyDefaults(env core.Environment) {
	d, ok := defaults[env]
	if !ok {
		d = defaults[core.Prod]
	}
	if s.RetentionDays == 0 {
		s.RetentionDays = d.RetentionDays
	}
	if s.Tiers == (Tiers{}) {
		s.Tiers = d.Tiers.within(s.RetentionDays)
	}
	if s.ReplicateToDR == nil {
		s.ReplicateToDR = pulumi.BoolRef(true)
	}
}

// Validate returns every problem with s for env at once, each naming the
// field (its JSON path), the value and what is allowed. With a cloud (the
// primary's), it also checks what that cloud can do; cloud == "" checks only
// what every cloud shares.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	switch {
	case s.RetentionDays < 1:
		p.Add("retentionDays", s.RetentionDays, "must be at least 1 day")
	case env.IsProd() && s.RetentionDays < ProdMinRetentionDays:
		p.Add("retentionDays", s.RetentionDays, "prod keeps backups at least %d days; set %d or more", ProdMinRetentionDays, ProdMinRetentionDays)
	case s.RetentionDays > MaxRetentionDays:
		p.Add("retentionDays", s.RetentionDays, "at most %d days: locked retention cannot be shortened later, and GDPR expects backups to expire", MaxRetentionDays)
	}
	s.Tiers.validate(p, s.RetentionDays)
	if env.IsProd() && s.ReplicateToDR != nil && !*s.ReplicateToDR {
		p.Add("replicateToDR", s.ReplicateToDR, "prod keeps a replica in the DR region; remove the setting or set true")
	}
	if o := s.Offsite; o != nil {
		switch {
		case !o.Cloud.Valid():
			p.Add("offsite.cloud", string(o.Cloud), "use %s", core.Join(core.Clouds))
		case o.Region == "":
			p.Missing("offsite.region", "a region of %s", o.Cloud.Title())
		case !core.ValidRegion(o.Cloud, o.Region):
			p.Add("offsite.region", o.Region, "not a region of %s", o.Cloud.Title())
		}
		if o.KeyGeneration < 0 {
			p.Add("offsite.keyGeneration", o.KeyGeneration, "0 or more; raise it by one to rotate the offsite HMAC key")
		}
		validateSourceRanges(p, o.SourceRanges, cloud)
		if cloud != "" && !offsiteSupported(cloud, o.Cloud) {
			p.Add("offsite.cloud", string(o.Cloud), "an offsite copy from %s is not supported; supported: aws to gcp (a Storage Transfer job reading S3 through a federated role), azure to gcp (a Storage Transfer job reading Blob with a rotated SAS), gcp to azure (a Data Factory pipeline reading GCS with an HMAC key held in Key Vault)", cloud)
		}
	}
	return p.Err()
}

// offsiteSupported lists the offsite copies the component can feed: by
// Storage Transfer into GCS from S3 through a web-identity role (no
// secret), from Azure Blob with a short-lived, rotated user delegation SAS
// (offsite_blob.go says why a SAS); and by Azure Data Factory from GCS into
// Azure Blob with an HMAC key held in Key Vault (offsite_gcs.go says why).
func offsiteSupported(from, to core.Cloud) bool {
	return (to == core.GCP && (from == core.AWS || from == core.Azure)) || (from == core.GCP && to == core.Azure)
}

// within drops the tiers a backup kept retention days would not stay in for
// the class's minimum, so a shorter retention alone still gets valid defaults.
func (t Tiers) within(retention int) Tiers {
	fit := func(days, stay int) int {
		if days+stay > retention {
			return 0
		}
		return days
	}
	return Tiers{
		InfrequentAfterDays: fit(t.InfrequentAfterDays, minDaysBetweenTiers),
		ColdAfterDays:       fit(t.ColdAfterDays, minColdStayDays),
		ArchiveAfterDays:    fit(t.ArchiveAfterDays, minArchiveStayDays),
	}
}

// validate checks that the tiers ascend, leave time in each class, and are
// reached before backups expire.
func (t Tiers) validate(p *core.Problems, retention int) {
	tiers := []struct {
		field   string
		days    int
		minStay int
	}{
		{"tiers.infrequentAfterDays", t.InfrequentAfterDays, minDaysBetweenTiers},
		{"tiers.coldAfterDays", t.ColdAfterDays, minColdStayDays},
		{"tiers.archiveAfterDays", t.ArchiveAfterDays, minArchiveStayDays},
	}
	prevField, prevDays := "", 0
	for _, tier := range tiers {
		switch {
		case tier.days == 0:
			continue
		case tier.days < 0:
			p.Add(tier.field, tier.days, "must be 0 (no such tier) or a number of days")
			continue
		case tier.days < minInfrequentAfterDays:
			p.Add(tier.field, tier.days, "no tier before day %d: AWS refuses earlier transitions and every colder class bills a minimum stay", minInfrequentAfterDays)
		case prevField != "" && tier.days < prevDays+minDaysBetweenTiers:
			p.Add(tier.field, tier.days, "tiers ascend at least %d days apart; %s is %d, so set %d or more", minDaysBetweenTiers, prevField, prevDays, prevDays+minDaysBetweenTiers)
		case retention > 0 && tier.days+tier.minStay > retention:
			p.Add(tier.field, tier.days, "backups expire at retentionDays = %d and this class bills at least %d days; set at most %d, or 0 for no such tier", retention, tier.minStay, retention-tier.minStay)
		}
		prevField, prevDays = tier.field, tier.days
	}
}

// tier is one configured storage tier: its name and age in days.
type tier struct {
	name string
	days int
}

// ages lists the configured tiers, coldest last.
func (t Tiers) ages() []tier {
	var out []tier
	for _, x := range []tier{{"infrequent", t.InfrequentAfterDays}, {"cold", t.ColdAfterDays}, {"archive", t.ArchiveAfterDays}} {
		if x.days > 0 {
			out = append(out, x)
		}
	}
	return out
}

// softDeleteDays is how long a deleted bucket, container or (after its
// retention) backup can still be recovered: long enough in prod to notice a
// mistake after a holiday fortnight, a week elsewhere.
func softDeleteDays(env core.Environment) int {
	if env.IsProd() {
		return 30
	}
	return 7
}
