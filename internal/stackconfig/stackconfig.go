// Package stackconfig is the one way every command reads a stack's
// configuration: the stack file (read once, strictly: project.ParseStack),
// the environments it imports (strictly: environments.CheckDefinition,
// merged by environments.Merge, which refuses a stack importing another
// stage's environment), decoded and validated by stacks.Load, and every
// value held to the clouds' documented limits (limits.ConfigTable). The
// offline plan, cost, preview and up, promote, dr, capacity and `env check`
// all load through here, and main.go hands Validate to the program, so a
// file cannot pass one command and fail another.
package stackconfig

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/go-multierror"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/limits"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

// ConfigError is a stack whose config does not validate. Err lists every
// problem.
type ConfigError struct {
	Stack string
	Err   error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("stack %s: invalid config: %v", e.Stack, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Headline is the first line the CLI prints above the list of problems.
func (e *ConfigError) Headline() string {
	return fmt.Sprintf("stack %s: invalid config; nothing was planned", e.Stack)
}

// Loaded is a stack's configuration as every command sees it.
type Loaded struct {
	// File is the stack file alone and Data its bytes (what else is in it:
	// the secrets provider).
	File *project.StackConfig
	Data []byte
	// Merged is the stack file's values over those of the environments it
	// imports: what the program is given.
	Merged *project.StackConfig
	// Config is Merged decoded, defaulted and validated.
	Config stacks.Config
}

// Load reads stack's file once, merges the environments it imports and
// validates the result. An unreadable or unknown stack file is returned
// as it is; everything else wrong is a *ConfigError listing every problem.
func Load(ctx context.Context, p *project.Project, stack string) (*Loaded, error) {
	sc, data, err := p.ReadStackFile(stack)
	if err != nil {
		return nil, err
	}
	merged, err := environments.Merge(ctx, environments.StoreOf(p), p.Name, stack, sc)
	if err != nil {
		return nil, &ConfigError{Stack: stack, Err: err}
	}
	cfg, err := ValidateStack(p.Name, stack, merged)
	var ce *ConfigError
	if errors.As(err, &ce) {
		if hint := checkImported(p, stack, sc); hint != nil {
			ce.Err = multierror.Append(hint, core.Flatten(ce.Err)...)
		}
	}
	if err != nil {
		return nil, err
	}
	return &Loaded{File: sc, Data: data, Merged: merged, Config: cfg}, nil
}

// checkImported names the likely cause when a stack of a stage (dev,
// staging, prod) that imports no environment does not validate while
// environments/ defines its stage: it lacks every value the environment
// sets (cost centre, release, freezes), and the problems alone would name
// those values instead of the missing import. (A stack may plan from its
// file alone when the file has everything.)
func checkImported(p *project.Project, stack string, sc *project.StackConfig) error {
	env := sc.Values[environments.EnvironmentKey]
	if len(sc.Environment) > 0 || !core.Environment(env).Valid() {
		return nil
	}
	store := environments.StoreOf(p)
	names, err := store.Names()
	if err != nil || !slices.Contains(names, env) {
		return err
	}
	return fmt.Errorf("%s: %s:%s: the stack imports no environment, but %s defines its %s %q; if the values below come from there, add `%s:%s: [%s]` to the stack file's config",
		p.StackFile(stack), p.Name, project.EnvironmentsKey, store.Path(env), environments.EnvironmentKey, env, p.Name, project.EnvironmentsKey, env)
}

// Validate decodes, defaults and validates merged config values (stacks.Load)
// and holds them to the clouds' documented limits (limits.CheckConfig).
// Its error is a *ConfigError listing every problem, each naming the key
// and path, the value and what is allowed.
func Validate(projectName, stack string, values map[string]string) (stacks.Config, error) {
	cfg, err := stacks.Load(projectName, stack, values)
	p := &core.Problems{}
	p.Include("", err)
	for _, b := range limits.CheckConfig(string(cfg.Cloud), values) {
		p.Add(b.Property, nil, "%s; allowed: %s (%s)", b.Problem, b.Allowed, b.Doc)
	}
	if err := p.Err(); err != nil {
		return cfg, &ConfigError{Stack: stack, Err: err}
	}
	return cfg, nil
}

// ValidateStack is Validate of a stack's merged config, each problem
// pointing at where its value is written (the stack file or the
// environment that gave it): file, line and column.
func ValidateStack(projectName, stack string, sc *project.StackConfig) (stacks.Config, error) {
	cfg, err := Validate(projectName, stack, sc.Values)
	cfg.SecretsProvider = sc.SecretsProvider
	var ce *ConfigError
	if errors.As(err, &ce) {
		for _, e := range core.Flatten(ce.Err) {
			var pr *core.Problem
			if !errors.As(e, &pr) || pr.At != "" {
				continue
			}
			if pos, ok := sc.Positions.Find(pr.Field); ok {
				pr.At = pos.String()
			}
		}
	}
	return cfg, err
}

// Loader is Validate as the program's stacks.Loader: its error is the list
// of problems (the engine names the stack itself).
func Loader(projectName, stack string, values map[string]string) (stacks.Config, error) {
	cfg, err := Validate(projectName, stack, values)
	var ce *ConfigError
	if errors.As(err, &ce) {
		return cfg, ce.Err
	}
	return cfg, err
}

// LoaderOf is Loader for a stack whose file names secretsProvider: the
// program's config comes through the engine, which does not pass the
// file's `secretsprovider:`, so the command that read the file hands it
// down.
func LoaderOf(secretsProvider string) stacks.Loader {
	return func(projectName, stack string, values map[string]string) (stacks.Config, error) {
		cfg, err := Loader(projectName, stack, values)
		cfg.SecretsProvider = secretsProvider
		return cfg, err
	}
}

// Check is `env check`: every environment definition evaluates, and every
// stack's config loads as the plan loads it. It returns every problem.
func Check(ctx context.Context, p *project.Project) []error {
	problems := environments.CheckDefinitions(ctx, p)
	all, err := p.Stacks()
	if err != nil {
		return append(problems, err)
	}
	for _, stack := range all {
		if _, err := Load(ctx, p, stack); err != nil {
			problems = append(problems, err)
		}
	}
	return problems
}
