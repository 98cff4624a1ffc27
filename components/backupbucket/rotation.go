package backupbucket

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// RotationType is the token of the offsite SAS rotation's identity.
const RotationType = "wedsync:backupbucket:OffsiteRotation"

// GitHubIssuer is GitHub Actions' OIDC issuer.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// OffsiteRotationArgs say which GitHub job rotates the offsite SAS.
type OffsiteRotationArgs struct {
	// Deployment is the stack seen from its offsite site (GCP), where the
	// SAS secrets are.
	Deployment core.Deployment
	// Repository is the GitHub repository (owner/name) whose rotation
	// workflow signs in.
	Repository string
	// Environment is the GitHub environment of the rotation job: no
	// reviewers (it runs on a schedule), deployments from Branch only.
	Environment string
	// Branch the rotation runs from.
	Branch string
}

// OffsiteRotation is the identity the SAS rotation workflow signs in to GCP
// with: a workload identity pool of its own whose one provider admits only
// the rotation job's token (repository, environment and branch), so that
// the CI pools of deploy and preview stay as they are. The job acts as its
// federated principal directly (no service account, no key); each backup
// bucket lets that principal add and destroy versions of its own SAS secret and nothing
// else (OffsiteRotator).
type OffsiteRotation struct {
	pulumi.ResourceState

	// Provider is the workload identity provider's full name, for
	// google-github-actions/auth.
	Provider pulumi.StringOutput
	// Member is the job's federated principal, as an IAM member.
	Member pulumi.StringOutput
	// Signer is the job as an Azure federated credential names it.
	Signer Federation
}

// Subject is the rotation job's `sub` claim.
func (a OffsiteRotationArgs) Subject() string {
	return fmt.Sprintf("repo:%s:environment:%s", a.Repository, a.Environment)
}

// NewOffsiteRotation creates the rotation job's identity at the GCP offsite site.
func NewOffsiteRotation(ctx *pulumi.Context, name string, args *OffsiteRotationArgs, opts ...pulumi.ResourceOption) (*OffsiteRotation, error) {
	if args == nil {
		return nil, fmt.Errorf("offsite rotation %s: args are required", name)
	}
	a := *args
	p := &core.Problems{}
	if a.Deployment.Primary.Cloud != core.GCP {
		p.Add("Deployment.Primary.Cloud", string(a.Deployment.Primary.Cloud), "the SAS secrets are on GCP; pass the offsite site")
	}
	if parts := strings.Split(a.Repository, "/"); len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		p.Add("Repository", a.Repository, "owner/name of the GitHub repository")
	}
	if a.Environment == "" || a.Branch == "" {
		p.Missing("Environment and Branch", "the GitHub environment and branch of the rotation job")
	}
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("offsite rotation %s: %w", name, err)
	}
	c := &OffsiteRotation{Signer: Federation{Issuer: GitHubIssuer, Subject: a.Subject()}}
	if err := ctx.RegisterComponentResource(RotationType, name, c, opts...); err != nil {
		return nil, err
	}
	site := a.Deployment.Primary
	o := site.With(pulumi.Parent(c))
	pool, err := iam.NewWorkloadIdentityPool(ctx, name+"-pool", &iam.WorkloadIdentityPoolArgs{
		Project:                pulumi.StringPtrFromPtr(project(site)),
		WorkloadIdentityPoolId: pulumi.String(a.Deployment.NameWithin(32, "offsite-sas")),
		DisplayName:            pulumi.String(a.Deployment.NameWithin(32, "offsite-sas")),
		Description:            pulumi.String("GitHub Actions of " + a.Repository + " rotating the offsite SAS of " + a.Deployment.Stack),
	}, o...)
	if err != nil {
		return nil, err
	}
	provider, err := iam.NewWorkloadIdentityPoolProvider(ctx, name+"-github", &iam.WorkloadIdentityPoolProviderArgs{
		Project:                        pulumi.StringPtrFromPtr(project(site)),
		WorkloadIdentityPoolId:         pool.WorkloadIdentityPoolId,
		WorkloadIdentityPoolProviderId: pulumi.String("github"),
		DisplayName:                    pulumi.String("GitHub Actions"),
		AttributeMapping:               pulumi.StringMap{"google.subject": pulumi.String("assertion.sub")},
		AttributeCondition: pulumi.String(fmt.Sprintf("assertion.repository == '%s' && assertion.sub == '%s' && assertion.ref == 'refs/heads/%s'",
			a.Repository, a.Subject(), a.Branch)),
		Oidc: &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(GitHubIssuer)},
	}, o...)
	if err != nil {
		return nil, err
	}
	c.Provider = provider.Name
	c.Member = pulumi.Sprintf("principal://iam.googleapis.com/%s/subject/%s", pool.Name, a.Subject())
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"provider": c.Provider, "member": c.Member})
}
