package alerting

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestDashboardShowsTheDatabaseTheGroupAndBackupFreshness(t *testing.T) {
	body := map[core.Cloud]struct{ typ, field string }{
		core.AWS:   {"aws:cloudwatch/dashboard:Dashboard", "dashboardBody"},
		core.GCP:   {"gcp:monitoring/dashboard:Dashboard", "dashboardJson"},
		core.Azure: {"azure-native:insights:Workbook", "serializedData"},
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
				dep, err := testkit.Deployment(ctx, cloud, core.Prod)
				if err != nil {
					return err
				}
				_, err = NewDashboard(ctx, "main", &DashboardArgs{
					Deployment: dep,
					Database:   testkit.Str("db-under-watch"),
					Group:      testkit.Str("group-under-watch"),
					Buckets:    pulumi.ToStringArray([]string{"bucket-under-watch"}).ToStringArrayOutput(),
				})
				return err
			})
			d := testkit.One(t, p, body[cloud].typ)
			doc, _ := d.Inputs[body[cloud].field].(string)
			for _, want := range append([]string{"db-under-watch", "group-under-watch", "bucket-under-watch"}, panelTitles()...) {
				if !strings.Contains(doc, want) {
					t.Errorf("dashboard lacks %q", want)
				}
			}
		})
	}
}

func panelTitles() []string {
	out := make([]string, len(panels))
	for i, p := range panels {
		out[i] = string(p)
	}
	return out
}
