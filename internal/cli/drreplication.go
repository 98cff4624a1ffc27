package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/dr"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
)

// drReplicationLong is dr replication's help.
const drReplicationLong = `replication judges an AWS stack's cross-region automated backups, which RDS
reports in no metric and no event, from the DR region's
'aws rds describe-db-instance-automated-backups --region DR
--db-instance-automated-backups-arn ARN --output json' (--automated-backups
FILE; ARN is the stack's output database.sourceId). It wants exactly one
replicated backup with that ARN, its status replicating, encrypted with the
stack's DR data key (output keys."dr.data"), its latest restorable time
within the RPO plus one log upload, and its earliest about the backup
retention ago. Each problem is named with its fix
(docs/runbooks/alarms/database.md, "Cross-region automated backups").
The outputs come from 'pulumi stack output', or --outputs FILE.
.github/workflows/backup-replication.yml runs it hourly and pages on 1.

Exit codes: 0 replicating within the RPO; 1 a problem; 2 bad input (a file
that is not that JSON, a stack without cross-region backups, no outputs).`

func newDRReplicationCmd() *cobra.Command {
	var f backupFlags
	var backups string
	var at *instant
	cmd := &cobra.Command{
		Use:   "replication --stack NAME --automated-backups FILE",
		Short: "Check the AWS cross-region automated backups: replicating, under the DR key, within the RPO",
		Long:  drReplicationLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now, err := at.At()
			if err != nil {
				return fail(err)
			}
			data, err := os.ReadFile(backups)
			if err != nil {
				return fail(fmt.Errorf("--automated-backups: %w", err))
			}
			doc, err := dr.ParseAutomatedBackups(data)
			if err != nil {
				return fail(fmt.Errorf("--automated-backups %s: %w", backups, err))
			}
			want, err := replicationWant(cmd, &f)
			if err != nil {
				return fail(err)
			}
			findings, err := dr.CheckReplication(doc, want, now)
			if err != nil {
				return fail(fmt.Errorf("--automated-backups %s: %w", backups, err))
			}
			return reportReplication(cmd, f.stack, want, findings)
		},
	}
	stackFlag(cmd, &f.stack, "the stack whose backups replicate (prod)")
	cmd.Flags().StringVar(&backups, "automated-backups", "", "the JSON of 'aws rds describe-db-instance-automated-backups' in the DR region")
	cmd.Flags().StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json' (default: ask pulumi)")
	_ = cmd.MarkFlagRequired("automated-backups")
	at = nowFlag(cmd)
	return cmd
}

// replicationWant is what the stack's configuration and outputs say the
// replicated backups must be.
func replicationWant(cmd *cobra.Command, f *backupFlags) (dr.ReplicationWant, error) {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return dr.ReplicationWant{}, err
	}
	l, err := stackconfig.Load(commandContext(cmd), p, f.stack)
	if err != nil {
		return dr.ReplicationWant{}, err
	}
	f.from = "stack"
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return dr.ReplicationWant{}, err
	}
	return dr.ReplicationWantOf(f.stack, l.Config, outputs)
}

func reportReplication(cmd *cobra.Command, stack string, want dr.ReplicationWant, findings []dr.Finding) error {
	out := cmd.OutOrStdout()
	problems := 0
	for _, f := range findings {
		if !f.Warning {
			problems++
		}
	}
	if problems == 0 {
		fmt.Fprintf(out, "%s's automated backups replicate to %s under the DR data key, latest restorable time within %s.\n", stack, want.Region, dr.ReplicationLagLimit)
	} else {
		fmt.Fprintf(out, "%s's cross-region automated backups in %s (%s): %s\n", stack, want.Region, want.ARN, plan.Count(problems, "problem"))
	}
	for _, f := range findings {
		label := "  - "
		if f.Warning {
			label = "  WARNING "
		}
		fmt.Fprintf(out, "%s%s\n    fix: %s\n", label, f.Problem, f.Fix)
	}
	if problems == 0 {
		return nil
	}
	return &exitError{code: ExitViolation, err: errors.New(stack + ": cross-region backup replication: " + plan.Count(problems, "problem"))}
}
