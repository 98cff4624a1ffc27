package alerting

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// The replication panel charts the lag each replica reports (RDS
// ReplicaLag, Cloud SQL replica_lag by the replica's database_id), the
// metrics the lag alarms read, and nothing RDS no longer publishes for it
// (OldestReplicationSlotLag). Broken variant: a dashboard not told the
// replicas charts no replica.
func TestTheReplicationPanelChartsEachReplicasLag(t *testing.T) {
	cases := map[core.Cloud]struct{ typ, field, metric, replica string }{
		core.AWS: {"aws:cloudwatch/dashboard:Dashboard", "dashboardBody", `"ReplicaLag"`, "wedsync-prod-main-read1"},
		core.GCP: {"gcp:monitoring/dashboard:Dashboard", "dashboardJson", "replication/replica_lag", "wedsync-test:wedsync-prod-main-read1"},
	}
	for cloud, c := range cases {
		t.Run(string(cloud), func(t *testing.T) {
			doc := func(replicas []string) string {
				p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
					dep, err := testkit.Deployment(ctx, cloud, core.Prod)
					if err != nil {
						return err
					}
					args := &DashboardArgs{
						Deployment: dep, Database: testkit.Str("db-under-watch"), Group: testkit.Str("group-under-watch"),
						Buckets: pulumi.ToStringArray([]string{"bucket-under-watch"}).ToStringArrayOutput(),
					}
					if replicas != nil {
						args.Replicas = pulumi.ToStringArray(replicas).ToStringArrayOutput()
					}
					_, err = NewDashboard(ctx, "main", args)
					return err
				})
				body, _ := testkit.One(t, p, c.typ).Inputs[c.field].(string)
				return body
			}
			body := doc([]string{c.replica})
			if !strings.Contains(body, c.metric) || !strings.Contains(body, c.replica) {
				t.Errorf("the dashboard does not chart %s of %s", c.metric, c.replica)
			}
			if strings.Contains(body, "OldestReplicationSlotLag") {
				t.Error("the dashboard charts OldestReplicationSlotLag, which nothing alarms on")
			}
			if broken := doc(nil); strings.Contains(broken, c.replica) || strings.Contains(broken, c.metric) {
				t.Error("a dashboard without replicas charts a replica's lag")
			}
		})
	}
}
