package backup

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"
)

// startGCP starts a Cloud SQL on-demand backup
// (https://cloud.google.com/sql/docs/postgres/backup-recovery/backing-up#on-demand),
// waits for it (Cloud SQL runs one operation on an instance at a time), then
// starts an export of the database into the db-exports bucket
// (https://cloud.google.com/sql/docs/postgres/import-export/import-export-sql),
// gzip-compressed SQL as the daily export writes.
func startGCP(ctx context.Context, d Database, o NowOptions) ([]Job, error) {
	opts := []option.ClientOption{}
	if ep := o.Endpoints["gcp"]; ep != "" {
		opts = append(opts, option.WithEndpoint(ep))
	}
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	svc, err := sqladmin.NewService(ctx, opts...)
	if err != nil {
		return nil, err
	}
	op, err := svc.BackupRuns.Insert(d.Project, d.Target, &sqladmin.BackupRun{Description: "wedsync-infra backup now: " + o.Reason}).Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("backupRuns.insert of Cloud SQL instance %s: %w", d.Target, err)
	}
	backupJob := gcpJob(d, "backup", op.Name)
	wait := o.Wait
	if wait == 0 {
		wait = 30 * time.Minute // the export must follow the backup
	}
	if err := pollGCP(ctx, svc, d, o, &backupJob, wait); err != nil || backupJob.State != "DONE" {
		if err == nil {
			err = fmt.Errorf("the Cloud SQL backup %s is %s after %s: the export was not started; start it when the backup ends", op.Name, backupJob.State, wait)
		}
		return []Job{backupJob}, err
	}
	uri := fmt.Sprintf("%semergency-%s.sql.gz", d.ExportPath, o.Now.UTC().Format("20060102T150405Z"))
	op, err = svc.Instances.Export(d.Project, d.Target, &sqladmin.InstancesExportRequest{ExportContext: &sqladmin.ExportContext{
		Kind: "sql#exportContext", FileType: "SQL", Uri: uri, Databases: []string{d.Name}, Offload: true,
	}}).Context(ctx).Do()
	if err != nil {
		return []Job{backupJob}, fmt.Errorf("instances.export of Cloud SQL instance %s to %s: %w", d.Target, uri, err)
	}
	exportJob := gcpJob(d, "export", op.Name)
	exportJob.Target = d.Target + " -> " + uri
	if o.Wait > 0 {
		err = pollGCP(ctx, svc, d, o, &exportJob, o.Wait)
	}
	return []Job{backupJob, exportJob}, err
}

func gcpJob(d Database, kind, op string) Job {
	return Job{Cloud: "gcp", Kind: kind, ID: op, Target: d.Target,
		Watch: fmt.Sprintf("gcloud sql operations describe %s --project %s", op, d.Project)}
}

func pollGCP(ctx context.Context, svc *sqladmin.Service, d Database, o NowOptions, j *Job, within time.Duration) error {
	return poll(ctx, o, j, within, func() (string, bool, bool, error) {
		op, err := svc.Operations.Get(d.Project, j.ID).Context(ctx).Do()
		if err != nil {
			return "", false, false, err
		}
		if op.Error != nil && len(op.Error.Errors) > 0 {
			return "FAILED: " + op.Error.Errors[0].Message, true, true, nil
		}
		return op.Status, op.Status == "DONE", false, nil
	})
}
