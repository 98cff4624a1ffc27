// Package cli is the wedsync-infra operator command: plan, and (as they land)
// policy, promote, freeze and dr.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/go-multierror"
	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// Exit codes, documented in the README, so CI can tell a policy failure from
// a typo in config.
const (
	ExitOK        = 0
	ExitViolation = 1 // a mandatory policy rule fails
	ExitInvalid   = 2 // bad config or bad arguments
	ExitFrozen    = 3 // a freeze window is in force
)

// exitError carries an exit code and what to say on stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Main runs the command with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			printErr(stderr, ee.err)
		}
		return ee.code
	}
	printErr(stderr, err)
	return ExitInvalid
}

// printErr lists every problem of a multi-problem error (invalid config)
// on its own line, under a headline; any other error is one line.
func printErr(w io.Writer, err error) {
	var many *multierror.Error
	if !errors.As(err, &many) {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	headline := plan.Count(len(core.Flatten(many)), "problem")
	var h interface{ Headline() string }
	if errors.As(err, &h) {
		headline = h.Headline()
	}
	fmt.Fprintf(w, "error: %s\n", headline)
	for _, p := range core.Flatten(many) {
		fmt.Fprintf(w, "  - %v\n", p)
	}
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "wedsync-infra",
		Short:         "Operate WedSync's infrastructure: offline plans, policy checks, promotion, freezes, disaster recovery",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = version()
	root.SetVersionTemplate("{{.Version}}")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return invalid(err) })
	root.PersistentFlags().String("project-dir", ".", "directory of Pulumi.yaml (or below it)")
	root.AddCommand(newPlanCmd())
	root.AddCommand(newCapacityCmd())
	root.AddCommand(newPolicyCmd())
	root.AddCommand(newEnvCmd())
	root.AddCommand(newPromoteCmd())
	root.AddCommand(newFreezeCmd())
	root.AddCommand(newConfigCmd())
	root.AddCommand(newDRCmd())
	root.AddCommand(newUpCmd())
	root.AddCommand(newPreviewCmd())
	root.AddCommand(newDriftCmd())
	root.AddCommand(newAffectedCmd())
	root.AddCommand(newCostCmd())
	root.AddCommand(newBackupCmd())
	root.AddCommand(newErasureCmd())
	root.AddCommand(newDBCmd())
	finish(root)
	return root
}
