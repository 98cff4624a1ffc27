package stacks_test

import (
	"slices"
	"testing"

	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/internal/dbusers"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// planned lists the values of input of every resource of type typ.
func planned(p *plan.Plan, typ, input string) []string {
	var out []string
	for _, r := range p.Resources {
		if s, ok := r.Inputs[input].(string); ok && r.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// Every cloud's stack names the database users its app signs in as, so
// `db users` makes exactly those: AWS the proxy's writer and (prod, with a
// replica) the rds_iam reader; GCP the IAM user the stack creates; Azure
// the scale set's identity, by its planned name and its principal id.
// Broken variant: outputs without appUsers are refused.
func TestEveryStackNamesTheAppsDatabaseUsers(t *testing.T) {
	for _, stack := range []string{"prod", "prod-gcp", "prod-azure"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			got, err := dbusers.FromOutputs(stack, p.Outputs)
			if err != nil {
				t.Fatal(err)
			}
			u := got.Users
			switch stack {
			case "prod":
				if len(u) != 2 || u[0].Name != database.AWSAppUser || u[0].SignIn != database.SignInPassword ||
					u[1].Name != database.AWSReadUser || u[1].SignIn != database.SignInRDSIAM || u[1].Access != database.AccessRead {
					t.Errorf("users %+v: want the proxy's writer and the replicas' rds_iam reader", u)
				}
			case "prod-gcp":
				if len(u) != 1 || u[0].SignIn != database.SignInCloudSQLIAM || !slices.Contains(planned(p, "gcp:sql/user:User", "name"), u[0].Name) {
					t.Errorf("users %+v: want the IAM user the stack creates (%v)", u, planned(p, "gcp:sql/user:User", "name"))
				}
			case "prod-azure":
				identity, _ := p.Outputs["app"].(map[string]any)["identity"].(string)
				if len(u) != 1 || u[0].SignIn != database.SignInEntra || u[0].ObjectID != identity || identity == "" ||
					!slices.Contains(planned(p, "azure-native:managedidentity:UserAssignedIdentity", "resourceName"), u[0].Name) {
					t.Errorf("users %+v: want the scale set's identity %s", u, identity)
				}
			}
			bare := map[string]any{"database": map[string]any{"name": "wedsync"}}
			if _, err := dbusers.FromOutputs(stack, bare); err == nil {
				t.Error("outputs without appUsers were accepted")
			}
		})
	}
}
