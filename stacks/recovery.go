package stacks

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/ingress"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
)

// Recovery is `wedsync:recovery`: the stack is the same program in recovery
// mode. It rebuilds its source stack in this stack's region (wedsync:region,
// the source's DR region) from what the source replicated here: the
// database is restored, never created empty; the backup buckets are the
// replicas the source already writes to; keys are the source's replicas in
// this region. wedsync:drRegion points back at the source's region, where
// replication resumes when it returns.
type Recovery struct {
	// SourceStack is the stack being rebuilt, as `pulumi stack` names it:
	// "prod", or fully qualified "organization/wedsync/prod".
	SourceStack string `json:"sourceStack"`
	// RestorePoint is the instant the database is restored to: "latest"
	// (the default; not on Azure, whose geo-restore takes an instant) or an
	// RFC3339 time within the source's backup retention.
	RestorePoint string `json:"restorePoint,omitempty"`
	// BackupRunID (GCP only) restores a Cloud SQL backup run of the source
	// (stored in this region) instead of cloning the promoted cross-region
	// replica: the way back to an instant before a corruption.
	BackupRunID string `json:"backupRunId,omitempty"`
	// ReadSourceStack reads the source's outputs through a stack reference
	// (default true). Set false when the source's state backend is
	// unreachable: only SourceOutputs are used then.
	ReadSourceStack *bool `json:"readSourceStack,omitempty"`
	// SourceOutputs are the source's outputs as config: the fallback for
	// every output the stack reference does not give.
	SourceOutputs *SourceOutputs `json:"sourceOutputs,omitempty"`
	// Drill makes the stack a restore drill's scratch copy (`dr drill
	// --recovery-stack` sets it; the stack's name must start with
	// DrillStackPrefix): it reads the backups it restores (the database's
	// restore source and the source's key replicas that decrypt them) and
	// adopts, creates or configures nothing of the source's, so a drill
	// cannot change prod's data stores and its destroy leaves them as
	// they are. Left out, against a rebuild (each step checks drilling()):
	//   - the backup buckets: a rebuild adopts the source's replica
	//     buckets (AWS, GCP) and applies its policy, lock, replication and
	//     alarms to them; Azure's watches the failed-over accounts with
	//     diagnostic settings on them. A drill has no backup buckets, and
	//     no backup tiers in its outputs.
	//   - the daily database copies (vault, export schedule): they would
	//     write into the source's db-exports store, and a compliance-locked
	//     vault could not be destroyed with the scratch stack.
	//   - the erasure ledger: a rebuild grants its restore identity read on
	//     the source's ledger replica (a grant on prod's store).
	//   - the app tier: a drill proves the backups restore and verify, so
	//     it has the restored database and what the database itself needs
	//     (the network, its alarms), nothing that serves traffic: no app
	//     group, ingress, certificate or DNS record, app configuration
	//     document, app grants (stacks/grants.go), dashboard, or flow logs
	//     (the network carries only the drill's session, which the database
	//     logs). Each of them granted on, or encrypted with, the source's
	//     keys, secrets or vaults. The database alone still uses the
	//     source's keys: the restored copy is encrypted with the replica
	//     it was backed up under (on Azure its identity is granted that key
	//     on the source's vault: main-key), and prod's settings and pack
	//     still give it a cross-region copy under the source's other data
	//     key (main-dr-key on Azure).
	//     ingress.failover must still be standby and the hostname the
	//     drill's own (<stack>.…), should an ingress ever be planned.
	// Key policies are never written by a recovery (the keys are referenced
	// by id, secretsstore.NewAdoptedStore), in a drill neither.
	Drill bool `json:"drill,omitempty"`
}

// DrillStackPrefix starts the name of every restore drill's scratch stack
// (internal/drill names them), and so the names of everything it creates:
// the drill identity may create only resources under it (components/ciaccess).
const DrillStackPrefix = "drill-"

// drilling reports whether the stack is a restore drill's scratch copy.
func (c Config) drilling() bool { return c.Recovery != nil && c.Recovery.Drill }

// SourceOutputs are what a recovery needs from its source stack, under the
// names the source exports them (`pulumi stack output --stack prod`).
type SourceOutputs struct {
	Cloud    string `json:"cloud,omitempty"`
	Region   string `json:"region,omitempty"`
	DRRegion string `json:"drRegion,omitempty"`
	// Keys are key ids by "role.purpose" ("dr.data" is the replica of the
	// data key in the source's DR region, this stack's region).
	Keys SourceKeys `json:"keys,omitempty"`
	// KeyVaults (Azure) are the vault resource ids by role.
	KeyVaults SourceVaults `json:"keyVaults,omitempty"`
	// BackupBuckets are the backup buckets by purpose.
	BackupBuckets SourceBuckets   `json:"backupBuckets,omitempty"`
	Database      *SourceDatabase `json:"database,omitempty"`
	// ErasureLedger is the source's erasure ledger and its copy here, which
	// replay reads after the restore (stacks/erasure.go).
	ErasureLedger *SourceLedger `json:"erasureLedger,omitempty"`
}

// SourceKeys are key ids by "role.purpose"; a key not among them is a typo
// (core.KeyedMap), not a key the recovery would silently go without.
type SourceKeys map[string]string

// AllowedKeys are every "role.purpose" of the source's two sites.
func (SourceKeys) AllowedKeys() []string {
	var out []string
	for _, role := range sourceRoles {
		for _, purpose := range core.KeyPurposes {
			out = append(out, string(role)+"."+string(purpose))
		}
	}
	slices.Sort(out)
	return out
}

// SourceVaults are Key Vault resource ids by role.
type SourceVaults map[string]string

// AllowedKeys are the source's two sites.
func (SourceVaults) AllowedKeys() []string { return []string{string(core.DR), string(core.Primary)} }

// SourceBuckets are the source's backup buckets by purpose.
type SourceBuckets map[string]SourceBucket

// AllowedKeys are the backup purposes every stack has.
func (SourceBuckets) AllowedKeys() []string { return slices.Sorted(slices.Values(backupPurposes)) }

// sourceRoles are the sites of a source a recovery reads.
var sourceRoles = []core.Role{core.DR, core.Primary}

// SourceBucket is one backup bucket of the source and its DR replica.
type SourceBucket struct {
	Bucket          string `json:"bucket,omitempty"`
	Replica         string `json:"replica,omitempty"`
	ReplicaLocation string `json:"replicaLocation,omitempty"`
}

// SourceDatabase is what the restore reads from the source's database.
type SourceDatabase struct {
	// SourceID is the source's database.sourceId output: the automated
	// backups replicated into this region (AWS), the source instance
	// (GCP), the source server's resource id (Azure).
	SourceID string `json:"sourceId,omitempty"`
	// Replica (GCP) is the source's cross-region replica in this region,
	// promoted before the rebuild; derived from the source's naming when
	// unset.
	Replica string `json:"replica,omitempty"`
}

// sourceOutputNames are the outputs a recovery reads, in SourceOutputs'
// JSON names.
var sourceOutputNames = []string{"cloud", "region", "drRegion", "keys", "keyVaults", "backupBuckets", "database", "erasureLedger"}

// recoveredKeyPurposes are the keys a recovery needs from its source: the
// data and backup keys here (to read what was replicated) and in the
// source's region (to replicate back).
var recoveredKeyPurposes = []core.KeyPurpose{core.DataKey, core.BackupKey}

var stackNamePattern = regexp.MustCompile(`^([A-Za-z0-9_.-]+/){0,2}[A-Za-z0-9_.-]+$`)

// ApplyDefaults fills the unset settings: restore as late as the backups
// allow, reading the source stack first.
func (r *Recovery) ApplyDefaults() {
	if r.RestorePoint == "" {
		r.RestorePoint = core.LatestRestorableTime
	}
	if r.ReadSourceStack == nil {
		r.ReadSourceStack = pulumi.BoolRef(true)
	}
}

// sourceName is the source stack's own name, without organization and
// project.
func (r Recovery) sourceName() string {
	return r.SourceStack[strings.LastIndex(r.SourceStack, "/")+1:]
}

// validate returns every problem with the recovery of stack c, fields
// relative to wedsync:recovery.
func (r Recovery) validate(c Config) error {
	p := &core.Problems{}
	switch {
	case r.SourceStack == "":
		p.Missing("sourceStack", "the stack being rebuilt, e.g. prod")
	case !stackNamePattern.MatchString(r.SourceStack):
		p.Add("sourceStack", r.SourceStack, "use a stack name, e.g. prod or organization/wedsync/prod")
	case r.sourceName() == c.Stack:
		p.Add("sourceStack", r.SourceStack, "a stack cannot rebuild itself; name the stack whose region was lost")
	}
	if r.RestorePoint != core.LatestRestorableTime {
		if _, err := time.Parse(time.RFC3339, r.RestorePoint); err != nil {
			p.Add("restorePoint", r.RestorePoint, "use %q or an RFC3339 time, e.g. 2026-06-13T14:00:00Z", core.LatestRestorableTime)
		}
	}
	switch c.Cloud {
	case core.Azure:
		if r.RestorePoint == core.LatestRestorableTime {
			p.Add("restorePoint", r.RestorePoint, "Azure geo-restore needs the instant to restore to: use an RFC3339 time (`wedsync-infra dr rebuild` writes the rebuild's start)")
		}
	case core.GCP:
		if r.BackupRunID == "" && r.RestorePoint != core.LatestRestorableTime {
			p.Add("restorePoint", r.RestorePoint, "Cloud SQL reaches an earlier instant in another region only through a backup run: set backupRunId (gcloud sql backups list --instance SOURCE) or restore %q from the promoted replica", core.LatestRestorableTime)
		}
	}
	if r.BackupRunID != "" {
		if c.Cloud != core.GCP {
			p.Add("backupRunId", r.BackupRunID, "only Cloud SQL (GCP) restores by backup run; remove it")
		} else if !isDigits(r.BackupRunID, len(r.BackupRunID)) {
			p.Add("backupRunId", r.BackupRunID, "a Cloud SQL backup run id is a number (gcloud sql backups list)")
		}
	}
	if r.Drill {
		if !strings.HasPrefix(c.Stack, DrillStackPrefix) {
			p.Add("drill", "true", "only a restore drill's scratch stack (named %s*, `dr drill --recovery-stack`) is a drill; %s is not", DrillStackPrefix, c.Stack)
		}
		if !strings.HasPrefix(c.Ingress.Hostname, c.Stack+".") {
			p.Add("drill", "true", "a drill's DNS records are its own: set wedsync:ingress hostname to a name under %s. (it is %q)", c.Stack, c.Ingress.Hostname)
		}
		if c.Ingress.Failover != ingress.FailoverStandby {
			p.Add("drill", "true", "a drill publishes no DNS record: set wedsync:ingress failover: %s (it is %q)", ingress.FailoverStandby, c.Ingress.Failover)
		}
	}
	if r.ReadSourceStack != nil && !*r.ReadSourceStack && r.SourceOutputs == nil {
		p.Missing("sourceOutputs", "readSourceStack is false, so the source's outputs must come from config (`pulumi stack output --json --stack %s`)", r.SourceStack)
	}
	if o := r.SourceOutputs; o != nil {
		o.check(c, p, "sourceOutputs.", false)
	}
	return p.Err()
}

// check records the problems of o as the outputs of c's source. With
// complete, every output the recovery needs must be present (the merged
// outputs at deploy time); otherwise only what is set is checked (a config
// fallback may be partial when the stack reference gives the rest).
func (o SourceOutputs) check(c Config, p *core.Problems, prefix string, complete bool) {
	missing := func(field, format string, args ...any) {
		if complete {
			p.Missing(prefix+field, format, args...)
		}
	}
	if o.Cloud != "" && o.Cloud != string(c.Cloud) {
		p.Add(prefix+"cloud", o.Cloud, "the source is on another cloud than this stack (%s); a DR stack rebuilds on its source's cloud", c.Cloud)
	}
	switch {
	case o.Region == "":
		missing("region", "the source's primary region (the region that was lost)")
	case !knownRegion(c.Cloud, o.Region):
		p.Add(prefix+"region", o.Region, "not a region of %s%s", c.Cloud.Title(), core.DidYouMean(o.Region, core.Regions(c.Cloud)))
	case c.DRRegion != "" && o.Region != c.DRRegion:
		p.Add(prefix+"region", o.Region, "this stack replicates back to wedsync:drRegion = %s; the source's region must be it", c.DRRegion)
	}
	switch {
	case o.DRRegion == "":
		missing("drRegion", "the source's DR region, which is this stack's region %s", c.Region)
	case !knownRegion(c.Cloud, o.DRRegion):
		p.Add(prefix+"drRegion", o.DRRegion, "not a region of %s%s", c.Cloud.Title(), core.DidYouMean(o.DRRegion, core.Regions(c.Cloud)))
	case o.DRRegion != c.Region:
		p.Add(prefix+"drRegion", o.DRRegion, "the source replicates to %s, not to this stack's region %s: rebuild in %s, where its replicas are", o.DRRegion, c.Region, o.DRRegion)
	}
	for _, role := range []core.Role{core.DR, core.Primary} {
		region := map[core.Role]string{core.DR: c.Region, core.Primary: c.DRRegion}[role]
		for _, purpose := range recoveredKeyPurposes {
			name := string(role) + "." + string(purpose)
			id := o.Keys[name]
			switch {
			case id == "":
				missing("keys."+name, "the source's %s key in %s", purpose, region)
			case !keyInRegion(c.Cloud, id, region):
				p.Add(prefix+"keys."+name, id, "must be a key in %s (%s)", region, map[core.Role]string{core.DR: "the replica this region's data is encrypted with", core.Primary: "where replication goes back to"}[role])
			}
		}
		if c.Cloud == core.Azure && o.KeyVaults[string(role)] == "" {
			missing("keyVaults."+string(role), "the resource id of the source's %s Key Vault (in %s)", role, region)
		}
	}
	for _, purpose := range backupPurposes {
		b, ok := o.BackupBuckets[purpose]
		switch {
		case !ok:
			missing("backupBuckets."+purpose, "the source's %s bucket and its replica in %s", purpose, c.Region)
		case c.Cloud == core.Azure && b.Bucket == "":
			missing("backupBuckets."+purpose+".bucket", "the source's %s storage account, failed over to %s", purpose, c.Region)
		case c.Cloud != core.Azure && b.Replica == "":
			p.Missing(prefix+"backupBuckets."+purpose+".replica", "the source's %s replica bucket in %s: without one there is nothing to recover", purpose, c.Region)
		case b.ReplicaLocation != "" && !knownRegion(c.Cloud, strings.ToLower(b.ReplicaLocation)):
			p.Add(prefix+"backupBuckets."+purpose+".replicaLocation", b.ReplicaLocation, "not a region of %s%s", c.Cloud.Title(), core.DidYouMean(b.ReplicaLocation, core.Regions(c.Cloud)))
		case c.Cloud != core.Azure && b.ReplicaLocation != "" && b.ReplicaLocation != c.Region:
			p.Add(prefix+"backupBuckets."+purpose+".replicaLocation", b.ReplicaLocation, "the %s replica must be in this stack's region %s", purpose, c.Region)
		}
	}
	if o.Database == nil || o.Database.SourceID == "" {
		missing("database.sourceId", "the source's database.sourceId output (what the restore reads)")
	}
	o.ErasureLedger.check(c, missing)
}

// knownRegion reports whether region is one of cloud's (core.Regions, from
// each provider's list); a stack on an unknown cloud is judged elsewhere.
func knownRegion(cloud core.Cloud, region string) bool {
	return !cloud.Valid() || core.ValidRegion(cloud, region)
}

// keyInRegion reports whether id names a key in region, where its form
// says (AWS ARNs and GCP key paths do; Azure key URIs do not).
func keyInRegion(cloud core.Cloud, id, region string) bool {
	switch cloud {
	case core.AWS:
		return strings.HasPrefix(id, "arn:aws:kms:"+region+":")
	case core.GCP:
		return strings.Contains(id, "/locations/"+region+"/")
	}
	return true
}

// source is the recovery's view of its source stack: the merged outputs and
// where each came from.
type source struct {
	SourceOutputs
	// from says, per output name, "stack reference" or "config".
	from map[string]string
	// unread says why the stack reference gave nothing, if it did not.
	unread string
}

// Where each output came from.
const (
	fromStack  = "stack reference"
	fromConfig = "config (wedsync:recovery.sourceOutputs)"
)

// mode says in a few words where the outputs came from: "stack prod",
// "config, stack prod unreadable", or "stack prod + config".
func (s source) mode(stack string) string {
	stackUsed, configUsed := false, false
	for _, f := range s.from {
		stackUsed = stackUsed || f == fromStack
		configUsed = configUsed || f == fromConfig
	}
	switch {
	case stackUsed && configUsed:
		return "stack " + stack + " + config"
	case stackUsed:
		return "stack " + stack
	case s.unread != "":
		return "config, stack " + stack + " unreadable"
	}
	return "config"
}

// describe says which source the outputs came from, in one line.
func (s source) describe(stack string) string {
	byFrom := map[string][]string{}
	for _, n := range sourceOutputNames {
		if f, ok := s.from[n]; ok {
			byFrom[f] = append(byFrom[f], n)
		}
	}
	switch {
	case len(byFrom[fromConfig]) == 0:
		return fmt.Sprintf("%s of %s", fromStack, stack)
	case len(byFrom[fromStack]) == 0 && s.unread != "":
		return fmt.Sprintf("%s; the outputs of stack %s could not be read", fromConfig, stack)
	case len(byFrom[fromStack]) == 0:
		return fromConfig
	}
	return fmt.Sprintf("%s of %s (%s), %s (%s)", fromStack, stack, strings.Join(byFrom[fromStack], ", "), fromConfig, strings.Join(byFrom[fromConfig], ", "))
}

// resolveSource reads the source's outputs: from the source stack's state
// through a stack reference where it has them, from config otherwise. The
// result is validated as a whole, so a rebuild never starts on half the
// facts.
func (b *build) resolveSource() (*source, error) {
	r := b.cfg.Recovery
	s := &source{from: map[string]string{}}
	if r.SourceOutputs != nil {
		s.SourceOutputs = *r.SourceOutputs
		for _, n := range sourceOutputNames {
			if !reflect.ValueOf(outputField(&s.SourceOutputs, n)).Elem().IsZero() {
				s.from[n] = fromConfig
			}
		}
	}
	if *r.ReadSourceStack {
		ref, err := pulumi.NewStackReference(b.ctx, "source", &pulumi.StackReferenceArgs{Name: pulumi.String(r.SourceStack)})
		if err != nil {
			return nil, err
		}
		for _, n := range sourceOutputNames {
			d, err := ref.GetOutputDetails(n)
			if err != nil {
				// A source without readable state (the offline plan has no
				// other stack's state) leaves every output to config. An
				// unreachable backend fails the deploy on its own: set
				// readSourceStack: false then.
				s.unread = err.Error()
				_ = b.ctx.Log.Warn(fmt.Sprintf("the outputs of stack %s cannot be read (%v); using wedsync:recovery.sourceOutputs", r.SourceStack, err), nil)
				break
			}
			v := d.Value
			if v == nil {
				v = d.SecretValue
			}
			if v == nil {
				continue
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			field := reflect.ValueOf(outputField(&s.SourceOutputs, n)).Elem()
			field.SetZero()
			if err := json.Unmarshal(raw, field.Addr().Interface()); err != nil {
				return nil, fmt.Errorf("output %s of stack %s: %w", n, r.SourceStack, err)
			}
			s.from[n] = fromStack
		}
	}
	if s.Database != nil && s.Database.Replica == "" && b.cfg.Cloud == core.GCP {
		db := *s.Database // the config's own copy stays as written
		s.Database = &db
		// The source names its replica "<database>-<region>" (database's gcpReplica).
		src := core.Deployment{Project: b.cfg.Project, Stack: r.sourceName()}
		s.Database.Replica = src.Name("main", core.ShortRegion(b.cfg.Region))
	}
	p := &core.Problems{Prefix: Namespace + ":recovery."}
	s.check(b.cfg, p, "sourceOutputs.", true)
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("the outputs of %s (%s) are not enough to rebuild it: %w", r.SourceStack, s.describe(r.SourceStack), err)
	}
	return s, nil
}

// outputField is the field of o holding the output name.
func outputField(o *SourceOutputs, name string) any {
	switch name {
	case "cloud":
		return &o.Cloud
	case "region":
		return &o.Region
	case "drRegion":
		return &o.DRRegion
	case "keys":
		return &o.Keys
	case "keyVaults":
		return &o.KeyVaults
	case "backupBuckets":
		return &o.BackupBuckets
	case "database":
		return &o.Database
	case "erasureLedger":
		return &o.ErasureLedger
	}
	panic("unknown source output " + name)
}

// recoveredKeys are the source's keys as this stack sees them: the
// replicas in this region serve as its primary keys, the source's own keys
// as the keys of its DR site (the old region). Nothing is created: data
// already encrypted under the replicas stays readable, and no new key can
// orphan it.
type recoveredKeys map[core.Role]map[core.KeyPurpose]*core.Key

// Key returns the key of purpose at the site with role, nil if none.
func (k recoveredKeys) Key(role core.Role, purpose core.KeyPurpose) *core.Key {
	return k[role][purpose]
}

// recoveryKeys makes the keys of a recovery from its source's outputs.
func (b *build) recoveryKeys() error {
	src, err := b.resolveSource()
	if err != nil {
		return err
	}
	b.src = src
	keys := recoveredKeys{}
	// This stack's role -> the source's role for the same region.
	for role, srcRole := range map[core.Role]core.Role{core.Primary: core.DR, core.DR: core.Primary} {
		region := map[core.Role]string{core.Primary: b.cfg.Region, core.DR: b.cfg.DRRegion}[role]
		keys[role] = map[core.KeyPurpose]*core.Key{}
		for _, purpose := range core.KeyPurposes {
			id := src.Keys[string(srcRole)+"."+string(purpose)]
			if id == "" {
				continue
			}
			k := core.KeyID(purpose, region, id)
			if b.cfg.Cloud == core.Azure {
				vault, name, _ := strings.Cut(id, "/keys/")
				k.VaultID = pulumi.String(src.KeyVaults[string(srcRole)]).ToStringOutput()
				k.VaultURI = pulumi.String(vault + "/").ToStringOutput()
				k.Name = pulumi.String(name).ToStringOutput()
			}
			keys[role][purpose] = k
		}
	}
	// The store's alarms watch the adopted keys from this region (the
	// source's were in the region that was lost); on Azure its audit
	// workspace here is where the stack's resource logs go.
	b.store, err = secretsstore.NewAdoptedStore(b.ctx, "main", &secretsstore.AdoptedStoreArgs{
		Deployment: b.dep, Settings: b.cfg.Secrets, Keys: keys, Alerts: b.alerts.Target,
	})
	if err != nil {
		return err
	}
	return b.recordRecovery()
}

// restore is what the database is restored from.
func (b *build) restore() *database.Restore {
	r, db := b.cfg.Recovery, b.src.Database
	switch b.cfg.Cloud {
	case core.GCP:
		if r.BackupRunID != "" {
			// A backup run of the source, stored in this region.
			return &database.Restore{SourceID: db.SourceID, SnapshotID: r.BackupRunID}
		}
		// A clone of the cross-region replica, promoted to a standalone
		// instance before the rebuild: the latest the source replicated.
		return &database.Restore{SourceID: db.Replica, PointInTime: core.LatestRestorableTime}
	default:
		// AWS: the automated backups replicated into this region; Azure:
		// the source's geo-redundant backups.
		return &database.Restore{SourceID: db.SourceID, PointInTime: r.RestorePoint, GeoRestore: true}
	}
}

// recordRecovery registers what the rebuild is made from as a component
// of its own, so a preview and the offline plan show which source the
// outputs came from, what is restored and what is adopted. Its inputs are
// named so the plan's tree shows them.
func (b *build) recordRecovery() error {
	r, src := b.cfg.Recovery, b.src
	buckets, bucketsKey := pulumi.StringMap{}, "replicaBuckets"
	if b.cfg.Cloud == core.Azure {
		bucketsKey = "backupAccountsFailedOver"
	}
	for _, purpose := range slices.Sorted(maps.Keys(src.BackupBuckets)) {
		if r.Drill {
			break // a drill adopts none (Recovery.Drill)
		}
		bk := src.BackupBuckets[purpose]
		buckets[purpose] = pulumi.String(map[bool]string{true: bk.Bucket, false: bk.Replica}[b.cfg.Cloud == core.Azure])
	}
	restore := b.restore()
	point := r.RestorePoint
	if restore.SnapshotID != "" {
		point = "backup run " + restore.SnapshotID
	}
	props := pulumi.Map{
		"sourceMode":            pulumi.String(src.mode(r.SourceStack)),
		"restoreFromBackups":    pulumi.String(restore.SourceID),
		"restoreTime":           pulumi.String(point),
		bucketsKey:              buckets,
		"replicateBackToRegion": pulumi.String(b.cfg.DRRegion),
	}
	if r.Drill {
		props["drill"] = pulumi.Bool(true)
	}
	_ = b.ctx.Log.Info(fmt.Sprintf("recovery of %s: outputs from %s", r.SourceStack, src.describe(r.SourceStack)), nil)
	c := &recoveryRecord{}
	if err := b.ctx.RegisterComponentResourceV2("wedsync:recovery:Recovery", "recovery", props, c); err != nil {
		return err
	}
	b.ctx.Export("recovery", pulumi.Map{
		"sourceStack":  pulumi.String(r.SourceStack),
		"outputsFrom":  pulumi.String(src.describe(r.SourceStack)),
		"restoreFrom":  pulumi.String(restore.SourceID),
		"restorePoint": pulumi.String(point),
	})
	return b.ctx.RegisterResourceOutputs(c, pulumi.Map{"outputsFrom": pulumi.String(src.describe(r.SourceStack))})
}

// recoveryRecord is the component recording a recovery.
type recoveryRecord struct{ pulumi.ResourceState }
