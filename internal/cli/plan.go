package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func newPlanCmd() *cobra.Command {
	var stack string
	var asJSON, wide bool
	var at *instant
	cmd := &cobra.Command{
		Use:   "plan --stack NAME [--json | --wide] [--now RFC3339]",
		Short: "Show what a stack would create, with no credentials and no Pulumi Cloud",
		Long: `plan runs the stack's Pulumi program under mocks and prints every resource it
would create as a tree with key settings, a summary per cloud and type, and
the policy violations. Its header says the instant planned for (--now, else
$WEDSYNC_NOW, else the clock) and the wedding-day freeze at that instant: a
status, never a failure (only a deploy is frozen). Lines fit the terminal
(or $COLUMNS), long lists of settings abbreviated; --wide shows them all, and
--json prints the plan document (docs/plan-format.md).

Exit codes: 0 plan made (frozen or not), 1 a mandatory policy rule fails,
2 invalid config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			res, err := offline.Plan(p, stack, now)
			var cfgErr *offline.ConfigError
			if errors.As(err, &cfgErr) {
				return invalid(cfgErr)
			}
			if errors.Is(err, project.ErrNoStack) {
				return invalid(err)
			}
			if err != nil {
				return err
			}
			stamp(res, now, at.Source())
			out := cmd.OutOrStdout()
			if asJSON {
				if err := res.Plan.WriteJSON(out); err != nil {
					return err
				}
			} else if err := res.Plan.WriteTextWidth(out, planHeader(res), textWidth(out, wide)); err != nil {
				return err
			}
			if n := res.Plan.MandatoryViolations(); n > 0 {
				return &exitError{code: ExitViolation, err: errors.New(plan.Count(n, "mandatory policy violation"))}
			}
			if n := len(res.Plan.Limits); n > 0 {
				return &exitError{code: ExitViolation, err: fmt.Errorf("%d values the clouds would refuse at deploy (deploy-time limits)", n)}
			}
			return nil
		},
	}
	stackFlag(cmd, &stack, "stack to plan")
	at = nowFlag(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan document as JSON")
	cmd.Flags().BoolVar(&wide, "wide", false, "every key setting, however long the line (default: fit the terminal)")
	return cmd
}

// stamp records in the plan the instant it was made for and its source.
func stamp(res *offline.Result, now time.Time, source string) {
	res.Plan.PlannedAt = &plan.Instant{At: now.Format(time.RFC3339), Source: source}
}

// planHeader is the plan's first lines: what, for when, and the freeze.
func planHeader(res *offline.Result) string {
	d := res.Freeze
	return fmt.Sprintf("Offline plan of %s\nPlanned for %s (from %s)\nFreeze: %s",
		res.Config.Describe(), d.At.In(d.Zone).Format(freeze.TimeFormat), res.Plan.PlannedAt.Source,
		strings.ReplaceAll(d.Message(), "\n", "\n        "))
}
