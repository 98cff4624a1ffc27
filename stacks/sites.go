package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// newDeployment creates the stack's sites (one explicit provider each, so a
// stack can span regions and clouds without relying on ambient provider
// config) and returns what components need to know about the stack.
func newDeployment(ctx *pulumi.Context, cfg Config) (core.Deployment, error) {
	dep := core.Deployment{
		Project:     cfg.Project,
		Stack:       cfg.Stack,
		Environment: cfg.Environment,
		Timezone:    cfg.Timezone,
		Tags:        core.StandardTags(cfg.Project, cfg.Stack, cfg.Environment, cfg.Owner, cfg.CostCentre, cfg.Tags),
	}
	primary, err := newSite(ctx, cfg, dep, core.Primary, cfg.Cloud, cfg.Region)
	if err != nil {
		return dep, err
	}
	dep.Primary = primary
	if cfg.DRRegion != "" {
		dr, err := newSite(ctx, cfg, dep, core.DR, cfg.Cloud, cfg.DRRegion)
		if err != nil {
			return dep, err
		}
		dep.DR = &dr
	}
	if o := cfg.Backup.Offsite; o != nil {
		offsite, err := newSite(ctx, cfg, dep, core.Offsite, o.Cloud, o.Region)
		if err != nil {
			return dep, err
		}
		dep.Offsite = &offsite
	}
	return dep, nil
}

// atSite is dep seen from one of its other sites, for components that serve
// that site alone (the offsite copy's own keys).
func atSite(dep core.Deployment, site core.Site) core.Deployment {
	dep.Primary, dep.DR, dep.Offsite = site, nil, nil
	return dep
}

func newSite(ctx *pulumi.Context, cfg Config, dep core.Deployment, role core.Role, cloud core.Cloud, region string) (core.Site, error) {
	site := core.Site{Role: role, Cloud: cloud, Region: region}
	name := fmt.Sprintf("%s-%s", cloud, role)
	var err error
	switch cloud {
	case core.AWS:
		args := &aws.ProviderArgs{
			Region:      pulumi.String(region),
			DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: dep.Tags.For(cloud)},
		}
		if cfg.AWSAccountID != "" {
			args.AllowedAccountIds = pulumi.StringArray{pulumi.String(cfg.AWSAccountID)}
		}
		site.Provider, err = aws.NewProvider(ctx, name, args)
	case core.GCP:
		site.GCPProject = cfg.GCPProject
		site.Provider, err = gcp.NewProvider(ctx, name, &gcp.ProviderArgs{
			Project:       pulumi.String(cfg.GCPProject),
			Region:        pulumi.String(region),
			DefaultLabels: dep.Tags.For(cloud),
			// The attribution label would be the one label not from our tag set.
			AddTerraformAttributionLabel: pulumi.Bool(false),
		})
	case core.Azure:
		args := &azurenative.ProviderArgs{Location: pulumi.String(region)}
		if cfg.AzureSubscriptionID != "" {
			site.AzureSubscriptionID = cfg.AzureSubscriptionID
			args.SubscriptionId = pulumi.String(cfg.AzureSubscriptionID)
		}
		site.Provider, err = azurenative.NewProvider(ctx, name, args)
		if err != nil {
			return site, err
		}
		// Azure has no provider-level default tags and every resource needs a
		// resource group: one per site, tagged like everything else. Deleting
		// it deletes all it holds, so it is protected in prod.
		var rg *resources.ResourceGroup
		rg, err = resources.NewResourceGroup(ctx, fmt.Sprintf("rg-%s", role), &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String(dep.Name(site.Short())),
			Location:          pulumi.String(region),
			Tags:              dep.Tags.For(cloud),
		}, site.With(dep.Protect())...)
		if err == nil {
			site.AzureResourceGroup = rg.Name
		}
	default:
		err = fmt.Errorf("cloud %q has no provider", cloud)
	}
	return site, err
}
