package offline

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// The application's data path stays on the private network on every
// shipped stack (issue 19): AWS VPC endpoints for S3 (gateway, on every
// app route table), KMS and Secrets Manager (interface, private DNS); GCP
// Private Google Access on the app subnet; Azure a private endpoint to the
// vault the application is granted, in the Key Vault zone, and the
// PostgreSQL server injected into the network.
func TestTheDataPathStaysPrivate(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			res := planOf(t, stack)
			if problems := privatePathProblems(res.Plan, res.Config.Cloud, res.Config.Region); len(problems) > 0 {
				t.Errorf("data path leaves the private network:\n  %s", strings.Join(problems, "\n  "))
			}
		})
	}
}

// Broken variants: without each endpoint, the check must complain.
func TestPrivatePathCheckSeesAMissingEndpoint(t *testing.T) {
	for _, tc := range []struct{ stack, typ, name string }{
		{"prod", "aws:ec2/vpcEndpoint:VpcEndpoint", "primary-kms"},
		{"prod-dr", "aws:ec2/vpcEndpoint:VpcEndpoint", "primary-s3"},
		{"prod-azure", "azure-native:network:PrivateEndpoint", "app-vault"},
		{"prod-azure-dr", "azure-native:network:PrivateDnsZoneGroup", "app-vault"},
	} {
		res := planOf(t, tc.stack)
		broken := *res.Plan
		broken.Resources = slices.Clone(res.Plan.Resources)
		drop(&broken, tc.typ, tc.name)
		if len(privatePathProblems(&broken, res.Config.Cloud, res.Config.Region)) == 0 {
			t.Errorf("%s without %s: unnoticed", tc.stack, tc.name)
		}
	}
	res := planOf(t, "prod-gcp")
	broken := *res.Plan
	broken.Resources = slices.Clone(res.Plan.Resources)
	sn := find(&broken, "gcp:compute/subnetwork:Subnetwork", "primary-app")
	sn.Inputs = copyMap(sn.Inputs)
	sn.Inputs["privateIpGoogleAccess"] = false
	if len(privatePathProblems(&broken, core.GCP, res.Config.Region)) == 0 {
		t.Error("prod-gcp without Private Google Access: unnoticed")
	}
}

func privatePathProblems(p *plan.Plan, cloud core.Cloud, region string) []string {
	var out []string
	of := func(typ string) []plan.Resource {
		return slices.DeleteFunc(slices.Clone(p.Resources), func(r plan.Resource) bool { return r.Type != typ })
	}
	switch cloud {
	case core.AWS:
		endpoints := map[string]plan.Resource{}
		for _, r := range of("aws:ec2/vpcEndpoint:VpcEndpoint") {
			endpoints[fmt.Sprint(r.Inputs["serviceName"])] = r
		}
		appRoutes := 0
		for _, r := range of("aws:ec2/routeTable:RouteTable") {
			if strings.Contains(r.Name, "-app-") {
				appRoutes++
			}
		}
		if s3, ok := endpoints["com.amazonaws."+region+".s3"]; !ok || s3.Inputs["vpcEndpointType"] != "Gateway" || len(s3.Inputs["routeTableIds"].([]any)) != appRoutes {
			out = append(out, fmt.Sprintf("no S3 gateway endpoint on the %d app route tables", appRoutes))
		}
		for _, s := range []string{"kms", "secretsmanager"} {
			e, ok := endpoints["com.amazonaws."+region+"."+s]
			if !ok || e.Inputs["vpcEndpointType"] != "Interface" || e.Inputs["privateDnsEnabled"] != true {
				out = append(out, "no interface endpoint with private DNS for "+s)
			}
		}
	case core.GCP:
		for _, r := range of("gcp:compute/subnetwork:Subnetwork") {
			if r.Inputs["privateIpGoogleAccess"] != true {
				out = append(out, r.Name+" lacks Private Google Access")
			}
		}
	case core.Azure:
		vault := fmt.Sprint(find(p, "azure-native:authorization:RoleAssignment", "app-secrets").Inputs["scope"])
		var endpoint *plan.Resource
		for _, r := range of("azure-native:network:PrivateEndpoint") {
			c := r.Inputs["privateLinkServiceConnections"].([]any)[0].(map[string]any)
			if c["privateLinkServiceId"] == vault && fmt.Sprint(c["groupIds"]) == "[vault]" {
				endpoint = &r
			}
		}
		if endpoint == nil {
			out = append(out, "no private endpoint to the vault "+vault)
		} else if !slices.ContainsFunc(of("azure-native:network:PrivateDnsZoneGroup"), func(g plan.Resource) bool {
			return g.Inputs["privateEndpointName"] == endpoint.Inputs["privateEndpointName"] &&
				strings.Contains(fmt.Sprint(g.Inputs["privateDnsZoneConfigs"]), "privateDnsZones/privatelink.vaultcore.azure.net")
		}) {
			out = append(out, "the vault's private endpoint does not register in privatelink.vaultcore.azure.net")
		}
		for _, r := range of("azure-native:dbforpostgresql/v20240801:Server") {
			n, _ := r.Inputs["network"].(map[string]any)
			if n["delegatedSubnetResourceId"] == nil || n["publicNetworkAccess"] != "Disabled" {
				out = append(out, r.Name+" is not injected into the network")
			}
		}
	}
	return out
}

// Every shipped stack puts a pooler in front of its database (issue 19):
// RDS Proxy with IAM and TLS required, targeting the stack's instance (AWS),
// the server's built-in PgBouncer (Azure). GCP runs the documented PgBouncer
// sidecar on each instance (database.GCPPoolerHost), which has no resource.
func TestEveryStackPoolsItsConnections(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			res := planOf(t, stack)
			if err := poolerProblem(res.Plan, res.Config.Cloud); err != "" {
				t.Error(err)
			}
		})
	}
	res := planOf(t, "prod")
	broken := *res.Plan
	broken.Resources = slices.Clone(res.Plan.Resources)
	drop(&broken, "aws:rds/proxyTarget:ProxyTarget", "main")
	if poolerProblem(&broken, core.AWS) == "" {
		t.Error("a proxy without a target went unnoticed")
	}
}

func poolerProblem(p *plan.Plan, cloud core.Cloud) string {
	switch cloud {
	case core.AWS:
		proxy := find(p, "aws:rds/proxy:Proxy", "main")
		auth := proxy.Inputs["auths"].([]any)[0].(map[string]any)
		if proxy.Inputs["requireTls"] != true || auth["iamAuth"] != "REQUIRED" {
			return fmt.Sprintf("RDS Proxy without TLS or IAM required: %v", proxy.Inputs)
		}
		for _, r := range p.Resources {
			if r.Type == "aws:rds/proxyTarget:ProxyTarget" && r.Inputs["dbInstanceIdentifier"] == find(p, "aws:rds/instance:Instance", "main").Inputs["identifier"] {
				return ""
			}
		}
		return "RDS Proxy does not point at the database"
	case core.Azure:
		for _, r := range p.Resources {
			if strings.HasSuffix(r.Type, ":Configuration") && r.Inputs["configurationName"] == "pgbouncer.enabled" && r.Inputs["value"] == "true" {
				return ""
			}
		}
		return "the flexible server's PgBouncer is off"
	}
	return ""
}
