package backupbucket

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	failedOverID = "/subscriptions/0/resourceGroups/wedsync-prod-azure-uks/providers/Microsoft.Storage/storageAccounts/wedsyncprodazurebk0001"
	recoveryWS   = "/subscriptions/0/resourceGroups/wedsync-prod-azure-dr-ukw/providers/Microsoft.OperationalInsights/workspaces/wedsync-prod-azure-dr-secrets-audit-ukw"
)

func failedOverPlan(t *testing.T, edit func(*FailedOverAccountArgs)) (*plan.Plan, error) {
	return plan.Run(plan.Options{Project: "wedsync", Stack: "prod", Environment: "prod"}, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.Azure, core.Prod)
		if err != nil {
			return err
		}
		a := &FailedOverAccountArgs{Deployment: dep, Purpose: "db-exports", AccountID: testkit.Str(failedOverID),
			Alerts: testkit.Alerts(core.Azure), AccessLogWorkspace: testkit.Str(recoveryWS)}
		if edit != nil {
			edit(a)
		}
		_, err = NewFailedOverAccount(ctx, "db-exports", a)
		return err
	})
}

// An account a recovery took over pages when no backup arrives in it, as
// the source's own alarm did (same name, same metric), and records who
// read or wrote a backup in the recovery's workspace under a setting of
// its own, leaving the source's in place. Broken variant: without a
// workspace no access log is recorded.
func TestAFailedOverAccountIsWatchedFromTheRecovery(t *testing.T) {
	p, err := failedOverPlan(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	alert := testkit.One(t, p, "azure-native:insights:MetricAlert")
	if alert.Name != "db-exports-freshness" {
		t.Errorf("alarm %s, want db-exports-freshness (the source's name)", alert.Name)
	}
	if got := testkit.Get(alert, "scopes.0"); got != failedOverID {
		t.Errorf("alarm watches %v, want the failed-over account", got)
	}
	if got := testkit.Get(alert, "criteria.allOf.0.metricName"); got != "Transactions" {
		t.Errorf("alarm on %v, want blob write Transactions", got)
	}
	logs := testkit.One(t, p, "azure-native:insights:DiagnosticSetting")
	if testkit.Get(logs, "workspaceId") != recoveryWS || testkit.Get(logs, "resourceUri") != failedOverID+"/blobServices/default" {
		t.Errorf("access logs of %v go to %v", testkit.Get(logs, "resourceUri"), testkit.Get(logs, "workspaceId"))
	}
	if name := testkit.Get(logs, "name"); name == accessLogSetting {
		t.Errorf("setting %v is the source's own name: the stacks would overwrite each other", name)
	}
	broken, err := failedOverPlan(t, func(a *FailedOverAccountArgs) { a.AccessLogWorkspace = pulumi.StringOutput{} })
	if err != nil {
		t.Fatal(err)
	}
	if n := len(testkit.OfType(broken, "azure-native:insights:DiagnosticSetting")); n != 0 {
		t.Errorf("%d access-log settings without a workspace", n)
	}
}

func TestAFailedOverAccountNeedsAnAzureAccountAndAlerts(t *testing.T) {
	_, err := failedOverPlan(t, func(a *FailedOverAccountArgs) { a.AccountID, a.Alerts = pulumi.StringOutput{}, nil })
	for _, want := range []string{"AccountID", "Alerts"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
