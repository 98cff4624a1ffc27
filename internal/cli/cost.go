package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/capacity"
	"github.com/wedsync/wedsync-infra/internal/cost"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func newCostCmd() *cobra.Command {
	var stack, plotFile string
	var year int
	var asJSON bool
	var at *instant
	cmd := &cobra.Command{
		Use:   "cost --stack NAME [--year Y] [--json] [--plot FILE.png|FILE.svg]",
		Short: "Estimate a stack's cost month by month through the wedding season, against its budget",
		Long: `cost prices the stack's offline plan for each month of the year with the
dated price table in pricing/ (on-demand list prices, USD, each with its
page) and the usage assumptions of the stack's environment
(pricing/assumptions-<env>.yaml, printed with the estimate).

Compute is weighted hour by hour by the capacity the season calendar gives on
the stack's cloud: the same schedules 'capacity --plot' draws, generated for
the year and evaluated by that cloud's simulator, wedding days included.
Databases, storage (backup tiers: retention x daily copy size), networking,
security and monitoring are priced beside it. Each month is held against the
stack's budget (peak months against peakAmount; budgets in another currency
are converted at the assumptions' rate). It also reports the compute
commitment the season's floor justifies and flags capacity left at peak after
October and logs kept longer than required.

--plot draws the months stacked by category, with the budget lines.

Exit codes: 0 estimated; 1 a billable type is unpriced, or a prod month is
over budget (named); 2 bad flags or config.`,
		Example: `  wedsync-infra cost --stack prod
  wedsync-infra cost --stack prod-gcp --year 2027 --json
  wedsync-infra cost --stack prod --plot docs/cost-prod.png
  wedsync-infra cost diff --base origin/main --stack prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			if plotFile != "" {
				if _, err := capacity.FormatOf(plotFile); err != nil {
					return invalid(fmt.Errorf("--plot %w", err))
				}
			}
			if year == 0 {
				year = now.Year()
			}
			if year < 2000 || year > 2100 {
				return invalid(fmt.Errorf("--year %d: use a year from 2000 to 2100, e.g. 2027", year))
			}
			r, err := estimate(p, cost.PricingDir(p), stack, now, year)
			if err != nil {
				return err
			}
			return reportCost(cmd, r, asJSON, plotFile)
		},
	}
	stackFlag(cmd, &stack, "stack to estimate")
	at = nowFlag(cmd)
	cmd.Flags().IntVar(&year, "year", 0, "year to estimate (default: the year of --now)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the estimate as JSON")
	cmd.Flags().StringVar(&plotFile, "plot", "", "draw the year's monthly cost to this .png or .svg file")
	cmd.AddCommand(newCostDiffCmd())
	return cmd
}

// estimate plans stack in p and prices it with the table in dir; a bad
// stack or table is invalid input (exit 2).
func estimate(p *project.Project, dir, stack string, now time.Time, year int) (*cost.Report, error) {
	table, err := cost.LoadTable(dir)
	if err != nil {
		return nil, invalid(err)
	}
	r, err := cost.EstimateStack(p, stack, now, year, table, dir)
	var cfgErr *offline.ConfigError
	if errors.As(err, &cfgErr) {
		return nil, invalid(cfgErr)
	}
	if err != nil {
		return nil, invalid(err)
	}
	return r, nil
}

func reportCost(cmd *cobra.Command, r *cost.Report, asJSON bool, plotFile string) error {
	out := cmd.OutOrStdout()
	if asJSON {
		if err := r.WriteJSON(out); err != nil {
			return err
		}
	} else {
		r.WriteText(out)
	}
	if plotFile != "" {
		format, _ := capacity.FormatOf(plotFile)
		data, err := r.Render(format)
		if err != nil {
			return err
		}
		if err := os.WriteFile(plotFile, data, 0o644); err != nil {
			return invalid(fmt.Errorf("--plot: %w", err))
		}
		if !asJSON {
			fmt.Fprintf(out, "Wrote %s.\n", plotFile)
		}
	}
	var problems []string
	for _, u := range r.Unpriced {
		problems = append(problems, fmt.Sprintf("%s is unpriced in %s: %s", u.Type, u.Region, u.Reason))
	}
	if r.Mandatory {
		for _, o := range r.OverBudget {
			problems = append(problems, fmt.Sprintf("%s: estimate %.2f USD exceeds the budget's %s by %.2f", o.Month, o.Total, o.Limit, o.Gap))
		}
	}
	if len(problems) > 0 {
		return &exitError{code: ExitViolation, err: errors.New(strings.Join(problems, "; "))}
	}
	return nil
}

func newCostDiffCmd() *cobra.Command {
	var stack, base string
	var year int
	var at *instant
	cmd := &cobra.Command{
		Use:   "diff --base REF [--stack NAME]",
		Short: "The monthly and yearly cost change between a git ref's stack config and the working tree's",
		Long: `cost diff estimates each stack (or --stack) twice with the working tree's
program: once from the stack files, environments and pricing/ of --base
(extracted with git archive: the base's configuration, today's code), once
from the working tree. It prints, as Markdown for a pull request's job
summary, the peak month's change first, then every month and every resource
whose estimate changes. A stack new in the working tree is compared with
nothing.

Exit codes: 0 compared; 2 bad flags, ref or config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			if year == 0 {
				year = now.Year()
			}
			return runCostDiff(cmd, p, base, stack, now, year)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "git ref to compare with, e.g. origin/main")
	_ = cmd.MarkFlagRequired("base")
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to compare (default: every stack of the working tree)")
	cmd.Flags().IntVar(&year, "year", 0, "year to estimate (default: the year of --now)")
	at = nowFlag(cmd)
	return cmd
}

func runCostDiff(cmd *cobra.Command, p *project.Project, base, stack string, now time.Time, year int) error {
	dir, err := cost.BaseFiles(p.Dir, base)
	if err != nil {
		return invalid(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bp, err := project.Load(dir)
	if err != nil {
		return invalid(fmt.Errorf("--base %s: %w", base, err))
	}
	baseDir := cost.PricingDir(p)
	if cost.HasPricing(dir) {
		baseDir = cost.PricingDir(bp)
	}
	stacks := []string{stack}
	if stack == "" {
		if stacks, err = p.Stacks(); err != nil {
			return invalid(err)
		}
	}
	for _, s := range stacks {
		head, err := estimate(p, cost.PricingDir(p), s, now, year)
		if err != nil {
			return err
		}
		var old *cost.Report
		if _, err := bp.ReadStack(s); err == nil {
			if old, err = estimate(bp, baseDir, s, now, year); err != nil {
				return err
			}
		}
		cost.Compare(old, head).WriteMarkdown(cmd.OutOrStdout())
		fmt.Fprintln(cmd.OutOrStdout())
	}
	return nil
}
