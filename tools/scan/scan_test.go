package main

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// The fixtures are real resources of the shipped plans (prod, prod-gcp,
// prod-azure, from `wedsync-infra plan --stack S --json`). Each case breaks
// one of them the way a careless change would, and Trivy must then report
// its check on that resource, while the real resource passes it: the
// conversion carries the settings the checks read.

var (
	sharedOnce sync.Once
	shared     *scanners
)

func scanFixture(t *testing.T, file string, mutate func(*plan)) []finding {
	t.Helper()
	p, err := readPlan("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(p)
	}
	sharedOnce.Do(func() { shared = newScanners() })
	fs, err := shared.scanPlan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// edit applies f to the inputs of the fixture's resource key (type::name).
func edit(key string, f func(in map[string]any)) func(*plan) {
	return func(p *plan) {
		for _, r := range p.Resources {
			if r.key() == key {
				f(r.Inputs)
				return
			}
		}
		panic("no resource " + key)
	}
}

// drop removes the fixture's resources of a type.
func drop(typ string) func(*plan) {
	return func(p *plan) {
		kept := p.Resources[:0]
		for _, r := range p.Resources {
			if r.Type != typ {
				kept = append(kept, r)
			}
		}
		p.Resources = kept
	}
}

func obj(in map[string]any, path ...string) map[string]any {
	for _, k := range path {
		in = in[k].(map[string]any)
	}
	return in
}

const (
	s3Bucket  = "aws:s3/bucketV2:BucketV2::media"
	s3SSE     = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2::media"
	rds       = "aws:rds/instance:Instance::main"
	appPolicy = "aws:iam/rolePolicy:RolePolicy::erasure-writer"
	sg        = "aws:ec2/securityGroup:SecurityGroup::primary-database"
	gcsBucket = "gcp:storage/bucket:Bucket::config"
	gcsMember = "gcp:storage/bucketIAMMember:BucketIAMMember::config-offsite-reader"
	cloudSQL  = "gcp:sql/databaseInstance:DatabaseInstance::main"
	firewall  = "gcp:compute/firewall:Firewall::primary-health-checks"
	azAccount = "azure-native:storage:StorageAccount::config"
	azVault   = "azure-native:keyvault:Vault::main-vault"
	azNSG     = "azure-native:network:NetworkSecurityGroup::primary-app"
)

var cases = []struct {
	name, fixture, check, resource string
	breakIt                        func(*plan)
}{
	// Trivy v0.74 no longer reports AWS-0088 (S3 encrypts by default since
	// 2023); AWS-0132 asks for a customer-managed key, as our pack does.
	{"S3 bucket without its encryption configuration", "aws.json", "AWS-0132", s3Bucket,
		drop("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")},
	{"S3 bucket encrypted with the AWS-managed key", "aws.json", "AWS-0132", s3SSE,
		edit(s3SSE, func(in map[string]any) {
			rule := obj(in["rules"].([]any)[0].(map[string]any), "applyServerSideEncryptionByDefault")
			delete(rule, "kmsMasterKeyId")
			rule["sseAlgorithm"] = "AES256"
		})},
	{"S3 bucket without its public access block", "aws.json", "AWS-0094", s3Bucket,
		drop("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")},
	// Object lock implies versioning (Trivy reads it so too): both go.
	{"S3 bucket without versioning", "aws.json", "AWS-0090", s3Bucket, func(p *plan) {
		drop("aws:s3/bucketVersioningV2:BucketVersioningV2")(p)
		drop("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")(p)
		edit(s3Bucket, func(in map[string]any) { delete(in, "objectLockEnabled") })(p)
	}},
	{"RDS instance unencrypted", "aws.json", "AWS-0080", rds,
		edit(rds, func(in map[string]any) { in["storageEncrypted"] = false; delete(in, "kmsKeyId") })},
	// AWS-0107 flags SSH and RDP open to any address (trivy-checks aws0107).
	{"security group open to SSH from the internet", "aws.json", "AWS-0107", sg,
		edit(sg, func(in map[string]any) {
			in["ingress"] = []any{map[string]any{"protocol": "tcp", "fromPort": 22, "toPort": 22,
				"cidrBlocks": []any{"0.0.0.0/0"}, "description": "everyone"}}
		})},
	// The app role has four inline policies; Trivy would link only the
	// first to the role, so each is converted to its equivalent attached
	// policy (rolePolicyAsManaged), and the last one's s3:* is seen.
	{"a role's last inline policy allowing s3:*", "aws.json", "AWS-0345", appPolicy,
		edit(appPolicy, func(in map[string]any) {
			in["policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		})},
	{"GCS bucket without uniform bucket-level access", "gcp.json", "GCP-0002", gcsBucket,
		edit(gcsBucket, func(in map[string]any) { in["uniformBucketLevelAccess"] = false })},
	{"GCS bucket readable by allUsers", "gcp.json", "GCP-0001", gcsMember,
		edit(gcsMember, func(in map[string]any) { in["member"] = "allUsers" })},
	// Trivy lets a rule limited to tagged targets pass (trivy-checks google0027).
	{"firewall rule open to any address", "gcp.json", "GCP-0027", firewall,
		edit(firewall, func(in map[string]any) { in["sourceRanges"] = []any{"0.0.0.0/0"}; delete(in, "targetTags") })},
	{"Cloud SQL reachable from any address", "gcp.json", "GCP-0017", cloudSQL,
		edit(cloudSQL, func(in map[string]any) {
			ip := obj(in, "settings", "ipConfiguration")
			ip["ipv4Enabled"] = true
			ip["authorizedNetworks"] = []any{map[string]any{"name": "all", "value": "0.0.0.0/0"}}
		})},
	{"Azure storage account accepting TLS 1.0", "azure.json", "AZU-0011", azAccount,
		edit(azAccount, func(in map[string]any) { in["minimumTlsVersion"] = "TLS1_0" })},
	{"Azure storage account allowing every network", "azure.json", "AZU-0012", azAccount,
		edit(azAccount, func(in map[string]any) { obj(in, "networkRuleSet")["defaultAction"] = "Allow" })},
	{"Azure storage account allowing plain HTTP", "azure.json", "AZU-0008", azAccount,
		edit(azAccount, func(in map[string]any) { in["enableHttpsTrafficOnly"] = false })},
	{"Azure key vault without purge protection", "azure.json", "AZU-0016", azVault,
		edit(azVault, func(in map[string]any) { obj(in, "properties")["enablePurgeProtection"] = false })},
	{"Azure security group allowing SSH from anywhere", "azure.json", "AZU-0050", azNSG,
		edit(azNSG, func(in map[string]any) {
			in["securityRules"] = append(in["securityRules"].([]any), map[string]any{"name": "ssh", "access": "Allow",
				"direction": "Inbound", "priority": 200, "protocol": "Tcp", "sourceAddressPrefix": "*",
				"sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"})
		})},
}

func has(fs []finding, check, resource string) bool {
	for _, f := range fs {
		if f.Check == check && f.Resource == resource {
			return true
		}
	}
	return false
}

func TestABrokenResourceYieldsTrivysFinding(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if fs := scanFixture(t, c.fixture, nil); has(fs, c.check, c.resource) {
				t.Errorf("the real %s already fails %s: the fixture no longer shows the fix", c.resource, c.check)
			}
			if fs := scanFixture(t, c.fixture, c.breakIt); !has(fs, c.check, c.resource) {
				t.Errorf("broken %s: Trivy reported no %s on it; got %s", c.resource, c.check, summary(fs))
			}
		})
	}
}

func summary(fs []finding) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Check+" "+f.Resource)
	}
	return strings.Join(parts, ", ")
}
