package rules

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Network and database observability rules (issue 23): egress that is
// explicit, networks that record their flows, databases that log sessions.
// The benchmark controls they implement are in benchmarks.go.
const (
	PolicyExplicitEgress = "egress-is-explicit"
	PolicyFlowLogs       = "networks-have-flow-logs"
	PolicyDBLogging      = "databases-log-sessions"
)

const (
	awsVPC        = "aws:ec2/vpc:Vpc"
	awsFlowLog    = "aws:ec2/flowLog:FlowLog"
	awsEgressRule = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	gcpSubnetwork = "gcp:compute/subnetwork:Subnetwork"
	azNSG         = "azure-native:network:NetworkSecurityGroup"
	azVNet        = "azure-native:network:VirtualNetwork"
	azFlowLog     = "azure-native:network:FlowLog"
)

// dbLogParameters are the PostgreSQL parameters every database must set
// (components/database ServerParameters), with the value each cloud writes.
var dbLogParameters = []struct{ name, on, aws string }{
	{"log_connections", "on", "1"},
	{"log_disconnections", "on", "1"},
	{"log_lock_waits", "on", "1"},
	{"log_temp_files", "0", "0"},
}

func networkPolicies() []*Policy {
	return []*Policy{
		{
			Name: PolicyExplicitEgress,
			Description: "No rule lets every protocol or every port out to anywhere: AWS security group egress, GCP egress firewall allows and Azure outbound NSG rules " +
				"name a protocol and ports for any destination that is the internet.",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{awsSG: awsEgressExplicit, awsEgressRule: awsEgressRuleExplicit, gcpFirewall: gcpEgressExplicit, azNSG: azureEgressExplicit},
		},
		{
			Name: PolicyFlowLogs,
			Description: "Every network records its flows: each AWS VPC has a flow log, each GCP subnetwork a log config, " +
				"each Azure virtual network an enabled Network Watcher flow log that targets it (virtual-network flow logs: NSG flow logs can no longer be created).",
			Level:  Mandatory,
			Stack:  withChecks(flowLogsStack, map[string]func(*Resource, *Env) []string{gcpSubnetwork: gcpSubnetworkLogged}),
			Judges: []string{awsVPC, gcpSubnetwork, azVNet},
		},
		{
			Name: PolicyDBLogging,
			Description: "Every PostgreSQL database logs connections, disconnections, lock waits and every temporary file (log_temp_files=0), " +
				"and Azure flexible servers throttle repeated failed sign-ins (connection_throttle.enable): in the RDS parameter group, the Cloud SQL flags, the flexible server configurations.",
			Level:  Mandatory,
			Stack:  withChecks(azureDBLoggingStack, map[string]func(*Resource, *Env) []string{awsRDSParameterGroup: rdsParamsLog, gcpSQLInstance: cloudSQLFlagsLog}),
			Judges: []string{azPGServer, awsRDSParameterGroup, gcpSQLInstance},
		},
	}
}

// anywhere reports whether a destination is the whole internet.
func anywhere(dests ...string) bool {
	return hasAny(dests, everywhereIPv4, everywhereIPv6, "*", "Internet", "any")
}

func awsEgressExplicit(r *Resource, _ *Env) []string {
	rules, _ := list(r.Props, "egress")
	var out []string
	for _, e := range rules {
		protocol, _ := str(e, "protocol")
		from, _ := number(e, "fromPort")
		to, _ := number(e, "toPort")
		v4, _ := stringList(e, "cidrBlocks")
		v6, _ := stringList(e, "ipv6CidrBlocks")
		if (protocol == "-1" || protocol == "all" || (from == 0 && to == 65535)) && anywhere(append(v4, v6...)...) {
			out = append(out, fix("egress lets protocol %s ports %v-%v out to anywhere", "allow TCP to the ports and destinations the egress table names", protocol, from, to))
		}
	}
	return out
}

func awsEgressRuleExplicit(r *Resource, _ *Env) []string {
	protocol, _ := str(r.Props, "ipProtocol")
	v4, _ := str(r.Props, "cidrIpv4")
	v6, _ := str(r.Props, "cidrIpv6")
	from, _ := number(r.Props, "fromPort")
	to, _ := number(r.Props, "toPort")
	if (protocol == "-1" || (from == 0 && to == 65535)) && anywhere(v4, v6) {
		return []string{fix("the rule lets every protocol or port out to anywhere", "allow TCP to the ports and destinations the egress table names")}
	}
	return nil
}

func gcpEgressExplicit(r *Resource, _ *Env) []string {
	if dir, _ := str(r.Props, "direction"); dir != "EGRESS" {
		return nil
	}
	dests, st := stringList(r.Props, "destinationRanges")
	if st == known && !anywhere(dests...) {
		return nil
	}
	allows, _ := list(r.Props, "allows")
	for _, a := range allows {
		protocol, _ := str(a, "protocol")
		ports, _ := stringList(a, "ports")
		if protocol == "all" || len(ports) == 0 {
			return []string{fix("the firewall allows %s on every port out to anywhere", "allow TCP on the egress table's ports, and deny the rest below it", protocol)}
		}
	}
	return nil
}

func azureEgressExplicit(r *Resource, _ *Env) []string {
	rules, _ := list(r.Props, "securityRules")
	var out []string
	for _, e := range rules {
		dir, _ := str(e, "direction")
		access, _ := str(e, "access")
		protocol, _ := str(e, "protocol")
		port, _ := str(e, "destinationPortRange")
		dest, _ := str(e, "destinationAddressPrefix")
		if dir == "Outbound" && access == "Allow" && (protocol == "*" || port == "*") && anywhere(dest) {
			name, _ := str(e, "name")
			out = append(out, fix("outbound rule %s allows %s on ports %s to %s", "allow TCP on the egress table's ports and deny the rest at the lowest priority", name, protocol, port, dest))
		}
	}
	return out
}

// flowLogsStack finds each AWS VPC's and Azure virtual network's flow log.
func flowLogsStack(s *Stack, _ *Env) []Finding {
	out := azureFlowLogs(s)
	for _, vpc := range s.OfType(awsVPC) {
		logs, undecided := s.companions(vpc, "vpcId", awsFlowLog)
		if len(logs) == 0 && !undecided {
			out = append(out, Finding{URN: vpc.URN, Message: fix("the VPC %s has no flow log", "add an aws:ec2/flowLog with vpcId the VPC and trafficType ALL", vpc.displayName())})
		}
	}
	return out
}

// azureFlowLogs finds each virtual network's enabled flow log (a disabled
// one records nothing).
func azureFlowLogs(s *Stack) []Finding {
	var out []Finding
	for _, vnet := range s.OfType(azVNet) {
		logs, undecided := s.companions(vnet, "targetResourceId", azFlowLog)
		enabled := false
		for _, l := range logs {
			if on, st := boolean(l.Props, "enabled"); st != known || on {
				enabled = true
			}
		}
		if !enabled && !undecided {
			out = append(out, Finding{URN: vnet.URN, Message: fix("the virtual network %s has no enabled flow log", "add an azure-native:network:FlowLog in the region's Network Watcher with targetResourceId the network and enabled true", vnet.displayName())})
		}
	}
	return out
}

func gcpSubnetworkLogged(r *Resource, _ *Env) []string {
	if ok, st := set(r.Props, "logConfig"); st == absent || (st == known && !ok) {
		return []string{fix("the subnetwork records no flows", "set logConfig (aggregationInterval, flowSampling, metadata)")}
	}
	return nil
}

// rdsParamsLog judges PostgreSQL parameter groups.
func rdsParamsLog(r *Resource, _ *Env) []string {
	if family, _ := str(r.Props, "family"); !strings.HasPrefix(family, "postgres") {
		return nil
	}
	params, st := list(r.Props, "parameters")
	if st == unknown {
		return nil
	}
	got, ok := namedValues(params, "name", "value")
	if !ok {
		return nil
	}
	return missingLogParams(got, func(p struct{ name, on, aws string }) string { return p.aws })
}

func cloudSQLFlagsLog(r *Resource, _ *Env) []string {
	if v, _ := str(r.Props, "databaseVersion"); !strings.HasPrefix(v, "POSTGRES") {
		return nil
	}
	flags, st := list(r.Props, "settings", "databaseFlags")
	if st == unknown {
		return nil
	}
	got, ok := namedValues(flags, "name", "value")
	if !ok {
		return nil
	}
	return missingLogParams(got, func(p struct{ name, on, aws string }) string { return p.on })
}

// namedValues reads name/value pairs; ok is false when any is unknown yet.
func namedValues(items []property.Map, nameKey, valueKey string) (map[string]string, bool) {
	got := map[string]string{}
	for _, it := range items {
		n, sn := str(it, nameKey)
		v, sv := str(it, valueKey)
		if sn == unknown || sv == unknown {
			return nil, false
		}
		got[n] = v
	}
	return got, true
}

func missingLogParams(got map[string]string, want func(struct{ name, on, aws string }) string) []string {
	var missing []string
	for _, p := range dbLogParameters {
		if got[p.name] != want(p) {
			missing = append(missing, fmt.Sprintf("%s=%s", p.name, want(p)))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []string{fix("the database does not log %s", "set %s (never log_min_duration_statement, which logs statement literals)", strings.Join(missing, ", "), strings.Join(missing, ", "))}
}

// azureDBLoggingStack finds each flexible server's logging configurations.
func azureDBLoggingStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	for _, server := range s.OfType(azPGServer) {
		if mode, _ := str(server.Props, "createMode"); mode == "Replica" {
			continue // a replica takes its primary's configuration
		}
		configs, undecided := s.companions(server, "serverName", azPGConfiguration)
		if undecided {
			continue
		}
		var props []property.Map
		for _, c := range configs {
			props = append(props, c.Props)
		}
		got, ok := namedValues(props, "configurationName", "value")
		if !ok {
			continue
		}
		want := []string{"connection_throttle.enable=on"}
		for _, p := range dbLogParameters {
			want = append(want, p.name+"="+p.on)
		}
		var missing []string
		for _, w := range want {
			n, v, _ := strings.Cut(w, "=")
			if !strings.EqualFold(got[n], v) {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			out = append(out, Finding{URN: server.URN, Message: fix("the flexible server %s does not set %s", "add a configuration for each", server.displayName(), strings.Join(missing, ", "))})
		}
	}
	return out
}
