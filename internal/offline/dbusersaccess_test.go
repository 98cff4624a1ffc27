package offline

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// Every stack CI deploys has a db-users identity on its database's cloud,
// which .github/actions/db-users signs in with after each up (issue 19):
// trusted by exactly the deploy subject (the jobs that run up, then that
// step), reaching exactly its stack's database and nothing broader: on
// AWS the master secret and RDS Proxy's secret (read; the proxy's also
// written) with their keys through Secrets Manager, and the stack's
// secrets-provider key; on GCP a Cloud SQL IAM user on the primary
// instance with the sign-in roles conditioned on it; on Azure an Entra
// administrator of the primary server and no ARM role but its use of the
// state key. It is exported as
// `ci.<cloud>["db-users"]`, where the action reads it.
func TestDBUsersIdentityReachesExactlyItsDatabase(t *testing.T) {
	seen := 0
	for _, stack := range shippedStacks(t) {
		res := planOf(t, stack)
		if res.Config.CI == nil || res.Config.Recovery != nil {
			continue // a recovery makes no CI identity: on-call runs it
		}
		seen++
		t.Run(stack, func(t *testing.T) {
			if p := dbUsersProblems(res.Plan, res); len(p) > 0 {
				t.Errorf("the db-users identity of %s:\n%s", stack, strings.Join(p, "\n"))
			}
		})
	}
	if seen < 5 {
		t.Errorf("only %d stacks are deployed by CI: are the plans read?", seen)
	}
}

// Each broken variant is seen, naming what is wrong.
func TestDBUsersCheckSeesABroaderOrMissingGrant(t *testing.T) {
	for _, tc := range []struct {
		stack, want string
		edit        func(p *plan.Plan)
	}{
		{"prod", "Allow secretsmanager:GetSecretValue on *", func(p *plan.Plan) {
			editPolicyResource(find(p, "aws:iam/rolePolicy:RolePolicy", "ci-aws-db-users-secrets"), 0, "*")
		}},
		{"dev", "broader: Allow kms:Decrypt", func(p *plan.Plan) {
			r := find(p, "aws:iam/rolePolicy:RolePolicy", "ci-aws-db-users-secrets")
			r.Inputs["policy"] = strings.Replace(r.Inputs["policy"].(string), `"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-2.amazonaws.com"}}},{"Sid":"Encrypt`, `"Condition":null},{"Sid":"Encrypt`, 1)
		}},
		{"prod", "arn:aws:iam::aws:policy/SecretsManagerReadWrite", func(p *plan.Plan) {
			p.Resources = append(p.Resources, plan.Resource{Type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", Name: "ci-aws-db-users-extra", Custom: true,
				Inputs: map[string]any{"role": "wedsync-prod-ci-db-users", "policyArn": "arn:aws:iam::aws:policy/SecretsManagerReadWrite"}})
		}},
		{"staging", "trusts", func(p *plan.Plan) {
			r := find(p, "aws:iam/role:Role", "ci-aws-db-users")
			r.Inputs["assumeRolePolicy"] = strings.Replace(r.Inputs["assumeRolePolicy"].(string), "environment:staging", "pull_request", 1)
		}},
		{"prod", "no aws:iam/role:Role ci-aws-db-users", func(p *plan.Plan) { drop(p, "aws:iam/role:Role", "ci-aws-db-users") }},
		{"prod-gcp", "startsWith", func(p *plan.Plan) {
			r := find(p, "gcp:projects/iAMMember:IAMMember", "ci-gcp-db-users-client")
			r.Inputs["condition"].(map[string]any)["expression"] = "resource.name.startsWith('projects/wedsync-prod/instances/')"
		}},
		{"prod-gcp", "roles/cloudsql.admin", func(p *plan.Plan) {
			r := *find(p, "gcp:projects/iAMMember:IAMMember", "ci-gcp-db-users-client")
			r.Name, r.Inputs = "ci-gcp-db-users-admin", copyMap(r.Inputs)
			r.Inputs["role"] = "roles/cloudsql.admin"
			p.Resources = append(p.Resources, r)
		}},
		{"prod-gcp", "no Cloud SQL IAM user", func(p *plan.Plan) { drop(p, "gcp:sql/user:User", "ci-gcp-db-users") }},
		{"prod-azure", "no Entra administrator", func(p *plan.Plan) {
			drop(p, "azure-native:dbforpostgresql/v20240801:Administrator", "ci-azure-db-users")
		}},
		{"prod-azure", "repo:wedsync/wedsync-infra:pull_request", func(p *plan.Plan) {
			find(p, "azure-native:managedidentity:FederatedIdentityCredential", "ci-azure-db-users-github").Inputs["subject"] = "repo:wedsync/wedsync-infra:pull_request"
		}},
		{"prod-azure", "role assignment", func(p *plan.Plan) {
			p.Resources = append(p.Resources, plan.Resource{Type: "azure-native:authorization:RoleAssignment", Name: "ci-azure-db-users-reader", Custom: true, Inputs: map[string]any{}})
		}},
		{"prod", `ci.aws["db-users"]`, func(p *plan.Plan) {
			p.Outputs = copyMap(p.Outputs)
			ci := deepCopy(p.Outputs["ci"]).(map[string]any)
			delete(ci["aws"].(map[string]any), ciaccess.DBUsersKind)
			p.Outputs["ci"] = ci
		}},
	} {
		t.Run(tc.stack+"_"+strings.ReplaceAll(tc.want, " ", "_"), func(t *testing.T) {
			res := planOf(t, tc.stack)
			broken := copyPlan(res.Plan)
			broken.Outputs = res.Plan.Outputs
			tc.edit(broken)
			if p := strings.Join(dbUsersProblems(broken, res), "\n"); !strings.Contains(p, tc.want) {
				t.Errorf("not seen: %s\nproblems: %s", tc.want, p)
			}
		})
	}
}

// editPolicyResource sets the resource of statement i of r's policy.
func editPolicyResource(r *plan.Resource, i int, resource string) {
	s := r.Inputs["policy"].(string)
	var doc map[string]any
	mustJSON(s, &doc)
	doc["Statement"].([]any)[i].(map[string]any)["Resource"] = resource
	r.Inputs["policy"] = toJSON(doc)
}

// dbUsersProblems is every way the plan's db-users identity differs from
// exactly its database's sign-in, for the stack res was planned from.
func dbUsersProblems(p *plan.Plan, res *Result) []string {
	ci := *res.Config.CI
	ci.ApplyDefaults(res.Config.Environment)
	cloud := res.Config.Cloud
	var out []string
	ids, _ := p.Outputs["ci"].(map[string]any)
	for c, raw := range ids {
		got, _ := raw.(map[string]any)[ciaccess.DBUsersKind].(string)
		switch {
		case c == string(cloud) && got == "":
			out = append(out, fmt.Sprintf(`ci.%s["db-users"] is empty or missing: the action cannot sign in`, c))
		case c != string(cloud) && got != "":
			out = append(out, fmt.Sprintf(`ci.%s["db-users"] is %s: the database is on %s`, c, got, cloud))
		}
	}
	switch cloud {
	case core.AWS:
		out = append(out, awsDBUsersProblems(p, ci.DeploySubject(), res.Config.Region)...)
	case core.GCP:
		out = append(out, gcpDBUsersProblems(p, ci.DeploySubject())...)
	case core.Azure:
		out = append(out, azureDBUsersProblems(p, ci.DeploySubject())...)
	}
	return out
}

func awsDBUsersProblems(p *plan.Plan, subject, region string) []string {
	role := findOr(p, "aws:iam/role:Role", "ci-aws-db-users")
	if role == nil {
		return []string{"no aws:iam/role:Role ci-aws-db-users"}
	}
	var out []string
	trust := fmt.Sprint(role.Inputs["assumeRolePolicy"])
	if !strings.Contains(trust, `"token.actions.githubusercontent.com:sub":"`+subject+`"`) || strings.Count(trust, "repo:") != 1 || strings.Contains(trust, "StringLike") {
		out = append(out, "the role trusts "+trust+", want exactly "+subject)
	}
	name := fmt.Sprint(role.Inputs["name"])
	db, _ := p.Outputs["database"].(map[string]any)
	proxy := firstOf(p, "aws:rds/proxy:Proxy")
	proxySecret := fmt.Sprint(proxy.Inputs["auths"].([]any)[0].(map[string]any)["secretArn"])
	var proxyKey, masterKey string
	for _, r := range p.Resources {
		if r.Type == "aws:secretsmanager/secret:Secret" && strings.HasPrefix(fmt.Sprint(r.Inputs["name"]), "rds-proxy/") {
			proxyKey = fmt.Sprint(r.Inputs["kmsKeyId"])
		}
		if r.Type == "aws:rds/instance:Instance" && r.Name == "main" {
			masterKey = fmt.Sprint(r.Inputs["masterUserSecretKmsKeyId"])
		}
	}
	via := `{"StringEquals":{"kms:ViaService":"secretsmanager.` + region + `.amazonaws.com"}}`
	want := []string{
		"Allow secretsmanager:GetSecretValue on " + fmt.Sprint(db["credentialsSecret"]),
		"Allow secretsmanager:GetSecretValue,secretsmanager:PutSecretValue on " + proxySecret,
		fmt.Sprintf("Allow kms:Decrypt on [%s %s] if %s", masterKey, proxyKey, via),
		"Allow kms:GenerateDataKey on " + proxyKey + " if " + via,
	}
	var got []string
	for _, r := range p.Resources {
		switch {
		case r.Type == "aws:iam/rolePolicy:RolePolicy" && r.Inputs["role"] == name && r.Inputs["name"] == ciaccess.DBUsersKind+"-stack-secrets":
			// its use of the state key: statekey_test.go checks every identity's
		case r.Type == "aws:iam/rolePolicy:RolePolicy" && r.Inputs["role"] == name:
			got = append(got, awsStatementsOf(fmt.Sprint(r.Inputs["policy"]))...)
		case r.Type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.Inputs["role"] == name:
			out = append(out, fmt.Sprintf("%s is attached to %s", r.Inputs["policyArn"], name))
		}
	}
	if d := exactDiff(got, want); d != "" {
		out = append(out, "its grants differ:\n"+d)
	}
	return out
}

func gcpDBUsersProblems(p *plan.Plan, subject string) []string {
	sa := findOr(p, "gcp:serviceaccount/account:Account", "ci-gcp-db-users")
	if sa == nil {
		return []string{"no service account ci-gcp-db-users"}
	}
	var out []string
	email := fmt.Sprintf("%s@%s.iam.gserviceaccount.com", sa.Inputs["accountId"], sa.Inputs["project"])
	instance := fmt.Sprint(find(p, "gcp:sql/databaseInstance:DatabaseInstance", "main").Inputs["name"])
	cond := fmt.Sprintf("resource.type == 'sqladmin.googleapis.com/Instance' && resource.name == 'projects/%s/instances/%s'", sa.Inputs["project"], instance)
	want := []string{"roles/cloudsql.client if " + cond, "roles/cloudsql.instanceUser if " + cond}
	var got, subjects []string
	user := false
	for _, r := range p.Resources {
		switch {
		case r.Type == "gcp:projects/iAMMember:IAMMember" && r.Inputs["member"] == "serviceAccount:"+email:
			c, _ := r.Inputs["condition"].(map[string]any)
			got = append(got, fmt.Sprintf("%s if %v", r.Inputs["role"], c["expression"]))
		case r.Type == "gcp:serviceaccount/iAMMember:IAMMember" && strings.HasPrefix(r.Name, "ci-gcp-db-users"):
			subjects = append(subjects, fmt.Sprint(r.Inputs["role"], " ", r.Inputs["member"]))
		case r.Type == "gcp:sql/user:User" && r.Inputs["type"] == "CLOUD_IAM_SERVICE_ACCOUNT" && r.Inputs["name"] == strings.TrimSuffix(email, ".gserviceaccount.com"):
			user = r.Inputs["instance"] == instance
		}
	}
	if d := exactDiff(got, want); d != "" {
		out = append(out, "its project grants differ:\n"+d)
	}
	if len(subjects) != 1 || !strings.HasPrefix(subjects[0], "roles/iam.workloadIdentityUser ") || !strings.HasSuffix(subjects[0], "/subject/"+subject) {
		out = append(out, fmt.Sprintf("it may be impersonated as %v, want exactly %s", subjects, subject))
	}
	if !user {
		out = append(out, "no Cloud SQL IAM user for "+email+" on "+instance)
	}
	return out
}

func azureDBUsersProblems(p *plan.Plan, subject string) []string {
	id := findOr(p, "azure-native:managedidentity:UserAssignedIdentity", "ci-azure-db-users")
	if id == nil {
		return []string{"no identity ci-azure-db-users"}
	}
	var out, subjects []string
	server := fmt.Sprint(find(p, "azure-native:dbforpostgresql/v20240801:Server", "main").Inputs["serverName"])
	admin := false
	for _, r := range p.Resources {
		switch {
		case r.Type == "azure-native:managedidentity:FederatedIdentityCredential" && r.Inputs["resourceName"] == id.Inputs["resourceName"]:
			subjects = append(subjects, fmt.Sprint(r.Inputs["subject"]))
		case r.Type == "azure-native:dbforpostgresql/v20240801:Administrator" && r.Inputs["principalName"] == id.Inputs["resourceName"]:
			admin = r.Inputs["serverName"] == server && r.Inputs["principalType"] == "ServicePrincipal"
		case r.Type == "azure-native:authorization:RoleAssignment" && r.Name == "ci-azure-db-users-state-key":
			// its decrypt-only use of the state key: statekey_test.go checks it
		case r.Type == "azure-native:authorization:RoleAssignment" && strings.HasPrefix(r.Name, "ci-azure-db-users"):
			out = append(out, "a role assignment "+r.Name+": the identity needs no ARM role")
		}
	}
	if !slices.Equal(subjects, []string{subject}) {
		out = append(out, fmt.Sprintf("its federated subjects are %v, want exactly %s", subjects, subject))
	}
	if !admin {
		out = append(out, "no Entra administrator of "+server+" for the identity")
	}
	return out
}

func findOr(p *plan.Plan, typ, name string) *plan.Resource {
	for i := range p.Resources {
		if p.Resources[i].Type == typ && p.Resources[i].Name == name {
			return &p.Resources[i]
		}
	}
	return nil
}

func firstOf(p *plan.Plan, typ string) *plan.Resource {
	for i := range p.Resources {
		if p.Resources[i].Type == typ {
			return &p.Resources[i]
		}
	}
	panic("no " + typ + " in the plan of " + p.Stack)
}

// exactDiff is setDiff without its allowance for longer GCP conditions:
// a condition naming anything beyond the one instance is broader.
func exactDiff(got, want []string) string {
	var d []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			d = append(d, "  broader: "+g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			d = append(d, "  missing: "+w)
		}
	}
	return strings.Join(d, "\n")
}

// awsStatementsOf is awsStatements for a check without a *testing.T: an
// unreadable policy is a line of its own, which matches no wanted grant.
func awsStatementsOf(policy string) []string {
	var doc any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return []string{"unreadable policy " + policy}
	}
	return awsStatements(&testing.T{}, policy)
}

func mustJSON(s string, v any) {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		panic(err)
	}
}

func toJSON(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(out)
}
