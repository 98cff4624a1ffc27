package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/policyreport"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

func newPolicyReportCmd() *cobra.Command {
	var stack, format string
	var at *instant
	cmd := &cobra.Command{
		Use:   "report (--stack NAME | PLAN.json) [--format text|json|html]",
		Short: "Report the policy pack per benchmark control: checked, passed, failed, not covered",
		Long: `report plans the stack offline (or reads a plan document) and prints, per
benchmark control the pack's rules implement (CIS AWS Foundations 3.0, AWS
FSBP, CIS GCP 3.0, CIS Azure 3.0, GDPR articles), the rule, how many of the
stack's resources it checked, passed, failed or found not applicable; then
the benchmark controls that apply to the stack's resource types and that no
rule checks ("not covered"). --format html writes one self-contained page.

Exit codes: 0 report printed (failed controls are in the report, not the
exit code), 2 bad arguments, invalid config or an unreadable plan.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(policyreport.Formats, format) {
				return invalid(fmt.Errorf("--format %q: use %s", format, strings.Join(policyreport.Formats, ", ")))
			}
			if (stack == "") == (len(args) == 0) {
				return invalid(errors.New("give --stack NAME or a plan document, one of them"))
			}
			p, cfg, err := reportPlan(cmd, stack, args, at)
			if err != nil {
				return err
			}
			planned := ""
			if p.PlannedAt != nil {
				planned = p.PlannedAt.At
			}
			now, err := at.At()
			if err != nil {
				return fail(err)
			}
			doc := policyreport.NewDoc(p.Project, p.Stack, p.Environment, planned, plan.Report(p, cfg, now))
			return policyreport.Write(cmd.OutOrStdout(), format, doc)
		},
	}
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to plan and report on (a stacks/Pulumi.NAME.yaml file)")
	at = nowFlag(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "text, json or html")
	return cmd
}

// reportPlan is the plan the report judges and its policy config: the
// stack's offline plan, or a plan document with the policy config it
// carries (planPolicy).
func reportPlan(cmd *cobra.Command, stack string, args []string, at *instant) (*plan.Plan, rules.Config, error) {
	if len(args) == 1 {
		p, err := readPlan(cmd.InOrStdin(), args[0])
		if err != nil {
			return nil, rules.Config{}, invalid(err)
		}
		cfg, err := planPolicy(p, args[0])
		return p, cfg, err
	}
	proj, now, err := projectAndNow(cmd, at)
	if err != nil {
		return nil, rules.Config{}, fail(err)
	}
	res, err := offline.Plan(proj, stack, now)
	var cfgErr *offline.ConfigError
	if errors.As(err, &cfgErr) || errors.Is(err, project.ErrNoStack) {
		return nil, rules.Config{}, invalid(err)
	}
	if err != nil {
		return nil, rules.Config{}, err
	}
	stamp(res, now, at.Source())
	return res.Plan, res.Policy, nil
}
