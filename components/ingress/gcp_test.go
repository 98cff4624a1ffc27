package ingress

import (
	"strconv"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	gcpBackend  = "gcp:compute/backendService:BackendService"
	gcpURLMap   = "gcp:compute/uRLMap:URLMap"
	gcpRule     = "gcp:compute/globalForwardingRule:GlobalForwardingRule"
	gcpArmor    = "gcp:compute/securityPolicy:SecurityPolicy"
	gcpSSL      = "gcp:compute/sSLPolicy:SSLPolicy"
	gcpProxy    = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
	gcpUptime   = "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"
	gcpAlert    = "gcp:monitoring/alertPolicy:AlertPolicy"
	gcpRecord   = "gcp:dns/recordSet:RecordSet"
	gcpAddress  = "gcp:compute/globalAddress:GlobalAddress"
	gcpHTTPProx = "gcp:compute/targetHttpProxy:TargetHttpProxy"
)

func TestGCPProdIngress(t *testing.T) {
	r := planIngress(t, core.GCP, core.Prod, nil)
	bs := testkit.One(t, r.Plan, gcpBackend)

	t.Run("backend_service_sends_traffic_to_the_managed_instance_group", func(t *testing.T) {
		want(t, bs, testMIG, "backends", "0", "group")
		want(t, bs, "EXTERNAL_MANAGED", "loadBalancingScheme")
		want(t, bs, "http", "portName")
		want(t, bs, testkit.One(t, r.Plan, "gcp:compute/healthCheck:HealthCheck").ID, "healthChecks")
		want(t, bs, true, "logConfig", "enable")
		if len(r.pools) != 0 {
			t.Errorf("Pools = %v, want none on GCP (the backend service names the group)", r.pools)
		}
	})
	t.Run("cloud_armor_with_preconfigured_waf_and_rate_limit_is_attached", func(t *testing.T) {
		armor := testkit.One(t, r.Plan, gcpArmor)
		want(t, bs, "https://www.googleapis.com/compute/v1/"+armor.ID, "securityPolicy")
		want(t, armor, "evaluatePreconfiguredWaf('sqli-v33-stable')", "rules", "0", "match", "expr", "expression")
		want(t, armor, "deny(403)", "rules", "0", "action")
		want(t, armor, false, "rules", "0", "preview")
		n := len(gcpPreconfiguredWAF)
		want(t, armor, "throttle", "rules", itoa(n), "action")
		want(t, armor, 2000, "rules", itoa(n), "rateLimitOptions", "rateLimitThreshold", "count")
	})
	t.Run("https_proxy_has_managed_cert_and_modern_tls12_policy", func(t *testing.T) {
		ssl := testkit.One(t, r.Plan, gcpSSL)
		want(t, ssl, "MODERN", "profile")
		want(t, ssl, "TLS_1_2", "minTlsVersion")
		proxy := testkit.One(t, r.Plan, gcpProxy)
		want(t, proxy, ssl.ID, "sslPolicy")
		want(t, testkit.One(t, r.Plan, "gcp:compute/managedSslCertificate:ManagedSslCertificate"), "app.wedsync.co.uk.", "managed", "domains", "0")
		want(t, named(t, r.Plan, gcpRule, "web-https"), proxy.ID, "target")
	})
	t.Run("port_80_only_redirects", func(t *testing.T) {
		redirect := named(t, r.Plan, gcpURLMap, "web-redirect")
		want(t, redirect, true, "defaultUrlRedirect", "httpsRedirect")
		want(t, testkit.One(t, r.Plan, gcpHTTPProx), redirect.ID, "urlMap")
	})
	t.Run("hostname_points_at_the_reserved_address_and_is_checked_from_three_regions", func(t *testing.T) {
		rec := testkit.One(t, r.Plan, gcpRecord)
		want(t, rec, "app.wedsync.co.uk.", "name")
		want(t, rec, "wedsync-co-uk", "managedZone")
		want(t, rec, r.address, "rrdatas", "0")
		if !testkit.One(t, r.Plan, gcpAddress).Protect {
			t.Error("prod's reserved address is not protected: losing it changes the public IP")
		}
		if regions, _ := testkit.Get(testkit.One(t, r.Plan, gcpUptime), "selectedRegions").([]any); len(regions) < 3 {
			t.Errorf("uptime regions = %v, want three or more", regions)
		}
	})
	t.Run("prod_alert_policies", func(t *testing.T) {
		if n := len(testkit.OfType(r.Plan, gcpAlert)); n != 4 {
			t.Errorf("%d alert policies, want 4", n)
		}
		fast := named(t, r.Plan, gcpAlert, "web-"+alarmFastBurn)
		want(t, fast, 0.0144, "conditions", "0", "conditionThreshold", "thresholdValue")
		want(t, named(t, r.Plan, gcpAlert, "web-"+alarmLatency), 500, "conditions", "0", "conditionThreshold", "thresholdValue")
	})
}

func TestGCPCountModeOnlyPreviews(t *testing.T) {
	r := planIngress(t, core.GCP, core.Staging, func(a *IngressArgs) { a.Settings.WAFMode = WAFCount })
	want(t, testkit.One(t, r.Plan, gcpArmor), true, "rules", "0", "preview")
}

func itoa(i int) string { return strconv.Itoa(i) }
