package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func newFreezeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "freeze",
		Short: "The wedding-day change freeze: check it, and override it in an emergency",
		Args:  cobra.NoArgs,
	}
	override := &cobra.Command{
		Use:   "override",
		Short: "The emergency override that lets a prod change through a freeze: set, clear, show",
		Long: `An emergency override is wedsync:emergencyOverride {reason, approvedBy,
expires} in the stack file, read by the policy pack's freeze rule and by
every deploy: commit it with the change, and clear it afterwards. Setting
and clearing are recorded in environments/history.jsonl.
See docs/runbooks/wedding-day-emergency.md.`,
	}
	override.AddCommand(newOverrideSetCmd(), newOverrideClearCmd(), newOverrideShowCmd())
	cmd.AddCommand(newFreezeCheckCmd(), override)
	return cmd
}

func newFreezeCheckCmd() *cobra.Command {
	var stack string
	var at *instant
	var emergency, asJSON bool
	cmd := &cobra.Command{
		Use:   "check --stack NAME [--now RFC3339]",
		Short: "Say whether a stack may change now (exit 3 inside a freeze)",
		Long: `check evaluates the stack's season calendar (wedding days, by default Friday
18:00 to Sunday 06:00 in the stack's time zone, plus dated freezes) and prints
whether the stack is frozen, which window, and when it ends. Only prod
freezes; dev and staging never do. It changes nothing: an emergency override
is set with 'wedsync-infra freeze override set'.

--now (RFC 3339; default $WEDSYNC_NOW, else the clock) checks another instant.
--json prints the decision as JSON (docs/plan-format.md), exit codes alike.

Exit codes: 0 not frozen, or an emergency override is in force; 3 frozen;
2 bad arguments or config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if emergency {
				return fail(fmt.Errorf("freeze check changes nothing; set an override with: wedsync-infra freeze override set --stack %s --reason TEXT", stack))
			}
			d, _, err := decide(cmd, stack, at)
			if err != nil {
				return err
			}
			if asJSON {
				doc := freezeJSON{Stack: d.Stack, Environment: string(d.Environment), At: d.At.Format(time.RFC3339), Source: at.Source(), Freeze: d.Status()}
				if err := writeJSON(cmd.OutOrStdout(), doc); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), d.Message())
			}
			if d.Blocked() {
				return &exitError{code: ExitFrozen}
			}
			return nil
		},
	}
	stackFlag(cmd, &stack, "stack to check")
	at = nowFlag(cmd)
	// The old way of setting an override, kept only to say where it went.
	cmd.Flags().BoolVar(&emergency, "emergency", false, "replaced by 'freeze override set'")
	_ = cmd.Flags().MarkHidden("emergency")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the decision as JSON")
	return cmd
}

// freezeJSON is the freeze check --json document: the plan's freeze status
// with the stack and instant it is for (docs/plan-format.md).
type freezeJSON struct {
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	At          string `json:"at"`
	Source      string `json:"source"`
	*plan.Freeze
}

// decide is the freeze decision for stack at --now, with its project.
func decide(cmd *cobra.Command, stack string, at *instant) (freeze.Decision, *project.Project, error) {
	p, now, err := projectAndNow(cmd, at)
	if err != nil {
		return freeze.Decision{}, nil, fail(err)
	}
	d, err := freeze.CheckStack(commandContext(cmd), p, stack, now)
	if err != nil {
		return d, p, fail(err)
	}
	return d, p, nil
}

func newOverrideSetCmd() *cobra.Command {
	var stack, reason, approvedBy, expires string
	var at *instant
	cmd := &cobra.Command{
		Use:   "set --stack NAME --reason TEXT [--approved-by WHO] [--expires RFC3339]",
		Short: "Let a prod stack change through the freeze in force (or the next, with --expires)",
		Long: `set writes wedsync:emergencyOverride {reason, approvedBy, expires} into the
stack file, expiring when the freeze in force ends unless --expires says
otherwise, and records it in environments/history.jsonl. Commit both files
with the change.

Exit codes: 0 set; 2 bad arguments (no reason, a stack that never freezes,
no freeze in force and no --expires).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, p, err := decide(cmd, stack, at)
			if err != nil {
				return err
			}
			return setOverride(cmd, p, d, reason, approvedBy, expires)
		},
	}
	stackFlag(cmd, &stack, "stack to let through")
	at = nowFlag(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why the change cannot wait, e.g. an incident id")
	cmd.Flags().StringVar(&approvedBy, "approved-by", "", "who approved the emergency change (default: who runs the command)")
	cmd.Flags().StringVar(&expires, "expires", "", "when the override ends, RFC 3339 (default: when the freeze ends)")
	return cmd
}

func newOverrideClearCmd() *cobra.Command {
	var stack string
	var at *instant
	cmd := &cobra.Command{
		Use:   "clear --stack NAME",
		Short: "Remove a stack's emergency override",
		Long: `clear removes wedsync:emergencyOverride from the stack file and records that
in environments/history.jsonl. Commit both files.

Exit codes: 0 removed, or there was none; 2 bad arguments.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			return clearOverride(cmd, p, stack, now)
		},
	}
	stackFlag(cmd, &stack, "stack whose override to remove")
	at = nowFlag(cmd)
	return cmd
}

func newOverrideShowCmd() *cobra.Command {
	var stack string
	var at *instant
	cmd := &cobra.Command{
		Use:   "show --stack NAME [--now RFC3339]",
		Short: "Show a stack's emergency override and whether it is in force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			t, err := freeze.LoadTarget(commandContext(cmd), p, stack)
			if err != nil {
				return fail(err)
			}
			out := cmd.OutOrStdout()
			o := t.Override
			if o == nil {
				fmt.Fprintf(out, "%s has no emergency override\n", stack)
				return nil
			}
			state := "in force"
			if problem := o.Problem(now); problem != "" {
				state = "not in force: " + problem
			}
			fmt.Fprintf(out, "%s: emergency override %q, approved by %s, until %s; %s\n", stack, o.Reason, o.ApprovedBy, o.Expires, state)
			return nil
		},
	}
	stackFlag(cmd, &stack, "the stack")
	at = nowFlag(cmd)
	return cmd
}

func setOverride(cmd *cobra.Command, p *project.Project, d freeze.Decision, reason, approvedBy, expiresFlag string) error {
	var expires time.Time
	if expiresFlag != "" {
		t, err := time.Parse(time.RFC3339, expiresFlag)
		if err != nil {
			return fail(fmt.Errorf("--expires %q: use RFC 3339, e.g. 2026-06-13T18:00:00+01:00", expiresFlag))
		}
		expires = t
	}
	who := audit.Who(p.Dir)
	if approvedBy == "" {
		approvedBy = who
	}
	o, err := freeze.NewOverride(d, reason, approvedBy, expires)
	if err != nil {
		return fail(err)
	}
	if err := freeze.SetOverride(p, d.Stack, o); err != nil {
		return err
	}
	rec := audit.Record{Kind: audit.KindOverride, At: d.At.UTC().Truncate(time.Second), Who: who, Env: string(d.Environment), Stack: d.Stack, Reason: o.Reason, Override: &o}
	if d.Frozen {
		rec.Freeze = &audit.Window{Name: d.Window.Name, Ends: d.Window.Ends}
	}
	if err := audit.HistoryOf(p).Append(rec); err != nil {
		return err
	}
	// The decision as it stands now the override is written.
	after, err := freeze.CheckStack(commandContext(cmd), p, d.Stack, d.At)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "emergency override set in %s until %s, approved by %s, recorded in %s.\n%s\nCommit both files with the change; clear it afterwards with: wedsync-infra freeze override clear --stack %s\n",
		p.StackFile(d.Stack), o.Expires, o.ApprovedBy, audit.HistoryOf(p).Path, after.Message(), d.Stack)
	return nil
}

func clearOverride(cmd *cobra.Command, p *project.Project, stack string, now time.Time) error {
	o, err := freeze.ClearOverride(p, stack)
	if err != nil {
		return fail(err)
	}
	out := cmd.OutOrStdout()
	if o == nil {
		fmt.Fprintf(out, "%s has no emergency override; nothing to clear\n", stack)
		return nil
	}
	rec := audit.Record{Kind: audit.KindOverrideCleared, At: now.UTC().Truncate(time.Second), Who: audit.Who(p.Dir), Stack: stack, Override: o}
	if err := audit.HistoryOf(p).Append(rec); err != nil {
		return err
	}
	fmt.Fprintf(out, "emergency override removed from %s (it was %q, approved by %s); recorded in %s\n", p.StackFile(stack), o.Reason, o.ApprovedBy, audit.HistoryOf(p).Path)
	return nil
}
