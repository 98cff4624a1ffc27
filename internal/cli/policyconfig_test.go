package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// `policy config` prints the pack's config for a plain pulumi run: prod's
// exemption and its 35-day retention reach a resource policy; a stack
// that does not exist is exit 2, naming it.
func TestPolicyConfigPrintsTheStacksPackConfig(t *testing.T) {
	code, out, errOut := run(t, "policy", "config", "--stack", "prod", "--project-dir", "../..")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var file map[string]struct {
		MinRetentionDays int `json:"minRetentionDays"`
		Exemptions       []struct {
			URN, Policy, Reason string
		} `json:"exemptions"`
	}
	if err := json.Unmarshal([]byte(out), &file); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	br := file["backup-retention"]
	if br.MinRetentionDays != 35 || len(br.Exemptions) == 0 {
		t.Errorf("backup-retention: %+v, want prod's 35 days and its exemptions", br)
	}
	code, _, errOut = run(t, "policy", "config", "--stack", "nosuch", "--project-dir", "../..")
	if code != 2 || !strings.Contains(errOut, "nosuch") {
		t.Errorf("an unknown stack: exit %d, %q", code, errOut)
	}
}
