// Package backupbucket is the three-tier backup store: a bucket at the
// primary site (database exports, media, configuration), a replica in the DR
// region, and optionally an offsite copy on another cloud. Every tier is
// encrypted with a customer-managed key, private, TLS-only, immutable for the
// retention period and tiered to colder storage as it ages.
//
// What is the same on every cloud (retention, tier ages, immutability by
// environment, validation) lives in settings.go and here; aws.go, gcp.go and
// azure.go build it from each cloud's resources.
package backupbucket

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:backupbucket:BackupBucket"

// oldType is the token stacks deployed before the module matched the
// package; it is kept as an alias so they update in place.
const oldType = "wedsync:backup:BackupBucket"

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
	// OffsiteCredential (Azure primary) is the Secret Manager secret
	// (projects/P/secrets/S) at the offsite site that holds the read SAS
	// the Storage Transfer job reads the container with (offsite_blob.go).
	// Required for an offsite copy from Azure.
	OffsiteCredential pulumi.StringOutput
	// OffsiteSigner (Azure primary) is the workload that rotates the SAS
	// (the rotation workflow's GitHub job): the signer identity trusts it
	// alone. Required for an offsite copy from Azure.
	OffsiteSigner *Federation
	// OffsiteRotator (Azure primary) is the GCP IAM member of that workload
	// (OffsiteRotation.Member): it may add and destroy versions of the SAS
	// secret, never read them.
	OffsiteRotator pulumi.StringOutput
	// OffsiteAlerts, when set, receives the offsite copy's alarms on the
	// offsite site's cloud (Azure primary: GCP notification channels).
	OffsiteAlerts *core.AlertTarget
	// Alerts, when set, receives replication failure/latency and nightly
	// "backup arrived" alarms.
	Alerts *core.AlertTarget
	// AccessLogWorkspace (Azure), when set, is the Log Analytics workspace
	// the account's blob read, write and delete logs go to (the secrets
	// store's audit workspace): who read or wrote a backup is recorded.
	AccessLogWorkspace pulumi.StringOutput
	// Purpose names what the bucket holds ("db-exports", "media",
	// "config"): one bucket per purpose.
	Purpose string
	// Adopt, when set, makes the primary bucket an existing bucket instead
	// of a new, empty one (AWS, GCP): a recovery's primary is the replica
	// its source already writes to in this region.
	Adopt *Adoption
	// Live says the bucket holds live objects that are rewritten in place
	// (Pulumi state), not write-once backups: the current version of an
	// object is never expired or tiered to a colder class; only the
	// versions a write replaced expire, after the retention. On GCP the
	// bucket is versioned with soft delete instead of retention-locked
	// (a locked retention policy refuses every overwrite).
	Live bool
	// Ledger says the bucket is an append-only record that is read back
	// after every restore (components/erasureledger), not a backup: its
	// objects stay in the standard class (an archived entry could not be
	// read when a restore needs it, so Tiers are ignored) and no "backup
	// arrived" alarm is raised (erasures do not come daily). Locking,
	// encryption, privacy, replication and its alarms are the backups'.
	Ledger bool
}

// Adoption names the existing bucket that becomes the primary. It is
// imported under its name with the inputs it was created with; its tags
// and labels (which name the stack that made it) and forceDestroy are left
// as they are, so the import finds nothing to change.
type Adoption struct {
	// Bucket is the existing bucket's name, which is also its import id.
	Bucket string
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
	// OffsiteSignerClientID (Azure with an offsite copy) is the client id
	// of the identity the rotation workflow signs the offsite SAS as ("" elsewhere).
	OffsiteSignerClientID pulumi.StringOutput
	// InventoryDestination is where the compliance report (object inventory)
	// is delivered ("" where the cloud has none).
	InventoryDestination pulumi.StringOutput
}

// outputs is what each cloud's implementation returns; unset fields are "".
type outputs struct {
	name, id, url                pulumi.StringOutput
	replicaLocation, replicaName pulumi.StringOutput
	offsiteLocation, offsiteName pulumi.StringOutput
	offsiteSigner                pulumi.StringOutput
	inventoryDestination         pulumi.StringOutput
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
	if err := ctx.RegisterComponentResource(Type, name, c, core.Aliased(opts, oldType)...); err != nil {
		return nil, err
	}
	b := newBuilder(ctx, name, a, c)
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(a.Deployment.Primary.Cloud)
	if err != nil {
		return nil, fmt.Errorf("backup bucket %s: %w", name, err)
	}
	return c, c.set(ctx, out)
}

// set copies out onto the component, "" for what the cloud left unset, and
// registers the outputs.
func (c *BackupBucket) set(ctx *pulumi.Context, out outputs) error {
	empty := pulumi.String("").ToStringOutput()
	registered := pulumi.Map{}
	if out.offsiteSigner != (pulumi.StringOutput{}) {
		// Only where there is one, so other stacks' outputs are unchanged.
		registered["offsiteSignerClientId"] = out.offsiteSigner
	}
	for _, o := range []*pulumi.StringOutput{&out.offsiteSigner, &out.replicaLocation, &out.replicaName, &out.offsiteLocation, &out.offsiteName, &out.inventoryDestination} {
		if *o == (pulumi.StringOutput{}) {
			*o = empty
		}
	}
	c.BucketName, c.BucketID, c.BucketURL = out.name, out.id, out.url
	c.ReplicaLocation, c.ReplicaName = out.replicaLocation, out.replicaName
	c.OffsiteLocation, c.OffsiteName = out.offsiteLocation, out.offsiteName
	c.InventoryDestination, c.OffsiteSignerClientID = out.inventoryDestination, out.offsiteSigner
	for k, v := range map[string]pulumi.StringOutput{
		"bucketName":           c.BucketName,
		"bucketId":             c.BucketID,
		"bucketUrl":            c.BucketURL,
		"replicaLocation":      c.ReplicaLocation,
		"replicaName":          c.ReplicaName,
		"offsiteLocation":      c.OffsiteLocation,
		"offsiteName":          c.OffsiteName,
		"inventoryDestination": c.InventoryDestination,
	} {
		registered[k] = v
	}
	return ctx.RegisterResourceOutputs(c, registered)
}

// builder is the validated, cloud-neutral description every cloud builds.
type builder struct {
	ctx     *pulumi.Context
	name    string
	c       pulumi.Resource // the parent of every child: a BackupBucket or a FailedOverAccount
	dep     core.Deployment
	s       Settings
	purpose string
	mode    Immutability
	key     *core.Key
	dr      *core.Site // nil: no replica
	drKey   *core.Key
	offsite *core.Site // nil: no offsite copy
	offKey  *core.Key
	// offCredential, offSigner and offAlerts: the offsite copy from Azure.
	offCredential     pulumi.StringOutput
	offSigner         *Federation
	offRotator        pulumi.StringOutput
	offAlerts         *core.AlertTarget
	offSignerClientID pulumi.StringOutput
	alerts            *core.AlertTarget
	adopt             *Adoption
	live              bool
	ledger            bool
	logs              pulumi.StringOutput
	// offsiteCopy: this builder makes the offsite copy's Azure account
	// (atOffsite), geo-redundant like every prod backup account.
	offsiteCopy bool
	// recovery: the source is a recovery's adopted replica or failed-over
	// account, which already holds the lost region's history
	// (offsiteConditions).
	recovery bool
}

func newBuilder(ctx *pulumi.Context, name string, a BackupBucketArgs, c *BackupBucket) *builder {
	dep := a.Deployment
	b := &builder{
		ctx: ctx, name: name, c: c, dep: dep, s: a.Settings, purpose: a.Purpose,
		mode: ImmutabilityFor(dep.Environment), key: a.Key, alerts: a.Alerts, adopt: a.Adopt, live: a.Live, logs: a.AccessLogWorkspace,
		ledger: a.Ledger, recovery: a.Adopt != nil,
	}
	if a.Ledger {
		b.s.Tiers = Tiers{}
	}
	if dep.DR != nil && *a.Settings.ReplicateToDR {
		b.dr, b.drKey = dep.DR, a.DRKey
	}
	if a.Settings.Offsite != nil {
		b.offsite, b.offKey = dep.Offsite, a.OffsiteKey
		b.offCredential, b.offSigner, b.offRotator, b.offAlerts = a.OffsiteCredential, a.OffsiteSigner, a.OffsiteRotator, a.OffsiteAlerts
	}
	return b
}

// bucketName is the bucket name of this purpose at site: globally unique,
// so it carries the region.
func (b *builder) bucketName(site core.Site, parts ...string) string {
	return b.dep.Name(append([]string{"backup", b.purpose}, append(parts, site.Short())...)...)
}

// primaryName is the primary bucket's name: the adopted bucket's, or its own.
func (b *builder) primaryName() string {
	if b.adopt != nil {
		return b.adopt.Bucket
	}
	return b.bucketName(b.dep.Primary)
}

// adoption are the options that import the adopted bucket instead of
// creating one, leaving unmanaged the inputs named by ignore (the cloud's
// tag or label fields, and forceDestroy); none without an adoption.
func (b *builder) adoption(ignore ...string) []pulumi.ResourceOption {
	if b.adopt == nil {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(b.adopt.Bucket)), pulumi.IgnoreChanges(ignore)}
}

// opts are the options of a child at site: its provider and the component
// as parent.
func (b *builder) opts(site core.Site, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// forceDestroy lets dev stacks be torn down with their (governance-locked)
// backups; staging and prod never empty a bucket on delete.
func (b *builder) forceDestroy() bool { return b.dep.Environment == core.Dev }

var purposePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// validate checks args against the deployment, after defaults.
func (a *BackupBucketArgs) validate() error {
	dep := a.Deployment
	p := &core.Problems{}
	p.Include(ConfigKey+".", a.Settings.Validate(dep.Environment, dep.Primary.Cloud))
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
		checkOffsiteSite(p, dep, *o, a.OffsiteKey)
		if dep.Primary.Cloud == core.Azure {
			a.checkBlobOffsite(p)
		}
	}
	a.Adopt.check(p, dep.Primary.Cloud)
	return p.Err()
}

// checkOffsiteSite records what is wrong with dep's offsite site for the
// copy o asks for, and with its key.
func checkOffsiteSite(p *core.Problems, dep core.Deployment, o Offsite, key *core.Key) {
	switch {
	case dep.Offsite == nil:
		p.Missing("Deployment.Offsite", "%s.offsite asks for a copy in %s %s; the stack must create that site", ConfigKey, o.Cloud, o.Region)
	case dep.Offsite.Cloud != o.Cloud || dep.Offsite.Region != o.Region:
		p.Add("Deployment.Offsite", fmt.Sprintf("%s %s", dep.Offsite.Cloud, dep.Offsite.Region), "must be the site %s.offsite names (%s %s)", ConfigKey, o.Cloud, o.Region)
	default:
		checkKey(p, "OffsiteKey", key, *dep.Offsite)
	}
}

// checkBlobOffsite records what an offsite copy from Azure lacks: the
// secret holding its SAS and the workload that rotates it.
func (a *BackupBucketArgs) checkBlobOffsite(p *core.Problems) {
	if a.OffsiteCredential == (pulumi.StringOutput{}) {
		p.Missing("OffsiteCredential", "the Secret Manager secret (projects/P/secrets/S) at the offsite site that holds the read SAS of the container")
	}
	if f := a.OffsiteSigner; f == nil || f.Issuer == "" || f.Subject == "" {
		p.Missing("OffsiteSigner", "the OIDC issuer and subject of the workflow that rotates the SAS (wedsync:ci.repository)")
	}
	if a.OffsiteRotator == (pulumi.StringOutput{}) {
		p.Missing("OffsiteRotator", "the GCP IAM member of the workflow that rotates the SAS (NewOffsiteRotation)")
	}
}

// check records what is wrong with adopting d (nil: nothing to adopt) on cloud.
func (d *Adoption) check(p *core.Problems, cloud core.Cloud) {
	switch {
	case d == nil:
	case cloud == core.Azure:
		p.Add("Adopt", d.Bucket, "an Azure backup account is not adopted: its DR copy is its own geo-secondary, failed over in place; remove Adopt")
	case d.Bucket == "":
		p.Missing("Adopt.Bucket", "the name of the existing bucket to adopt as the primary")
	}
}

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
