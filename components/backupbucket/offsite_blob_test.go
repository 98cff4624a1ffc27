package backupbucket

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	gcpTransferJob   = "gcp:storage/transferJob:TransferJob"
	gcpAlertPolicy   = "gcp:monitoring/alertPolicy:AlertPolicy"
	azRoleAssignment = "azure-native:authorization:RoleAssignment"
)

func TestAzureOffsiteCopyOnGCP(t *testing.T) {
	prod := fixture{cloud: core.Azure, env: core.Prod, offsite: true, alerts: true}.run(t)
	offKey := "projects/" + testkit.GCPProject + "/locations/europe-west2/keyRings/wedsync/cryptoKeys/backup"

	t.Run("the_job_reads_the_container_with_the_sas_in_secret_manager_never_inline", func(t *testing.T) {
		job := prod.one(gcpTransferJob, "db-exports-offsite")
		src := []string{"transferSpec", "azureBlobStorageDataSource"}
		equal(t, job, testOffsiteSecret, append(src, "credentialsSecret")...)
		equal(t, job, AzureContainer, append(src, "container")...)
		if v, ok := lookup(job, append(src, "azureCredentials")...); ok {
			t.Errorf("the SAS is inline in the job's inputs: %v", v)
		}
		equal(t, job, "NEVER", "transferSpec", "transferOptions", "overwriteWhen")
		equal(t, job, false, "transferSpec", "transferOptions", "deleteObjectsFromSourceAfterTransfer")
		if got := toJSON(get(t, job, "notificationConfig", "eventTypes")); !strings.Contains(got, "TRANSFER_OPERATION_FAILED") {
			t.Errorf("the job reports %s, want failed runs", got)
		}
	})
	t.Run("only_the_transfer_service_agent_reads_the_sas", func(t *testing.T) {
		grant := prod.one("gcp:secretmanager/secretIamMember:SecretIamMember", "db-exports-offsite-sas-reader")
		equal(t, grant, testOffsiteSecret, "secretId")
		equal(t, grant, "roles/secretmanager.secretAccessor", "role")
		if m, _ := get(t, grant, "member").(string); !strings.Contains(m, "storage-transfer-service") {
			t.Errorf("the SAS reader is %s, want the Storage Transfer service agent", m)
		}
	})
	t.Run("only_the_rotation_job_adds_and_destroys_versions", func(t *testing.T) {
		grant := prod.one("gcp:secretmanager/secretIamMember:SecretIamMember", "db-exports-offsite-sas-rotator")
		equal(t, grant, "roles/secretmanager.secretVersionManager", "role")
		equal(t, grant, testRotator, "member")
	})
	t.Run("the_offsite_bucket_is_locked_private_and_under_the_offsite_key", func(t *testing.T) {
		b := prod.one(gcsBucketT, "db-exports-offsite")
		equal(t, b, offKey, "encryption", "defaultKmsKeyName")
		equal(t, b, true, "retentionPolicy", "isLocked")
		equal(t, b, 365*86400, "retentionPolicy", "retentionPeriod")
		equal(t, b, "enforced", "publicAccessPrevention")
		equal(t, b, true, "uniformBucketLevelAccess")
		equal(t, b, "EUROPE-WEST2", "location")
		if !b.Protect {
			t.Error("the prod offsite bucket is not protected")
		}
	})
	t.Run("the_signer_may_only_delegate_on_the_account_and_read_the_container", func(t *testing.T) {
		roles := map[string]string{}
		for _, a := range prod.all(azRoleAssignment) {
			if strings.Contains(a.Name, "offsite-signer") {
				roles[a.Name] = toString(get(t, a, "roleDefinitionId"))
			}
		}
		if len(roles) != 2 || !strings.HasSuffix(roles["db-exports-offsite-signer-delegator"], storageBlobDelegator) ||
			!strings.HasSuffix(roles["db-exports-offsite-signer-reader"], storageBlobDataReader) {
			t.Errorf("signer roles %v: want Storage Blob Delegator and Storage Blob Data Reader only", roles)
		}
		cred := prod.one("azure-native:managedidentity:FederatedIdentityCredential", "db-exports-offsite-signer-github")
		equal(t, cred, testSignerSubject, "subject")
	})
	t.Run("failure_freshness_and_sas_age_page_with_runbooks", func(t *testing.T) {
		for _, name := range []string{"db-exports-offsite-freshness", "db-exports-offsite-failed", "db-exports-offsite-sas-age"} {
			a := prod.one(gcpAlertPolicy, name)
			if d, _ := get(t, a, "documentation", "content").(string); !strings.Contains(d, core.Runbook("alarms/backups.md#")) {
				t.Errorf("%s: no runbook in %q", name, d)
			}
			if got := toJSON(get(t, a, "notificationChannels")); !strings.Contains(got, "notificationChannels/1") {
				t.Errorf("%s notifies %s, want the offsite alert target", name, got)
			}
		}
		metric := prod.one("gcp:logging/metric:Metric", "db-exports-offsite-sas-rotated")
		if f, _ := get(t, metric, "filter").(string); !strings.Contains(f, "AddSecretVersion") || !strings.Contains(f, "/secrets/wedsync-prod-backup-db-exports-offsite-sas(") {
			t.Errorf("the rotation metric counts %q, want new versions of the SAS secret", f)
		}
	})
	// Broken variant: an Azure stack without an offsite site has none of it.
	t.Run("no_offsite_site_no_copy", func(t *testing.T) {
		none := fixture{cloud: core.Azure, env: core.Prod}.run(t)
		if n := len(none.all(gcpTransferJob)) + len(none.all(gcsBucketT)); n != 0 {
			t.Errorf("%d offsite resources without an offsite site", n)
		}
	})
}

// TestAzureOffsiteNeedsItsSecretAndSigner: without the SAS secret or the
// rotating workload, nothing is planned and both are named.
func TestAzureOffsiteNeedsItsSecretAndSigner(t *testing.T) {
	_, err := plan.Run(plan.Options{Project: "wedsync", Stack: "prod", Environment: "prod"}, func(ctx *pulumi.Context) error {
		f := fixture{cloud: core.Azure, env: core.Prod, offsite: true}
		dep := core.Deployment{Project: "wedsync", Stack: "prod", Environment: core.Prod}
		var err error
		if dep.Primary, err = testkit.Site(ctx, core.Azure, core.Primary); err != nil {
			return err
		}
		dr, _ := testkit.Site(ctx, core.Azure, core.DR)
		off, _ := testkit.Site(ctx, core.GCP, core.Offsite)
		dep.DR, dep.Offsite = &dr, &off
		_, err = NewBackupBucket(ctx, "db-exports", &BackupBucketArgs{
			Deployment: dep, Purpose: "db-exports", Settings: Settings{Offsite: &Offsite{Cloud: core.GCP, Region: "europe-west2"}},
			Key: key(f.cloud, regions[f.cloud][0]), OffsiteKey: key(core.GCP, "europe-west2"),
		})
		return err
	})
	if err == nil {
		t.Fatal("an Azure offsite copy without its SAS secret and signer was planned")
	}
	for _, want := range []string{"OffsiteCredential", "OffsiteSigner", "OffsiteRotator"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestOffsiteClouds(t *testing.T) {
	for _, c := range []struct {
		from, to core.Cloud
		ok       bool
	}{{core.AWS, core.GCP, true}, {core.Azure, core.GCP, true}, {core.GCP, core.AWS, false}, {core.Azure, core.AWS, false}} {
		err := Settings{RetentionDays: 365, Offsite: &Offsite{Cloud: c.to, Region: testkit.Regions[c.to][core.Primary]}}.Validate(core.Prod, c.from)
		if (err == nil) != c.ok {
			t.Errorf("offsite %s to %s: err = %v, want ok = %v", c.from, c.to, err, c.ok)
		}
	}
}

func TestOffsiteRotationAdmitsOnlyTheRotationJob(t *testing.T) {
	args := OffsiteRotationArgs{Repository: "wedsync/wedsync-infra", Environment: "offsite-sas", Branch: "main"}
	p, err := plan.Run(plan.Options{Project: "wedsync", Stack: "prod-azure", Environment: "prod"}, func(ctx *pulumi.Context) error {
		off, err := testkit.Site(ctx, core.GCP, core.Offsite)
		if err != nil {
			return err
		}
		a := args
		a.Deployment = core.Deployment{Project: "wedsync", Stack: "prod-azure", Environment: core.Prod, Primary: off}
		_, err = NewOffsiteRotation(ctx, "offsite-sas", &a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := result{t, p}
	cond, _ := get(t, r.one("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "offsite-sas-github"), "attributeCondition").(string)
	for _, want := range []string{"assertion.sub == 'repo:wedsync/wedsync-infra:environment:offsite-sas'", "assertion.ref == 'refs/heads/main'", "assertion.repository == 'wedsync/wedsync-infra'"} {
		if !strings.Contains(cond, want) {
			t.Errorf("condition %q does not require %s", cond, want)
		}
	}
	// Broken variant: on another cloud than the secrets', nothing is made.
	_, err = plan.Run(plan.Options{Project: "wedsync", Stack: "prod-azure"}, func(ctx *pulumi.Context) error {
		a := args
		a.Deployment.Primary = core.Site{Cloud: core.Azure, Region: "uksouth"}
		_, err := NewOffsiteRotation(ctx, "offsite-sas", &a)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Deployment.Primary.Cloud") {
		t.Errorf("a rotation identity off GCP: err = %v", err)
	}
}

// TestS3OffsiteCopyIsAlarmed: the copy from S3 pages on failed runs and on
// a day without copies, at the offsite site; it has no SAS to age.
func TestS3OffsiteCopyIsAlarmed(t *testing.T) {
	prod := fixture{cloud: core.AWS, env: core.Prod, offsite: true, alerts: true}.run(t)
	job := prod.one(gcpTransferJob, "db-exports-offsite")
	equal(t, job, "projects/"+testkit.GCPProject+"/topics/wedsync-prod-backup-db-exports-offsite-failures", "notificationConfig", "pubsubTopic")
	for _, name := range []string{"db-exports-offsite-freshness", "db-exports-offsite-failed"} {
		if got := toJSON(get(t, prod.one(gcpAlertPolicy, name), "notificationChannels")); !strings.Contains(got, "notificationChannels/1") {
			t.Errorf("%s notifies %s, want the offsite alert target", name, got)
		}
	}
	for _, a := range prod.all(gcpAlertPolicy) {
		if strings.Contains(a.Name, "sas") {
			t.Errorf("a copy read through a federated role has a SAS alarm: %s", a.Name)
		}
	}
	// Broken variant: without an offsite alert target, nothing pages.
	quiet := fixture{cloud: core.AWS, env: core.Prod, offsite: true}.run(t)
	if n := len(quiet.all(gcpAlertPolicy)); n != 0 {
		t.Errorf("%d offsite alarms without an offsite alert target", n)
	}
}

// Documentation addresses (RFC 5737), not Google's: the tests need only
// public IPv4 ranges.
var testRanges = []string{"192.0.2.0/24", "198.51.100.0/25", "203.0.113.7"}

func TestStorageTransferWorkersPassTheFirewallOfTheAccountsItReads(t *testing.T) {
	f := fixture{cloud: core.Azure, env: core.Prod, offsite: true}
	f.settings.Offsite = &Offsite{SourceRanges: testRanges}
	read := f.run(t).one(azAccount, "db-exports")
	equal(t, read, "Deny", "networkRuleSet", "defaultAction")
	rules, _ := get(t, read, "networkRuleSet", "ipRules").([]any)
	var got []string
	for _, r := range rules {
		m := r.(map[string]any)
		if m["action"] != "Allow" {
			t.Errorf("IP rule %v does not allow", m)
		}
		got = append(got, toString(m["iPAddressOrRange"]))
	}
	if strings.Join(got, ",") != strings.Join(testRanges, ",") {
		t.Errorf("the read account admits %v, want the configured ranges %v", got, testRanges)
	}
	// No offsite copy: nothing reads the account from outside, so no rule.
	alone := fixture{cloud: core.Azure, env: core.Prod}
	alone.settings.Offsite = nil
	if v, ok := lookup(alone.run(t).one(azAccount, "db-exports"), "networkRuleSet", "ipRules"); ok {
		t.Errorf("an account no transfer reads admits %v", v)
	}
	// The offsite copy's own account (from GCP) is written by Data
	// Factory, a trusted service: it admits no worker ranges.
	g := fixture{cloud: core.GCP, env: core.Prod, offsite: true}
	if v, ok := lookup(g.run(t).one(azAccount, "db-exports-offsite"), "networkRuleSet", "ipRules"); ok {
		t.Errorf("the offsite account of a copy from GCP admits %v", v)
	}
}

func TestSourceRangesAreWhatAzureStorageTakes(t *testing.T) {
	valid := Settings{RetentionDays: 365, Offsite: &Offsite{Cloud: core.GCP, Region: "europe-west2", SourceRanges: testRanges}}
	if err := valid.Validate(core.Prod, core.Azure); err != nil {
		t.Fatalf("public IPv4 ranges are refused: %v", err)
	}
	bad := map[string]string{
		"10.0.0.0/8":        "not a public address",
		"2600:1900::/35":    "IPv4 only",
		"192.0.2.1/24":      "write 192.0.2.0/24",
		"198.51.100.8/31":   "/31 and /32",
		"203.0.113.9/32":    "/31 and /32",
		"34.0.0.0/33":       "not an IPv4 CIDR",
		"storage-transfer":  "not an IPv4 CIDR",
		"192.0.2.0/24 ":     "not an IPv4 CIDR",
		"198.51.100.0/25\n": "not an IPv4 CIDR",
	}
	var ranges []string
	for r := range bad {
		ranges = append(ranges, r)
	}
	ranges = append(ranges, testRanges[0], testRanges[0])
	s := Settings{RetentionDays: 365, Offsite: &Offsite{Cloud: core.GCP, Region: "europe-west2", SourceRanges: ranges}}
	err := s.Validate(core.Prod, core.Azure)
	if err == nil {
		t.Fatal("bad ranges pass")
	}
	for i, r := range ranges[:len(bad)] {
		want := fmt.Sprintf("offsite.sourceRanges[%d]", i)
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), bad[r]) {
			t.Errorf("%q is not reported as %s (%s): %v", r, want, bad[r], err)
		}
	}
	if !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("a duplicate range is not reported: %v", err)
	}
	// Ranges on a copy that reads through no firewall are a mistake.
	fromGCP := Settings{RetentionDays: 365, Offsite: &Offsite{Cloud: core.Azure, Region: "uksouth", SourceRanges: testRanges}}
	if err := fromGCP.Validate(core.Prod, core.GCP); err == nil || !strings.Contains(err.Error(), "offsite.sourceRanges") {
		t.Errorf("worker ranges on a copy from GCP pass: %v", err)
	}
}
