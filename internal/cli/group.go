package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/project"
)

// finish gives every command of the tree what the CLI promises everywhere:
// a command group rejects an unknown subcommand, and --stack completes
// the names of stacks/.
func finish(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && c.HasSubCommands() {
			asGroup(c)
		}
		if c.Flags().Lookup("stack") != nil {
			_ = c.RegisterFlagCompletionFunc("stack", completeStacks)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// asGroup makes cmd a command group: without a subcommand it prints its help
// (or runs, if it runs on its own, as promote does); with an unknown one it
// fails (exit 2) and suggests the nearest, so a typo in a CI gate
// (`policy chek`) never passes. A group that does not run on its own leaves
// unknown flags to the subcommand, so `freeze chek --stack prod` names the
// subcommand, not the flag.
func asGroup(cmd *cobra.Command) {
	if cmd.RunE != nil || cmd.Run != nil {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownSubcommand(cmd, args[0])
			}
			return nil
		}
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.FParseErrWhitelist.UnknownFlags = true
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return unknownSubcommand(cmd, args[0])
	}
}

func unknownSubcommand(cmd *cobra.Command, typed string) error {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	msg := fmt.Sprintf("unknown command %q for %q", typed, cmd.CommandPath())
	cmd.SuggestionsMinimumDistance = 2
	if s := cmd.SuggestionsFor(typed); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return invalid(fmt.Errorf("%s (its commands: %s)", msg, strings.Join(names, ", ")))
}

// completeStacks lists the stacks of the project (stacks/Pulumi.NAME.yaml).
func completeStacks(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, _ := p.Stacks()
	return names, cobra.ShellCompDirectiveNoFileComp
}
