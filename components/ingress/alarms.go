package ingress

import (
	"fmt"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The ingress's alarms, the same on every cloud (each cloud file renders
// them from its load balancer's own metrics).
const (
	// alarmFastBurn: the 5xx ratio over Thresholds.FastBurnMinutes burns
	// the error budget FastBurnRate times too fast. Pages.
	alarmFastBurn = "fast-burn"
	// alarmSlowBurn: the same over SlowBurnMinutes at SlowBurnRate. A
	// ticket, not a page.
	alarmSlowBurn = "slow-burn"
	// alarmLatency: p99 latency above Thresholds.LatencyP99Millis.
	alarmLatency = "latency-p99"
	// alarmUnhealthy: a backend failing the load balancer's health check
	// for UnhealthyBackendMinutes (prod only).
	alarmUnhealthy = "unhealthy-backends"
)

// burn is one burn-rate alarm: its window and the 5xx ratio it fires at.
type burn struct {
	key     string
	minutes int
	ratio   float64
}

// burns are the multi-window burn-rate alarms of the availability objective.
func burns(t core.Thresholds) []burn {
	return []burn{
		{alarmFastBurn, t.FastBurnMinutes, t.ErrorRatio(t.FastBurnRate)},
		{alarmSlowBurn, t.SlowBurnMinutes, t.ErrorRatio(t.SlowBurnRate)},
	}
}

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	page := "alarms/ingress.md#" + key
	switch key {
	case alarmFastBurn:
		return core.AlarmDescription(page, "PAGE: 5xx ratio above %s over %d minutes burns the %g%% error budget %gx too fast: couples and suppliers are getting errors now",
			percent(t.ErrorRatio(t.FastBurnRate)), t.FastBurnMinutes, t.AvailabilityObjective, t.FastBurnRate)
	case alarmSlowBurn:
		return core.AlarmDescription(page, "TICKET: 5xx ratio above %s over %d minutes burns the %g%% error budget %gx too fast: find the cause this week",
			percent(t.ErrorRatio(t.SlowBurnRate)), t.SlowBurnMinutes, t.AvailabilityObjective, t.SlowBurnRate)
	case alarmLatency:
		return core.AlarmDescription(page, "p99 response time above %g ms for %d minutes at the load balancer", t.LatencyP99Millis, t.EvaluationMinutes)
	default:
		return core.AlarmDescription(page, "A backend has failed the load balancer's health check for %d minutes: capacity is down", t.UnhealthyBackendMinutes)
	}
}

func percent(ratio float64) string { return fmt.Sprintf("%.2f%%", ratio*100) }
