package network

import (
	"fmt"

	netv "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240301"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azurestorage"
)

// On Azure a network's flows are recorded by a virtual-network flow log.
// NSG flow logs can no longer be created since 30 June 2025 and retire on
// 30 September 2027; virtual-network flow logs replace them
// (learn.microsoft.com/es-es/azure/network-watcher/nsg-flow-logs-rest,
// "Importante"). A flow log is a child of the region's Network Watcher,
// of which a subscription has one per region (learn.microsoft.com/rest/api/network-watcher);
// Azure enables it for every region where a virtual network is created, as
// NetworkWatcher_<region> in the resource group NetworkWatcherRG
// (learn.microsoft.com/powershell/module/az.network/new-aznetworkwatcher):
// the flow log joins that one rather than creating a second, which Azure
// would refuse. The target is the virtual network's id, as the ARM
// reference's example does
// (learn.microsoft.com/azure/templates/microsoft.network/2020-03-01/networkwatchers/flowlogs:
// "targetResourceId: virtualNetwork.id"); the API version is the virtual
// network's own (2024-03-01).
//
// Traffic analytics (flows processed into Log Analytics) is not turned on:
// it is billed per GB processed on top of the workspace's ingestion, and
// the records in the account already answer "who talked to what"; CIS
// Azure 6.1.5 stays in the policy report's "not covered" list until then.
const azureWatcherGroup = "NetworkWatcherRG"

func azureWatcherName(region string) string { return "NetworkWatcher_" + region }

// AzureFlowLogScope is the Network Watcher a site's flow log joins,
// relative to the subscription: outside the stack's resource groups, so
// whoever deploys the flow log is granted there too.
func AzureFlowLogScope(region string) string {
	return fmt.Sprintf("resourceGroups/%s/providers/Microsoft.Network/networkWatchers/%s", azureWatcherGroup, azureWatcherName(region))
}

// azure: the network's flows, JSON version 2, into a storage account of
// their own kept core.LogRetentionDays by the flow log's retention and the
// account's lifecycle.
func (b *flowBuilder) azure() (struct{}, error) {
	account, err := b.azureAccount()
	if err != nil {
		return struct{}{}, err
	}
	site := b.a.Site
	days := core.LogRetentionDays(b.a.Deployment.Environment)
	_, err = netv.NewFlowLog(b.ctx, b.name, &netv.FlowLogArgs{
		NetworkWatcherName: pulumi.String(azureWatcherName(site.Region)),
		ResourceGroupName:  pulumi.String(azureWatcherGroup),
		FlowLogName:        pulumi.String(b.a.Deployment.Name("vnet-flows", site.Short())),
		Location:           pulumi.String(site.Region),
		TargetResourceId:   b.a.Network.ID,
		StorageId:          account.ID(),
		Enabled:            pulumi.Bool(true),
		Format:             &netv.FlowLogFormatParametersArgs{Type: pulumi.String("JSON"), Version: pulumi.Int(2)},
		RetentionPolicy:    &netv.RetentionPolicyParametersArgs{Enabled: pulumi.Bool(true), Days: pulumi.Int(days)},
		Tags:               b.a.Deployment.Tags.For(core.Azure),
	}, b.opts()...)
	return struct{}{}, err
}

// azureAccount is the flow records' account: Entra ID only, closed to
// every network but Azure's trusted services (Network Watcher writes as
// one), TLS 1.2, encrypted with the stack's data key through its own
// identity, versioned (the pack's rule for every account) with replaced
// versions gone after a day and records after the retention.
func (b *flowBuilder) azureAccount() (*storage.StorageAccount, error) {
	dep, site := b.a.Deployment, b.a.Site
	identity, grant, err := azurestorage.KeyIdentity(b.ctx, b.name, azurestorage.KeyIdentityArgs{
		Deployment: dep, Site: site, Key: b.a.Key, Name: []string{"flow-logs", site.Short()},
		Description: "flow log storage account encrypts with the stack's data key",
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	account, err := azurestorage.NewAccount(b.ctx, b.name, azurestorage.AccountArgs{
		Deployment: dep, Site: site, Key: b.a.Key, Identity: identity,
		Name: dep.CompactName(24, "fl", site.Short()), Sku: "Standard_LRS",
	}, b.opts(dep.Protect(), pulumi.DependsOn([]pulumi.Resource{grant}))...)
	if err != nil {
		return nil, err
	}
	return account, b.azureLifecycle(account)
}

// azureLifecycle versions the account's blobs and deletes records after
// the retention, replaced versions after a day.
func (b *flowBuilder) azureLifecycle(account *storage.StorageAccount) error {
	group := b.a.Site.AzureResourceGroup
	props, err := storage.NewBlobServiceProperties(b.ctx, b.name, &storage.BlobServicePropertiesArgs{
		AccountName:           account.Name,
		ResourceGroupName:     group,
		BlobServicesName:      pulumi.String("default"),
		IsVersioningEnabled:   pulumi.Bool(true),
		DeleteRetentionPolicy: &storage.DeleteRetentionPolicyArgs{Enabled: pulumi.Bool(false)},
	}, b.opts()...)
	if err != nil {
		return err
	}
	days := float64(core.LogRetentionDays(b.a.Deployment.Environment))
	_, err = storage.NewManagementPolicy(b.ctx, b.name, &storage.ManagementPolicyArgs{
		AccountName:          account.Name,
		ResourceGroupName:    group,
		ManagementPolicyName: pulumi.String("default"),
		Policy: &storage.ManagementPolicySchemaArgs{Rules: storage.ManagementPolicyRuleArray{&storage.ManagementPolicyRuleArgs{
			Name: pulumi.String("expire-flow-records"), Enabled: pulumi.Bool(true), Type: pulumi.String("Lifecycle"),
			Definition: &storage.ManagementPolicyDefinitionArgs{
				Filters: &storage.ManagementPolicyFilterArgs{BlobTypes: pulumi.StringArray{pulumi.String("blockBlob")}},
				Actions: &storage.ManagementPolicyActionArgs{
					BaseBlob: &storage.ManagementPolicyBaseBlobArgs{Delete: &storage.DateAfterModificationArgs{DaysAfterModificationGreaterThan: pulumi.Float64(days)}},
					Version:  &storage.ManagementPolicyVersionArgs{Delete: &storage.DateAfterCreationArgs{DaysAfterCreationGreaterThan: pulumi.Float64(1)}},
				},
			},
		}}},
	}, b.opts(pulumi.DependsOn([]pulumi.Resource{props}))...)
	return err
}
