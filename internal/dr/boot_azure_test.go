package dr

import (
	"slices"
	"strings"
)

// Azure built-in role ids
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security).
const (
	azureSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6" // Key Vault Secrets User
	azureCryptoUser  = "12338af0-0e69-4776-bea7-57ae8d297424" // Key Vault Crypto User
)

func (c *bootCase) azureBoot(image string, add func(string, ...any)) {
	vmss := c.resource("azure-native:compute:VirtualMachineScaleSet")
	if vmss == nil {
		add("no scale set in %s", c.dr.Stack)
		return
	}
	// A gallery image version boots only in its replicated regions
	// (https://learn.microsoft.com/azure/virtual-machines/shared-image-galleries):
	// the release's image in region.
	if got := s(vmss.Inputs, "virtualMachineProfile", "storageProfile", "imageReference", "id"); got != image || s(vmss.Inputs, "location") != c.region {
		add("the scale set boots %s in %s; the release's image in %s is %q", got, s(vmss.Inputs, "location"), c.region, image)
	}
	principal := s(c.dr.Outputs, "app", "identity")
	identities := strs(vmss.Inputs, "identity", "userAssignedIdentities")
	if principal == "" || len(identities) == 0 {
		add("the scale set has no user-assigned identity")
	}
	granted := func(role string, scope func(string) bool) bool {
		for _, r := range all(c.dr, "azure-native:authorization:RoleAssignment") {
			if s(r.Inputs, "principalId") == principal && strings.HasSuffix(s(r.Inputs, "roleDefinitionId"), "/"+role) && scope(s(r.Inputs, "scope")) {
				return true
			}
		}
		return false
	}
	// Key Vault RBAC: Secrets User reads secrets, Crypto User encrypts and
	// decrypts (https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
	vaults := c.azureVaultsIn()
	inVault := func(scope string) bool {
		return slices.ContainsFunc(vaults, func(v string) bool { return strings.EqualFold(scope, v) })
	}
	if !granted(azureSecretsUser, inVault) {
		add("the app's identity may not read secrets in a vault in %s (Key Vault Secrets User)", c.region)
	}
	if !granted(azureCryptoUser, func(scope string) bool {
		vault, key, _ := strings.Cut(scope, "/keys/")
		return key == "field" && inVault(vault)
	}) {
		add("the app's identity may not use the field key in %s (Key Vault Crypto User)", c.region)
	}
	c.azureSecretsReplicated(vaults, add)
	c.azureDatabase(add)
	// The scale set's instances join the gateway's backend pool
	// (https://learn.microsoft.com/azure/application-gateway/tutorial-create-vmss-cli).
	gw := c.resource("azure-native:network:ApplicationGateway")
	joined := false
	for _, pool := range strs(vmss.Inputs, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", "0", "ipConfigurations", "0", "applicationGatewayBackendAddressPools") {
		joined = joined || gw != nil && strings.HasPrefix(pool, gw.ID+"/backendAddressPools/")
	}
	for _, p := range asList(at(vmss.Inputs, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", "0", "ipConfigurations", "0", "applicationGatewayBackendAddressPools")) {
		joined = joined || gw != nil && strings.HasPrefix(s(p, "id"), gw.ID+"/backendAddressPools/")
	}
	if !joined {
		add("the scale set is in no backend pool of the application gateway")
	}
}

// azureVaultsIn are the source's Key Vaults located in region: Key Vault
// does not replicate a vault's contents to another region by itself, so
// the source writes its secrets to a vault there.
func (c *bootCase) azureVaultsIn() []string {
	var out []string
	for _, v := range all(c.source, "azure-native:keyvault:Vault") {
		if s(v.Inputs, "location") == c.region {
			out = append(out, v.ID)
		}
	}
	return out
}

// azureSecretsReplicated: every secret of the source is in a vault in region.
func (c *bootCase) azureSecretsReplicated(vaults []string, add func(string, ...any)) {
	names := map[string]bool{}
	for _, v := range all(c.source, "azure-native:keyvault:Vault") {
		if slices.Contains(vaults, v.ID) {
			names[s(v.Inputs, "vaultName")] = true
		}
	}
	secrets := map[string]bool{}
	here := map[string]bool{}
	for _, sec := range all(c.source, "azure-native:keyvault:Secret") {
		name := s(sec.Inputs, "secretName")
		secrets[name] = true
		here[name] = here[name] || names[s(sec.Inputs, "vaultName")]
	}
	if len(secrets) == 0 {
		add("the source holds no secrets to check")
	}
	for name := range secrets {
		if !here[name] {
			add("the source's secret %s has no copy in a vault in %s", name, c.region)
		}
	}
}

// azureDatabase: the server is a geo-restore (or point-in-time restore)
// of the source's backups in region
// (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore#geo-redundant-backup-and-restore),
// signs in with Microsoft Entra ID
// (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-azure-ad-authentication),
// and its built-in PgBouncer is on, where the app connects on 6432
// (https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-pgbouncer).
// The app's own Entra role is created in the database by SQL (the API has
// no resource for it), so the plan cannot show it.
func (c *bootCase) azureDatabase(add func(string, ...any)) {
	srv := c.resource("azure-native:dbforpostgresql/v20240801:Server")
	if srv == nil {
		add("no PostgreSQL server in %s", c.dr.Stack)
		return
	}
	name := s(srv.Inputs, "serverName")
	if mode := s(srv.Inputs, "createMode"); (mode != "GeoRestore" && mode != "PointInTimeRestore") || s(srv.Inputs, "sourceServerResourceId") == "" {
		add("the server %s is not a restore (createMode %q): it would start empty", name, mode)
	}
	if s(srv.Inputs, "location") != c.region {
		add("the server is in %s, not %s", s(srv.Inputs, "location"), c.region)
	}
	if s(srv.Inputs, "authConfig", "activeDirectoryAuth") != "Enabled" {
		add("the server does not take Microsoft Entra sign-in")
	}
	if one(c.dr, "azure-native:dbforpostgresql/v20240801:Configuration", func(r jsonResource) bool {
		return s(r.Inputs, "configurationName") == "pgbouncer.enabled" && s(r.Inputs, "value") == "true" && s(r.Inputs, "serverName") == name
	}) == nil {
		add("PgBouncer is not on for %s", name)
	}
	if ep := s(c.dr.Outputs, "database", "poolerEndpoint"); !strings.HasPrefix(ep, name+".") || at(c.dr.Outputs, "database", "poolerPort") != float64(6432) {
		add("the app's database endpoint %s:%v is not %s's PgBouncer", ep, at(c.dr.Outputs, "database", "poolerPort"), name)
	}
}
