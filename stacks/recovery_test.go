package stacks

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
)

// awsOutputs are complete outputs of a prod on AWS in eu-west-2 with DR in
// eu-west-1.
func awsOutputs() *SourceOutputs {
	return &SourceOutputs{
		Cloud: "aws", Region: "eu-west-2", DRRegion: "eu-west-1",
		Keys: map[string]string{
			"primary.data": "arn:aws:kms:eu-west-2:123456789012:key/mrk-1", "primary.backup": "arn:aws:kms:eu-west-2:123456789012:key/mrk-2",
			"dr.data": "arn:aws:kms:eu-west-1:123456789012:key/mrk-1", "dr.backup": "arn:aws:kms:eu-west-1:123456789012:key/mrk-2",
		},
		BackupBuckets: map[string]SourceBucket{
			"db-exports": {Replica: "r1", ReplicaLocation: "eu-west-1"},
			"media":      {Replica: "r2", ReplicaLocation: "eu-west-1"},
			"config":     {Replica: "r3", ReplicaLocation: "eu-west-1"},
		},
		Database: &SourceDatabase{SourceID: "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-1"},
	}
}

func TestRecoveryValidation(t *testing.T) {
	drCfg := Config{Stack: "prod-dr", Cloud: core.AWS, Region: "eu-west-1", DRRegion: "eu-west-2"}
	for _, tc := range []struct {
		name  string
		cfg   Config
		edit  func(r *Recovery)
		field string // "" for valid
		says  string
	}{
		{"complete_aws_recovery_is_valid", drCfg, func(r *Recovery) {}, "", ""},
		{"source_stack_is_required", drCfg, func(r *Recovery) { r.SourceStack = "" }, "sourceStack", "required"},
		{"a_stack_cannot_rebuild_itself", drCfg, func(r *Recovery) { r.SourceStack = "organization/wedsync/prod-dr" }, "sourceStack", "cannot rebuild itself"},
		{"restore_point_is_latest_or_a_time", drCfg, func(r *Recovery) { r.RestorePoint = "now" }, "restorePoint", "RFC3339"},
		{"azure_needs_an_instant", Config{Stack: "x", Cloud: core.Azure, Region: "ukwest", DRRegion: "uksouth"}, func(r *Recovery) { r.SourceOutputs = nil }, "restorePoint", "Azure geo-restore needs the instant"},
		{"gcp_instant_needs_a_backup_run", Config{Stack: "x", Cloud: core.GCP, Region: "europe-west1", DRRegion: "europe-west2"}, func(r *Recovery) {
			r.SourceOutputs, r.RestorePoint = nil, "2026-06-13T14:00:00Z"
		}, "restorePoint", "backupRunId"},
		{"backup_run_only_on_gcp", drCfg, func(r *Recovery) { r.BackupRunID = "123" }, "backupRunId", "only Cloud SQL"},
		{"config_only_needs_outputs", drCfg, func(r *Recovery) { r.SourceOutputs, r.ReadSourceStack = nil, pulumi.BoolRef(false) }, "sourceOutputs", "required"},
		{"outputs_of_another_region", drCfg, func(r *Recovery) { r.SourceOutputs.DRRegion = "eu-central-1" }, "sourceOutputs.drRegion", "rebuild in eu-central-1"},
		{"outputs_of_another_source_region", drCfg, func(r *Recovery) { r.SourceOutputs.Region = "eu-west-3" }, "sourceOutputs.region", "replicates back to wedsync:drRegion = eu-west-2"},
		{"key_outside_the_region", drCfg, func(r *Recovery) { r.SourceOutputs.Keys["dr.data"] = "arn:aws:kms:eu-west-2:1:key/x" }, "sourceOutputs.keys.dr.data", "must be a key in eu-west-1"},
		{"bucket_without_a_replica", drCfg, func(r *Recovery) { r.SourceOutputs.BackupBuckets["media"] = SourceBucket{Bucket: "b"} }, "sourceOutputs.backupBuckets.media.replica", "nothing to recover"},
		{"a_drill_is_a_scratch_stack", drCfg, func(r *Recovery) { r.Drill = true }, "drill", "only a restore drill's scratch stack"},
		{"a_drill_publishes_no_record", drillCfg(drCfg, "secondary"), func(r *Recovery) { r.Drill = true }, "drill", "publishes no DNS record"},
		{"a_standby_scratch_stack_may_drill", drillCfg(drCfg, "standby"), func(r *Recovery) { r.Drill = true }, "", ""},
		{"a_drill_has_its_own_hostname", func() Config { c := drillCfg(drCfg, "standby"); c.Ingress.Hostname = "app.wedsync.co.uk"; return c }(), func(r *Recovery) { r.Drill = true }, "drill", "DNS records are its own"},
		{"outputs_of_another_cloud", drCfg, func(r *Recovery) { r.SourceOutputs.Cloud = "gcp" }, "sourceOutputs.cloud", "another cloud"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Recovery{SourceStack: "prod", SourceOutputs: awsOutputs()}
			tc.edit(r)
			r.ApplyDefaults()
			err := r.validate(tc.cfg)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			for _, e := range core.Flatten(err) {
				if strings.HasPrefix(e.Error(), tc.field+" ") || strings.HasPrefix(e.Error(), tc.field+":") {
					if !strings.Contains(e.Error(), tc.says) {
						t.Errorf("%v does not say %q", e, tc.says)
					}
					return
				}
			}
			t.Errorf("no problem on %s in %v", tc.field, err)
		})
	}
}

func TestMergedSourceOutputsMustBeComplete(t *testing.T) {
	cfg := Config{Stack: "prod-dr", Cloud: core.AWS, Region: "eu-west-1", DRRegion: "eu-west-2"}
	o := awsOutputs()
	o.Database = nil
	delete(o.Keys, "primary.backup")
	p := &core.Problems{}
	o.check(cfg, p, "", true)
	got := p.Err()
	for _, want := range []string{"database.sourceId: required", "keys.primary.backup: required"} {
		if got == nil || !strings.Contains(got.Error(), want) {
			t.Errorf("%v does not say %q", got, want)
		}
	}
	p = &core.Problems{}
	o.check(cfg, p, "", false)
	if p.Err() != nil {
		t.Errorf("a partial config fallback is fine when the stack reference gives the rest: %v", p.Err())
	}
}

func TestEachCloudRestoresFromWhatItReplicated(t *testing.T) {
	db := &SourceDatabase{SourceID: "SOURCE", Replica: "REPLICA"}
	for _, tc := range []struct {
		name  string
		cloud core.Cloud
		rec   Recovery
		want  database.Restore
	}{
		{"aws_geo-restores_the_replicated_backups", core.AWS, Recovery{RestorePoint: "latest"}, database.Restore{SourceID: "SOURCE", PointInTime: "latest", GeoRestore: true}},
		{"gcp_clones_the_promoted_replica", core.GCP, Recovery{RestorePoint: "latest"}, database.Restore{SourceID: "REPLICA", PointInTime: "latest"}},
		{"gcp_restores_a_backup_run", core.GCP, Recovery{RestorePoint: "latest", BackupRunID: "42"}, database.Restore{SourceID: "SOURCE", SnapshotID: "42"}},
		{"azure_geo-restores_the_source_server", core.Azure, Recovery{RestorePoint: "2026-06-13T14:00:00Z"}, database.Restore{SourceID: "SOURCE", PointInTime: "2026-06-13T14:00:00Z", GeoRestore: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &build{cfg: Config{Cloud: tc.cloud, Recovery: &tc.rec}, src: &source{SourceOutputs: SourceOutputs{Database: db}}}
			if got := *b.restore(); got != tc.want {
				t.Errorf("restore = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// drillCfg is c as a drill's scratch stack with the ingress failover role.
func drillCfg(c Config, failover string) Config {
	c.Stack = DrillStackPrefix + "prod-202606100900"
	c.Ingress.Failover = failover
	c.Ingress.Hostname = c.Stack + ".drill.wedsync.co.uk"
	return c
}
