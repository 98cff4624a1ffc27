package rules

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Database copies and backup lifetimes (issue 16): a prod database has a
// copy in a locked tier and an offsite tier (a recovery stack too: it
// copies its own region's backups offsite); backup vaults are locked in
// prod; and no backup outlives
// its stated retention by more than a day, because GDPR erasure promises
// depend on it.
const (
	PolicyDatabaseLockedCopy  = "database-locked-copy"
	PolicyDatabaseOffsiteCopy = "database-offsite-copy"
	PolicyBackupVaultLock     = "backup-vault-lock"
	PolicyBackupLifetime      = "backup-lifetime"
)

const (
	awsBackupVault     = "aws:backup/vault:Vault"
	awsBackupVaultLock = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
	awsBackupSelection = "aws:backup/selection:Selection"
	awsS3LifecycleV2   = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	gcpWorkflow        = "gcp:workflows/workflow:Workflow"
	azBackupVault      = "azure-native:dataprotection:BackupVault"
	azBackupInstance   = "azure-native:dataprotection:BackupInstance"
	// azPGServerV is the flexible server's token pinned to its API version,
	// as the database component registers it.
	azPGServerV = "azure-native:dbforpostgresql/v20240801:Server"
)

func databaseCopyPolicies() []*Policy {
	return []*Policy{
		{
			Name: PolicyDatabaseLockedCopy,
			Description: "In prod, every database has a daily copy in a locked tier: an AWS Backup selection naming the RDS instance with a " +
				"compliance-locked vault, a Cloud SQL export workflow naming the instance with a retention-locked bucket, an Azure Backup " +
				"instance naming the flexible server in a vault whose immutability is Locked.",
			Level:    Mandatory,
			ProdOnly: true,
			Stack:    lockedCopyStack,
			Judges:   []string{awsRDSInstance, gcpSQLInstance, azPGServer},
		},
		{
			Name: PolicyDatabaseOffsiteCopy,
			Description: "In prod, the database's copies reach an offsite tier on another cloud (a Storage Transfer job reading S3 or " +
				"Azure Blob, or an Azure Data Factory pipeline copying from Google Cloud Storage), recovery stacks included: a rebuilt region " +
				"copies its own backups offsite.",
			Level:    Mandatory,
			ProdOnly: true,
			Stack:    offsiteCopyStack,
			Judges:   []string{awsRDSInstance, gcpSQLInstance, azPGServer},
		},
		{
			Name: PolicyBackupVaultLock,
			Description: "In prod, backup vaults are locked: an AWS Backup vault has a vault lock in compliance mode (changeableForDays set), " +
				"an Azure Backup vault has immutabilitySettings.state Locked.",
			Level:    Mandatory,
			ProdOnly: true,
			Stack:    vaultLockStack,
			Judges:   []string{awsBackupVault, azBackupVault},
		},
		{
			Name: PolicyBackupLifetime,
			Description: "No backup outlives its stated retention by more than a day: on S3 the current-version expiry plus the noncurrent " +
				"expiry is at most the object lock days plus one; a locked GCS bucket soft-deletes for at most a day and deletes by its " +
				"retention plus a day; an Azure backup account keeps no soft-deleted blobs past a day.",
			Level:  Mandatory,
			Stack:  lifetimeStack,
			Judges: []string{awsS3LifecycleV2, gcpBucket, azBlobService},
		},
	}
}

// strings of an array input (unknown elements skipped).
func strs(r *Resource, path ...string) []string {
	v, st := lookup(r.Props, path...)
	if st != known || !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.AsArray().All {
		if e.IsString() {
			out = append(out, e.AsString())
		}
	}
	return out
}

func lockedCopyStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	missing := func(db *Resource, remedy string) {
		out = append(out, Finding{URN: db.URN, Message: fix("database %s has no daily copy in a locked tier: a deleted or corrupted database has only its own backups",
			remedy, db.displayName())})
	}
	lockedVault := s.anyLockedAWSVault()
	for _, db := range s.OfType(awsRDSInstance) {
		if _, st := lookup(db.Props, "replicateSourceDb"); st == known {
			continue
		}
		if !s.selected(db) || !lockedVault {
			missing(db, "add an AWS Backup plan and selection naming the instance, into a vault with a compliance vault lock (components/dbbackup)")
		}
	}
	lockedBucket := len(s.lockedGCSBuckets()) > 0
	for _, db := range s.OfType(gcpSQLInstance) {
		if _, st := lookup(db.Props, "masterInstanceName"); st == known {
			continue
		}
		if !s.exported(db) || !lockedBucket {
			missing(db, "add a scheduled export workflow of the instance into a retention-locked bucket (components/dbbackup)")
		}
	}
	for _, db := range s.OfType(azPGServer, azPGServerV) {
		if azurePGReplica(db) {
			continue // a read replica holds its source's data
		}
		if !s.vaulted(db) {
			missing(db, "add an Azure Backup instance of the server in a vault whose immutability is Locked (components/dbbackup)")
		}
	}
	return out
}

// selected reports whether an AWS Backup selection names db (or its
// reference is unknown, so it cannot be judged yet).
func (s *Stack) selected(db *Resource) bool {
	for _, sel := range s.OfType(awsBackupSelection) {
		if _, st := lookup(sel.Props, "resources"); st == unknown {
			return true
		}
		if v, st := lookup(sel.Props, "resources"); st == known && v.IsArray() {
			for _, e := range v.AsArray().All {
				if e.IsComputed() {
					return true
				}
			}
		}
		for _, dep := range sel.Deps["resources"] {
			if dep == db.URN {
				return true
			}
		}
		for _, arn := range strs(sel, "resources") {
			for _, n := range db.names() {
				if lastSegment(arn) == n {
					return true
				}
			}
		}
	}
	return false
}

func (s *Stack) anyLockedAWSVault() bool {
	for _, l := range s.OfType(awsBackupVaultLock) {
		if _, st := lookup(l.Props, "changeableForDays"); st != absent {
			return true
		}
	}
	return false
}

func (s *Stack) lockedGCSBuckets() []*Resource {
	var out []*Resource
	for _, b := range s.OfType(gcpBucket) {
		if on, st := boolean(b.Props, "retentionPolicy", "isLocked"); st != absent && (on || st == unknown) {
			out = append(out, b)
		}
	}
	return out
}

// exported reports whether a workflow exports db through the SQL Admin API.
func (s *Stack) exported(db *Resource) bool {
	for _, w := range s.OfType(gcpWorkflow) {
		src, st := str(w.Props, "sourceContents")
		if st == unknown {
			return true
		}
		if !strings.Contains(src, "sqladmin") {
			continue
		}
		for _, line := range strings.Split(src, "\n") {
			for _, n := range db.names() {
				if strings.TrimSpace(line) == "instance: "+n {
					return true
				}
			}
		}
	}
	return false
}

// vaulted reports whether a backup instance in a locked vault protects db.
func (s *Stack) vaulted(db *Resource) bool {
	locked := false
	for _, v := range s.OfType(azBackupVault) {
		state, st := str(v.Props, "properties", "securitySettings", "immutabilitySettings", "state")
		locked = locked || st == unknown || state == "Locked"
	}
	for _, i := range s.OfType(azBackupInstance) {
		id, st := str(i.Props, "properties", "dataSourceInfo", "resourceID")
		if st == unknown {
			return locked
		}
		for _, n := range db.names() {
			if lastSegment(id) == n {
				return locked
			}
		}
	}
	return false
}

func offsiteCopyStack(s *Stack, _ *Env) []Finding {
	offsite := false
	for _, j := range s.OfType(gcpTransferJob) {
		if _, st := lookup(j.Props, "transferSpec", "awsS3DataSource"); st != absent {
			offsite = true
		}
		if _, st := lookup(j.Props, "transferSpec", "azureBlobStorageDataSource"); st != absent {
			offsite = true
		}
	}
	for _, p := range s.OfType(azDataFactoryPipeline) {
		// An activity not known until deploy may be the copy: not judged.
		yes, undecided := copiesFromGCS(p.Props)
		offsite = offsite || yes || undecided
	}
	if offsite {
		return nil
	}
	var out []Finding
	for _, db := range s.OfType(awsRDSInstance, gcpSQLInstance, azPGServer, azPGServerV) {
		if _, st := lookup(db.Props, "replicateSourceDb"); st == known {
			continue
		}
		if _, st := lookup(db.Props, "masterInstanceName"); st == known || azurePGReplica(db) {
			continue
		}
		out = append(out, Finding{URN: db.URN, Message: fix("database %s has no copy in an offsite tier on another cloud",
			"set wedsync:backup.offsite so the export bucket is copied to another cloud", db.displayName())})
	}
	return out
}

// copiesFromGCS says whether a Data Factory pipeline has a Copy activity
// reading Google Cloud Storage (prod-gcp's offsite copy on Azure), or
// cannot say yet (undecided: a value unknown until deploy).
func copiesFromGCS(props property.Map) (yes, undecided bool) {
	acts, st := lookup(props, "activities")
	if st == unknown {
		return false, true
	}
	if st != known || !acts.IsArray() {
		return false, false
	}
	for _, a := range acts.AsArray().All {
		if a.IsComputed() {
			undecided = true
			continue
		}
		if !a.IsMap() {
			continue
		}
		switch v, st := lookup(a.AsMap(), "source", "storeSettings", "type"); {
		case st == unknown:
			undecided = true
		case st == known && v.IsString() && v.AsString() == "GoogleCloudStorageReadSettings":
			return true, false
		}
	}
	return false, undecided
}

func vaultLockStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	for _, v := range s.OfType(awsBackupVault) {
		found, undecided := s.companions(v, "backupVaultName", awsBackupVaultLock)
		compliance := false
		for _, l := range found {
			if _, st := lookup(l.Props, "changeableForDays"); st != absent {
				compliance = true
			}
		}
		if !compliance && !undecided {
			out = append(out, Finding{URN: v.URN, Message: fix("backup vault %s is not locked in compliance mode: recovery points can be deleted early",
				"add an aws.backup.VaultLockConfiguration with changeableForDays, minRetentionDays and maxRetentionDays", v.displayName())})
		}
	}
	for _, v := range s.OfType(azBackupVault) {
		if state, st := str(v.Props, "properties", "securitySettings", "immutabilitySettings", "state"); st != unknown && state != "Locked" {
			out = append(out, Finding{URN: v.URN, Message: fix("backup vault %s immutability is %q: recovery points can be deleted early",
				"set properties.securitySettings.immutabilitySettings.state: Locked", v.displayName(), state)})
		}
	}
	return out
}
