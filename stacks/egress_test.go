package stacks_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/network"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// wantEgress is the egress table as "<destination> tcp/<port>" rows, for
// cloud.
func wantEgress(cloud core.Cloud) []string {
	var out []string
	for _, e := range network.AppEgress {
		if e.On(cloud) {
			out = append(out, fmt.Sprintf("%s tcp/%d", e.To, e.Port))
		}
	}
	sort.Strings(out)
	return out
}

func byName(p *plan.Plan, typ string) map[string]plan.Resource {
	out := map[string]plan.Resource{}
	for _, r := range p.Resources {
		if r.Type == typ {
			out[r.Name] = r
		}
	}
	return out
}

func maps(v any) []map[string]any {
	var out []map[string]any
	list, _ := v.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Every shipped AWS stack's app group lets out exactly the egress table,
// TCP only, no other group lets anything out to anywhere or on every
// protocol, and each path the application needs is open at both ends.
func TestEveryAWSStacksEgressIsTheTable(t *testing.T) {
	for _, stack := range []string{"dev", "staging", "prod", "prod-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			groups := byName(p, "aws:ec2/securityGroup:SecurityGroup")
			app, db, endpoints, web := groups["primary-app"], groups["primary-database"], groups["primary-endpoints"], groups["web"]
			var got []string
			for _, e := range maps(app.Inputs["egress"]) {
				if e["protocol"] != "tcp" || e["fromPort"] != e["toPort"] {
					t.Errorf("app egress %v: want one TCP port", e)
				}
				var to network.Destination
				switch sgs := strs(e["securityGroups"]); {
				case slices.Equal(sgs, []string{db.ID}):
					to = network.ToDatabase
				case slices.Equal(sgs, []string{endpoints.ID}) && len(strs(e["prefixListIds"])) == 1:
					to = network.ToCloudAPIs
				case slices.Equal(strs(e["cidrBlocks"]), []string{"0.0.0.0/0"}) && sgs == nil:
					to = network.ToInternet
				}
				got = append(got, fmt.Sprintf("%s tcp/%v", to, e["fromPort"]))
			}
			sort.Strings(got)
			if want := wantEgress(core.AWS); !slices.Equal(got, want) {
				t.Errorf("app egress = %v, want the table's %v", got, want)
			}
			for name, g := range groups {
				for _, e := range maps(g.Inputs["egress"]) {
					if e["protocol"] == "-1" || (name != "primary-app" && slices.Contains(strs(e["cidrBlocks"]), "0.0.0.0/0")) {
						t.Errorf("group %s lets out %v", name, e)
					}
				}
			}
			awsPathsOpen(t, p, app, db, endpoints, web)
		})
	}
}

// awsPathsOpen follows each path: load balancer to the app port, app to
// the database and RDS Proxy on 5432, app to the interface endpoints on 443.
func awsPathsOpen(t *testing.T, p *plan.Plan, app, db, endpoints, web plan.Resource) {
	t.Helper()
	vpc := oneOf(t, p, "aws:ec2/vpc:Vpc", "")
	in := maps(app.Inputs["ingress"])
	if len(in) != 1 || in[0]["fromPort"] != float64(network.AppPort) || !slices.Equal(strs(in[0]["cidrBlocks"]), []string{lookup(vpc, "cidrBlock").(string)}) {
		t.Errorf("app ingress = %v, want the app port from the VPC", in)
	}
	if out := maps(web.Inputs["egress"]); len(out) != 1 || out[0]["fromPort"] != float64(network.AppPort) {
		t.Errorf("load balancer egress = %v, want the app port", out)
	}
	fromApp := false
	for _, r := range p.Resources {
		if r.Type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.Inputs["securityGroupId"] == db.ID &&
			r.Inputs["referencedSecurityGroupId"] == app.ID && r.Inputs["fromPort"] == float64(network.PostgresPort) {
			fromApp = true
		}
	}
	if !fromApp {
		t.Error("the database group does not admit 5432 from the app group")
	}
	for _, typ := range []string{"aws:rds/instance:Instance", "aws:rds/proxy:Proxy"} {
		for _, r := range p.Resources {
			if r.Type == typ && !slices.Contains(strs(r.Inputs["vpcSecurityGroupIds"]), db.ID) {
				t.Errorf("%s %s is not in the database group the app may reach", typ, r.Name)
			}
		}
	}
	for _, r := range p.Resources {
		if r.Type == "aws:ec2/vpcEndpoint:VpcEndpoint" && r.Inputs["vpcEndpointType"] == "Interface" &&
			!slices.Equal(strs(r.Inputs["securityGroupIds"]), []string{endpoints.ID}) {
			t.Errorf("endpoint %s is not behind the endpoints group the app may reach", r.Name)
		}
	}
	if in := maps(endpoints.Inputs["ingress"]); len(in) != 1 || in[0]["fromPort"] != float64(443) {
		t.Errorf("endpoints ingress = %v, want 443 from the VPC", in)
	}
}

// Every shipped GCP stack denies egress below its allows, and the allows
// are the table's, for the app's service account only; health checks and
// the database range stay reachable.
func TestEveryGCPStacksEgressIsTheTable(t *testing.T) {
	for _, stack := range []string{"prod-gcp", "prod-gcp-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			account := lookup(oneOf(t, p, "gcp:serviceaccount/account:Account", "app"), "accountId").(string)
			peering := oneOf(t, p, "gcp:compute/globalAddress:GlobalAddress", "primary-private-services")
			dbRange := fmt.Sprintf("%s/%v", lookup(peering, "address"), lookup(peering, "prefixLength"))
			var got []string
			denies := 0
			for _, f := range byName(p, "gcp:compute/firewall:Firewall") {
				if f.Inputs["direction"] == "INGRESS" {
					if slices.Equal(strs(f.Inputs["sourceRanges"]), []string{"35.191.0.0/16", "130.211.0.0/22"}) {
						got = append(got, "health-checks")
					}
					continue
				}
				if f.Inputs["denies"] != nil {
					denies++
					if f.Inputs["priority"] != float64(65000) || !slices.Equal(strs(f.Inputs["destinationRanges"]), []string{"0.0.0.0/0"}) {
						t.Errorf("deny %s = %v, want 0.0.0.0/0 at 65000", f.Name, f.Inputs)
					}
					continue
				}
				sas := strs(f.Inputs["targetServiceAccounts"])
				if len(sas) != 1 || sas[0] != account+"@"+projectOf(peering)+".iam.gserviceaccount.com" {
					t.Errorf("egress %s targets %v, want the app's service account", f.Name, sas)
				}
				allow := maps(f.Inputs["allows"])
				if len(allow) != 1 || allow[0]["protocol"] != "tcp" {
					t.Fatalf("egress %s allows %v, want one TCP port", f.Name, allow)
				}
				to := map[string]network.Destination{dbRange: network.ToDatabase, "199.36.153.8/30": network.ToCloudAPIs, "0.0.0.0/0": network.ToInternet}[strs(f.Inputs["destinationRanges"])[0]]
				got = append(got, fmt.Sprintf("%s tcp/%s", to, strs(allow[0]["ports"])[0]))
			}
			sort.Strings(got)
			want := append(wantEgress(core.GCP), "health-checks")
			sort.Strings(want)
			if denies != 1 || !slices.Equal(got, want) {
				t.Errorf("egress = %v with %d deny-all, want %v and one", got, denies, want)
			}
		})
	}
}

// Every shipped Azure stack's subnets are private, each has its own
// security group, the app leaves only through the NAT gateway and only as
// the table says, and each needed path is admitted at its far end.
func TestEveryAzureStacksEgressIsTheTable(t *testing.T) {
	for _, stack := range []string{"prod-azure", "prod-azure-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			vnet := oneOf(t, p, "azure-native:network/v20240301:VirtualNetwork", "")
			nsgs := map[string]plan.Resource{}
			for _, g := range byName(p, "azure-native:network:NetworkSecurityGroup") {
				nsgs[g.ID] = g
			}
			prefix := map[string]string{}
			rules := map[string][]map[string]any{}
			for _, sn := range maps(vnet.Inputs["subnets"]) {
				name, _ := sn["name"].(string)
				prefix[name], _ = sn["addressPrefix"].(string)
				if sn["defaultOutboundAccess"] != false {
					t.Errorf("subnet %s has default outbound access", name)
				}
				g, ok := nsgs[fmt.Sprint(lookupMap(sn, "networkSecurityGroup", "id"))]
				if !ok {
					t.Errorf("subnet %s has no security group", name)
				}
				rules[name] = maps(g.Inputs["securityRules"])
			}
			nat := oneOf(t, p, "azure-native:network:NatGateway", "")
			for _, sn := range maps(vnet.Inputs["subnets"]) {
				if sn["name"] == "app" && lookupMap(sn, "natGateway", "id") != nat.ID {
					t.Error("the app subnet does not leave through the NAT gateway")
				}
			}
			dest := map[string]network.Destination{prefix["database"]: network.ToDatabase, prefix["endpoints"]: network.ToCloudAPIs, "Internet": network.ToInternet}
			var got []string
			for _, r := range rules["app"] {
				if r["direction"] != "Outbound" {
					continue
				}
				if r["access"] == "Deny" {
					got = append(got, fmt.Sprintf("deny %v", r["destinationAddressPrefix"]))
					continue
				}
				got = append(got, fmt.Sprintf("%s %s/%v", dest[r["destinationAddressPrefix"].(string)], r["protocol"], r["destinationPortRange"]))
			}
			want := []string{}
			for _, w := range wantEgress(core.Azure) {
				want = append(want, strings.Replace(w, "tcp/", "Tcp/", 1))
			}
			want = append(want, "deny *")
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("app outbound = %v, want %v", got, want)
			}
			admits := func(subnet, from, port string) {
				for _, r := range rules[subnet] {
					if r["direction"] == "Inbound" && r["access"] == "Allow" && r["sourceAddressPrefix"] == from && r["destinationPortRange"] == port {
						return
					}
				}
				t.Errorf("the %s subnet does not admit %s from %s", subnet, port, from)
			}
			admits("app", "VirtualNetwork", fmt.Sprint(network.AppPort))
			admits("database", prefix["app"], "5432")
			admits("database", prefix["app"], "6432")
			admits("endpoints", prefix["app"], "443")
			admits("endpoints", prefix["gateway"], "443")
			admits("gateway", "GatewayManager", "65200-65535")
			admits("gateway", "Internet", "443")
			for _, a := range byName(p, "azure-native:storage:StorageAccount") {
				if lookup(a, "networkRuleSet", "defaultAction") != "Deny" && lookup(a, "publicNetworkAccess") != "Disabled" {
					t.Errorf("storage account %s answers from any network", a.Name)
				}
			}
		})
	}
}

func lookupMap(m map[string]any, path ...string) any {
	v, _ := plan.Lookup(m, path...)
	return v
}
