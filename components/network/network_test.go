package network

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func planNetwork(t *testing.T, cloud core.Cloud, env core.Environment) *plan.Plan {
	t.Helper()
	return testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, env)
		if err != nil {
			return err
		}
		_, err = NewNetwork(ctx, "primary", &NetworkArgs{Deployment: dep, Site: dep.Primary, AppServiceAccount: testAppAccount})
		return err
	})
}

const testAppAccount = "wedsync-prod-app@wedsync-prod.iam.gserviceaccount.com"

var ofType = testkit.OfType

// azureVNet is the virtual network's type: the 2024-03-01 API, the first
// with defaultOutboundAccess.
const azureVNet = "azure-native:network/v20240301:VirtualNetwork"

func TestAWSNetwork(t *testing.T) {
	prod := planNetwork(t, core.AWS, core.Prod)
	t.Run("prod_has_a_nat_gateway_per_zone", func(t *testing.T) {
		if n := len(ofType(prod, "aws:ec2/natGateway:NatGateway")); n != 3 {
			t.Errorf("NAT gateways = %d, want 3", n)
		}
	})
	t.Run("dev_shares_one_nat_gateway", func(t *testing.T) {
		if n := len(ofType(planNetwork(t, core.AWS, core.Dev), "aws:ec2/natGateway:NatGateway")); n != 1 {
			t.Errorf("NAT gateways = %d, want 1", n)
		}
	})
	t.Run("database_subnets_have_no_route_out", func(t *testing.T) {
		for _, rt := range ofType(prod, "aws:ec2/routeTable:RouteTable") {
			if rt.Name != "primary-database" {
				continue
			}
			if routes, ok := rt.Inputs["routes"].([]any); ok && len(routes) > 0 {
				t.Errorf("database route table has routes %v", routes)
			}
			return
		}
		t.Error("no database route table")
	})
	t.Run("every_database_subnet_is_associated_with_the_database_route_table", func(t *testing.T) {
		// A database subnet left out (or associated with an app table) would
		// route out through NAT: the empty table proves nothing unless the
		// database subnets are the ones that use it.
		var dbRT string
		for _, rt := range ofType(prod, "aws:ec2/routeTable:RouteTable") {
			if rt.Name == "primary-database" {
				dbRT = rt.ID
			}
		}
		tier := map[string]string{}
		for _, sn := range ofType(prod, "aws:ec2/subnet:Subnet") {
			tags, _ := sn.Inputs["tags"].(map[string]any)
			tier[sn.ID], _ = tags["tier"].(string)
		}
		associated := map[string][]string{}
		for _, a := range ofType(prod, "aws:ec2/routeTableAssociation:RouteTableAssociation") {
			sn, _ := a.Inputs["subnetId"].(string)
			rt, _ := a.Inputs["routeTableId"].(string)
			associated[sn] = append(associated[sn], rt)
			if rt == dbRT && tier[sn] != "database" {
				t.Errorf("the database route table is associated with %s subnet %s", tier[sn], sn)
			}
		}
		databaseSubnets := 0
		for sn, tr := range tier {
			if tr != "database" {
				continue
			}
			databaseSubnets++
			if got := associated[sn]; len(got) != 1 || got[0] != dbRT {
				t.Errorf("database subnet %s is associated with %v, want only the database route table %s", sn, got, dbRT)
			}
		}
		if dbRT == "" || databaseSubnets != 3 {
			t.Errorf("database route table %q, %d database subnets; want one table and 3 subnets", dbRT, databaseSubnets)
		}
	})
	t.Run("database_admits_postgres_from_the_app_group_and_itself_only", func(t *testing.T) {
		ids := map[string]string{}
		for _, r := range ofType(prod, "aws:ec2/securityGroup:SecurityGroup") {
			ids[r.Name] = r.ID
		}
		from := map[any]bool{}
		for _, r := range ofType(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
			if r.Inputs["securityGroupId"] != ids["primary-database"] {
				continue
			}
			if r.Inputs["fromPort"] != float64(PostgresPort) || r.Inputs["toPort"] != float64(PostgresPort) || r.Inputs["cidrIpv4"] != nil {
				t.Errorf("database ingress %v, want 5432 from a group", r.Inputs)
			}
			from[r.Inputs["referencedSecurityGroupId"]] = true
		}
		// The database group's own members: RDS Proxy, which sits in it.
		if len(from) != 2 || !from[ids["primary-app"]] || !from[ids["primary-database"]] {
			t.Errorf("database admits %v, want exactly the app group %s and itself %s", from, ids["primary-app"], ids["primary-database"])
		}
	})
	t.Run("subnets_span_three_zones", func(t *testing.T) {
		zones := map[any]bool{}
		for _, r := range ofType(prod, "aws:ec2/subnet:Subnet") {
			zones[r.Inputs["availabilityZone"]] = true
		}
		if len(zones) != 3 {
			t.Errorf("zones = %v", zones)
		}
	})
}

func TestGCPNetworkPeersWithPrivateServicesForCloudSQL(t *testing.T) {
	p := planNetwork(t, core.GCP, core.Prod)
	conns := ofType(p, "gcp:servicenetworking/connection:Connection")
	if len(conns) != 1 || conns[0].Inputs["service"] != "servicenetworking.googleapis.com" {
		t.Fatalf("private services connection = %v", conns)
	}
	nets := ofType(p, "gcp:compute/network:Network")
	if len(nets) != 1 || nets[0].Inputs["autoCreateSubnetworks"] != false {
		t.Errorf("network = %v, want custom mode", nets)
	}
	if conns[0].Inputs["network"] != nets[0].ID {
		t.Errorf("peering network = %v, want %s", conns[0].Inputs["network"], nets[0].ID)
	}
}

func TestAzureNetworkDelegatesADatabaseSubnet(t *testing.T) {
	p := planNetwork(t, core.Azure, core.Prod)
	vnets := ofType(p, azureVNet)
	if len(vnets) != 1 {
		t.Fatalf("vnets = %d", len(vnets))
	}
	service, _ := plan.Lookup(vnets[0].Inputs, "subnets", "1", "delegations", "0", "serviceName")
	if service != "Microsoft.DBforPostgreSQL/flexibleServers" {
		t.Errorf("database subnet delegation = %v", service)
	}
	var zones []any
	for _, z := range ofType(p, "azure-native:network:PrivateZone") {
		zones = append(zones, z.Inputs["privateZoneName"])
	}
	if fmt.Sprint(zones) != "[privatelink.azconfig.io wedsync-prod-uks.private.postgres.database.azure.com privatelink.vaultcore.azure.net]" {
		t.Errorf("private DNS zones = %v, want App Configuration's, the server's and Key Vault's", zones)
	}
	if endpoints, _ := plan.Lookup(vnets[0].Inputs, "subnets", "2", "name"); endpoints != "endpoints" {
		t.Errorf("third subnet = %v, want the private endpoints'", endpoints)
	}
	if vnets[0].Inputs["tags"] == nil {
		t.Error("Azure resources must carry the standard tags")
	}
}

func TestTheNetworkRegistersAsNetworkNamedAfterItsPackage(t *testing.T) {
	regs := testkit.Registrations(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.AWS, core.Prod)
		if err != nil {
			return err
		}
		_, err = NewNetwork(ctx, "primary", &NetworkArgs{Deployment: dep, Site: dep.Primary})
		return err
	})
	if Type != "wedsync:network:Network" {
		t.Errorf("Type = %q, want the module to be the package's name", Type)
	}
	if n := len(testkit.Registered(regs, "wedsync:network:Network")); n != 1 {
		t.Errorf("%d networks registered as wedsync:network:Network, want 1", n)
	}
}

func TestNetworkArgsNameEveryProblemAndRegisterNothing(t *testing.T) {
	err := testkit.PlanErr(core.Prod, func(ctx *pulumi.Context) error {
		_, err := NewNetwork(ctx, "primary", &NetworkArgs{Site: core.Site{Role: "backup", Cloud: "oracle"}})
		return err
	})
	for _, field := range []string{"site.provider", "site.cloud", "site.role"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
	registered := testkit.Registrations(t, core.Prod, func(ctx *pulumi.Context) error {
		_, _ = NewNetwork(ctx, "primary", &NetworkArgs{Site: core.Site{Role: core.Primary, Cloud: "oracle"}})
		return nil
	})
	if n := len(testkit.Registered(registered, Type)); n != 0 {
		t.Errorf("%d networks registered for invalid args", n)
	}
}
