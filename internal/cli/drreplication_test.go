package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prodOutputs are the parts of prod's outputs the check reads (the offline
// plan's values).
const prodOutputs = `{"database": {"sourceId": "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-a15ae3fd8d4a44a7120bd3c874d43f4ce4328d09"},
 "keys": {"dr.data": "arn:aws:kms:eu-west-1:123456789012:key/5dd30ce7-ddfa-b1dd-d451-745d3a8ff17d"}}`

func TestDRReplicationExitCodes(t *testing.T) {
	good, err := os.ReadFile("../dr/testdata/automated-backups.json")
	must(t, err)
	stale := strings.Replace(string(good), `"LatestTime": "2026-11-25T11:53:20.373000+00:00"`, `"LatestTime": "2026-11-25T10:53:20Z"`, 1)
	if stale == string(good) {
		t.Fatal("the fixture's LatestTime moved: update this test")
	}
	// A window shorter than the retention (after a deploy or a restart) is
	// a warning, not a page: it lasts weeks.
	short := strings.Replace(string(good), `"EarliestTime": "2026-10-21T03:12:44.851000+00:00"`, `"EarliestTime": "2026-11-20T03:00:00Z"`, 1)
	if short == string(good) {
		t.Fatal("the fixture's EarliestTime moved: update this test")
	}
	for _, tc := range []struct {
		name, stack, backups string
		code                 int
		says                 []string
	}{
		{"replicating", "prod", string(good), ExitOK, []string{"prod's automated backups replicate to eu-west-1"}},
		{"stale_pages", "prod", stale, ExitViolation, []string{"1 problem", "is 1h7m0s old", "fix: check both data keys are Enabled"}},
		{"stopped_and_stale", "prod", strings.Replace(stale, `"replicating"`, `"retained"`, 1), ExitViolation, []string{"2 problems", `status "retained"`}},
		{"short_window_warns_without_paging", "prod", short, ExitOK, []string{"replicate to eu-west-1", "WARNING earliest restorable time 2026-11-20T03:00:00Z"}},
		{"short_window_and_stale_pages_for_the_stale", "prod", strings.Replace(short, `"LatestTime": "2026-11-25T11:53:20.373000+00:00"`, `"LatestTime": "2026-11-25T10:53:20Z"`, 1), ExitViolation, []string{"1 problem", "is 1h7m0s old", "WARNING earliest"}},
		{"none_found", "prod", `{"DBInstanceAutomatedBackups": []}`, ExitViolation, []string{"no replicated automated backups"}},
		{"malformed_json", "prod", `{"DBInstanceAutomatedBackups": [{`, ExitInvalid, []string{"not the JSON of describe-db-instance-automated-backups"}},
		{"stack_without_replication", "dev", string(good), ExitInvalid, []string{"dev: no AWS cross-region backup replication"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			backups, outputs := filepath.Join(dir, "backups.json"), filepath.Join(dir, "outputs.json")
			must(t, os.WriteFile(backups, []byte(tc.backups), 0o644))
			must(t, os.WriteFile(outputs, []byte(prodOutputs), 0o644))
			code, out, errOut := run(t, "dr", "replication", "--project-dir", "../..", "--now", "2026-11-25T12:00:00Z",
				"--stack", tc.stack, "--outputs", outputs, "--automated-backups", backups)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			for _, s := range tc.says {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output does not say %q:\n%s%s", s, out, errOut)
				}
			}
		})
	}
}
