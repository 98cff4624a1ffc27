package database

import "github.com/wedsync/wedsync-infra/components/core"

// Alarm names, the same on every cloud, each with what it means to on-call.
const (
	alarmCPU            = "cpu"
	alarmStorage        = "free-storage"
	alarmConnections    = "connections"
	alarmReplicationLag = "replication-lag"
)

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	page := "alarms/database.md#" + key
	switch key {
	case alarmCPU:
		return core.AlarmDescription(page, "Database CPU above %g%% for %d minutes: scale the size up before the weekend", t.DatabaseCPUPercent, t.EvaluationMinutes)
	case alarmStorage:
		return core.AlarmDescription(page, "Database has less than %g%% of its storage free: check storage autoscaling and the ceiling", t.DatabaseFreeStoragePercent)
	case alarmConnections:
		return core.AlarmDescription(page, "Database connections above %g%% of the size's ceiling: check the application's pool sizes", t.DatabaseConnectionsPercent)
	default:
		return core.AlarmDescription(page, "Replication lag is eating into the 15-minute RPO: check the standby and the DR copy")
	}
}

// storageAlarmBytes is the free space under which the storage alarm fires.
func (a *DatabaseArgs) storageAlarmBytes(t core.Thresholds) float64 {
	return float64(a.Settings.StorageGB) * t.DatabaseFreeStoragePercent / 100 * (1 << 30)
}

// connectionsAlarm is the connection count above which the connections
// alarm fires: the threshold's share of the size's ceiling.
func (a *DatabaseArgs) connectionsAlarm(t core.Thresholds) float64 {
	return float64(a.size().connections) / connectionsTableShare * t.DatabaseConnectionsPercent / 100
}
