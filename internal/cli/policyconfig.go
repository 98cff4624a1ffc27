package cli

import (
	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

func newPolicyConfigCmd() *cobra.Command {
	var stack string
	cmd := &cobra.Command{
		Use:   "config --stack NAME",
		Short: "Print the policy pack's config file for a stack (pulumi --policy-pack-config)",
		Long: `config prints the file 'pulumi preview' and 'pulumi up' read with
--policy-pack-config: the stack's policy settings (wedsync:policy, defaults
applied: minRetentionDays, allowedRegions, exemptions) for every resource
policy of the pack. wedsync-infra preview and up pass the same file, made by
the same function, so a plain pulumi run judges the stack as they and the
offline plan do:

    wedsync-infra policy config --stack prod > policy-config.json
    pulumi up --stack prod --policy-pack policies --policy-pack-config policy-config.json

Exit codes: 0 printed; 2 bad arguments or config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := project.Find(projectDir(cmd))
			if err != nil {
				return fail(err)
			}
			sc, err := environments.StackConfig(commandContext(cmd), p, stack)
			if err != nil {
				return fail(err)
			}
			data, err := rules.StackPackConfigFile(sc.Values)
			if err != nil {
				return fail(err)
			}
			_, err = cmd.OutOrStdout().Write(append(data, '\n'))
			return err
		},
	}
	cmd.Flags().StringVar(&stack, "stack", "", "the stack (stacks/Pulumi.NAME.yaml)")
	_ = cmd.MarkFlagRequired("stack")
	return cmd
}
