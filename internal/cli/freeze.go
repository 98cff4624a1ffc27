package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func newFreezeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "freeze",
		Short: "The wedding-day change freeze: check it, and override it in an emergency",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newFreezeCheckCmd())
	return cmd
}

func newFreezeCheckCmd() *cobra.Command {
	var stack, reason, approvedBy, expires string
	var at *instant
	var emergency, clear bool
	cmd := &cobra.Command{
		Use:   "check --stack NAME [--now RFC3339] [--emergency --reason TEXT | --emergency --clear]",
		Short: "Say whether a stack may change now (exit 3 inside a freeze)",
		Long: `check evaluates the stack's season calendar (wedding days, by default Friday
18:00 to Sunday 06:00 in the stack's time zone, plus dated freezes) and prints
whether the stack is frozen, which window, and when it ends. Only prod
freezes; dev and staging never do.

--emergency --reason TEXT lets a prod change through a freeze: it writes
wedsync:emergencyOverride {reason, approvedBy, expires} into the stack file
(read by the policy pack's freeze rule; commit it with the change), expiring
when the freeze ends unless --expires says otherwise, and records it in
environments/history.jsonl. --emergency --clear removes it.
See docs/runbooks/wedding-day-emergency.md.

--now (RFC 3339; default $WEDSYNC_NOW, else the clock) checks another instant.

Exit codes: 0 not frozen, or an emergency override is in force (or was just
set or cleared); 3 frozen; 2 bad arguments or config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !emergency && (clear || reason != "" || approvedBy != "" || expires != "") {
				return fail(errors.New("--reason, --approved-by, --expires and --clear go with --emergency"))
			}
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			ctx := commandContext(cmd)
			out := cmd.OutOrStdout()
			if emergency && clear {
				return clearOverride(cmd, p, stack, now)
			}
			d, err := freeze.CheckStack(ctx, p, stack, now)
			if err != nil {
				return fail(err)
			}
			if emergency {
				return setOverride(cmd, p, d, reason, approvedBy, expires)
			}
			fmt.Fprintln(out, d.Message())
			if d.Blocked() {
				return &exitError{code: ExitFrozen}
			}
			return nil
		},
	}
	stackFlag(cmd, &stack, "stack to check")
	at = nowFlag(cmd)
	cmd.Flags().BoolVar(&emergency, "emergency", false, "set (with --reason) or clear (with --clear) an emergency override")
	cmd.Flags().StringVar(&reason, "reason", "", "why the change cannot wait, e.g. an incident id")
	cmd.Flags().StringVar(&approvedBy, "approved-by", "", "who approved the emergency change (default: who runs the command)")
	cmd.Flags().StringVar(&expires, "expires", "", "when the override ends, RFC 3339 (default: when the freeze ends)")
	cmd.Flags().BoolVar(&clear, "clear", false, "with --emergency: remove the override")
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
	fmt.Fprintf(cmd.OutOrStdout(), "%s\nemergency override set in %s until %s, approved by %s, recorded in %s.\nCommit both files with the change; clear it afterwards with: wedsync-infra freeze check --stack %s --emergency --clear\n",
		d.Message(), p.StackFile(d.Stack), o.Expires, o.ApprovedBy, audit.HistoryOf(p).Path, d.Stack)
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
