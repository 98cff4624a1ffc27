// Package offline plans a stack of this repository without credentials: it
// reads the stack file, validates the config, and runs the real program
// (stacks.Program) under mocks. The CLI, the tests and the benchmarks all
// plan through here, so they see the same thing.
package offline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
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

// Result is a stack's offline plan, the config it was made from, and the
// policy config and instant its violations were judged with.
type Result struct {
	Plan   *plan.Plan
	Config stacks.Config
	Policy rules.Config
	Now    time.Time
}

// Plan makes the offline plan of stack in the project p, with the config of
// the environments its stack file imports (environments/) under the stack
// file's own values.
func Plan(p *project.Project, stack string) (*Result, error) {
	if _, err := p.ReadStack(stack); err != nil {
		return nil, err // no such stack, or an unreadable file: not a config problem
	}
	merged, err := environments.StackConfig(context.Background(), p, stack)
	if err != nil {
		return nil, &ConfigError{Stack: stack, Err: err}
	}
	return PlanConfig(p.Name, stack, merged)
}

// PlanConfig makes the offline plan of a stack from its config values.
func PlanConfig(projectName, stack string, sc *project.StackConfig) (*Result, error) {
	cfg, err := stacks.Load(projectName, stack, sc.Values)
	if err != nil {
		return nil, &ConfigError{Stack: stack, Err: err}
	}
	keys := make([]string, 0, len(sc.Values))
	for k := range sc.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pl, err := plan.Run(plan.Options{
		Project:     projectName,
		Stack:       stack,
		Environment: string(cfg.Environment),
		Config:      sc.Values,
		SecretKeys:  sc.SecretKeys,
	}, stacks.ProgramWithConfigKeys(keys))
	if err != nil {
		return nil, fmt.Errorf("stack %s: the program failed under mocks: %w", stack, err)
	}
	policyCfg, _, err := rules.FromStackConfig(stack, sc.Values)
	if err != nil {
		return nil, &ConfigError{Stack: stack, Err: err}
	}
	// The freeze rule's clock is the program's (WEDSYNC_NOW in rehearsals),
	// so a plan of a wedding Saturday judges that Saturday.
	now, err := stacks.Now()
	if err != nil {
		return nil, &ConfigError{Stack: stack, Err: err}
	}
	pl.Violations = plan.Evaluate(pl, policyCfg, now)
	return &Result{Plan: pl, Config: cfg, Policy: policyCfg, Now: now}, nil
}

// Headline is the first line the CLI prints above the list of problems.
func (e *ConfigError) Headline() string {
	return fmt.Sprintf("stack %s: invalid config; nothing was planned", e.Stack)
}
