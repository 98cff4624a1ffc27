package dbbackup

import (
	"fmt"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The copy alarms, each raised from the job's own failure signal: AWS
// Backup's job metrics and the export state machine's failed executions
// (AWS), the export workflow's failed executions (GCP), the Backup vault's
// job health events (Azure). A copy that silently never arrives is caught
// by the db-exports bucket's freshness alarm (components/backupbucket).
const (
	alarmBackupFailed = "backup-job-failed"
	alarmCopyFailed   = "backup-copy-failed"
	alarmExportFailed = "export-failed"
)

// alarmKeys lists every alarm, for tests and the runbook check.
var alarmKeys = []string{alarmBackupFailed, alarmCopyFailed, alarmExportFailed}

// alarmDescription says what an alarm means to on-call, with its runbook.
func (b *builder) alarmDescription(key string) string {
	page := "alarms/backups.md#" + key
	switch key {
	case alarmBackupFailed:
		return core.AlarmDescription(page, "The database's daily backup into the %s vault failed: run the backup job again before the next night", b.dep.Stack)
	case alarmCopyFailed:
		return core.AlarmDescription(page, "The copy of the database's daily backup to the DR region failed")
	default:
		return core.AlarmDescription(page, "The daily export of the database into db-exports failed: %s", fmt.Sprintf("no copy reaches the bucket, DR or offsite tiers until it is run again (%s)", b.dep.Stack))
	}
}
