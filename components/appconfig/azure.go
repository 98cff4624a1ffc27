package appconfig

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The App Configuration types, registered by token with the ARM shape
// (API 2024-05-01): the appconfiguration SDK module is not served to this
// build; the azure-native provider creates them the same way.
const (
	AzureStoreType    = "azure-native:appconfiguration:ConfigurationStore"
	AzureKeyValueType = "azure-native:appconfiguration:KeyValue"
)

// Azure roles: the store's identity wraps with the key; the app reads
// key-values (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const (
	AzureCryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
	AzureDataReader                  = "516239f1-63e1-4d78-a4de-a74fb236a071"
	AzureDataOwner                   = "5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b"
)

// AzureKeyVaultRefContentType marks a key-value as a Key Vault reference:
// the provider resolves it with the app's identity, so the store holds the
// secret's URI only (learn.microsoft.com/azure/azure-app-configuration/use-key-vault-references-dotnet-core).
const AzureKeyVaultRefContentType = "application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8"

// registered is a resource registered by its token.
type registered struct{ pulumi.CustomResourceState }

// azure is an App Configuration store (standard tier: customer-managed key
// and private link), encrypted with the secrets key through a user-assigned
// identity (a system identity would not exist before the key grant it
// needs), local authentication off, purge protection on, public access off
// with a private endpoint; Pulumi writes key-values through ARM with its
// own Entra identity (dataPlaneProxy pass-through, private link
// delegation). Key-values are labelled with the environment: the document,
// one Key Vault reference per secret, and a sentinel holding the
// document's digest, on which the provider reloads everything.
func (b *builder) azure() (outputs, error) {
	a, dep, site := b.a, b.a.Deployment, b.site
	id, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name+"-store", &managedidentity.UserAssignedIdentityArgs{
		ResourceName: pulumi.String(dep.Name("appconfig")), ResourceGroupName: site.AzureResourceGroup,
		Location: pulumi.String(site.Region), Tags: dep.Tags.For(site.Cloud),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	keyScope := pulumi.Sprintf("%s/keys/%s", a.Key.VaultID, a.Key.Name)
	grant, err := authorization.NewRoleAssignment(b.ctx, b.name+"-store-key", &authorization.RoleAssignmentArgs{
		Scope:            keyScope,
		RoleDefinitionId: core.AzureRoleDefinition(keyScope, AzureCryptoServiceEncryptionUser),
		PrincipalId:      id.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		Description:      pulumi.String("the app configuration store encrypts with the secrets key"),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	var store registered
	storeName := dep.NameWithin(50, "appconfig")
	if err := b.ctx.RegisterResource(AzureStoreType, b.name, pulumi.Map{
		"configStoreName":   pulumi.String(storeName),
		"resourceGroupName": site.AzureResourceGroup,
		"location":          pulumi.String(site.Region),
		"sku":               pulumi.Map{"name": pulumi.String("standard")},
		"identity":          pulumi.Map{"type": pulumi.String("UserAssigned"), "userAssignedIdentities": pulumi.StringArray{id.ID().ToStringOutput()}},
		"encryption": pulumi.Map{"keyVaultProperties": pulumi.Map{
			"keyIdentifier": a.Key.ID, "identityClientId": id.ClientId,
		}},
		"disableLocalAuth":          pulumi.Bool(true),
		"enablePurgeProtection":     pulumi.Bool(true),
		"softDeleteRetentionInDays": pulumi.Int(7),
		"publicNetworkAccess":       pulumi.String("Disabled"),
		"dataPlaneProxy":            pulumi.Map{"authenticationMode": pulumi.String("Pass-through"), "privateLinkDelegation": pulumi.String("Enabled")},
		"tags":                      dep.Tags.For(site.Cloud),
	}, &store, b.opts(pulumi.DependsOn([]pulumi.Resource{grant}), dep.Protect())...); err != nil {
		return outputs{}, err
	}
	if err := b.azureEndpoint(store.ID().ToStringOutput(), storeName); err != nil {
		return outputs{}, err
	}
	if err := b.azureAudit(store.ID().ToStringOutput()); err != nil {
		return outputs{}, err
	}
	writer, err := b.azureWriter(store.ID().ToStringOutput())
	if err != nil {
		return outputs{}, err
	}
	if err := b.azureKeyValues(storeName, &store, writer); err != nil {
		return outputs{}, err
	}
	storeID := store.ID().ToStringOutput()
	return outputs{store: storeID, readScope: storeID, retrieval: pulumi.StringMap{
		"endpoint": pulumi.String("https://" + storeName + ".azconfig.io"),
		"label":    pulumi.String(string(dep.Environment)),
		"document": pulumi.String(DocumentKey), "sentinel": pulumi.String(SentinelKey),
	}}, nil
}

// azureKeyValues writes the document, a Key Vault reference per secret and
// the sentinel (last, so a provider that sees it changed reads the new
// document).
func (b *builder) azureKeyValues(storeName string, store *registered, writer pulumi.Resource) error {
	label := string(b.a.Deployment.Environment)
	put := func(logical, key string, value pulumi.StringInput, contentType string, after ...pulumi.Resource) (pulumi.Resource, error) {
		var kv registered
		err := b.ctx.RegisterResource(AzureKeyValueType, b.name+"-"+logical, pulumi.Map{
			"configStoreName":   pulumi.String(storeName),
			"resourceGroupName": b.site.AzureResourceGroup,
			"keyValueName":      pulumi.String(key + "$" + label),
			"value":             value,
			"contentType":       pulumi.String(contentType),
		}, &kv, b.opts(pulumi.DependsOn(append([]pulumi.Resource{store, writer}, after...)))...)
		return &kv, err
	}
	var written []pulumi.Resource
	doc, err := put("document", DocumentKey, b.doc, "application/json")
	if err != nil {
		return err
	}
	written = append(written, doc)
	names := make([]string, 0, len(b.a.Facts.Secrets))
	for n := range b.a.Facts.Secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ref := b.a.Facts.Secrets[n].ApplyT(func(uri string) (string, error) {
			out, err := json.Marshal(map[string]string{"uri": uri})
			return string(out), err
		}).(pulumi.StringOutput)
		kv, err := put("secret-"+strings.ToLower(n), "wedsync:secrets:"+n, ref, AzureKeyVaultRefContentType)
		if err != nil {
			return err
		}
		written = append(written, kv)
	}
	digest := b.doc.ApplyT(Digest).(pulumi.StringOutput)
	_, err = put("sentinel", SentinelKey, digest, "text/plain", written...)
	return err
}

// azureWriter makes the identity that deploys the stack (CI's deploy
// identity in prod) App Configuration Data Owner on this store alone: with
// local authentication off, ARM writes key-values with the caller's own
// data-plane role (pass-through), so nobody else, a subscription
// Contributor included, can change or read the document.
func (b *builder) azureWriter(storeID pulumi.StringOutput) (pulumi.Resource, error) {
	client, err := authorization.GetClientConfig(b.ctx, pulumi.Provider(b.site.Provider))
	if err != nil {
		return nil, err
	}
	return authorization.NewRoleAssignment(b.ctx, b.name+"-store-writer", &authorization.RoleAssignmentArgs{
		Scope:            storeID,
		RoleDefinitionId: core.AzureRoleDefinition(storeID, AzureDataOwner),
		PrincipalId:      pulumi.String(client.ObjectId),
		Description:      pulumi.String("the identity that deploys the stack writes its configuration"),
	}, b.opts()...)
}

// azureEndpoint is the store's private endpoint in the endpoints subnet,
// registered in the privatelink.azconfig.io zone
// (learn.microsoft.com/azure/azure-app-configuration/concept-private-endpoint).
func (b *builder) azureEndpoint(storeID pulumi.StringOutput, storeName string) error {
	a, site := b.a, b.site
	pe, err := network.NewPrivateEndpoint(b.ctx, b.name, &network.PrivateEndpointArgs{
		ResourceGroupName:   site.AzureResourceGroup,
		PrivateEndpointName: pulumi.String(storeName),
		Location:            pulumi.String(site.Region),
		Subnet:              &network.SubnetTypeArgs{Id: a.Network.EndpointSubnetID},
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{network.PrivateLinkServiceConnectionArgs{
			Name: pulumi.String(storeName), PrivateLinkServiceId: storeID,
			GroupIds: pulumi.StringArray{pulumi.String("configurationStores")},
		}},
		Tags: a.Deployment.Tags.For(site.Cloud),
	}, b.opts()...)
	if err != nil || a.Network.ConfigPrivateDNSZoneID == (pulumi.StringOutput{}) {
		return err
	}
	_, err = network.NewPrivateDnsZoneGroup(b.ctx, b.name, &network.PrivateDnsZoneGroupArgs{
		ResourceGroupName:       site.AzureResourceGroup,
		PrivateEndpointName:     pe.Name,
		PrivateDnsZoneGroupName: pulumi.String("appconfig"),
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{network.PrivateDnsZoneConfigArgs{
			Name: pulumi.String("appconfig"), PrivateDnsZoneId: a.Network.ConfigPrivateDNSZoneID,
		}},
	}, b.opts()...)
	return err
}

// azureAudit sends the store's audit log (every key-value write) and its
// request log (every read, by whom) to the audit workspace
// (learn.microsoft.com/azure/azure-app-configuration/monitor-app-configuration-reference).
func (b *builder) azureAudit(storeID pulumi.StringOutput) error {
	if b.a.AuditLog == (pulumi.StringOutput{}) {
		return nil
	}
	var logs insights.LogSettingsArray
	for _, c := range []string{"Audit", "HttpRequest"} {
		logs = append(logs, insights.LogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
	}
	_, err := insights.NewDiagnosticSetting(b.ctx, b.name+"-audit", &insights.DiagnosticSettingArgs{
		Name:        pulumi.String("appconfig-audit-to-log-analytics"),
		ResourceUri: storeID,
		WorkspaceId: b.a.AuditLog,
		Logs:        logs,
	}, b.opts()...)
	return err
}
