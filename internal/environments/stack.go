package environments

import (
	"context"
	"fmt"
	"sort"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// StoreOf is the environment store of project p.
func StoreOf(p *project.Project) Store { return Store{Dir: Dir(p), ReadFile: p.ReadFile} }

// StackConfig is a stack's config as its program sees it: the stack file's
// values over those of the environments it imports (`environment:`), in
// the order they are listed, as Pulumi merges them. A stack that imports no
// environment is its stack file alone.
func StackConfig(ctx context.Context, p *project.Project, stack string) (*project.StackConfig, error) {
	sc, err := p.ReadStack(stack)
	if err != nil {
		return nil, err
	}
	return Merge(ctx, StoreOf(p), p.Name, stack, sc)
}

// Merge evaluates the environments sc imports and returns sc's config over
// theirs. sc is not modified.
func Merge(ctx context.Context, s Store, projectName, stack string, sc *project.StackConfig) (*project.StackConfig, error) {
	if len(sc.Environment) == 0 {
		return sc, nil
	}
	out := &project.StackConfig{Values: map[string]string{}, Environment: append([]string(nil), sc.Environment...), Positions: project.Positions{},
		SecretsProvider: sc.SecretsProvider}
	secret := map[string]bool{}
	for _, name := range sc.Environment {
		env, err := s.Evaluate(ctx, projectName, name)
		if err != nil {
			return nil, fmt.Errorf("stack %s imports environment %s: %w", stack, name, err)
		}
		for k, v := range env.PulumiConfig {
			out.Values[k] = v
			secret[k] = false
			out.Positions.Replace(k, env.Positions)
		}
		for _, k := range env.SecretKeys {
			secret[k] = true
		}
	}
	for k, v := range sc.Values {
		out.Values[k] = v
		secret[k] = false
		out.Positions.Replace(k, sc.Positions)
	}
	for _, k := range sc.SecretKeys {
		secret[k] = true
	}
	for k, isSecret := range secret {
		if isSecret {
			out.SecretKeys = append(out.SecretKeys, k)
		}
	}
	sort.Strings(out.SecretKeys)
	// Every reader of a stack's config merges here, so the plan, deploys,
	// promotion and `env check` refuse the same mismatch alike.
	env := out.Values[EnvironmentKey]
	for _, imp := range sc.Environment {
		if core.Environment(imp).Valid() && imp != env {
			return nil, fmt.Errorf("stack %s imports environment %s but its %s is %q; a stack imports its own environment", stack, imp, EnvironmentKey, env)
		}
	}
	return out, nil
}

// EnvironmentKey is the stack config key naming a stack's environment.
const EnvironmentKey = "wedsync:environment"

// StacksOf lists the stacks of project p whose `wedsync:environment` is env
// (prod, prod-dr, prod-gcp and prod-azure are all prod), sorted.
func StacksOf(ctx context.Context, p *project.Project, env string) ([]string, error) {
	all, err := p.Stacks()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, stack := range all {
		sc, err := StackConfig(ctx, p, stack)
		if err != nil {
			return nil, err
		}
		if sc.Values[EnvironmentKey] == env {
			out = append(out, stack)
		}
	}
	return out, nil
}

// CheckDefinitions evaluates every environment definition of project p
// (each strictly read: CheckDefinition) and returns every problem.
func CheckDefinitions(ctx context.Context, p *project.Project) []error {
	var problems []error
	s := StoreOf(p)
	names, err := s.Names()
	if err != nil {
		return []error{err}
	}
	for _, n := range names {
		if _, err := s.Evaluate(ctx, p.Name, n); err != nil {
			problems = append(problems, err)
		}
	}
	return problems
}

// Check evaluates every environment of project p and checks every stack's
// imports: each imported environment exists and evaluates, and a stack
// that imports one of the stage environments (dev, staging, prod) says the
// same in its wedsync:environment. It returns every problem. `env check`
// runs more (internal/stackconfig.Check): every stack's whole config.
func Check(ctx context.Context, p *project.Project) []error {
	problems := CheckDefinitions(ctx, p)
	all, err := p.Stacks()
	if err != nil {
		return append(problems, err)
	}
	for _, stack := range all {
		sc, err := p.ReadStack(stack)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if _, err := Merge(ctx, StoreOf(p), p.Name, stack, sc); err != nil {
			problems = append(problems, err)
		}
	}
	return problems
}
