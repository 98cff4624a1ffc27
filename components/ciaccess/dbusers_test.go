package ciaccess

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// planDBUsers plans a prod stack on cloud with an offsite site on another
// cloud, and the database target the stack hands in.
func planDBUsers(t *testing.T, cloud core.Cloud) *plan.Plan {
	t.Helper()
	offsiteCloud := core.GCP
	if cloud == core.GCP {
		offsiteCloud = core.Azure
	}
	return testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, core.Prod)
		if err != nil {
			return err
		}
		offsite, err := testkit.Site(ctx, offsiteCloud, core.Offsite)
		if err != nil {
			return err
		}
		dep.Offsite = &offsite
		s := func(v string) pulumi.StringOutput { return pulumi.String(v).ToStringOutput() }
		_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: Settings{Repository: repo}, DBUsers: &DBUsersTarget{
			Server:       s("wedsync-prod-main"),
			MasterSecret: s("arn:aws:secretsmanager:eu-west-2:1:secret:rds!db-1-abcdef"),
			ProxySecret:  s("arn:aws:secretsmanager:eu-west-2:1:secret:rds-proxy/wedsync/prod/wedsync_app-abcdef"),
			MasterKey:    s("arn:aws:kms:eu-west-2:1:key/data"),
			ProxyKey:     s("arn:aws:kms:eu-west-2:1:key/secrets"),
		}})
		return err
	})
}

// named are the plan's resources whose name starts with prefix.
func named(p *plan.Plan, prefix string) []plan.Resource {
	var out []plan.Resource
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Name, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// The db-users identity is made once, on the database's cloud, trusted by
// the deploy subject only; the offsite cloud gets none (cloud-login skips
// a cloud whose entry is empty).
func TestDBUsersIdentityIsTheDatabasesCloudsOnly(t *testing.T) {
	const subject = "repo:wedsync/wedsync-infra:environment:prod"
	t.Run("aws", func(t *testing.T) {
		p := planDBUsers(t, core.AWS)
		tr := awsTrust(t, p, DBUsersKind)
		if got := tr.Statement[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]; got != subject {
			t.Errorf("trusts %v, want %s", got, subject)
		}
		var doc awsDocument
		if err := json.Unmarshal([]byte(str(t, byName(t, p, "aws:iam/rolePolicy:RolePolicy", "ci-aws-db-users-secrets"), "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		for _, st := range doc.Statement {
			if st.Resource == "*" || strings.Contains(st.Sid, "Decrypt") && st.Condition == nil {
				t.Errorf("statement %s reaches %v without a condition", st.Sid, st.Resource)
			}
		}
		if n := len(named(p, "ci-gcp-db-users")); n != 0 {
			t.Errorf("%d db-users resources on the offsite cloud", n)
		}
	})
	t.Run("gcp", func(t *testing.T) {
		p := planDBUsers(t, core.GCP)
		u := byName(t, p, "gcp:sql/user:User", "ci-gcp-db-users")
		if str(t, u, "type") != "CLOUD_IAM_SERVICE_ACCOUNT" || str(t, u, "instance") != "wedsync-prod-main" || strings.HasSuffix(str(t, u, "name"), ".gserviceaccount.com") {
			t.Errorf("the Cloud SQL user %v: want the service account's IAM user on the stack's instance", u.Inputs)
		}
		if fed := str(t, byName(t, p, "gcp:serviceaccount/iAMMember:IAMMember", "ci-gcp-db-users-federation"), "member"); !strings.HasSuffix(fed, "/subject/"+subject) {
			t.Errorf("impersonated by %s, want %s", fed, subject)
		}
		if n := len(named(p, "ci-azure-db-users")); n != 0 {
			t.Errorf("%d db-users resources on the offsite cloud", n)
		}
	})
	t.Run("azure", func(t *testing.T) {
		p := planDBUsers(t, core.Azure)
		admin := byName(t, p, "azure-native:dbforpostgresql/v20240801:Administrator", "ci-azure-db-users")
		if str(t, admin, "serverName") != "wedsync-prod-main" || str(t, admin, "principalType") != "ServicePrincipal" {
			t.Errorf("the Entra administrator %v: want the identity, on the stack's server", admin.Inputs)
		}
		if s := str(t, byName(t, p, "azure-native:managedidentity:FederatedIdentityCredential", "ci-azure-db-users-github"), "subject"); s != subject {
			t.Errorf("federated for %s, want %s", s, subject)
		}
		if n := len(named(p, "ci-gcp-db-users")); n != 0 {
			t.Errorf("%d db-users resources on the offsite cloud", n)
		}
	})
}

// Without a database target (a component used alone) no identity is made.
func TestDBUsersIdentityNeedsItsDatabase(t *testing.T) {
	p := planAccess(t, core.AWS, core.Prod, Settings{Repository: repo})
	if n := len(named(p, "ci-aws-db-users")); n != 0 {
		t.Errorf("%d db-users resources without a database", n)
	}
}
