package network

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// azureNSGs are the network security groups, one per subnet.
type azureNSGs struct {
	app, database, endpoints, gateway *network.NetworkSecurityGroup
}

// azureRule is one NSG rule: TCP unless protocol is set, from source to
// destination on ports.
type azureRule struct {
	name, direction, access, protocol string
	priority                          int
	source, destination, ports        string
}

func (r azureRule) args() network.SecurityRuleTypeArgs {
	protocol := r.protocol
	if protocol == "" {
		protocol = "Tcp"
	}
	return network.SecurityRuleTypeArgs{
		Name: pulumi.String(r.name), Priority: pulumi.Int(r.priority),
		Direction: pulumi.String(r.direction), Access: pulumi.String(r.access), Protocol: pulumi.String(protocol),
		SourceAddressPrefix: pulumi.String(r.source), SourcePortRange: pulumi.String("*"),
		DestinationAddressPrefix: pulumi.String(r.destination), DestinationPortRange: pulumi.String(r.ports),
	}
}

// denyAll is the rule at priority 4000 that refuses whatever the rules
// above it did not allow, in direction.
func denyAll(direction string) azureRule {
	return azureRule{name: "deny-everything-else-" + map[string]string{"Inbound": "inbound", "Outbound": "outbound"}[direction],
		direction: direction, access: "Deny", protocol: "*", priority: 4000, source: "*", destination: "*", ports: "*"}
}

// azureNSGs makes each subnet's group:
//   - app: the app port in from the gateway's probes and the network; out,
//     AppEgress only (azureAppEgress), everything else denied;
//   - database: PostgreSQL and PgBouncer in from the app subnet and from
//     the subnet itself (high availability's standby replicates within it);
//     out, the platform's defaults, since a private subnet with no NAT
//     reaches nothing public anyway;
//   - endpoints: HTTPS in from the app subnet and the gateway's (which
//     reads its certificate from Key Vault) only;
//   - gateway: what Application Gateway v2 requires, HTTPS and HTTP from the
//     internet, GatewayManager on 65200-65535 and the Azure load balancer
//     in, outbound to the internet left open
//     (learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups,
//     learn.microsoft.com/azure/application-gateway/application-gateway-private-deployment).
func (b *builder) azureNSGs() (azureNSGs, error) {
	l, pg := b.layout, fmt.Sprintf("%d", PostgresPort)
	app := []azureRule{
		{name: "allow-load-balancer-to-app", direction: "Inbound", access: "Allow", priority: 100, source: "AzureLoadBalancer", destination: "*", ports: fmt.Sprint(AppPort)},
		{name: "allow-vnet-to-app", direction: "Inbound", access: "Allow", priority: 110, source: "VirtualNetwork", destination: "*", ports: fmt.Sprint(AppPort)},
		denyAll("Inbound"),
	}
	app = append(append(app, b.azureAppEgress()...), denyAll("Outbound"))
	database := []azureRule{
		{name: "allow-app-to-postgres", direction: "Inbound", access: "Allow", priority: 100, source: l.app[0], destination: "*", ports: pg},
		{name: "allow-app-to-pgbouncer", direction: "Inbound", access: "Allow", priority: 110, source: l.app[0], destination: "*", ports: fmt.Sprint(PgBouncerPort)},
		{name: "allow-replication-within-subnet", direction: "Inbound", access: "Allow", priority: 120, source: l.database[0], destination: "*", ports: "*"},
		{name: "allow-load-balancer", direction: "Inbound", access: "Allow", protocol: "*", priority: 130, source: "AzureLoadBalancer", destination: "*", ports: "*"},
		denyAll("Inbound"),
	}
	endpoints := []azureRule{
		{name: "allow-app-to-endpoints", direction: "Inbound", access: "Allow", priority: 100, source: l.app[0], destination: "*", ports: "443"},
		// The Application Gateway reads its certificate from the Key Vault,
		// whose name resolves to its private endpoint inside the network.
		{name: "allow-gateway-to-endpoints", direction: "Inbound", access: "Allow", priority: 110, source: l.public[0], destination: "*", ports: "443"},
		denyAll("Inbound"),
	}
	gateway := []azureRule{
		{name: "allow-internet-https", direction: "Inbound", access: "Allow", priority: 100, source: "Internet", destination: "*", ports: "443"},
		{name: "allow-internet-http", direction: "Inbound", access: "Allow", priority: 110, source: "Internet", destination: "*", ports: "80"},
		{name: "allow-gateway-manager", direction: "Inbound", access: "Allow", priority: 120, source: "GatewayManager", destination: "*", ports: "65200-65535"},
		{name: "allow-load-balancer", direction: "Inbound", access: "Allow", protocol: "*", priority: 130, source: "AzureLoadBalancer", destination: "*", ports: "*"},
		denyAll("Inbound"),
	}
	var out azureNSGs
	var err error
	for _, g := range []struct {
		tier  string
		rules []azureRule
		into  **network.NetworkSecurityGroup
	}{{"app", app, &out.app}, {"database", database, &out.database}, {"endpoints", endpoints, &out.endpoints}, {"gateway", gateway, &out.gateway}} {
		if *g.into, err = b.azureNSG(g.tier, g.rules); err != nil {
			return out, err
		}
	}
	return out, nil
}

// azureAppEgress translates AppEgress into the app group's outbound
// allows: the database tier by its subnet, the cloud APIs by the private
// endpoints subnet, the internet by service tag (through the NAT gateway).
func (b *builder) azureAppEgress() []azureRule {
	var out []azureRule
	for i, e := range appEgressOn(core.Azure) {
		dest := map[Destination]string{ToDatabase: b.layout.database[0], ToCloudAPIs: b.layout.endpoints, ToInternet: "Internet"}[e.To]
		out = append(out, azureRule{name: "allow-app-" + e.Name, direction: "Outbound", access: "Allow",
			priority: 100 + 10*i, source: "*", destination: dest, ports: fmt.Sprint(e.Port)})
	}
	return out
}

// azureNSG is one subnet's group, named after its tier.
func (b *builder) azureNSG(tier string, rules []azureRule) (*network.NetworkSecurityGroup, error) {
	var args network.SecurityRuleTypeArray
	for _, r := range rules {
		args = append(args, r.args())
	}
	return network.NewNetworkSecurityGroup(b.ctx, b.name+"-"+tier, &network.NetworkSecurityGroupArgs{
		ResourceGroupName:        b.site.AzureResourceGroup,
		NetworkSecurityGroupName: pulumi.String(b.dep.Name(tier, b.site.Short())),
		Location:                 pulumi.String(b.site.Region),
		Tags:                     b.dep.Tags.For(core.Azure),
		SecurityRules:            args,
	}, b.opts()...)
}
