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
	return planFile(t, "prod", edit)
}

// planFile is a stack's plan JSON, each resource passed through edit.
func planFile(t *testing.T, stack string, edit func(r map[string]any)) string {
	t.Helper()
	code, out, errOut := run(t, "plan", "--stack", stack, "--json")
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
	path := filepath.Join(t.TempDir(), stack+".json")
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
		// The primary only: its read replica keeps its own encryption.
		if r["type"] == "aws:rds/instance:Instance" && strings.HasSuffix(r["urn"].(string), "::main") {
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

// An advisory rule's failure is a warning, not a failed control: staging's
// launch template allowing IMDSv1 (instance-metadata-v2 is advisory outside
// prod) warns and names it; the same plan untouched has no warning.
func TestPolicyReportWarnsOnAdvisoryRules(t *testing.T) {
	var urn string
	optional := planFile(t, "staging", func(r map[string]any) {
		if r["type"] == "aws:ec2/launchTemplate:LaunchTemplate" {
			urn = r["urn"].(string)
			r["inputs"].(map[string]any)["metadataOptions"] = map[string]any{"httpTokens": "optional"}
		}
	})
	warned := false
	d := reportOf(t, optional)
	for _, r := range d.Controls {
		if r.Rule == "instance-metadata-v2" && r.Checked > 0 {
			warned = true
			if r.Status != "warn" || r.Failed != 1 || len(r.FailedResources) != 1 || r.FailedResources[0] != urn {
				t.Errorf("%+v, want a warning naming %s", r, urn)
			}
		}
	}
	if !warned || d.Summary.Warned == 0 {
		t.Errorf("summary %+v (instance-metadata-v2 judged: %v)", d.Summary, warned)
	}
	if d := reportOf(t, planFile(t, "staging", func(map[string]any) {})); d.Summary.Warned != 0 {
		t.Errorf("untouched staging plan warns: %+v", d.Summary)
	}
}

// The prod plan document carries prod's policy config, so its report
// honours prod's exemption (the web-logs bucket, ALB logs support only
// SSE-S3) as the report of --stack prod does. The broken variant: the
// same document without its "policy" fails that control on the bucket.
func TestPolicyReportOfAPlanHonoursTheStacksExemptions(t *testing.T) {
	const framework, id = "AWS FSBP", "S3.17"
	byStack := row(t, reportOf(t, "--stack", "prod"), framework, id)
	doc := prodPlanFile(t, func(map[string]any) {})
	byPlan := row(t, reportOf(t, doc), framework, id)
	if byStack.Status != "pass" || byPlan.Status != byStack.Status || byPlan.Failed != byStack.Failed || byPlan.Checked != byStack.Checked {
		t.Errorf("%s %s: --stack prod %+v, the prod plan %+v; want the same pass", framework, id, byStack, byPlan)
	}
	data, err := os.ReadFile(doc)
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(data, &m))
	if m["policy"] == nil {
		t.Fatal("the plan document carries no policy config")
	}
	delete(m, "policy")
	data, err = json.Marshal(m)
	must(t, err)
	bare := filepath.Join(t.TempDir(), "prod-without-policy.json")
	must(t, os.WriteFile(bare, data, 0o600))
	r := row(t, reportOf(t, bare), framework, id)
	if r.Status != "fail" || len(r.FailedResources) != 1 || !strings.HasSuffix(r.FailedResources[0], "::web-logs") {
		t.Errorf("without its policy config the plan's %s %s: %+v, want web-logs failed", framework, id, r)
	}
}
