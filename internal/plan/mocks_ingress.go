package plan

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// MockHostedZoneID is the Route 53 hosted zone every offline plan finds.
const MockHostedZoneID = "Z0OFFLINEPLAN0000001"

// The ingress's data sources and computed attributes: the hosted zone it
// looks up, the ALB's and target group's ARNs, suffixes (CloudWatch
// dimensions) and DNS names, ACM's validation record, reserved addresses,
// uptime check ids and the gateway's public IP.
func init() {
	invokes["aws:route53/getZone:getZone"] = func(args resource.PropertyMap, _ where) map[string]any {
		name := str(args, "name")
		return map[string]any{"zoneId": MockHostedZoneID, "name": name, "id": MockHostedZoneID,
			"arn": "arn:aws:route53:::hostedzone/" + MockHostedZoneID, "privateZone": false}
	}
	attributes["aws:lb/loadBalancer:LoadBalancer"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		phys := physicalName(name, in, "name")
		set("arnSuffix", strings.TrimPrefix(lbResourcePath("LoadBalancer", phys, w.region), "loadbalancer/"))
		set("dnsName", fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", phys, shortHash(phys)[:10], w.region))
		set("zoneId", "ZHURV8PSTC4K8")
	}
	attributes["aws:lb/targetGroup:TargetGroup"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("arnSuffix", lbResourcePath("TargetGroup", physicalName(name, in, "name"), w.region))
	}
	attributes["aws:acm/certificate:Certificate"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		domain := str(in, "domainName")
		set("arn", fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", w.region, MockAWSAccount, uuidFrom("cert"+domain+w.region)))
		set("domainValidationOptions", []any{map[string]any{
			"domainName": domain, "resourceRecordName": "_" + shortHash(domain)[:32] + "." + domain + ".",
			"resourceRecordType": "CNAME", "resourceRecordValue": "_" + shortHash("v" + domain)[:32] + ".acm-validations.aws.",
		}})
	}
	attributes["aws:route53/record:Record"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("fqdn", str(in, "name"))
	}
	attributes["aws:route53/healthCheck:HealthCheck"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("arn", "arn:aws:route53:::healthcheck/"+uuidFrom("hc"+id))
	}
	attributes["gcp:compute/globalAddress:GlobalAddress"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("address", fmt.Sprintf("34.%d.%d.10", 100+int(shortHash(id)[0])%50, int(shortHash(id)[1])%200))
	}
	attributes["gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("uptimeCheckId", physicalName(name, in)+"-"+shortHash(id)[:8])
	}
	attributes["azure-native:network:PublicIPAddress"] = func(id, name string, in resource.PropertyMap, w where, set setter) {
		set("ipAddress", fmt.Sprintf("20.%d.%d.20", 60+int(shortHash(id)[0])%50, int(shortHash(id)[1])%200))
	}
}

// lbResourcePath is the resource part of an ALB's or target group's ARN
// (loadbalancer/app/NAME/ID, targetgroup/NAME/ID); CloudWatch dimensions
// name them by it (without "loadbalancer/").
func lbResourcePath(typ, name, region string) string {
	if typ == "LoadBalancer" {
		return fmt.Sprintf("loadbalancer/app/%s/%s", name, shortHash("alb" + name + region)[:16])
	}
	return fmt.Sprintf("targetgroup/%s/%s", name, shortHash(name + region)[:16])
}
