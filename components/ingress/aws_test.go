package ingress

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	awsALB      = "aws:lb/loadBalancer:LoadBalancer"
	awsListener = "aws:lb/listener:Listener"
	awsTG       = "aws:lb/targetGroup:TargetGroup"
	awsACL      = "aws:wafv2/webAcl:WebAcl"
	awsACLAssoc = "aws:wafv2/webAclAssociation:WebAclAssociation"
	awsRecord   = "aws:route53/record:Record"
	awsAlarm    = "aws:cloudwatch/metricAlarm:MetricAlarm"
)

func TestAWSProdIngress(t *testing.T) {
	r := planIngress(t, core.AWS, core.Prod, func(a *IngressArgs) { a.Settings.Failover = FailoverPrimary })
	alb := testkit.One(t, r.Plan, awsALB)
	tg := testkit.One(t, r.Plan, awsTG)

	t.Run("alb_is_public_over_every_public_subnet_and_hardened", func(t *testing.T) {
		want(t, alb, false, "internal")
		want(t, alb, "subnet-public-c", "subnets", "2")
		want(t, alb, true, "dropInvalidHeaderFields")
		want(t, alb, true, "enableDeletionProtection")
		want(t, alb, true, "accessLogs", "enabled")
		want(t, alb, "wedsync-prod-web-logs-euw2", "accessLogs", "bucket")
	})
	t.Run("https_listener_uses_tls13_policy_and_the_validated_certificate", func(t *testing.T) {
		https := named(t, r.Plan, awsListener, "web-https")
		want(t, https, "HTTPS", "protocol")
		want(t, https, "ELBSecurityPolicy-TLS13-1-2-2021-06", "sslPolicy")
		want(t, https, r.pools[0], "defaultActions", "0", "targetGroupArn")
		if arn, _ := https.Inputs["certificateArn"].(string); !strings.HasPrefix(arn, "arn:aws:acm:eu-west-2:") {
			t.Errorf("certificateArn = %q, want the ACM certificate", arn)
		}
		want(t, testkit.One(t, r.Plan, "aws:acm/certificate:Certificate"), "DNS", "validationMethod")
	})
	t.Run("http_only_redirects_to_https", func(t *testing.T) {
		http := named(t, r.Plan, awsListener, "web-http")
		want(t, http, "redirect", "defaultActions", "0", "type")
		want(t, http, "HTTPS", "defaultActions", "0", "redirect", "protocol")
		want(t, http, "443", "defaultActions", "0", "redirect", "port")
	})
	t.Run("asg_joins_the_target_group_judged_by_the_health_path", func(t *testing.T) {
		if len(r.pools) != 1 || !strings.HasPrefix(r.pools[0], "arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/wedsync-prod-web-app/") {
			t.Errorf("Pools = %v, want the target group's ARN", r.pools)
		}
		want(t, tg, "/healthz", "healthCheck", "path")
		want(t, tg, 8080, "port")
		want(t, tg, "vpc-0test", "vpcId")
	})
	t.Run("waf_runs_the_managed_groups_and_a_rate_limit_on_the_alb", func(t *testing.T) {
		acl := testkit.One(t, r.Plan, awsACL)
		for i, g := range awsManagedRuleGroups {
			want(t, acl, g, "rules", string(rune('0'+i)), "statement", "managedRuleGroupStatement", "name")
		}
		want(t, acl, 2000, "rules", "3", "statement", "rateBasedStatement", "limit")
		if _, ok := testkit.Get(acl, "rules.3.action.block").(map[string]any); !ok {
			t.Error("the rate rule does not block")
		}
		want(t, testkit.One(t, r.Plan, awsACLAssoc), r.lbID, "resourceArn")
	})
	t.Run("hostname_is_the_primary_of_failover_routing_with_a_health_check", func(t *testing.T) {
		rec := named(t, r.Plan, awsRecord, "web-hostname")
		want(t, rec, "app.wedsync.co.uk", "name")
		want(t, rec, plan.MockHostedZoneID, "zoneId")
		want(t, rec, "PRIMARY", "failoverRoutingPolicies", "0", "type")
		want(t, rec, r.address, "aliases", "0", "name")
		hc := testkit.One(t, r.Plan, "aws:route53/healthCheck:HealthCheck")
		want(t, rec, hc.ID, "healthCheckId")
		if regions, _ := hc.Inputs["regions"].([]any); len(regions) < 3 {
			t.Errorf("health check regions = %v, want three or more", regions)
		}
	})
	t.Run("prod_alarms_burn_rates_latency_and_unhealthy_hosts", func(t *testing.T) {
		got := map[string]plan.Resource{}
		for _, a := range testkit.OfType(r.Plan, awsAlarm) {
			got[strings.TrimPrefix(a.Name, "web-")] = a
		}
		want(t, got[alarmFastBurn], 0.0144, "threshold")
		want(t, got[alarmFastBurn], 3600, "metricQueries", "0", "metric", "period")
		want(t, got[alarmSlowBurn], 21600, "metricQueries", "0", "metric", "period")
		want(t, got[alarmLatency], 0.5, "threshold")
		want(t, got[alarmLatency], "p99", "extendedStatistic")
		want(t, got[alarmUnhealthy], 5, "evaluationPeriods")
		if d, _ := testkit.Get(got[alarmUnhealthy], "dimensions.TargetGroup").(string); !strings.HasPrefix(d, "targetgroup/wedsync-prod-web-app/") {
			t.Errorf("unhealthy-hosts alarm's TargetGroup = %q, want the target group's ARN suffix", d)
		}
	})
}

func TestAWSLogBucketIsSSES3AndTLSOnly(t *testing.T) {
	r := planIngress(t, core.AWS, core.Prod, nil)
	sse := testkit.One(t, r.Plan, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
	// ALB access logs accept only SSE-S3; a KMS key here loses the logs.
	want(t, sse, "AES256", "rules", "0", "applyServerSideEncryptionByDefault", "sseAlgorithm")
	pol, _ := testkit.One(t, r.Plan, "aws:s3/bucketPolicy:BucketPolicy").Inputs["policy"].(string)
	for _, s := range []string{"arn:aws:iam::652711504416:root", `"aws:SecureTransport":"false"`} {
		if !strings.Contains(pol, s) {
			t.Errorf("log bucket policy lacks %s:\n%s", s, pol)
		}
	}
	want(t, testkit.One(t, r.Plan, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"), 90, "rules", "0", "expiration", "days")
}

func TestAWSDevIngress(t *testing.T) {
	r := planIngress(t, core.AWS, core.Dev, nil)
	alb := testkit.One(t, r.Plan, awsALB)
	want(t, alb, false, "enableDeletionProtection")
	rec := named(t, r.Plan, awsRecord, "web-hostname")
	want(t, rec, "dev.app.wedsync.co.uk", "name")
	if _, ok := rec.Inputs["failoverRoutingPolicies"]; ok {
		t.Error("dev's record takes part in failover routing")
	}
	for _, a := range testkit.OfType(r.Plan, awsAlarm) {
		if strings.HasSuffix(a.Name, alarmUnhealthy) {
			t.Error("dev pages on unhealthy hosts")
		}
	}
	if n := len(testkit.OfType(r.Plan, awsAlarm)); n != 3 {
		t.Errorf("%d alarms, want 3 (two burn rates and latency)", n)
	}
}

func TestAWSSecondaryAndRestrictedTLS(t *testing.T) {
	r := planIngress(t, core.AWS, core.Prod, func(a *IngressArgs) {
		a.Settings.Failover, a.Settings.TLSPolicy = FailoverSecondary, TLSRestricted
	})
	want(t, named(t, r.Plan, awsRecord, "web-hostname"), "SECONDARY", "failoverRoutingPolicies", "0", "type")
	want(t, named(t, r.Plan, awsListener, "web-https"), "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "sslPolicy")
}
