package dbbackup

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

func TestGCP(t *testing.T) {
	prod := run(t, core.GCP, core.Prod, nil)
	sa := testkit.One(t, prod, "gcp:serviceaccount/account:Account")
	email := testkit.Get(sa, "accountId").(string) + "@" + testkit.GCPProject + ".iam.gserviceaccount.com"

	t.Run("scheduler_runs_the_workflow_with_the_export_identity's_OAuth_token", func(t *testing.T) {
		job := testkit.One(t, prod, "gcp:cloudscheduler/job:Job")
		want(t, job, "schedule", "0 2 * * *")
		want(t, job, "httpTarget.oauthToken.serviceAccountEmail", email)
		uri, _ := testkit.Get(job, "httpTarget.uri").(string)
		if !strings.HasPrefix(uri, "https://workflowexecutions.googleapis.com/v1/") || !strings.HasSuffix(uri, "/executions") {
			t.Errorf("scheduler calls %q, want the workflow's executions", uri)
		}
	})
	t.Run("workflow_exports_the_database_to_a_new_object_in_db-exports", func(t *testing.T) {
		flow := testkit.One(t, prod, "gcp:workflows/workflow:Workflow")
		src := testkit.Get(flow, "sourceContents").(string)
		for _, s := range []string{"googleapis.sqladmin.v1.instances.export", "gs://" + exports[core.GCP][0] + "/" + exportPrefix + "/", "sys.now()", `databases: ["wedsync"]`} {
			if !strings.Contains(src, s) {
				t.Errorf("workflow source lacks %q:\n%s", s, src)
			}
		}
	})
	t.Run("export_identity_can_only_export_this_instance_and_run_this_workflow", func(t *testing.T) {
		role := testkit.One(t, prod, "gcp:projects/iAMCustomRole:IAMCustomRole")
		want(t, role, "permissions", exportPermissions)
		for _, m := range testkit.OfType(prod, "gcp:projects/iAMMember:IAMMember") {
			expr, _ := testkit.Get(m, "condition.expression").(string)
			if expr == "" {
				t.Errorf("project grant %s to %v has no condition", m.Name, testkit.Get(m, "member"))
			}
		}
		w := testkit.One(t, prod, "gcp:storage/bucketIAMMember:BucketIAMMember")
		want(t, w, "role", "roles/storage.objectCreator")
		want(t, w, "member", "serviceAccount:p123-abc@gcp-sa-cloud-sql.iam.gserviceaccount.com")
	})
	t.Run("failed_export_alarms", func(t *testing.T) {
		f := testkit.Get(testkit.One(t, prod, "gcp:monitoring/alertPolicy:AlertPolicy"), "conditions.0.conditionThreshold.filter").(string)
		if !strings.Contains(f, `metric.labels.status = "FAILED"`) {
			t.Errorf("alert filter %s does not select failed executions", f)
		}
	})
}
