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
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// CI's deploy identity on every shipped stack deployed by CI covers every
// type the stack's plan manages, and grants exactly what the permission
// tables say those types need: nothing broader, no wildcard, nothing that
// reads data or grants key use (issues 20 and 23). Stacks CI does not
// deploy (the DR stacks: on-call rebuilds them) have no identity. An
// identity covers one stack; what a stack's identity reaches beyond the
// stack is said in components/ciaccess (the shared AWS OIDC provider, the
// shared DNS zone's record, the name prefix a longer stack name extends).
func TestCIDeployIdentityCoversThePlanAndNoMore(t *testing.T) {
	seen := 0
	for _, stack := range shippedStacks(t) {
		res := planOf(t, stack)
		if res.Config.CI == nil {
			continue
		}
		seen++
		t.Run(stack, func(t *testing.T) {
			if p := ciProblems(res.Plan, stack); len(p) > 0 {
				t.Errorf("CI's deploy identity of %s:\n%s", stack, strings.Join(p, "\n"))
			}
		})
	}
	if seen < 5 {
		t.Errorf("only %d stacks are deployed by CI: are the plans read?", seen)
	}
}

// Each broken variant must be seen, naming what is wrong.
func TestCICheckSeesAnUncoveredTypeAndABroaderGrant(t *testing.T) {
	for _, tc := range []struct {
		stack, want string
		edit        func(p *plan.Plan)
	}{
		{"prod", "aws:lambda/function:Function", func(p *plan.Plan) {
			p.Resources = append(p.Resources, plan.Resource{Type: "aws:lambda/function:Function", Name: "new", Custom: true})
		}},
		{"prod-gcp", "gcp:cloudfunctions2/function:Function", func(p *plan.Plan) {
			p.Resources = append(p.Resources, plan.Resource{Type: "gcp:cloudfunctions2/function:Function", Name: "new", Custom: true})
		}},
		{"prod", "s3:GetObject", func(p *plan.Plan) { editPolicy(find(p, "aws:iam/policy:Policy", "ci-aws-deploy-1"), "s3:GetObject") }},
		{"dev", "s3:*", func(p *plan.Plan) { editPolicy(find(p, "aws:iam/policy:Policy", "ci-aws-deploy-2"), "s3:*") }},
		{"prod-gcp", "storage.objects.get", func(p *plan.Plan) {
			r := find(p, "gcp:projects/iAMCustomRole:IAMCustomRole", "ci-gcp-deploy")
			r.Inputs["permissions"] = append(slices.Clone(r.Inputs["permissions"].([]any)), "storage.objects.get")
		}},
		{"prod-gcp", "roles/storage.admin", func(p *plan.Plan) {
			r := *find(p, "gcp:projects/iAMMember:IAMMember", "ci-gcp-deploy-role")
			r.Inputs = map[string]any{"project": r.Inputs["project"], "member": r.Inputs["member"], "role": "roles/storage.admin"}
			p.Resources = append(p.Resources, r)
		}},
		{"prod-azure", "Microsoft.Storage/storageAccounts/listKeys/action", func(p *plan.Plan) {
			r := find(p, "azure-native:authorization:RoleDefinition", "ci-azure-deploy")
			perms := r.Inputs["permissions"].([]any)[0].(map[string]any)
			perms["actions"] = append(slices.Clone(perms["actions"].([]any)), "Microsoft.Storage/storageAccounts/listKeys/action")
		}},
		{"prod-azure", "missing", func(p *plan.Plan) {
			r := find(p, "azure-native:authorization:RoleDefinition", "ci-azure-deploy")
			perms := r.Inputs["permissions"].([]any)[0].(map[string]any)
			perms["actions"] = perms["actions"].([]any)[1:]
		}},
	} {
		t.Run(tc.stack+"_"+tc.want, func(t *testing.T) {
			broken := copyPlan(planOf(t, tc.stack).Plan)
			tc.edit(broken)
			if p := strings.Join(ciProblems(broken, tc.stack), "\n"); !strings.Contains(p, tc.want) {
				t.Errorf("not seen: %s\nproblems: %s", tc.want, p)
			}
		})
	}
}

func copyPlan(p *plan.Plan) *plan.Plan {
	out := *p
	out.Resources = nil
	for _, r := range p.Resources {
		r.Inputs = deepCopy(r.Inputs).(map[string]any)
		out.Resources = append(out.Resources, r)
	}
	return &out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// editPolicy adds action to the first Allow statement of r's policy.
func editPolicy(r *plan.Resource, action string) {
	var doc map[string]any
	_ = json.Unmarshal([]byte(r.Inputs["policy"].(string)), &doc)
	st := doc["Statement"].([]any)[0].(map[string]any)
	st["Action"] = append(st["Action"].([]any), action)
	out, _ := json.Marshal(doc)
	r.Inputs["policy"] = string(out)
}

// ciProblems is every way the plan's CI deploy identity differs from
// what its managed types need.
func ciProblems(p *plan.Plan, stack string) []string {
	var types []string
	for _, r := range p.Resources {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:") {
			types = append(types, r.Type)
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	var out []string
	for _, t := range ciaccess.Uncovered(types) {
		out = append(out, "no permission row for "+t)
	}
	for _, cloud := range []core.Cloud{core.AWS, core.GCP, core.Azure} {
		granted, ok := ciGranted(p, cloud)
		if !ok {
			continue
		}
		want := ciaccess.Needed(cloud, types)
		if d := setDiff(granted, want); d != "" {
			out = append(out, fmt.Sprintf("%s grants differ from the plan's types:\n%s", cloud.Title(), d))
		}
		for _, g := range granted {
			if strings.Contains(g, "*") || slices.Contains(ciaccess.AWSDataReads, g) || slices.Contains(ciaccess.GCPDataReads, g) ||
				slices.Contains(ciaccess.GCPKeyGrants, g) || slices.Contains(ciaccess.AzureDataReads, g) {
				out = append(out, fmt.Sprintf("%s grants %s", cloud.Title(), g))
			}
		}
	}
	out = append(out, ciRoleProblems(p, stack)...)
	return out
}

// ciGranted is what the plan grants CI's deploy identity on cloud, from
// its own policies or roles (false: no identity on that cloud).
func ciGranted(p *plan.Plan, cloud core.Cloud) ([]string, bool) {
	var out []string
	found := false
	for _, r := range p.Resources {
		switch {
		case cloud == core.AWS && r.Type == "aws:iam/policy:Policy" && strings.HasPrefix(r.Name, "ci-aws-deploy-") && r.Name != "ci-aws-deploy-boundary":
			found = true
			var doc struct {
				Statement []struct {
					Effect string
					Action []string
				}
			}
			if err := json.Unmarshal([]byte(fmt.Sprint(r.Inputs["policy"])), &doc); err != nil {
				out = append(out, "unreadable policy "+r.Name)
			}
			for _, st := range doc.Statement {
				if st.Effect == "Allow" {
					out = append(out, st.Action...)
				}
			}
		case cloud == core.GCP && r.Type == "gcp:projects/iAMCustomRole:IAMCustomRole" && r.Name == "ci-gcp-deploy":
			found = true
			for _, x := range r.Inputs["permissions"].([]any) {
				out = append(out, fmt.Sprint(x))
			}
		case cloud == core.Azure && r.Type == "azure-native:authorization:RoleDefinition" && strings.HasPrefix(r.Name, "ci-azure-deploy"):
			found = true
			for _, perm := range r.Inputs["permissions"].([]any) {
				for _, x := range perm.(map[string]any)["actions"].([]any) {
					out = append(out, fmt.Sprint(x))
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), found
}

// ciRoleProblems: no predefined or built-in role that reads data, grants
// key use or acts as any service account is bound to a CI identity.
func ciRoleProblems(p *plan.Plan, stack string) []string {
	var out []string
	for _, r := range p.Resources {
		role := fmt.Sprint(r.Inputs["role"])
		switch r.Type {
		case "gcp:projects/iAMMember:IAMMember":
			// The drill and seal identities read the database exports
			// (objectViewer, conditioned on the exports: components/ciaccess).
			if !strings.HasPrefix(r.Name, "ci-gcp-") || strings.HasPrefix(r.Name, "ci-gcp-drill") || strings.HasPrefix(r.Name, "ci-gcp-seal") {
				continue
			}
			conditioned := r.Inputs["condition"] != nil
			if slices.Contains(ciaccess.GCPBroadRoles, role) && (role != "roles/resourcemanager.projectIamAdmin" || !conditioned) {
				out = append(out, fmt.Sprintf("%s: %s holds %s", stack, r.Name, role))
			}
			if role == "roles/iam.serviceAccountUser" {
				out = append(out, fmt.Sprintf("%s: %s acts as every service account of the project", stack, r.Name))
			}
		case "azure-native:authorization:RoleAssignment":
			for _, broad := range ciaccess.AzureBroadRoles {
				if strings.HasPrefix(r.Name, "ci-azure-") && !strings.HasPrefix(r.Name, "ci-azure-drill") && strings.HasSuffix(fmt.Sprint(r.Inputs["roleDefinitionId"]), broad) {
					out = append(out, fmt.Sprintf("%s: %s assigns the built-in role %s", stack, r.Name, broad))
				}
			}
		}
	}
	return out
}

// The deploy identity's scoped rows name resources by the stack's prefix
// (ARNs on AWS, IAM conditions on GCP): every such resource the shipped
// plans make carries it, or the identity could not manage it.
func TestPlannedNamesFitTheScopes(t *testing.T) {
	named := map[string]string{
		"aws:s3/bucketV2:BucketV2": "bucket", "aws:iam/role:Role": "name", "aws:iam/instanceProfile:InstanceProfile": "name",
		"aws:sns/topic:Topic": "name", "aws:sfn/stateMachine:StateMachine": "name",
		"gcp:storage/bucket:Bucket": "name", "gcp:kms/keyRing:KeyRing": "name", "gcp:sql/databaseInstance:DatabaseInstance": "name",
	}
	for _, stack := range shippedStacks(t) {
		res := planOf(t, stack)
		if res.Config.CI == nil {
			continue
		}
		prefix := "wedsync-" + stack + "-"
		for _, r := range res.Plan.Resources {
			key, ok := named[r.Type]
			if !ok {
				continue
			}
			if name := fmt.Sprint(r.Inputs[key]); !strings.HasPrefix(name, prefix) {
				t.Errorf("%s: %s %s is named %q, outside the deploy identity's %s*", stack, r.Type, r.Name, name, prefix)
			}
		}
	}
}

// On GCP the deploy identity acts as exactly the service accounts the
// stack makes for its resources (none of CI's own, none that only holds a
// credential: prod-gcp's offsite readers), never project-wide.
func TestCIActsOnlyAsTheAccountsTheStackAttaches(t *testing.T) {
	for _, stack := range []string{"prod-gcp", "prod"} {
		p := planOf(t, stack).Plan
		var want, got []string
		for _, r := range p.Resources {
			switch {
			case r.Type == "gcp:serviceaccount/account:Account" && !strings.HasPrefix(r.Name, "ci-") && !core.IsCredentialOnly(fmt.Sprint(r.Inputs["description"])):
				want = append(want, fmt.Sprint(r.Inputs["accountId"]))
			case r.Type == "gcp:serviceaccount/iAMMember:IAMMember" && r.Inputs["role"] == "roles/iam.serviceAccountUser":
				id := fmt.Sprint(r.Inputs["serviceAccountId"])
				got = append(got, strings.SplitN(id[strings.LastIndex(id, "/")+1:], "@", 2)[0])
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: CI acts as %v, want the stack's own accounts %v", stack, got, want)
		}
	}
}

// ciBreakings give a real stack's CI identity, per cloud and per type the
// pack judges, what it must not hold: the pack's ci-identities-read-no-data
// must fire (TestEveryRuleJudgesThePlannedResources).
func ciBreakings() map[[2]string]struct {
	stack string
	brk   breaker
} {
	type row = struct {
		stack string
		brk   breaker
	}
	named := func(typ, name string, fn func(r *plan.Resource)) breaker {
		return each(typ, func(r *plan.Resource) {
			if r.Name == name {
				fn(r)
			}
		})
	}
	const (
		policy, rolePolicy, attachment = "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
		member, custom                 = "gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMCustomRole:IAMCustomRole"
		roleDef, assignment            = "azure-native:authorization:RoleDefinition", "azure-native:authorization:RoleAssignment"
	)
	return map[[2]string]row{
		{rules.PolicyCINoData, policy}: {"prod", named(policy, "ci-aws-deploy-1", func(r *plan.Resource) { editPolicy(r, "s3:GetObject") })},
		{rules.PolicyCINoData, rolePolicy}: {"prod", named(rolePolicy, "ci-aws-deploy-guards", func(r *plan.Resource) {
			r.Inputs["policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
		})},
		{rules.PolicyCINoData, attachment}: {"dev", named(attachment, "ci-aws-deploy-1", func(r *plan.Resource) {
			r.Inputs["policyArn"] = "arn:aws:iam::aws:policy/PowerUserAccess"
		})},
		{rules.PolicyCINoData, member}: {"prod-gcp", named(member, "ci-gcp-deploy-role", func(r *plan.Resource) {
			r.Inputs["role"] = "roles/storage.admin"
			delete(r.Inputs, "condition")
		})},
		{rules.PolicyCINoData, custom}: {"prod-gcp", named(custom, "ci-gcp-deploy", func(r *plan.Resource) {
			r.Inputs["permissions"] = append(r.Inputs["permissions"].([]any), "cloudkms.cryptoKeys.setIamPolicy")
		})},
		{rules.PolicyCINoData, roleDef}: {"prod-azure", named(roleDef, "ci-azure-deploy", func(r *plan.Resource) {
			perms := r.Inputs["permissions"].([]any)[0].(map[string]any)
			perms["actions"] = append(perms["actions"].([]any), "Microsoft.Storage/*")
		})},
		{rules.PolicyCINoData, assignment}: {"prod-azure", named(assignment, "ci-azure-deploy-role", func(r *plan.Resource) {
			r.Inputs["roleDefinitionId"] = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
		})},
	}
}
