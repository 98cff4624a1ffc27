package autoscaling

import "github.com/wedsync/wedsync-infra/components/core"

// The group's alarms, the same on every cloud (each cloud file renders
// them from the group's own metrics).
const (
	// alarmAtMax: the group has been at its maximum size for
	// Thresholds.GroupAtMaxMinutes.
	alarmAtMax = "at-max"
	// alarmUnhealthy: instances have been failing to launch or failing
	// health checks for Thresholds.GroupUnhealthyMinutes.
	alarmUnhealthy = "unhealthy"
)

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	switch key {
	case alarmAtMax:
		return core.AlarmDescription("alarms/app-group.md#at-max",
			"The app group has been at its maximum size for %d minutes: traffic exceeds the season calendar's capacity; raise capacity in wedsync:season", t.GroupAtMaxMinutes)
	default:
		return core.AlarmDescription("alarms/app-group.md#unhealthy",
			"The app group has had instances failing to launch or failing health checks for %d minutes", t.GroupUnhealthyMinutes)
	}
}

// HealthAlarmName is the name of the group's unhealthy-instances alarm:
// what a configuration deployment watches on AWS and rolls back on
// (components/appconfig).
func HealthAlarmName(dep core.Deployment) string { return dep.Name("app", alarmUnhealthy) }
