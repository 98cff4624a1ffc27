package ingress

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
)

// keyVaultSecretsUser lets the gateway read the certificate (a Key Vault
// certificate is read as its secret), and nothing else.
const keyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6"

// azureTLSPolicies are the predefined policies of each TLS setting, both
// with TLS 1.2 as the minimum (20220101S: fewer, stronger ciphers).
// https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
var azureTLSPolicies = map[string]string{TLSModern: "AppGwSslPolicy20220101", TLSRestricted: "AppGwSslPolicy20220101S"}

// Names of the gateway's parts, which refer to each other by id.
const (
	agFrontend = "public"
	agHTTPS    = "https"
	agHTTP     = "http"
	agPool     = "app"
	agSettings = "app"
	agProbe    = "app"
	agCert     = "hostname"
	agRedirect = "to-https"
)

// azure: an Application Gateway WAF_v2 across the region's zones on a
// zone-redundant public IP: a WAF policy (OWASP CRS in prevention mode and
// a per-address rate limit), the HTTPS listener's certificate read from
// the stack's Key Vault through a user-assigned identity, a TLS 1.2
// minimum, port 80 redirecting to HTTPS, a health probe on the app's path,
// and the backend pool the scale set's IP configuration joins. (Front Door
// would add a global edge, but not a zone-pinned regional entry point the
// DR stack can stand up in ukwest on its own.)
func (b *builder) azure() (outputs, error) {
	client, err := authorization.GetClientConfig(b.ctx, b.invoke()...)
	if err != nil {
		return outputs{}, err
	}
	identity, err := b.azureIdentity(client.SubscriptionId)
	if err != nil {
		return outputs{}, err
	}
	waf, err := b.azureWAFPolicy()
	if err != nil {
		return outputs{}, err
	}
	ip, err := network.NewPublicIPAddress(b.ctx, b.name, &network.PublicIPAddressArgs{
		ResourceGroupName: b.site.AzureResourceGroup, PublicIpAddressName: pulumi.String(b.dep.Name("web", b.site.Short())),
		Location: pulumi.String(b.site.Region), Tags: b.dep.Tags.For(core.Azure), Zones: pulumi.ToStringArray(b.site.Zones()),
		Sku:                      &network.PublicIPAddressSkuArgs{Name: pulumi.String("Standard"), Tier: pulumi.String("Regional")},
		PublicIPAllocationMethod: pulumi.String("Static"), PublicIPAddressVersion: pulumi.String("IPv4"),
	}, b.opts(b.dep.Protect())...)
	if err != nil {
		return outputs{}, err
	}
	gw, err := b.azureGateway(client.SubscriptionId, identity.id, waf, ip)
	if err != nil {
		return outputs{}, err
	}
	if b.s.Failover != FailoverStandby {
		if _, err := network.NewRecordSet(b.ctx, b.name+"-hostname", &network.RecordSetArgs{
			ResourceGroupName: pulumi.String(b.s.DNSResourceGroup), ZoneName: pulumi.String(b.s.DNSZone),
			RelativeRecordSetName: pulumi.String(strings.TrimSuffix(b.s.Hostname, "."+b.s.DNSZone)), RecordType: pulumi.String("A"),
			Ttl: pulumi.Float64(300), TargetResource: &network.SubResourceArgs{Id: ip.ID()},
		}, b.opts()...); err != nil {
			return outputs{}, err
		}
	}
	if err := b.azureMonitoring(gw); err != nil {
		return outputs{}, err
	}
	return outputs{
		pools:          pulumi.StringArray{pulumi.Sprintf("%s/backendAddressPools/%s", gw.ID(), agPool)}.ToStringArrayOutput(),
		address:        ip.IpAddress.Elem(),
		loadBalancerID: gw.ID().ToStringOutput(),
		metricsID:      gw.ID().ToStringOutput(),
	}, nil
}

// azureGatewayIdentity is who the gateway reads its certificate as.
type azureGatewayIdentity struct {
	id pulumi.IDOutput
}

// azureIdentity is the gateway's user-assigned identity, granted Key
// Vault Secrets User on the stack's vault (which holds the certificate).
func (b *builder) azureIdentity(subscription string) (azureGatewayIdentity, error) {
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name, &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: b.site.AzureResourceGroup, ResourceName: pulumi.String(b.dep.Name("web", b.site.Short())),
		Location: pulumi.String(b.site.Region), Tags: b.dep.Tags.For(core.Azure),
	}, b.opts()...)
	if err != nil {
		return azureGatewayIdentity{}, err
	}
	_, err = authorization.NewRoleAssignment(b.ctx, b.name+"-certificate", &authorization.RoleAssignmentArgs{
		Scope:            b.a.Vault.VaultID,
		PrincipalId:      identity.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: pulumi.String(fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", subscription, keyVaultSecretsUser)),
		Description:      pulumi.String("lets the WedSync Application Gateway read its TLS certificate"),
	}, b.opts()...)
	return azureGatewayIdentity{id: identity.ID()}, err
}

// azureCertificateName is the Key Vault certificate of the hostname
// (app.wedsync.co.uk: app-wedsync-co-uk), issued or imported by operators.
func (s Settings) azureCertificateName() string { return strings.ReplaceAll(s.Hostname, ".", "-") }

// azureWAFPolicy is the gateway's WAF: OWASP CRS 3.2 (prevention, or
// detection in count mode) and a rate limit per client address.
// https://learn.microsoft.com/azure/web-application-firewall/ag/rate-limiting-overview
func (b *builder) azureWAFPolicy() (*network.WebApplicationFirewallPolicy, error) {
	mode := map[string]string{WAFBlock: "Prevention", WAFCount: "Detection"}[b.s.WAFMode]
	return network.NewWebApplicationFirewallPolicy(b.ctx, b.name, &network.WebApplicationFirewallPolicyArgs{
		ResourceGroupName: b.site.AzureResourceGroup, PolicyName: pulumi.String(b.dep.CompactName(128, "web", b.site.Short())),
		Location: pulumi.String(b.site.Region), Tags: b.dep.Tags.For(core.Azure),
		PolicySettings: &network.PolicySettingsArgs{
			State: pulumi.String("Enabled"), Mode: pulumi.String(mode), RequestBodyCheck: pulumi.Bool(true),
		},
		ManagedRules: &network.ManagedRulesDefinitionArgs{ManagedRuleSets: network.ManagedRuleSetArray{
			network.ManagedRuleSetArgs{RuleSetType: pulumi.String("OWASP"), RuleSetVersion: pulumi.String("3.2")},
		}},
		CustomRules: network.WebApplicationFirewallCustomRuleArray{network.WebApplicationFirewallCustomRuleArgs{
			Name: pulumi.String("ratelimit"), Priority: pulumi.Int(10), RuleType: pulumi.String("RateLimitRule"),
			RateLimitDuration: pulumi.String("FiveMins"), RateLimitThreshold: pulumi.Int(b.s.RateLimit), Action: pulumi.String("Block"),
			GroupByUserSession: network.GroupByUserSessionArray{network.GroupByUserSessionArgs{
				GroupByVariables: network.GroupByVariableArray{network.GroupByVariableArgs{VariableName: pulumi.String("ClientAddr")}},
			}},
			// Every request: no address is outside 0.0.0.0/0's complement.
			MatchConditions: network.MatchConditionArray{network.MatchConditionArgs{
				MatchVariables: network.MatchVariableArray{network.MatchVariableArgs{VariableName: pulumi.String("RemoteAddr")}},
				Operator:       pulumi.String("IPMatch"), NegationConditon: pulumi.Bool(true), MatchValues: pulumi.StringArray{pulumi.String("255.255.255.255/32")},
			}},
		}},
	}, b.opts()...)
}

// azureGateway is the WAF_v2 gateway. Its parts refer to each other by id
// under the gateway's own (known before it exists).
func (b *builder) azureGateway(subscription string, identity pulumi.IDOutput, waf *network.WebApplicationFirewallPolicy, ip *network.PublicIPAddress) (*network.ApplicationGateway, error) {
	name := b.dep.Name("web", b.site.Short())
	ref := func(kind, part string) *network.SubResourceArgs {
		return &network.SubResourceArgs{Id: pulumi.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/applicationGateways/%s/%s/%s",
			subscription, b.site.AzureResourceGroup, name, kind, part)}
	}
	capacity := map[bool][2]int{true: {2, 20}, false: {1, 4}}[b.dep.IsProd()]
	return network.NewApplicationGateway(b.ctx, b.name, &network.ApplicationGatewayArgs{
		ResourceGroupName: b.site.AzureResourceGroup, ApplicationGatewayName: pulumi.String(name),
		Location: pulumi.String(b.site.Region), Tags: b.dep.Tags.For(core.Azure), Zones: pulumi.ToStringArray(b.site.Zones()),
		Sku:                    &network.ApplicationGatewaySkuArgs{Name: pulumi.String("WAF_v2"), Tier: pulumi.String("WAF_v2")},
		AutoscaleConfiguration: &network.ApplicationGatewayAutoscaleConfigurationArgs{MinCapacity: pulumi.Int(capacity[0]), MaxCapacity: pulumi.Int(capacity[1])},
		Identity:               &network.ManagedServiceIdentityArgs{Type: network.ResourceIdentityTypeUserAssigned, UserAssignedIdentities: pulumi.StringArray{identity}},
		FirewallPolicy:         &network.SubResourceArgs{Id: waf.ID()},
		EnableHttp2:            pulumi.Bool(true),
		SslPolicy:              &network.ApplicationGatewaySslPolicyArgs{PolicyType: pulumi.String("Predefined"), PolicyName: pulumi.String(azureTLSPolicies[b.s.TLSPolicy])},
		GatewayIPConfigurations: network.ApplicationGatewayIPConfigurationArray{network.ApplicationGatewayIPConfigurationArgs{
			Name: pulumi.String("gateway"), Subnet: &network.SubResourceArgs{Id: b.a.Network.PublicSubnetIDs.Index(pulumi.Int(0))},
		}},
		FrontendIPConfigurations: network.ApplicationGatewayFrontendIPConfigurationArray{network.ApplicationGatewayFrontendIPConfigurationArgs{
			Name: pulumi.String(agFrontend), PublicIPAddress: &network.SubResourceArgs{Id: ip.ID()},
		}},
		FrontendPorts: network.ApplicationGatewayFrontendPortArray{
			network.ApplicationGatewayFrontendPortArgs{Name: pulumi.String(agHTTPS), Port: pulumi.Int(443)},
			network.ApplicationGatewayFrontendPortArgs{Name: pulumi.String(agHTTP), Port: pulumi.Int(80)},
		},
		SslCertificates: network.ApplicationGatewaySslCertificateArray{network.ApplicationGatewaySslCertificateArgs{
			Name: pulumi.String(agCert), KeyVaultSecretId: pulumi.Sprintf("%ssecrets/%s", b.a.Vault.VaultURI, b.s.azureCertificateName()),
		}},
		HttpListeners: network.ApplicationGatewayHttpListenerArray{
			network.ApplicationGatewayHttpListenerArgs{Name: pulumi.String(agHTTPS), Protocol: pulumi.String("Https"), HostName: pulumi.String(b.s.Hostname),
				RequireServerNameIndication: pulumi.Bool(true), FrontendIPConfiguration: ref("frontendIPConfigurations", agFrontend),
				FrontendPort: ref("frontendPorts", agHTTPS), SslCertificate: ref("sslCertificates", agCert)},
			network.ApplicationGatewayHttpListenerArgs{Name: pulumi.String(agHTTP), Protocol: pulumi.String("Http"),
				FrontendIPConfiguration: ref("frontendIPConfigurations", agFrontend), FrontendPort: ref("frontendPorts", agHTTP)},
		},
		BackendAddressPools: network.ApplicationGatewayBackendAddressPoolArray{network.ApplicationGatewayBackendAddressPoolArgs{Name: pulumi.String(agPool)}},
		BackendHttpSettingsCollection: network.ApplicationGatewayBackendHttpSettingsArray{network.ApplicationGatewayBackendHttpSettingsArgs{
			Name: pulumi.String(agSettings), Port: pulumi.Int(appPort), Protocol: pulumi.String("Http"), CookieBasedAffinity: pulumi.String("Disabled"),
			RequestTimeout: pulumi.Int(30), Probe: ref("probes", agProbe), PickHostNameFromBackendAddress: pulumi.Bool(true),
		}},
		Probes: network.ApplicationGatewayProbeArray{network.ApplicationGatewayProbeArgs{
			Name: pulumi.String(agProbe), Protocol: pulumi.String("Http"), Path: pulumi.String(b.s.HealthCheckPath), Port: pulumi.Int(appPort),
			Interval: pulumi.Int(15), Timeout: pulumi.Int(5), UnhealthyThreshold: pulumi.Int(3), PickHostNameFromBackendHttpSettings: pulumi.Bool(true),
			Match: &network.ApplicationGatewayProbeHealthResponseMatchArgs{StatusCodes: pulumi.StringArray{pulumi.String("200-399")}},
		}},
		RedirectConfigurations: network.ApplicationGatewayRedirectConfigurationArray{network.ApplicationGatewayRedirectConfigurationArgs{
			Name: pulumi.String(agRedirect), RedirectType: pulumi.String("Permanent"), TargetListener: ref("httpListeners", agHTTPS),
			IncludePath: pulumi.Bool(true), IncludeQueryString: pulumi.Bool(true),
		}},
		RequestRoutingRules: network.ApplicationGatewayRequestRoutingRuleArray{
			network.ApplicationGatewayRequestRoutingRuleArgs{Name: pulumi.String(agHTTPS), RuleType: pulumi.String("Basic"), Priority: pulumi.Int(100),
				HttpListener: ref("httpListeners", agHTTPS), BackendAddressPool: ref("backendAddressPools", agPool), BackendHttpSettings: ref("backendHttpSettingsCollection", agSettings)},
			network.ApplicationGatewayRequestRoutingRuleArgs{Name: pulumi.String(agHTTP), RuleType: pulumi.String("Basic"), Priority: pulumi.Int(200),
				HttpListener: ref("httpListeners", agHTTP), RedirectConfiguration: ref("redirectConfigurations", agRedirect)},
		},
	}, b.opts()...)
}

// azureWebTestLocations are where the availability test runs from: UK
// South, West Europe and East US.
// https://learn.microsoft.com/azure/azure-monitor/app/availability-standard-tests#location-population-tags
var azureWebTestLocations = []string{"emea-gb-db3-azr", "emea-nl-ams-azr", "us-va-ash-azr"}

// azureMonitoring: the gateway's access and firewall logs in a Log
// Analytics workspace (kept AccessLogRetentionDays), an Application
// Insights standard availability test of the hostname from three
// locations, and, with an alert target, the alarms.
func (b *builder) azureMonitoring(gw *network.ApplicationGateway) error {
	rg, loc, tags := b.site.AzureResourceGroup, pulumi.String(b.site.Region), b.dep.Tags.For(core.Azure)
	ws, err := operationalinsights.NewWorkspace(b.ctx, b.name, &operationalinsights.WorkspaceArgs{
		WorkspaceName: pulumi.String(b.dep.Name("web", b.site.Short())), ResourceGroupName: rg, Location: loc, Tags: tags,
		Sku: operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")}, RetentionInDays: pulumi.Int(max(30, b.s.AccessLogRetentionDays)),
	}, b.opts()...)
	if err != nil {
		return err
	}
	if *b.s.AccessLogs {
		if _, err := insights.NewDiagnosticSetting(b.ctx, b.name+"-logs", &insights.DiagnosticSettingArgs{
			Name: pulumi.String("access-logs"), ResourceUri: gw.ID(), WorkspaceId: ws.ID(), LogAnalyticsDestinationType: pulumi.String("Dedicated"),
			Logs: insights.LogSettingsArray{insights.LogSettingsArgs{CategoryGroup: pulumi.String("allLogs"), Enabled: pulumi.Bool(true)}},
		}, b.opts()...); err != nil {
			return err
		}
	}
	ai, err := insights.NewComponent(b.ctx, b.name, &insights.ComponentArgs{
		ResourceName: pulumi.String(b.dep.Name("web", b.site.Short())), ResourceGroupName: rg, Location: loc, Tags: tags,
		Kind: pulumi.String("web"), ApplicationType: pulumi.String("web"), IngestionMode: pulumi.String("LogAnalytics"), WorkspaceResourceId: ws.ID(),
	}, b.opts()...)
	if err != nil {
		return err
	}
	locations := insights.WebTestGeolocationArray{}
	for _, l := range azureWebTestLocations {
		locations = append(locations, insights.WebTestGeolocationArgs{Location: pulumi.String(l)})
	}
	testName := b.dep.Name("web", "availability")
	if _, err := insights.NewWebTest(b.ctx, b.name, &insights.WebTestArgs{
		WebTestName: pulumi.String(testName), SyntheticMonitorId: pulumi.String(testName), ResourceGroupName: rg, Location: loc,
		// Azure links a test to its Application Insights by this tag.
		Tags: ai.ID().ApplyT(func(id string) map[string]string { return map[string]string{"hidden-link:" + id: "Resource"} }).(pulumi.StringMapOutput),
		Kind: insights.WebTestKindStandard, WebTestKind: insights.WebTestKindStandard, Enabled: pulumi.Bool(true),
		Frequency: pulumi.Int(300), Timeout: pulumi.Int(30), RetryEnabled: pulumi.Bool(true), Locations: locations,
		Request: &insights.WebTestPropertiesRequestArgs{RequestUrl: pulumi.String("https://" + b.s.Hostname + b.s.HealthCheckPath), HttpVerb: pulumi.String("GET")},
		ValidationRules: &insights.WebTestPropertiesValidationRulesArgs{
			ExpectedHttpStatusCode: pulumi.Int(200), SSLCheck: pulumi.Bool(true), SSLCertRemainingLifetimeCheck: pulumi.Int(14),
		},
	}, b.opts()...); err != nil {
		return err
	}
	if b.a.Alerts == nil {
		return nil
	}
	return b.azureAlarms(gw, ws)
}

// azureAlarms: the burn rates and p99 latency are log alerts over the
// gateway's access log (Azure metric alerts take no ratios or
// percentiles); unhealthy backends are the gateway's UnhealthyHostCount.
func (b *builder) azureAlarms(gw *network.ApplicationGateway, ws *operationalinsights.Workspace) error {
	t := b.a.Alerts.Limits()
	query := func(key, kql, column string, threshold float64, minutes, every int) error {
		_, err := insights.NewScheduledQueryRule(b.ctx, b.name+"-"+key, &insights.ScheduledQueryRuleArgs{
			RuleName: pulumi.String(b.dep.Name("web", key)), ResourceGroupName: b.site.AzureResourceGroup, Location: pulumi.String(b.site.Region),
			Tags: b.dep.Tags.For(core.Azure), Description: pulumi.String(alarmDescription(key, t)), Enabled: pulumi.Bool(true),
			Severity: pulumi.Float64(map[bool]float64{true: 3, false: 1}[key == alarmSlowBurn]), Scopes: pulumi.StringArray{ws.ID()},
			WindowSize: pulumi.String(fmt.Sprintf("PT%dM", minutes)), EvaluationFrequency: pulumi.String(fmt.Sprintf("PT%dM", every)),
			Criteria: insights.ScheduledQueryRuleCriteriaArgs{AllOf: insights.ConditionArray{insights.ConditionArgs{
				Query: pulumi.String(kql), MetricMeasureColumn: pulumi.String(column), TimeAggregation: pulumi.String("Maximum"),
				Operator: pulumi.String("GreaterThan"), Threshold: pulumi.Float64(threshold),
				FailingPeriods: &insights.ConditionFailingPeriodsArgs{MinFailingPeriodsToAlert: pulumi.Float64(1), NumberOfEvaluationPeriods: pulumi.Float64(1)},
			}}},
			Actions: &insights.ActionsArgs{ActionGroups: b.a.Alerts.IDs},
		}, b.opts()...)
		return err
	}
	for _, br := range burns(t) {
		kql := "AGWAccessLogs | summarize ratio = todouble(countif(HttpStatus >= 500)) / count()"
		if err := query(br.key, kql, "ratio", br.ratio, br.minutes, min(br.minutes/4, 60)); err != nil {
			return err
		}
	}
	if err := query(alarmLatency, "AGWAccessLogs | summarize p99 = percentile(TimeTaken, 99) * 1000", "p99", t.LatencyP99Millis, t.EvaluationMinutes, 5); err != nil {
		return err
	}
	if !b.dep.IsProd() {
		return nil
	}
	a := azuremetric.Alert{Key: alarmUnhealthy, RuleName: b.dep.Name("web", alarmUnhealthy), Description: alarmDescription(alarmUnhealthy, t),
		Severity: 1, Scope: gw.ID().ToStringOutput(), Namespace: "microsoft.network/applicationgateways", Metric: "UnhealthyHostCount",
		Operator: "GreaterThan", Threshold: 0, Aggregation: "Average", Frequency: "PT1M", Window: fmt.Sprintf("PT%dM", t.UnhealthyBackendMinutes)}
	return azuremetric.New(b.ctx, b.name+"-"+alarmUnhealthy, b.dep, b.a.Alerts, a, b.opts()...)
}
