package dr

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

// weekday is a Wednesday out of season: nothing is frozen.
var weekday = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func prepare(t *testing.T, req Request) *Rebuild {
	t.Helper()
	if req.Now.IsZero() {
		req.Now = weekday
	}
	r, err := Prepare(context.Background(), repo(t), req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRebuildPrerequisiteFailuresSayWhatIsMissing(t *testing.T) {
	saturday := time.Date(2026, 6, 13, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		req    Request
		prereq string
		says   []string
	}{
		{"region_equal_to_the_primary", Request{From: "prod", Region: "eu-west-2"}, PrereqRegion,
			[]string{"eu-west-2 is prod's primary region", "rebuild in its DR region eu-west-1"}},
		{"region_without_replication", Request{From: "prod", Region: "eu-central-1"}, PrereqReplication,
			[]string{"prod replicates nothing to eu-central-1", "its DR region (wedsync:drRegion) is eu-west-1", "--region eu-west-1"}},
		{"region_of_another_cloud", Request{From: "prod", Region: "europe-west1"}, PrereqRegion,
			[]string{"europe-west1 is not a region of AWS"}},
		{"no_region", Request{From: "prod"}, PrereqRegion, []string{"--region is required", "eu-west-1"}},
		{"database_not_replicated", Request{From: "staging", Region: "eu-west-1"}, PrereqReplication,
			[]string{"staging's database keeps no copy in eu-west-1", "wedsync:database.crossRegionBackups is off"}},
		{"restore_point_outside_retention", Request{From: "prod", Region: "eu-west-1", RestorePoint: "2026-09-01T00:00:00Z"}, PrereqRestorePoint,
			[]string{"outside prod's backup retention", "keeps 35 days", "earliest restore point is 2026-10-21T12:00:00Z"}},
		{"restore_point_in_the_future", Request{From: "prod", Region: "eu-west-1", RestorePoint: "2026-11-26T00:00:00Z"}, PrereqRestorePoint,
			[]string{"in the future"}},
		{"restore_point_not_a_time", Request{From: "prod", Region: "eu-west-1", RestorePoint: "yesterday"}, PrereqRestorePoint,
			[]string{`"yesterday"`, "RFC3339"}},
		{"gcp_instant_without_a_backup_run", Request{From: "prod-gcp", Region: "europe-west1", RestorePoint: "2026-11-25T06:00:00Z"}, PrereqRestorePoint,
			[]string{"--backup-run-id"}},
		{"wedding_day_freeze", Request{From: "prod", Region: "eu-west-1", Now: saturday}, PrereqFreeze,
			[]string{"prod-dr (prod) is frozen", "wedsync-infra freeze override set --stack prod-dr --reason TEXT"}},
		{"unknown_stack", Request{From: "prodd", Region: "eu-west-1"}, PrereqSource, []string{`"prodd"`}},
		{"from_a_dr_stack", Request{From: "prod-dr", Region: "eu-west-2"}, PrereqSource, []string{"prod-dr is itself a DR stack", "--from prod"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := prepare(t, tc.req)
			if r.Ready() {
				t.Fatal("ready; want a missing prerequisite")
			}
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.String())
				if p.Prerequisite != tc.prereq {
					continue
				}
				for _, s := range tc.says {
					if !strings.Contains(p.Message, s) {
						t.Errorf("%s problem %q does not say %q", tc.prereq, p.Message, s)
					}
				}
				return
			}
			t.Errorf("no %s problem among %q", tc.prereq, got)
		})
	}
}

func TestOnlyTheFreezeLeavesTheDRStackWritable(t *testing.T) {
	r := prepare(t, Request{From: "prod", Region: "eu-west-1", Now: time.Date(2026, 6, 13, 14, 0, 0, 0, time.UTC)})
	if !r.OnlyFrozen() || r.File == nil {
		t.Errorf("OnlyFrozen = %v, file composed = %v; want the DR stack writable so an override can be recorded", r.OnlyFrozen(), r.File != nil)
	}
	if r := prepare(t, Request{From: "prod", Region: "eu-west-2"}); r.OnlyFrozen() {
		t.Error("a wrong region is not only a freeze")
	}
}

func TestRebuildingTheShippedDRStackChangesNothing(t *testing.T) {
	for _, s := range []struct{ from, region string }{{"prod", "eu-west-1"}, {"prod-gcp", "europe-west1"}} {
		t.Run(s.from, func(t *testing.T) {
			r := prepare(t, Request{From: s.from, Region: s.region})
			if !r.Ready() {
				t.Fatalf("not ready: %v", r.Problems)
			}
			shipped, err := os.ReadFile(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			if string(r.File) != string(shipped) {
				t.Errorf("the rebuild would rewrite %s:\n%s", r.Path, r.File)
			}
		})
	}
}

func TestRebuildWritesAnAzureRestorePointAndTheGivenOutputs(t *testing.T) {
	outputs := `{"cloud":"azure","region":"uksouth","drRegion":"ukwest","database":{"sourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/other"},"endpoint":"ignored"}`
	r := prepare(t, Request{From: "prod-azure", Region: "ukwest", SourceOutputs: []byte(outputs)})
	if !r.Ready() {
		t.Fatalf("not ready: %v", r.Problems)
	}
	sc, err := project.ParseStack(r.File, "wedsync")
	if err != nil {
		t.Fatal(err)
	}
	// The file alone lacks its environment's values (cost centre, ...), so
	// it does not validate; only its recovery block is read here.
	cfg, _ := stacks.Load("wedsync", r.Stack, sc.Values)
	rec := cfg.Recovery
	if rec == nil {
		t.Fatalf("no wedsync:recovery in:\n%s", r.File)
	}
	if rec.RestorePoint != "2026-11-25T12:00:00Z" {
		t.Errorf("restorePoint = %q, want the rebuild's start (Azure geo-restore needs an instant)", rec.RestorePoint)
	}
	if rec.SourceOutputs == nil || !strings.HasSuffix(rec.SourceOutputs.Database.SourceID, "/flexibleServers/other") {
		t.Errorf("sourceOutputs = %+v, want the given outputs", rec.SourceOutputs)
	}
}

func TestANewDRStackStartsFromItsSourceWithoutItsOverride(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "../../Pulumi.yaml", dir+"/Pulumi.yaml")
	if err := os.MkdirAll(dir+"/stacks", 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../stacks/Pulumi.staging.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, []byte("  wedsync:emergencyOverride:\n    reason: \"x\"\n    approvedBy: \"y\"\n    expires: \"2026-01-01T00:00:00Z\"\n")...)
	if err := os.WriteFile(dir+"/stacks/Pulumi.staging.yaml", src, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &Rebuild{Request: Request{From: "staging", Region: "eu-west-1"}, Stack: "staging-dr", Path: p.StackFile("staging-dr")}
	r.Source.Region = "eu-west-2"
	if err := r.compose(p, "latest"); err != nil {
		t.Fatal(err)
	}
	file := string(r.File)
	for _, want := range []string{"wedsync:region: eu-west-1", "wedsync:drRegion: eu-west-2", "sourceStack: staging", "restorePoint: latest", "# staging-dr: staging rebuilt in eu-west-1"} {
		if !strings.Contains(file, want) {
			t.Errorf("the new DR stack lacks %q:\n%s", want, file)
		}
	}
	if strings.Contains(file, "emergencyOverride") {
		t.Errorf("the new DR stack inherits the source's override:\n%s", file)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// repoWithout is a copy of the repository's project whose environment
// definitions lack every line containing drop.
func repoWithout(t *testing.T, drop string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, "../../Pulumi.yaml", dir+"/Pulumi.yaml")
	for _, sub := range []string{"stacks", "environments"} {
		if err := os.MkdirAll(dir+"/"+sub, 0o755); err != nil {
			t.Fatal(err)
		}
		files, err := filepath.Glob("../../" + sub + "/*.yaml")
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s: %v", sub, err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var kept []string
			for _, l := range strings.Split(string(data), "\n") {
				if sub != "environments" || !strings.Contains(l, drop) {
					kept = append(kept, l)
				}
			}
			if err := os.WriteFile(dir+"/"+sub+"/"+filepath.Base(f), []byte(strings.Join(kept, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A rebuild needs a machine image in the region it rebuilds in: the group
// launches its own region's image. Without one the rebuild does not start,
// and says how to put the image there on that cloud.
func TestRebuildNeedsAnImageInTheDRRegion(t *testing.T) {
	for _, tc := range []struct {
		from, region, drop string
		says               []string
	}{
		{"prod", "eu-west-1", "eu-west-1: ami-", []string{"no AWS machine image in eu-west-1", "images in: eu-west-2", "aws ec2 copy-image --source-region eu-west-2 --source-image-id ami-07c3e5a7b9d1f3a5e --region eu-west-1", "images.aws.eu-west-1 in environments/prod.yaml"}},
		{"prod-gcp", "europe-west1", "europe-west1: projects/", []string{"no GCP machine image in europe-west1", "a GCP image is global", "images.gcp.europe-west1"}},
		{"prod-azure", "ukwest", "ukwest: /subscriptions/", []string{"no Azure machine image in ukwest", "publishingProfile.targetRegions name=ukwest", "images.azure.ukwest"}},
	} {
		t.Run(tc.from, func(t *testing.T) {
			r, err := Prepare(context.Background(), repoWithout(t, tc.drop), Request{From: tc.from, Region: tc.region, Now: weekday})
			if err != nil {
				t.Fatal(err)
			}
			if r.Ready() || r.File != nil {
				t.Fatalf("ready = %v, file composed = %v; want the rebuild refused before it starts", r.Ready(), r.File != nil)
			}
			var found bool
			for _, p := range r.Problems {
				if p.Prerequisite != PrereqImage {
					continue
				}
				found = true
				for _, s := range tc.says {
					if !strings.Contains(p.Message, s) {
						t.Errorf("image problem %q does not say %q", p.Message, s)
					}
				}
			}
			if !found {
				t.Errorf("no image problem among %v", r.Problems)
			}
		})
	}
	// The shipped releases name every DR region's image: no image problem.
	for _, s := range []struct{ from, region string }{{"prod", "eu-west-1"}, {"prod-gcp", "europe-west1"}, {"prod-azure", "ukwest"}} {
		for _, p := range prepare(t, Request{From: s.from, Region: s.region}).Problems {
			if p.Prerequisite == PrereqImage {
				t.Errorf("%s: %v", s.from, p)
			}
		}
	}
}
