// Command scan is an independent scanner of wedsync-infra plans: it reads
// plan documents (docs/plan-format.md) and nothing of wedsync-infra's code,
// converts their AWS and GCP resources to Terraform and their Azure
// resources to an ARM template, and runs Trivy's IaC misconfiguration
// checks (embedded in the pinned trivy-checks module, offline) on them.
//
//	scan [-accepted scan/accepted.yaml] [-json out.json] [-dump DIR] [-coverage] PLAN.json...
//
// With -accepted it exits 1 on a finding not in the file or an entry of
// the file that matches no finding (stale).
//
// Trivy needs encoding/json/v2: build and test with GOEXPERIMENT=jsonv2
// (`make scan` does; `cd tools/scan && GOEXPERIMENT=jsonv2 go test .`).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"

	"github.com/aquasecurity/trivy/pkg/log"
)

func main() {
	acceptedPath := flag.String("accepted", "", "triaged findings (YAML); fail on any other finding and on stale entries")
	jsonPath := flag.String("json", "", "write the findings as JSON to this file (- for stdout)")
	dump := flag.String("dump", "", "write each plan's generated Terraform and ARM under DIR/<stack>/")
	coverage := flag.Bool("coverage", false, "list the plans' resource types scanned and not scanned")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: scan [-accepted FILE] [-json FILE] [-dump DIR] [-coverage] PLAN.json...")
		os.Exit(2)
	}
	log.InitLogger(false, true) // Trivy's own logging off: findings are the output
	code, err := run(os.Stdout, flag.Args(), *acceptedPath, *jsonPath, *dump, *coverage)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scan:", err)
		os.Exit(2)
	}
	pprof.StopCPUProfile()
	os.Exit(code)
}

func run(w io.Writer, paths []string, acceptedPath, jsonPath, dump string, coverage bool) (int, error) {
	var plans []*plan
	for _, p := range paths {
		pl, err := readPlan(p)
		if err != nil {
			return 2, err
		}
		plans = append(plans, pl)
	}
	if coverage {
		printCoverage(w, plans)
	}
	s := newScanners()
	var all []finding
	scanned := map[string]bool{}
	for _, p := range plans {
		if dump != "" {
			if err := writeDump(dump, p); err != nil {
				return 2, err
			}
		}
		fs, err := s.scanPlan(context.Background(), p)
		if err != nil {
			return 2, err
		}
		scanned[p.Stack] = true
		all = append(all, fs...)
	}
	var stale []string
	if acceptedPath != "" {
		accepted, err := readAccepted(acceptedPath)
		if err != nil {
			return 2, err
		}
		stale = triage(all, accepted, scanned)
	}
	if jsonPath != "" {
		if err := writeJSON(jsonPath, all); err != nil {
			return 2, err
		}
	}
	return report(w, plans, all, stale, acceptedPath != ""), nil
}

// report prints every finding and a count per stack; 1 when any finding
// is untriaged or any acceptance stale.
func report(w io.Writer, plans []*plan, all []finding, stale []string, triaged bool) int {
	perStack := map[string][2]int{}
	newOnes := 0
	for _, f := range all {
		mark := "NEW     "
		c := perStack[f.Stack]
		if f.Accepted != "" {
			mark = "accepted"
			c[0]++
		} else {
			c[1]++
			newOnes++
		}
		perStack[f.Stack] = c
		if !triaged {
			mark = "finding "
		}
		fmt.Fprintf(w, "%s %-9s %-8s %s %s\n    %s: %s\n", mark, f.Stack, f.Check, f.Severity, f.Resource, f.Title, f.Message)
	}
	fmt.Fprintln(w, "\nstack          findings  accepted  new")
	for _, p := range plans {
		c := perStack[p.Stack]
		fmt.Fprintf(w, "%-14s %8d  %8d  %3d\n", p.Stack, c[0]+c[1], c[0], c[1])
	}
	for _, s := range stale {
		fmt.Fprintln(w, "STALE acceptance:", s)
	}
	if triaged && (newOnes > 0 || len(stale) > 0) {
		fmt.Fprintf(w, "\n%d untriaged finding(s), %d stale acceptance(s): fix the plan, or triage in the accepted file with a reason\n", newOnes, len(stale))
		return 1
	}
	return 0
}

func writeJSON(path string, all []finding) error {
	if all == nil {
		all = []finding{}
	}
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err = os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func writeDump(dir string, p *plan) error {
	for name, data := range convert(p).Files {
		out := filepath.Join(dir, p.Stack, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// printCoverage lists, over all plans, the cloud resource types converted
// (Trivy has checks that read them) and those left out (it has none).
func printCoverage(w io.Writer, plans []*plan) {
	count := map[string]int{}
	for _, p := range plans {
		for _, r := range p.Resources {
			count[r.Type]++
		}
	}
	var types []string
	for t := range count {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, scannedPass := range []bool{true, false} {
		if scannedPass {
			fmt.Fprintln(w, "scanned (type -> Trivy input type, resources over all plans):")
		} else {
			fmt.Fprintln(w, "not scanned (Trivy v0.74.0 has no adapter reading them):")
		}
		for _, t := range types {
			target, ok := "", false
			if s, in := tfTypes[t]; in {
				target, ok = s.Type, true
			} else if s, in := armTypes[t]; in {
				target, ok = s.Type, true
			}
			if ok != scannedPass || !isCloudType(t) {
				continue
			}
			fmt.Fprintf(w, "  %-70s %-45s %d\n", t, target, count[t])
		}
	}
}

func isCloudType(t string) bool {
	for _, prefix := range []string{"aws:", "gcp:", "azure-native:"} {
		if len(t) > len(prefix) && t[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
