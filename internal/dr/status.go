package dr

import (
	"fmt"
	"io"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/dbbackup"
	"github.com/wedsync/wedsync-infra/components/ingress"
	"github.com/wedsync/wedsync-infra/stacks"
)

// Tier is one copy of one kind of data: where it is and how much of the
// latest writes it may lack (its RPO), by the cloud's documented figure.
type Tier struct {
	// Data is what is copied: database, backups, keys, secrets.
	Data string `json:"data"`
	// Copy is the mechanism, e.g. "point-in-time recovery".
	Copy string `json:"copy"`
	// Where is the region (or cloud and region) holding the copy; "" when
	// the copy does not exist.
	Where string `json:"where"`
	// RPO is how far behind the copy may be.
	RPO string `json:"rpo"`
	// Basis is where the figure comes from (configuration and documentation).
	Basis string `json:"basis"`
	// Replicated is false for a copy in the primary region only.
	Replicated bool `json:"replicated"`
}

// Status lists every copy cfg's stack keeps, in its region and beyond,
// from its configuration alone (no cloud is asked).
func Status(cfg stacks.Config) []Tier {
	db, bk, sec := cfg.Database, cfg.Backup, cfg.Secrets
	on := func(b *bool) bool { return b == nil || *b }
	dr := cfg.DRRegion
	var out []Tier
	add := func(t Tier) { out = append(out, t) }

	add(Tier{Data: "database", Copy: "native PITR: point-in-time recovery", Where: cfg.Region, Replicated: false,
		RPO:   pick(on(db.PointInTimeRecovery), "~5 min", "last daily backup (24 h)"),
		Basis: fmt.Sprintf("transaction logs kept %d days; %s", db.BackupRetentionDays, map[core.Cloud]string{core.AWS: "RDS uploads them every 5 minutes", core.GCP: "Cloud SQL archives WAL continuously", core.Azure: "flexible server backs up WAL continuously"}[cfg.Cloud])})
	if dr != "" && on(db.CrossRegionBackups) {
		switch cfg.Cloud {
		case core.AWS:
			add(Tier{Data: "database", Copy: "replicated automated backups (snapshots + transaction logs)", Where: dr, Replicated: true,
				RPO: fmt.Sprintf("<= %d min (logs every %d min, copied as soon as ready; no AWS SLA)", int(AWSReplicatedBackupsRPO.Minutes()), int(awsLogUploadInterval.Minutes())), Basis: fmt.Sprintf("wedsync:database.crossRegionBackups; kept %d days under the DR data key", db.BackupRetentionDays)})
		case core.GCP:
			add(Tier{Data: "database", Copy: "cross-region read replica (promote on failover)", Where: dr, Replicated: true,
				RPO: "seconds (asynchronous replication; no Google SLA)", Basis: "wedsync:database.crossRegionBackups; replica lag alarm at 5 min"})
			add(Tier{Data: "database", Copy: "daily backups stored in the DR region", Where: dr, Replicated: true,
				RPO: "24 h (the last backup run)", Basis: fmt.Sprintf("backup location %s, %d backups kept", dr, db.BackupRetentionDays)})
		case core.Azure:
			add(Tier{Data: "database", Copy: "geo-redundant backups (geo-restore)", Where: dr + " (the paired region)", Replicated: true,
				RPO: "< 1 h (Microsoft's documented figure)", Basis: "wedsync:database.crossRegionBackups; geo-backup encrypted with the DR vault key"})
		}
	} else {
		add(Tier{Data: "database", Copy: "no copy outside " + cfg.Region, RPO: "total loss with the region", Basis: "wedsync:drRegion unset or wedsync:database.crossRegionBackups off"})
	}

	out = append(out, databaseCopies(cfg)...)

	if dr != "" && on(bk.ReplicateToDR) {
		switch cfg.Cloud {
		case core.AWS:
			add(Tier{Data: "backups", Copy: "S3 replication with Replication Time Control", Where: dr, Replicated: true,
				RPO: "15 min for 99.99% of objects (S3 RTC SLA)", Basis: "wedsync:backup.replicateToDR; delete markers not replicated"})
		case core.GCP:
			add(Tier{Data: "backups", Copy: "Storage Transfer job to a replica bucket", Where: dr, Replicated: true,
				RPO: "1 h plus the transfer's duration", Basis: "the job repeats hourly (turbo replication's 15 min needs a dual-region, which London is in none of)"})
		case core.Azure:
			add(Tier{Data: "backups", Copy: "RA-GZRS geo-replication of each storage account", Where: dr + " (the paired region)", Replicated: true,
				RPO: "typically < 15 min (no Microsoft SLA)", Basis: "wedsync:backup.replicateToDR; fail over with az storage account failover"})
		}
	} else {
		add(Tier{Data: "backups", Copy: "no replica outside " + cfg.Region, RPO: "total loss with the region", Basis: "wedsync:drRegion unset or wedsync:backup.replicateToDR off"})
	}
	if o := bk.Offsite; o != nil {
		how, basis := offsiteCopy(cfg)
		add(Tier{Data: "backups", Copy: "offsite copy (" + how + ", daily)", Where: fmt.Sprintf("%s %s", o.Cloud.Title(), o.Region), Replicated: true,
			RPO: "24 h", Basis: "wedsync:backup.offsite; the job repeats daily; " + basis})
	}

	if dr != "" && on(sec.ReplicateToDR) {
		switch cfg.Cloud {
		case core.AWS:
			add(Tier{Data: "keys", Copy: "KMS multi-region replica keys", Where: dr, Replicated: true, RPO: "none: the same key material", Basis: "wedsync:secrets.replicateToDR"})
			add(Tier{Data: "secrets", Copy: "Secrets Manager replicas", Where: dr, Replicated: true, RPO: "seconds (asynchronous replication)", Basis: "wedsync:secrets.replicateToDR; promote with stop-replication-to-replica"})
		case core.GCP:
			add(Tier{Data: "keys", Copy: "Cloud KMS key ring of its own (data re-encrypted on copy)", Where: dr, Replicated: true, RPO: "none: created with the stack", Basis: "wedsync:secrets.replicateToDR"})
			add(Tier{Data: "secrets", Copy: "Secret Manager user-managed replica", Where: dr, Replicated: true, RPO: "none: written to both regions", Basis: "wedsync:secrets.replicateToDR"})
		case core.Azure:
			add(Tier{Data: "keys", Copy: "Key Vault of its own in the DR region", Where: dr, Replicated: true, RPO: "none: created with the stack", Basis: "wedsync:secrets.replicateToDR"})
			add(Tier{Data: "secrets", Copy: "written to the DR vault by every deploy", Where: dr, Replicated: true, RPO: "the last deploy", Basis: "wedsync:secrets.replicateToDR"})
		}
	} else {
		add(Tier{Data: "keys", Copy: "no keys outside " + cfg.Region, RPO: "replicated data cannot be decrypted elsewhere", Basis: "wedsync:drRegion unset or wedsync:secrets.replicateToDR off"})
	}
	return out
}

// databaseCopies are the database's copies beyond its own PITR
// (components/dbbackup): the vault, the export in the db-exports bucket,
// and the offsite tier that carries the bucket to another cloud.
func databaseCopies(cfg stacks.Config) []Tier {
	s := dbbackup.Settings{RetentionDays: cfg.Backup.RetentionDays}
	s.ApplyDefaults(cfg.Environment)
	daily := fmt.Sprintf("24 h (daily at %02d:00 UTC)", *s.HourUTC)
	kept := fmt.Sprintf("kept %d days, locked (%s)", s.RetentionDays, map[bool]string{true: "compliance", false: "governance"}[dbbackup.Locked(cfg.Environment)])
	var out []Tier
	switch cfg.Cloud {
	case core.AWS:
		out = append(out, Tier{Data: "database", Copy: "vault: AWS Backup daily snapshot" + pick(cfg.DRRegion != "", ", copied to the DR vault", ""), Where: cfg.Region + pick(cfg.DRRegion != "", " + "+cfg.DRRegion, ""),
			Replicated: cfg.DRRegion != "", RPO: daily, Basis: "backup plan " + kept})
	case core.GCP:
		out = append(out, Tier{Data: "database", Copy: "vault: none of its own (Cloud SQL's backups above; the export below is the locked copy)", Where: "",
			RPO: "see bucket", Basis: "GCP has no backup vault for Cloud SQL in this stack"})
	case core.Azure:
		out = append(out, Tier{Data: "database", Copy: "vault: Azure Backup vault, daily" + pick(cfg.DRRegion != "", ", geo-redundant (cross-region restore)", ""), Where: cfg.Region + pick(cfg.DRRegion != "", " + "+cfg.DRRegion+" (paired)", ""),
			Replicated: cfg.DRRegion != "", RPO: daily, Basis: "backup policy " + kept})
	}
	export := map[core.Cloud]string{core.AWS: "RDS snapshot export after each backup job", core.GCP: "Cloud SQL export by Workflows", core.Azure: "restore-as-files on request (no daily export)"}[cfg.Cloud]
	out = append(out, Tier{Data: "database", Copy: "bucket: " + export + " into db-exports", Where: cfg.Region, Replicated: false,
		RPO: pick(cfg.Cloud == core.Azure, "on request", daily+" plus the export's duration"), Basis: "replicated with the backups below; " + kept})
	if o := cfg.Backup.Offsite; o != nil {
		how, basis := offsiteCopy(cfg)
		out = append(out, Tier{Data: "database", Copy: "offsite: db-exports carried by " + how, Where: fmt.Sprintf("%s %s", o.Cloud.Title(), o.Region), Replicated: true,
			RPO: "24 h after the export (transfer at 04:00 UTC)", Basis: "wedsync:backup.offsite; " + basis})
	} else {
		out = append(out, Tier{Data: "database", Copy: "offsite: none", RPO: "lost with the cloud account", Basis: "wedsync:backup.offsite unset"})
	}
	return out
}

// offsiteCopy is how cfg's backups reach the offsite tier, and what the
// copy reads them with (components/backupbucket).
func offsiteCopy(cfg stacks.Config) (how, basis string) {
	switch cfg.Cloud {
	case core.Azure:
		return "Storage Transfer from Azure Blob", "read with a read-and-list user delegation SAS (valid 7 days, rotated twice a day by .github/workflows/offsite-sas.yml) from the offsite Secret Manager"
	case core.GCP:
		return "Azure Data Factory from GCS", "read with the HMAC key of a service account that may only view the bucket, its secret in the offsite Key Vault (rotated as docs/offsite-tiers.md says)"
	}
	return "Storage Transfer from S3", "read through an AWS role federated to the transfer service agent (no stored key)"
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// WriteStatus prints the tiers of stack as a table, with the rebuild that
// would use them.
func WriteStatus(w io.Writer, stack string, cfg stacks.Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Replication of %s (%s %s, DR region %s), from its configuration:\n", stack, cfg.Cloud.Title(), cfg.Region, orNone(cfg.DRRegion))
	// A block per copy, wrapped, so the status fits 120 columns.
	for _, t := range Status(cfg) {
		fmt.Fprintf(&b, "\n%s: %s\n", t.Data, t.Copy)
		for _, f := range [][2]string{{"where", orNone(t.Where)}, {"RPO", t.RPO}, {"basis", t.Basis}} {
			writeWrapped(&b, fmt.Sprintf("  %-6s ", f[0]), f[1])
		}
	}
	fmt.Fprintf(&b, "\ntraffic: %s\n", cfg.Ingress.Hostname)
	writeWrapped(&b, "  role   ", Traffic(cfg))
	writeWrapped(&b, "  check  ", fmt.Sprintf("dig +short %s must match `pulumi stack output ingress --stack %s` (address)", cfg.Ingress.Hostname, stack))
	if cfg.DRRegion == "" {
		fmt.Fprintf(&b, "\n%s has no DR region: it cannot be rebuilt elsewhere.\n", stack)
	} else {
		fmt.Fprintf(&b, "\nRebuild in %s: wedsync-infra dr rebuild --from %s --region %s --dry-run\n(runbook: docs/runbooks/dr-region-rebuild.md)\n", cfg.DRRegion, stack, cfg.DRRegion)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Traffic says where the stack's hostname points, by its ingress role.
func Traffic(cfg stacks.Config) string {
	switch cfg.Ingress.Failover {
	case ingress.FailoverPrimary:
		return "Route 53 failover PRIMARY: the hostname answers with this stack's load balancer while its health check passes, else with the SECONDARY's"
	case ingress.FailoverSecondary:
		return "Route 53 failover SECONDARY: the hostname answers here when the PRIMARY's health check fails (no deploy needed)"
	case ingress.FailoverStandby:
		return "standby: the load balancer stands ready but the hostname is another stack's record; it moves here by step 5 of docs/runbooks/dr-region-rebuild.md"
	}
	return "a plain record: the hostname points at this stack's load balancer"
}

// StatusWidth is the widest line WriteStatus writes.
const StatusWidth = 120

// writeWrapped writes label then text, wrapped at word boundaries to
// StatusWidth, continuation lines under the text.
func writeWrapped(b *strings.Builder, label, text string) {
	line, indent := label, strings.Repeat(" ", len(label))
	for i, word := range strings.Fields(text) {
		if i > 0 && len(line)+1+len(word) > StatusWidth {
			b.WriteString(line + "\n")
			line = indent + word
			continue
		}
		if i > 0 {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
}
