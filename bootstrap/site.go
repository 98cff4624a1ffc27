package bootstrap

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
)

// deployment is the backend's deployment: prod strictness (protection,
// compliance lock, replica), in the third region with its replica region.
func (b *builder) deployment() error {
	stack := b.ctx.Stack()
	b.dep = core.Deployment{
		Project: "wedsync", Stack: "state", Environment: core.Prod, Timezone: "Europe/London",
		Tags: core.StandardTags("wedsync", "state", core.Prod, "platform", "wedsync-state", map[string]string{"bootstrap-stack": stack}),
	}
	primary, err := b.site(core.Primary)
	if err != nil {
		return err
	}
	dr, err := b.site(core.DR)
	if err != nil {
		return err
	}
	b.dep.Primary, b.dep.DR = primary, &dr
	return nil
}

// site is the explicit provider for role's region, and on Azure the
// resource group the backend lives in there.
func (b *builder) site(role core.Role) (core.Site, error) {
	cloud := b.set.Cloud
	region := Regions[cloud][role]
	s := core.Site{Role: role, Cloud: cloud, Region: region}
	name := string(cloud) + "-" + string(role)
	var err error
	switch cloud {
	case core.AWS:
		s.Provider, err = aws.NewProvider(b.ctx, name, &aws.ProviderArgs{Region: pulumi.String(region)})
	case core.GCP:
		s.GCPProject = b.set.GCPProject
		s.Provider, err = gcp.NewProvider(b.ctx, name, &gcp.ProviderArgs{Project: pulumi.String(s.GCPProject), Region: pulumi.String(region)})
	case core.Azure:
		s.AzureSubscriptionID = b.set.AzureSubscriptionID
		s.Provider, err = azurenative.NewProvider(b.ctx, name, &azurenative.ProviderArgs{Location: pulumi.String(region)})
		// The DR copy is the account's geo-replica in the paired region:
		// nothing is created there, so it has no resource group.
		if err != nil || role != core.Primary {
			return s, err
		}
		var rg *resources.ResourceGroup
		rg, err = resources.NewResourceGroup(b.ctx, "state-"+string(role), &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String("wedsync-state-" + core.ShortRegion(region)),
			Location:          pulumi.String(region),
			Tags:              b.dep.Tags.For(core.Azure),
		}, s.With(pulumi.Protect(true))...)
		if err == nil {
			s.AzureResourceGroup = rg.Name
		}
	}
	return s, err
}

// backendURL is what PULUMI_BACKEND_URL is set to.
func (b *builder) backendURL(bucket *backupbucket.BackupBucket, key *core.Key) pulumi.StringOutput {
	region := b.dep.Primary.Region
	switch b.set.Cloud {
	case core.AWS:
		// The bucket policy refuses uploads not under the state key, and the
		// CLI's blob client sends the SSE headers only when the URL names
		// them (gocloud.dev s3blob: ssetype, kmskeyid).
		return pulumi.Sprintf("s3://%s?region=%s&ssetype=aws:kms&kmskeyid=%s", bucket.BucketName, region, key.ID)
	case core.GCP:
		return pulumi.Sprintf("gs://%s", bucket.BucketName)
	default:
		// BucketURL is https://ACCOUNT.blob.core.windows.net/CONTAINER; the
		// CLI signs in with Entra ID (shared keys are off).
		return bucket.BucketURL.ApplyT(func(u string) string {
			host, container, _ := strings.Cut(strings.TrimPrefix(u, "https://"), "/")
			account, _, _ := strings.Cut(host, ".")
			return fmt.Sprintf("azblob://%s?storage_account=%s", container, account)
		}).(pulumi.StringOutput)
	}
}
