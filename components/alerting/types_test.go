package alerting

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
	"github.com/wedsync/wedsync-infra/season"
)

// The package's components are registered under the alerting module, and
// each still answers to its token from before the rename, so stacks
// deployed under wedsync:monitoring:* update in place instead of replacing
// every child.
func TestComponentsRegisterTheirTypeAndKeepTheOldTokenAsAnAlias(t *testing.T) {
	want := []struct{ typ, token, old string }{
		{AlertTargetType, "wedsync:alerting:AlertTarget", "wedsync:monitoring:AlertTarget"},
		{BudgetType, "wedsync:alerting:Budget", "wedsync:monitoring:Budget"},
		{DashboardType, "wedsync:alerting:Dashboard", "wedsync:monitoring:Dashboard"},
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			got := testkit.Registrations(t, core.Prod, func(ctx *pulumi.Context) error {
				dep, err := testkit.Deployment(ctx, cloud, core.Prod)
				if err != nil {
					return err
				}
				target, err := NewAlertTarget(ctx, "alerts", &AlertTargetArgs{Deployment: dep, Settings: prodSettings(), Calendar: season.Config{}, Now: november})
				if err != nil {
					return err
				}
				if _, err := NewBudget(ctx, "budget", &BudgetArgs{Deployment: dep, Settings: budgetSettings(cloud), Calendar: season.Config{}, Now: november, Notify: target.Receivers}); err != nil {
					return err
				}
				_, err = NewDashboard(ctx, "main", &DashboardArgs{Deployment: dep, Database: testkit.Str("db"), Group: testkit.Str("group"),
					Buckets: pulumi.ToStringArray([]string{"bucket"}).ToStringArrayOutput()})
				return err
			})
			for _, w := range want {
				if w.typ != w.token {
					t.Errorf("type token = %q, want %q (the module is the package name)", w.typ, w.token)
				}
				i := slices.IndexFunc(got, func(c testkit.Registration) bool { return c.Type == w.token })
				if i < 0 {
					t.Errorf("no component registered as %s; registered: %+v", w.token, got)
					continue
				}
				if !slices.Contains(got[i].AliasTypes, w.old) {
					t.Errorf("%s aliases = %v, want %s so deployed stacks update in place", w.token, got[i].AliasTypes, w.old)
				}
			}
		})
	}
}
