// Package offline plans a stack of this repository without credentials: it
// reads the stack file, validates the config, and runs the real program
// (stacks.Program) under mocks. The CLI, the tests and the benchmarks all
// plan through here, so they see the same thing.
package offline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/stacks"
)

// ConfigError is a stack whose config does not validate (the one
// validator's error, stackconfig.ConfigError). Err lists every problem.
type ConfigError = stackconfig.ConfigError

// Result is a stack's offline plan, the config it was made from, and the
// freeze at the instant planned for, and the policy config and instant its
// violations were judged with.
type Result struct {
	Plan   *plan.Plan
	Config stacks.Config
	Policy rules.Config
	Now    time.Time
	Freeze freeze.Decision
}

// Plan makes the offline plan of stack in the project p as at now (the
// season schedules, alarm thresholds and freeze are those of that instant),
// with the config of the environments its stack file imports
// (environments/) under the stack file's own values. Each file is read
// once, the config decoded once, and both handed down.
func Plan(p *project.Project, stack string, now time.Time) (*Result, error) {
	l, err := stackconfig.Load(context.Background(), p, stack)
	if err != nil {
		return nil, err // no such stack, an unreadable file, or a *ConfigError
	}
	// The app's settings as they are in the working tree (`config set`
	// edits them), not as the CLI was built.
	cfg := l.Config
	if settings := filepath.Join(p.Dir, "stacks", "appsettings"); dirExists(settings) {
		cfg.AppSettingsDir = settings
	}
	return planLoaded(p.Name, stack, l.Merged, cfg, now)
}

// PlanConfig makes the offline plan of a stack from its config values, as
// at now.
func PlanConfig(projectName, stack string, sc *project.StackConfig, now time.Time) (*Result, error) {
	cfg, err := stackconfig.ValidateStack(projectName, stack, sc)
	if err != nil {
		return nil, err
	}
	return planLoaded(projectName, stack, sc, cfg, now)
}

// dirExists reports whether dir is a directory that can be read.
func dirExists(dir string) bool {
	st, err := os.Stat(dir)
	return err == nil && st.IsDir()
}

// planLoaded plans a stack whose config is loaded and validated.
func planLoaded(projectName, stack string, sc *project.StackConfig, cfg stacks.Config, now time.Time) (*Result, error) {
	pl, err := plan.Run(plan.Options{
		Project:     projectName,
		Stack:       stack,
		Environment: string(cfg.Environment),
		Config:      sc.Values,
		SecretKeys:  sc.SecretKeys,
	}, stacks.ProgramFor(cfg, now))
	if err != nil {
		return nil, fmt.Errorf("stack %s: the program failed under mocks: %w", stack, err)
	}
	// The freeze and seasonal-capacity rules judge the same instant the
	// program planned for.
	policyCfg := cfg.PackConfig()
	pl.Violations = plan.Evaluate(pl, policyCfg, now)
	// The document carries what it was judged with (its exemptions), so
	// `policy report PLAN.json` and `policy check PLAN.json` judge it alike.
	written := policyCfg
	written.ApplyDefaults(string(cfg.Environment))
	pl.Policy = &written
	// The freeze is a status of a deploy, not a violation of the plan:
	// reading a plan is never frozen; up and the pack in a real deploy refuse.
	d := freeze.Check(freeze.Target{Stack: stack, Environment: cfg.Environment, Season: cfg.Season, Override: cfg.EmergencyOverride}, now)
	pl.Freeze = d.Status()
	pl.Violations = slices.DeleteFunc(pl.Violations, func(v plan.Violation) bool { return v.Policy == rules.PolicyFreeze })
	return &Result{Plan: pl, Config: cfg, Policy: policyCfg, Now: now, Freeze: d}, nil
}
