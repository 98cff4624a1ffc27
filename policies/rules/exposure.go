package rules

import (
	"net/netip"
	"strings"
)

// Exposure: nothing that holds data is reachable from the internet.
const (
	PolicyNoPublicData     = "no-public-data"
	PolicyS3PublicAccess   = "s3-public-access-block"
	PolicyInstanceMetadata = "instance-metadata-v2"
	allUsers               = "allUsers"
	allAuthenticatedUsers  = "allAuthenticatedUsers"
	everywhereIPv4         = "0.0.0.0/0"
)

func exposurePolicies() []*Policy {
	return []*Policy{
		{
			Name: PolicyNoPublicData,
			Description: "No public buckets, blobs or database endpoints: RDS not publiclyAccessible; Cloud SQL without a public IP (ipv4Enabled false) " +
				"or 0.0.0.0/0 networks; GCS with publicAccessPrevention enforced, uniform bucket-level access and no allUsers grants; " +
				"S3 without public ACLs; Azure storage with allowBlobPublicAccess false and private containers; PostgreSQL flexible servers " +
				"in a delegated subnet with no firewall rule admitting more than a /16 of public addresses or any Azure service; Key Vault networkAcls defaultAction Deny.",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{
				awsRDSInstance:      rdsNotPublic,
				awsS3AclV2:          s3AclNotPublic,
				awsS3Bucket:         s3AclNotPublic,
				gcpSQLInstance:      cloudSQLNotPublic,
				gcpBucket:           gcsNotPublic,
				gcpBucketIAMMember:  gcsIAMNotPublic,
				gcpBucketIAMBinding: gcsIAMNotPublic,
				azStorageAccount:    azureStorageNotPublic,
				azBlobContainer:     azureContainerNotPublic,
				azPGServer:          azurePGNotPublic,
				azPGFirewallRule:    azurePGFirewallNotOpen,
				azKeyVault:          keyVaultDeniesByDefault,
			},
		},
		{
			Name: PolicyS3PublicAccess,
			Description: "Every S3 bucket has a public access block naming it with blockPublicAcls, blockPublicPolicy, ignorePublicAcls " +
				"and restrictPublicBuckets all true; a bucket with no public access block fails.",
			Level:  Mandatory,
			Stack:  s3PublicAccessStack,
			Judges: s3Buckets,
		},
		{
			Name: PolicyInstanceMetadata,
			Description: "Launch templates require IMDSv2 (metadataOptions.httpTokens required), so a server-side request forgery cannot read instance credentials. " +
				"Mandatory in prod (high severity in AWS Foundational Security Best Practices: EC2.8, AutoScaling.3), advisory elsewhere.",
			// https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-8
			// https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-3
			Level:     Advisory,
			ProdLevel: Mandatory,
			Check:     map[string]func(*Resource, *Env) []string{awsLaunchTemplate: launchTemplateIMDSv2},
		},
	}
}

func rdsNotPublic(r *Resource, _ *Env) []string {
	if pub, st := boolean(r.Props, "publiclyAccessible"); st == known && pub {
		return []string{fix("publiclyAccessible is true: the database gets a public endpoint", "set publiclyAccessible: false and reach it from inside the VPC")}
	}
	return nil
}

var publicCannedACLs = []string{"public-read", "public-read-write", "authenticated-read"}

func s3AclNotPublic(r *Resource, _ *Env) []string {
	if acl, st := str(r.Props, "acl"); st == known && hasAny([]string{acl}, publicCannedACLs...) {
		return []string{fix("acl %q makes objects public", "use acl private (or none, with object ownership BucketOwnerEnforced)", acl)}
	}
	return nil
}

func cloudSQLNotPublic(r *Resource, _ *Env) []string {
	var out []string
	if on, st := boolean(r.Props, "settings", "ipConfiguration", "ipv4Enabled"); st == absent || (st == known && on) {
		out = append(out, fix("settings.ipConfiguration.ipv4Enabled is not false: the instance gets a public IP (the API default)",
			"set settings.ipConfiguration.ipv4Enabled: false and privateNetwork to the VPC"))
	}
	nets, _ := list(r.Props, "settings", "ipConfiguration", "authorizedNetworks")
	for _, n := range nets {
		if v, st := str(n, "value"); st == known && (v == everywhereIPv4 || v == "0.0.0.0") {
			out = append(out, fix("settings.ipConfiguration.authorizedNetworks allows %s: anyone on the internet can connect", "remove it; connect over the private network", v))
		}
	}
	return out
}

func gcsNotPublic(r *Resource, _ *Env) []string {
	var out []string
	if v, st := str(r.Props, "publicAccessPrevention"); st != unknown && v != "enforced" {
		out = append(out, fix("publicAccessPrevention is not enforced: objects can be made public", "set publicAccessPrevention: enforced"))
	}
	if on, st := boolean(r.Props, "uniformBucketLevelAccess"); st != unknown && !on {
		out = append(out, fix("uniformBucketLevelAccess is not true: per-object ACLs can grant public access", "set uniformBucketLevelAccess: true"))
	}
	return out
}

func gcsIAMNotPublic(r *Resource, _ *Env) []string {
	members, _ := stringList(r.Props, "members")
	if m, st := str(r.Props, "member"); st == known {
		members = append(members, m)
	}
	if hasAny(members, allUsers, allAuthenticatedUsers) {
		return []string{fix("grants the bucket to allUsers or allAuthenticatedUsers: it is public", "grant specific service accounts or groups instead")}
	}
	return nil
}

func azureStorageNotPublic(r *Resource, _ *Env) []string {
	if on, st := boolean(r.Props, "allowBlobPublicAccess"); st == absent || (st == known && on) {
		return []string{fix("allowBlobPublicAccess is not false: containers can be made public", "set allowBlobPublicAccess: false")}
	}
	return nil
}

func azureContainerNotPublic(r *Resource, _ *Env) []string {
	if v, st := str(r.Props, "publicAccess"); st == known && !strings.EqualFold(v, "None") {
		return []string{fix("publicAccess is %q: blobs are readable anonymously", "set publicAccess: None", v)}
	}
	return nil
}

func azurePGNotPublic(r *Resource, _ *Env) []string {
	if ok, st := set(r.Props, "network", "delegatedSubnetResourceId"); st == absent || (st == known && !ok) {
		return []string{fix("no network.delegatedSubnetResourceId: the server gets a public endpoint",
			"set network.delegatedSubnetResourceId (private access, VNet integration) and network.privateDnsZoneArmResourceId")}
	}
	return nil
}

// maxFirewallRange is the most public addresses one PostgreSQL firewall
// rule may admit (a /16): a rule that wide is the internet, not a site.
const maxFirewallRange = 1 << 16

// azurePGFirewallNotOpen judges a rule by the range it admits, not by its
// end address alone: 0.0.0.0-255.255.255.254 is as open as .255. The rule
// 0.0.0.0-0.0.0.0 is Azure's "allow public access from any Azure service",
// which admits every Azure customer's addresses. See
// https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-firewall-rules
func azurePGFirewallNotOpen(r *Resource, _ *Env) []string {
	start, st1 := str(r.Props, "startIpAddress")
	end, st2 := str(r.Props, "endIpAddress")
	if st1 != known || st2 != known {
		return nil
	}
	from, err1 := netip.ParseAddr(start)
	to, err2 := netip.ParseAddr(end)
	if err1 != nil || err2 != nil || !from.Is4() || !to.Is4() {
		return nil // not an IPv4 range: the API refuses it
	}
	if from == netip.IPv4Unspecified() && to == netip.IPv4Unspecified() {
		return []string{fix("the firewall rule 0.0.0.0-0.0.0.0 admits any Azure service, including other customers'", "remove it; use private access (a delegated subnet)")}
	}
	lo, hi := ipv4(from), ipv4(to)
	if hi >= lo && hi-lo+1 > maxFirewallRange && !private(from, to) {
		return []string{fix("the firewall rule %s-%s admits %d addresses, a large part of the internet", "remove it, or narrow it to the addresses that need access; prefer private access",
			start, end, hi-lo+1)}
	}
	return nil
}

func ipv4(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

// privateRanges are RFC 1918's: unreachable from the internet.
var privateRanges = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}

// private reports whether from-to lies inside one private range.
func private(from, to netip.Addr) bool {
	for _, p := range privateRanges {
		if p.Contains(from) && p.Contains(to) {
			return true
		}
	}
	return false
}

func keyVaultDeniesByDefault(r *Resource, _ *Env) []string {
	if v, st := str(r.Props, "properties", "networkAcls", "defaultAction"); st != unknown && !strings.EqualFold(v, "Deny") {
		return []string{fix("properties.networkAcls.defaultAction is not Deny: the vault is reachable from any network (the default is Allow)",
			"set properties.networkAcls {defaultAction: Deny, bypass: AzureServices} and allow only the networks that need it")}
	}
	return nil
}

func launchTemplateIMDSv2(r *Resource, _ *Env) []string {
	if v, st := str(r.Props, "metadataOptions", "httpTokens"); st != unknown && v != "required" {
		return []string{fix("metadataOptions.httpTokens is not required: IMDSv1 is allowed", "set metadataOptions.httpTokens: required")}
	}
	return nil
}

func s3PublicAccessStack(s *Stack, _ *Env) []Finding {
	flags := []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"}
	judge := func(c *Resource) (bool, state, string) {
		var off []string
		for _, f := range flags {
			on, st := boolean(c.Props, f)
			if st == unknown {
				return false, unknown, ""
			}
			if !on {
				off = append(off, f)
			}
		}
		if len(off) == 0 {
			return true, known, ""
		}
		return false, known, fix("its public access block leaves %s off", "set all four flags to true", strings.Join(off, ", "))
	}
	return s3Companion(s, []string{awsS3PublicAccess}, nil, judge,
		fix("no public access block names this bucket, so a policy or ACL can make it public",
			"add an aws.s3.BucketPublicAccessBlock with all four flags true"))
}
