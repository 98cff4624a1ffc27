package deploy

import (
	"path"
	"slices"
	"strings"

	"github.com/wedsync/wedsync-infra/internal/project"
)

// Affected lists the stacks of project p a change to the files changed
// (slash-separated paths relative to the repository root) may change,
// sorted: what a pull request previews. A stack file affects its stack; an
// environment file the stacks importing it; anything the program, the
// policy pack, the shared base environment, the project file or the
// workflows are built from affects every stack. Documentation, tests of
// their own module and the audit history affect none.
func Affected(p *project.Project, changed []string) ([]string, error) {
	all, err := p.Stacks()
	if err != nil {
		return nil, err
	}
	hit := map[string]bool{}
	for _, f := range changed {
		f = path.Clean(strings.TrimPrefix(f, "./"))
		dir, base := path.Split(f)
		switch {
		case sharedByEveryStack(f):
			return all, nil
		case dir == "stacks/" && strings.HasPrefix(base, "Pulumi.") && strings.HasSuffix(base, ".yaml"):
			stack := strings.TrimSuffix(strings.TrimPrefix(base, "Pulumi."), ".yaml")
			if slices.Contains(all, stack) {
				hit[stack] = true
			}
		case dir == "environments/" && strings.HasSuffix(base, ".yaml"):
			env := strings.TrimSuffix(base, ".yaml")
			for _, stack := range all {
				sc, err := p.ReadStack(stack)
				if err != nil {
					return nil, err
				}
				if slices.Contains(sc.Environment, env) {
					hit[stack] = true
				}
			}
		}
	}
	var out []string
	for _, stack := range all {
		if hit[stack] {
			out = append(out, stack)
		}
	}
	return out, nil
}

// sharedByEveryStack reports whether f is part of what every stack is
// built from.
func sharedByEveryStack(f string) bool {
	switch {
	case strings.HasPrefix(f, "test/"), strings.HasPrefix(f, "docs/"):
		return false
	case f == "go.mod", f == "go.sum", f == "Pulumi.yaml", f == "Makefile", f == "environments/base.yaml":
		return true
	case strings.HasPrefix(f, "policies/"), strings.HasPrefix(f, "tools/pulumi/"), strings.HasPrefix(f, ".github/"):
		return true
	}
	return strings.HasSuffix(f, ".go")
}
