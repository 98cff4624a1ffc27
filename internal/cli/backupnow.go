package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

// nowFlags are backup now's flags.
type nowFlags struct {
	backupFlags
	reason string
	wait   time.Duration
}

func newBackupNowCmd() *cobra.Command {
	var f nowFlags
	at := &instant{}
	cmd := &cobra.Command{
		Use:   "now --stack S --reason TEXT [--wait 30m] [--from stack|plan | --outputs FILE]",
		Short: "Emergency backup: start an on-demand database backup (and export) on the stack's cloud now",
		Long: `now starts, through the cloud's own API, an on-demand backup of the stack's
database, and prints each job started and the command that shows its
progress:
  aws    AWS Backup StartBackupJob of the RDS instance into the stack's vault,
         kept for the backup retention (the export to S3 follows from the
         snapshot with the daily export);
  gcp    a Cloud SQL on-demand backup, then (Cloud SQL runs one operation at
         a time, so after it) an export of the database into the db-exports
         bucket as gzip-compressed SQL;
  azure  an on-demand backup of the flexible server (Backups - Create); the
         Azure Backup vault's ad-hoc job is not started (the stack does not
         export the backup instance yet).
--wait polls each job until it ends. Who and why (--reason, required) go to
the audit history (environments/history.jsonl). A stack in recovery mode
(wedsync:recovery set) is refused: its database is being restored, and a
backup of it now would be taken of a half-restored copy.

The database comes from the stack's outputs (database, databaseBackup):
--from stack (default) runs 'pulumi stack output --json'; --outputs FILE
reads a saved copy.

Exit codes: 0 every job started (and, with --wait, ended well); 1 a job was
refused or failed; 2 bad arguments, no outputs, no credentials, or the stack
is in recovery mode.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, at)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "the stack whose database to back up (required)")
	fl.StringVar(&f.reason, "reason", "", "why, for the audit history (required)")
	fl.DurationVar(&f.wait, "wait", 0, "poll each job until it ends, at most this long (0: start and return)")
	fl.StringVar(&f.from, "from", "stack", "where the outputs come from: stack ('pulumi stack output') or plan (the offline plan: stand-in ids, for rehearsal)")
	fl.StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json'")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "API endpoint replacing the cloud's: cloud=URL (repeatable)")
	fl.StringVar(&at.raw, "now", "", "the instant recorded, RFC 3339 (default $"+stacks.NowEnv+", else the clock)")
	return cmd
}

func (f *nowFlags) run(cmd *cobra.Command, at *instant) error {
	var problems []error
	if f.stack == "" {
		problems = append(problems, errors.New("--stack is required"))
	}
	if f.reason == "" {
		problems = append(problems, errors.New("--reason is required: who and why go to the audit history"))
	}
	ep, err := backup.ParseEndpoints(f.endpoints)
	problems = append(problems, err)
	now, err := at.At()
	problems = append(problems, err)
	if err := errors.Join(problems...); err != nil {
		return invalid(err)
	}
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return invalid(err)
	}
	if err := refuseRecovery(cmd, p, f.stack); err != nil {
		return err
	}
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return invalid(err)
	}
	db, err := backup.DatabaseFromOutputs(outputs)
	if err != nil {
		return invalid(err)
	}
	jobs, startErr := backup.StartNow(commandContext(cmd), db, backup.NowOptions{Endpoints: ep, Reason: f.reason, Now: now,
		Wait: f.wait, Progress: cmd.ErrOrStderr()})
	writeJobs(cmd.OutOrStdout(), jobs)
	rec := audit.Record{Kind: audit.KindEmergencyBackup, At: now, Who: audit.Who(p.Dir), Stack: f.stack, Reason: f.reason,
		Detail: map[string]any{"jobs": jobs, "error": errString(startErr)}}
	if err := audit.HistoryOf(p).Append(rec); err != nil {
		return invalid(fmt.Errorf("the jobs started, but the audit history could not be written: %w", err))
	}
	if startErr != nil {
		return &exitError{code: ExitViolation, err: startErr}
	}
	for _, j := range jobs {
		if j.Failed {
			return &exitError{code: ExitViolation, err: fmt.Errorf("%s %s %s ended %s", j.Cloud, j.Kind, j.ID, j.State)}
		}
	}
	return nil
}

// refuseRecovery refuses a stack in recovery mode (its config alone says so).
func refuseRecovery(cmd *cobra.Command, p *project.Project, stack string) error {
	sc, err := p.ReadStack(stack)
	if err != nil {
		return invalid(err)
	}
	merged, err := environments.Merge(commandContext(cmd), environments.StoreOf(p), p.Name, stack, sc)
	if err != nil {
		return invalid(err)
	}
	cfg, err := stacks.Load(p.Name, stack, merged.Values)
	if err != nil {
		return invalid(err)
	}
	if cfg.Recovery != nil {
		return invalid(fmt.Errorf("%s is in recovery mode (wedsync:recovery, rebuilt from %s): its database is being restored, so an emergency backup now would copy a half-restored database; back up the source stack, or finish the recovery first",
			stack, cfg.Recovery.SourceStack))
	}
	return nil
}

func writeJobs(w io.Writer, jobs []backup.Job) {
	for _, j := range jobs {
		state := ""
		if j.State != "" {
			state = ", " + j.State
		}
		fmt.Fprintf(w, "started %s %s %s of %s%s\n  watch: %s\n", j.Cloud, j.Kind, j.ID, j.Target, state, j.Watch)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
