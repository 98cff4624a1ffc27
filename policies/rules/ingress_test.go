package rules

// The ingress of each compliant prod stack: the load balancer, locked
// down, and the only public resource.

const (
	albARN = "arn:aws:elasticloadbalancing:eu-west-2:123456789012:loadbalancer/app/wedsync-prod-web/0123456789abcdef"
	gwID   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/wedsync-prod-web"
	pipID  = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/wedsync-prod-web"
	redir  = "projects/p/global/urlMaps/wedsync-prod-web-redirect"
	natIP  = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/wedsync-prod-nat"
)

func awsIngressFixtures() []fixture {
	return []fixture{
		{typ: awsSG, name: "web-sg", id: "sg-web", inputs: obj("name", "wedsync-prod-web", "ingress", arr(obj("protocol", "tcp", "fromPort", 443.0, "toPort", 443.0, "cidrBlocks", arr("0.0.0.0/0"))))},
		{typ: awsLB, name: "lb", id: "wedsync-prod-web", inputs: obj("name", "wedsync-prod-web", "internal", false, "securityGroups", arr("sg-web"),
			"accessLogs", obj("enabled", true, "bucket", "wedsync-prod-web-logs"))},
		{typ: awsLBListener, name: "web-https", inputs: obj("loadBalancerArn", albARN, "protocol", "HTTPS", "port", 443.0, "sslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06")},
		{typ: awsLBListener, name: "web-http", inputs: obj("loadBalancerArn", albARN, "protocol", "HTTP", "port", 80.0,
			"defaultActions", arr(obj("type", "redirect", "redirect", obj("protocol", "HTTPS", "port", "443"))))},
		{typ: awsLBTarget, name: "web-tg", inputs: obj("port", 8080.0, "protocol", "HTTP", "healthCheck", obj("enabled", true, "path", "/healthz"))},
		{typ: awsWAFAssoc, name: "web-waf", inputs: obj("resourceArn", albARN, "webAclArn", "arn:aws:wafv2:eu-west-2:123456789012:regional/webacl/web/1")},
	}
}

func gcpIngressFixtures() []fixture {
	return []fixture{
		{typ: gcpBackend, name: "web-backend", inputs: obj("loadBalancingScheme", "EXTERNAL_MANAGED", "securityPolicy", "projects/p/global/securityPolicies/web",
			"logConfig", obj("enable", true), "healthChecks", "projects/p/global/healthChecks/web")},
		{typ: gcpSSLPolicy, name: "web-ssl", inputs: obj("profile", "MODERN", "minTlsVersion", "TLS_1_2")},
		{typ: gcpHTTPSProxy, name: "web-https-proxy", inputs: obj("sslPolicy", "projects/p/global/sslPolicies/web")},
		{typ: gcpURLMap, name: "web-redirect", id: redir, inputs: obj("name", "wedsync-prod-web-redirect", "defaultUrlRedirect", obj("httpsRedirect", true))},
		{typ: gcpHTTPProxy, name: "web-http-proxy", inputs: obj("urlMap", redir)},
		{typ: gcpFirewall, name: "health-checks", inputs: obj("direction", "INGRESS", "sourceRanges", arr("35.191.0.0/16", "130.211.0.0/22"))},
	}
}

func azureIngressFixtures() []fixture {
	sub := func(kind, name string) map[string]any { return obj("id", gwID+"/"+kind+"/"+name) }
	return []fixture{
		{typ: azPublicIP, name: "web-pip", id: pipID, inputs: obj("publicIpAddressName", "wedsync-prod-web")},
		{typ: azAppGateway, name: "lb", id: gwID, inputs: obj("sku", obj("name", "WAF_v2", "tier", "WAF_v2"),
			"firewallPolicy", obj("id", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/web"),
			"sslPolicy", obj("policyType", "Predefined", "policyName", "AppGwSslPolicy20220101"),
			"frontendIPConfigurations", arr(obj("name", "public", "publicIPAddress", obj("id", pipID))),
			"httpListeners", arr(obj("name", "https", "protocol", "Https"), obj("name", "http", "protocol", "Http")),
			"backendHttpSettingsCollection", arr(obj("name", "app", "probe", sub("probes", "app"))),
			"requestRoutingRules", arr(
				obj("name", "https", "httpListener", sub("httpListeners", "https"), "backendAddressPool", sub("backendAddressPools", "app")),
				obj("name", "http", "httpListener", sub("httpListeners", "http"), "redirectConfiguration", sub("redirectConfigurations", "to-https"))))},
		// The app subnet's way out: a NAT gateway's address is public but
		// admits nothing.
		{typ: azPublicIP, name: "nat-pip", id: natIP, inputs: obj("publicIpAddressName", "wedsync-prod-nat")},
		{typ: azNATGateway, name: "nat", inputs: obj("publicIpAddresses", arr(obj("id", natIP)))},
		{typ: azDiagnostics, name: "web-logs", inputs: obj("resourceUri", gwID, "workspaceId", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/web")},
	}
}

// ingressBreakings are a violating row per cloud for each ingress rule;
// the compliant rows are the fixtures above, in every compliant stack.
var ingressBreakings = []breaking{
	{"alb_listener_accepting_tls10", "aws", "web-https", "sslPolicy", "ELBSecurityPolicy-2016-08", PolicyLBTLS, ""},
	{"alb_listener_without_policy", "aws", "web-https", "sslPolicy", remove, PolicyLBTLS, ""},
	{"gcp_ssl_policy_tls10", "gcp", "web-ssl", "minTlsVersion", "TLS_1_0", PolicyLBTLS, ""},
	{"gcp_https_proxy_default_policy", "gcp", "web-https-proxy", "sslPolicy", remove, PolicyLBTLS, ""},
	{"azure_gateway_old_tls_policy", "azure", "lb", "sslPolicy.policyName", "AppGwSslPolicy20150501", PolicyLBTLS, ""},
	{"alb_http_listener_forwards", "aws", "web-http", "defaultActions.0.type", "forward", PolicyLBHTTPRedirect, ""},
	{"gcp_http_proxy_serves", "gcp", "web-redirect", "defaultUrlRedirect.httpsRedirect", false, PolicyLBHTTPRedirect, "web-http-proxy"},
	{"azure_http_rule_to_backends", "azure", "lb", "requestRoutingRules.1.redirectConfiguration", remove, PolicyLBHTTPRedirect, ""},
	{"alb_without_waf", "aws", "web-waf", "", nil, PolicyLBWAF, "lb"},
	{"gcp_backend_without_armor", "gcp", "web-backend", "securityPolicy", remove, PolicyLBWAF, ""},
	{"azure_gateway_without_waf_sku", "azure", "lb", "sku.tier", "Standard_v2", PolicyLBWAF, ""},
	{"alb_without_access_logs", "aws", "lb", "accessLogs.enabled", false, PolicyLBAccessLogs, ""},
	{"gcp_backend_without_logging", "gcp", "web-backend", "logConfig.enable", false, PolicyLBAccessLogs, ""},
	{"azure_gateway_without_diagnostics", "azure", "web-logs", "", nil, PolicyLBAccessLogs, "lb"},
	{"alb_target_group_health_check_off", "aws", "web-tg", "healthCheck.enabled", false, PolicyLBHealthCheck, ""},
	{"gcp_backend_without_health_check", "gcp", "web-backend", "healthChecks", remove, PolicyLBHealthCheck, ""},
	{"azure_settings_without_probe", "azure", "lb", "backendHttpSettingsCollection.0.probe", remove, PolicyLBHealthCheck, ""},
	{"aws_open_security_group_not_a_load_balancers", "aws", "lb", "securityGroups", arr("sg-other"), PolicyPublicEntry, "web-sg"},
	{"gcp_firewall_open_to_the_internet", "gcp", "health-checks", "sourceRanges", arr("0.0.0.0/0"), PolicyPublicEntry, ""},
	{"azure_public_ip_not_the_gateways", "azure", "lb", "frontendIPConfigurations.0.publicIPAddress.id", "/elsewhere", PolicyPublicEntry, "web-pip"},
	{"azure_public_ip_not_the_nat_gateways", "azure", "nat", "publicIpAddresses.0.id", "/elsewhere", PolicyPublicEntry, "nat-pip"},
}

func init() { breakings = append(breakings, ingressBreakings...) }
