package core

import (
	"fmt"
	"math"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AlertTarget is where a stack's alarms go: the SNS topic ARNs (AWS), the
// Monitoring notification channel ids (GCP) or the Monitor action group ids
// (Azure). Components raise their alarms to it when it is set. The alerting
// component makes one per stack.
type AlertTarget struct {
	// IDs are what every alarm notifies. Where a cloud cannot route by time
	// (AWS, GCP), prod's wedding-day escalation receiver is among them all
	// week, under a name that says so; on Azure an alert processing rule
	// adds it on wedding days instead.
	IDs pulumi.StringArrayOutput
	// Thresholds are the limits alarms fire at, for the season the stack is
	// planned in (see AlarmThresholds). The zero value means the off-season
	// table, so a target built from literal ids still alarms sensibly.
	Thresholds Thresholds
}

// Limits are the thresholds alarms raised to t use.
func (t *AlertTarget) Limits() Thresholds {
	if t.Thresholds == (Thresholds{}) {
		return AlarmThresholds(false)
	}
	return t.Thresholds
}

// Actions are t's ids in the form CloudWatch alarm actions take.
func (t *AlertTarget) Actions() pulumi.ArrayOutput {
	return t.IDs.ApplyT(func(ids []string) []any {
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = id
		}
		return out
	}).(pulumi.ArrayOutput)
}

// Thresholds are the cloud-neutral limits every component's alarms read:
// one table, so "what pages on-call" is decided once, not per cloud.
type Thresholds struct {
	// EvaluationMinutes is how long a metric must stay past its limit
	// before a resource alarm fires: long enough to ride out a deploy or
	// a cache warm-up, short enough to act before a wedding is affected.
	EvaluationMinutes int
	// DatabaseCPUPercent is the average CPU above which the database pages.
	DatabaseCPUPercent float64
	// DatabaseFreeStoragePercent is the share of allocated storage below
	// which the database pages.
	DatabaseFreeStoragePercent float64
	// DatabaseConnectionsPercent is the share of the size's connection
	// ceiling above which the database pages.
	DatabaseConnectionsPercent float64
	// ReplicationLagSeconds and ReplicationLagBytes bound how far a standby
	// or DR copy may fall behind (well inside the 15-minute RPO); clouds
	// measure lag in time or in WAL bytes.
	ReplicationLagSeconds float64
	ReplicationLagBytes   float64
	// BackupMaxAgeHours is how long a backup store may go without a new
	// object (the nightly export) before it pages.
	BackupMaxAgeHours int
	// BackupReplicationMinutes is how long a backup may take to reach the
	// DR copy (the replication time target).
	BackupReplicationMinutes int
	// GroupAtMaxMinutes is how long the app group may run at its maximum
	// size: past that, traffic exceeds the season calendar's capacity.
	GroupAtMaxMinutes int
	// GroupUnhealthyMinutes is how long the group may have fewer healthy
	// instances than it asked for.
	GroupUnhealthyMinutes int
	// SecretAccessDenied is how many denied secret or key reads in
	// SecretAccessDeniedMinutes page: a spike means a broken deploy or
	// someone probing.
	SecretAccessDenied        int
	SecretAccessDeniedMinutes int
	// AvailabilityObjective is the promised share of successful requests
	// (percent): what the burn-rate alarms measure the 5xx ratio against.
	AvailabilityObjective float64
	// FastBurnRate over FastBurnMinutes pages (2% of a 30-day error budget
	// gone in an hour); SlowBurnRate over SlowBurnMinutes opens a ticket
	// (5% gone in six hours). The Google SRE workbook's multiwindow values:
	// https://sre.google/workbook/alerting-on-slos/
	FastBurnRate    float64
	FastBurnMinutes int
	SlowBurnRate    float64
	SlowBurnMinutes int
	// LatencyP99Millis is the p99 response time (the seeds' target) above
	// which the load balancer pages, over EvaluationMinutes.
	LatencyP99Millis float64
	// UnhealthyBackendMinutes is how long any backend may fail the load
	// balancer's health check before prod pages.
	UnhealthyBackendMinutes int
}

// ErrorRatio is the 5xx ratio (0-1) at which the error budget of
// AvailabilityObjective burns at rate.
func (t Thresholds) ErrorRatio(rate float64) float64 {
	// Rounded to a millionth: 99.9 has no exact binary form, and the
	// thresholds people read should say 0.0144, not 0.014399999.
	return math.Round((100-t.AvailabilityObjective)*rate*1e4) / 1e6
}

// AlarmThresholds is the table. Peak season (10x traffic, weddings every
// weekend) pages earlier where a slow reaction costs more: CPU and
// connections leave room for a Saturday surge, storage fills faster and a
// lagging replica matters more. Backup age, replication targets, the group windows
// (a new instance needs five minutes to boot, so a shorter window would page
// on every scale-out) and security signals are the same all year.
func AlarmThresholds(peak bool) Thresholds {
	t := Thresholds{
		EvaluationMinutes:          15,
		DatabaseCPUPercent:         80,
		DatabaseFreeStoragePercent: 10,
		DatabaseConnectionsPercent: 80,
		ReplicationLagSeconds:      300,
		ReplicationLagBytes:        1 << 30,
		BackupMaxAgeHours:          24,
		BackupReplicationMinutes:   15,
		GroupAtMaxMinutes:          15,
		GroupUnhealthyMinutes:      15,
		SecretAccessDenied:         20,
		SecretAccessDeniedMinutes:  5,
		AvailabilityObjective:      99.9,
		FastBurnRate:               14.4,
		FastBurnMinutes:            60,
		SlowBurnRate:               6,
		SlowBurnMinutes:            360,
		LatencyP99Millis:           500,
		UnhealthyBackendMinutes:    5,
	}
	if peak {
		t.DatabaseCPUPercent = 70
		t.DatabaseFreeStoragePercent = 20
		t.DatabaseConnectionsPercent = 70
		t.ReplicationLagSeconds = 120
		t.ReplicationLagBytes = 256 << 20
	}
	return t
}

// RunbookBase is where the runbooks alarms link to live.
const RunbookBase = "https://github.com/wedsync/wedsync-infra/blob/main/docs/runbooks/"

// Runbook is the link to a runbook page (and anchor), e.g.
// Runbook("alarms/database.md#cpu").
func Runbook(page string) string { return RunbookBase + page }

// AlarmDescription is what every alarm says: what happened, and the
// runbook that says what to do about it.
func AlarmDescription(runbook, format string, args ...any) string {
	return fmt.Sprintf(format, args...) + ". Runbook: " + Runbook(runbook)
}
