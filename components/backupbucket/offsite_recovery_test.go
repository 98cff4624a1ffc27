package backupbucket

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// A recovery's offsite copy carries only what was written shortly before
// each run: the adopted replica's history is in the source's locked
// offsite bucket already. Broken variant: a stack's own bucket (not
// adopted) copies everything, as before.
func TestARecoveryCopiesOnlyRecentBackupsOffsite(t *testing.T) {
	window := []string{"transferSpec", "objectConditions", "maxTimeElapsedSinceLastModification"}
	adopted := fixture{cloud: core.AWS, env: core.Prod, offsite: true, alerts: true, adopt: "wedsync-prod-backup-db-exports-replica-euw1"}.run(t)
	job := adopted.one(gcpTransferJob, "db-exports-offsite")
	equal(t, job, "172800s", window...)
	equal(t, job, "wedsync-prod-backup-db-exports-replica-euw1", "transferSpec", "awsS3DataSource", "bucketName")
	own := fixture{cloud: core.AWS, env: core.Prod, offsite: true, alerts: true}.run(t)
	if v, ok := lookup(own.one(gcpTransferJob, "db-exports-offsite"), window...); ok {
		t.Errorf("a stack's own bucket copies only objects modified within %v", v)
	}
}

// failedOverOffsitePlan plans a failed-over account with an offsite copy
// on GCP, wired as prod-azure-dr wires it; edit may break the args.
func failedOverOffsitePlan(t *testing.T, edit func(*FailedOverAccountArgs)) (*plan.Plan, error) {
	t.Helper()
	return plan.Run(plan.Options{Project: "wedsync", Stack: "prod-azure-dr", Environment: "prod"}, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.Azure, core.Prod)
		if err != nil {
			return err
		}
		off, err := testkit.Site(ctx, core.GCP, core.Offsite)
		if err != nil {
			return err
		}
		dep.Offsite = &off
		region := testkit.Regions[core.GCP][core.Offsite]
		a := &FailedOverAccountArgs{Deployment: dep, Purpose: "db-exports", AccountID: testkit.Str(failedOverID), Alerts: testkit.Alerts(core.Azure),
			Settings:          Settings{Offsite: &Offsite{Cloud: core.GCP, Region: region}},
			OffsiteKey:        key(core.GCP, region),
			OffsiteCredential: testkit.Str(testOffsiteSecret),
			OffsiteSigner:     &Federation{Issuer: GitHubIssuer, Subject: testSignerSubject},
			OffsiteRotator:    testkit.Str(testRotator),
			OffsiteAlerts:     &core.AlertTarget{IDs: pulumi.ToStringArray([]string{"projects/" + testkit.GCPProject + "/notificationChannels/1"}).ToStringArrayOutput()},
		}
		if edit != nil {
			edit(a)
		}
		_, err = NewFailedOverAccount(ctx, "db-exports", a)
		return err
	})
}

// An Azure recovery copies the source's failed-over account offsite with a
// transfer job, signer and alarms of its own: the job reads the account by
// its (unchanged) name with the recovery's SAS secret, only recent blobs,
// and the signer may read only that account's container. Broken variants:
// without the offsite settings there is no copy; without the SAS wiring the
// account is refused, naming what is missing.
func TestAFailedOverAccountIsCopiedOffsiteByTheRecovery(t *testing.T) {
	p, err := failedOverOffsitePlan(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	job := testkit.One(t, p, gcpTransferJob)
	src := "transferSpec.azureBlobStorageDataSource."
	if got := testkit.Get(job, src+"storageAccount"); got != "wedsyncprodazurebk0001" {
		t.Errorf("the job reads account %v, want the failed-over account by name", got)
	}
	if got := testkit.Get(job, src+"credentialsSecret"); got != testOffsiteSecret {
		t.Errorf("the job reads with %v, want the recovery's SAS secret", got)
	}
	if got := testkit.Get(job, "transferSpec.objectConditions.maxTimeElapsedSinceLastModification"); got != "172800s" {
		t.Errorf("the job copies objects modified within %v, want 172800s", got)
	}
	scopes := map[string]bool{}
	for _, r := range testkit.OfType(p, azRoleAssignment) {
		if strings.Contains(r.Name, "offsite-signer") {
			scopes[testkit.Get(r, "scope").(string)] = true
		}
	}
	if !scopes[failedOverID] || !scopes[failedOverID+"/blobServices/default/containers/"+AzureContainer] || len(scopes) != 2 {
		t.Errorf("the signer is granted on %v, want the failed-over account and its container", scopes)
	}
	alarms := map[string]bool{}
	for _, r := range testkit.OfType(p, gcpAlertPolicy) {
		alarms[r.Name] = true
	}
	for _, want := range []string{"db-exports-offsite-failed", "db-exports-offsite-freshness", "db-exports-offsite-sas-age"} {
		if !alarms[want] {
			t.Errorf("no alarm %s (the source's offsite alarms): %v", want, alarms)
		}
	}
	none, err := failedOverOffsitePlan(t, func(a *FailedOverAccountArgs) { a.Settings.Offsite = nil })
	if err != nil {
		t.Fatal(err)
	}
	if n := len(testkit.OfType(none, gcpTransferJob)); n != 0 {
		t.Errorf("%d transfer jobs without wedsync:backup.offsite", n)
	}
	_, err = failedOverOffsitePlan(t, func(a *FailedOverAccountArgs) { a.OffsiteCredential, a.OffsiteKey = pulumi.StringOutput{}, nil })
	for _, want := range []string{"OffsiteCredential", "OffsiteKey"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
