package database

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// serverTypes are the planned types of a database server, per cloud.
var serverTypes = map[core.Cloud]string{core.AWS: rdsInstance, core.GCP: sqlInstance, core.Azure: azServer}

// readReplicas are the planned read replicas (main-read1, ...).
func readReplicas(p *plan.Plan, cloud core.Cloud) []plan.Resource {
	var out []plan.Resource
	for _, r := range testkit.OfType(p, serverTypes[cloud]) {
		if strings.HasPrefix(r.Name, "main-read") {
			out = append(out, r)
		}
	}
	return out
}

// zoneOf is where a server is placed: RDS availabilityZone, Cloud SQL
// settings.locationPreference.zone, Azure availabilityZone.
func zoneOf(r plan.Resource, cloud core.Cloud) any {
	if cloud == core.GCP {
		v, _ := plan.Lookup(r.Inputs, "settings", "locationPreference", "zone")
		return v
	}
	return r.Inputs["availabilityZone"]
}

// Prod reads from a replica on every cloud: in another zone than the
// primary's (and its standby's), on the size's class, under the data key,
// private, replicating from the primary, and the read path's endpoint.
func TestProdHasAReadReplicaInAnotherZone(t *testing.T) {
	source := map[core.Cloud]string{core.AWS: "replicateSourceDb", core.GCP: "masterInstanceName", core.Azure: "sourceServerResourceId"}
	class := map[core.Cloud][]string{core.AWS: {"instanceClass"}, core.GCP: {"settings", "tier"}, core.Azure: {"sku", "name"}}
	key := map[core.Cloud][]string{core.AWS: {"kmsKeyId"}, core.GCP: {"encryptionKeyName"}, core.Azure: {"dataEncryption", "primaryKeyURI"}}
	private := map[core.Cloud][]string{core.AWS: {"publiclyAccessible"}, core.GCP: {"settings", "ipConfiguration", "ipv4Enabled"}}
	// The primary's zone, where it is pinned (RDS cannot pin a Multi-AZ
	// primary without replacing it).
	primaryZone := map[core.Cloud]any{core.GCP: "europe-west2-a", core.Azure: "1"}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			r := planDB(t, cloud, core.Prod, nil)
			primary := primaryOf(t, r.Plan, serverTypes[cloud])
			replicas := readReplicas(r.Plan, cloud)
			if len(replicas) != 1 {
				t.Fatalf("%d read replicas, want 1 in prod", len(replicas))
			}
			rep := replicas[0]
			ref := map[core.Cloud]any{core.AWS: primary.Inputs["identifier"], core.GCP: primary.Inputs["name"], core.Azure: primary.ID}[cloud]
			want(t, rep, ref, source[cloud])
			primaryClass, _ := plan.Lookup(primary.Inputs, class[cloud]...)
			want(t, rep, primaryClass, class[cloud]...)
			want(t, rep, dataKey(cloud, core.Primary), key[cloud]...)
			if p := private[cloud]; p != nil {
				want(t, rep, false, p...)
			} else {
				want(t, rep, "Disabled", "network", "publicNetworkAccess")
				want(t, rep, "Replica", "createMode")
			}
			if z := zoneOf(rep, cloud); z == nil || z == primaryZone[cloud] || z == zoneOf(primary, cloud) {
				t.Errorf("replica zone = %v, want another zone than the primary's (%v)", z, zoneOf(primary, cloud))
			}
			if standby, _ := plan.Lookup(primary.Inputs, "highAvailability", "standbyAvailabilityZone"); standby != nil && standby == zoneOf(rep, cloud) {
				t.Errorf("replica shares the standby's zone %v", standby)
			}
			if gz, _ := plan.Lookup(primary.Inputs, "settings", "locationPreference", "zone"); cloud == core.GCP && gz != primaryZone[cloud] {
				t.Errorf("GCP primary zone = %v, want it pinned to %v", gz, primaryZone[cloud])
			}
			if len(r.out.ReplicaEndpoints) != 1 || r.out.ReplicaEndpoints[0] == "" || r.out.ReplicaEndpoints[0] == r.out.Endpoint {
				t.Errorf("ReplicaEndpoints = %v, want the replica's host (primary %s)", r.out.ReplicaEndpoints, r.out.Endpoint)
			}
		})
	}
}

// Each replica has its own alarms: CPU, connections and its lag, on the
// replica, to the alert target.
func TestEveryReadReplicaHasItsOwnAlarms(t *testing.T) {
	alarmType := map[core.Cloud]string{core.AWS: awsAlarm, core.GCP: "gcp:monitoring/alertPolicy:AlertPolicy", core.Azure: azAlert}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			r := planDB(t, cloud, core.Prod, nil)
			rep := readReplicas(r.Plan, cloud)[0]
			// What names the replica in an alarm.
			id := map[core.Cloud]string{core.AWS: stringOf(rep.Inputs["identifier"]), core.GCP: stringOf(rep.Inputs["name"]), core.Azure: rep.ID}[cloud]
			got := map[string]bool{}
			for _, a := range testkit.OfType(r.Plan, alarmType[cloud]) {
				if !strings.HasPrefix(a.Name, "main-read1-") {
					continue
				}
				doc, _ := json.Marshal(a.Inputs)
				if !strings.Contains(string(doc), id) {
					t.Errorf("%s does not watch the replica %s", a.Name, id)
				}
				got[strings.TrimPrefix(a.Name, "main-read1-")] = true
			}
			for _, k := range []string{alarmCPU, alarmConnections, alarmReplicationLag} {
				if !got[k] {
					t.Errorf("replica has no %s alarm; it has %v", k, got)
				}
			}
		})
	}
}

// Outside prod there are no replicas unless asked for, and the count is
// checked: prod keeps one, no cloud takes more than five, Azure offers none
// on Burstable sizes.
func TestReadReplicaSettings(t *testing.T) {
	for _, cloud := range core.Clouds {
		if n := len(readReplicas(planDB(t, cloud, core.Dev, nil).Plan, cloud)); n != 0 {
			t.Errorf("%s dev has %d read replicas, want none by default", cloud, n)
		}
	}
	two := planDB(t, core.AWS, core.Prod, func(a *DatabaseArgs) { n := 2; a.Settings.ReadReplicas = &n })
	reps := readReplicas(two.Plan, core.AWS)
	if len(reps) != 2 || zoneOf(reps[0], core.AWS) == zoneOf(reps[1], core.AWS) {
		t.Errorf("two replicas in zones %v and %v, want two zones", zoneOf(reps[0], core.AWS), zoneOf(reps[1], core.AWS))
	}
	n := func(v int) *int { return &v }
	expectProblems(t, Settings{ReadReplicas: n(0)}.withDefaults(core.Prod).Validate(core.Prod, core.AWS), "readReplicas", "at least 1")
	expectProblems(t, Settings{ReadReplicas: n(6)}.withDefaults(core.Prod).Validate(core.Prod, core.AWS), "readReplicas", "0 to 5")
	expectProblems(t, Settings{ReadReplicas: n(-1)}.withDefaults(core.Dev).Validate(core.Dev, ""), "readReplicas")
	expectProblems(t, Settings{ReadReplicas: n(1)}.withDefaults(core.Dev).Validate(core.Dev, core.Azure), "readReplicas", "Burstable")
	if err := (Settings{ReadReplicas: n(1)}.withDefaults(core.Dev).Validate(core.Dev, core.AWS)); err != nil {
		t.Errorf("a replica in dev on AWS: %v", err)
	}
}

func (s Settings) withDefaults(env core.Environment) Settings {
	s.ApplyDefaults(env)
	return s
}

// On AWS, storage pages on RDS's autoscaling events, and broken
// replication on RDS's replication events, of the primary and replicas.
func TestAWSAlarmsFollowAutoscaledStorageAndReplicationEvents(t *testing.T) {
	r := planDB(t, core.AWS, core.Prod, nil)
	ids := []any{}
	for _, db := range testkit.OfType(r.Plan, rdsInstance) {
		ids = append(ids, db.Inputs["identifier"])
	}
	rules := map[string][]string{alarmStorage: awsStorageEvents, alarmReplicationEvents: awsReplicationEvents}
	for key, events := range rules {
		var rule plan.Resource
		for _, e := range testkit.OfType(r.Plan, "aws:cloudwatch/eventRule:EventRule") {
			if e.Name == "main-"+key {
				rule = e
			}
		}
		var pattern struct {
			Source []string
			Detail struct{ SourceIdentifier, EventID []any }
		}
		if err := json.Unmarshal([]byte(stringOf(rule.Inputs["eventPattern"])), &pattern); err != nil {
			t.Fatalf("%s: no event rule (%v)", key, err)
		}
		if !slices.Equal(pattern.Source, []string{"aws.rds"}) || len(pattern.Detail.SourceIdentifier) != len(ids) {
			t.Errorf("%s rule matches %+v, want RDS events of %v", key, pattern, ids)
		}
		for _, e := range events {
			if !slices.Contains(pattern.Detail.EventID, any(e)) {
				t.Errorf("%s rule misses %s", key, e)
			}
		}
		alarm := testkit.OfType(r.Plan, awsAlarm)
		i := slices.IndexFunc(alarm, func(a plan.Resource) bool { return a.Name == "main-"+key })
		if i < 0 || alarm[i].Inputs["metricName"] != "MatchedEvents" || alarm[i].Inputs["alarmActions"] == nil {
			t.Errorf("%s: no alarm on the rule's matches", key)
		}
	}
	// Dev on its own, without replicas or a DR copy, has nothing to
	// replicate and no replication alarm.
	for _, a := range testkit.OfType(planDB(t, core.AWS, core.Dev, nil).Plan, awsAlarm) {
		if a.Name == "main-"+alarmReplicationEvents {
			t.Error("dev has a replication alarm with nothing replicating")
		}
	}
	// The free-storage alarm used a fixed threshold under the first
	// allocation, which autoscaling outgrows.
	if slices.Contains(awsStorageEvents, "RDS-EVENT-0089") {
		t.Error("RDS-EVENT-0089 fires whenever autoscaling is due")
	}
}

// Azure sends every server's logs (primary and replicas) to the stack's
// workspace, every documented category; without a workspace, nothing.
func TestAzureServersLogToTheWorkspace(t *testing.T) {
	const ws = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/audit"
	r := planDB(t, core.Azure, core.Prod, func(a *DatabaseArgs) { a.LogWorkspace = testkit.Str(ws) })
	servers := map[any]bool{}
	for _, s := range testkit.OfType(r.Plan, azServer) {
		servers[s.ID] = false
	}
	for _, d := range testkit.OfType(r.Plan, "azure-native:insights:DiagnosticSetting") {
		want(t, d, ws, "workspaceId")
		servers[d.Inputs["resourceUri"]] = true
		var cats []string
		for _, l := range d.Inputs["logs"].([]any) {
			if m := l.(map[string]any); m["enabled"] == true {
				cats = append(cats, m["category"].(string))
			}
		}
		for _, c := range []string{"PostgreSQLLogs", "PostgreSQLFlexSessions", "PostgreSQLFlexQueryStoreRuntime"} {
			if !slices.Contains(cats, c) {
				t.Errorf("%s does not send %s", d.Name, c)
			}
		}
	}
	for id, logged := range servers {
		if !logged {
			t.Errorf("server %v sends its logs nowhere", id)
		}
	}
	if n := len(testkit.OfType(planDB(t, core.Azure, core.Prod, func(a *DatabaseArgs) { a.LogWorkspace = pulumi.StringOutput{} }).Plan, "azure-native:insights:DiagnosticSetting")); n != 0 {
		t.Errorf("%d diagnostic settings without a workspace", n)
	}
}
