package ciaccess

// The Azure deploy identity's table: per planned type, the control-plane
// actions of its resource provider (never a wildcard), gathered into one
// custom role definition assigned at the stack's resource groups (and its
// DNS record), not the subscription. Action names are from the resource
// provider operations list,
// https://learn.microsoft.com/en-us/azure/role-based-access-control/resource-provider-operations
// (Microsoft.Compute, Microsoft.Network, Microsoft.Storage,
// Microsoft.KeyVault, Microsoft.DBforPostgreSQL, Microsoft.DataProtection,
// Microsoft.Insights, Microsoft.AlertsManagement, Microsoft.AppConfiguration,
// Microsoft.OperationalInsights, Microsoft.ManagedIdentity,
// Microsoft.Authorization, Microsoft.Consumption, Microsoft.Resources).
//
// No data actions at all, and none of the control-plane actions that hand
// out data or keys: storage account keys (listKeys), workspace shared keys,
// App Configuration access keys, Key Vault access policies, restores.
//
// What Azure cannot do for CI: a deny assignment cannot be created by users
// (only Azure Blueprints and managed applications make them,
// https://learn.microsoft.com/en-us/azure/role-based-access-control/deny-assignments),
// so CI is kept off its own identities by what it is not granted:
// no Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write
// (it cannot add a subject to any identity, its own included), no
// role-definition write (it cannot widen its own role), role assignments
// only of the Key Vault roles and never to itself (azureGrantCondition),
// and nothing at the subscription but the budgets.

// azureRow is what one resource type needs.
type azureRow struct {
	Actions []string
	// Subscription rows are granted at the subscription (budgets live
	// there), in a role of their own holding nothing else.
	Subscription bool
	// Admin, when set, says why changes to this type are an
	// administrator's (the row then holds reads only).
	Admin string
}

func crud(resource string, verbs ...string) []string {
	if len(verbs) == 0 {
		verbs = []string{"read", "write", "delete"}
	}
	out := make([]string, len(verbs))
	for i, v := range verbs {
		out[i] = resource + "/" + v
	}
	return out
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

const (
	azSubnetJoin   = "Microsoft.Network/virtualNetworks/subnets/join/action"
	azIdentityUse  = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
	azPublicIPJoin = "Microsoft.Network/publicIPAddresses/join/action"
)

// azureTable has a row for every Azure type a stack plans.
var azureTable = map[string]azureRow{
	"pulumi:providers:azure-native": {Actions: []string{"Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Resources/subscriptions/read"}},

	"azure-native:alertsmanagement:AlertProcessingRule": {Actions: crud("Microsoft.AlertsManagement/actionRules")},
	"azure-native:appconfiguration:ConfigurationStore":  {Actions: join(crud("Microsoft.AppConfiguration/configurationStores"), []string{azIdentityUse})},
	"azure-native:appconfiguration:KeyValue":            {Actions: crud("Microsoft.AppConfiguration/configurationStores/keyValues")},
	// Locks: set by CI, lifted only by an administrator (no delete).
	"azure-native:authorization:ManagementLockByScope": {Actions: crud("Microsoft.Authorization/locks", "read", "write")},
	// Role assignments: read here; written through the conditioned
	// assignment of Role Based Access Control Administrator.
	"azure-native:authorization:RoleAssignment": {Actions: []string{"Microsoft.Authorization/roleAssignments/read"}},
	"azure-native:authorization:RoleDefinition": {Actions: []string{"Microsoft.Authorization/roleDefinitions/read"}, Admin: "it is CI's own role"},
	"azure-native:compute:DiskEncryptionSet": {Actions: join(crud("Microsoft.Compute/diskEncryptionSets"), []string{azIdentityUse,
		"Microsoft.KeyVault/vaults/read", "Microsoft.KeyVault/vaults/keys/read"})},
	"azure-native:compute:VirtualMachineScaleSet": {Actions: join(crud("Microsoft.Compute/virtualMachineScaleSets"), []string{
		"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read", "Microsoft.Compute/diskEncryptionSets/read",
		"Microsoft.Compute/images/read", azSubnetJoin, azIdentityUse, "Microsoft.Network/applicationGateways/backendAddressPools/join/action",
		"Microsoft.Network/networkSecurityGroups/join/action"})},
	"azure-native:consumption:Budget": {Subscription: true, Actions: crud("Microsoft.Consumption/budgets")},
	// Backups: configured by CI, never restored by it (no restore action).
	"azure-native:dataprotection:BackupInstance": {Actions: join(crud("Microsoft.DataProtection/backupVaults/backupInstances"),
		[]string{"Microsoft.DataProtection/backupVaults/validateForBackup/action"})},
	"azure-native:dataprotection:BackupPolicy": {Actions: crud("Microsoft.DataProtection/backupVaults/backupPolicies")},
	"azure-native:dataprotection:BackupVault":  {Actions: join(crud("Microsoft.DataProtection/backupVaults"), []string{azIdentityUse})},
	// prod-gcp's offsite copy (backupbucket/offsite_gcs.go): the factory runs
	// as its own system identity; CI never runs a pipeline.
	// https://learn.microsoft.com/azure/role-based-access-control/permissions/integration#microsoftdatafactory
	"azure-native:datafactory:Dataset":                     {Actions: crud("Microsoft.DataFactory/factories/datasets")},
	"azure-native:datafactory:Factory":                     {Actions: crud("Microsoft.DataFactory/factories")},
	"azure-native:datafactory:LinkedService":               {Actions: crud("Microsoft.DataFactory/factories/linkedservices")},
	"azure-native:datafactory:Pipeline":                    {Actions: crud("Microsoft.DataFactory/factories/pipelines")},
	"azure-native:datafactory:Trigger":                     {Actions: crud("Microsoft.DataFactory/factories/triggers")},
	"azure-native:dbforpostgresql/v20240801:Administrator": {Actions: crud("Microsoft.DBforPostgreSQL/flexibleServers/administrators")},
	"azure-native:dbforpostgresql/v20240801:Configuration": {Actions: crud("Microsoft.DBforPostgreSQL/flexibleServers/configurations", "read", "write")},
	"azure-native:dbforpostgresql/v20240801:Database":      {Actions: crud("Microsoft.DBforPostgreSQL/flexibleServers/databases")},
	"azure-native:dbforpostgresql/v20240801:Server": {Actions: join(crud("Microsoft.DBforPostgreSQL/flexibleServers"), []string{azSubnetJoin, azIdentityUse,
		"Microsoft.Network/privateDnsZones/join/action"})},
	"azure-native:insights:ActionGroup":        {Actions: crud("Microsoft.Insights/actionGroups")},
	"azure-native:insights:ActivityLogAlert":   {Actions: crud("Microsoft.Insights/activityLogAlerts")},
	"azure-native:insights:AutoscaleSetting":   {Actions: crud("Microsoft.Insights/autoscalesettings")},
	"azure-native:insights:Component":          {Actions: crud("Microsoft.Insights/components")},
	"azure-native:insights:DiagnosticSetting":  {Actions: crud("Microsoft.Insights/diagnosticSettings")},
	"azure-native:insights:MetricAlert":        {Actions: crud("Microsoft.Insights/metricAlerts")},
	"azure-native:insights:ScheduledQueryRule": {Actions: crud("Microsoft.Insights/scheduledQueryRules")},
	"azure-native:insights:WebTest":            {Actions: crud("Microsoft.Insights/webtests")},
	"azure-native:insights:Workbook":           {Actions: crud("Microsoft.Insights/workbooks")},
	// Key Vault: vaults and key settings, never key use (those are data
	// actions) and never access policies (the vaults use RBAC).
	"azure-native:keyvault:Key":   {Actions: crud("Microsoft.KeyVault/vaults/keys", "read", "write")},
	"azure-native:keyvault:Vault": {Actions: crud("Microsoft.KeyVault/vaults")},
	// The offsite HMAC secret: writing it sets a credential that reads
	// prod-gcp's backups, so it is an administrator's.
	"azure-native:keyvault:Secret": {Actions: []string{"Microsoft.KeyVault/vaults/secrets/read"},
		Admin: "it writes the offsite copy's HMAC secret, a credential that reads the backups"},
	// Identities: made by CI; federated credentials only read.
	"azure-native:managedidentity:FederatedIdentityCredential": {Actions: []string{"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read"},
		Admin: "it decides which tokens become an identity; CI could add its own"},
	"azure-native:managedidentity:UserAssignedIdentity": {Actions: crud("Microsoft.ManagedIdentity/userAssignedIdentities", "read", "write")},
	"azure-native:network/v20240301:VirtualNetwork": {Actions: join(crud("Microsoft.Network/virtualNetworks"),
		crud("Microsoft.Network/virtualNetworks/subnets"), []string{azSubnetJoin, "Microsoft.Network/networkSecurityGroups/join/action",
			"Microsoft.Network/natGateways/join/action"})},
	"azure-native:network:ApplicationGateway": {Actions: join(crud("Microsoft.Network/applicationGateways"), []string{azSubnetJoin, azPublicIPJoin, azIdentityUse,
		"Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/join/action", "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/read"})},
	// The flow log is a child of the region's Network Watcher in
	// NetworkWatcherRG (the stack assigns the role there too); it reads the
	// network it records and writes into the stack's own flow-log account.
	"azure-native:network/v20240301:FlowLog": {Actions: join(crud("Microsoft.Network/networkWatchers/flowLogs"),
		[]string{"Microsoft.Network/networkWatchers/read", "Microsoft.Network/virtualNetworks/read", "Microsoft.Storage/storageAccounts/read"})},
	// The daily export's Logic App runs as its own user-assigned identity.
	"azure-native:logic:Workflow":               {Actions: join(crud("Microsoft.Logic/workflows"), []string{azIdentityUse})},
	"azure-native:network:NatGateway":           {Actions: join(crud("Microsoft.Network/natGateways"), []string{azPublicIPJoin, "Microsoft.Network/natGateways/join/action"})},
	"azure-native:network:NetworkSecurityGroup": {Actions: join(crud("Microsoft.Network/networkSecurityGroups"), []string{"Microsoft.Network/networkSecurityGroups/join/action"})},
	"azure-native:network:PrivateDnsZoneGroup": {Actions: join(crud("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"),
		[]string{"Microsoft.Network/privateDnsZones/join/action"})},
	"azure-native:network:PrivateEndpoint": {Actions: join(crud("Microsoft.Network/privateEndpoints"), []string{azSubnetJoin,
		"Microsoft.KeyVault/vaults/privateEndpointConnectionsApproval/action", "Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action",
		"Microsoft.AppConfiguration/configurationStores/privateEndpointConnectionsApproval/action"})},
	"azure-native:network:PrivateZone":     {Actions: crud("Microsoft.Network/privateDnsZones")},
	"azure-native:network:PublicIPAddress": {Actions: join(crud("Microsoft.Network/publicIPAddresses"), []string{azPublicIPJoin})},
	// The hostname's record in the shared zone: the role is assigned at
	// the record set, not the zone (Azure DNS record-set RBAC).
	"azure-native:network:RecordSet": {Actions: []string{"Microsoft.Network/dnsZones/read", "Microsoft.Network/dnsZones/A/read", "Microsoft.Network/dnsZones/A/write",
		"Microsoft.Network/dnsZones/A/delete"}},
	"azure-native:network:VirtualNetworkLink": {Actions: join(crud("Microsoft.Network/privateDnsZones/virtualNetworkLinks"),
		[]string{"Microsoft.Network/virtualNetworks/join/action"})},
	"azure-native:network:WebApplicationFirewallPolicy": {Actions: crud("Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies")},
	"azure-native:operationalinsights:Workspace":        {Actions: crud("Microsoft.OperationalInsights/workspaces")},
	// Resource groups are made by the administrator's first up (a role at
	// the group cannot create it); CI updates their tags.
	"azure-native:resources:ResourceGroup": {Actions: crud("Microsoft.Resources/subscriptions/resourceGroups", "read", "write")},
	"azure-native:storage:BlobContainer": {Actions: join(crud("Microsoft.Storage/storageAccounts/blobServices/containers", "read", "write"),
		crud("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies", "read", "write", "lock/action", "extend/action"))},
	"azure-native:storage:BlobServiceProperties": {Actions: crud("Microsoft.Storage/storageAccounts/blobServices", "read", "write")},
	"azure-native:storage:ManagementPolicy":      {Actions: crud("Microsoft.Storage/storageAccounts/managementPolicies")},
	"azure-native:storage:StorageAccount":        {Actions: join(crud("Microsoft.Storage/storageAccounts"), []string{azIdentityUse})},
}

// AzureDataReads are the actions that hand out data or keys: the pack
// refuses a CI role holding any (and any data action at all).
var AzureDataReads = []string{
	"Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts/regeneratekey/action",
	"Microsoft.Storage/storageAccounts/ListAccountSas/action", "Microsoft.Storage/storageAccounts/listServiceSas/action",
	"Microsoft.OperationalInsights/workspaces/sharedKeys/action", "Microsoft.AppConfiguration/configurationStores/ListKeys/action",
	"Microsoft.DataProtection/backupVaults/backupInstances/restore/action", "Microsoft.KeyVault/vaults/accessPolicies/write",
	"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", "Microsoft.Authorization/roleDefinitions/write",
	"Microsoft.Authorization/roleAssignments/write",
}

// AzureBroadRoles are built-in roles a CI identity must not hold anywhere:
// Owner, Contributor, User Access Administrator, Storage Blob Data Reader
// and Owner, Key Vault Crypto Officer and Administrator.
var AzureBroadRoles = []string{
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
	"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
	"00482a5a-887f-4fb3-b363-3b7fe8e74483",
}
