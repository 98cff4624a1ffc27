package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// drillFlags are dr drill's flags.
type drillFlags struct {
	backupFlags
	pgBin, pgHost, pgUser, report string
	pgPort                        int
	rto                           time.Duration
	checks                        drill.Checks
	// recoveryStack drills through a scratch recovery stack (drillstack.go).
	recoveryStack bool
	pgDatabase    string
	now           *instant
	publish       bool
}

func newDRDrillCmd() *cobra.Command {
	f := drillFlags{checks: drill.DefaultChecks()}
	f.parallel = 1
	cmd := &cobra.Command{
		Use:   "drill --stack S [--tier bucket|replica|offsite] [--from stack|plan | --outputs FILE] [--report FILE]",
		Short: "The weekly restore drill: restore the newest database copy into PostgreSQL, check it, time it against the RTO",
		Long: `drill takes the newest db-exports copy of the tier (by its manifest's
createdAt), verifies it (SHA-256, the cloud's checksum, the stack's key),
restores it into a fresh scratch database on a real PostgreSQL (pg_dump's
custom format through pg_restore, gzip or plain SQL such as Cloud SQL's
export through psql), and runs the runbook's checks: each core table's row
count and checksum against the figures the manifest recorded at dump time
(or, without figures, that it holds rows), the newest weddings.updated_at
within --rpo of the copy, and the schema version. The whole run is timed
against --rto (the seed's 4 hours). The scratch database is dropped
whatever happened. A corrupted copy is never restored.

PostgreSQL: --pg-host/--pg-port/--pg-user use a server you run; by default
the drill starts a throwaway cluster from Debian's postgresql package
(/usr/lib/postgresql/VERSION/bin, or --pg-bin) and removes it afterwards.

The tier comes from the stack's backupTiers output, as for backup verify.
The report (JSON) goes to --report; the outcome goes to the audit history
(environments/history.jsonl).

Exit codes: 0 restored, every check passed, within the RTO; 1 the drill
failed (a finding, a restore error, a failed check, over the RTO); 2 bad
arguments, no outputs, or the tier or PostgreSQL cannot be reached.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.recoveryStack {
				return f.runStack(cmd)
			}
			return f.run(cmd)
		},
	}
	cmd.Long += recoveryStackHelp
	f.now = nowFlag(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "the stack whose copy to restore (required)")
	fl.StringVar(&f.tier, "tier", "bucket", "bucket, replica or offsite")
	fl.StringVar(&f.from, "from", "stack", "where the tiers come from: stack ('pulumi stack output') or plan (the offline plan)")
	fl.StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json'")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "storage endpoint replacing the cloud's: cloud=URL (repeatable)")
	fl.StringVar(&f.pgBin, "pg-bin", "", "PostgreSQL's bin directory (default: the newest under /usr/lib/postgresql)")
	fl.StringVar(&f.pgHost, "pg-host", "", "an existing PostgreSQL server to restore into (default: a throwaway cluster)")
	fl.IntVar(&f.pgPort, "pg-port", 5432, "its port")
	fl.StringVar(&f.pgUser, "pg-user", "postgres", "its user, allowed to create and drop databases")
	fl.StringVar(&f.report, "report", "", "write the report (JSON) to this file")
	fl.DurationVar(&f.rto, "rto", drill.RTO, "the recovery time objective the drill is timed against")
	fl.DurationVar(&f.checks.RPO, "rpo", f.checks.RPO, "the newest row must be at most this older than the copy")
	fl.StringSliceVar(&f.checks.Tables, "table", f.checks.Tables, "the core tables counted and checksummed")
	fl.StringVar(&f.checks.SchemaQuery, "schema-query", f.checks.SchemaQuery, "SQL returning the schema version")
	fl.BoolVar(&f.recoveryStack, "recovery-stack", false, "drill through a throwaway recovery stack (the DR path), verify its database, destroy it")
	fl.BoolVar(&f.publish, "publish-metric", false, "with --recovery-stack: publish the result (passed, restore seconds) where the stack's restore drill alarm reads it (its restoreDrill output)")
	fl.StringVar(&f.pgDatabase, "pg-database", "", "with --recovery-stack: the restored database's name (default: the stack's database.name output)")
	return cmd
}

func (f *drillFlags) run(cmd *cobra.Command) error {
	if f.tier == "all" {
		return invalid(errors.New("--tier all: the drill restores one tier's copy; name bucket, replica or offsite"))
	}
	if err := f.validate(); err != nil {
		return invalid(err)
	}
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return invalid(err)
	}
	tiers, _, err := f.tiers(cmd)
	if err != nil {
		return invalid(err)
	}
	tier, ok := dbTier(tiers)
	if !ok {
		return invalid(fmt.Errorf("the stack has no db-exports copy in its %s tier", f.tier))
	}
	ctx := commandContext(cmd)
	ep, _ := backup.ParseEndpoints(f.endpoints)
	st, err := backup.Open(ctx, tier, ep)
	if err != nil {
		return invalid(fmt.Errorf("%s credentials: %w", tier.Cloud, err))
	}
	replay, err := erasureAfterRestore(cmd, p, &f.backupFlags, ep)
	if err != nil {
		return invalid(err)
	}
	rep := drill.Run(ctx, drill.Options{Stack: f.stack, Tier: tier, Store: st, Server: f.postgres, Checks: f.checks, RTO: f.rto, AfterRestore: replay})
	return f.finish(cmd, p, rep)
}

func dbTier(tiers []backup.Tier) (backup.Tier, bool) {
	for _, t := range tiers {
		if t.Purpose == "db-exports" {
			return t, true
		}
	}
	return backup.Tier{}, false
}

// postgres is the server to restore into, and what stops it afterwards.
func (f *drillFlags) postgres(ctx context.Context) (drill.Postgres, func(), error) {
	bin, err := drill.FindBinDir(f.pgBin)
	if err != nil {
		return drill.Postgres{}, nil, err
	}
	if f.pgHost != "" {
		return drill.Postgres{BinDir: bin, Host: f.pgHost, Port: f.pgPort, User: f.pgUser}, func() {}, nil
	}
	c, err := drill.StartCluster(ctx, bin)
	if err != nil {
		return drill.Postgres{}, nil, fmt.Errorf("start a throwaway PostgreSQL from %s: %w", bin, err)
	}
	return c.Postgres, func() { _ = c.Stop() }, nil
}

func (f *drillFlags) finish(cmd *cobra.Command, p *project.Project, rep *drill.Report) error {
	writeDrill(cmd.OutOrStdout(), rep)
	rec := audit.Record{Kind: audit.KindDrill, At: rep.Started, Who: audit.Who(p.Dir), Stack: f.stack,
		Detail: map[string]any{"tier": rep.Tier, "copy": rep.Manifest, "ok": rep.OK, "seconds": rep.Seconds, "withinRto": rep.WithinRTO, "error": rep.Error}}
	if err := f.record(p, rep, rec); err != nil {
		return err
	}
	if rep.Unreachable {
		return invalid(fmt.Errorf("the restore drill of %s could not read its tier: %s", f.stack, rep.Error))
	}
	if !rep.OK {
		return &exitError{code: ExitViolation, err: fmt.Errorf("the restore drill of %s failed", f.stack)}
	}
	return nil
}

func writeDrill(w io.Writer, rep *drill.Report) {
	fmt.Fprintf(w, "restore drill of %s, %s %s\n", rep.Stack, rep.Tier, rep.Location)
	if rep.Manifest != "" {
		fmt.Fprintf(w, "  copy %s, written %s\n", rep.Manifest, rep.CreatedAt.UTC().Format(time.RFC3339))
	}
	for _, fd := range rep.Findings {
		fmt.Fprintf(w, "  FINDING %s\n", fd)
	}
	writeChecks(w, rep.Checks, rep.Error)
	fmt.Fprintf(w, "  %s in %.1fs (RTO %s, within: %v)\n", verdict(rep.OK), rep.Seconds, rep.RTO, rep.WithinRTO)
}

// writeChecks prints a drill's checks, then its error if any.
func writeChecks(w io.Writer, checks []drill.Check, errText string) {
	for _, c := range checks {
		status := "ok  "
		if !c.OK {
			status = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s: %s (want %s) %s\n", status, c.Name, c.Got, c.Want, c.Detail)
	}
	if errText != "" {
		fmt.Fprintf(w, "  ERROR %s\n", errText)
	}
}

// verdict is a drill's outcome in its last line.
func verdict(ok bool) string {
	if ok {
		return "PASSED"
	}
	return "FAILED"
}

// record writes a drill's report to --report, if given, and rec to the
// audit history.
func (f *drillFlags) record(p *project.Project, rep any, rec audit.Record) error {
	if f.report != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(f.report, append(data, '\n'), 0o644); err != nil {
			return invalid(fmt.Errorf("--report: %w", err))
		}
	}
	if err := audit.HistoryOf(p).Append(rec); err != nil {
		return invalid(fmt.Errorf("the audit history could not be written: %w", err))
	}
	return nil
}
