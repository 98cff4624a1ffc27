package ingress

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/network"
)

// awsTLSPolicies are the listener policies of each TLS setting: TLS 1.3
// and 1.2 with forward-secret ciphers, or TLS 1.3 and the strongest TLS
// 1.2 ciphers (FIPS-free); neither offers TLS 1.0 or 1.1.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
var awsTLSPolicies = map[string]string{
	TLSModern:     "ELBSecurityPolicy-TLS13-1-2-2021-06",
	TLSRestricted: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
}

// awsELBAccounts are the accounts ALB access logs are delivered from in
// regions opened before August 2022; later regions use the log delivery
// service principal. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
var awsELBAccounts = map[string]string{
	"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
	"eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-west-3": "009996457667",
	"eu-north-1": "897822967062", "eu-south-1": "635631232127",
}

// aws: an internet-facing Application Load Balancer over the public
// subnets of every zone, its own security group, an HTTPS listener with a
// DNS-validated ACM certificate, HTTP redirected to HTTPS, the target group
// the ASG joins (ELB health checks on the app's path), a WAFv2 web ACL,
// access logs, the hostname in Route 53 (failover routing when the stack
// has a role in it) and the alarms.
func (b *builder) aws() (outputs, error) {
	zone, err := route53.LookupZone(b.ctx, &route53.LookupZoneArgs{Name: pulumi.StringRef(b.s.DNSZone)}, b.invoke()...)
	if err != nil {
		return outputs{}, fmt.Errorf("look up the Route 53 zone %s: %w", b.s.DNSZone, err)
	}
	logs, err := b.awsLogBucket()
	if err != nil {
		return outputs{}, err
	}
	alb, err := b.awsLoadBalancer(logs)
	if err != nil {
		return outputs{}, err
	}
	tg, err := b.awsTargetGroup()
	if err != nil {
		return outputs{}, err
	}
	cert, err := b.awsCertificate(zone.ZoneId)
	if err != nil {
		return outputs{}, err
	}
	if err := b.awsListeners(alb, tg, cert); err != nil {
		return outputs{}, err
	}
	if err := b.awsWAF(alb); err != nil {
		return outputs{}, err
	}
	if err := b.awsDNS(zone.ZoneId, alb); err != nil {
		return outputs{}, err
	}
	if b.a.Alerts != nil {
		if err := b.awsAlarms(alb, tg); err != nil {
			return outputs{}, err
		}
	}
	return outputs{pools: pulumi.StringArray{tg.Arn}.ToStringArrayOutput(), address: alb.DnsName, loadBalancerID: alb.Arn, metricsID: alb.ArnSuffix}, nil
}

// awsLogBucket is where the ALB writes access logs: private, TLS-only,
// versioned (the pack's rule for every bucket), expiring after the
// retention. It is encrypted with SSE-S3 (AES256), not
// the stack's KMS key: ALB access logs support only SSE-S3, so the stacks
// exempt this bucket from the pack's s3-bucket-encryption-cmk rule, saying
// so. Access logs hold addresses and paths, no wedding data.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
func (b *builder) awsLogBucket() (*s3.BucketV2, error) {
	if !*b.s.AccessLogs {
		return nil, nil
	}
	name := b.dep.NameWithin(63, "web-logs", b.site.Short())
	bucket, err := s3.NewBucketV2(b.ctx, b.name+"-logs", &s3.BucketV2Args{Bucket: pulumi.String(name), ForceDestroy: pulumi.Bool(!b.dep.IsProd())},
		b.opts(b.dep.Protect())...)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, b.name+"-logs", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, b.opts()...); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketVersioningV2(b.ctx, b.name+"-logs", &s3.BucketVersioningV2Args{
		Bucket: bucket.ID(), VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, b.opts()...); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(b.ctx, b.name+"-logs", &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, b.opts()...); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(b.ctx, b.name+"-logs", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("expire-access-logs"), Status: pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(b.s.AccessLogRetentionDays)},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(1),
			},
		}},
	}, b.opts()...); err != nil {
		return nil, err
	}
	_, err = s3.NewBucketPolicy(b.ctx, b.name+"-logs", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: bucket.Arn.ApplyT(func(arn string) (string, error) { return awsLogBucketPolicy(arn, b.site.Region) }).(pulumi.StringOutput),
	}, b.opts()...)
	return bucket, err
}

// awsLogBucketPolicy lets the region's ELB log delivery write, and denies
// every request over plain HTTP.
func awsLogBucketPolicy(bucketArn, region string) (string, error) {
	principal := map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
	if account, ok := awsELBAccounts[region]; ok {
		principal = map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}
	}
	doc, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{
			{"Sid": "ELBLogDelivery", "Effect": "Allow", "Principal": principal, "Action": "s3:PutObject", "Resource": bucketArn + "/*"},
			{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
				"Resource":  []string{bucketArn, bucketArn + "/*"},
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
		},
	})
	return string(doc), err
}

// awsLoadBalancer is the internet-facing ALB and its security group: 443
// and 80 from anywhere in, the app port into the VPC out.
func (b *builder) awsLoadBalancer(logs *s3.BucketV2) (*lb.LoadBalancer, error) {
	sg, err := ec2.NewSecurityGroup(b.ctx, b.name, &ec2.SecurityGroupArgs{
		Name:        pulumi.String(b.dep.Name("web")),
		Description: pulumi.String("WedSync load balancer: HTTPS (and HTTP, redirected) from the internet; the app port into the VPC"),
		VpcId:       b.a.Network.ID,
		Ingress: ec2.SecurityGroupIngressArray{
			ec2.SecurityGroupIngressArgs{Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
				CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")}, Ipv6CidrBlocks: pulumi.StringArray{pulumi.String("::/0")}, Description: pulumi.String("HTTPS")},
			ec2.SecurityGroupIngressArgs{Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(80), ToPort: pulumi.Int(80),
				CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")}, Ipv6CidrBlocks: pulumi.StringArray{pulumi.String("::/0")}, Description: pulumi.String("HTTP, redirected to HTTPS")},
		},
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(appPort), ToPort: pulumi.Int(appPort),
			CidrBlocks: pulumi.StringArray{pulumi.String("10.0.0.0/8")}, Description: pulumi.String("to the app instances"),
		}},
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	subnets := b.a.Network.PublicSubnetIDs.ApplyT(func(ids []string) ([]string, error) {
		if len(ids) < 2 {
			return nil, fmt.Errorf("the load balancer needs public subnets in at least two zones, got %d", len(ids))
		}
		return ids, nil
	}).(pulumi.StringArrayOutput)
	args := &lb.LoadBalancerArgs{
		Name:                     pulumi.String(b.lbName()),
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(false),
		SecurityGroups:           pulumi.StringArray{sg.ID()},
		Subnets:                  subnets,
		DropInvalidHeaderFields:  pulumi.Bool(true),
		EnableDeletionProtection: pulumi.Bool(*b.s.DeletionProtection),
		IdleTimeout:              pulumi.Int(60),
	}
	if logs != nil {
		args.AccessLogs = &lb.LoadBalancerAccessLogsArgs{Bucket: logs.Bucket, Enabled: pulumi.Bool(true), Prefix: pulumi.String("alb")}
	}
	return lb.NewLoadBalancer(b.ctx, b.name, args, b.opts()...)
}

// awsTargetGroup is what the ASG joins (its targetGroupArns): the app
// port, judged by the app's health check path.
func (b *builder) awsTargetGroup() (*lb.TargetGroup, error) {
	return lb.NewTargetGroup(b.ctx, b.name, &lb.TargetGroupArgs{
		Name:       pulumi.String(b.lbName("app")),
		Port:       pulumi.Int(appPort),
		Protocol:   pulumi.String("HTTP"),
		TargetType: pulumi.String("instance"),
		VpcId:      b.a.Network.ID,
		// Long enough for in-flight requests, short enough for rollouts.
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled: pulumi.Bool(true), Path: pulumi.String(b.s.HealthCheckPath), Port: pulumi.String("traffic-port"),
			Protocol: pulumi.String("HTTP"), Matcher: pulumi.String("200-399"),
			Interval: pulumi.Int(15), Timeout: pulumi.Int(5), HealthyThreshold: pulumi.Int(2), UnhealthyThreshold: pulumi.Int(3),
		},
	}, b.opts()...)
}

// awsCertificate is the hostname's ACM certificate, validated by the DNS
// record ACM asks for in the zone; the listener waits for validation.
func (b *builder) awsCertificate(zoneID string) (pulumi.StringOutput, error) {
	cert, err := acm.NewCertificate(b.ctx, b.name, &acm.CertificateArgs{
		DomainName:       pulumi.String(b.s.Hostname),
		ValidationMethod: pulumi.String("DNS"),
	}, b.opts(pulumi.DeleteBeforeReplace(false))...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	opt := cert.DomainValidationOptions.Index(pulumi.Int(0))
	record, err := route53.NewRecord(b.ctx, b.name+"-validation", &route53.RecordArgs{
		ZoneId:         pulumi.String(zoneID),
		Name:           opt.ResourceRecordName().Elem(),
		Type:           opt.ResourceRecordType().Elem(),
		Records:        pulumi.StringArray{opt.ResourceRecordValue().Elem()},
		Ttl:            pulumi.Int(300),
		AllowOverwrite: pulumi.Bool(true),
	}, b.opts()...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	valid, err := acm.NewCertificateValidation(b.ctx, b.name, &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, b.opts()...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return valid.CertificateArn, nil
}

// awsListeners: HTTPS forwards to the target group under the TLS policy;
// HTTP only redirects to HTTPS.
func (b *builder) awsListeners(alb *lb.LoadBalancer, tg *lb.TargetGroup, cert pulumi.StringOutput) error {
	if _, err := lb.NewListener(b.ctx, b.name+"-https", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(awsTLSPolicies[b.s.TLSPolicy]),
		CertificateArn:  cert,
		DefaultActions:  lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn}},
	}, b.opts()...); err != nil {
		return err
	}
	_, err := lb.NewListener(b.ctx, b.name+"-http", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: &lb.ListenerDefaultActionRedirectArgs{
				Port: pulumi.String("443"), Protocol: pulumi.String("HTTPS"), StatusCode: pulumi.String("HTTP_301"),
			},
		}},
	}, b.opts()...)
	return err
}

// awsDNS points the hostname at the ALB (an alias). With a failover role,
// the record is one half of Route 53 failover routing, judged by a health
// check from several regions: prod answers while healthy, prod-dr when
// not, with no deploy in between. The health check is also the synthetic
// check of the hostname's availability.
func (b *builder) awsDNS(zoneID string, alb *lb.LoadBalancer) error {
	hc, err := route53.NewHealthCheck(b.ctx, b.name, &route53.HealthCheckArgs{
		// The ALB itself, not the hostname: the hostname moves on failover.
		Fqdn:             alb.DnsName,
		Type:             pulumi.String("HTTPS"),
		Port:             pulumi.Int(443),
		ResourcePath:     pulumi.String(b.s.HealthCheckPath),
		EnableSni:        pulumi.Bool(true),
		RequestInterval:  pulumi.Int(30),
		FailureThreshold: pulumi.Int(3),
		MeasureLatency:   pulumi.Bool(true),
		// Three checker regions is Route 53's minimum.
		Regions:       pulumi.ToStringArray(awsCheckerRegions),
		ReferenceName: pulumi.String(b.dep.NameWithin(64, "web")),
		Tags:          pulumi.StringMap{"Name": pulumi.String(b.dep.Name("web", b.s.Hostname))},
	}, b.opts()...)
	if err != nil {
		return err
	}
	if b.s.Failover == FailoverStandby {
		return nil
	}
	args := &route53.RecordArgs{
		ZoneId: pulumi.String(zoneID),
		Name:   pulumi.String(b.s.Hostname),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name: alb.DnsName, ZoneId: alb.ZoneId, EvaluateTargetHealth: pulumi.Bool(true),
		}},
	}
	if b.s.Failover == FailoverPrimary || b.s.Failover == FailoverSecondary {
		args.SetIdentifier = pulumi.String(b.dep.Stack)
		args.HealthCheckId = hc.ID()
		args.FailoverRoutingPolicies = route53.RecordFailoverRoutingPolicyArray{route53.RecordFailoverRoutingPolicyArgs{
			Type: pulumi.String(map[string]string{FailoverPrimary: "PRIMARY", FailoverSecondary: "SECONDARY"}[b.s.Failover]),
		}}
	}
	_, err = route53.NewRecord(b.ctx, b.name+"-hostname", args, b.opts()...)
	return err
}

// awsCheckerRegions are where Route 53 checks the load balancer from.
var awsCheckerRegions = []string{"eu-west-1", "us-east-1", "ap-southeast-1"}

// appPort is the port the app listens on behind the load balancer.
const appPort = network.AppPort

// awsManagedRuleGroups are the AWS managed rule groups every web ACL runs:
// the core rule set (OWASP top 10), known bad inputs (Log4j, Spring4Shell)
// and Amazon's IP reputation list.
// https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
var awsManagedRuleGroups = []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"}

// awsWAF is the regional web ACL on the ALB: the managed rule groups, then
// a per-address rate limit; in count mode nothing is blocked, only logged.
func (b *builder) awsWAF(alb *lb.LoadBalancer) error {
	visibility := func(metric string) *wafv2.WebAclRuleVisibilityConfigArgs {
		return &wafv2.WebAclRuleVisibilityConfigArgs{CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(metric), SampledRequestsEnabled: pulumi.Bool(true)}
	}
	override := &wafv2.WebAclRuleOverrideActionArgs{None: &wafv2.WebAclRuleOverrideActionNoneArgs{}}
	rateAction := &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}}
	if b.s.WAFMode == WAFCount {
		override = &wafv2.WebAclRuleOverrideActionArgs{Count: &wafv2.WebAclRuleOverrideActionCountArgs{}}
		rateAction = &wafv2.WebAclRuleActionArgs{Count: &wafv2.WebAclRuleActionCountArgs{}}
	}
	rules := wafv2.WebAclRuleArray{}
	for i, group := range awsManagedRuleGroups {
		rules = append(rules, wafv2.WebAclRuleArgs{
			Name: pulumi.String(group), Priority: pulumi.Int(i + 1), OverrideAction: override,
			Statement: &wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
				Name: pulumi.String(group), VendorName: pulumi.String("AWS"),
			}},
			VisibilityConfig: visibility(group),
		})
	}
	rules = append(rules, wafv2.WebAclRuleArgs{
		Name: pulumi.String("rate-limit"), Priority: pulumi.Int(len(awsManagedRuleGroups) + 1), Action: rateAction,
		Statement: &wafv2.WebAclRuleStatementArgs{RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
			Limit: pulumi.Int(b.s.RateLimit), AggregateKeyType: pulumi.String("IP"), EvaluationWindowSec: pulumi.Int(300),
		}},
		VisibilityConfig: visibility("rate-limit"),
	})
	acl, err := wafv2.NewWebAcl(b.ctx, b.name, &wafv2.WebAclArgs{
		Name:          pulumi.String(b.dep.Name("web")),
		Description:   pulumi.String("WedSync public entry point: AWS managed rules and a per-address rate limit"),
		Scope:         pulumi.String("REGIONAL"),
		DefaultAction: &wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules,
		VisibilityConfig: &wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(b.dep.Name("web")), SampledRequestsEnabled: pulumi.Bool(true),
		},
	}, b.opts()...)
	if err != nil {
		return err
	}
	_, err = wafv2.NewWebAclAssociation(b.ctx, b.name, &wafv2.WebAclAssociationArgs{ResourceArn: alb.Arn, WebAclArn: acl.Arn}, b.opts()...)
	return err
}

// awsAlarms renders the ingress's alarms from the ALB's metrics: burn
// rates of the 5xx ratio (the ALB's own and the targets'), p99 target
// response time, and unhealthy targets in prod.
func (b *builder) awsAlarms(alb *lb.LoadBalancer, tg *lb.TargetGroup) error {
	t, actions := b.a.Alerts.Limits(), b.a.Alerts.Actions()
	dims := pulumi.StringMap{"LoadBalancer": alb.ArnSuffix}
	alarm := func(key string, args *cloudwatch.MetricAlarmArgs) error {
		args.Name, args.AlarmDescription = pulumi.String(b.dep.Name("web", key)), pulumi.String(alarmDescription(key, t))
		args.AlarmActions, args.OkActions, args.TreatMissingData = actions, actions, pulumi.String("notBreaching")
		_, err := cloudwatch.NewMetricAlarm(b.ctx, b.name+"-"+key, args, b.opts()...)
		return err
	}
	for _, br := range burns(t) {
		sum := func(id, metric string) cloudwatch.MetricAlarmMetricQueryArgs {
			return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), ReturnData: pulumi.Bool(false), Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String(metric), Dimensions: dims,
				Period: pulumi.Int(br.minutes * 60), Stat: pulumi.String("Sum"),
			}}
		}
		if err := alarm(br.key, &cloudwatch.MetricAlarmArgs{
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(br.ratio), EvaluationPeriods: pulumi.Int(1),
			MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
				sum("elb5xx", "HTTPCode_ELB_5XX_Count"), sum("target5xx", "HTTPCode_Target_5XX_Count"), sum("requests", "RequestCount"),
				cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("ratio"), Label: pulumi.String("5xx ratio"), ReturnData: pulumi.Bool(true),
					Expression: pulumi.String("(FILL(elb5xx,0)+FILL(target5xx,0))/requests")},
			},
		}); err != nil {
			return err
		}
	}
	if err := alarm(alarmLatency, &cloudwatch.MetricAlarmArgs{
		Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("TargetResponseTime"), Dimensions: dims,
		ExtendedStatistic: pulumi.String("p99"), Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(t.EvaluationMinutes / 5),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(t.LatencyP99Millis / 1000),
	}); err != nil {
		return err
	}
	if !b.dep.IsProd() {
		return nil
	}
	return alarm(alarmUnhealthy, &cloudwatch.MetricAlarmArgs{
		Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String("UnHealthyHostCount"),
		Dimensions: pulumi.StringMap{"LoadBalancer": alb.ArnSuffix, "TargetGroup": tg.ArnSuffix},
		Statistic:  pulumi.String("Maximum"), Period: pulumi.Int(60), EvaluationPeriods: pulumi.Int(t.UnhealthyBackendMinutes),
		DatapointsToAlarm: pulumi.Int(t.UnhealthyBackendMinutes), ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(0),
	})
}
