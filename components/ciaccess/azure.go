package ciaccess

import (
	"fmt"
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
	// azureContributor manages every resource, grants nothing: the broad
	// choice, at the subscription (the stack creates its resource groups).
	azureContributor = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	// azureRBACAdmin manages role assignments; conditioned to the roles
	// below.
	azureRBACAdmin = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
	azureReader    = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
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
	scope := pulumi.Sprintf("/subscriptions/%s", subscription)
	deploy, err := b.azureIdentity("deploy", b.s.DeploySubject())
	if err != nil {
		return outputs{}, err
	}
	if err := b.azureAssign("deploy-contributor", deploy, subscription, scope, azureContributor, ""); err != nil {
		return outputs{}, err
	}
	if err := b.azureAssign("deploy-grants", deploy, subscription, scope, azureRBACAdmin, azureGrantCondition()); err != nil {
		return outputs{}, err
	}
	out := outputs{deploy: deploy.ClientId, preview: empty(), federation: deploy.TenantId}
	if b.preview() {
		preview, err := b.azureIdentity("preview", b.s.PreviewSubjects()...)
		if err != nil {
			return outputs{}, err
		}
		if err := b.azureAssign("preview-reader", preview, subscription, scope, azureReader, ""); err != nil {
			return outputs{}, err
		}
		out.preview = preview.ClientId
	}
	return out, nil
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

func (b *builder) azureAssign(label string, identity *managedidentity.UserAssignedIdentity, subscription pulumi.StringOutput, scope pulumi.StringOutput, role, condition string) error {
	args := &authorization.RoleAssignmentArgs{
		PrincipalId:      identity.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: pulumi.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", subscription, role),
		Scope:            scope,
	}
	if condition != "" {
		args.Condition = pulumi.String(condition)
		args.ConditionVersion = pulumi.String("2.0")
	}
	_, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+label, args, b.opts()...)
	return err
}

// azureGrantCondition lets role assignments be written and deleted only
// for azureGrantableRoles (Azure's "constrain roles" delegation condition).
func azureGrantCondition() string {
	roles := strings.Join(azureGrantableRoles, ", ")
	return fmt.Sprintf("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "+
		"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {%s})) AND "+
		"((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "+
		"(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {%s}))", roles, roles)
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
