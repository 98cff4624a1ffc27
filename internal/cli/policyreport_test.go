package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/policyreport"
)

func reportOf(t *testing.T, args ...string) *policyreport.Doc {
	t.Helper()
	code, out, errOut := run(t, append([]string{"policy", "report", "--format", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	var d policyreport.Doc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	return &d
}

func row(t *testing.T, d *policyreport.Doc, framework, id string) policyreport.Row {
	t.Helper()
	for _, r := range d.Controls {
		if r.Framework == framework && r.ID == id {
			return r
		}
	}
	t.Fatalf("no row for %s %s", framework, id)
	return policyreport.Row{}
}

// prodPlanFile writes prod's offline plan document, edited by edit.
func prodPlanFile(t *testing.T, edit func(r map[string]any)) string {
	t.Helper()
	code, out, errOut := run(t, "plan", "--stack", "prod", "--json")
	if code != ExitOK {
		t.Fatalf("plan: exit %d: %s", code, errOut)
	}
	var doc map[string]any
	must(t, json.Unmarshal([]byte(out), &doc))
	for _, r := range doc["resources"].([]any) {
		edit(r.(map[string]any))
	}
	data, err := json.Marshal(doc)
	must(t, err)
	path := filepath.Join(t.TempDir(), "prod.json")
	must(t, os.WriteFile(path, data, 0o600))
	return path
}

// The report of a shipped stack: every control the pack checks on it
// passes, each row counts the stack's resources, and the benchmark
// controls no rule checks are listed, not hidden.
func TestPolicyReportOfAStack(t *testing.T) {
	d := reportOf(t, "--stack", "prod")
	if d.Stack != "prod" || d.Environment != "prod" || d.Summary.Failed != 0 {
		t.Fatalf("report of %s (%s): %+v", d.Stack, d.Environment, d.Summary)
	}
	for _, c := range []struct{ framework, id, rule string }{
		{"CIS AWS Foundations 3.0", "2.3.1", "encryption-at-rest-cmk"},
		{"AWS FSBP", "RDS.3", "encryption-at-rest-cmk"},
		{"CIS AWS Foundations 3.0", "3.7", "networks-have-flow-logs"},
		{"AWS FSBP", "S3.5", "s3-bucket-tls-only"},
	} {
		r := row(t, d, c.framework, c.id)
		if r.Rule != c.rule || r.Status != "pass" || r.Checked == 0 || r.Passed+r.Failed+r.NotApplicable != r.Checked {
			t.Errorf("%s %s: %+v", c.framework, c.id, r)
		}
	}
	checked := map[string]bool{}
	for _, r := range d.Controls {
		checked[r.Framework+" "+r.ID] = true
	}
	var minorUpgrade bool
	for _, u := range d.NotCovered {
		if checked[u.Framework+" "+u.ID] || u.Resources == 0 || len(u.ResourceTypes) == 0 {
			t.Errorf("not covered %s %s is wrong: %+v", u.Framework, u.ID, u)
		}
		minorUpgrade = minorUpgrade || (u.ID == "RDS.13" && strings.Contains(strings.Join(u.ResourceTypes, " "), "aws:rds/instance:Instance"))
	}
	if !minorUpgrade {
		t.Errorf("FSBP RDS.13 (minor version upgrades, no rule checks it) is not listed as not covered: %+v", d.NotCovered)
	}
}

// A plan whose database lost its encryption fails the encryption controls
// and names the database; the same plan untouched passes them.
func TestPolicyReportShowsAFailedControl(t *testing.T) {
	var urn string
	broken := prodPlanFile(t, func(r map[string]any) {
		if r["type"] == "aws:rds/instance:Instance" {
			urn = r["urn"].(string)
			in := r["inputs"].(map[string]any)
			delete(in, "storageEncrypted")
			delete(in, "kmsKeyId")
		}
	})
	intact := prodPlanFile(t, func(map[string]any) {})
	for _, id := range []struct{ framework, id string }{{"AWS FSBP", "RDS.3"}, {"CIS AWS Foundations 3.0", "2.3.1"}} {
		if r := row(t, reportOf(t, intact), id.framework, id.id); r.Status != "pass" {
			t.Errorf("intact plan: %+v", r)
		}
		r := row(t, reportOf(t, broken), id.framework, id.id)
		if r.Status != "fail" || r.Failed != 1 || len(r.FailedResources) != 1 || r.FailedResources[0] != urn {
			t.Errorf("plan without encryption: %s %s %+v, want failed %s", id.framework, id.id, r, urn)
		}
	}
}

func TestPolicyReportFormats(t *testing.T) {
	code, out, errOut := run(t, "policy", "report", "--stack", "prod-azure", "--format", "html")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<style>", "CIS Azure 3.0", "Not covered", "databases-log-sessions"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, external := range []string{"<script", "<link", "src=", "url("} {
		if strings.Contains(out, external) {
			t.Errorf("HTML is not self-contained: it has %q", external)
		}
	}
	code, out, _ = run(t, "policy", "report", "--stack", "prod-gcp")
	if code != ExitOK || !strings.Contains(out, "CIS GCP 3.0") || !strings.Contains(out, "Not covered:") {
		t.Errorf("text report: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "policy", "report", "--stack", "prod", "--format", "pdf"); code != ExitInvalid {
		t.Errorf("--format pdf: exit %d, want %d", code, ExitInvalid)
	}
	if code, _, _ := run(t, "policy", "report"); code != ExitInvalid {
		t.Errorf("neither stack nor plan: exit %d, want %d", code, ExitInvalid)
	}
}

// An advisory rule's failure is a warning, not a failed control: the
// recovery stack prod-azure-dr has no offsite database copy
// (database-offsite-copy is advisory).
func TestPolicyReportWarnsOnAdvisoryRules(t *testing.T) {
	d := reportOf(t, "--stack", "prod-azure-dr")
	for _, r := range d.Controls {
		if r.Rule == "database-offsite-copy" && (r.Status != "warn" || r.Failed != 1) {
			t.Errorf("%+v, want a warning", r)
		}
	}
	if d.Summary.Failed != 0 || d.Summary.Warned == 0 {
		t.Errorf("summary %+v", d.Summary)
	}
}
