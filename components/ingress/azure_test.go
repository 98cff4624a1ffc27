package ingress

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	azGateway = "azure-native:network:ApplicationGateway"
	azWAF     = "azure-native:network:WebApplicationFirewallPolicy"
	azWebTest = "azure-native:insights:WebTest"
	azQuery   = "azure-native:insights:ScheduledQueryRule"
)

func TestAzureProdIngress(t *testing.T) {
	r := planIngress(t, core.Azure, core.Prod, nil)
	gw := testkit.One(t, r.Plan, azGateway)
	ref := func(kind, name string) string { return gw.ID + "/" + kind + "/" + name }

	t.Run("gateway_is_waf_v2_across_zones_with_the_waf_policy", func(t *testing.T) {
		want(t, gw, "WAF_v2", "sku", "name")
		want(t, gw, "3", "zones", "2")
		waf := testkit.One(t, r.Plan, azWAF)
		want(t, gw, waf.ID, "firewallPolicy", "id")
		want(t, waf, "Prevention", "policySettings", "mode")
		want(t, waf, "OWASP", "managedRules", "managedRuleSets", "0", "ruleSetType")
		want(t, waf, "RateLimitRule", "customRules", "0", "ruleType")
		want(t, waf, 2000, "customRules", "0", "rateLimitThreshold")
	})
	t.Run("scale_set_joins_the_gateways_backend_pool", func(t *testing.T) {
		if len(r.pools) != 1 || r.pools[0] != ref("backendAddressPools", agPool) {
			t.Errorf("Pools = %v, want [%s]", r.pools, ref("backendAddressPools", agPool))
		}
		want(t, gw, ref("backendAddressPools", agPool), "requestRoutingRules", "0", "backendAddressPool", "id")
	})
	t.Run("https_listener_reads_its_certificate_from_key_vault_through_an_identity", func(t *testing.T) {
		want(t, gw, "https://wedsync-kv-uks.vault.azure.net/secrets/app-wedsync-co-uk", "sslCertificates", "0", "keyVaultSecretId")
		want(t, gw, "UserAssigned", "identity", "type")
		grant := testkit.One(t, r.Plan, "azure-native:authorization:RoleAssignment")
		if id, _ := grant.Inputs["roleDefinitionId"].(string); !strings.HasSuffix(id, keyVaultSecretsUser) {
			t.Errorf("grant role = %q, want Key Vault Secrets User", id)
		}
		want(t, gw, "AppGwSslPolicy20220101", "sslPolicy", "policyName")
		want(t, gw, "Https", "httpListeners", "0", "protocol")
	})
	t.Run("http_only_redirects_and_the_probe_checks_the_health_path", func(t *testing.T) {
		want(t, gw, ref("redirectConfigurations", agRedirect), "requestRoutingRules", "1", "redirectConfiguration", "id")
		want(t, gw, ref("httpListeners", agHTTPS), "redirectConfigurations", "0", "targetListener", "id")
		want(t, gw, "/healthz", "probes", "0", "path")
		want(t, gw, ref("probes", agProbe), "backendHttpSettingsCollection", "0", "probe", "id")
	})
	t.Run("availability_test_from_three_locations_and_alarms", func(t *testing.T) {
		test := testkit.One(t, r.Plan, azWebTest)
		want(t, test, "https://app.wedsync.co.uk/healthz", "request", "requestUrl")
		if locs, _ := test.Inputs["locations"].([]any); len(locs) < 3 {
			t.Errorf("availability test locations = %v, want three or more", locs)
		}
		if n := len(testkit.OfType(r.Plan, azQuery)); n != 3 {
			t.Errorf("%d log alerts, want 3 (two burn rates and latency)", n)
		}
		want(t, named(t, r.Plan, azQuery, "web-"+alarmFastBurn), 0.0144, "criteria", "allOf", "0", "threshold")
		testkit.One(t, r.Plan, "azure-native:insights:MetricAlert")
	})
}

func TestValidationRefusesInsecureProd(t *testing.T) {
	off := false
	err := planErr(core.AWS, core.Prod, func(a *IngressArgs) {
		a.Settings.WAFMode, a.Settings.AccessLogs, a.Settings.DeletionProtection = WAFCount, &off, &off
		a.Settings.TLSPolicy, a.Settings.Hostname = "tls10", "App.WedSync"
	})
	expectProblems(t, err, "settings.wafMode", "settings.accessLogs", "settings.deletionProtection", "settings.tlsPolicy", "settings.hostname")
	expectProblems(t, planErr(core.GCP, core.Prod, func(a *IngressArgs) { a.Settings.Failover = FailoverPrimary }), "settings.failover")
	expectProblems(t, planErr(core.Azure, core.Dev, func(a *IngressArgs) { a.Vault = nil }), "vault")
	if err := planErr(core.AWS, core.Dev, func(a *IngressArgs) { a.Settings.WAFMode = WAFCount }); err != nil {
		t.Errorf("dev may count instead of block: %v", err)
	}
}
