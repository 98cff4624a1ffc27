package dr

import (
	"encoding/json"
	"slices"
	"strings"
)

// awsStatement is one Allow statement of an IAM policy.
type awsStatement struct {
	actions, resources []string
}

// awsRolePolicies are the Allow statements of every inline policy of role.
func awsRolePolicies(p jsonPlan, role string) []awsStatement {
	var out []awsStatement
	for _, r := range all(p, "aws:iam/rolePolicy:RolePolicy") {
		if s(r.Inputs, "role") != role {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(s(r.Inputs, "policy")), &doc); err != nil {
			continue
		}
		stmts, _ := doc["Statement"].([]any)
		for _, st := range stmts {
			if s(st, "Effect") == "Allow" {
				out = append(out, awsStatement{actions: strs(st, "Action"), resources: strs(st, "Resource")})
			}
		}
	}
	return out
}

// allows reports whether a statement allows every action on a resource
// that match accepts.
func allows(stmts []awsStatement, actions []string, match func(string) bool) bool {
	for _, st := range stmts {
		if !slices.ContainsFunc(st.resources, match) {
			continue
		}
		ok := true
		for _, a := range actions {
			ok = ok && slices.Contains(st.actions, a)
		}
		if ok {
			return true
		}
	}
	return false
}

func (c *bootCase) awsBoot(image string, add func(string, ...any)) {
	region := c.region
	arnIn := func(service string) func(string) bool {
		return func(arn string) bool { return strings.HasPrefix(arn, "arn:aws:"+service+":"+region+":") }
	}
	lt, asg := c.resource("aws:ec2/launchTemplate:LaunchTemplate"), c.resource("aws:autoscaling/group:Group")
	if lt == nil || asg == nil {
		add("no launch template or Auto Scaling group in %s", c.dr.Stack)
		return
	}
	// An AMI id is regional: a launch template in region must name an AMI
	// of that region (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html).
	if got := s(lt.Inputs, "imageId"); got != image || regionOf(c.dr, *lt) != region {
		add("the launch template boots %s in %s; the release's image in %s is %q", got, regionOf(c.dr, *lt), region, image)
	}
	if s(asg.Inputs, "launchTemplate", "id") != lt.ID {
		add("the group launches %q, not the launch template %s", s(asg.Inputs, "launchTemplate", "id"), lt.ID)
	}
	// The instance's role is its instance profile's
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html).
	profileName := s(lt.Inputs, "iamInstanceProfile", "arn")
	profileName = profileName[strings.LastIndex(profileName, "/")+1:]
	profile := one(c.dr, "aws:iam/instanceProfile:InstanceProfile", func(r jsonResource) bool { return s(r.Inputs, "name") == profileName })
	if profile == nil {
		add("the launch template's instance profile %q is not in the plan", profileName)
		return
	}
	stmts := awsRolePolicies(c.dr, s(profile.Inputs, "role"))
	c.awsGrants(stmts, arnIn, add)
	c.awsSecretsReplicated(stmts, add)
	c.awsDatabase(stmts, add)
	// The ALB forwards to a target group and the ASG registers its
	// instances in it (https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html).
	tgs := strs(asg.Inputs, "targetGroupArns")
	if len(tgs) == 0 {
		add("the group is in no target group: the load balancer cannot reach it")
	}
	forwards := false
	for _, l := range all(c.dr, "aws:lb/listener:Listener") {
		for _, a := range asList(at(l.Inputs, "defaultActions")) {
			if s(a, "type") == "forward" && slices.Contains(tgs, s(a, "targetGroupArn")) && arnIn("elasticloadbalancing")(s(a, "targetGroupArn")) {
				forwards = true
			}
		}
	}
	if !forwards {
		add("no listener forwards to a target group of the group (%v)", tgs)
	}
}

// awsGrants: the app reads its secrets (GetSecretValue, and kms:Decrypt
// of the secrets key through Secrets Manager) and uses the field key, in
// region (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
// https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html).
func (c *bootCase) awsGrants(stmts []awsStatement, arnIn func(string) func(string) bool, add func(string, ...any)) {
	if !allows(stmts, []string{"secretsmanager:GetSecretValue"}, arnIn("secretsmanager")) {
		add("the app's role may not secretsmanager:GetSecretValue in %s", c.region)
	}
	if !allows(stmts, []string{"kms:Decrypt"}, arnIn("kms")) {
		add("the app's role may not kms:Decrypt with a key in %s (its secrets)", c.region)
	}
	if !allows(stmts, []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"}, arnIn("kms")) {
		add("the app's role may not encrypt, decrypt and make data keys with a key in %s (the field key)", c.region)
	}
}

// awsSecretsReplicated: every secret of the source the app may read has a
// replica in region (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html).
func (c *bootCase) awsSecretsReplicated(stmts []awsStatement, add func(string, ...any)) {
	var prefixes []string
	for _, st := range stmts {
		if slices.Contains(st.actions, "secretsmanager:GetSecretValue") {
			for _, r := range st.resources {
				_, name, _ := strings.Cut(r, ":secret:")
				prefixes = append(prefixes, strings.TrimSuffix(name, "*"))
			}
		}
	}
	readable := 0
	for _, sec := range all(c.source, "aws:secretsmanager/secret:Secret") {
		name := s(sec.Inputs, "name")
		if !slices.ContainsFunc(prefixes, func(p string) bool { return p != "" && strings.HasPrefix(name, p) }) {
			continue
		}
		readable++
		replicated := false
		for i := range len(asList(at(sec.Inputs, "replicas"))) {
			replicated = replicated || s(sec.Inputs, "replicas", itoa(i), "region") == c.region
		}
		if !replicated {
			add("the source's secret %s, which the app reads, has no replica in %s", name, c.region)
		}
	}
	if readable == 0 {
		add("none of the source's secrets is one the app may read (%v)", prefixes)
	}
}

// awsDatabase: the database is restored in region from the automated
// backups replicated there (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html),
// RDS Proxy targets it, and the app may rds-db:connect to the proxy as
// the proxy's IAM user (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html#rds-proxy-connecting-iam).
func (c *bootCase) awsDatabase(stmts []awsStatement, add func(string, ...any)) {
	db := c.resource("aws:rds/instance:Instance")
	proxy, target := c.resource("aws:rds/proxy:Proxy"), c.resource("aws:rds/proxyTarget:ProxyTarget")
	if db == nil || proxy == nil || target == nil {
		add("no database, RDS Proxy or proxy target in %s", c.dr.Stack)
		return
	}
	backups := s(db.Inputs, "restoreToPointInTime", "sourceDbInstanceAutomatedBackupsArn")
	if !strings.HasPrefix(backups, "arn:aws:rds:"+c.region+":") && s(db.Inputs, "snapshotIdentifier") == "" {
		add("the database is not a restore of backups in %s (restoreToPointInTime %v): it would start empty", c.region, at(db.Inputs, "restoreToPointInTime"))
	}
	if regionOf(c.dr, *db) != c.region || regionOf(c.dr, *proxy) != c.region {
		add("the database or its proxy is not in %s", c.region)
	}
	if got := s(target.Inputs, "dbInstanceIdentifier"); got != s(db.Inputs, "identifier") || s(target.Inputs, "dbProxyName") != s(proxy.Inputs, "name") {
		add("the proxy targets %s, not the restored database %s", got, s(db.Inputs, "identifier"))
	}
	user := s(proxy.Inputs, "auths", "0", "username")
	if !allows(stmts, []string{"rds-db:connect"}, func(arn string) bool {
		return strings.HasPrefix(arn, "arn:aws:rds-db:"+c.region+":") && strings.Contains(arn, ":dbuser:prx-") && strings.HasSuffix(arn, "/"+user)
	}) {
		add("the app's role may not rds-db:connect to the proxy in %s as %s", c.region, user)
	}
	if s(proxy.Inputs, "auths", "0", "iamAuth") != "REQUIRED" {
		add("the proxy does not take IAM sign-in")
	}
	if ep := s(c.dr.Outputs, "database", "poolerEndpoint"); !strings.Contains(ep, ".proxy-") || !strings.Contains(ep, "."+c.region+".") {
		add("the app's database endpoint %q is not the proxy in %s", ep, c.region)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
