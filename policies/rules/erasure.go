package rules

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// The GDPR erasure ledger (issue 27). Backups are immutable, so an erased
// person stays in every copy "beyond use" (GDPR Art. 17); the ledger
// records each erasure outside the database and is replayed after every
// restore. It must outlive every copy it protects against, and no more
// (Art. 5(1)(e)): its lock covers the longest lifetime of any copy.
const PolicyErasureLedger = "erasure-ledger"

// ErasureLedgerTypes are the component tokens of the erasure ledger.
var ErasureLedgerTypes = []string{"wedsync:erasureledger:ErasureLedger"}

// recoveryType is the record of a DR stack: it reads its source's ledger.
const recoveryType = "wedsync:recovery:Recovery"

// awsBackupPlan is an AWS Backup plan: its rules' lifecycle.deleteAfter
// is how long its recovery points live.
const awsBackupPlan = "aws:backup/plan:Plan"

func erasurePolicies() []*Policy {
	return []*Policy{{
		Name: PolicyErasureLedger,
		Description: "GDPR Art. 17 and Art. 5(1)(e): every prod stack (a DR stack reads its source's) has an erasure ledger whose lock " +
			"covers the longest lifetime of any copy of the data (PITR window, vault copies, backup bucket and offsite locks), in " +
			"compliance mode / locked, encrypted with a customer-managed key, private and copied to the DR region.",
		Level:    Mandatory,
		ProdOnly: true,
		Stack:    erasureLedgerStack,
		Judges:   []string{pulumiStackType, awsS3BucketV2, gcpBucket, azStorageAccount},
	}}
}

func erasureLedgerStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	ledgers, longest := s.ledgerStores(), s.longestCopy()
	if len(ledgers) == 0 && len(s.OfType(recoveryType)) == 0 {
		for _, st := range s.OfType(pulumiStackType) {
			out = append(out, Finding{URN: st.URN, Message: fix("the stack has no erasure ledger: a restore would bring every erased person back (GDPR Art. 17)",
				"give the stack a components/erasureledger ErasureLedger (wedsync:erasure.enabled)")})
		}
	}
	for _, l := range ledgers {
		for _, p := range s.ledgerProblems(l, longest) {
			out = append(out, Finding{URN: l.URN, Message: fmt.Sprintf("erasure ledger %s: %s", l.displayName(), p)})
		}
	}
	return out
}

// ledgerStores are the ledger's primary stores: made by the ledger
// component, holding entries (not its inventory), not the DR copy.
func (s *Stack) ledgerStores() []*Resource {
	var out []*Resource
	for _, r := range s.OfType(awsS3BucketV2, gcpBucket, azStorageAccount) {
		if madeBy(r, ErasureLedgerTypes) && s.isBackupStore(r) && !s.copyTarget(r) {
			out = append(out, r)
		}
	}
	return out
}

// copyLife is one kind of copy and how many days it lives at most.
type copyLife struct {
	what string
	days int
}

// longestCopy is the longest-lived copy of the data outside the ledger: a
// database's PITR window or retained backups, a vault's deleteAfter, a
// backup store's lock (plus the day lifecycle takes to remove it).
func (s *Stack) longestCopy() copyLife {
	var lives []copyLife
	add := func(what string, v float64, st state, extra int) {
		if st == known {
			lives = append(lives, copyLife{what, int(v) + extra})
		}
	}
	for _, db := range s.OfType(awsRDSInstance) {
		v, st := number(db.Props, "backupRetentionPeriod")
		add("RDS point-in-time window", v, st, 0)
	}
	for _, db := range s.OfType(gcpSQLInstance) {
		v, st := number(db.Props, "settings", "backupConfiguration", "backupRetentionSettings", "retainedBackups")
		add("Cloud SQL retained backups", v, st, 0)
	}
	for _, db := range s.OfType(azPGServer, azPGServerV) {
		v, st := number(db.Props, "backup", "backupRetentionDays")
		add("PostgreSQL backup retention", v, st, 0)
	}
	for _, p := range s.OfType(awsBackupPlan) {
		for _, rule := range listMaps(p, "rules") {
			v, st := number(rule, "lifecycle", "deleteAfter")
			add("AWS Backup recovery points", v, st, 1)
		}
	}
	for _, r := range s.OfType(awsS3BucketV2, gcpBucket, azStorageAccount) {
		if s.isBackupStore(r) && !madeBy(r, ErasureLedgerTypes) {
			v, st := s.lockDays(r)
			add("backup store "+r.displayName(), v, st, 1)
		}
	}
	longest := copyLife{"no copy", 0}
	for _, l := range lives {
		if l.days > longest.days {
			longest = l
		}
	}
	return longest
}

// lockDays is how long a store's lock holds every object, in days.
func (s *Stack) lockDays(r *Resource) (float64, state) {
	switch CanonicalType(r.Type) {
	case awsS3BucketV2:
		found, _ := s.companions(r, "bucket", awsS3ObjectLockV2)
		for _, l := range found {
			return number(l.Props, "rule", "defaultRetention", "days")
		}
		return 0, absent
	case gcpBucket:
		v, st := number(r.Props, "retentionPolicy", "retentionPeriod")
		return v / 86400, st
	}
	return number(r.Props, "immutableStorageWithVersioning", "immutabilityPolicy", "immutabilityPeriodSinceCreationInDays")
}

// ledgerProblems are what keeps ledger l from protecting every copy.
func (s *Stack) ledgerProblems(l *Resource, longest copyLife) []string {
	var out []string
	days, st := s.lockDays(l)
	switch {
	case st == absent || !s.ledgerLocked(l):
		out = append(out, fix("not locked: an entry could be deleted and its erasure undone by a restore", "lock it (S3 object lock COMPLIANCE, a locked GCS retention policy, a Locked Azure immutability policy)"))
	case st == known && int(days) < longest.days:
		out = append(out, fix(fmt.Sprintf("locked %d days, shorter than the longest copy lifetime (%s, %d days): an erased person would come back with that copy", int(days), longest.what, longest.days),
			"derive the ledger's retention from the copies' settings (erasureledger.RetentionDays)"))
	}
	if !s.ledgerEncrypted(l) {
		out = append(out, fix("not encrypted with a customer-managed key", "encrypt it with the stack's backup key"))
	}
	if !s.ledgerPrivate(l) {
		out = append(out, fix("not private", "block public access"))
	}
	if !s.ledgerCopied(l) {
		out = append(out, fix("not copied to the DR region: losing the primary region loses the record of every erasure", "replicate it (S3 replication, a Storage Transfer job, GZRS)"))
	}
	return out
}

func (s *Stack) ledgerLocked(l *Resource) bool {
	switch CanonicalType(l.Type) {
	case awsS3BucketV2:
		found, undecided := s.companions(l, "bucket", awsS3ObjectLockV2)
		locked := undecided
		for _, c := range found {
			mode, st := str(c.Props, "rule", "defaultRetention", "mode")
			locked = locked || st == unknown || mode == "COMPLIANCE"
		}
		return locked
	case gcpBucket:
		on, st := boolean(l.Props, "retentionPolicy", "isLocked")
		return st == unknown || on
	}
	state, st := str(l.Props, "immutableStorageWithVersioning", "immutabilityPolicy", "state")
	return st == unknown || state == "Locked"
}

func (s *Stack) ledgerEncrypted(l *Resource) bool {
	switch CanonicalType(l.Type) {
	case awsS3BucketV2:
		found, undecided := s.companions(l, "bucket", awsS3SSEConfigV2)
		return undecided || slices.ContainsFunc(found, func(c *Resource) bool {
			rules, st := list(c.Props, "rules")
			return st == unknown || slices.ContainsFunc(rules, func(r property.Map) bool { ok, st := sseByKMS(r); return ok || st == unknown })
		})
	case gcpBucket:
		return len(gcsEncrypted(l, nil)) == 0
	}
	return len(azureStorageEncrypted(l, nil)) == 0
}

func (s *Stack) ledgerPrivate(l *Resource) bool {
	switch CanonicalType(l.Type) {
	case awsS3BucketV2:
		found, undecided := s.companions(l, "bucket", awsS3PublicAccess)
		return undecided || slices.ContainsFunc(found, func(c *Resource) bool {
			on, st := boolean(c.Props, "restrictPublicBuckets")
			return st == unknown || on
		})
	case gcpBucket:
		return len(gcsNotPublic(l, nil)) == 0
	}
	return len(azureStorageNotPublic(l, nil)) == 0
}

func (s *Stack) ledgerCopied(l *Resource) bool {
	switch CanonicalType(l.Type) {
	case awsS3BucketV2:
		found, undecided := s.companions(l, "bucket", awsS3Replication)
		return undecided || slices.ContainsFunc(found, replicates)
	case gcpBucket:
		loc, _ := str(l.Props, "location")
		return gcpMultiRegion(loc) || s.transferSource(l)
	}
	sku, st := str(l.Props, "sku", "name")
	return st == unknown || slices.Contains([]string{"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"}, sku)
}

// listMaps are the maps of an array input.
func listMaps(r *Resource, path ...string) []property.Map {
	out, _ := list(r.Props, path...)
	return out
}
