package bootstrap_test

import (
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/bootstrap"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// planOf plans the bootstrap program for cloud offline, as the stacks are.
func planOf(t *testing.T, cloud core.Cloud, program pulumi.RunFunc) *plan.Plan {
	t.Helper()
	alerts := map[core.Cloud]string{
		core.AWS:   "arn:aws:sns:eu-west-2:" + plan.MockAWSAccount + ":wedsync-prod-alerts",
		core.GCP:   "projects/wedsync-prod/notificationChannels/1234",
		core.Azure: "/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/wedsync-prod-alerts",
	}[cloud]
	p, err := plan.Run(plan.Options{
		Project: bootstrap.Project, Stack: string(cloud), Environment: string(core.Prod),
		Config: map[string]string{
			bootstrap.Project + ":cloud":               string(cloud),
			bootstrap.Project + ":gcpProject":          "wedsync-prod",
			bootstrap.Project + ":azureSubscriptionId": plan.MockAzureSubscription,
			bootstrap.Project + ":alertTarget":         alerts,
		},
	}, program)
	if err != nil {
		t.Fatalf("plan %s: %v", cloud, err)
	}
	return p
}

func mandatory(vs []plan.Violation) []plan.Violation {
	var out []plan.Violation
	for _, v := range vs {
		if v.EnforcementLevel == string(rules.Mandatory) {
			out = append(out, v)
		}
	}
	return out
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// The backend passes the policy pack on every cloud: what the pack demands
// of a prod backup bucket (encryption with a customer-managed key,
// versioning, lock, privacy, TLS, EU region) it demands of the state.
func TestBackendPassesThePack(t *testing.T) {
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := planOf(t, cloud, bootstrap.Program)
			for _, v := range mandatory(plan.Evaluate(p, bootstrap.PolicyConfig(), now)) {
				t.Errorf("%s: %s: %s", v.Policy, v.URN, v.Message)
			}
		})
	}
}

