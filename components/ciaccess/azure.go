package ciaccess

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// azureAudience is the audience azure/login asks GitHub for.
const azureAudience = "api://AzureADTokenExchange"

// Built-in Azure roles.
const (
	// azureRBACAdmin manages role assignments; conditioned to the roles
	// below and to principals other than CI's own.
	azureRBACAdmin = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
	azureReader    = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	// azureBlobReader is Storage Blob Data Reader: the drill's, on the
	// copies it restores only.
	azureBlobReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
)

// azureGrantableRoles are the only roles the deploy identity may assign or
// remove: the Key Vault roles the components grant services and the
// application (crypto service encryption user, crypto user, secrets user).
var azureGrantableRoles = []string{
	"e147488a-f6f5-4113-8e2d-b22465e65bf6",
	"12338af0-0e69-4776-bea7-57ae8d297424",
	"4633458b-17de-408a-b874-0445c86b69e6",
}

func (b *builder) azure() (outputs, error) {
	subscription, err := b.azureSubscription()
	if err != nil {
		return outputs{}, err
	}
	sub := pulumi.Sprintf("/subscriptions/%s", subscription)
	deploy, err := b.azureIdentity("deploy", b.s.DeploySubject())
	if err != nil {
		return outputs{}, err
	}
	if err := b.azureDeployGrants(deploy, subscription, sub); err != nil {
		return outputs{}, err
	}
	if err := b.azureStateKey("deploy", deploy, sub); err != nil {
		return outputs{}, err
	}
	out := outputs{deploy: deploy.ClientId, preview: empty(), drill: empty(), seal: empty(), federation: deploy.TenantId}
	if b.dbUsersHere() {
		if out.dbUsers, out.dbUsersRole, err = b.azureDBUsers(sub); err != nil {
			return outputs{}, err
		}
	}
	if b.preview() {
		preview, err := b.azureIdentity("preview", b.s.PreviewSubjects()...)
		if err != nil {
			return outputs{}, err
		}
		if err := b.azureAssign("preview-reader", preview, sub, builtIn(subscription, azureReader)); err != nil {
			return outputs{}, err
		}
		if err := b.azureStateKey("preview", preview, sub); err != nil {
			return outputs{}, err
		}
		out.preview = preview.ClientId
		if out.drill, err = b.azureDrill(subscription, sub); err != nil {
			return outputs{}, err
		}
		// The exports are on the primary site's cloud.
		if b.site.Cloud == b.dep.Primary.Cloud {
			if out.seal, err = b.azureSeal(sub); err != nil {
				return outputs{}, err
			}
		}
	}
	return out, nil
}

// azureScopes are where the deploy role is assigned: each Azure site's
// resource group, and the extra scopes the stack names (its DNS record).
func (b *builder) azureScopes(subscription pulumi.StringOutput) []pulumi.StringOutput {
	var out []pulumi.StringOutput
	for _, s := range []*core.Site{&b.dep.Primary, b.dep.DR, b.dep.Offsite} {
		if s != nil && s.Cloud == core.Azure {
			out = append(out, pulumi.Sprintf("/subscriptions/%s/resourceGroups/%s", subscription, s.AzureResourceGroup))
		}
	}
	for _, extra := range b.azureExtra {
		out = append(out, pulumi.Sprintf("/subscriptions/%s/%s", subscription, extra))
	}
	return out
}

// azureActions are the role's actions for types: at the resource groups,
// or (subscription) the budgets' at the subscription.
func azureActions(types []string, subscription bool) []string {
	var out []string
	for _, t := range types {
		if row := azureTable[t]; row.Subscription == subscription {
			out = append(out, row.Actions...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// azureDeployGrants: the stack's custom role at its resource groups (not
// Contributor at the subscription), a budget-only role at the
// subscription, and role assignments of the Key Vault roles only, never
// to itself, at its resource groups.
func (b *builder) azureDeployGrants(deploy *managedidentity.UserAssignedIdentity, subscription, sub pulumi.StringOutput) error {
	types := of(core.Azure, b.managed.Types)
	scopes := b.azureScopes(subscription)
	scopeArray := pulumi.StringArray{}
	for _, s := range scopes {
		scopeArray = append(scopeArray, s)
	}
	role, err := b.azureRole("deploy", sub, scopeArray, azureActions(types, false))
	if err != nil {
		return err
	}
	for i, scope := range scopes {
		if err := b.azureAssign(fmt.Sprintf("deploy-role%s", nth(i)), deploy, scope, role.ID().ToStringOutput()); err != nil {
			return err
		}
		condition := deploy.PrincipalId.ApplyT(azureGrantCondition).(pulumi.StringOutput)
		if err := b.azureAssignConditioned(fmt.Sprintf("deploy-grants%s", nth(i)), deploy, scope, builtIn(subscription, azureRBACAdmin), condition); err != nil {
			return err
		}
	}
	if budgets := azureActions(types, true); len(budgets) > 0 {
		role, err := b.azureRole("deploy-budgets", sub, pulumi.StringArray{sub}, budgets)
		if err != nil {
			return err
		}
		return b.azureAssign("deploy-budgets", deploy, sub, role.ID().ToStringOutput())
	}
	return nil
}

// azureRole is a custom role definition of the stack, defined at the
// subscription and assignable only at scopes.
func (b *builder) azureRole(kind string, sub pulumi.StringOutput, scopes pulumi.StringArray, actions []string) (*authorization.RoleDefinition, error) {
	return authorization.NewRoleDefinition(b.ctx, b.name+"-"+kind, &authorization.RoleDefinitionArgs{
		RoleName:         pulumi.String(b.dep.Name("ci", kind)),
		Description:      pulumi.String("what CI needs to deploy " + b.dep.Stack + ", from its plan; no data actions, no grants"),
		RoleType:         pulumi.String("CustomRole"),
		Scope:            sub,
		AssignableScopes: scopes,
		Permissions:      authorization.PermissionArray{authorization.PermissionArgs{Actions: pulumi.ToStringArray(actions)}},
	}, b.opts()...)
}

func builtIn(subscription pulumi.StringOutput, role string) pulumi.StringOutput {
	return pulumi.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", subscription, role)
}

// azureIdentity is a user-assigned identity with one federated credential
// per subject: exactly those GitHub tokens. Azure refuses concurrent writes
// of federated credentials under one identity, so each waits for the one
// before (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations#concurrent-updates-arent-supported-user-assigned-managed-identities).
func (b *builder) azureIdentity(kind string, subjects ...string) (*managedidentity.UserAssignedIdentity, error) {
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name+"-"+kind, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(b.dep.Name("ci", kind)),
		ResourceGroupName: b.site.AzureResourceGroup,
		Location:          pulumi.String(b.site.Region),
		Tags:              b.dep.Tags.For(core.Azure),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	var before pulumi.Resource
	for i, subject := range subjects {
		opts := b.opts()
		if before != nil {
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{before}))
		}
		cred, err := managedidentity.NewFederatedIdentityCredential(b.ctx, b.name+"-"+kind+"-github"+nth(i), &managedidentity.FederatedIdentityCredentialArgs{
			FederatedIdentityCredentialResourceName: pulumi.String("github-" + kind + nth(i)),
			ResourceName:                            identity.Name,
			ResourceGroupName:                       b.site.AzureResourceGroup,
			Issuer:                                  pulumi.String(Issuer),
			Subject:                                 pulumi.String(subject),
			Audiences:                               pulumi.StringArray{pulumi.String(azureAudience)},
		}, opts...)
		if err != nil {
			return nil, err
		}
		before = cred
	}
	return identity, nil
}

func (b *builder) azureAssign(label string, identity *managedidentity.UserAssignedIdentity, scope, role pulumi.StringOutput) error {
	_, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+label, &authorization.RoleAssignmentArgs{
		PrincipalId:      identity.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: role,
		Scope:            scope,
	}, b.opts()...)
	return err
}

func (b *builder) azureAssignConditioned(label string, identity *managedidentity.UserAssignedIdentity, scope, role, condition pulumi.StringOutput) error {
	_, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+label, &authorization.RoleAssignmentArgs{
		PrincipalId:      identity.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: role,
		Scope:            scope,
		Condition:        condition,
		ConditionVersion: pulumi.String("2.0"),
	}, b.opts()...)
	return err
}

// azureGrantCondition lets role assignments be written and deleted only
// for azureGrantableRoles and never for self, the deploy identity's own
// principal (Azure's "constrain roles and principals" delegation
// condition, https://learn.microsoft.com/en-us/azure/role-based-access-control/delegate-role-assignments-examples).
func azureGrantCondition(self string) string {
	roles := strings.Join(azureGrantableRoles, ", ")
	return fmt.Sprintf("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "+
		"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {%s} AND "+
		"@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {%s})) AND "+
		"((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "+
		"(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {%s}))", roles, self, roles)
}

// azureSubscription is the site's subscription: the stack's config, else
// the one the provider signs in to.
func (b *builder) azureSubscription() (pulumi.StringOutput, error) {
	if b.site.AzureSubscriptionID != "" {
		return pulumi.String(b.site.AzureSubscriptionID).ToStringOutput(), nil
	}
	cfg, err := authorization.GetClientConfig(b.ctx, pulumi.Provider(b.site.Provider))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return pulumi.String(cfg.SubscriptionId).ToStringOutput(), nil
}
