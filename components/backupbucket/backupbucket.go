// Package backupbucket is the three-tier backup store: a bucket at the
// primary site (database exports, media, configuration), a replica in the DR
// region, and optionally an offsite copy on another cloud. Every tier is
// encrypted with a customer-managed key, private, TLS-only, immutable for the
// retention period and tiered to colder storage as it ages.
//
// What is the same on every cloud (retention, tier ages, immutability by
// environment, validation) lives here; aws.go, gcp.go and azure.go build it
// from each cloud's resources.
package backupbucket

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:backup:BackupBucket"

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
// field (its JSON path), the value and what is allowed.
func (s Settings) Validate(env core.Environment) error {
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
	}
	return p.Err()
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

// BackupBucketArgs are what the component needs: the stack's deployment, the
// settings and the customer-managed keys of every site it writes to.
type BackupBucketArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Key is the backup key at the primary site.
	Key *core.Key
	// DRKey is the backup key at the DR site, for the replica. Required
	// when the deployment has a DR site and ReplicateToDR is on.
	DRKey *core.Key
	// OffsiteKey is the key at the offsite site. Required with Settings.Offsite.
	OffsiteKey *core.Key
	// Alerts, when set, receives replication failure/latency and nightly
	// "backup arrived" alarms.
	Alerts *core.AlertTarget
	// Purpose names what the bucket holds ("db-exports", "media",
	// "config"): one bucket per purpose.
	Purpose string
}

// BackupBucket is the backup store of one purpose.
type BackupBucket struct {
	pulumi.ResourceState

	// BucketName is the primary bucket's name (the storage account's, on Azure).
	BucketName pulumi.StringOutput
	// BucketID is the primary bucket's provider id.
	BucketID pulumi.StringOutput
	// BucketURL is the ARN (AWS), gs:// URL (GCP) or blob endpoint of the
	// container (Azure).
	BucketURL pulumi.StringOutput
	// ReplicaLocation and ReplicaName are the DR copy's region and bucket
	// ("" when there is none). On Azure the copy is the account's
	// geo-replicated secondary.
	ReplicaLocation pulumi.StringOutput
	ReplicaName     pulumi.StringOutput
	// OffsiteLocation and OffsiteName are the offsite copy's "cloud:region"
	// and bucket ("" when there is none).
	OffsiteLocation pulumi.StringOutput
	OffsiteName     pulumi.StringOutput
	// InventoryDestination is where the compliance report (object inventory)
	// is delivered ("" where the cloud has none).
	InventoryDestination pulumi.StringOutput
}

// outputs is what each cloud's implementation fills in.
type outputs struct {
	name, id, url                pulumi.StringOutput
	replicaLocation, replicaName pulumi.StringOutput
	offsiteLocation, offsiteName pulumi.StringOutput
	inventoryDestination         pulumi.StringOutput
}

// build is the validated, cloud-neutral description every implementation builds.
type build struct {
	dep     core.Deployment
	s       Settings
	purpose string
	mode    Immutability
	key     *core.Key
	dr      *core.Site // nil: no replica
	drKey   *core.Key
	offsite *core.Site // nil: no offsite copy
	offKey  *core.Key
	alerts  *core.AlertTarget
	protect pulumi.ResourceOption
	parent  pulumi.ResourceOption
}

// name is the bucket name of this purpose at site: globally unique, so it
// carries the region.
func (p *build) name(site core.Site, parts ...string) string {
	return p.dep.Name(append([]string{"backup", p.purpose}, append(parts, site.Short())...)...)
}

// at returns the options of a child at site: its provider and the
// component as parent.
func (p *build) at(site core.Site, opts ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return site.With(append([]pulumi.ResourceOption{p.parent}, opts...)...)
}

// forceDestroy lets dev stacks be torn down with their (governance-locked)
// backups; staging and prod never empty a bucket on delete.
func (p *build) forceDestroy() bool { return p.dep.Environment == core.Dev }

var purposePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// validate checks args against the deployment, after defaults.
func (a *BackupBucketArgs) validate() error {
	dep := a.Deployment
	p := &core.Problems{}
	p.Include(ConfigKey+".", a.Settings.Validate(dep.Environment))
	if !dep.Environment.Valid() {
		p.Add("Deployment.Environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	if !purposePattern.MatchString(a.Purpose) {
		p.Add("Purpose", a.Purpose, "lowercase letters, digits and hyphens, at most 20, starting with a letter (e.g. db-exports, media, config)")
	}
	checkKey(p, "Key", a.Key, dep.Primary)
	replicate := a.Settings.ReplicateToDR == nil || *a.Settings.ReplicateToDR
	switch {
	case dep.IsProd() && dep.DR == nil:
		p.Missing("Deployment.DR", "prod keeps a replica of every backup in the DR region; set wedsync:drRegion")
	case dep.DR != nil && replicate:
		// Azure's DR copy is the account's geo-replica, under the primary key.
		if dep.Primary.Cloud != core.Azure {
			checkKey(p, "DRKey", a.DRKey, *dep.DR)
		}
		if dep.DR.Cloud != dep.Primary.Cloud {
			p.Add("Deployment.DR.Cloud", string(dep.DR.Cloud), "the DR site must be on the primary's cloud (%s); another cloud is the offsite tier", dep.Primary.Cloud)
		}
	}
	if o := a.Settings.Offsite; o != nil {
		switch {
		case dep.Offsite == nil:
			p.Missing("Deployment.Offsite", "%s.offsite asks for a copy in %s %s; the stack must create that site", ConfigKey, o.Cloud, o.Region)
		case dep.Offsite.Cloud != o.Cloud || dep.Offsite.Region != o.Region:
			p.Add("Deployment.Offsite", fmt.Sprintf("%s %s", dep.Offsite.Cloud, dep.Offsite.Region), "must be the site %s.offsite names (%s %s)", ConfigKey, o.Cloud, o.Region)
		default:
			checkKey(p, "OffsiteKey", a.OffsiteKey, *dep.Offsite)
		}
		if !offsiteSupported(dep.Primary.Cloud, o.Cloud) {
			p.Add(ConfigKey+".offsite.cloud", string(o.Cloud), "an offsite copy from %s is not supported; supported: aws to gcp (a Storage Transfer job reading S3 through a federated role)", dep.Primary.Cloud)
		}
	}
	return p.Err()
}

// offsiteSupported lists the offsite copies the component can feed without
// long-lived credentials: Storage Transfer reads S3 through a web-identity
// role; it has no such path from Azure, and nothing writes GCS to S3 or Blob.
func offsiteSupported(from, to core.Cloud) bool { return from == core.AWS && to == core.GCP }

func checkKey(p *core.Problems, field string, key *core.Key, site core.Site) {
	switch {
	case key == nil:
		p.Missing(field, "backups are encrypted with a customer-managed key at %s %s; there is no fallback to a provider-managed key", site.Cloud, site.Region)
	case key.Region != "" && key.Region != site.Region:
		p.Add(field+".Region", key.Region, "must be the site's region (%s): %s encrypts a bucket only with a key in its own region", site.Region, site.Cloud.Title())
	case site.Cloud == core.Azure:
		for _, f := range []struct {
			sub string
			v   pulumi.StringOutput
		}{{"VaultID", key.VaultID}, {"VaultURI", key.VaultURI}, {"Name", key.Name}} {
			if f.v == (pulumi.StringOutput{}) {
				p.Missing(field+"."+f.sub, "an Azure storage account names its key by vault URI and key name, and its identity is granted the key on the vault")
			}
		}
	}
}

// NewBackupBucket creates the backup bucket of one purpose with its replica,
// offsite copy, compliance inventory and alarms. It applies defaults and
// validates args itself, so it is usable without stacks.
func NewBackupBucket(ctx *pulumi.Context, name string, args *BackupBucketArgs, opts ...pulumi.ResourceOption) (*BackupBucket, error) {
	if args == nil {
		return nil, fmt.Errorf("backup bucket %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("backup bucket %s: %w", name, err)
	}
	c := &BackupBucket{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	dep := a.Deployment
	p := &build{
		dep: dep, s: a.Settings, purpose: a.Purpose, mode: ImmutabilityFor(dep.Environment),
		key: a.Key, alerts: a.Alerts, protect: dep.Protect(), parent: pulumi.Parent(c),
	}
	if dep.DR != nil && *a.Settings.ReplicateToDR {
		p.dr, p.drKey = dep.DR, a.DRKey
	}
	if a.Settings.Offsite != nil {
		p.offsite, p.offKey = dep.Offsite, a.OffsiteKey
	}
	var out outputs
	var err error
	switch dep.Primary.Cloud {
	case core.AWS:
		out, err = newAWS(ctx, name, p)
	case core.GCP:
		out, err = newGCP(ctx, name, p)
	case core.Azure:
		out, err = newAzure(ctx, name, p)
	default:
		err = fmt.Errorf("cloud %q is not supported", dep.Primary.Cloud)
	}
	if err != nil {
		return nil, fmt.Errorf("backup bucket %s: %w", name, err)
	}
	empty := pulumi.String("").ToStringOutput()
	for _, o := range []*pulumi.StringOutput{&out.replicaLocation, &out.replicaName, &out.offsiteLocation, &out.offsiteName, &out.inventoryDestination} {
		if *o == (pulumi.StringOutput{}) {
			*o = empty
		}
	}
	c.BucketName, c.BucketID, c.BucketURL = out.name, out.id, out.url
	c.ReplicaLocation, c.ReplicaName = out.replicaLocation, out.replicaName
	c.OffsiteLocation, c.OffsiteName = out.offsiteLocation, out.offsiteName
	c.InventoryDestination = out.inventoryDestination
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"bucketName":           c.BucketName,
		"bucketId":             c.BucketID,
		"bucketUrl":            c.BucketURL,
		"replicaLocation":      c.ReplicaLocation,
		"replicaName":          c.ReplicaName,
		"offsiteLocation":      c.OffsiteLocation,
		"offsiteName":          c.OffsiteName,
		"inventoryDestination": c.InventoryDestination,
	})
}

// The backup alarms, the same on every cloud where the cloud can see them.
const (
	alarmFreshness          = "freshness"
	alarmReplicationFailed  = "replication-failed"
	alarmReplicationLatency = "replication-latency"
)

// alarmDescription says what a backup alarm means to on-call, with its runbook.
func (p *build) alarmDescription(key string, t core.Thresholds) string {
	switch key {
	case alarmFreshness:
		return core.AlarmDescription("alarms/backups.md#freshness", "No %s backup was written to %s %s in %d hours: the nightly export or the copy to it did not run",
			p.purpose, p.dep.Stack, p.purpose, t.BackupMaxAgeHours)
	case alarmReplicationFailed:
		return core.AlarmDescription("alarms/backups.md#replication-failed", "%s backups failed to replicate to the DR region", p.purpose)
	default:
		return core.AlarmDescription("alarms/backups.md#replication-latency", "%s backups take over %d minutes to reach the DR region (the 15-minute RPO)", p.purpose, t.BackupReplicationMinutes)
	}
}
