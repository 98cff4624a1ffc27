// Package policyreport prints the policy pack's per-control report of a
// plan (policies/rules BuildReport) as text, JSON or one self-contained
// HTML page: what `wedsync-infra policy report` prints and the pull-request
// workflow attaches.
package policyreport

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wedsync/wedsync-infra/policies/rules"
)

// Formats are the formats Write accepts.
var Formats = []string{"text", "json", "html"}

// Doc is a report with what it reports on; its JSON is the json format.
type Doc struct {
	Project     string      `json:"project"`
	Stack       string      `json:"stack"`
	Environment string      `json:"environment"`
	PlannedAt   string      `json:"plannedAt,omitempty"`
	Summary     Summary     `json:"summary"`
	Controls    []Row       `json:"controls"`
	NotCovered  []Uncovered `json:"notCovered"`
	Frameworks  []string    `json:"frameworks"`
	Sources     []string    `json:"sources"`
}

// Judged are the rows that judged some resource of the stack.
func (d *Doc) Judged() []Row {
	var out []Row
	for _, r := range d.Controls {
		if r.Checked > 0 {
			out = append(out, r)
		}
	}
	return out
}

// Unjudged names the controls no row of which found anything of its
// types in the stack ("CIS GCP 3.0 3.8"), each once.
func (d *Doc) Unjudged() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range d.Judged() {
		seen[r.Framework+" "+r.ID] = true
	}
	for _, r := range d.Controls {
		if k := r.Framework + " " + r.ID; !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// Summary counts rows by status and the controls no rule covers.
type Summary struct {
	Controls   int `json:"controls"`
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Warned     int `json:"warned"`
	NoneJudged int `json:"nothingToJudge"`
	NotCovered int `json:"notCovered"`
}

// Row is one control as one rule implements it.
type Row struct {
	Framework       string   `json:"framework"`
	ID              string   `json:"id"`
	Title           string   `json:"title"`
	Rule            string   `json:"rule"`
	Level           string   `json:"level"`
	Status          string   `json:"status"`
	Checked         int      `json:"checked"`
	Passed          int      `json:"passed"`
	Failed          int      `json:"failed"`
	NotApplicable   int      `json:"notApplicable"`
	FailedResources []string `json:"failedResources,omitempty"`
}

// Uncovered is a control that applies to the stack's types and that no
// rule checks.
type Uncovered struct {
	Framework     string   `json:"framework"`
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	ResourceTypes []string `json:"resourceTypes"`
	Resources     int      `json:"resources"`
}

// Sources are where the control ids and the not-covered list come from.
var Sources = []string{
	"Prowler compliance files (github.com/prowler-cloud/prowler prowler/compliance/{aws,gcp,azure}/): CIS AWS Foundations 3.0, AWS FSBP, CIS GCP 3.0, CIS Azure 3.0; controls apply to a type through the ResourceType of the Prowler checks of each",
	"AWS Security Hub control pages (docs.aws.amazon.com/securityhub/latest/userguide/) for FSBP controls Prowler does not carry",
	"Regulation (EU) 2016/679 (GDPR) for the articles",
}

// NewDoc assembles the document of a report.
func NewDoc(project, stack, environment, plannedAt string, rep *rules.Report) *Doc {
	d := &Doc{Project: project, Stack: stack, Environment: environment, PlannedAt: plannedAt, Controls: []Row{}, NotCovered: []Uncovered{}, Sources: Sources}
	for _, f := range rules.Frameworks {
		d.Frameworks = append(d.Frameworks, string(f))
	}
	for _, c := range rep.Controls {
		row := Row{
			Framework: string(c.Control.Framework), ID: c.Control.ID, Title: c.Control.Title, Rule: c.Rule, Level: string(c.Level),
			Status: c.Status(), Checked: c.Checked, Passed: c.Passed, Failed: c.Failed, NotApplicable: c.NotApplicable, FailedResources: c.FailedURNs,
		}
		d.Controls = append(d.Controls, row)
		switch row.Status {
		case "fail":
			d.Summary.Failed++
		case "warn":
			d.Summary.Warned++
		case "pass":
			d.Summary.Passed++
		default:
			d.Summary.NoneJudged++
		}
	}
	d.Summary.Controls = len(d.Controls)
	for _, u := range rep.NotCovered {
		d.NotCovered = append(d.NotCovered, Uncovered{Framework: string(u.Control.Framework), ID: u.Control.ID, Title: u.Control.Title, ResourceTypes: u.Control.Types, Resources: u.Resources})
	}
	d.Summary.NotCovered = len(d.NotCovered)
	return d
}

// Write prints d in format (text, json or html).
func Write(w io.Writer, format string, d *Doc) error {
	switch format {
	case "text", "":
		return writeText(w, d)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	case "html":
		return writeHTML(w, d)
	}
	return fmt.Errorf("format %q: use %s", format, strings.Join(Formats, ", "))
}

func writeText(w io.Writer, d *Doc) error {
	fmt.Fprintf(w, "Policy report of %s/%s (%s)\n", d.Project, d.Stack, d.Environment)
	fmt.Fprintf(w, "%d control rows: %d pass, %d fail, %d warn (advisory), %d with nothing to judge; %d benchmark controls not covered\n\n",
		d.Summary.Controls, d.Summary.Passed, d.Summary.Failed, d.Summary.Warned, d.Summary.NoneJudged, d.Summary.NotCovered)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FRAMEWORK\tCONTROL\tRULE\tCHECKED\tPASSED\tFAILED\tN/A\tSTATUS\tTITLE")
	for _, r := range d.Judged() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", r.Framework, r.ID, r.Rule, r.Checked, r.Passed, r.Failed, r.NotApplicable, r.Status, clip(r.Title, 70))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range d.Controls {
		for _, u := range r.FailedResources {
			fmt.Fprintf(w, "  failed %s %s (%s): %s\n", r.Framework, r.ID, r.Rule, u)
		}
	}
	if u := d.Unjudged(); len(u) > 0 {
		fmt.Fprintf(w, "\nNothing of their types in this stack: %s\n", strings.Join(u, ", "))
	}
	fmt.Fprintf(w, "\nNot covered: %d benchmark controls apply to this stack's resource types and no rule checks them\n", len(d.NotCovered))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FRAMEWORK\tCONTROL\tRESOURCES\tTYPES\tTITLE")
	for _, u := range d.NotCovered {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", u.Framework, u.ID, u.Resources, strings.Join(u.ResourceTypes, " "), clip(u.Title, 70))
	}
	return tw.Flush()
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
