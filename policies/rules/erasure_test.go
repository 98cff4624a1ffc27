package rules

import (
	"strings"
	"testing"
)

// ledgerFixtures are a compliant erasure ledger on cloud, as the
// erasureledger component plans it (a backup store under the ledger
// component): locked 366 days, longer than every copy in the fixtures
// (35-day PITR and locks, removed within a day after), encrypted, private,
// copied, alarmed. "more" is a DR stack's: the component reading its
// source's copy, and the recovery record.
func ledgerFixtures(cloud string) []fixture {
	out := []fixture{
		{typ: ErasureLedgerTypes[0], name: "erasure", inputs: obj()},
		{typ: backupComponent, name: "erasure-store", in: "erasure", inputs: obj()},
	}
	in := "erasure-store"
	switch cloud {
	case "aws":
		const b = "wedsync-ledger"
		return append(out,
			fixture{typ: awsS3BucketV2, name: "ledger", in: in, id: b, protect: true, inputs: obj("bucket", b)},
			fixture{typ: awsS3SSEConfigV2, name: "ledger-sse", in: in, inputs: obj("bucket", b, "rules", arr(obj("applyServerSideEncryptionByDefault", obj("sseAlgorithm", "aws:kms", "kmsMasterKeyId", awsKey))))},
			fixture{typ: awsS3PublicAccess, name: "ledger-pab", in: in, inputs: obj("bucket", b, "blockPublicAcls", true, "blockPublicPolicy", true, "ignorePublicAcls", true, "restrictPublicBuckets", true)},
			fixture{typ: awsS3Policy, name: "ledger-tls", in: in, inputs: obj("bucket", b, "policy", tlsDeny)},
			fixture{typ: awsS3VersioningV2, name: "ledger-versioning", in: in, inputs: obj("bucket", b, "versioningConfiguration", obj("status", "Enabled"))},
			fixture{typ: awsS3ObjectLockV2, name: "ledger-lock", in: in, inputs: obj("bucket", b, "rule", obj("defaultRetention", obj("mode", "COMPLIANCE", "days", 366.0)))},
			fixture{typ: awsS3Replication, name: "ledger-replication", in: in, inputs: obj("bucket", b, "rules", arr(obj("status", "Enabled")))},
			fixture{typ: awsS3AclV2, name: "ledger-acl", in: in, inputs: obj("bucket", b, "acl", "private")},
			accessStore("ledger-access", in, "arn:aws:s3:::"+b+"/"),
			fixture{typ: awsS3LifecycleV2, name: "ledger-lifecycle", in: in, inputs: obj("bucket", b, "rules", arr(obj("expiration", obj("days", 365.0), "noncurrentVersionExpiration", obj("noncurrentDays", 1.0))))},
			fixture{typ: awsMetricAlarm, name: "ledger-replication-failed", in: in, inputs: obj("alarmActions", arr(snsTopic), "dimensions", obj("SourceBucket", b))},
		)
	case "gcp":
		const b = "wedsync-ledger-g"
		return append(out,
			fixture{typ: gcpBucket, name: "ledger", in: in, id: b, protect: true, inputs: obj("name", b, "location", "EUR4",
				"encryption", obj("defaultKmsKeyName", gcpKey), "publicAccessPrevention", "enforced", "uniformBucketLevelAccess", true,
				"versioning", obj("enabled", true), "retentionPolicy", obj("retentionPeriod", 366*86400.0, "isLocked", true),
				"lifecycleRules", arr(obj("action", obj("type", "Delete"), "condition", obj("age", 366.0))))},
			fixture{typ: gcpAlertPolicy, name: "ledger-replication-failed", in: in, inputs: obj("notificationChannels", arr(gcpChannel), "conditions", arr(obj("conditionThreshold", obj("filter", `resource.labels.bucket_name = "`+b+`"`))))},
		)
	case "azure":
		const a = "wsledgeruks"
		return append(out,
			fixture{typ: azStorageAccount, name: "ledger", in: in, id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/" + a, protect: true, inputs: obj(
				"accountName", a, "location", "uksouth", "sku", obj("name", "Standard_RAGZRS"),
				"encryption", obj("keySource", "Microsoft.Keyvault", "keyVaultProperties", obj("keyName", "backup", "keyVaultUri", "https://wskv.vault.azure.net")),
				"enableHttpsTrafficOnly", true, "minimumTlsVersion", "TLS1_2", "allowBlobPublicAccess", false,
				"immutableStorageWithVersioning", obj("enabled", true, "immutabilityPolicy", obj("immutabilityPeriodSinceCreationInDays", 366.0, "state", "Locked")))},
			fixture{typ: azBlobService, name: "ledger-blob", in: in, inputs: obj("accountName", a, "isVersioningEnabled", true)},
			fixture{typ: azBlobContainer, name: "ledger-container", in: in, inputs: obj("accountName", a, "containerName", "backups", "publicAccess", "None", "immutableStorageWithVersioning", obj("enabled", true))},
			fixture{typ: azMetricAlert, name: "ledger-unavailable", in: in, inputs: obj("actions", arr(obj("actionGroupId", azActionGroup)), "scopes", arr("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/"+a))},
		)
	}
	return []fixture{{typ: ErasureLedgerTypes[0], name: "erasure", inputs: obj()}, {typ: recoveryType, name: "recovery", inputs: obj()}}
}

var erasureBreakings = []breaking{
	{"erasure_ledger_locked_shorter_than_the_backups", "aws", "ledger-lock", "rule.defaultRetention.days", 30.0, PolicyErasureLedger, "ledger"},
	{"erasure_ledger_in_governance_mode", "aws", "ledger-lock", "rule.defaultRetention.mode", "GOVERNANCE", PolicyErasureLedger, "ledger"},
	{"erasure_ledger_not_replicated", "aws", "ledger-replication", "", nil, PolicyErasureLedger, "ledger"},
	{"erasure_ledger_retention_unlocked", "gcp", "ledger", "retentionPolicy.isLocked", false, PolicyErasureLedger, ""},
	{"erasure_ledger_shorter_than_cloud_sql_backups", "gcp", "db", "settings.backupConfiguration.backupRetentionSettings.retainedBackups", 400.0, PolicyErasureLedger, "ledger"},
	{"erasure_ledger_not_copied", "azure", "ledger", "sku.name", "Standard_LRS", PolicyErasureLedger, ""},
	{"erasure_ledger_provider_managed_key", "azure", "ledger", "encryption.keySource", "Microsoft.Storage", PolicyErasureLedger, ""},
}

func init() { breakings = append(breakings, erasureBreakings...) }

// A prod stack without a ledger, and not a DR stack reading its source's,
// breaks the rule on the stack; the message names both GDPR articles'
// concern and the remedy.
func TestAProdStackWithoutALedgerFails(t *testing.T) {
	for cloud := range map[string]bool{"aws": true, "gcp": true, "azure": true} {
		fixtures := with(clouds()[cloud], "ledger", "", nil)
		found := false
		for _, f := range check("prod", fixtures, Config{}, wednesday) {
			found = found || (f.Policy == PolicyErasureLedger && f.URN == stackURN && strings.Contains(f.Message, "Art. 17"))
		}
		if !found {
			t.Errorf("%s: a prod stack without an erasure ledger passed", cloud)
		}
		if got := check("staging", fixtures, Config{}, wednesday); hasPolicy(got, PolicyErasureLedger) {
			t.Errorf("%s: the rule judged staging", cloud)
		}
	}
	p := Policies()[len(Policies())-1]
	if p.Name != PolicyErasureLedger || !strings.Contains(p.Description, "Art. 17") || !strings.Contains(p.Description, "Art. 5(1)(e)") {
		t.Errorf("the rule's description must name GDPR Art. 17 and Art. 5(1)(e): %q", p.Description)
	}
}

func hasPolicy(fs []Finding, name string) bool {
	for _, f := range fs {
		if f.Policy == name {
			return true
		}
	}
	return false
}
