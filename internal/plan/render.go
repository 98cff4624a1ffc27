package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wedsync/wedsync-infra/internal/limits"
)

// WriteJSON writes the plan document (docs/plan-format.md), indented.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// ReadJSON reads a plan document, e.g. one made elsewhere or edited by hand.
func ReadJSON(r io.Reader) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a plan document (docs/plan-format.md): %w", err)
	}
	if p.Violations == nil {
		p.Violations = []Violation{}
	}
	if p.Limits == nil {
		p.Limits = []limits.Breach{}
	}
	return &p, nil
}

// keySettingWords pick the settings worth a line in the tree: those a
// reviewer checks first (encryption, exposure, protection, size, place).
var keySettingWords = []string{
	"encrypt", "kms", "key", "public", "ssl", "tls", "https", "deletion", "protect", "backup",
	"retention", "version", "region", "location", "class", "capacity", "size", "engine",
	"tier", "sku", "availability", "replica", "zone", "rotation", "multi", "mode", "min", "max",
	"desired", "lock", "immutab", "purge", "recurrence", "schedule", "timezone", "time",
}

// maxKeySettings bounds each resource's line: the tree is for reading.
const maxKeySettings = 8

// KeySettings are the resource's most telling inputs as "path=value".
func (r Resource) KeySettings() []string {
	var leaves []leaf
	flatten("", r.Inputs, &leaves)
	var out []string
	for _, l := range leaves {
		if len(out) == maxKeySettings {
			break
		}
		if l.value == nil || strings.HasPrefix(l.path, "tags") || strings.HasPrefix(l.path, "labels") || strings.HasPrefix(l.path, "defaultTags") || strings.HasPrefix(l.path, "defaultLabels") {
			continue
		}
		lower := strings.ToLower(l.path)
		for _, w := range keySettingWords {
			if strings.Contains(lower, w) {
				out = append(out, l.path+"="+short(l.value))
				break
			}
		}
	}
	return out
}

func short(v any) string {
	s := fmt.Sprint(v)
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		s = fmt.Sprint(int64(f))
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	if strings.ContainsAny(s, " \n") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// WriteText writes the tree (parent -> children, each with its type, name
// and key settings), the summary and the violations, in full.
func (p *Plan) WriteText(out io.Writer, header string) error {
	return p.WriteTextWidth(out, header, 0)
}

// WriteTextWidth is WriteText fitting each tree line to width columns (0:
// no limit): the key settings that do not fit are abbreviated to "+N",
// and a note says how to see them all.
func (p *Plan) WriteTextWidth(out io.Writer, header string, width int) error {
	w := &strings.Builder{}
	fmt.Fprintf(w, "%s\n\n", header)
	children := map[string][]Resource{}
	var roots []Resource
	byURN := map[string]bool{}
	for _, r := range p.Resources {
		byURN[r.URN] = true
	}
	for _, r := range p.Resources {
		if r.Parent == "" || !byURN[r.Parent] {
			roots = append(roots, r)
			continue
		}
		children[r.Parent] = append(children[r.Parent], r)
	}
	abbreviated := 0
	var walk func(r Resource, indent string, last bool, root bool)
	walk = func(r Resource, indent string, last bool, root bool) {
		branch, next := "", ""
		if !root {
			branch, next = "├─ ", "│  "
			if last {
				branch, next = "└─ ", "   "
			}
		}
		line := fmt.Sprintf("%s%s%s  %s", indent, branch, r.Type, r.Name)
		if r.Protect {
			line += "  [protected]"
		}
		settings, hidden := fit(line, r.KeySettings(), width)
		if len(settings) > 0 {
			line += "  " + strings.Join(settings, " ")
		}
		if hidden > 0 {
			line += fmt.Sprintf(" +%d", hidden)
			abbreviated++
		}
		fmt.Fprintln(w, line)
		kids := children[r.URN]
		sort.SliceStable(kids, func(i, j int) bool {
			if kids[i].Custom != kids[j].Custom {
				return kids[i].Custom // a component's own resources before its sub-components
			}
			return kids[i].Type+kids[i].Name < kids[j].Type+kids[j].Name
		})
		for i, k := range kids {
			walk(k, indent+next, i == len(kids)-1, false)
		}
	}
	for _, r := range roots {
		walk(r, "", true, true)
	}
	if abbreviated > 0 {
		fmt.Fprintf(w, "(%s abbreviated to fit %d columns: +N settings not shown; --wide or --json shows them all)\n",
			Count(abbreviated, "line"), width)
	}
	fmt.Fprintln(w)
	p.writeSummary(w)
	p.writeViolations(w)
	p.writeLimits(w)
	_, err := io.WriteString(out, w.String())
	return err
}

// Cloud names the cloud a resource type belongs to ("aws", "gcp", "azure"),
// or "wedsync" for our components and "pulumi" for the stack and providers.
func Cloud(typ string) string {
	pkg, _, _ := token(typ)
	if pkg == "pulumi" && strings.HasPrefix(typ, "pulumi:providers:") {
		pkg = strings.TrimPrefix(typ, "pulumi:providers:")
	}
	switch pkg {
	case "aws", "gcp":
		return pkg
	case "azure-native":
		return "azure"
	}
	return pkg
}

func (p *Plan) writeSummary(w *strings.Builder) {
	counts := map[string]map[string]int{}
	total := 0
	for _, r := range p.Resources {
		c := Cloud(r.Type)
		if counts[c] == nil {
			counts[c] = map[string]int{}
		}
		counts[c][r.Type]++
		total++
	}
	fmt.Fprintf(w, "Summary: %d resources\n", total)
	clouds := make([]string, 0, len(counts))
	for c := range counts {
		clouds = append(clouds, c)
	}
	sort.Strings(clouds)
	for _, c := range clouds {
		n := 0
		types := make([]string, 0, len(counts[c]))
		for t, k := range counts[c] {
			types = append(types, t)
			n += k
		}
		sort.Strings(types)
		fmt.Fprintf(w, "  %-8s %4d\n", c, n)
		for _, t := range types {
			fmt.Fprintf(w, "      %4d  %s\n", counts[c][t], t)
		}
	}
}

func (p *Plan) writeViolations(w *strings.Builder) {
	fmt.Fprintln(w)
	if len(p.Violations) == 0 {
		fmt.Fprintln(w, "Policy: no violations")
		return
	}
	fmt.Fprintf(w, "Policy: %s\n", Count(len(p.Violations), "violation"))
	for _, v := range p.Violations {
		fmt.Fprintf(w, "  [%s] %s  %s\n      %s\n", v.EnforcementLevel, v.Policy, v.URN, v.Message)
	}
}

// Count is "1 violation", "2 violations": n and noun, in plural when n is
// not 1.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fit keeps the settings that fit on line within width columns, leaving
// room for the "+N" of those hidden; width 0 keeps all.
func fit(line string, settings []string, width int) (kept []string, hidden int) {
	if width <= 0 {
		return settings, 0
	}
	n := utf8.RuneCountInString(line)
	for i, s := range settings {
		sep := 1
		if i == 0 {
			sep = 2
		}
		more := 0
		if i < len(settings)-1 {
			more = len(fmt.Sprintf(" +%d", len(settings)-i-1))
		}
		if n+sep+utf8.RuneCountInString(s)+more > width {
			return settings[:i], len(settings) - i
		}
		n += sep + utf8.RuneCountInString(s)
	}
	return settings, 0
}
