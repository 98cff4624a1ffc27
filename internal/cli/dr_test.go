package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/deploy"
)

func TestDRRebuildDryRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		says []string
	}{
		{"ready_prints_the_stack_file_and_the_plan",
			[]string{"--from", "prod", "--region", "eu-west-1"}, ExitOK,
			[]string{"would write", "sourceStack: prod", "Offline plan of wedsync/prod-dr", "wedsync:recovery:Recovery", "Dry run complete"}},
		{"region_equal_to_the_primary", []string{"--from", "prod", "--region", "eu-west-2"}, ExitInvalid,
			[]string{"region: eu-west-2 is prod's primary region, the one being recovered from; rebuild in its DR region eu-west-1"}},
		{"region_without_replication", []string{"--from", "prod", "--region", "eu-central-1"}, ExitInvalid,
			[]string{"replication: prod replicates nothing to eu-central-1"}},
		{"restore_point_outside_retention", []string{"--from", "prod", "--region", "eu-west-1", "--restore-point", "2025-01-01T00:00:00Z"}, ExitInvalid,
			[]string{"restore point: 2025-01-01T00:00:00Z is outside prod's backup retention"}},
		// A rehearsal is never frozen: the freeze is a status, and the file
		// and the plan are still shown.
		{"wedding_day_rehearsal_shows_the_freeze_the_file_and_the_plan", []string{"--from", "prod", "--region", "eu-west-1", "--now", "2026-06-13T15:00:00+01:00"}, ExitOK,
			[]string{"prod-dr (prod) is frozen", "freeze override set --stack prod-dr --reason TEXT", "would write", "Offline plan of wedsync/prod-dr", "ready apart from the freeze"}},
		{"no_source", []string{"--region", "eu-west-1"}, ExitInvalid, []string{`required flag(s) "from" not set`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"dr", "rebuild", "--dry-run", "--project-dir", "../..", "--now", "2026-11-25T12:00:00Z"}, tc.args...)
			before, err := os.ReadFile("../../stacks/Pulumi.prod-dr.yaml")
			must(t, err)
			code, out, errOut := run(t, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			for _, s := range tc.says {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output does not say %q:\n%s%s", s, out, errOut)
				}
			}
			after, err := os.ReadFile("../../stacks/Pulumi.prod-dr.yaml")
			must(t, err)
			if string(before) != string(after) {
				t.Error("a dry run changed stacks/Pulumi.prod-dr.yaml")
			}
		})
	}
}

func TestDRRebuildWritesTheDRStackAndDeploysItLikeUp(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(dir+"/stacks", 0o755))
	for _, f := range []string{"Pulumi.yaml", "stacks/Pulumi.prod.yaml", "stacks/Pulumi.prod-dr.yaml"} {
		data, err := os.ReadFile("../../" + f)
		must(t, err)
		must(t, os.WriteFile(dir+"/"+f, data, 0o644))
	}
	must(t, os.CopyFS(dir+"/environments", os.DirFS("../../environments")))
	// A rebuild at a new restore point rewrites the DR stack file.
	r := &fakeRunner{result: deploy.Result{Changes: map[string]int{"create": 3}}}
	withRunner(t, r)
	// No database to replay the erasure ledger into here: accepted, with a
	// reason (internal/cli/erasure_test.go tests the replay itself).
	code, out, errOut := run(t, "dr", "rebuild", "--from", "prod", "--region", "eu-west-1", "--restore-point", "2026-11-25T11:00:00Z", "--project-dir", dir, "--now", "2026-11-25T12:00:00Z",
		"--accept-unreplayed", "--reason", "test: no restored database")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if len(r.calls) != 1 || r.calls[0] != "up prod-dr" {
		t.Errorf("runner calls = %v, want one up of prod-dr", r.calls)
	}
	if r.stacks[0].PolicyPack == "" {
		t.Error("the DR stack was deployed without the policy pack")
	}
	written, err := os.ReadFile(dir + "/stacks/Pulumi.prod-dr.yaml")
	must(t, err)
	if !strings.Contains(string(written), `restorePoint: "2026-11-25T11:00:00Z"`) {
		t.Errorf("the DR stack file lacks the restore point:\n%s", written)
	}
	if len(deployRecords(t, dir)) != 1 {
		t.Error("the rebuild's deploy was not recorded like an up")
	}
}

func TestDRStatusShowsTheRPOOfEveryTier(t *testing.T) {
	for _, tc := range []struct {
		stack string
		says  []string
	}{
		{"prod", []string{"S3 replication with Replication Time Control", "15 min for 99.99% of objects", "replicated automated backups", "eu-west-1", "offsite copy", "GCP europe-west2", "KMS multi-region replica keys"}},
		{"prod-gcp", []string{"cross-region read replica", "Storage Transfer job", "1 h plus"}},
		{"prod-azure", []string{"geo-redundant backups", "< 1 h", "RA-GZRS"}},
		{"dev", []string{"no copy outside eu-west-2", "cannot be rebuilt elsewhere"}},
		{"prod-dr", []string{"prod-dr is the recovery of prod", "eu-west-2"}},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			code, out, errOut := run(t, "dr", "status", "--stack", tc.stack, "--project-dir", "../..")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range tc.says {
				if !strings.Contains(out, s) {
					t.Errorf("status of %s does not say %q:\n%s", tc.stack, s, out)
				}
			}
		})
	}
}

// Only the real rebuild is frozen: it writes the DR stack file (where the
// override goes) and refuses with exit 3.
func TestDRRebuildForRealIsRefusedInAFreeze(t *testing.T) {
	dir := copyOfRepo(t)
	withRunner(t, &fakeRunner{})
	code, out, errOut := run(t, "dr", "rebuild", "--from", "prod", "--region", "eu-west-1", "--project-dir", dir, "--now", "2026-06-13T15:00:00+01:00")
	if code != ExitFrozen || !strings.Contains(out, "freeze override set --stack prod-dr") {
		t.Errorf("exit %d, want 3\n%s%s", code, out, errOut)
	}
}

func TestDRStatusFits120ColumnsAndHasJSON(t *testing.T) {
	for _, stack := range []string{"prod", "prod-gcp", "prod-azure", "prod-gcp-dr", "dev"} {
		code, out, errOut := run(t, "dr", "status", "--stack", stack, "--project-dir", "../..")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", stack, code, errOut)
		}
		for _, line := range strings.Split(out, "\n") {
			if len(line) > 120 {
				t.Errorf("%s: a line of %d columns: %s", stack, len(line), line)
			}
		}
	}
	code, out, _ := run(t, "dr", "status", "--stack", "prod-dr", "--json", "--project-dir", "../..")
	var doc struct {
		RecoveryOf string
		Tiers      []struct{ Data, Where, RPO string }
	}
	must(t, json.Unmarshal([]byte(out), &doc))
	if code != ExitOK || doc.RecoveryOf != "prod" || len(doc.Tiers) < 4 || doc.Tiers[0].RPO == "" {
		t.Errorf("exit %d, %+v", code, doc)
	}
}
