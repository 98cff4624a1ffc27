package ciaccess

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// gcpGrantableRoles are the only project roles the deploy account may grant
// (the database's IAM sign-in): its project IAM administration carries a
// condition naming them, so it cannot grant itself owner.
var gcpGrantableRoles = []string{"roles/cloudsql.client", "roles/cloudsql.instanceUser"}

// gcpPreviewRole reads every resource's configuration, not data.
const gcpPreviewRole = "roles/viewer"

func (b *builder) gcp() (outputs, error) {
	project := b.site.GCPProject
	pool, err := iam.NewWorkloadIdentityPool(b.ctx, b.name+"-pool", &iam.WorkloadIdentityPoolArgs{
		Project:                pulumi.String(project),
		WorkloadIdentityPoolId: pulumi.String(b.dep.NameWithin(32, "ci")),
		DisplayName:            pulumi.String(b.dep.NameWithin(32, "ci")),
		Description:            pulumi.String("GitHub Actions of " + b.s.Repository + " deploying " + b.dep.Stack),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	provider, err := iam.NewWorkloadIdentityPoolProvider(b.ctx, b.name+"-github", &iam.WorkloadIdentityPoolProviderArgs{
		Project:                        pulumi.String(project),
		WorkloadIdentityPoolId:         pool.WorkloadIdentityPoolId,
		WorkloadIdentityPoolProviderId: pulumi.String("github"),
		DisplayName:                    pulumi.String("GitHub Actions"),
		AttributeMapping: pulumi.StringMap{
			"google.subject":       pulumi.String("assertion.sub"),
			"attribute.repository": pulumi.String("assertion.repository"),
			"attribute.ref":        pulumi.String("assertion.ref"),
		},
		AttributeCondition: pulumi.String(b.gcpCondition()),
		Oidc:               &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(Issuer)},
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	deploy, err := b.gcpAccount("deploy", pool, b.s.DeploySubject())
	if err != nil {
		return outputs{}, err
	}
	if err := b.gcpDeployGrants(pulumi.Sprintf("serviceAccount:%s", deploy.Email)); err != nil {
		return outputs{}, err
	}
	if err := b.gcpStateKey("deploy", pulumi.Sprintf("serviceAccount:%s", deploy.Email)); err != nil {
		return outputs{}, err
	}
	out := outputs{deploy: deploy.Email, preview: empty(), drill: empty(), seal: empty(), federation: provider.Name}
	if b.dbUsersHere() {
		if out.dbUsers, out.dbUsersRole, err = b.gcpDBUsers(pool); err != nil {
			return outputs{}, err
		}
	}
	if b.preview() {
		preview, err := b.gcpAccount("preview", pool, b.s.PreviewSubjects()...)
		if err != nil {
			return outputs{}, err
		}
		if err := b.gcpBind("preview-viewer", gcpPreviewRole, pulumi.Sprintf("serviceAccount:%s", preview.Email), nil); err != nil {
			return outputs{}, err
		}
		if err := b.gcpStateKey("preview", pulumi.Sprintf("serviceAccount:%s", preview.Email)); err != nil {
			return outputs{}, err
		}
		out.preview = preview.Email
		if out.drill, err = b.gcpDrill(pool); err != nil {
			return outputs{}, err
		}
		// The exports are on the primary site's cloud.
		if b.site.Cloud == b.dep.Primary.Cloud {
			if out.seal, err = b.gcpSeal(pool); err != nil {
				return outputs{}, err
			}
		}
	}
	return out, nil
}

// gcpDeployGrants are the deploy account's grants: the stack's custom role
// from the plan, narrowed to the stack's names; project IAM only for the
// database sign-in roles; and acting as exactly the service accounts the
// stack attaches (no project-wide serviceAccountUser).
func (b *builder) gcpDeployGrants(member pulumi.StringOutput) error {
	project := b.site.GCPProject
	role, err := projects.NewIAMCustomRole(b.ctx, b.name+"-deploy", &projects.IAMCustomRoleArgs{
		Project:     pulumi.String(project),
		RoleId:      pulumi.String(gcpRoleID(b.dep.Name("ci", "deploy"))),
		Title:       pulumi.String("CI deploys " + b.dep.Stack),
		Description: pulumi.String("what deploying " + b.dep.Stack + " needs, from its plan; never data, never a grant"),
		Permissions: pulumi.ToStringArray(gcpPermissions(of(core.GCP, b.managed.Types))),
	}, b.opts()...)
	if err != nil {
		return err
	}
	if err := b.gcpBind("deploy-role", "", member, &projects.IAMMemberConditionArgs{
		Title:       pulumi.String("only " + b.dep.Stack + "'s names"),
		Description: pulumi.String("buckets, key rings, keys and Cloud SQL instances named " + b.dep.Name() + "-*"),
		Expression:  pulumi.String(gcpNameCondition(b.dep.Name() + "-")),
	}, role.Name); err != nil {
		return err
	}
	if err := b.gcpBind("deploy-grants", "roles/resourcemanager.projectIamAdmin", member, &projects.IAMMemberConditionArgs{
		Title:       pulumi.String("only the database sign-in roles"),
		Description: pulumi.String("CI may grant only " + strings.Join(gcpGrantableRoles, ", ")),
		Expression:  pulumi.String(gcpGrantCondition()),
	}); err != nil {
		return err
	}
	for i, sa := range b.managed.GCPServiceAccounts {
		if _, err := serviceaccount.NewIAMMember(b.ctx, fmt.Sprintf("%s-deploy-actas%s", b.name, nth(i)), &serviceaccount.IAMMemberArgs{
			ServiceAccountId: sa.Name,
			Role:             pulumi.String("roles/iam.serviceAccountUser"),
			Member:           member,
		}, b.opts()...); err != nil {
			return err
		}
	}
	return nil
}

// gcpBind grants member role on the project (or the custom role named by
// custom, when role is empty), under condition when there is one.
func (b *builder) gcpBind(label, role string, member pulumi.StringOutput, condition *projects.IAMMemberConditionArgs, custom ...pulumi.StringOutput) error {
	args := &projects.IAMMemberArgs{Project: pulumi.String(b.site.GCPProject), Role: pulumi.String(role), Member: member}
	if role == "" && len(custom) == 1 {
		args.Role = custom[0]
	}
	if condition != nil {
		args.Condition = condition
	}
	_, err := projects.NewIAMMember(b.ctx, b.name+"-"+label, args, b.opts()...)
	return err
}

// gcpAccount is a service account that exactly the subjects' tokens from
// pool may impersonate (a principal:// member names one subject, no set:
// one binding per subject).
func (b *builder) gcpAccount(kind string, pool *iam.WorkloadIdentityPool, subjects ...string) (*serviceaccount.Account, error) {
	for _, subject := range subjects {
		if !slices.Contains(b.gcpSubjects(), subject) {
			return nil, fmt.Errorf("the %s account's subject %s is not admitted by the pool's provider: add it to gcpSubjects", kind, subject)
		}
	}
	sa, err := serviceaccount.NewAccount(b.ctx, b.name+"-"+kind, &serviceaccount.AccountArgs{
		Project:     pulumi.String(b.site.GCPProject),
		AccountId:   pulumi.String(b.dep.NameWithin(30, "ci", kind)),
		DisplayName: pulumi.String("CI " + kind + " of " + b.dep.Stack),
		Description: pulumi.String("impersonated by GitHub Actions as " + strings.Join(subjects, " or ")),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	for i, subject := range subjects {
		if _, err := serviceaccount.NewIAMMember(b.ctx, b.name+"-"+kind+"-federation"+nth(i), &serviceaccount.IAMMemberArgs{
			ServiceAccountId: sa.Name,
			Role:             pulumi.String("roles/iam.workloadIdentityUser"),
			Member:           pulumi.Sprintf("principal://iam.googleapis.com/%s/subject/%s", pool.Name, subject),
		}, b.opts()...); err != nil {
			return nil, err
		}
	}
	return sa, nil
}

// nth names the i-th of several like resources: the first keeps the plain
// name (so a second subject adds a resource, renaming none), then -2, -3.
func nth(i int) string {
	if i == 0 {
		return ""
	}
	return fmt.Sprintf("-%d", i+1)
}

// gcpCondition admits only this repository's deploy job on the deploy
// branch, and the subjects of the other identities made on this cloud
// (gcpSubjects): every other token is refused at the provider, before any
// service account is considered.
func (b *builder) gcpCondition() string {
	deploy := fmt.Sprintf("(assertion.sub == %s && assertion.ref == %s)", celString(b.s.DeploySubject()), celString(b.s.DeployRef()))
	subjects := deploy
	if others := b.gcpSubjects()[1:]; len(others) > 0 {
		for _, sub := range others {
			subjects += " || assertion.sub == " + celString(sub)
		}
		subjects = "(" + subjects + ")"
	}
	return fmt.Sprintf("assertion.repository == %s && %s", celString(b.s.Repository), subjects)
}

// gcpSubjects are the subjects of the service accounts this cloud's pool
// federates, the deploy subject first: the preview account's and the
// drill's with previews, the seal's only where the seal account is made
// (the primary site's cloud). gcpAccount refuses a subject not listed, so
// an identity added later cannot be forgotten here.
func (b *builder) gcpSubjects() []string {
	out := []string{b.s.DeploySubject()}
	if b.preview() {
		out = append(append(out, b.s.PreviewSubjects()...), b.s.DrillSubject())
		if b.site.Cloud == b.dep.Primary.Cloud {
			out = append(out, b.s.SealSubject())
		}
	}
	return out
}

func gcpGrantCondition() string {
	quoted := make([]string, len(gcpGrantableRoles))
	for i, r := range gcpGrantableRoles {
		quoted[i] = celString(r)
	}
	return fmt.Sprintf("api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([%s])", strings.Join(quoted, ", "))
}

// celString quotes s for a CEL expression. Validation keeps settings to
// plain names, so only the quote itself could need escaping.
func celString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
