package ciaccess

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const repo = "wedsync/wedsync-infra"

func planAccess(t *testing.T, cloud core.Cloud, env core.Environment, s Settings) *plan.Plan {
	t.Helper()
	return testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, env)
		if err != nil {
			return err
		}
		_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: s})
		return err
	})
}

func str(t *testing.T, r plan.Resource, path string) string {
	t.Helper()
	v, ok := testkit.Get(r, path).(string)
	if !ok {
		t.Fatalf("%s %s: %s is %v, not a string", r.Type, r.Name, path, testkit.Get(r, path))
	}
	return v
}

func byName(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	for _, r := range testkit.OfType(p, typ) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s named %s", typ, name)
	return plan.Resource{}
}

// trust is an AWS role's trust condition.
type trust struct {
	Statement []struct {
		Effect    string
		Principal map[string]string
		Action    string
		Condition map[string]map[string]any
	}
}

func awsTrust(t *testing.T, p *plan.Plan, kind string) trust {
	t.Helper()
	var tr trust
	doc := str(t, byName(t, p, "aws:iam/role:Role", "ci-aws-"+kind), "assumeRolePolicy")
	if err := json.Unmarshal([]byte(doc), &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.Statement) != 1 {
		t.Fatalf("trust policy has %d statements: %s", len(tr.Statement), doc)
	}
	return tr
}

// noWildcards fails on a "*" or "?" anywhere in a trust subject or
// condition.
func noWildcards(t *testing.T, what, s string) {
	t.Helper()
	if strings.ContainsAny(s, "*?") {
		t.Errorf("%s holds a wildcard: %s", what, s)
	}
}

func TestAWSAccess(t *testing.T) {
	prod := planAccess(t, core.AWS, core.Prod, Settings{Repository: repo})
	dev := planAccess(t, core.AWS, core.Dev, Settings{Repository: repo})

	t.Run("prod_deploy_role_trusts_only_the_prod_environment", func(t *testing.T) {
		st := awsTrust(t, prod, "deploy").Statement[0]
		eq := st.Condition["StringEquals"]
		if eq["token.actions.githubusercontent.com:sub"] != "repo:wedsync/wedsync-infra:environment:prod" {
			t.Errorf("subject %q", eq["token.actions.githubusercontent.com:sub"])
		}
		if eq["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" || st.Action != "sts:AssumeRoleWithWebIdentity" {
			t.Errorf("statement %+v", st)
		}
		if len(st.Condition) != 1 {
			t.Errorf("conditions other than StringEquals (a StringLike admits patterns): %v", st.Condition)
		}
	})
	t.Run("dev_deploy_role_trusts_only_main", func(t *testing.T) {
		sub := awsTrust(t, dev, "deploy").Statement[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]
		if sub != "repo:wedsync/wedsync-infra:ref:refs/heads/main" {
			t.Errorf("subject %q", sub)
		}
	})
	t.Run("preview_role_trusts_pull_requests_and_only_views", func(t *testing.T) {
		sub := awsTrust(t, prod, "preview").Statement[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]
		if !reflect.DeepEqual(sub, []any{"repo:wedsync/wedsync-infra:pull_request", "repo:wedsync/wedsync-infra:environment:drift"}) {
			t.Errorf("subjects %v, want pull requests and the drift check's environment", sub)
		}
		att := byName(t, prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ci-aws-preview-viewonly")
		if got := str(t, att, "policyArn"); got != awsViewOnly {
			t.Errorf("preview policy %s", got)
		}
	})
	// The broken variant: a stack whose backups do not replicate (prod as
	// planned here manages no replication) grants nothing.
	t.Run("preview_role_reads_the_replicated_backups_in_the_dr_region_only", func(t *testing.T) {
		replicating := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
			dep, err := testkit.Deployment(ctx, core.AWS, core.Prod)
			if err != nil {
				return err
			}
			_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: Settings{Repository: repo}, Managed: Managed{Types: []string{awsBackupsReplication}}})
			return err
		})
		var pol awsDocument
		if err := json.Unmarshal([]byte(str(t, byName(t, replicating, "aws:iam/rolePolicy:RolePolicy", "ci-aws-preview-dr-backups"), "policy")), &pol); err != nil {
			t.Fatal(err)
		}
		st := pol.Statement
		if len(st) != 1 || st[0].Effect != "Allow" || !reflect.DeepEqual(st[0].Action, []string{"rds:DescribeDBInstanceAutomatedBackups"}) ||
			!reflect.DeepEqual(st[0].Condition, map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": "eu-west-1"}}) {
			t.Errorf("preview's DR backups policy %+v: want only rds:DescribeDBInstanceAutomatedBackups in eu-west-1", st)
		}
		for _, r := range testkit.OfType(prod, "aws:iam/rolePolicy:RolePolicy") {
			if strings.Contains(r.Name, "dr-backups") {
				t.Errorf("a stack whose backups do not replicate grants %s", r.Name)
			}
		}
	})
	t.Run("no_trust_has_a_wildcard_subject", func(t *testing.T) {
		for _, p := range []*plan.Plan{prod, dev} {
			for _, r := range testkit.OfType(p, "aws:iam/role:Role") {
				noWildcards(t, r.Name, str(t, r, "assumeRolePolicy"))
			}
		}
	})
	t.Run("deploy_role_cannot_change_the_ci_roles_in_its_policy_and_its_boundary", func(t *testing.T) {
		guards := str(t, byName(t, prod, "aws:iam/rolePolicy:RolePolicy", "ci-aws-deploy-guards"), "policy")
		boundary := str(t, byName(t, prod, "aws:iam/policy:Policy", "ci-aws-deploy-boundary"), "policy")
		for what, doc := range map[string]string{"guards": guards, "boundary": boundary} {
			var pol awsDocument
			if err := json.Unmarshal([]byte(doc), &pol); err != nil {
				t.Fatal(err)
			}
			var denied []string
			for _, st := range pol.Statement {
				if st.Effect == "Deny" && st.Sid == "NotCIItself" {
					denied = append(denied, fmt.Sprint(st.Resource))
				}
			}
			if len(denied) != 1 || !strings.Contains(denied[0], "role/wedsync-prod-ci-*") || !strings.Contains(denied[0], "policy/wedsync-prod-ci-*") ||
				!strings.Contains(denied[0], "oidc-provider/*") {
				t.Errorf("%s: deny statements %v", what, denied)
			}
		}
		role := byName(t, prod, "aws:iam/role:Role", "ci-aws-deploy")
		if b := testkit.Get(role, "permissionsBoundary"); b == nil || b == "" {
			t.Errorf("the deploy role has no permissions boundary: %v", role.Inputs)
		}
	})
	t.Run("deploy_role_holds_no_aws_managed_policy_and_iam_only_on_the_stack_names", func(t *testing.T) {
		for _, att := range testkit.OfType(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
			if strings.HasPrefix(att.Name, "ci-aws-deploy") && strings.HasPrefix(str(t, att, "policyArn"), "arn:aws:iam::aws:policy/") {
				t.Errorf("%s attaches %s", att.Name, str(t, att, "policyArn"))
			}
		}
		for _, r := range testkit.OfType(prod, "aws:iam/policy:Policy") {
			var pol awsDocument
			if err := json.Unmarshal([]byte(str(t, r, "policy")), &pol); err != nil {
				t.Fatal(err)
			}
			for _, st := range pol.Statement {
				if st.Effect == "Allow" && writesIAM(st.Action) && r.Name != "ci-aws-deploy-boundary" {
					// The drill's scratch grants are on the scratch stacks' names only.
					names := "wedsync-prod-"
					if strings.Contains(r.Name, "drill-scratch") {
						names = "wedsync-drill-prod-"
					}
					if res := fmt.Sprint(st.Resource); strings.Contains(res, "role/*") || !strings.Contains(res, names) {
						t.Errorf("%s: IAM is not limited to the stack's names: %v", r.Name, res)
					}
				}
			}
		}
	})
	t.Run("an_existing_oidc_provider_is_referenced_not_created", func(t *testing.T) {
		arn := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
		p := planAccess(t, core.AWS, core.Dev, Settings{Repository: repo, AWSOIDCProviderARN: arn})
		if n := len(testkit.OfType(p, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")); n != 0 {
			t.Errorf("%d OIDC providers created", n)
		}
		if got := awsTrust(t, p, "deploy").Statement[0].Principal["Federated"]; got != arn {
			t.Errorf("trusts %q, want %q", got, arn)
		}
	})
	t.Run("a_new_oidc_provider_is_github_for_sts", func(t *testing.T) {
		r := testkit.One(t, dev, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
		if str(t, r, "url") != Issuer || fmt.Sprint(testkit.Get(r, "clientIdLists")) != "[sts.amazonaws.com]" {
			t.Errorf("provider %v", r.Inputs)
		}
	})
	t.Run("previews_can_be_turned_off", func(t *testing.T) {
		off := false
		p := planAccess(t, core.AWS, core.Dev, Settings{Repository: repo, Preview: &off})
		if n := len(testkit.OfType(p, "aws:iam/role:Role")); n != 1 {
			t.Errorf("%d roles, want only the deploy role (no preview, no drill)", n)
		}
	})
}

// writesIAM: some action is IAM's and neither reads nor lists.
func writesIAM(actions []string) bool {
	for _, a := range actions {
		if strings.HasPrefix(a, "iam:") && !strings.HasPrefix(a, "iam:Get") && !strings.HasPrefix(a, "iam:List") {
			return true
		}
	}
	return false
}

func TestGCPAccess(t *testing.T) {
	prod := planAccess(t, core.GCP, core.Prod, Settings{Repository: repo})
	dev := planAccess(t, core.GCP, core.Dev, Settings{Repository: repo})

	t.Run("prod_deploy_account_is_impersonated_only_from_the_prod_environment", func(t *testing.T) {
		m := str(t, byName(t, prod, "gcp:serviceaccount/iAMMember:IAMMember", "ci-gcp-deploy-federation"), "member")
		if !strings.HasPrefix(m, "principal://iam.googleapis.com/") || !strings.HasSuffix(m, "/subject/repo:wedsync/wedsync-infra:environment:prod") {
			t.Errorf("member %q", m)
		}
	})
	t.Run("the_preview_account_is_impersonated_from_pull_requests_and_the_drift_check", func(t *testing.T) {
		for name, want := range map[string]string{
			"ci-gcp-preview-federation":   "/subject/repo:wedsync/wedsync-infra:pull_request",
			"ci-gcp-preview-federation-2": "/subject/repo:wedsync/wedsync-infra:environment:drift",
			"ci-gcp-drill-federation":     "/subject/repo:wedsync/wedsync-infra:environment:drill",
			"ci-gcp-seal-federation":      "/subject/repo:wedsync/wedsync-infra:environment:seal",
		} {
			if m := str(t, byName(t, prod, "gcp:serviceaccount/iAMMember:IAMMember", name), "member"); !strings.HasSuffix(m, want) {
				t.Errorf("%s: member %q", name, m)
			}
		}
		if n := len(testkit.OfType(prod, "gcp:serviceaccount/iAMMember:IAMMember")); n != 5 {
			t.Errorf("%d impersonation bindings, want the deploy one, the preview's two, the drill's and the seal's", n)
		}
	})
	t.Run("dev_deploy_account_is_impersonated_only_from_main", func(t *testing.T) {
		m := str(t, byName(t, dev, "gcp:serviceaccount/iAMMember:IAMMember", "ci-gcp-deploy-federation"), "member")
		if !strings.HasSuffix(m, "/subject/repo:wedsync/wedsync-infra:ref:refs/heads/main") {
			t.Errorf("member %q", m)
		}
	})
	t.Run("the_provider_admits_only_this_repository_on_main_and_its_pull_requests", func(t *testing.T) {
		cond := str(t, testkit.One(t, prod, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"), "attributeCondition")
		want := "assertion.repository == 'wedsync/wedsync-infra' && ((assertion.sub == 'repo:wedsync/wedsync-infra:environment:prod' && assertion.ref == 'refs/heads/main') || assertion.sub == 'repo:wedsync/wedsync-infra:pull_request' || assertion.sub == 'repo:wedsync/wedsync-infra:environment:drift' || assertion.sub == 'repo:wedsync/wedsync-infra:environment:drill' || assertion.sub == 'repo:wedsync/wedsync-infra:environment:seal')"
		if cond != want {
			t.Errorf("condition\n%s\nwant\n%s", cond, want)
		}
	})
	t.Run("no_member_or_condition_has_a_wildcard", func(t *testing.T) {
		for _, p := range []*plan.Plan{prod, dev} {
			for _, r := range testkit.OfType(p, "gcp:serviceaccount/iAMMember:IAMMember") {
				m := str(t, r, "member")
				if strings.HasPrefix(m, "principalSet://") {
					t.Errorf("%s binds a set of principals: %s", r.Name, m)
				}
				noWildcards(t, r.Name, m)
			}
			noWildcards(t, "condition", str(t, testkit.One(t, p, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"), "attributeCondition"))
		}
	})
	t.Run("deploy_account_is_neither_owner_nor_editor_and_grants_only_database_roles", func(t *testing.T) {
		for _, r := range testkit.OfType(prod, "gcp:projects/iAMMember:IAMMember") {
			role := str(t, r, "role")
			if role == "roles/owner" || role == "roles/editor" || strings.HasPrefix(role, "roles/iam.workloadIdentityPool") {
				t.Errorf("%s grants %s", r.Name, role)
			}
			if role == "roles/resourcemanager.projectIamAdmin" {
				expr := str(t, r, "condition.expression")
				if !strings.Contains(expr, "modifiedGrantsByRole") || !strings.Contains(expr, "hasOnly(['roles/cloudsql.client', 'roles/cloudsql.instanceUser'])") {
					t.Errorf("project IAM administration is not limited: %q", expr)
				}
			}
		}
	})
	t.Run("preview_account_only_views", func(t *testing.T) {
		r := byName(t, prod, "gcp:projects/iAMMember:IAMMember", "ci-gcp-preview-viewer")
		if str(t, r, "role") != "roles/viewer" {
			t.Errorf("preview role %v", r.Inputs)
		}
	})
}

func TestAzureAccess(t *testing.T) {
	prod := planAccess(t, core.Azure, core.Prod, Settings{Repository: repo})
	dev := planAccess(t, core.Azure, core.Dev, Settings{Repository: repo})
	credential := func(p *plan.Plan, kind string) plan.Resource {
		return byName(t, p, "azure-native:managedidentity:FederatedIdentityCredential", "ci-azure-"+kind+"-github")
	}

	t.Run("prod_deploy_identity_federates_only_the_prod_environment", func(t *testing.T) {
		r := credential(prod, "deploy")
		if s := str(t, r, "subject"); s != "repo:wedsync/wedsync-infra:environment:prod" {
			t.Errorf("subject %q", s)
		}
		if str(t, r, "issuer") != Issuer || fmt.Sprint(testkit.Get(r, "audiences")) != "[api://AzureADTokenExchange]" {
			t.Errorf("credential %v", r.Inputs)
		}
	})
	t.Run("dev_deploy_identity_federates_only_main", func(t *testing.T) {
		if s := str(t, credential(dev, "deploy"), "subject"); s != "repo:wedsync/wedsync-infra:ref:refs/heads/main" {
			t.Errorf("subject %q", s)
		}
	})
	t.Run("no_credential_has_a_wildcard", func(t *testing.T) {
		for _, p := range []*plan.Plan{prod, dev} {
			for _, r := range testkit.OfType(p, "azure-native:managedidentity:FederatedIdentityCredential") {
				noWildcards(t, r.Name, str(t, r, "subject"))
			}
		}
	})
	t.Run("deploy_identity_assigns_only_key_vault_roles", func(t *testing.T) {
		r := byName(t, prod, "azure-native:authorization:RoleAssignment", "ci-azure-deploy-grants")
		cond := str(t, r, "condition")
		for _, role := range azureGrantableRoles {
			if strings.Count(cond, role) != 2 {
				t.Errorf("condition does not constrain writes and deletes to %s: %s", role, cond)
			}
		}
		if !strings.Contains(cond, "roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals") {
			t.Errorf("condition lets the identity assign roles to itself: %s", cond)
		}
		if !strings.HasSuffix(str(t, r, "roleDefinitionId"), azureRBACAdmin) || str(t, r, "conditionVersion") != "2.0" {
			t.Errorf("assignment %v", r.Inputs)
		}
	})
	t.Run("identities_are_tagged_and_in_the_stack_resource_group", func(t *testing.T) {
		for _, r := range testkit.OfType(prod, "azure-native:managedidentity:UserAssignedIdentity") {
			if testkit.Get(r, "tags.environment") != "prod" || str(t, r, "resourceGroupName") == "" {
				t.Errorf("%s: %v", r.Name, r.Inputs)
			}
		}
	})
	t.Run("preview_identity_only_reads", func(t *testing.T) {
		r := byName(t, prod, "azure-native:authorization:RoleAssignment", "ci-azure-preview-reader")
		if !strings.HasSuffix(str(t, r, "roleDefinitionId"), azureReader) {
			t.Errorf("preview role %v", r.Inputs)
		}
		if s := str(t, credential(prod, "preview"), "subject"); s != "repo:wedsync/wedsync-infra:pull_request" {
			t.Errorf("preview subject %q", s)
		}
		drift := byName(t, prod, "azure-native:managedidentity:FederatedIdentityCredential", "ci-azure-preview-github-2")
		if s := str(t, drift, "subject"); s != "repo:wedsync/wedsync-infra:environment:drift" {
			t.Errorf("the preview identity's second subject is %q, want the drift check's environment", s)
		}
	})
}

func TestEveryCloudOfTheStackGetsIdentities(t *testing.T) {
	p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.AWS, core.Prod)
		if err != nil {
			return err
		}
		offsite, err := testkit.Site(ctx, core.GCP, core.Offsite)
		if err != nil {
			return err
		}
		dep.Offsite = &offsite
		_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: Settings{Repository: repo}})
		return err
	})
	if n := len(testkit.OfType(p, "aws:iam/role:Role")); n != 4 {
		t.Errorf("%d AWS roles, want deploy, preview, drill and seal", n)
	}
	if n := len(testkit.OfType(p, "gcp:serviceaccount/account:Account")); n != 3 {
		t.Errorf("%d GCP service accounts, want deploy, preview and drill (the offsite copy is on GCP; the seal is the primary cloud's)", n)
	}
	for _, r := range p.Resources {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") && r.Provider == "" {
			t.Errorf("%s %s has no explicit provider", r.Type, r.Name)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		env   core.Environment
		s     Settings
		field string
		// raw skips ApplyDefaults: what a caller bypassing them would pass.
		raw bool
	}{
		{"repository_is_required", core.Dev, Settings{}, "repository", false},
		{"repository_cannot_be_a_pattern", core.Dev, Settings{Repository: "wedsync/*"}, "repository", false},
		{"repository_needs_an_owner", core.Dev, Settings{Repository: "wedsync-infra"}, "repository", false},
		{"branch_cannot_be_a_pattern", core.Dev, Settings{Repository: repo, Branch: "release/*"}, "branch", false},
		{"branch_is_a_name_not_a_ref", core.Dev, Settings{Repository: repo, Branch: "refs/heads/main"}, "branch", false},
		{"prod_deploys_only_from_an_environment", core.Prod, Settings{Repository: repo, Branch: "main"}, "environment", true},
		{"environment_cannot_be_a_pattern", core.Staging, Settings{Repository: repo, Environment: "stag*"}, "environment", false},
		{"dev_cannot_use_the_prod_environment", core.Dev, Settings{Repository: repo, Environment: "prod"}, "environment", false},
		{"oidc_provider_must_be_githubs", core.Dev, Settings{Repository: repo, AWSOIDCProviderARN: "arn:aws:iam::123456789012:oidc-provider/accounts.google.com"}, "awsOidcProviderArn", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.s
			if !c.raw {
				s.ApplyDefaults(c.env)
			}
			err := s.Validate(c.env, "")
			if err == nil {
				t.Fatalf("valid; want a problem with %s", c.field)
			}
			problems := core.Flatten(err)
			if len(problems) != 1 || !strings.HasPrefix(problems[0].Error(), c.field) {
				t.Errorf("problems %v, want exactly one with %s", problems, c.field)
			}
		})
	}
	t.Run("defaults_are_valid_everywhere", func(t *testing.T) {
		for _, env := range core.Environments {
			s := Settings{Repository: repo}
			s.ApplyDefaults(env)
			if err := s.Validate(env, ""); err != nil {
				t.Errorf("%s: %v", env, err)
			}
		}
	})
	t.Run("staging_deploys_from_its_own_environment_by_default", func(t *testing.T) {
		s := Settings{Repository: repo}
		s.ApplyDefaults(core.Staging)
		if s.DeploySubject() != "repo:wedsync/wedsync-infra:environment:staging" {
			t.Errorf("staging subject %q", s.DeploySubject())
		}
	})
}

// The seal identity reads the db-exports buckets and adds objects to them
// only where none is: S3 PutObject only with If-None-Match, no delete, no
// other bucket; GCS objectCreator (no delete, so no overwrite) on the
// exports only. Broken variant: the same policy without the condition is
// refused by the check.
func TestSealCreatesOnlyNewExportObjects(t *testing.T) {
	prod := planAccess(t, core.AWS, core.Prod, Settings{Repository: repo})
	pol := str(t, byName(t, prod, "aws:iam/rolePolicy:RolePolicy", "ci-aws-seal-exports"), "policy")
	if problems := sealProblems(t, pol); len(problems) > 0 {
		t.Errorf("the seal policy: %v\n%s", problems, pol)
	}
	if len(sealProblems(t, strings.Replace(pol, `"s3:if-none-match"`, `"s3:x"`, 1))) == 0 {
		t.Error("a PutObject without the If-None-Match condition passes the check: it cannot fail")
	}
	gcp := planAccess(t, core.GCP, core.Prod, Settings{Repository: repo})
	seen := 0
	for _, r := range testkit.OfType(gcp, "gcp:projects/iAMMember:IAMMember") {
		if !strings.Contains(r.Name, "-seal-") {
			continue
		}
		seen++
		role := str(t, r, "role")
		expr, _ := testkit.Get(r, "condition.expression").(string)
		if (role != "roles/storage.objectViewer" && role != "roles/storage.objectCreator") || !strings.Contains(expr, "db-exports-") {
			t.Errorf("%s: %s under %q, want object read or create on the db-exports buckets only", r.Name, role, expr)
		}
	}
	if seen != 2 {
		t.Errorf("%d GCP seal bindings, want object read and object create", seen)
	}
}

// sealProblems are what the AWS seal policy allows beyond reading the
// exports and creating new objects in them.
func sealProblems(t *testing.T, policy string) []string {
	t.Helper()
	var doc awsDocument
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, st := range doc.Statement {
		for _, a := range asStrings(st.Action) {
			switch a {
			case "s3:PutObject":
				null, _ := st.Condition["Null"].(map[string]any)
				if null["s3:if-none-match"] != "false" {
					out = append(out, "PutObject without If-None-Match")
				}
			case "s3:GetObject", "s3:ListBucket", "kms:Decrypt", "kms:GenerateDataKey":
			default:
				out = append(out, a)
			}
		}
		if !strings.Contains(fmt.Sprint(st.Resource), "db-exports-") && st.Resource != "*" {
			out = append(out, fmt.Sprint(st.Resource))
		}
	}
	return out
}

func asStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}
