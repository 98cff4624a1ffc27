package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/wedsync/wedsync-infra"

// rank is a package's layer: it may import packages of its own rank or
// lower. policies sits beside stacks, above components, and the rule for it
// is the rank of what it may import (components and below).
func rank(pkg string) int {
	switch {
	case pkg == "" || strings.HasPrefix(pkg, "cmd"): // "" is main.go at the root
		return 6
	case strings.HasPrefix(pkg, "internal"):
		return 5
	case pkg == "bootstrap/cmd": // the state-backend program's main
		return 6
	case strings.HasPrefix(pkg, "stacks"), strings.HasPrefix(pkg, "bootstrap"):
		// bootstrap is a program of components, as the stacks are.
		return 4
	case strings.HasPrefix(pkg, "policies"):
		return 3
	case strings.HasPrefix(pkg, "components/core"):
		return 1
	case strings.HasPrefix(pkg, "components"):
		return 2
	case strings.HasPrefix(pkg, "season"):
		return 0
	}
	return -1
}

// allowed says whether from may import to.
func allowed(from, to string) bool {
	// The pack may import its own rules, which sit above components.
	if strings.HasPrefix(from, "policies") && strings.HasPrefix(to, "policies") {
		return true
	}
	// Stacks and everything above read the pack's view of stack config.
	if strings.HasPrefix(to, "policies/rules") && rank(from) >= rank("stacks") {
		return true
	}
	return rank(to) <= rank(from) && (!strings.HasPrefix(to, "policies") || rank(from) >= rank("stacks"))
}

func TestImportsPointDown(t *testing.T) {
	root := filepath.Join("..", "..")
	imports, err := moduleImports(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 20 {
		t.Fatalf("found imports in only %d packages: is the walk reading the module?", len(imports))
	}
	for from, tos := range imports {
		if rank(from) < 0 {
			t.Errorf("package %q is in no layer: give it one in rank()", from)
			continue
		}
		for to, file := range tos {
			if !allowed(from, to) {
				t.Errorf("%s imports %s: imports point down (cmd -> internal -> stacks -> components -> core -> season; policies use nothing above components)", file, to)
			}
		}
	}
}

// The rule itself catches what it must: a deliberately upward import.
func TestTheRuleRefusesUpwardImports(t *testing.T) {
	for _, c := range []struct{ from, to string }{
		{"policies/rules", "internal/plan"},
		{"stacks", "internal/environments"},
		{"components/database", "stacks"},
		{"components/core", "components/database"},
		{"season", "components/core"},
		{"components/autoscaling", "policies/rules"},
	} {
		if allowed(c.from, c.to) {
			t.Errorf("%s -> %s must be refused", c.from, c.to)
		}
	}
	for _, c := range []struct{ from, to string }{
		{"internal/offline", "stacks"}, {"stacks", "policies/rules"}, {"policies", "policies/rules"},
		{"policies/rules", "components/core"}, {"components/database", "components/core"}, {"cmd/wedsync-infra", "internal/cli"},
	} {
		if !allowed(c.from, c.to) {
			t.Errorf("%s -> %s must be allowed", c.from, c.to)
		}
	}
}

// moduleImports maps each package directory (relative to the module root)
// to the module packages its non-test files import, with one file that
// does. Nested modules (tools/pulumi, test/engine) are skipped.
func moduleImports(root string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || exists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		from := filepath.ToSlash(rel)
		if from == "." {
			from = ""
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if to, ok := strings.CutPrefix(p, module+"/"); ok {
				if out[from] == nil {
					out[from] = map[string]string{}
				}
				out[from][to] = path
			}
		}
		return nil
	})
	return out, err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
