package limits

import (
	"strings"
	"testing"
)

func policyOf(n int) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", n) + `"}]}`
}

// cases are, per rule, one value the cloud accepts and one it refuses.
var cases = []struct {
	rule, typ, path string
	ok, bad         any
}{
	{"s3-bucket-name", "aws:s3/bucketV2:BucketV2", "bucket", "wedsync-prod-backups-euw2", strings.Repeat("a", 64)},
	{"s3-bucket-name", "aws:s3/bucketV2:BucketV2", "bucket", "a.b-c", "Wedsync-Prod"},
	{"s3-bucket-name", "aws:s3/bucketV2:BucketV2", "bucket", "abc", "bucket-s3alias"},
	{"rds-instance-identifier", "aws:rds/instance:Instance", "identifier", "wedsync-prod-main", "wedsync--main"},
	{"rds-final-snapshot-identifier", "aws:rds/instance:Instance", "finalSnapshotIdentifier", "wedsync-prod-main-final", "1-final"},
	{"rds-parameter-group-name", "aws:rds/parameterGroup:ParameterGroup", "name", "wedsync-prod-main-pg16", "wedsync_pg16"},
	{"rds-subnet-group-name", "aws:rds/subnetGroup:SubnetGroup", "name", "wedsync-prod-main", "default"},
	{"kms-alias-name", "aws:kms/alias:Alias", "name", "alias/wedsync-prod-backup", "alias/aws/backup"},
	{"iam-role-name", "aws:iam/role:Role", "name", "wedsync-prod-app-euw2", strings.Repeat("r", 65)},
	{"iam-instance-profile-name", "aws:iam/instanceProfile:InstanceProfile", "name", "wedsync-prod-app", "has space"},
	{"launch-template-name", "aws:ec2/launchTemplate:LaunchTemplate", "name", "wedsync-prod-app", "ab"},
	{"gcs-bucket-name", "gcp:storage/bucket:Bucket", "name", "wedsync-prod-gcp-backup-euw2", "wedsync-google-backups"},
	{"cloud-sql-instance-name", "gcp:sql/databaseInstance:DatabaseInstance", "name", "wedsync-prod-gcp-main", "1wedsync"},
	{"kms-key-ring-name", "gcp:kms/keyRing:KeyRing", "name", "wedsync-prod-gcp-keys-euw2", strings.Repeat("k", 64)},
	{"kms-key-ring-name", "gcp:kms/cryptoKey:CryptoKey", "name", "backup", "back.up"},
	{"service-account-id", "gcp:serviceaccount/account:Account", "accountId", "wedsync-prod-gcp-app", "wedsync-prod-gcp-application-id"},
	{"compute-name", "gcp:compute/network:Network", "name", "wedsync-prod-gcp-euw2", "Wedsync"},
	{"compute-name", "gcp:compute/firewall:Firewall", "name", "wedsync-allow-health-checks", strings.Repeat("f", 64)},
	{"compute-name-prefix", "gcp:compute/instanceTemplate:InstanceTemplate", "namePrefix", "wedsync-prod-gcp-app-", strings.Repeat("p", 38)},
	{"storage-account-name", "azure-native:storage:StorageAccount", "accountName", "wedsyncprodazurebk50c428", "wedsync-prod"},
	{"blob-container-name", "azure-native:storage:BlobContainer", "containerName", "backups", "Backups"},
	{"key-vault-name", "azure-native:keyvault:Vault", "vaultName", "wedsync-prod-azur-eb9a33", strings.Repeat("v", 25)},
	{"key-vault-key-name", "azure-native:keyvault:Key", "keyName", "backup", "back_up"},
	{"postgresql-server-name", "azure-native:dbforpostgresql/v20240801:Server", "serverName", "wedsync-prod-azure-main-uks", "-main"},
	{"action-group-short-name", "azure-native:insights:ActionGroup", "groupShortName", "wedsync", "wedsync-alerts"},
	{"aws-tags", "aws:ec2/vpc:Vpc", "tags", map[string]any{"Name": "wedsync-prod"}, map[string]any{"aws:owner": "me"}},
	{"aws-tags", "aws:autoscaling/group:Group", "tags", []any{map[string]any{"key": "Name", "value": "app"}}, []any{map[string]any{"key": strings.Repeat("k", 129), "value": "x"}}},
	{"aws-tags", "aws:ec2/launchTemplate:LaunchTemplate", "tagSpecifications", []any{map[string]any{"tags": map[string]any{"Name": "app"}}}, []any{map[string]any{"tags": map[string]any{"Name": strings.Repeat("v", 257)}}}},
	{"gcp-labels", "gcp:compute/instanceTemplate:InstanceTemplate", "labels", map[string]any{"app": "wedsync"}, map[string]any{"App": "wedsync"}},
	{"gcp-labels", "gcp:sql/databaseInstance:DatabaseInstance", "settings", map[string]any{"userLabels": map[string]any{"tier": "db"}}, map[string]any{"userLabels": map[string]any{"tier": "DB"}}},
	{"gcp-labels", "gcp:monitoring/notificationChannel:NotificationChannel", "userLabels", map[string]any{"team": "platform"}, map[string]any{"team": "Platform Team"}},
	{"azure-tags", "azure-native:keyvault:Vault", "tags", map[string]any{"app": "wedsync"}, map[string]any{"a/b": "wedsync"}},
	{"azure-tags", "azure-native:insights:WebTest", "tags", map[string]any{"hidden-link:/subscriptions/0/resourceGroups/rg/providers/Microsoft.Insights/components/web": "Resource"},
		map[string]any{"hidden-link:elsewhere/x": "Resource"}},
	{"azure-tags", "azure-native:storage:StorageAccount", "tags", map[string]any{"app": "wedsync"}, map[string]any{strings.Repeat("t", 129): "x"}},
	{"kms-key-policy", "aws:kms/key:Key", "policy", policyOf(100), policyOf(32768)},
	{"kms-key-policy", "aws:kms/replicaKey:ReplicaKey", "policy", policyOf(100), "not json"},
	{"s3-bucket-policy", "aws:s3/bucketPolicy:BucketPolicy", "policy", policyOf(20000), policyOf(20480)},
	{"iam-role-trust-policy", "aws:iam/role:Role", "assumeRolePolicy", policyOf(1900) + strings.Repeat(" ", 500), policyOf(2048)},
	{"iam-role-inline-policies", "aws:iam/rolePolicy:RolePolicy", "policy", policyOf(10000), policyOf(10240)},
	{"kms-deletion-window", "aws:kms/key:Key", "deletionWindowInDays", 30.0, 31.0},
	{"kms-deletion-window", "aws:kms/replicaKey:ReplicaKey", "deletionWindowInDays", 7.0, 6.0},
	{"kms-rotation-period", "aws:kms/key:Key", "rotationPeriodInDays", 90.0, 89.0},
	{"rds-backup-retention", "aws:rds/instance:Instance", "backupRetentionPeriod", 35.0, 36.0},
	{"gcp-key-rotation", "gcp:kms/cryptoKey:CryptoKey", "rotationPeriod", "86400s", "86399s"},
	{"postgresql-backup-retention", "azure-native:dbforpostgresql/v20240801:Server", "backup", map[string]any{"backupRetentionDays": 35.0}, map[string]any{"backupRetentionDays": 1.0}},
}

func TestEachRuleAcceptsWhatTheCloudAcceptsAndRefusesTheRest(t *testing.T) {
	for _, c := range cases {
		t.Run(c.rule+"_"+c.typ, func(t *testing.T) {
			if got := Check(c.typ, map[string]any{c.path: c.ok}, nil); len(got) != 0 {
				t.Errorf("%v refused: %v", c.ok, got)
			}
			got := Check(c.typ, map[string]any{c.path: c.bad}, nil)
			if len(got) != 1 || got[0].Rule != c.rule || got[0].Doc == "" || got[0].Allowed == "" {
				t.Errorf("%v: got %v, want one breach of %s naming its documentation", c.bad, got, c.rule)
			}
		})
	}
}

func TestEveryRowIsTestedAndCitesItsDocumentation(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range cases {
		tested[c.rule] = true
	}
	for _, r := range Table {
		if !tested[r.Name] {
			t.Errorf("rule %s has no accepted and refused case", r.Name)
		}
		if !strings.HasPrefix(r.Doc, "https://") || r.Allowed == "" || len(r.Types) == 0 {
			t.Errorf("rule %s: doc %q, allowed %q, types %v", r.Name, r.Doc, r.Allowed, r.Types)
		}
	}
}

func TestProviderDefaultTagsCountTowardsTheLimit(t *testing.T) {
	own, defaults := map[string]any{}, map[string]any{}
	for i := 0; i < 26; i++ {
		own[string(rune('a'+i))] = "x"
		defaults["d"+string(rune('a'+i))] = "y"
	}
	provider := map[string]any{"defaultTags": map[string]any{"tags": defaults}}
	if got := Check("aws:ec2/vpc:Vpc", map[string]any{"tags": own}, nil); len(got) != 0 {
		t.Fatalf("26 tags refused: %v", got)
	}
	if got := Check("aws:ec2/vpc:Vpc", map[string]any{"tags": own}, provider); len(got) != 1 || !strings.Contains(got[0].Problem, "52 tags") {
		t.Fatalf("26 own + 26 default tags: %v, want a breach of 52 tags", got)
	}
	asJSON := map[string]any{"defaultTags": `{"tags":{"da":"1","db":"2","dc":"3","dd":"4","de":"5"}}`}
	for i := 0; i < 22; i++ {
		own["e"+string(rune('a'+i))] = "z"
	}
	if got := Check("aws:ec2/vpc:Vpc", map[string]any{"tags": own}, asJSON); len(got) != 1 || !strings.Contains(got[0].Problem, "53 tags") {
		t.Fatalf("48 own + 5 default tags given as JSON text: %v, want 53 tags counted", got)
	}
}

func TestUnknownAndSecretValuesAreNotJudged(t *testing.T) {
	for _, v := range []any{Unknown, Secret} {
		if got := Check("aws:s3/bucketV2:BucketV2", map[string]any{"bucket": v}, nil); len(got) != 0 {
			t.Errorf("%v judged: %v", v, got)
		}
	}
}

func TestARolesInlinePoliciesCountTogether(t *testing.T) {
	role := Resource{URN: "urn:role", Type: "aws:iam/role:Role", Inputs: map[string]any{"name": "app"}}
	half := func(urn string) Resource {
		return Resource{URN: urn, Type: "aws:iam/rolePolicy:RolePolicy", Inputs: map[string]any{"role": "app", "policy": policyOf(6000)}}
	}
	if got := CheckAll([]Resource{role, half("urn:p1")}); len(got) != 0 {
		t.Fatalf("one 6,000-character policy refused: %v", got)
	}
	got := CheckAll([]Resource{role, half("urn:p1"), half("urn:p2")})
	if len(got) != 1 || got[0].Rule != "iam-role-inline-policies" || got[0].URN != "urn:role" {
		t.Fatalf("two 6,000-character policies on one role: %v, want one aggregate breach on the role", got)
	}
}
