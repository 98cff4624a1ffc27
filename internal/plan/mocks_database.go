package plan

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The database component reads its outputs (endpoint, port, credentials
// secret, restore source) from these computed attributes.
func init() {
	attributes["aws:rds/instance:Instance"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		host := fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", id, shortHash(MockAWSAccount + w.region)[:12], w.region)
		set("address", host)
		set("endpoint", fmt.Sprintf("%s:5432", host))
		set("port", 5432)
		set("resourceId", "db-"+shortHash("dbi" + id + w.region)[:26])
		secret := "rds!db-" + uuidFrom("secret"+id+w.region)
		set("masterUserSecrets", []any{map[string]any{
			"secretArn":    fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", w.region, MockAWSAccount, secret, shortHash(secret)[:6]),
			"secretStatus": "active",
			"kmsKeyId":     str(in, "masterUserSecretKmsKeyId"),
		}})
	}
	attributes["aws:rds/proxy:Proxy"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		phys := physicalName(name, in, "name")
		set("endpoint", fmt.Sprintf("%s.proxy-c%s.%s.rds.amazonaws.com", phys, shortHash(MockAWSAccount + w.region)[:12], w.region))
	}
	attributes["gcp:sql/databaseInstance:DatabaseInstance"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("connectionName", fmt.Sprintf("%s:%s:%s", w.project, w.region, id))
		set("privateIpAddress", fmt.Sprintf("10.%d.0.3", 64+int(shortHash(id)[0])%32))
		set("firstIpAddress", fmt.Sprintf("10.%d.0.3", 64+int(shortHash(id)[0])%32))
		set("publicIpAddress", "")
		set("serviceAccountEmailAddress", fmt.Sprintf("p%s-%s@gcp-sa-cloud-sql.iam.gserviceaccount.com", projectNumber(w.project), shortHash(id)[:6]))
	}
	serverFQDN := func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("fullyQualifiedDomainName", physicalName(name, in, "serverName")+".postgres.database.azure.com")
	}
	attributes["azure-native:dbforpostgresql:Server"] = serverFQDN
	attributes["azure-native:dbforpostgresql/v20240801:Server"] = serverFQDN
	attributes["azure-native:managedidentity:UserAssignedIdentity"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("principalId", MockAzurePrincipalID(id))
		set("clientId", uuidFrom("client"+id))
		set("tenantId", MockAzureTenant)
	}
}

// MockAzurePrincipalID is the principal id the offline plan gives the
// managed identity with resource id id: what role assignments to it name.
func MockAzurePrincipalID(id string) string { return uuidFrom("principal" + id) }
