package ingress

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/dns"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// gcpSSLProfiles are the SSL policy profiles of each TLS setting, both
// with TLS 1.2 as the minimum.
// https://cloud.google.com/load-balancing/docs/ssl-policies-concepts
var gcpSSLProfiles = map[string]string{TLSModern: "MODERN", TLSRestricted: "RESTRICTED"}

// gcpPreconfiguredWAF are the Cloud Armor preconfigured WAF rules (the
// OWASP ModSecurity Core Rule Set 3.3) the security policy evaluates.
// https://cloud.google.com/armor/docs/waf-rules
var gcpPreconfiguredWAF = []string{"sqli-v33-stable", "xss-v33-stable", "lfi-v33-stable", "rfi-v33-stable", "rce-v33-stable",
	"methodenforcement-v33-stable", "scannerdetection-v33-stable", "protocolattack-v33-stable", "sessionfixation-v33-stable"}

// gcpUptimeRegions are where Cloud Monitoring checks the hostname from (it
// needs at least three). https://cloud.google.com/monitoring/uptime-checks
var gcpUptimeRegions = []string{"EUROPE", "USA_VIRGINIA", "ASIA_PACIFIC"}

// gcp: a global external Application Load Balancer (EXTERNAL_MANAGED) on a
// reserved global address: a Google-managed certificate, an SSL policy
// with TLS 1.2 minimum, a target HTTPS proxy and URL map to the backend
// service on the regional managed instance group (health check, request
// logging, Cloud Armor), and port 80 redirecting to HTTPS.
func (b *builder) gcp() (outputs, error) {
	addr, err := compute.NewGlobalAddress(b.ctx, b.name, &compute.GlobalAddressArgs{
		Name: pulumi.String(b.lbName()), AddressType: pulumi.String("EXTERNAL"), IpVersion: pulumi.String("IPV4"),
		Description: pulumi.String("WedSync public entry point: " + b.s.Hostname),
	}, b.opts(b.dep.Protect())...)
	if err != nil {
		return outputs{}, err
	}
	backend, err := b.gcpBackend()
	if err != nil {
		return outputs{}, err
	}
	urlMap, err := compute.NewURLMap(b.ctx, b.name, &compute.URLMapArgs{
		Name: pulumi.String(b.lbName()), DefaultService: backend.ID(),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	if err := b.gcpHTTPS(addr, urlMap); err != nil {
		return outputs{}, err
	}
	if err := b.gcpRedirect(addr); err != nil {
		return outputs{}, err
	}
	if b.s.Failover != FailoverStandby {
		if _, err := dns.NewRecordSet(b.ctx, b.name+"-hostname", &dns.RecordSetArgs{
			ManagedZone: pulumi.String(gcpZoneName(b.s.DNSZone)), Name: pulumi.String(b.s.Hostname + "."),
			Type: pulumi.String("A"), Ttl: pulumi.Int(300), Rrdatas: pulumi.StringArray{addr.Address},
		}, b.opts()...); err != nil {
			return outputs{}, err
		}
	}
	if err := b.gcpMonitoring(urlMap); err != nil {
		return outputs{}, err
	}
	return outputs{address: addr.Address, loadBalancerID: urlMap.ID().ToStringOutput(), metricsID: urlMap.Name}, nil
}

// gcpZoneName is the Cloud DNS managed zone of a domain, by convention
// its name with dots as dashes (wedsync.co.uk: wedsync-co-uk).
func gcpZoneName(domain string) string { return strings.ReplaceAll(domain, ".", "-") }

// gcpBackend is the backend service on the app group: its health check,
// every request logged, Cloud Armor in front.
func (b *builder) gcpBackend() (*compute.BackendService, error) {
	hc, err := compute.NewHealthCheck(b.ctx, b.name, &compute.HealthCheckArgs{
		Name:             pulumi.String(b.lbName()),
		CheckIntervalSec: pulumi.Int(10), TimeoutSec: pulumi.Int(5), HealthyThreshold: pulumi.Int(2), UnhealthyThreshold: pulumi.Int(3),
		HttpHealthCheck: &compute.HealthCheckHttpHealthCheckArgs{Port: pulumi.Int(appPort), RequestPath: pulumi.String(b.s.HealthCheckPath)},
		LogConfig:       &compute.HealthCheckLogConfigArgs{Enable: pulumi.Bool(true)},
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	armor, err := b.gcpArmor()
	if err != nil {
		return nil, err
	}
	return compute.NewBackendService(b.ctx, b.name, &compute.BackendServiceArgs{
		Name:                         pulumi.String(b.lbName()),
		LoadBalancingScheme:          pulumi.String("EXTERNAL_MANAGED"),
		Protocol:                     pulumi.String("HTTP"),
		PortName:                     pulumi.String("http"),
		TimeoutSec:                   pulumi.Int(30),
		ConnectionDrainingTimeoutSec: pulumi.Int(30),
		HealthChecks:                 hc.ID(),
		Backends: compute.BackendServiceBackendArray{compute.BackendServiceBackendArgs{
			Group: b.a.Backend, BalancingMode: pulumi.String("UTILIZATION"), MaxUtilization: pulumi.Float64(0.8), CapacityScaler: pulumi.Float64(1),
		}},
		LogConfig:      &compute.BackendServiceLogConfigArgs{Enable: pulumi.Bool(*b.s.AccessLogs), SampleRate: pulumi.Float64(1)},
		SecurityPolicy: armor.SelfLink,
	}, b.opts()...)
}

// gcpArmor is the Cloud Armor security policy: the preconfigured WAF
// rules, a per-address rate limit (throttled with 429), then allow. In
// count mode every rule is a preview: logged, not enforced.
func (b *builder) gcpArmor() (*compute.SecurityPolicy, error) {
	preview := pulumi.Bool(b.s.WAFMode == WAFCount)
	rules := compute.SecurityPolicyRuleTypeArray{}
	for i, waf := range gcpPreconfiguredWAF {
		rules = append(rules, compute.SecurityPolicyRuleTypeArgs{
			Action: pulumi.String("deny(403)"), Priority: pulumi.Int(1000 + i), Preview: preview, Description: pulumi.String(waf),
			Match: compute.SecurityPolicyRuleMatchArgs{Expr: &compute.SecurityPolicyRuleMatchExprArgs{
				Expression: pulumi.Sprintf("evaluatePreconfiguredWaf('%s')", waf),
			}},
		})
	}
	everyone := compute.SecurityPolicyRuleMatchArgs{
		VersionedExpr: pulumi.String("SRC_IPS_V1"),
		Config:        &compute.SecurityPolicyRuleMatchConfigArgs{SrcIpRanges: pulumi.StringArray{pulumi.String("*")}},
	}
	rules = append(rules,
		compute.SecurityPolicyRuleTypeArgs{
			Action: pulumi.String("throttle"), Priority: pulumi.Int(2000), Preview: preview, Description: pulumi.String("rate limit per client address"),
			Match: everyone,
			RateLimitOptions: &compute.SecurityPolicyRuleRateLimitOptionsArgs{
				ConformAction: pulumi.String("allow"), ExceedAction: pulumi.String("deny(429)"), EnforceOnKey: pulumi.String("IP"),
				RateLimitThreshold: &compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs{
					Count: pulumi.Int(b.s.RateLimit), IntervalSec: pulumi.Int(300),
				},
			},
		},
		compute.SecurityPolicyRuleTypeArgs{
			Action: pulumi.String("allow"), Priority: pulumi.Int(2147483647), Match: everyone, Description: pulumi.String("default: allow"),
		})
	return compute.NewSecurityPolicy(b.ctx, b.name, &compute.SecurityPolicyArgs{
		Name:        pulumi.String(b.lbName()),
		Description: pulumi.String("WedSync public entry point: OWASP CRS 3.3 and a per-address rate limit"),
		Type:        pulumi.String("CLOUD_ARMOR"),
		Rules:       rules,
	}, b.opts()...)
}

// gcpHTTPS is port 443: the managed certificate and SSL policy on the
// target HTTPS proxy.
func (b *builder) gcpHTTPS(addr *compute.GlobalAddress, urlMap *compute.URLMap) error {
	cert, err := compute.NewManagedSslCertificate(b.ctx, b.name, &compute.ManagedSslCertificateArgs{
		Name:    pulumi.String(b.lbName()),
		Managed: &compute.ManagedSslCertificateManagedArgs{Domains: pulumi.StringArray{pulumi.String(b.s.Hostname + ".")}},
	}, b.opts()...)
	if err != nil {
		return err
	}
	policy, err := compute.NewSSLPolicy(b.ctx, b.name, &compute.SSLPolicyArgs{
		Name: pulumi.String(b.lbName()), Profile: pulumi.String(gcpSSLProfiles[b.s.TLSPolicy]), MinTlsVersion: pulumi.String("TLS_1_2"),
	}, b.opts()...)
	if err != nil {
		return err
	}
	proxy, err := compute.NewTargetHttpsProxy(b.ctx, b.name, &compute.TargetHttpsProxyArgs{
		Name: pulumi.String(b.lbName()), UrlMap: urlMap.ID(), SslCertificates: pulumi.StringArray{cert.ID()}, SslPolicy: policy.ID(),
	}, b.opts()...)
	if err != nil {
		return err
	}
	_, err = compute.NewGlobalForwardingRule(b.ctx, b.name+"-https", &compute.GlobalForwardingRuleArgs{
		Name: pulumi.String(b.lbName("https")), Target: proxy.ID(), IpAddress: addr.Address, PortRange: pulumi.String("443"),
		IpProtocol: pulumi.String("TCP"), LoadBalancingScheme: pulumi.String("EXTERNAL_MANAGED"),
	}, b.opts()...)
	return err
}

// gcpRedirect is port 80: a URL map that only redirects to HTTPS.
func (b *builder) gcpRedirect(addr *compute.GlobalAddress) error {
	redirect, err := compute.NewURLMap(b.ctx, b.name+"-redirect", &compute.URLMapArgs{
		Name: pulumi.String(b.lbName("redirect")),
		DefaultUrlRedirect: &compute.URLMapDefaultUrlRedirectArgs{
			HttpsRedirect: pulumi.Bool(true), StripQuery: pulumi.Bool(false), RedirectResponseCode: pulumi.String("MOVED_PERMANENTLY_DEFAULT"),
		},
	}, b.opts()...)
	if err != nil {
		return err
	}
	proxy, err := compute.NewTargetHttpProxy(b.ctx, b.name+"-redirect", &compute.TargetHttpProxyArgs{
		Name: pulumi.String(b.lbName("redirect")), UrlMap: redirect.ID(),
	}, b.opts()...)
	if err != nil {
		return err
	}
	_, err = compute.NewGlobalForwardingRule(b.ctx, b.name+"-http", &compute.GlobalForwardingRuleArgs{
		Name: pulumi.String(b.lbName("http")), Target: proxy.ID(), IpAddress: addr.Address, PortRange: pulumi.String("80"),
		IpProtocol: pulumi.String("TCP"), LoadBalancingScheme: pulumi.String("EXTERNAL_MANAGED"),
	}, b.opts()...)
	return err
}

// gcpMonitoring is the uptime check of the hostname from three continents
// and, with an alert target, the alert policies.
func (b *builder) gcpMonitoring(urlMap *compute.URLMap) error {
	project := b.site.GCPProject
	uptime, err := monitoring.NewUptimeCheckConfig(b.ctx, b.name, &monitoring.UptimeCheckConfigArgs{
		Project: pulumi.String(project), DisplayName: pulumi.String(b.dep.Name("web", b.s.Hostname)),
		Period: pulumi.String("60s"), Timeout: pulumi.String("10s"), SelectedRegions: pulumi.ToStringArray(gcpUptimeRegions),
		HttpCheck: &monitoring.UptimeCheckConfigHttpCheckArgs{
			Path: pulumi.String(b.s.HealthCheckPath), Port: pulumi.Int(443), UseSsl: pulumi.Bool(true), ValidateSsl: pulumi.Bool(true),
		},
		MonitoredResource: &monitoring.UptimeCheckConfigMonitoredResourceArgs{
			Type: pulumi.String("uptime_url"), Labels: pulumi.StringMap{"host": pulumi.String(b.s.Hostname), "project_id": pulumi.String(project)},
		},
	}, b.opts()...)
	if err != nil || b.a.Alerts == nil {
		return err
	}
	return b.gcpAlarms(urlMap, uptime)
}

// gcpAlarms renders the alarms from the load balancer's request metrics;
// the global load balancer has no healthy-backend metric, so in prod the
// uptime check failing for the window stands for unhealthy backends.
func (b *builder) gcpAlarms(urlMap *compute.URLMap, uptime *monitoring.UptimeCheckConfig) error {
	t := b.a.Alerts.Limits()
	requests := pulumi.Sprintf(`resource.type = "https_lb_rule" AND resource.labels.url_map_name = "%s" AND metric.type = "loadbalancing.googleapis.com/https/request_count"`, urlMap.Name)
	policy := func(key string, cond monitoring.AlertPolicyConditionArgs) error {
		cond.DisplayName = pulumi.String(key)
		_, err := monitoring.NewAlertPolicy(b.ctx, b.name+"-"+key, &monitoring.AlertPolicyArgs{
			Project: pulumi.String(b.site.GCPProject), DisplayName: pulumi.String(b.dep.Name("web", key)),
			Combiner: pulumi.String("OR"), Severity: pulumi.String(map[bool]string{true: "WARNING", false: "ERROR"}[key == alarmSlowBurn]),
			Conditions:           monitoring.AlertPolicyConditionArray{cond},
			Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(key, t)), MimeType: pulumi.String("text/markdown")},
			NotificationChannels: b.a.Alerts.IDs,
		}, b.opts()...)
		return err
	}
	for _, br := range burns(t) {
		sum := monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
			AlignmentPeriod: pulumi.String(fmt.Sprintf("%ds", br.minutes*60)), PerSeriesAligner: pulumi.String("ALIGN_DELTA"), CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
		}}
		denominator := monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArray{monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs{
			AlignmentPeriod: pulumi.String(fmt.Sprintf("%ds", br.minutes*60)), PerSeriesAligner: pulumi.String("ALIGN_DELTA"), CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
		}}
		if err := policy(br.key, monitoring.AlertPolicyConditionArgs{ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
			Filter: pulumi.Sprintf(`%s AND metric.labels.response_code_class = 500`, requests), Aggregations: sum,
			DenominatorFilter: requests, DenominatorAggregations: denominator,
			Comparison: pulumi.String("COMPARISON_GT"), ThresholdValue: pulumi.Float64(br.ratio), Duration: pulumi.String("0s"),
		}}); err != nil {
			return err
		}
	}
	if err := policy(alarmLatency, monitoring.AlertPolicyConditionArgs{ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
		Filter: pulumi.Sprintf(`resource.type = "https_lb_rule" AND resource.labels.url_map_name = "%s" AND metric.type = "loadbalancing.googleapis.com/https/total_latencies"`, urlMap.Name),
		Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
			AlignmentPeriod: pulumi.String("300s"), PerSeriesAligner: pulumi.String("ALIGN_PERCENTILE_99"), CrossSeriesReducer: pulumi.String("REDUCE_MAX"),
		}},
		Comparison: pulumi.String("COMPARISON_GT"), ThresholdValue: pulumi.Float64(t.LatencyP99Millis), Duration: pulumi.String(fmt.Sprintf("%ds", t.EvaluationMinutes*60)),
	}}); err != nil {
		return err
	}
	if !b.dep.IsProd() {
		return nil
	}
	return policy(alarmUnhealthy, monitoring.AlertPolicyConditionArgs{ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
		Filter: pulumi.Sprintf(`resource.type = "uptime_url" AND metric.type = "monitoring.googleapis.com/uptime_check/check_passed" AND metric.labels.check_id = "%s"`, uptime.UptimeCheckId),
		Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
			AlignmentPeriod: pulumi.String("60s"), PerSeriesAligner: pulumi.String("ALIGN_FRACTION_TRUE"), CrossSeriesReducer: pulumi.String("REDUCE_MEAN"),
		}},
		Comparison: pulumi.String("COMPARISON_LT"), ThresholdValue: pulumi.Float64(1), Duration: pulumi.String(fmt.Sprintf("%ds", t.UnhealthyBackendMinutes*60)),
	}})
}
