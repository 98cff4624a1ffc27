package backupbucket

import "github.com/wedsync/wedsync-infra/components/core"

// The backup alarms, the same on every cloud where the cloud can see them:
// a backup that did not arrive, and (AWS) replication failing or falling
// behind. Thresholds come from the alert target's core.Thresholds.
const (
	alarmFreshness          = "freshness"
	alarmReplicationFailed  = "replication-failed"
	alarmReplicationLatency = "replication-latency"
	// The offsite copy from another cloud: a transfer run that failed or
	// was aborted, and (Azure) a read SAS that was not rotated.
	alarmOffsiteFailed = "offsite-failed"
	alarmOffsiteSASAge = "offsite-sas-age"
	// The offsite copy from GCP (Azure Logic Apps): the daily start of the
	// copy pipeline failed, and the HMAC key is near its age limit.
	alarmOffsiteStartFailed = "offsite-start-failed"
	alarmOffsiteKeyAge      = "offsite-key-age"
	// alarmLedgerUnavailable (Azure ledger): requests to the erasure
	// ledger failed, so an erasure may not have been recorded.
	alarmLedgerUnavailable = "ledger-unavailable"
)

// alarmDescription says what a backup alarm means to on-call, with its runbook.
func (b *builder) alarmDescription(key string, t core.Thresholds) string {
	switch key {
	case alarmFreshness:
		return core.AlarmDescription("alarms/backups.md#freshness", "No %s backup was written to %s %s in %d hours: the nightly export or the copy to it did not run",
			b.purpose, b.dep.Stack, b.purpose, t.BackupMaxAgeHours)
	case alarmReplicationFailed:
		return core.AlarmDescription("alarms/backups.md#replication-failed", "%s backups failed to replicate to the DR region", b.purpose)
	case alarmOffsiteFailed:
		return core.AlarmDescription("alarms/backups.md#offsite-failed", "The offsite copy of %s %s backups failed or was aborted: the offsite tier falls behind until it runs again",
			b.dep.Stack, b.purpose)
	case alarmOffsiteSASAge:
		return core.AlarmDescription("alarms/backups.md#offsite-sas-age", "The SAS the offsite copy of %s %s backups reads with was not rotated in %d hours; it expires %d days after it was signed",
			b.dep.Stack, b.purpose, t.BackupMaxAgeHours, sasValidDays)
	case alarmOffsiteStartFailed:
		return core.AlarmDescription("alarms/backups.md#offsite-start-failed", "The daily start of the offsite copy of %s %s backups failed: no copy runs until it starts again",
			b.dep.Stack, b.purpose)
	case alarmOffsiteKeyAge:
		return core.AlarmDescription("alarms/backups.md#offsite-key-age", "The HMAC key the offsite copy of %s %s backups reads with expires within %d days (its age limit is %d days): raise wedsync:backup.offsite.keyGeneration and deploy",
			b.dep.Stack, b.purpose, hmacWarnDays, hmacMaxAgeDays)
	case alarmLedgerUnavailable:
		return core.AlarmDescription("alarms/backups.md#ledger-unavailable", "Requests to the %s store of %s failed: an erasure may not have been recorded", b.purpose, b.dep.Stack)
	default:
		return core.AlarmDescription("alarms/backups.md#replication-latency", "%s backups take over %d minutes to reach the DR region (the 15-minute RPO)", b.purpose, t.BackupReplicationMinutes)
	}
}
