package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/deploy"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// newRunner is the runner `up` and `preview` use; tests replace it.
var newRunner = func() deploy.Runner { return deploy.Automation{} }

func newUpCmd() *cobra.Command {
	return newDeployCmd("up", "Update a stack for real: environment, freeze check, `pulumi up` with the policy pack, deploy record",
		`up evaluates the environments the stack imports (environments/), runs the
wedding-day freeze check (prod only: refused inside a freeze unless the stack
file carries an emergency override in force), then updates the stack through
the Pulumi Automation API with the policy pack, streaming progress. After a
successful update it appends a deploy record to environments/history.jsonl,
which is what lets the release be promoted onwards: commit it.

It needs the pulumi CLI on PATH (make pulumi), a state backend
($PULUMI_BACKEND_URL or pulumi login), the stack's secrets provider (its
stack file's KMS key, reached with the cloud's credentials;
$PULUMI_CONFIG_PASSPHRASE only for a stack still on the passphrase) and the
cloud's credentials (CI: OIDC).

Exit codes: 0 updated; 1 the update failed (a resource error or a mandatory
policy violation); 2 bad config, arguments or setup (no pulumi CLI); 3 frozen.`,
		func(ctx context.Context, p *project.Project, stack string, opts deploy.Options) (*deploy.Outcome, error) {
			return deploy.Up(ctx, p, stack, opts)
		})
}

func newPreviewCmd() *cobra.Command {
	return newDeployCmd("preview", "Preview a stack for real: environment, freeze status, `pulumi preview` with the policy pack",
		`preview evaluates the environments the stack imports (environments/), prints
the wedding-day freeze status (a preview only reads, so it is never frozen:
the policy pack's freeze rule runs as advisory), then previews the stack
through the Pulumi Automation API with the policy pack, streaming progress.
Nothing is changed or recorded. Without credentials, use 'wedsync-infra plan'.

Exit codes: 0 previewed (frozen or not); 1 the preview failed (a mandatory
policy violation or a provider error); 2 bad config, arguments or setup
(no pulumi CLI).`,
		func(ctx context.Context, p *project.Project, stack string, opts deploy.Options) (*deploy.Outcome, error) {
			return deploy.Preview(ctx, p, stack, opts)
		})
}

type deployFunc func(ctx context.Context, p *project.Project, stack string, opts deploy.Options) (*deploy.Outcome, error)

func newDeployCmd(name, short, long string, do deployFunc) *cobra.Command {
	var stack, reason string
	var at *instant
	cmd := &cobra.Command{
		Use:   name + " --stack NAME [--now RFC3339]" + map[bool]string{true: " [--reason TEXT]"}[name == "up"],
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			out := cmd.OutOrStdout()
			res, err := do(commandContext(cmd), p, stack, deploy.Options{
				Runner: newRunner(),
				Now:    now,
				Reason: reason,
				Stdout: out,
				Stderr: cmd.ErrOrStderr(),
			})
			if err != nil {
				return deployExit(err)
			}
			fmt.Fprintf(out, "%s of %s done: %s\n", name, stack, describeChanges(res.Result))
			if res.Record != nil {
				fmt.Fprintf(out, "recorded the deploy of %s (%s) in %s; commit it\n", stack, res.Record.Env, "environments/history.jsonl")
			}
			return nil
		},
	}
	stackFlag(cmd, &stack, "stack to run")
	at = nowFlag(cmd)
	if name == "up" {
		cmd.Flags().StringVar(&reason, "reason", "", "why the stack is updated without a promotion (a reviewed config change, a scheduled re-apply): kept in the deploy record")
	}
	return cmd
}

// deployExit maps a deploy error to the command's exit code.
func deployExit(err error) error {
	var frozen *deploy.FrozenError
	var runErr *deploy.RunError
	switch {
	case errors.As(err, &frozen):
		// The decision is printed already, on stdout.
		return &exitError{code: ExitFrozen, err: fmt.Errorf("%s is frozen: nothing was run", frozen.Decision.Stack)}
	case errors.As(err, &runErr):
		return &exitError{code: ExitViolation, err: err}
	}
	return invalid(err)
}

func describeChanges(r deploy.Result) string {
	if len(r.Changes) == 0 {
		return "no resource steps reported"
	}
	if !r.Changed() {
		return "no changes"
	}
	ops := make([]string, 0, len(r.Changes))
	for op, n := range r.Changes {
		if n > 0 {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%d %s", r.Changes[op], op)
	}
	return strings.Join(parts, ", ")
}

func newAffectedCmd() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "affected [--base REF | FILE...]",
		Short: "List, as a JSON array, the stacks a change may change (what a pull request previews)",
		Long: `affected lists the stacks that the changed files may change: a stack file
its stack, an environment file the stacks importing it, and the program, the
policy pack, the base environment, go.mod or the workflows every stack.
Documentation and the audit history change none. The files are the
arguments, or with --base REF what git says changed since REF
(git diff --name-only REF...HEAD).

Exit codes: 0 listed (possibly []); 2 no files and no --base, bad arguments,
or git failed (its message shown).`,
		RunE: func(cmd *cobra.Command, files []string) error {
			p, err := project.Find(projectDir(cmd))
			if err != nil {
				return fail(err)
			}
			switch {
			case base != "" && len(files) > 0:
				return fail(errors.New("give --base or files, not both"))
			case base != "":
				if files, err = changedSince(cmd, p.Dir, base); err != nil {
					return fail(err)
				}
			case len(files) == 0:
				return fail(errors.New("nothing to compare: give the changed files, or --base REF (e.g. --base origin/main)"))
			}
			stacks, err := deploy.Affected(p, files)
			if err != nil {
				return fail(err)
			}
			if stacks == nil {
				stacks = []string{}
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(stacks)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "the git ref the change is compared with, e.g. origin/main")
	return cmd
}

// changedSince is what git says changed since base, or git's own message
// (with what to do about a shallow clone, which lacks the base's history).
func changedSince(cmd *cobra.Command, dir, base string) ([]string, error) {
	git := exec.CommandContext(commandContext(cmd), "git", "diff", "--name-only", base+"...HEAD")
	git.Dir = dir
	var stderr strings.Builder
	git.Stderr = &stderr
	out, err := git.Output()
	if err == nil {
		return strings.Fields(string(out)), nil
	}
	msg := fmt.Sprintf("git diff --name-only %s...HEAD: %s", base, strings.TrimSpace(stderr.String()))
	if stderr.Len() == 0 {
		msg += err.Error()
	}
	shallow := exec.CommandContext(commandContext(cmd), "git", "rev-parse", "--is-shallow-repository")
	shallow.Dir = dir
	if s, _ := shallow.Output(); strings.TrimSpace(string(s)) == "true" {
		msg += "\nthis clone is shallow, so it may lack " + base + " and the history back to it: fetch more (git fetch --unshallow origin, or actions/checkout with fetch-depth: 0)"
	}
	return nil, errors.New(msg)
}
