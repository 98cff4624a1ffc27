// Package deploy runs a stack of this repository for real: it evaluates the
// environments the stack imports (environments/), runs the wedding-day
// freeze check for prod, runs the program through a Runner (the Pulumi
// Automation API and the `pulumi` CLI, with the policy pack), and after a
// successful update records the deploy in the promotion history, which is
// what makes the release promotable onwards.
//
// `wedsync-infra up` and `preview` call Up and Preview; so does
// `wedsync-infra dr rebuild`, after it has written the DR stack's file.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/promote"
	"github.com/wedsync/wedsync-infra/stacks"
)

// PolicyPackDir is the policy pack's directory under the project.
const PolicyPackDir = "policies"

// Stack is everything a Runner needs to run one stack.
type Stack struct {
	// Project is the Pulumi project's name; Name the stack's.
	Project string
	Name    string
	// Environment is the stack's wedsync:environment.
	Environment string
	// Dir is the project's directory (Pulumi.yaml).
	Dir string
	// Config is the stack's config, set through the Automation API: the
	// stack file's values over those of the environments it imports, each
	// as Pulumi passes it to programs (objects as JSON).
	Config auto.ConfigMap
	// Keys are every config key the program sees (Config's and those
	// StackFile holds encrypted), sorted: the program reports unknown ones.
	Keys []string
	// StackFile is the stack settings the workspace starts from: the stack
	// file's secrets provider (secretsprovider, encryptedkey,
	// encryptionsalt) and the config values it holds encrypted (`secure:`),
	// which the CLI decrypts with the stack's own secrets provider. Empty
	// when the stack file has neither.
	StackFile []byte
	// SecretsProvider is the stack file's `secretsprovider:` as written
	// (not the override of SecretsProviderEnv): the key whose use the
	// program grants CI's identities.
	SecretsProvider string
	// PolicyPack is the policy pack's directory; empty runs without it.
	PolicyPack string
	// FreezeAdvisory makes the pack's freeze rule advisory: a preview
	// inside a freeze reads, so it shows the freeze rather than failing.
	FreezeAdvisory bool
	// Now is the instant the program plans for (schedules, thresholds).
	Now time.Time
	// values are the merged config as read, encrypted values as ciphertext:
	// what the freeze check reads, so the files are read once per run.
	values map[string]string
	// Stdout receives the engine's progress as it happens; Stderr its
	// error stream.
	Stdout, Stderr io.Writer
}

// Result is what an operation did.
type Result struct {
	// Changes are the number of resources per step kind ("create",
	// "update", "same", ...).
	Changes map[string]int
	// Outputs are the stack's outputs after an update (secret ones as
	// core.SecretMarker); nil after a preview.
	Outputs map[string]any
}

// Changed reports whether the operation changed (or would change) any
// resource.
func (r Result) Changed() bool {
	for op, n := range r.Changes {
		if op != "same" && n > 0 {
			return true
		}
	}
	return false
}

// Runner runs a prepared stack. Automation is the real one; tests use fakes.
type Runner interface {
	Preview(ctx context.Context, s *Stack) (Result, error)
	Up(ctx context.Context, s *Stack) (Result, error)
}

// Options are how Up and Preview run.
type Options struct {
	// Runner runs the stack; nil means Automation{}.
	Runner Runner
	// Now is the instant the freeze is judged at and the deploy recorded
	// at; zero means stacks.Now() (the clock, or $WEDSYNC_NOW).
	Now time.Time
	// Who is recorded as having deployed; empty means audit.Who.
	Who string
	// Reason is recorded with the deploy (why it ran without a promotion:
	// a reviewed config change, a scheduled re-apply); may be empty.
	Reason string
	// Stdout and Stderr receive the decision and the engine's progress;
	// nil discards them.
	Stdout, Stderr io.Writer
}

// Outcome is what Up or Preview did.
type Outcome struct {
	Stack *Stack
	// Freeze is the freeze decision the run went ahead under.
	Freeze freeze.Decision
	Result Result
	// Record is the deploy record appended to the history (Up only).
	Record *audit.Record
}

// FrozenError refuses a change to a stack inside a freeze window without
// an emergency override in force.
type FrozenError struct {
	Decision freeze.Decision
}

func (e *FrozenError) Error() string { return e.Decision.Message() }

// RunError is a preview or update the engine ran and that failed
// (a resource error, a mandatory policy violation): the stack's config was
// fine.
type RunError struct {
	Op    string
	Stack string
	Err   error
}

func (e *RunError) Error() string { return fmt.Sprintf("%s of %s failed: %v", e.Op, e.Stack, e.Err) }

func (e *RunError) Unwrap() error { return e.Err }

// Up updates stack: the environment, the freeze check, the update through
// the Runner with the policy pack, and the deploy record.
func Up(ctx context.Context, p *project.Project, stack string, opts Options) (*Outcome, error) {
	out, err := run(ctx, p, stack, &opts, "up")
	if err != nil {
		return out, err
	}
	rec, err := promote.New(p).RecordDeployBecause(ctx, out.Stack.Environment, stack, opts.Who, opts.Reason, opts.Now)
	if err != nil {
		return out, fmt.Errorf("%s was updated, but the deploy could not be recorded in %s (record it with `wedsync-infra promote record-deploy --env %s`): %w",
			stack, audit.HistoryOf(p).Path, out.Stack.Environment, err)
	}
	out.Record = &rec
	return out, nil
}

// Preview previews stack: the environment, the freeze decision and the
// preview through the Runner with the policy pack. Nothing is recorded.
// A preview only reads, so it is never frozen: the decision is printed as
// its status and the pack's freeze rule runs as advisory.
func Preview(ctx context.Context, p *project.Project, stack string, opts Options) (*Outcome, error) {
	return run(ctx, p, stack, &opts, "preview")
}

func run(ctx context.Context, p *project.Project, stack string, opts *Options, op string) (*Outcome, error) {
	if opts.Runner == nil {
		opts.Runner = Automation{}
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.Now.IsZero() {
		now, err := stacks.Now()
		if err != nil {
			return nil, err
		}
		opts.Now = now
	}
	if opts.Who == "" {
		opts.Who = audit.Who(p.Dir)
	}
	s, err := Prepare(ctx, p, stack)
	if err != nil {
		return nil, err
	}
	s.Stdout, s.Stderr, s.Now = opts.Stdout, opts.Stderr, opts.Now
	t, err := freeze.TargetFromConfig(stack, s.values)
	if err != nil {
		return nil, err
	}
	d := freeze.Check(t, opts.Now)
	out := &Outcome{Stack: s, Freeze: d}
	fmt.Fprintln(opts.Stdout, d.Message())
	if d.Blocked() {
		if op == "up" {
			return out, &FrozenError{Decision: d}
		}
		s.FreezeAdvisory = true
	}
	var runErr error
	if op == "up" {
		out.Result, runErr = opts.Runner.Up(ctx, s)
	} else {
		out.Result, runErr = opts.Runner.Preview(ctx, s)
	}
	if runErr != nil {
		var noCLI *NoCLIError
		if errors.As(runErr, &noCLI) {
			return out, runErr
		}
		return out, &RunError{Op: op, Stack: stack, Err: runErr}
	}
	return out, nil
}

// Prepare evaluates stack's config for a run: the stack file over the
// environments it imports, split into what is set through the API and what
// stays encrypted in the stack settings.
func Prepare(ctx context.Context, p *project.Project, stack string) (*Stack, error) {
	// The stack file is read once: its values (merged over the
	// environments it imports) and its settings both come from these bytes.
	sc, data, err := p.ReadStackFile(stack)
	if err != nil {
		return nil, err
	}
	merged, err := environments.Merge(ctx, environments.StoreOf(p), p.Name, stack, sc)
	if err != nil {
		return nil, err
	}
	env := merged.Values[environments.EnvironmentKey]
	if env == "" {
		return nil, fmt.Errorf("stack %s sets no %s (nor does an environment it imports)", stack, environments.EnvironmentKey)
	}
	settings, encrypted, err := stackSettings(p.Name, p.StackFile(stack), data)
	if err != nil {
		return nil, err
	}
	secret := map[string]bool{}
	for _, k := range merged.SecretKeys {
		secret[k] = true
	}
	s := &Stack{
		Project:         p.Name,
		Name:            stack,
		Environment:     env,
		Dir:             p.Dir,
		Config:          auto.ConfigMap{},
		StackFile:       settings,
		SecretsProvider: sc.SecretsProvider,
		PolicyPack:      filepath.Join(p.Dir, PolicyPackDir),
		values:          merged.Values,
	}
	var envSecrets []string
	for k, v := range merged.Values {
		s.Keys = append(s.Keys, k)
		switch {
		case encrypted[k]:
			// In StackFile, encrypted; the CLI decrypts it.
		case secret[k]:
			envSecrets = append(envSecrets, k)
		default:
			s.Config[k] = auto.ConfigValue{Value: v}
		}
	}
	sort.Strings(s.Keys)
	if len(envSecrets) > 0 {
		sort.Strings(envSecrets)
		return nil, fmt.Errorf("stack %s: %v come from an environment as fn::secret ciphertext, which only Pulumi Cloud can decrypt; "+
			"set them in %s with `pulumi config set --secret` instead", stack, envSecrets, p.StackFile(stack))
	}
	return s, nil
}
