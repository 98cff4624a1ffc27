package main

// armTypes maps an azure-native v2 type token to the ARM resource type it
// manages, for every type in our plans that Trivy's ARM adapters read
// (github.com/aquasecurity/trivy v0.74.0, pkg/iac/adapters/arm). Types
// Trivy has no adapter for are not converted: they can yield no finding.
//
// azure-native is generated from the Azure REST API specifications: each
// resource is one ARM type, its URL path parameters are the inputs named in
// Names (the last segments of the resource id, in order), and the API
// version is the one its SDK file says it uses ("Uses Azure REST API
// version ..." in github.com/pulumi/pulumi-azure-native-sdk/<module>/v2,
// in the Go module cache). ARM types and property names: the template
// references, https://learn.microsoft.com/azure/templates/<namespace>/<type>.
//
// azure-native flattens a resource's "properties" into its inputs (unless
// the spec keeps them as a property named "properties", as Key Vault does)
// and uses the specs' x-ms-client-name where it differs from the wire name;
// Renames restores the wire names (dotted input path -> ARM name).
var armTypes = map[string]armSpec{
	"azure-native:authorization:RoleAssignment": {Type: "Microsoft.Authorization/roleAssignments",
		APIVersion: "2022-04-01", Names: []string{"roleAssignmentName"}, Scoped: true},
	"azure-native:authorization:RoleDefinition": {Type: "Microsoft.Authorization/roleDefinitions",
		APIVersion: "2022-05-01-preview", Names: []string{"roleDefinitionId"}, Scoped: true},
	"azure-native:datafactory:Factory": {Type: "Microsoft.DataFactory/factories",
		APIVersion: "2018-06-01", Names: []string{"factoryName"}},
	"azure-native:keyvault:Vault": {Type: "Microsoft.KeyVault/vaults",
		APIVersion: "2023-02-01", Names: []string{"vaultName"}},
	"azure-native:keyvault:Key": {Type: "Microsoft.KeyVault/vaults/keys",
		APIVersion: "2023-02-01", Names: []string{"vaultName", "keyName"}},
	"azure-native:keyvault:Secret": {Type: "Microsoft.KeyVault/vaults/secrets",
		APIVersion: "2023-02-01", Names: []string{"vaultName", "secretName"}},
	// Rules inline in a security group are the same ARM as its
	// securityRules child resources, which is the form Trivy reads.
	"azure-native:network:NetworkSecurityGroup": {Type: "Microsoft.Network/networkSecurityGroups",
		APIVersion: "2023-02-01", Names: []string{"networkSecurityGroupName"},
		Children: map[string]string{"securityRules": "securityRules"}},
	"azure-native:network/v20240301:FlowLog": {Type: "Microsoft.Network/networkWatchers/flowLogs",
		APIVersion: "2024-03-01", Names: []string{"networkWatcherName", "flowLogName"}},
	// Microsoft.Storage x-ms-client-names: networkAcls (NetworkRuleSet),
	// supportsHttpsTrafficOnly (EnableHttpsTrafficOnly), encryption.identity
	// (EncryptionIdentity) with userAssignedIdentity and
	// federatedIdentityClientId, keyvaultproperties keyname/keyversion/keyvaulturi.
	"azure-native:storage:StorageAccount": {Type: "Microsoft.Storage/storageAccounts",
		APIVersion: "2022-09-01", Names: []string{"accountName"},
		Renames: map[string]string{
			"networkRuleSet":                "networkAcls",
			"enableHttpsTrafficOnly":        "supportsHttpsTrafficOnly",
			"encryption.encryptionIdentity": "identity",
			"encryption.encryptionIdentity.encryptionUserAssignedIdentity":      "userAssignedIdentity",
			"encryption.encryptionIdentity.encryptionFederatedIdentityClientId": "federatedIdentityClientId",
			"encryption.keyVaultProperties.keyName":                             "keyname",
			"encryption.keyVaultProperties.keyVersion":                          "keyversion",
			"encryption.keyVaultProperties.keyVaultUri":                         "keyvaulturi",
		}},
}

// armSpec says how one type's inputs become an ARM resource.
type armSpec struct {
	Type, APIVersion string
	// Names: the inputs that are the resource's name segments (URL path
	// parameters, not properties); ARM names a child "parent/child".
	Names []string
	// Scoped: an extension resource; its scope input is a path parameter too.
	Scoped bool
	// Renames: dotted input path -> ARM wire name.
	Renames map[string]string
	// Children: inline lists that are written as child resources of the
	// given child type, each item {name, properties: rest}.
	Children map[string]string
}

// armTopLevel are the keys ARM keeps beside "properties".
var armTopLevel = map[string]bool{"location": true, "tags": true, "sku": true, "kind": true,
	"identity": true, "zones": true, "plan": true, "extendedLocation": true}
