package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Mocked identities: the offline plan has no account, so it uses obviously
// fake ones, the same every run.
const (
	MockAWSAccount        = "123456789012"
	MockAzureSubscription = "00000000-0000-0000-0000-000000000000"
	MockAzureTenant       = "11111111-1111-1111-1111-111111111111"
	mockGCPProject        = "wedsync-offline"
)

// where is the cloud scope a resource lives in, from its explicit provider.
type where struct {
	region       string
	project      string // GCP
	subscription string // Azure
}

func scopeOf(provider *recorded, inputs resource.PropertyMap) where {
	w := where{region: "us-east-1", project: mockGCPProject, subscription: MockAzureSubscription}
	if provider != nil {
		pi := provider.Inputs
		if s, ok := pi["region"].(string); ok && s != "" {
			w.region = s
		}
		if s, ok := pi["location"].(string); ok && s != "" {
			w.region = s
		}
		if s, ok := pi["project"].(string); ok && s != "" {
			w.project = s
		}
		if s, ok := pi["subscriptionId"].(string); ok && s != "" {
			w.subscription = s
		}
	}
	for _, k := range []string{"region", "location"} {
		if v, ok := inputs[resource.PropertyKey(k)]; ok && v.IsString() && v.StringValue() != "" {
			w.region = strings.ToLower(v.StringValue())
		}
	}
	if v, ok := inputs["project"]; ok && v.IsString() && v.StringValue() != "" {
		w.project = v.StringValue()
	}
	return w
}

// token splits "aws:s3/bucketV2:BucketV2" into package "aws", module "s3"
// and type "BucketV2".
func token(t string) (pkg, module, typ string) {
	parts := strings.Split(t, ":")
	if len(parts) != 3 {
		return t, "", ""
	}
	pkg, module, typ = parts[0], parts[1], parts[2]
	if i := strings.Index(module, "/"); i >= 0 {
		module = module[:i]
	}
	return pkg, module, typ
}

// mockState returns a realistic id and the state a provider would: the
// inputs plus the computed attributes other resources refer to.
func mockState(typeToken, name string, inputs resource.PropertyMap, provider *recorded) (string, resource.PropertyMap) {
	state := inputs.Copy()
	set := func(k string, v any) {
		if _, ok := state[resource.PropertyKey(k)]; !ok {
			state[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	if strings.HasPrefix(typeToken, "pulumi:providers:") {
		return uuidFrom(typeToken + name), state
	}
	w := scopeOf(provider, inputs)
	pkg, module, typ := token(typeToken)
	var id string
	switch pkg {
	case "aws":
		id = awsState(module, typ, name, inputs, w, set)
	case "gcp":
		id = gcpState(module, typ, name, inputs, w, set)
	case "azure-native":
		id = azureState(module, typ, name, inputs, w, set)
	default:
		id = name + "-" + shortHash(typeToken+name)
	}
	if physical, ok := ids[typeToken]; ok {
		id = physical(id, name, inputs, w)
	}
	if special, ok := attributes[typeToken]; ok {
		special(id, name, inputs, w, set)
	}
	systemIdentity(state, id)
	return id, state
}

// systemIdentity gives a resource declaring a system-assigned identity
// (Azure) the principal the cloud would create for it.
func systemIdentity(state resource.PropertyMap, id string) {
	v, ok := state["identity"]
	if !ok || !v.IsObject() {
		return
	}
	identity := v.ObjectValue().Copy()
	if t, ok := identity["type"]; !ok || !t.IsString() || t.StringValue() != "SystemAssigned" {
		return
	}
	if _, ok := identity["principalId"]; !ok {
		identity["principalId"] = resource.NewStringProperty(uuidFrom("principal" + id))
		identity["tenantId"] = resource.NewStringProperty(MockAzureTenant)
	}
	state["identity"] = resource.NewObjectProperty(identity)
}

// ids replaces the derived id of resource types whose provider ids are not
// their names (by type token; entries live in mocks_<kind>.go files).
var ids = map[string]func(id, name string, in resource.PropertyMap, w where) string{}

type setter func(key string, value any)

// attributes adds the computed outputs of specific resource types that other
// resources (or the program's outputs) read, by type token. Component
// packages' mocks add to it in files of their own (attributes_<kind>.go).
var attributes = map[string]func(id, name string, in resource.PropertyMap, w where, set setter){}

func str(in resource.PropertyMap, keys ...string) string {
	for _, k := range keys {
		if v, ok := in[resource.PropertyKey(k)]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	return ""
}

// physicalName is the name the cloud would know the resource by: the
// explicit name input if the program set one, else the logical name.
func physicalName(name string, in resource.PropertyMap, keys ...string) string {
	if s := str(in, keys...); s != "" {
		return s
	}
	return name
}

// AWS: ids like the service's own (vpc-..., key UUIDs, names) and ARNs.
var awsIDPrefix = map[string]string{
	"Vpc": "vpc-", "Subnet": "subnet-", "SecurityGroup": "sg-", "LaunchTemplate": "lt-",
	"RouteTable": "rtb-", "InternetGateway": "igw-", "NatGateway": "nat-", "Eip": "eipalloc-",
	"VpcEndpoint": "vpce-", "NetworkAcl": "acl-",
}

// awsGlobal are services whose ARNs carry no region.
var awsGlobal = map[string]bool{"iam": true, "s3": true, "budgets": true, "cloudfront": true, "route53": true}

func awsState(module, typ, name string, in resource.PropertyMap, w where, set setter) string {
	phys := physicalName(name, in, "name", "bucket", "identifier", "clusterIdentifier", "autoScalingGroupName", "scheduledActionName", "budgetName")
	id := phys
	resourcePath := lowerFirst(typ) + "/" + phys
	switch {
	case awsIDPrefix[typ] != "":
		id = awsIDPrefix[typ] + shortHash(module + typ + name + w.region)[:17]
		resourcePath = strings.ToLower(awsIDPrefix[typ][:len(awsIDPrefix[typ])-1]) + "/" + id
	case module == "kms" && (typ == "Key" || typ == "ReplicaKey"):
		id = uuidFrom(module + typ + name + w.region)
		if b, ok := in["multiRegion"]; ok && b.IsBool() && b.BoolValue() {
			id = "mrk-" + strings.ReplaceAll(id, "-", "")
		}
		resourcePath = "key/" + id
		set("keyId", id)
	case module == "kms" && typ == "Alias":
		resourcePath = phys
	case module == "iam":
		resourcePath = lowerFirst(typ) + "/" + phys
	case module == "rds" && typ == "Cluster":
		resourcePath = "cluster:" + phys
	case module == "rds" && typ == "ClusterInstance", module == "rds" && typ == "Instance":
		resourcePath = "db:" + phys
	case module == "rds" && typ == "Proxy":
		resourcePath = "db-proxy:prx-" + shortHash(phys + w.region)[:17]
	case module == "secretsmanager" && typ == "Secret":
		resourcePath = "secret:" + phys + "-" + shortHash(phys)[:6]
		id = "arn:aws:secretsmanager:" + w.region + ":" + MockAWSAccount + ":" + resourcePath
	case module == "lb" && (typ == "LoadBalancer" || typ == "TargetGroup"):
		resourcePath = lbResourcePath(typ, phys, w.region)
	case module == "sns" && typ == "Topic":
		resourcePath = phys
		id = "arn:aws:sns:" + w.region + ":" + MockAWSAccount + ":" + phys
	}
	region, account := w.region, MockAWSAccount
	if awsGlobal[module] {
		region = ""
	}
	if module == "s3" {
		account, resourcePath = "", phys
	}
	service := module
	if module == "lb" {
		service = "elasticloadbalancing"
	}
	set("arn", fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, account, resourcePath))
	return id
}

// GCP: ids are resource paths; self links are their API URLs.
func gcpState(module, typ, name string, in resource.PropertyMap, w where, set setter) string {
	phys := physicalName(name, in, "name", "accountId", "secretId")
	var id string
	switch {
	case module == "kms" && typ == "CryptoKey":
		id = str(in, "keyRing") + "/cryptoKeys/" + phys
	case module == "kms" && typ == "KeyRing":
		id = fmt.Sprintf("projects/%s/locations/%s/keyRings/%s", w.project, w.region, phys)
	case module == "storage" && typ == "Bucket", module == "sql" && typ == "DatabaseInstance":
		id = phys
	case module == "secretmanager" && typ == "Secret":
		id = fmt.Sprintf("projects/%s/secrets/%s", w.project, phys)
	case module == "pubsub" && typ == "Topic":
		// A transfer job's notificationConfig.pubsubTopic takes this form.
		id = fmt.Sprintf("projects/%s/topics/%s", w.project, phys)
	case module == "serviceaccount" && typ == "Account":
		email := fmt.Sprintf("%s@%s.iam.gserviceaccount.com", phys, w.project)
		id = fmt.Sprintf("projects/%s/serviceAccounts/%s", w.project, email)
		set("email", email)
		set("member", "serviceAccount:"+email)
	case module == "compute" && (strings.HasPrefix(typ, "Region") || typ == "Subnetwork" || typ == "Router"):
		id = fmt.Sprintf("projects/%s/regions/%s/%s/%s", w.project, w.region, plural(typ), phys)
	case module == "compute":
		id = fmt.Sprintf("projects/%s/global/%s/%s", w.project, plural(typ), phys)
	default:
		id = fmt.Sprintf("projects/%s/locations/%s/%s/%s", w.project, w.region, plural(typ), phys)
	}
	set("name", phys)
	set("selfLink", "https://www.googleapis.com/"+module+"/v1/"+id)
	return id
}

// Azure: ids are ARM resource ids.
var azureNamespaces = map[string]string{
	"storage": "Microsoft.Storage", "keyvault": "Microsoft.KeyVault", "dbforpostgresql": "Microsoft.DBforPostgreSQL",
	"compute": "Microsoft.Compute", "insights": "Microsoft.Insights", "operationalinsights": "Microsoft.OperationalInsights",
	"managedidentity": "Microsoft.ManagedIdentity", "network": "Microsoft.Network", "authorization": "Microsoft.Authorization",
	"consumption": "Microsoft.Consumption", "resources": "Microsoft.Resources",
}

// azureTypes names ARM resource types whose plural is not just type+"s".
var azureTypes = map[string]string{
	"keyvault:Vault": "vaults", "dbforpostgresql:Server": "flexibleServers", "managedidentity:UserAssignedIdentity": "userAssignedIdentities",
	"compute:VirtualMachineScaleSet": "virtualMachineScaleSets", "insights:AutoscaleSetting": "autoscalesettings",
	"insights:DiagnosticSetting": "diagnosticSettings", "network:PrivateDnsZone": "privateDnsZones",
	"network:PrivateZone": "privateDnsZones", "storage:BlobServiceProperties": "blobServices",
}

// azureNameInputs names the input holding the resource's own name where it
// is not <type>Name (a storage account's accountName, a scale set's
// vmScaleSetName): the name the resource's id ends in and its name output.
var azureNameInputs = map[string]string{
	"storage:StorageAccount": "accountName", "compute:VirtualMachineScaleSet": "vmScaleSetName",
	"managedidentity:UserAssignedIdentity": "resourceName", "managedidentity:FederatedIdentityCredential": "federatedIdentityCredentialResourceName",
	"insights:MetricAlert": "ruleName", "insights:Workbook": "resourceName", "authorization:ManagementLockByScope": "lockName",
	"storage:BlobServiceProperties": "blobServicesName",
}

func azureState(module, typ, name string, in resource.PropertyMap, w where, set setter) string {
	phys := physicalName(name, in, lowerFirst(typ)+"Name", azureNameInputs[module+":"+typ], "name")
	rg := str(in, "resourceGroupName")
	set("name", phys)
	if module == "resources" && typ == "ResourceGroup" {
		return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", w.subscription, phys)
	}
	kind := azureTypes[module+":"+typ]
	if kind == "" {
		kind = lowerFirst(plural(typ))
	}
	ns := azureNamespaces[module]
	if ns == "" {
		ns = "Microsoft." + strings.ToUpper(module[:1]) + module[1:]
	}
	scope := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", w.subscription, rg)
	// A resource whose parent-name input names its own kind (a server's
	// serverName, an account's accountName) is the parent, not a child.
	if parentName := str(in, "vaultName", "accountName", "serverName", "virtualNetworkName", "privateZoneName"); parentName != "" && parentKind(module, in) != kind {
		// Child resources (keys, secrets, containers, subnets) nest under their parent.
		return fmt.Sprintf("%s/providers/%s/%s/%s/%s", scope, ns, parentKind(module, in), parentName, kind+"/"+phys)
	}
	return fmt.Sprintf("%s/providers/%s/%s/%s", scope, ns, kind, phys)
}

func parentKind(module string, in resource.PropertyMap) string {
	switch {
	case str(in, "vaultName") != "" && module == "dataprotection":
		return "backupVaults"
	case str(in, "vaultName") != "":
		return "vaults"
	case str(in, "accountName") != "":
		return "storageAccounts"
	case str(in, "serverName") != "":
		if module == "dbforpostgresql" {
			return "flexibleServers"
		}
		return "servers"
	case str(in, "virtualNetworkName") != "":
		return "virtualNetworks"
	}
	return "privateDnsZones"
}

// mockInvoke answers data sources with the mocked identities.
func mockInvoke(token string, args resource.PropertyMap, provider *recorded) (resource.PropertyMap, error) {
	answer, ok := invokes[token]
	if !ok {
		return nil, fmt.Errorf("the offline plan has no mock for data source %s; add one to the invokes table (internal/plan/mocks.go)", token)
	}
	return resource.NewPropertyMapFromMap(answer(args, scopeOf(provider, args))), nil
}

// invokes answers each data source the program calls, by token. Component
// packages' mocks add to it (and to attributes) in files of their own.
var invokes = map[string]func(args resource.PropertyMap, w where) map[string]any{
	"aws:index/getCallerIdentity:getCallerIdentity": func(_ resource.PropertyMap, _ where) map[string]any {
		return map[string]any{"accountId": MockAWSAccount, "arn": "arn:aws:iam::" + MockAWSAccount + ":role/wedsync-deploy", "userId": "AROAOFFLINEPLAN", "id": MockAWSAccount}
	},
	"aws:index/getRegion:getRegion": func(_ resource.PropertyMap, w where) map[string]any {
		return map[string]any{"name": w.region, "id": w.region}
	},
	"aws:index/getPartition:getPartition": func(_ resource.PropertyMap, _ where) map[string]any {
		return map[string]any{"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
	},
	"aws:index/getAvailabilityZones:getAvailabilityZones": func(_ resource.PropertyMap, w where) map[string]any {
		return map[string]any{"names": []any{w.region + "a", w.region + "b", w.region + "c"}, "id": w.region}
	},
	"gcp:organizations/getProject:getProject": func(_ resource.PropertyMap, w where) map[string]any {
		return map[string]any{"projectId": w.project, "number": "123456789012", "name": w.project, "id": "projects/" + w.project}
	},
	"gcp:organizations/getClientConfig:getClientConfig": func(_ resource.PropertyMap, w where) map[string]any {
		return map[string]any{"project": w.project, "region": w.region, "id": w.project}
	},
	"azure-native:authorization:getClientConfig": func(_ resource.PropertyMap, w where) map[string]any {
		return map[string]any{"subscriptionId": w.subscription, "tenantId": MockAzureTenant, "clientId": "22222222-2222-2222-2222-222222222222", "objectId": "33333333-3333-3333-3333-333333333333"}
	},
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func uuidFrom(s string) string {
	h := shortHash(s)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func plural(s string) string {
	s = lowerFirst(strings.TrimPrefix(s, "Region"))
	switch {
	case strings.HasSuffix(s, "y") && !strings.ContainsAny(s[len(s)-2:len(s)-1], "aeiou"):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, "s"):
		return s + "es"
	}
	return s + "s"
}
