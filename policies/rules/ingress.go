package rules

import (
	"slices"
	"strings"
)

// Ingress: the load balancer is the only way in, and it is locked down.
const (
	PolicyLBTLS          = "lb-tls12-minimum"
	PolicyLBHTTPRedirect = "lb-http-redirect-only"
	PolicyLBWAF          = "lb-waf-attached"
	PolicyLBAccessLogs   = "lb-access-logs"
	PolicyLBHealthCheck  = "lb-backend-health-check"
	PolicyPublicEntry    = "public-entry-is-the-load-balancer"
)

const (
	awsLB           = "aws:lb/loadBalancer:LoadBalancer"
	awsLBListener   = "aws:lb/listener:Listener"
	awsLBTarget     = "aws:lb/targetGroup:TargetGroup"
	awsWAFAssoc     = "aws:wafv2/webAclAssociation:WebAclAssociation"
	awsSG           = "aws:ec2/securityGroup:SecurityGroup"
	gcpSSLPolicy    = "gcp:compute/sSLPolicy:SSLPolicy"
	gcpHTTPSProxy   = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
	gcpHTTPProxy    = "gcp:compute/targetHttpProxy:TargetHttpProxy"
	gcpURLMap       = "gcp:compute/uRLMap:URLMap"
	gcpBackend      = "gcp:compute/backendService:BackendService"
	gcpFirewall     = "gcp:compute/firewall:Firewall"
	azAppGateway    = "azure-native:network:ApplicationGateway"
	azPublicIP      = "azure-native:network:PublicIPAddress"
	azNATGateway    = "azure-native:network:NatGateway"
	azDiagnostics   = "azure-native:insights:DiagnosticSetting"
	everywhereIPv6  = "::/0"
	azGatewayWAFSku = "WAF_v2"
)

// awsTLS12Policies are the ALB security policy families that refuse
// TLS 1.0 and 1.1 (the default, ELBSecurityPolicy-2016-08, accepts them).
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
var awsTLS12Policies = []string{"ELBSecurityPolicy-TLS13-", "ELBSecurityPolicy-FS-1-2-", "ELBSecurityPolicy-TLS-1-2-"}

// azureTLS12Policies are the predefined gateway policies with TLS 1.2 as
// the minimum. https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
var azureTLS12Policies = []string{"AppGwSslPolicy20220101", "AppGwSslPolicy20220101S", "AppGwSslPolicy20170401S"}

func ingressPolicies() []*Policy {
	return []*Policy{
		{
			Name: PolicyLBTLS,
			Description: "Load balancer listeners accept TLS 1.2 or newer only: ALB HTTPS listeners with an ELBSecurityPolicy-TLS13-, FS-1-2- or TLS-1-2- policy, " +
				"GCP SSL policies with minTlsVersion TLS_1_2 and every target HTTPS proxy naming one, Application Gateways with a TLS 1.2-minimum policy.",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{awsLBListener: awsListenerTLS, gcpSSLPolicy: gcpSSLPolicyTLS, gcpHTTPSProxy: gcpProxyHasSSLPolicy, azAppGateway: azureGatewayTLS},
		},
		{
			Name:        PolicyLBHTTPRedirect,
			Description: "Plain HTTP only redirects to HTTPS: ALB HTTP listeners only redirect to HTTPS, GCP target HTTP proxies use a URL map that only redirects to HTTPS, Application Gateway HTTP listeners route only to a redirect.",
			Level:       Mandatory,
			Stack:       withChecks(gcpHTTPRedirectStack, map[string]func(*Resource, *Env) []string{awsLBListener: awsHTTPRedirects, azAppGateway: azureHTTPRedirects}),
			Judges:      []string{awsLBListener, gcpHTTPProxy, azAppGateway},
		},
		{
			Name:        PolicyLBWAF,
			Description: "In prod a WAF guards every public entry point: each internet-facing ALB has a WAFv2 web ACL association, each external GCP backend service a Cloud Armor securityPolicy, each Application Gateway is WAF_v2 with a firewallPolicy.",
			Level:       Mandatory,
			ProdOnly:    true,
			Stack:       withChecks(awsALBWAFStack, map[string]func(*Resource, *Env) []string{gcpBackend: gcpBackendArmor, azAppGateway: azureGatewayWAF}),
			Judges:      []string{awsLB, gcpBackend, azAppGateway},
		},
		{
			Name:        PolicyLBAccessLogs,
			Description: "In prod the load balancer logs every request: ALB accessLogs.enabled, external GCP backend services logConfig.enable, Application Gateways a diagnostic setting naming them.",
			Level:       Mandatory,
			ProdOnly:    true,
			Stack:       withChecks(azureGatewayLogsStack, map[string]func(*Resource, *Env) []string{awsLB: awsALBLogs, gcpBackend: gcpBackendLogs}),
			Judges:      []string{awsLB, gcpBackend, azAppGateway},
		},
		{
			Name:        PolicyLBHealthCheck,
			Description: "A public backend group has a health check: ALB target groups with healthCheck enabled and a path, external GCP backend services with healthChecks, Application Gateway backend settings each with a probe.",
			Level:       Mandatory,
			Check:       map[string]func(*Resource, *Env) []string{awsLBTarget: awsTargetHealth, gcpBackend: gcpBackendHealth, azAppGateway: azureGatewayProbes},
		},
		{
			Name: PolicyPublicEntry,
			Description: "The load balancer is the only public resource: a security group open to the internet belongs to a load balancer, no GCP firewall rule admits 0.0.0.0/0 " +
				"(the global load balancer needs none), and every Azure public IP is an Application Gateway's frontend or a NAT gateway's outbound address (which admits no inbound connection).",
			Level:  Mandatory,
			Stack:  withChecks(publicEntryStack, map[string]func(*Resource, *Env) []string{gcpFirewall: gcpFirewallNotOpen}),
			Judges: []string{awsSG, gcpFirewall, azPublicIP},
		},
	}
}

// withChecks is a stack policy that also judges resources one by one:
// for rules where some clouds need the whole stack and others do not.
func withChecks(stack func(*Stack, *Env) []Finding, checks map[string]func(*Resource, *Env) []string) func(*Stack, *Env) []Finding {
	return func(s *Stack, env *Env) []Finding {
		out := stack(s, env)
		for typ, check := range checks {
			for _, r := range s.OfType(typ) {
				for _, msg := range check(r, env) {
					out = append(out, Finding{URN: r.URN, Message: msg})
				}
			}
		}
		return out
	}
}

func awsListenerTLS(r *Resource, _ *Env) []string {
	proto, st := str(r.Props, "protocol")
	if st != known || (proto != "HTTPS" && proto != "TLS") {
		return nil
	}
	p, st := str(r.Props, "sslPolicy")
	if st == unknown || slices.ContainsFunc(awsTLS12Policies, func(prefix string) bool { return strings.HasPrefix(p, prefix) }) {
		return nil
	}
	return []string{fix("sslPolicy %q accepts TLS older than 1.2 (the default, ELBSecurityPolicy-2016-08, accepts TLS 1.0)", "set sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06", p)}
}

func gcpSSLPolicyTLS(r *Resource, _ *Env) []string {
	if v, st := str(r.Props, "minTlsVersion"); st != unknown && v != "TLS_1_2" && v != "TLS_1_3" {
		return []string{fix("minTlsVersion is %q: TLS 1.0 and 1.1 are accepted (the default is TLS_1_0)", "set minTlsVersion: TLS_1_2 and profile MODERN or RESTRICTED", v)}
	}
	return nil
}

func gcpProxyHasSSLPolicy(r *Resource, _ *Env) []string {
	if ok, st := set(r.Props, "sslPolicy"); st == absent || (st == known && !ok) {
		return []string{fix("no sslPolicy: the proxy uses Google's default policy, which accepts TLS 1.0", "set sslPolicy to a policy with minTlsVersion TLS_1_2")}
	}
	return nil
}

func azureGatewayTLS(r *Resource, _ *Env) []string {
	name, nst := str(r.Props, "sslPolicy", "policyName")
	minimum, mst := str(r.Props, "sslPolicy", "minProtocolVersion")
	if nst == unknown || mst == unknown || slices.Contains(azureTLS12Policies, name) || minimum == "TLSv1_2" || minimum == "TLSv1_3" {
		return nil
	}
	return []string{fix("sslPolicy does not set TLS 1.2 as the minimum (without one the gateway's default policy applies)", "set sslPolicy {policyType: Predefined, policyName: AppGwSslPolicy20220101}")}
}

func awsHTTPRedirects(r *Resource, _ *Env) []string {
	if proto, st := str(r.Props, "protocol"); st != known || proto != "HTTP" {
		return nil
	}
	actions, _ := list(r.Props, "defaultActions")
	for _, a := range actions {
		typ, tst := str(a, "type")
		to, pst := str(a, "redirect", "protocol")
		if tst == unknown || pst == unknown {
			continue
		}
		if typ != "redirect" || to != "HTTPS" {
			return []string{fix("the HTTP listener serves requests (%s) instead of redirecting them", "make its only default action {type: redirect, redirect: {protocol: HTTPS, port: \"443\", statusCode: HTTP_301}}", typ)}
		}
	}
	return nil
}

// azureListenerProtocols maps each gateway listener's name to its protocol.
func azureListenerProtocols(r *Resource) map[string]string {
	out := map[string]string{}
	listeners, _ := list(r.Props, "httpListeners")
	for _, l := range listeners {
		name, _ := str(l, "name")
		proto, _ := str(l, "protocol")
		out[name] = proto
	}
	return out
}

func azureHTTPRedirects(r *Resource, _ *Env) []string {
	protos := azureListenerProtocols(r)
	rules, _ := list(r.Props, "requestRoutingRules")
	for _, rule := range rules {
		listener, _ := str(rule, "httpListener", "id")
		if !strings.EqualFold(protos[lastSegment(listener)], "Http") {
			continue
		}
		redirect, _ := set(rule, "redirectConfiguration", "id")
		pool, _ := set(rule, "backendAddressPool", "id")
		if !redirect || pool {
			name, _ := str(rule, "name")
			return []string{fix("routing rule %s sends plain HTTP to the backends", "route the HTTP listener only to a redirect configuration targeting the HTTPS listener", name)}
		}
	}
	return nil
}

func gcpHTTPRedirectStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	for _, proxy := range s.OfType(gcpHTTPProxy) {
		for _, m := range s.OfType(gcpURLMap) {
			if proxy.refers("urlMap", m) != yes {
				continue
			}
			if on, st := boolean(m.Props, "defaultUrlRedirect", "httpsRedirect"); st != unknown && !on {
				out = append(out, Finding{URN: proxy.URN, Message: fix("the HTTP proxy's URL map %s serves requests instead of redirecting them",
					"give it a URL map with only defaultUrlRedirect {httpsRedirect: true}", m.Name)})
			}
		}
	}
	return out
}

// gcpExternal reports whether a backend service faces the internet.
func gcpExternal(r *Resource) bool {
	scheme, st := str(r.Props, "loadBalancingScheme")
	return st == absent || scheme == "EXTERNAL" || scheme == "EXTERNAL_MANAGED"
}

func gcpBackendArmor(r *Resource, _ *Env) []string {
	if !gcpExternal(r) {
		return nil
	}
	if ok, st := set(r.Props, "securityPolicy"); st == absent || (st == known && !ok) {
		return []string{fix("the public backend service has no Cloud Armor securityPolicy", "attach a security policy with the preconfigured WAF rules and a rate limit")}
	}
	return nil
}

func azureGatewayWAF(r *Resource, _ *Env) []string {
	tier, tst := str(r.Props, "sku", "tier")
	policy, pst := set(r.Props, "firewallPolicy", "id")
	if tst == unknown || pst == unknown || (tier == azGatewayWAFSku && policy) {
		return nil
	}
	return []string{fix("the gateway (sku tier %q) has no WAF policy", "use sku WAF_v2 and set firewallPolicy.id to a WAF policy in Prevention mode", tier)}
}

func awsALBWAFStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	for _, alb := range s.OfType(awsLB) {
		if internal, _ := boolean(alb.Props, "internal"); internal {
			continue
		}
		guarded, undecided := false, false
		for _, a := range s.OfType(awsWAFAssoc) {
			switch albNamedBy(a, alb) {
			case yes:
				guarded = true
			case maybe:
				undecided = true
			}
		}
		if !guarded && !undecided {
			out = append(out, Finding{URN: alb.URN, Message: fix("the internet-facing load balancer has no WAF", "associate a WAFv2 web ACL (aws.wafv2.WebAclAssociation with resourceArn the ALB's ARN)")})
		}
	}
	return out
}

// albNamedBy reports whether a web ACL association's resourceArn is alb:
// by dependency, or by the ARN's name segment (loadbalancer/app/NAME/ID).
func albNamedBy(a, alb *Resource) tri {
	if slices.Contains(a.Deps["resourceArn"], alb.URN) {
		return yes
	}
	arn, st := str(a.Props, "resourceArn")
	if st == unknown {
		return maybe
	}
	name, _ := str(alb.Props, "name")
	if name != "" && strings.Contains(arn, ":loadbalancer/app/"+name+"/") {
		return yes
	}
	return no
}

func awsALBLogs(r *Resource, _ *Env) []string {
	if on, st := boolean(r.Props, "accessLogs", "enabled"); st != unknown && !on {
		return []string{fix("access logs are off: who reached the app cannot be traced", "set accessLogs {enabled: true, bucket: <log bucket>}")}
	}
	return nil
}

func gcpBackendLogs(r *Resource, _ *Env) []string {
	if !gcpExternal(r) {
		return nil
	}
	if on, st := boolean(r.Props, "logConfig", "enable"); st != unknown && !on {
		return []string{fix("request logging is off", "set logConfig {enable: true, sampleRate: 1}")}
	}
	return nil
}

func azureGatewayLogsStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	for _, gw := range s.OfType(azAppGateway) {
		if found, undecided := s.companions(gw, "resourceUri", azDiagnostics); len(found) == 0 && !undecided {
			out = append(out, Finding{URN: gw.URN, Message: fix("no diagnostic setting sends the gateway's access logs anywhere", "add an insights.DiagnosticSetting with resourceUri the gateway and logs categoryGroup allLogs")})
		}
	}
	return out
}

func awsTargetHealth(r *Resource, _ *Env) []string {
	if on, st := boolean(r.Props, "healthCheck", "enabled"); st == known && !on {
		return []string{fix("the target group's health check is off: the load balancer sends traffic to dead instances", "set healthCheck {enabled: true, path: /healthz}")}
	}
	if ok, st := set(r.Props, "healthCheck", "path"); st == absent || (st == known && !ok) {
		return []string{fix("the target group's health check has no path (it checks /, not the app's health)", "set healthCheck.path to the app's health endpoint")}
	}
	return nil
}

func gcpBackendHealth(r *Resource, _ *Env) []string {
	if !gcpExternal(r) {
		return nil
	}
	if ok, st := set(r.Props, "healthChecks"); st == absent || (st == known && !ok) {
		return []string{fix("the public backend service has no health check", "set healthChecks to an HTTP health check on the app's health path")}
	}
	return nil
}

func azureGatewayProbes(r *Resource, _ *Env) []string {
	settings, _ := list(r.Props, "backendHttpSettingsCollection")
	for _, s := range settings {
		if ok, st := set(s, "probe", "id"); st == absent || (st == known && !ok) {
			name, _ := str(s, "name")
			return []string{fix("backend settings %s have no health probe (the default probe checks /)", "add a probe on the app's health path and set the settings' probe.id", name)}
		}
	}
	return nil
}

func gcpFirewallNotOpen(r *Resource, _ *Env) []string {
	if dir, _ := str(r.Props, "direction"); dir == "EGRESS" {
		return nil
	}
	if ranges, _ := stringList(r.Props, "sourceRanges"); hasAny(ranges, everywhereIPv4, everywhereIPv6) {
		return []string{fix("the firewall rule admits the whole internet: only the load balancer may be public", "admit the load balancer's ranges (35.191.0.0/16, 130.211.0.0/22) or named sources only")}
	}
	return nil
}

// publicEntryStack: internet-open AWS security groups and Azure public
// IPs must belong to a load balancer.
func publicEntryStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	for _, sg := range s.OfType(awsSG) {
		if !sgOpenToInternet(sg) {
			continue
		}
		if !loadBalancersGroup(s, sg) {
			out = append(out, Finding{URN: sg.URN, Message: fix("the security group admits the internet but is no load balancer's: only the load balancer may be public",
				"admit traffic from the load balancer's security group or the VPC instead")})
		}
	}
	for _, ip := range s.OfType(azPublicIP) {
		if !azureGatewayFrontend(s, ip) && !azureNATAddress(s, ip) {
			out = append(out, Finding{URN: ip.URN, Message: fix("the public IP is neither an Application Gateway frontend nor a NAT gateway's outbound address: only the load balancer may be public",
				"remove it; reach the app through the gateway and instances through Bastion")})
		}
	}
	return out
}

// loadBalancersGroup reports whether some load balancer uses sg (or might:
// an unknown list is not judged).
func loadBalancersGroup(s *Stack, sg *Resource) bool {
	names := sg.names()
	for _, lb := range s.OfType(awsLB) {
		if slices.Contains(lb.Deps["securityGroups"], sg.URN) {
			return true
		}
		groups, st := stringList(lb.Props, "securityGroups")
		if st == unknown || hasAny(groups, names...) {
			return true
		}
	}
	return false
}

func sgOpenToInternet(sg *Resource) bool {
	rules, _ := list(sg.Props, "ingress")
	for _, r := range rules {
		v4, _ := stringList(r, "cidrBlocks")
		v6, _ := stringList(r, "ipv6CidrBlocks")
		if hasAny(v4, everywhereIPv4) || hasAny(v6, everywhereIPv6) {
			return true
		}
	}
	return false
}

// azureGatewayFrontend reports whether some gateway's frontend uses ip (or
// might: an unknown reference is not judged).
func azureGatewayFrontend(s *Stack, ip *Resource) bool {
	for _, gw := range s.OfType(azAppGateway) {
		if slices.Contains(gw.Deps["frontendIPConfigurations"], ip.URN) {
			return true
		}
		fronts, st := list(gw.Props, "frontendIPConfigurations")
		if st == unknown {
			return true
		}
		for _, f := range fronts {
			id, st := str(f, "publicIPAddress", "id")
			if st == unknown || (id != "" && slices.Contains(ip.names(), id)) {
				return true
			}
		}
	}
	return false
}

// azureNATAddress reports whether some NAT gateway sends the subnet's
// outbound traffic from ip (or might: an unknown list is not judged). A
// NAT gateway admits no connection from the internet
// (learn.microsoft.com/azure/nat-gateway/nat-overview).
func azureNATAddress(s *Stack, ip *Resource) bool {
	for _, nat := range s.OfType(azNATGateway) {
		if slices.Contains(nat.Deps["publicIpAddresses"], ip.URN) {
			return true
		}
		ips, st := list(nat.Props, "publicIpAddresses")
		if st == unknown {
			return true
		}
		for _, a := range ips {
			id, st := str(a, "id")
			if st == unknown || (id != "" && slices.Contains(ip.names(), id)) {
				return true
			}
		}
	}
	return false
}
