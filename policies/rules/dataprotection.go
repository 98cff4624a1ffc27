package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Data protection: versions, immutable backups, retention, deletion
// protection, a copy in another region, and data kept where GDPR allows.
const (
	PolicyBackupRetention    = "backup-retention"
	PolicyVersioning         = "versioning"
	PolicyBackupImmutability = "backup-immutability"
	PolicyDeletionProtection = "deletion-protection"
	PolicyCrossRegionCopy    = "cross-region-copy"
	PolicyDataResidency      = "data-residency"
)

// providerRetentionCap is the longest automated backup retention RDS and
// Azure PostgreSQL offer; a longer policy minimum is capped to it for them.
const providerRetentionCap = 35

// protectTypes are the data stores whose loss loses data: prod protects them.
var protectTypes = []string{
	awsS3Bucket, awsS3BucketV2, awsRDSInstance, awsRDSCluster, awsSecret,
	gcpBucket, gcpSQLInstance, gcpSecret,
	azStorageAccount, azPGServer, azKeyVault,
}

func dataProtectionPolicies() []*Policy {
	return []*Policy{
		{
			Name: PolicyBackupRetention,
			Description: "Databases keep automated backups with point-in-time recovery for at least minRetentionDays (policy config; default 35 in prod, " +
				"7 elsewhere; capped at 35 for RDS and Azure PostgreSQL, their maximum): RDS/Aurora backupRetentionPeriod, Cloud SQL backups, " +
				"PITR (binary logs on MySQL) and retainedBackups, Azure PostgreSQL backup.backupRetentionDays.",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{
				awsRDSInstance: rdsRetention,
				awsRDSCluster:  rdsRetention,
				gcpSQLInstance: cloudSQLBackups,
				azPGServer:     azurePGRetention,
			},
		},
		{
			Name: PolicyVersioning,
			Description: "Object stores keep versions: every S3 bucket has a versioning configuration naming it with status Enabled, " +
				"GCS buckets set versioning.enabled, Azure storage accounts have blob service properties with isVersioningEnabled.",
			Level:  Mandatory,
			Stack:  versioningStack,
			Judges: append(slices.Clone(s3Buckets), gcpBucket, azStorageAccount),
		},
		{
			Name: PolicyBackupImmutability,
			Description: "Backup stores (a bucket or storage account made by the backup component, whatever its name; an inventory or logging " +
				"configuration writing into one exempts nothing) are immutable: S3 object lock with a default retention, a GCS retention policy, " +
				"an Azure immutability policy or immutable storage with versioning.",
			Level:  Mandatory,
			Stack:  immutabilityStack,
			Judges: append(slices.Clone(s3Buckets), gcpBucket, azStorageAccount),
		},
		{
			Name: PolicyDeletionProtection,
			Description: "In prod, data stores carry Pulumi's protect option and the provider's own deletion protection: RDS/Aurora deletionProtection, " +
				"Cloud SQL deletionProtection and settings.deletionProtectionEnabled, Key Vault enablePurgeProtection.",
			Level:    Mandatory,
			ProdOnly: true,
			Check: merge(
				checks(protected, protectTypes...),
				map[string]func(*Resource, *Env) []string{
					awsRDSInstance: rdsDeletionProtection,
					awsRDSCluster:  rdsDeletionProtection,
					gcpSQLInstance: cloudSQLDeletionProtection,
					azKeyVault:     keyVaultPurgeProtection,
				},
			),
		},
		{
			Name: PolicyCrossRegionCopy,
			Description: "In prod, data survives a regional outage: RDS instances replicate automated backups (or have a replica), Aurora clusters " +
				"are global or replicated, backup S3 buckets replicate, backup GCS buckets are dual- or multi-region, Cloud SQL backups stay " +
				"multi-regional, Azure PostgreSQL has geo-redundant backup, backup storage accounts are GRS or GZRS.",
			Level:    Mandatory,
			ProdOnly: true,
			Stack:    crossRegionStack,
			Judges:   append(slices.Clone(s3Buckets), awsRDSInstance, awsRDSCluster, gcpBucket, gcpSQLInstance, azPGServer, azStorageAccount),
		},
		{
			Name: PolicyDataResidency,
			Description: "Data stores and compute live in allowed regions (policy config allowedRegions; default the EU, EEA, UK and Switzerland " +
				"regions of each cloud and GCP's European multi-regions), so guest data stays where GDPR allows.",
			Level: Mandatory,
			Check: checks(residency, append(slices.Clone(dataStores), compute...)...),
		},
	}
}

// minRetention is the policy minimum, capped for providers that keep less.
func minRetention(env *Env, capped bool) int {
	n := env.Config.MinRetentionDays
	if n == 0 {
		c := Config{}
		c.ApplyDefaults(env.Environment)
		n = c.MinRetentionDays
	}
	if capped && n > providerRetentionCap {
		n = providerRetentionCap
	}
	return n
}

func rdsRetention(r *Resource, env *Env) []string {
	if _, st := lookup(r.Props, "replicateSourceDb"); st == known {
		return nil // replicas take no automated backups of their own
	}
	want := minRetention(env, true)
	days, st := number(r.Props, "backupRetentionPeriod")
	if st == unknown || (st == known && int(days) >= want) {
		return nil
	}
	return []string{fix("backupRetentionPeriod is %d days: point-in-time recovery reaches back less than %d days",
		"set backupRetentionPeriod to %d or more", int(days), want, want)}
}

func cloudSQLBackups(r *Resource, env *Env) []string {
	if _, st := lookup(r.Props, "masterInstanceName"); st == known {
		return nil // read replicas cannot take backups
	}
	bc := []string{"settings", "backupConfiguration"}
	var out []string
	if on, st := boolean(r.Props, append(bc, "enabled")...); st != unknown && !on {
		out = append(out, fix("settings.backupConfiguration.enabled is not true: no automated backups", "set settings.backupConfiguration.enabled: true"))
	}
	version, _ := str(r.Props, "databaseVersion")
	pitr := "pointInTimeRecoveryEnabled"
	if strings.HasPrefix(version, "MYSQL") {
		pitr = "binaryLogEnabled"
	}
	if on, st := boolean(r.Props, append(bc, pitr)...); st != unknown && !on {
		out = append(out, fix("settings.backupConfiguration.%s is not true: no point-in-time recovery", "set it to true", pitr))
	}
	want := minRetention(env, false)
	kept, st := number(r.Props, append(bc, "backupRetentionSettings", "retainedBackups")...)
	if st == absent {
		kept, st = 7, known // Cloud SQL's default
	}
	if unit, _ := str(r.Props, append(bc, "backupRetentionSettings", "retentionUnit")...); st == known && int(kept) < want && (unit == "" || unit == "COUNT") {
		out = append(out, fix("settings.backupConfiguration.backupRetentionSettings.retainedBackups is %d: daily backups reach back less than %d days",
			"set retainedBackups to %d or more", int(kept), want, want))
	}
	return out
}

func azurePGRetention(r *Resource, env *Env) []string {
	if azurePGReplica(r) {
		return nil // read replicas take no backups of their own
	}
	want := minRetention(env, true)
	days, st := number(r.Props, "backup", "backupRetentionDays")
	if st == absent {
		days, st = 7, known // the API's default
	}
	if st == known && int(days) < want {
		return []string{fix("backup.backupRetentionDays is %d: point-in-time recovery reaches back less than %d days", "set backup.backupRetentionDays to %d or more", int(days), want, want)}
	}
	return nil
}

func protected(r *Resource, _ *Env) []string {
	if !r.Protect {
		return []string{fix("%s is not protected: a `pulumi destroy` or a replace would delete it", "register it with pulumi.Protect(true)", r.Type)}
	}
	return nil
}

func rdsDeletionProtection(r *Resource, _ *Env) []string {
	if on, st := boolean(r.Props, "deletionProtection"); st != unknown && !on {
		return []string{fix("deletionProtection is not true", "set deletionProtection: true")}
	}
	return nil
}

func cloudSQLDeletionProtection(r *Resource, _ *Env) []string {
	var out []string
	if on, st := boolean(r.Props, "deletionProtection"); st == known && !on {
		out = append(out, fix("deletionProtection is false: Pulumi may delete the instance", "remove it or set deletionProtection: true"))
	}
	if on, st := boolean(r.Props, "settings", "deletionProtectionEnabled"); st != unknown && !on {
		out = append(out, fix("settings.deletionProtectionEnabled is not true: the instance can be deleted from the console or API", "set settings.deletionProtectionEnabled: true"))
	}
	return out
}

func keyVaultPurgeProtection(r *Resource, _ *Env) []string {
	if on, st := boolean(r.Props, "properties", "enablePurgeProtection"); st != unknown && !on {
		return []string{fix("properties.enablePurgeProtection is not true: deleted keys can be purged before the retention period ends", "set properties.enablePurgeProtection: true")}
	}
	return nil
}

func versioningStack(s *Stack, _ *Env) []Finding {
	judge := func(c *Resource) (bool, state, string) {
		status, st := str(c.Props, "versioningConfiguration", "status")
		if st == unknown {
			return false, unknown, ""
		}
		if status == "Enabled" {
			return true, known, ""
		}
		return false, known, fix("its versioning status is %q", "set versioningConfiguration.status Enabled", status)
	}
	inline := func(b *Resource) bool {
		on, st := boolean(b.Props, "versioning", "enabled")
		if st == unknown || on {
			return true
		}
		vs, st := list(b.Props, "versionings")
		if st == unknown {
			return true
		}
		for _, v := range vs {
			if on, st := boolean(v, "enabled"); st == unknown || on {
				return true
			}
		}
		return false
	}
	out := s3Companion(s, []string{awsS3VersioningV2, awsS3Versioning}, inline, judge,
		fix("no versioning configuration names this bucket, so an overwrite or delete loses the object",
			"add an aws.s3.BucketVersioningV2 with versioningConfiguration.status Enabled"))
	for _, b := range s.OfType(gcpBucket) {
		if on, st := boolean(b.Props, "versioning", "enabled"); st == unknown || on {
			continue
		}
		// GCS refuses versioning on a bucket with a retention policy, which
		// already keeps every object (and every overwrite) for its period.
		if period, st := number(b.Props, "retentionPolicy", "retentionPeriod"); st == unknown || period > 0 {
			continue
		}
		out = append(out, Finding{URN: b.URN, Message: fix("bucket %s: neither versioning.enabled nor a retention policy keeps overwritten objects",
			"set versioning.enabled: true (or a retentionPolicy, which GCS does not combine with versioning)", b.displayName())})
	}
	for _, a := range s.OfType(azStorageAccount) {
		found, undecided := s.companions(a, "accountName", azBlobService)
		if len(found) == 0 {
			if !undecided {
				out = append(out, Finding{URN: a.URN, Message: fix("storage account %s has no blob service properties, so blob versioning is off (the default)",
					"add azure-native storage.BlobServiceProperties with isVersioningEnabled: true", a.displayName())})
			}
			continue
		}
		ok := false
		for _, c := range found {
			if on, st := boolean(c.Props, "isVersioningEnabled"); st == unknown || on {
				ok = true
			}
		}
		if !ok {
			out = append(out, Finding{URN: a.URN, Message: fix("storage account %s: blob service properties leave isVersioningEnabled off", "set isVersioningEnabled: true", a.displayName())})
		}
	}
	return out
}

// isBackupStore reports whether a bucket or storage account holds backups:
// it was made by the backup component (one of BackupComponentTypes is among
// its ancestors, as the engine records them), whatever it is called, and it
// is not the report bucket that same component made for its own inventory.
// An inventory or logging configuration from anywhere else exempts nothing:
// a backup store it writes into stays a backup store.
func (s *Stack) isBackupStore(r *Resource) bool {
	if s.backups == nil {
		s.backups = map[*Resource]bool{}
	}
	if v, ok := s.backups[r]; ok {
		return v
	}
	v := madeByBackupComponent(r) && !s.componentReportSink(r)
	s.backups[r] = v
	return v
}

// madeByBackupComponent reports whether a backup component is among r's
// ancestors.
func madeByBackupComponent(r *Resource) bool { return madeBy(r, BackupComponentTypes) }

// urnType is the qualified type of a URN
// (urn:pulumi:STACK::PROJECT::PARENT-TYPES$TYPE::NAME), or "".
func urnType(urn string) string {
	parts := strings.SplitN(urn, "::", 4)
	if len(parts) < 4 {
		return ""
	}
	return parts[2]
}

// componentReportSink reports whether r receives the S3 inventory or access
// logs of a configuration made by the same backup component as r (their
// parent is that component) about another bucket: the component's own
// compliance-report bucket, which holds reports, not backups.
func (s *Stack) componentReportSink(r *Resource) bool {
	if r.Parent == "" || !slices.Contains(BackupComponentTypes, lastType(r.Parent)) {
		return false
	}
	for _, c := range s.OfType(awsS3Inventory, awsS3LoggingV2) {
		if c.Parent != r.Parent || c.refers("bucket", r) != no {
			continue // another maker's, or (maybe) reporting on r itself
		}
		if slices.ContainsFunc(r.names(), func(n string) bool { return slices.Contains(reportDestinations(c), n) }) {
			return true
		}
	}
	return false
}

// lastType is the type of the resource a URN names (its type chain's last).
func lastType(urn string) string {
	chain := urnType(urn)
	return chain[strings.LastIndex(chain, "$")+1:]
}

// reportDestinations are the names an inventory or logging configuration
// writes into: the destination's ARN and its last segment, and (in a
// preview, where the ARN is unknown) the URNs the engine says it comes from.
func reportDestinations(c *Resource) []string {
	prop, path := "destination", []string{"destination", "bucket", "bucketArn"}
	if CanonicalType(c.Type) == awsS3LoggingV2 {
		prop, path = "targetBucket", []string{"targetBucket"}
	}
	out := slices.Clone(c.Deps[prop])
	if v, st := str(c.Props, path...); st == known {
		out = append(out, v, lastSegment(v))
	}
	return out
}

// copyTarget reports whether r is the destination of a cross-region copy:
// an S3 replication rule or a Storage Transfer job writes into it.
func (s *Stack) copyTarget(r *Resource) bool {
	if s.targets == nil {
		s.targets = map[string]bool{}
		for _, c := range s.OfType(awsS3Replication) {
			rules, _ := list(c.Props, "rules")
			for _, rule := range rules {
				if v, st := str(rule, "destination", "bucket"); st == known {
					s.targets[v], s.targets[lastSegment(v)] = true, true
				}
			}
			// In a preview the destination ARNs are unknown; the engine
			// still records which resources the rules come from. The source
			// bucket is the separate input "bucket", so it is not among them.
			for _, u := range c.Deps["rules"] {
				s.targets[u] = true
			}
		}
		for _, c := range s.OfType(gcpTransferJob) {
			if v, st := str(c.Props, "transferSpec", "gcsDataSink", "bucketName"); st == known {
				s.targets[v] = true
			}
		}
	}
	return slices.ContainsFunc(r.names(), func(n string) bool { return s.targets[n] })
}

// transferSource reports whether an enabled Storage Transfer job copies r
// elsewhere (or may: its source is unknown).
func (s *Stack) transferSource(r *Resource) bool {
	for _, c := range s.OfType(gcpTransferJob) {
		if status, _ := str(c.Props, "status"); status != "" && status != "ENABLED" {
			continue
		}
		v, st := str(c.Props, "transferSpec", "gcsDataSource", "bucketName")
		if st == unknown || (st == known && slices.Contains(r.names(), v)) {
			return true
		}
	}
	return false
}

func immutabilityStack(s *Stack, env *Env) []Finding {
	var out []Finding
	days := minRetention(env, false)
	for _, b := range s.OfType(s3Buckets...) {
		if !s.isBackupStore(b) {
			continue
		}
		if on, st := legacyObjectLock(b); st == unknown || on {
			if _, st := lookup(b.Props, "objectLockConfiguration", "rule"); st != absent {
				continue // the legacy Bucket's inline lock with a default retention
			}
		}
		found, undecided := s.companions(b, "bucket", awsS3ObjectLockV2, awsS3ObjectLock)
		if len(found) == 0 {
			if !undecided {
				out = append(out, Finding{URN: b.URN, Message: fix("backup bucket %s has no object lock configuration: backups can be deleted or overwritten",
					"create the bucket with objectLockEnabled: true and add an aws.s3.BucketObjectLockConfigurationV2 with rule.defaultRetention {mode: COMPLIANCE, days: %d}", b.displayName(), days)})
			}
			continue
		}
		ok := false
		for _, c := range found {
			mode, st := str(c.Props, "rule", "defaultRetention", "mode")
			if st == unknown || mode == "COMPLIANCE" || mode == "GOVERNANCE" {
				ok = true
			}
		}
		if !ok {
			out = append(out, Finding{URN: b.URN, Message: fix("backup bucket %s: its object lock has no default retention", "set rule.defaultRetention {mode: COMPLIANCE, days: %d}", b.displayName(), days)})
		}
	}
	for _, b := range s.OfType(gcpBucket) {
		if !s.isBackupStore(b) {
			continue
		}
		if period, st := number(b.Props, "retentionPolicy", "retentionPeriod"); st == absent || (st == known && period <= 0) {
			out = append(out, Finding{URN: b.URN, Message: fix("backup bucket %s has no retention policy: backups can be deleted or overwritten",
				"set retentionPolicy.retentionPeriod to %d (seconds; %d days) and lock it in prod", b.displayName(), days*86400, days)})
		}
	}
	for _, a := range s.OfType(azStorageAccount) {
		if !s.isBackupStore(a) || azureImmutable(s, a) {
			continue
		}
		out = append(out, Finding{URN: a.URN, Message: fix("backup storage account %s has no immutability: backups can be deleted or overwritten",
			"set immutableStorageWithVersioning.enabled on the account or its containers, or add a BlobContainerImmutabilityPolicy (immutabilityPeriodSinceCreationInDays %d)", a.displayName(), days)})
	}
	return out
}

// legacyObjectLock reads whether the legacy Bucket turns object lock on:
// its objectLockEnabled, or the deprecated objectLockConfiguration
// .objectLockEnabled, whose only valid value is the string "Enabled".
func legacyObjectLock(b *Resource) (bool, state) {
	if on, st := boolean(b.Props, "objectLockEnabled"); st != absent {
		return on, st
	}
	v, st := str(b.Props, "objectLockConfiguration", "objectLockEnabled")
	if st != known {
		return false, st
	}
	return strings.EqualFold(v, "Enabled") || strings.EqualFold(v, "true"), known
}

// azureImmutable reports whether the account, one of its containers, or an
// immutability policy on one of them makes blobs immutable (or may: unknown).
func azureImmutable(s *Stack, a *Resource) bool {
	if on, st := boolean(a.Props, "immutableStorageWithVersioning", "enabled"); st == unknown || on {
		return true
	}
	containers, undecided := s.companions(a, "accountName", azBlobContainer)
	if undecided {
		return true
	}
	for _, c := range containers {
		if on, st := boolean(c.Props, "immutableStorageWithVersioning", "enabled"); st == unknown || on {
			return true
		}
	}
	policies, undecided := s.companions(a, "accountName", azImmutabilityPolicy)
	if undecided {
		return true
	}
	for _, p := range policies {
		if d, st := number(p.Props, "immutabilityPeriodSinceCreationInDays"); st == unknown || d > 0 {
			return true
		}
	}
	return false
}

func crossRegionStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	report := func(r *Resource, problem, remedy string, args ...any) {
		out = append(out, Finding{URN: r.URN, Message: fmt.Sprintf("%s: ", r.displayName()) + fix(problem, remedy, args...)})
	}
	for _, db := range s.OfType(awsRDSInstance) {
		if _, st := lookup(db.Props, "replicateSourceDb"); st == known {
			continue
		}
		copies, u1 := s.companions(db, "sourceDbInstanceArn", awsRDSBackupReplica)
		replicas, u2 := s.companions(db, "replicateSourceDb", awsRDSInstance)
		// A read replica in the database's own region is no copy elsewhere.
		replicas = slices.DeleteFunc(replicas, func(r *Resource) bool { return r.Region != "" && r.Region == db.Region })
		if len(copies)+len(replicas) == 0 && !u1 && !u2 {
			report(db, "no copy in another region", "add an aws.rds.InstanceAutomatedBackupsReplication in the DR region (with its kmsKeyId) or a cross-region read replica")
		}
	}
	for _, c := range s.OfType(awsRDSCluster) {
		if ok, st := set(c.Props, "globalClusterIdentifier"); st == unknown || ok {
			continue
		}
		if ok, st := set(c.Props, "replicationSourceIdentifier"); st == unknown || ok {
			continue
		}
		if replicas, undecided := s.companions(c, "replicationSourceIdentifier", awsRDSCluster); len(replicas) == 0 && !undecided {
			report(c, "no copy in another region", "make it part of an Aurora global database (globalClusterIdentifier) or add a cross-region replica cluster")
		}
	}
	for _, b := range s.OfType(s3Buckets...) {
		if !s.isBackupStore(b) {
			continue
		}
		if rc, st := list(b.Props, "replicationConfiguration", "rules"); st == unknown || len(rc) > 0 || s.copyTarget(b) {
			continue
		}
		found, undecided := s.companions(b, "bucket", awsS3Replication)
		if undecided {
			continue
		}
		if !slices.ContainsFunc(found, replicates) {
			report(b, "backup bucket does not replicate to another region", "add an aws.s3.BucketReplicationConfig with an Enabled rule to a bucket in the DR region")
		}
	}
	for _, b := range s.OfType(gcpBucket) {
		if !s.isBackupStore(b) {
			continue
		}
		loc, st := str(b.Props, "location")
		if st != known || gcpMultiRegion(loc) || s.copyTarget(b) || s.transferSource(b) {
			continue
		}
		if places, st := stringList(b.Props, "customPlacementConfig", "dataLocations"); st == unknown || len(places) >= 2 {
			continue
		}
		report(b, "backup bucket is in the single region "+loc, "use a dual-region (e.g. EUR4, or customPlacementConfig.dataLocations with two regions) or multi-region location (EU), or copy it to another region with a Storage Transfer job")
	}
	for _, db := range s.OfType(gcpSQLInstance) {
		// Without a location Cloud SQL keeps backups multi-regional; a
		// location in another region than the instance is the copy itself.
		loc, st := str(db.Props, "settings", "backupConfiguration", "location")
		region, rst := str(db.Props, "region")
		if st == known && rst == known && !gcpMultiRegion(loc) && strings.EqualFold(loc, region) {
			report(db, "backups are kept in "+loc+", the instance's own region", "set settings.backupConfiguration.location to the DR region or a multi-region such as eu, or remove it (Cloud SQL then keeps them multi-regional)")
		}
	}
	for _, db := range s.OfType(azPGServer) {
		if azurePGReplica(db) {
			continue // a read replica keeps no backups; its source's are geo-redundant
		}
		if geo, st := str(db.Props, "backup", "geoRedundantBackup"); st != unknown && !strings.EqualFold(geo, "Enabled") {
			report(db, "backups are not geo-redundant", "set backup.geoRedundantBackup: Enabled")
		}
	}
	for _, a := range s.OfType(azStorageAccount) {
		if !s.isBackupStore(a) {
			continue
		}
		if sku, st := str(a.Props, "sku", "name"); st != unknown && !strings.Contains(strings.ToUpper(sku), "GRS") && !strings.Contains(strings.ToUpper(sku), "GZRS") {
			report(a, "backup storage account is "+sku+", kept in one region", "use Standard_GZRS or Standard_GRS (RA- for read access)")
		}
	}
	return out
}

func replicates(c *Resource) bool {
	rules, st := list(c.Props, "rules")
	if st == unknown {
		return true
	}
	return slices.ContainsFunc(rules, func(r property.Map) bool {
		status, st := str(r, "status")
		return st == unknown || status == "Enabled"
	})
}

// gcpMultiRegion reports whether a GCP location is a multi- or dual-region.
func gcpMultiRegion(loc string) bool {
	return !strings.Contains(loc, "-")
}

func residency(r *Resource, env *Env) []string {
	cloud := cloudOf(r.Type)
	if r.Region == "" || lower(r.Region) == "global" {
		return nil
	}
	if env.Config.Allowed(cloud, r.Region) {
		return nil
	}
	allowed := "the EU, EEA, UK or Switzerland"
	if len(env.Config.AllowedRegions) > 0 {
		allowed = strings.Join(env.Config.AllowedRegions, ", ")
	}
	return []string{fix("region %s is outside the allowed regions (%s)", "deploy to an allowed region, or add this one to the policy config's allowedRegions", r.Region, allowed)}
}

// cloudOf names the cloud of a type token: "aws", "gcp" or "azure".
func cloudOf(typ string) string {
	pkg, _, _ := strings.Cut(typ, ":")
	if pkg == "azure-native" {
		return "azure"
	}
	return pkg
}

// azurePGReplica reports whether a flexible server is a read replica
// (createMode Replica), which takes no backups of its own.
func azurePGReplica(r *Resource) bool {
	mode, st := str(r.Props, "createMode")
	return st == known && strings.EqualFold(mode, "Replica")
}
