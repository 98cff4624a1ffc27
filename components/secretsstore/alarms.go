package secretsstore

import "github.com/wedsync/wedsync-infra/components/core"

// The store's alarms, the same on every cloud.
const (
	alarmKeyDeletion   = "key-deletion"
	alarmAccessDenied  = "access-denied"
	alarmRunbookPrefix = "alarms/secrets.md#"
)

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	if key == alarmKeyDeletion {
		return core.AlarmDescription(alarmRunbookPrefix+key, "A WedSync key was scheduled for deletion, disabled, or its vault deleted: data encrypted with it becomes unreadable when the window ends; cancel it unless the change was reviewed")
	}
	return core.AlarmDescription(alarmRunbookPrefix+key, "More than %d denied secret or key requests in %d minutes: a broken deploy or someone probing", t.SecretAccessDenied, t.SecretAccessDeniedMinutes)
}
