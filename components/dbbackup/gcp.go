package dbbackup

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/cloudscheduler"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/workflows"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// exportPermissions are all the export identity may do: start an export
// of the one instance and read its operation until it is done.
// https://cloud.google.com/sql/docs/postgres/iam-permissions
var exportPermissions = []string{"cloudsql.instances.export", "cloudsql.instances.get"}

// gcp is the database's daily copy on GCP: Cloud SQL's own backups are the
// native tier; the copy that leaves the instance is a daily SQL export
// (`gcloud sql export sql` through the SQL Admin API) into the db-exports
// bucket, under the bucket's CMEK default key. Cloud Scheduler calls the
// Workflows executions API with an OAuth token of the export service
// account; the workflow names the file by the time it runs (the bucket's
// retention lock refuses overwriting yesterday's), calls the export and
// waits for it. The export service account can start exports of this
// instance and run this workflow, nothing else; Cloud SQL writes the file as
// the instance's own service account, which may only create objects in
// db-exports. GCS records an MD5 and CRC32C of every object at write time.
func (b *builder) gcp() (outputs, error) {
	site := b.dep.Primary
	sa, err := serviceaccount.NewAccount(b.ctx, b.name+"-export", &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(b.dep.CompactName(30, "dbexport")),
		DisplayName: pulumi.String(b.dep.Stack + " daily database export"),
		Description: pulumi.String("Starts the daily Cloud SQL export into db-exports; can do nothing else"),
		Project:     pulumi.String(site.GCPProject),
	}, b.opts(site)...)
	if err != nil {
		return outputs{}, err
	}
	flow, err := b.gcpWorkflow(sa)
	if err != nil {
		return outputs{}, err
	}
	if err := b.gcpGrants(sa, flow); err != nil {
		return outputs{}, err
	}
	schedule := fmt.Sprintf("0 %d * * *", b.hour())
	if _, err := cloudscheduler.NewJob(b.ctx, b.name+"-export", &cloudscheduler.JobArgs{
		Name:        pulumi.String(b.dep.Name("db", "export")),
		Description: pulumi.String("Runs the daily database export workflow"),
		Project:     pulumi.String(site.GCPProject),
		Region:      pulumi.String(site.Region),
		Schedule:    pulumi.String(schedule),
		TimeZone:    pulumi.String("Etc/UTC"),
		RetryConfig: &cloudscheduler.JobRetryConfigArgs{RetryCount: pulumi.Int(3), MinBackoffDuration: pulumi.String("300s")},
		HttpTarget: &cloudscheduler.JobHttpTargetArgs{
			HttpMethod: pulumi.String("POST"),
			Uri:        pulumi.Sprintf("https://workflowexecutions.googleapis.com/v1/%s/executions", flow.ID()),
			Body:       pulumi.String(base64.StdEncoding.EncodeToString([]byte(`{"argument":"{}"}`))),
			Headers:    pulumi.StringMap{"Content-Type": pulumi.String("application/json")},
			OauthToken: &cloudscheduler.JobHttpTargetOauthTokenArgs{
				ServiceAccountEmail: sa.Email,
				Scope:               pulumi.String("https://www.googleapis.com/auth/cloud-platform"),
			},
		},
	}, b.opts(site)...); err != nil {
		return outputs{}, err
	}
	if b.a.Alerts != nil {
		if err := b.gcpAlarm(flow); err != nil {
			return outputs{}, err
		}
	}
	return outputs{
		schedule:    pulumi.String(schedule + " Etc/UTC").ToStringOutput(),
		jobIdentity: sa.Email,
		exportPath:  pulumi.Sprintf("gs://%s/%s/", b.a.Export.Name, exportPrefix),
	}, nil
}

// gcpWorkflow is the export workflow, run as sa.
func (b *builder) gcpWorkflow(sa *serviceaccount.Account) (*workflows.Workflow, error) {
	site := b.dep.Primary
	source := pulumi.All(b.a.Export.Name, b.a.Database, b.a.DatabaseName).ApplyT(func(v []any) string {
		return exportWorkflow(site.GCPProject, v[0].(string), v[1].(string), v[2].(string))
	}).(pulumi.StringOutput)
	return workflows.NewWorkflow(b.ctx, b.name+"-export", &workflows.WorkflowArgs{
		Name:           pulumi.String(b.dep.Name("db", "export")),
		Description:    pulumi.String("Exports the database into db-exports under a timestamped name"),
		Project:        pulumi.String(site.GCPProject),
		Region:         pulumi.String(site.Region),
		ServiceAccount: sa.ID(),
		SourceContents: source,
		CallLogLevel:   pulumi.String("LOG_ERRORS_ONLY"),
		Labels:         b.dep.Tags.For(core.GCP),
	}, b.opts(site)...)
}

// exportWorkflow is the workflow's source: the SQL Admin API connector
// waits for the export operation and fails the execution if it fails.
// https://cloud.google.com/workflows/docs/reference/googleapis/sqladmin/v1/instances/export
func exportWorkflow(project, bucket, instance, database string) string {
	return strings.TrimLeft(fmt.Sprintf(`
main:
  steps:
    - name:
        assign:
          - stamp: ${text.replace_all(time.format(sys.now()), ":", "-")}
          - uri: ${"gs://%[2]s/%[5]s/%[3]s-" + stamp + ".sql.gz"}
    - export:
        call: googleapis.sqladmin.v1.instances.export
        args:
          project: %[1]s
          instance: %[3]s
          body:
            exportContext:
              fileType: SQL
              uri: ${uri}
              databases: ["%[4]s"]
    - done:
        return: ${uri}
`, project, bucket, instance, database, exportPrefix), "\n")
}

// gcpGrants: the export identity may export this instance and run this
// workflow (IAM conditions on the resource name); the instance's own
// identity may create objects in db-exports (never overwrite or delete).
func (b *builder) gcpGrants(sa *serviceaccount.Account, flow *workflows.Workflow) error {
	site := b.dep.Primary
	roleID := strings.ReplaceAll(b.dep.Name("db", "export"), "-", "_")
	role, err := projects.NewIAMCustomRole(b.ctx, b.name+"-export", &projects.IAMCustomRoleArgs{
		RoleId:      pulumi.String(roleID),
		Title:       pulumi.String(b.dep.Stack + " database export"),
		Description: pulumi.String("Start a Cloud SQL export and watch its operation"),
		Permissions: pulumi.ToStringArray(exportPermissions),
		Project:     pulumi.String(site.GCPProject),
	}, b.opts(site)...)
	if err != nil {
		return err
	}
	grants := []struct {
		suffix     string
		role       pulumi.StringInput
		expression pulumi.StringOutput
	}{
		{"exports-instance", pulumi.Sprintf("projects/%s/roles/%s", site.GCPProject, roleID),
			pulumi.Sprintf(`resource.type == "sqladmin.googleapis.com/Instance" && resource.name == "projects/%s/instances/%s"`, site.GCPProject, b.a.Database)},
		{"runs-workflow", pulumi.String("roles/workflows.invoker"), pulumi.Sprintf(`resource.name == "%s"`, flow.ID())},
	}
	for _, g := range grants {
		if _, err := projects.NewIAMMember(b.ctx, b.name+"-"+g.suffix, &projects.IAMMemberArgs{
			Project: pulumi.String(site.GCPProject),
			Role:    g.role,
			Member:  sa.Member,
			Condition: &projects.IAMMemberConditionArgs{
				Title:      pulumi.String(g.suffix),
				Expression: g.expression,
			},
		}, b.opts(site, pulumi.DependsOn([]pulumi.Resource{role}))...); err != nil {
			return err
		}
	}
	_, err = storage.NewBucketIAMMember(b.ctx, b.name+"-writes-export", &storage.BucketIAMMemberArgs{
		Bucket: b.a.Export.Name,
		Role:   pulumi.String("roles/storage.objectCreator"),
		Member: pulumi.Sprintf("serviceAccount:%s", b.a.DatabaseIdentity),
	}, b.opts(site)...)
	return err
}

// gcpAlarm raises when an export workflow execution fails (Workflows' own
// finished-execution metric, status FAILED).
func (b *builder) gcpAlarm(flow *workflows.Workflow) error {
	site := b.dep.Primary
	_, err := monitoring.NewAlertPolicy(b.ctx, b.name+"-"+alarmExportFailed, &monitoring.AlertPolicyArgs{
		DisplayName: pulumi.String(b.dep.Stack + ": the daily database export failed"),
		Project:     pulumi.String(site.GCPProject),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{&monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String("failed export executions > 0"),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter: pulumi.Sprintf(`resource.type = "workflows.googleapis.com/Workflow" AND resource.labels.workflow_id = "%s" AND `+
					`metric.type = "workflows.googleapis.com/finished_execution_count" AND metric.labels.status = "FAILED"`, flow.Name),
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{&monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod:  pulumi.String("3600s"),
					PerSeriesAligner: pulumi.String("ALIGN_SUM"),
				}},
				Comparison:     pulumi.String("COMPARISON_GT"),
				ThresholdValue: pulumi.Float64(0),
				Duration:       pulumi.String("0s"),
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(b.alarmDescription(alarmExportFailed)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: b.a.Alerts.IDs,
	}, b.opts(site)...)
	return err
}
