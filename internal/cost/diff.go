package cost

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Diff is the change in a stack's estimate between a base and the working
// tree: per month, per resource, and the dearest peak month's change first.
type Diff struct {
	Stack string `json:"stack"`
	// PeakMonth is the peak-season month whose cost changes most.
	PeakMonth string        `json:"peakMonth"`
	PeakDelta float64       `json:"peakDelta"`
	YearBase  float64       `json:"yearBase"`
	YearHead  float64       `json:"yearHead"`
	YearDelta float64       `json:"yearDelta"`
	Months    []MonthDelta  `json:"months"`
	Resources []ResourceDel `json:"resources"`
}

// MonthDelta is one month's change.
type MonthDelta struct {
	Month      string  `json:"month"`
	Peak       bool    `json:"peak"`
	Base, Head float64 `json:"-"`
	Delta      float64 `json:"delta"`
}

// ResourceDel is one resource's change over the year; Change is "added",
// "removed" or "changed".
type ResourceDel struct {
	Type, Name, Change string
	Year, PeakMonth    float64
}

// Compare diffs two estimates of one stack; base may be nil (a new stack).
func Compare(base, head *Report) Diff {
	if base == nil {
		base = &Report{Months: make([]Month, len(head.Months))}
	}
	d := Diff{Stack: head.Stack, YearBase: base.Total, YearHead: head.Total, YearDelta: round2(head.Total - base.Total)}
	peakIdx := -1
	for i, m := range head.Months {
		md := MonthDelta{Month: m.Month, Peak: m.Peak, Base: base.Months[i].Total, Head: m.Total, Delta: round2(m.Total - base.Months[i].Total)}
		d.Months = append(d.Months, md)
		if m.Peak && (peakIdx < 0 || math.Abs(md.Delta) > math.Abs(d.Months[peakIdx].Delta)) {
			peakIdx = i
		}
	}
	if peakIdx >= 0 {
		d.PeakMonth, d.PeakDelta = d.Months[peakIdx].Month, d.Months[peakIdx].Delta
	}
	byURN := map[string]ResourceUse{}
	for _, r := range base.Resources {
		byURN[r.URN] = r
	}
	seen := map[string]bool{}
	for _, h := range head.Resources {
		seen[h.URN] = true
		b, had := byURN[h.URN]
		change := "changed"
		if !had {
			change = "added"
		}
		d.addResource(h.Type, h.Name, change, b.Monthly, h.Monthly, peakIdx)
	}
	for _, b := range base.Resources {
		if !seen[b.URN] {
			d.addResource(b.Type, b.Name, "removed", b.Monthly, [12]float64{}, peakIdx)
		}
	}
	sort.SliceStable(d.Resources, func(i, j int) bool {
		return math.Abs(d.Resources[i].PeakMonth) > math.Abs(d.Resources[j].PeakMonth)
	})
	return d
}

func (d *Diff) addResource(typ, name, change string, base, head [12]float64, peak int) {
	year := 0.0
	for m := range head {
		year += head[m] - base[m]
	}
	pm := 0.0
	if peak >= 0 {
		pm = head[peak] - base[peak]
	}
	if math.Abs(year) < 0.005 && math.Abs(pm) < 0.005 {
		return
	}
	d.Resources = append(d.Resources, ResourceDel{Type: typ, Name: name, Change: change, Year: round2(year), PeakMonth: round2(pm)})
}

// WriteMarkdown prints the diff for a pull request's job summary.
func (d Diff) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "### Cost: stack %s\n\n", d.Stack)
	fmt.Fprintf(w, "Peak month %s: **%+.2f USD**; year: **%+.2f USD** (%.2f -> %.2f).\n\n", d.PeakMonth, d.PeakDelta, d.YearDelta, d.YearBase, d.YearHead)
	if len(d.Resources) == 0 {
		fmt.Fprintln(w, "No resource's estimate changes.")
		return
	}
	fmt.Fprintln(w, "| month | delta |\n|---|---:|")
	for _, m := range d.Months {
		star := ""
		if m.Peak {
			star = " (peak)"
		}
		fmt.Fprintf(w, "| %s%s | %+.2f |\n", m.Month, star, m.Delta)
	}
	fmt.Fprintf(w, "\n| resource | change | %s | year |\n|---|---|---:|---:|\n", d.PeakMonth)
	for _, r := range d.Resources {
		fmt.Fprintf(w, "| %s `%s` | %s | %+.2f | %+.2f |\n", r.Type, r.Name, r.Change, r.PeakMonth, r.Year)
	}
}

// BaseFiles writes the stack files, environments, Pulumi.yaml and pricing
// of git ref (in the repository at dir) into a new temporary directory:
// the base's configuration, planned by the working tree's program. The
// caller removes it.
func BaseFiles(dir, ref string) (string, error) {
	tmp, err := os.MkdirTemp("", "wedsync-cost-base-")
	if err != nil {
		return "", err
	}
	paths := []string{"Pulumi.yaml", "stacks/*.yaml", "environments", "pricing"}
	var present []string
	for _, p := range paths {
		out, err := exec.Command("git", "-C", dir, "ls-tree", "--name-only", ref, "--", strings.TrimSuffix(p, "/*.yaml")).Output()
		if err != nil {
			_ = os.RemoveAll(tmp)
			return "", fmt.Errorf("--base %s: %w", ref, gitErr(err))
		}
		if len(strings.TrimSpace(string(out))) > 0 {
			present = append(present, p)
		}
	}
	args := append([]string{"-C", dir, "archive", "--format=tar", ref, "--"}, present...)
	archive := exec.Command("git", args...)
	untar := exec.Command("tar", "-x", "-C", tmp)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return "", err
	}
	untar.Stdin = pipe
	if err := untar.Start(); err != nil {
		_ = os.RemoveAll(tmp)
		return "", err
	}
	if err := archive.Run(); err != nil {
		_ = untar.Wait()
		_ = os.RemoveAll(tmp)
		return "", fmt.Errorf("--base %s: git archive: %w", ref, gitErr(err))
	}
	if err := untar.Wait(); err != nil {
		_ = os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

func gitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%s", strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// HasPricing reports whether dir has a pricing/ directory.
func HasPricing(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pricing"))
	return err == nil
}
