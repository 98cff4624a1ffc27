package database

import "github.com/wedsync/wedsync-infra/components/core"

// Alarm names, the same on every cloud, each with what it means to on-call.
const (
	alarmCPU            = "cpu"
	alarmStorage        = "free-storage"
	alarmConnections    = "connections"
	alarmReplicationLag = "replication-lag"
	// alarmReplicationEvents (AWS) pages on RDS's own replication events.
	alarmReplicationEvents = "replication-events"
)

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	page := "alarms/database.md#" + key
	switch key {
	case alarmCPU:
		return core.AlarmDescription(page, "Database CPU above %g%% for %d minutes: scale the size up before the weekend", t.DatabaseCPUPercent, t.EvaluationMinutes)
	case alarmStorage:
		return core.AlarmDescription(page, "Database storage is near its autoscaling ceiling (AWS: RDS storage events; elsewhere less than %g%% of the disk free): raise maxStorageGb or free space", t.DatabaseFreeStoragePercent)
	case alarmConnections:
		return core.AlarmDescription(page, "Database connections above %g%% of the size's ceiling: check the application's pool sizes", t.DatabaseConnectionsPercent)
	case alarmReplicationEvents:
		return core.AlarmDescription(page, "RDS reported broken replication (a read replica's error, stop or reset, or automatic backups turned off, which ends the DR region's replicated backups)")
	default:
		return core.AlarmDescription(page, "Replication lag is eating into the 15-minute RPO or serving stale reads: check the replica, the DR copy and the primary's write rate")
	}
}

// connectionsAlarm is the connection count above which the connections
// alarm fires: the threshold's share of the size's ceiling.
func (a *DatabaseArgs) connectionsAlarm(t core.Thresholds) float64 {
	return float64(a.size().connections) / connectionsTableShare * t.DatabaseConnectionsPercent / 100
}
