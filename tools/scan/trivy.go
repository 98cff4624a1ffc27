package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/aquasecurity/trivy/pkg/iac/rego"
	"github.com/aquasecurity/trivy/pkg/iac/scan"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/azure/arm"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/options"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/terraform"
)

// finding is one failed Trivy check on one plan resource.
type finding struct {
	Stack    string `json:"stack"`
	Check    string `json:"check"`
	Severity string `json:"severity"`
	Resource string `json:"resource"` // plan type::name
	Title    string `json:"title"`
	Message  string `json:"message"`
	Where    string `json:"where"` // generated file:line
	Accepted string `json:"accepted,omitempty"`
}

// scanners hold Trivy's checks compiled once: the checks embedded in
// trivy-checks, pinned by this module's go.sum, never downloaded.
type scanners struct {
	tf  *terraform.Scanner
	arm *arm.Scanner
}

func newScanners() *scanners {
	opts := []options.ScannerOption{rego.WithEmbeddedPolicies(true), rego.WithEmbeddedLibraries(true)}
	return &scanners{
		tf:  terraform.New(append(opts, terraform.ScannerWithDownloadsAllowed(false), terraform.ScannerWithSkipCachedModules(true))...),
		arm: arm.New(opts...),
	}
}

// converted is a plan as Trivy's inputs.
type converted struct {
	Files map[string][]byte
	Spans []span
}

func convert(p *plan) converted {
	c := converted{Files: map[string][]byte{}}
	if tf, spans := toTerraform(p, "tf/main.tf"); len(tf) > 0 {
		c.Files["tf/main.tf"] = tf
		c.Spans = append(c.Spans, spans...)
	}
	if tmpl, spans := toARM(p, "arm/template.json"); len(tmpl) > 0 {
		c.Files["arm/template.json"] = tmpl
		c.Spans = append(c.Spans, spans...)
	}
	return c
}

// scanPlan runs the Terraform and ARM checks over a plan's conversion.
func (s *scanners) scanPlan(ctx context.Context, p *plan) ([]finding, error) {
	c := convert(p)
	// On disk, not an in-memory fs.FS: Trivy keys every range by
	// fmt.Sprintf("%#v", fsys) (types.CreateFSKey), which for a map
	// filesystem prints every byte of every file, for every attribute.
	dir, err := os.MkdirTemp("", "wedsync-scan-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for name, data := range c.Files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	fsys := os.DirFS(dir)
	var results scan.Results
	if _, ok := c.Files["tf/main.tf"]; ok {
		rs, err := s.tf.ScanFS(ctx, fsys, "tf")
		if err != nil {
			return nil, fmt.Errorf("%s: terraform scan: %w", p.Stack, err)
		}
		results = append(results, rs...)
	}
	if _, ok := c.Files["arm/template.json"]; ok {
		rs, err := s.arm.ScanFS(ctx, fsys, "arm")
		if err != nil {
			return nil, fmt.Errorf("%s: arm scan: %w", p.Stack, err)
		}
		results = append(results, rs...)
	}
	var out []finding
	for _, r := range results.GetFailed() {
		rng := r.Range()
		f := finding{
			Stack:    p.Stack,
			Check:    r.Rule().ID,
			Severity: string(r.Severity()),
			Resource: "?" + r.Metadata().Reference(),
			Title:    r.Rule().Summary,
			Message:  r.Description(),
			Where:    fmt.Sprintf("%s:%d", rng.GetFilename(), rng.GetStartLine()),
		}
		if sp, ok := locate(c.Spans, rng.GetFilename(), rng.GetStartLine()); ok {
			f.Resource = sp.Resource.key()
		}
		out = append(out, f)
	}
	sortFindings(out)
	return dedupe(out), nil
}

// locate finds the plan resource whose generated lines hold a finding.
func locate(spans []span, file string, line int) (span, bool) {
	for _, sp := range spans {
		if path.Base(sp.File) == path.Base(file) && line >= sp.Start && line <= sp.End {
			return sp, true
		}
	}
	return span{}, false
}

func sortFindings(fs []finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Stack != b.Stack {
			return a.Stack < b.Stack
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Message < b.Message
	})
}

func dedupe(fs []finding) []finding {
	var out []finding
	for i, f := range fs {
		if i > 0 && f == fs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}
