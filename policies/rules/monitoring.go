package rules

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/urn"
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
		Name:   PolicyAlarmed,
		Judges: slices.Concat(watchedDatabases, watchedGroups, objectStores),
		Description: "In prod, every database, app group and backup store (not a copy or report sink) has at least one alarm that names it " +
			"and notifies someone: a CloudWatch metric alarm with alarmActions, a Cloud Monitoring alert policy with notificationChannels, " +
			"an Azure metric or activity log alert with action groups.",
		Level:    Mandatory,
		ProdOnly: true,
		Stack:    alarmedStack,
	}}
}

// alarmInputs names, per alarm type, the inputs that say what the alarm
// watches: only these can name a subject, so only an unknown among them
// can leave a subject undecided.
var alarmInputs = map[string][]string{
	awsMetricAlarm:     {"dimensions", "metricQueries"},
	gcpAlertPolicy:     {"conditions"},
	azMetricAlert:      {"scopes", "criteria"},
	azActivityLogAlert: {"scopes", "condition"},
}

// dimensionSubjects are the CloudWatch dimensions naming one kind of
// subject: an unknown value under one of them can only be that kind.
var dimensionSubjects = map[string][]string{
	"DBInstanceIdentifier": {awsRDSInstance},
	"DBClusterIdentifier":  {awsRDSCluster},
	"AutoScalingGroupName": {awsASG},
	"BucketName":           s3Buckets,
}

// alarmIndex is what the notifying alarms of a stack name: the names they
// refer to now, and the subjects an unknown part of one may still name (by
// URN when the engine says what the value comes from, else by type).
type alarmIndex struct {
	named, maybeURN, maybeType map[string]bool
}

func alarmedStack(s *Stack, _ *Env) []Finding {
	idx := &alarmIndex{named: map[string]bool{}, maybeURN: map[string]bool{}, maybeType: map[string]bool{}}
	for typ, path := range alarmTargets {
		for _, a := range s.OfType(typ) {
			if !notifies(a, path) {
				continue
			}
			for _, in := range alarmInputs[typ] {
				if v, ok := a.Props.GetOk(in); ok {
					idx.collect(a, in, v, a.Deps[in])
				}
			}
		}
	}
	var out []Finding
	judge := func(r *Resource, what, remedy string) {
		if idx.maybeURN[r.URN] || idx.maybeType[CanonicalType(r.Type)] {
			return // an alarm may name it once its unknown values are known
		}
		for _, n := range r.names() {
			if idx.named[n] {
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

// collect adds what v, found under key in alarm a's inputs, refers to:
// every string whole (a dimension, a scope), its last segment (an ARN or
// resource id), and each value quoted in it (a monitoring filter's
// `= "NAME"` or `= "PROJECT:NAME"`). An unknown value may refer to what the
// engine says it comes from (deps); without that, to the subjects the
// dimension it fills can name, or any subject on the alarm's cloud.
func (idx *alarmIndex) collect(a *Resource, key string, v property.Value, deps []string) {
	switch {
	case v.IsComputed():
		from := append(slices.Clone(deps), urnStrings(v.Dependencies())...)
		for _, u := range from {
			idx.maybeURN[u] = true
		}
		if len(from) > 0 {
			return
		}
		types, ok := dimensionSubjects[key]
		if !ok || cloudOf(a.Type) != "aws" {
			types = subjectsOn(cloudOf(a.Type))
		}
		for _, t := range types {
			idx.maybeType[t] = true
		}
	case v.IsString():
		ref := v.AsString()
		idx.named[ref], idx.named[lastSegment(ref)] = true, true
		parts := strings.Split(ref, `"`)
		for i := 1; i < len(parts); i += 2 {
			idx.named[parts[i]], idx.named[lastSegment(parts[i])] = true, true
		}
	case v.IsArray():
		for _, e := range v.AsArray().All {
			idx.collect(a, key, e, deps)
		}
	case v.IsMap():
		for k, e := range v.AsMap().All {
			idx.collect(a, k, e, deps)
		}
	}
}

// subjectsOn are the types the alarm rule watches on one cloud.
func subjectsOn(cloud string) []string {
	var out []string
	for _, group := range [][]string{watchedDatabases, watchedGroups, objectStores} {
		for _, t := range group {
			if cloudOf(t) == cloud {
				out = append(out, t)
			}
		}
	}
	return out
}

func urnStrings(urns []urn.URN) []string {
	out := make([]string, len(urns))
	for i, u := range urns {
		out[i] = string(u)
	}
	return out
}
