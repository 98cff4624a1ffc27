package rules

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Monitoring: what fails in prod must reach on-call.
const PolicyAlarmed = "alarmed"

// Alarm types: what raises an alarm, and where each says whom it notifies.
const (
	awsMetricAlarm     = "aws:cloudwatch/metricAlarm:MetricAlarm"
	gcpAlertPolicy     = "gcp:monitoring/alertPolicy:AlertPolicy"
	azMetricAlert      = "azure-native:insights:MetricAlert"
	azActivityLogAlert = "azure-native:insights:ActivityLogAlert"
)

// alarmTargets names, per alarm type, the input listing its notification
// targets (SNS topics, notification channels, action groups).
var alarmTargets = map[string][]string{
	awsMetricAlarm:     {"alarmActions"},
	gcpAlertPolicy:     {"notificationChannels"},
	azMetricAlert:      {"actions"},
	azActivityLogAlert: {"actions", "actionGroups"},
}

// watchedDatabases and watchedGroups always need an alarm in prod; backup
// stores need one unless they are a copy (watched through their source's
// replication alarms) or a report sink.
var (
	watchedDatabases = []string{awsRDSInstance, awsRDSCluster, gcpSQLInstance, azPGServer}
	watchedGroups    = []string{awsASG, gcpRegionIGM, gcpIGM, azVMSS}
	objectStores     = []string{awsS3BucketV2, awsS3Bucket, gcpBucket, azStorageAccount}
)

func monitoringPolicies() []*Policy {
	return []*Policy{{
		Name: PolicyAlarmed,
		Description: "In prod, every database, app group and backup store (not a copy or report sink) has at least one alarm that names it " +
			"and notifies someone: a CloudWatch metric alarm with alarmActions, a Cloud Monitoring alert policy with notificationChannels, " +
			"an Azure metric or activity log alert with action groups.",
		Level:    Mandatory,
		ProdOnly: true,
		Stack:    alarmedStack,
	}}
}

func alarmedStack(s *Stack, _ *Env) []Finding {
	// named holds every name a notifying alarm refers to; undecided says
	// whether some alarm's references are only known after deploy.
	named, undecided := map[string]bool{}, false
	for typ, path := range alarmTargets {
		for _, a := range s.OfType(typ) {
			if notifies(a, path) {
				undecided = collect(property.New(a.Props), named) || undecided
			}
		}
	}
	if undecided {
		return nil
	}
	var out []Finding
	judge := func(r *Resource, what, remedy string) {
		for _, n := range r.names() {
			if named[n] {
				return
			}
		}
		out = append(out, Finding{URN: r.URN, Message: fix("%s %s has no alarm that notifies anyone, so its failure reaches nobody", remedy, what, r.displayName())})
	}
	for _, r := range s.OfType(watchedDatabases...) {
		judge(r, "database", "give the component an Alerts target (CPU, storage, connections, replication lag alarms)")
	}
	for _, r := range s.OfType(watchedGroups...) {
		judge(r, "app group", "give the component an Alerts target (at-max and unhealthy alarms)")
	}
	for _, r := range s.OfType(objectStores...) {
		if s.isBackupStore(r) && !s.copyTarget(r) {
			judge(r, "backup store", "give the component an Alerts target (freshness and replication alarms)")
		}
	}
	return out
}

// notifies reports whether the alarm lists at least one target (or one
// only known after deploy).
func notifies(r *Resource, path []string) bool {
	v, st := lookup(r.Props, path...)
	switch {
	case st == unknown:
		return true
	case st == absent || !v.IsArray():
		return false
	}
	return v.AsArray().Len() > 0
}

// collect adds the names v refers to: every string whole (a dimension, a
// scope), its last segment (an ARN or resource id), and each value quoted
// in it (a monitoring filter's `= "NAME"` or `= "PROJECT:NAME"`). It reports
// whether some part of v is only known after deploy.
func collect(v property.Value, named map[string]bool) (undecided bool) {
	switch {
	case v.IsComputed():
		return true
	case v.IsString():
		ref := v.AsString()
		named[ref], named[lastSegment(ref)] = true, true
		parts := strings.Split(ref, `"`)
		for i := 1; i < len(parts); i += 2 {
			named[parts[i]], named[lastSegment(parts[i])] = true, true
		}
	case v.IsArray():
		for _, e := range v.AsArray().All {
			undecided = collect(e, named) || undecided
		}
	case v.IsMap():
		for _, e := range v.AsMap().All {
			undecided = collect(e, named) || undecided
		}
	}
	return undecided
}
