package dbbackup

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// databases are the test databases as each cloud names them to its backup
// service.
var databases = map[core.Cloud]string{
	core.AWS:   "arn:aws:rds:eu-west-2:123456789012:db:wedsync-prod-main",
	core.GCP:   "wedsync-prod-main",
	core.Azure: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-prod-main",
}

// exports are the test db-exports buckets: name, id, URL.
var exports = map[core.Cloud][3]string{
	core.AWS:   {"wedsync-prod-backup-db-exports-euw2", "wedsync-prod-backup-db-exports-euw2", "arn:aws:s3:::wedsync-prod-backup-db-exports-euw2"},
	core.GCP:   {"wedsync-prod-backup-db-exports-euw2", "wedsync-prod-backup-db-exports-euw2", "gs://wedsync-prod-backup-db-exports-euw2"},
	core.Azure: {"bkdbexports", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/bkdbexports", "https://bkdbexports.blob.core.windows.net/backups"},
}

// args are complete args for env on cloud, as the stack passes them.
func args(ctx *pulumi.Context, cloud core.Cloud, env core.Environment) (*DatabaseBackupArgs, error) {
	dep, err := testkit.Deployment(ctx, cloud, env)
	if err != nil {
		return nil, err
	}
	e := exports[cloud]
	a := &DatabaseBackupArgs{
		Deployment:       dep,
		Database:         testkit.Str(databases[cloud]),
		DatabaseIdentity: testkit.Str("p123-abc@gcp-sa-cloud-sql.iam.gserviceaccount.com"),
		DatabaseName:     testkit.Str("wedsync"),
		Export:           Bucket{Name: testkit.Str(e[0]), ID: testkit.Str(e[1]), URL: testkit.Str(e[2])},
		Key:              testkit.Key(cloud, core.BackupKey, core.Primary),
		Alerts:           testkit.Alerts(cloud),
	}
	if dep.DR != nil {
		a.DRKey = testkit.Key(cloud, core.BackupKey, core.DR)
	}
	return a, nil
}

// run plans the component for env on cloud, with change applied to args.
func run(t *testing.T, cloud core.Cloud, env core.Environment, change func(*DatabaseBackupArgs)) *plan.Plan {
	t.Helper()
	return testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		a, err := args(ctx, cloud, env)
		if err != nil {
			return err
		}
		if change != nil {
			change(a)
		}
		_, err = NewDatabaseBackup(ctx, "main", a)
		return err
	})
}

// named returns the resource of typ with logical name, failing without it.
func named(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	for _, r := range testkit.OfType(p, typ) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s %q in the plan", typ, name)
	return plan.Resource{}
}

func want(t *testing.T, r plan.Resource, path string, v any) {
	t.Helper()
	if got := testkit.Get(r, path); fmt.Sprint(got) != fmt.Sprint(v) {
		t.Errorf("%s %s: %s = %v, want %v", r.Type, r.Name, path, got, v)
	}
}

// doc decodes a JSON document input.
func doc(t *testing.T, r plan.Resource, path string) map[string]any {
	t.Helper()
	var m map[string]any
	s, _ := testkit.Get(r, path).(string)
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s %s: %s is not JSON: %v", r.Type, r.Name, path, err)
	}
	return m
}

func TestValidationReportsEveryProblemAndRegistersNothing(t *testing.T) {
	hour := 24
	err := testkit.PlanErr(core.Prod, func(ctx *pulumi.Context) error {
		a, err := args(ctx, core.AWS, core.Prod)
		if err != nil {
			return err
		}
		a.Key, a.DRKey, a.Database = nil, nil, pulumi.StringOutput{}
		a.Settings = Settings{RetentionDays: 7, HourUTC: &hour}
		_, err = NewDatabaseBackup(ctx, "main", a)
		return err
	})
	if err == nil {
		t.Fatal("invalid args were accepted")
	}
	for _, field := range []string{"key", "drKey", "database", "settings.retentionDays", "settings.hourUTC"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %s: %v", field, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	for env, days := range map[core.Environment]int{core.Dev: 7, core.Staging: 60, core.Prod: 365} {
		s := Settings{}
		s.ApplyDefaults(env)
		if s.RetentionDays != days || *s.HourUTC != defaultHourUTC {
			t.Errorf("%s defaults = %d days at %d, want %d at %d", env, s.RetentionDays, *s.HourUTC, days, defaultHourUTC)
		}
	}
}
