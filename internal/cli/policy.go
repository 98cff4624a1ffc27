package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Judge plans against the policy pack's rules",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newPolicyCheckCmd(), newPolicyReportCmd(), newPolicyConfigCmd())
	return cmd
}

func newPolicyCheckCmd() *cobra.Command {
	var configFile string
	var asJSON bool
	var at *instant
	cmd := &cobra.Command{
		Use:   "check PLAN.json",
		Short: "Evaluate the policy rules against a plan document (docs/plan-format.md)",
		Long: `check reads a plan document (from 'plan --json', another tool, or written by
hand; "-" reads stdin), runs every rule of the policy pack over its resources
and prints the violations. Prod-only rules apply when the document's
"environment" is prod. The policy config is the one the document carries
("policy": the stack's, in a plan made by 'plan --json'), or --config's
(policies/README.md), which replaces it;
--now (RFC 3339; default $WEDSYNC_NOW, else the clock) evaluates the
freeze at another instant.

Exit codes: 0 no mandatory violation, 1 a mandatory policy rule fails,
2 bad arguments or an unreadable plan.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := readPlan(cmd.InOrStdin(), args[0])
			if err != nil {
				return invalid(err)
			}
			cfg, err := planPolicy(p, args[0])
			if err != nil {
				return err
			}
			if configFile != "" {
				cfg = rules.Config{}
				data, err := os.ReadFile(configFile)
				if err != nil {
					return invalid(err)
				}
				if err := cfg.Decode(data); err != nil {
					return invalid(err)
				}
				if err := cfg.Validate(); err != nil {
					return invalid(fmt.Errorf("policy config %s: %w", configFile, err))
				}
			}
			now, err := at.At()
			if err != nil {
				return fail(err)
			}
			p.Violations = plan.Evaluate(p, cfg, now)
			out := cmd.OutOrStdout()
			if asJSON {
				if err := p.WriteJSON(out); err != nil {
					return err
				}
			} else {
				writeViolations(out, p)
			}
			if n := p.MandatoryViolations(); n > 0 {
				return &exitError{code: ExitViolation, err: errors.New(plan.Count(n, "mandatory policy violation"))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "", "policy config file (JSON: minRetentionDays, allowedRegions, exemptions)")
	at = nowFlag(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan document with its violations as JSON")
	return cmd
}

func readPlan(stdin io.Reader, path string) (*plan.Plan, error) {
	if path == "-" {
		return plan.ReadJSON(stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	p, err := plan.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Environment == "" {
		return nil, errors.New(path + ": the plan has no \"environment\"; set it (dev, staging or prod) so prod rules apply where they should")
	}
	return p, nil
}

// planPolicy is the policy config a plan document carries (its "policy",
// docs/plan-format.md), or the defaults when it has none.
func planPolicy(p *plan.Plan, path string) (rules.Config, error) {
	if p.Policy == nil {
		return rules.Config{}, nil
	}
	if err := p.Policy.Validate(); err != nil {
		return rules.Config{}, invalid(fmt.Errorf("%s: its \"policy\": %w", path, err))
	}
	return *p.Policy, nil
}

func writeViolations(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "Policy check of %s/%s (%s): %d resources\n", p.Project, p.Stack, p.Environment, len(p.Resources))
	if len(p.Violations) == 0 {
		fmt.Fprintln(w, "Policy: no violations")
		return
	}
	fmt.Fprintf(w, "Policy: %s (%d mandatory)\n", plan.Count(len(p.Violations), "violation"), p.MandatoryViolations())
	for _, v := range p.Violations {
		fmt.Fprintf(w, "  [%s] %s  %s\n      %s\n", v.EnforcementLevel, v.Policy, v.URN, v.Message)
	}
}
