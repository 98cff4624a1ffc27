package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/dr"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/erasure"
	"github.com/wedsync/wedsync-infra/internal/project"
)

const erasureExitCodes = `Exit codes: 0 every entry applied or already absent; 1 an entry failed
or is malformed (each named, with its ledger key); 2 bad arguments, no
erasureLedger output, an unreadable SQL file, or the ledger or the
database cannot be reached (the message says what to check).`

func newErasureCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "erasure",
		Short: "GDPR erasure that survives restores: replay the erasure ledger into a restored database, and its status",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newErasureReplayCmd(), newErasureStatusCmd())
	return cmd
}

// erasureFlags are the flags both commands share.
type erasureFlags struct {
	backupFlags
	replica bool
	json    bool
}

func (f *erasureFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "the stack whose ledger to read (required)")
	fl.StringVar(&f.from, "from", "stack", "where the ledger's location comes from: stack ('pulumi stack output') or plan (the offline plan)")
	fl.StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json'")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "storage endpoint replacing the cloud's: cloud=URL (repeatable)")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
}

// ledger is the stack's erasureLedger output.
func (f *erasureFlags) ledger(cmd *cobra.Command) (erasure.StackLedger, backup.Endpoints, error) {
	if f.stack == "" {
		return erasure.StackLedger{}, nil, errors.New("--stack is required")
	}
	ep, err := backup.ParseEndpoints(f.endpoints)
	if err != nil {
		return erasure.StackLedger{}, nil, err
	}
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return erasure.StackLedger{}, nil, err
	}
	l, err := erasure.FromOutputs(outputs)
	return l, ep, err
}

type replayFlags struct {
	erasureFlags
	databaseURL, since, sqlFile, restore string
	dryRun                               bool
	batch                                int
}

func newErasureReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay --stack S --database-url URL [--since T] [--dry-run] [--json]",
		Short: "Erase again, in a restored database, everyone the erasure ledger says was erased",
		Long: `replay reads the stack's erasure ledger (its erasureLedger output; --replica
reads the DR copy when the primary region is lost), takes the entries done
after --since (the restored copy's time, RFC3339) minus the stack's
replayMarginMinutes (every entry without --since), and runs the app's
erasure SQL (wedsync:erasure.sqlFile, or --sql) for each, $1 the subject id
and $2 its kind, in batches of --batch entries, each batch one
transaction and each entry a savepoint in it. A second replay changes
nothing: every entry is then "already absent". Run it after every restore
(point-in-time, bucket copy, offsite, dr rebuild), before the restored
database serves anyone. --dry-run rolls every batch back and reports what
it would do. Each replay is recorded in the audit history
(environments/history.jsonl): who, when, which restore (--restore), counts.

` + erasureExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.databaseURL, "database-url", "", "the restored database: postgres://USER@HOST:PORT/DB (required)")
	fl.StringVar(&f.since, "since", "", "the restored copy's time (RFC3339); default: every entry in the ledger")
	fl.BoolVar(&f.dryRun, "dry-run", false, "roll every batch back: say what a replay would do")
	fl.BoolVar(&f.replica, "replica", false, "read the ledger's DR replica (the primary region is lost)")
	fl.StringVar(&f.sqlFile, "sql", "", "the erasure SQL file (default: the stack's wedsync:erasure.sqlFile)")
	fl.StringVar(&f.restore, "restore", "", "names the restore in the audit history (e.g. pitr-2027-06-13T14:00Z)")
	fl.IntVar(&f.batch, "batch", 100, "entries per transaction")
	return cmd
}

func (f *replayFlags) run(cmd *cobra.Command) error {
	var problems []error
	if f.databaseURL == "" {
		problems = append(problems, errors.New("--database-url is required: the restored database, postgres://USER@HOST:PORT/DB"))
	}
	var restoredAt time.Time
	if f.since != "" {
		t, err := time.Parse(time.RFC3339, f.since)
		if err != nil {
			problems = append(problems, fmt.Errorf("--since %q: an RFC3339 time, e.g. 2027-06-13T14:00:00Z", f.since))
		}
		restoredAt = t
	}
	if f.batch < 1 || f.batch > 10000 {
		problems = append(problems, fmt.Errorf("--batch %d: allowed is 1 to 10000", f.batch))
	}
	if err := errors.Join(problems...); err != nil {
		return invalid(err)
	}
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return invalid(err)
	}
	l, ep, err := f.ledger(cmd)
	if err != nil {
		return invalid(err)
	}
	progress := cmd.ErrOrStderr()
	out, err := erasure.Run(commandContext(cmd), erasure.Request{
		Ledger: l, Replica: f.replica, Endpoints: ep, DatabaseURL: f.databaseURL, RestoredAt: restoredAt,
		SQLFile: f.sqlFile, ProjectDir: p.Dir, DryRun: f.dryRun, BatchSize: f.batch, Progress: progress,
	})
	if err != nil {
		return invalid(err)
	}
	if err := recordReplay(p, f.stack, f.restore, out); err != nil {
		return invalid(err)
	}
	return f.finish(cmd, out)
}

// recordReplay appends the replay to the audit history.
func recordReplay(p *project.Project, stack, restore string, out *erasure.Outcome) error {
	var failed []string
	for _, r := range out.Results {
		if r.Outcome == erasure.Failed || r.Outcome == erasure.Malformed {
			failed = append(failed, r.Key)
		}
	}
	rec := audit.Record{Kind: audit.KindErasureReplay, At: time.Now().UTC(), Who: audit.Who(p.Dir), Stack: stack,
		Detail: map[string]any{"restore": restore, "ledger": out.Ledger, "since": out.Since, "dryRun": out.DryRun,
			"counts": out.Counts, "failed": failed, "unreachable": out.Unreachable, "error": out.Error, "ok": out.OK() && !out.Unreachable}}
	if err := audit.HistoryOf(p).Append(rec); err != nil {
		return fmt.Errorf("the audit history could not be written: %w", err)
	}
	return nil
}

func (f *replayFlags) finish(cmd *cobra.Command, out *erasure.Outcome) error {
	if f.json {
		data, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(cmd.OutOrStdout(), string(data))
	} else {
		writeReplay(cmd.OutOrStdout(), out)
	}
	switch {
	case out.Unreachable:
		return invalid(fmt.Errorf("erasure replay of %s: %s", f.stack, out.Error))
	case !out.OK():
		return &exitError{code: ExitViolation, err: fmt.Errorf("erasure replay of %s: %d entries failed and %d are malformed (named above); fix and run replay again, it is idempotent",
			f.stack, out.Counts[erasure.Failed], out.Counts[erasure.Malformed])}
	}
	return nil
}

func writeReplay(w io.Writer, out *erasure.Outcome) {
	since := "every entry"
	if !out.Since.IsZero() {
		since = "entries since " + out.Since.UTC().Format(time.RFC3339)
	}
	dry := ""
	if out.DryRun {
		dry = " (dry run: rolled back)"
	}
	fmt.Fprintf(w, "erasure replay from %s, %s%s\n", out.Ledger, since, dry)
	for _, r := range out.Results {
		if r.Outcome == erasure.Failed || r.Outcome == erasure.Malformed {
			fmt.Fprintf(w, "  %s %s: %s\n", strings.ToUpper(r.Outcome), r.Key, r.Error)
		}
	}
	fmt.Fprintf(w, "  %d applied, %d already absent, %d failed, %d malformed\n",
		out.Counts[erasure.Applied], out.Counts[erasure.Absent], out.Counts[erasure.Failed], out.Counts[erasure.Malformed])
	if out.Error != "" {
		fmt.Fprintf(w, "  ERROR %s\n", out.Error)
	}
	for _, warning := range out.Warnings {
		fmt.Fprintf(w, "  WARNING %s\n", warning)
	}
}

func newErasureStatusCmd() *cobra.Command {
	var f erasureFlags
	cmd := &cobra.Command{
		Use:   "status --stack S [--json]",
		Short: "The erasure ledger: entries, oldest and newest, lock, replica in sync, the last replay of each restore",
		Long: `status reads the stack's erasure ledger and its DR replica: how many entries
(and any malformed, named), the oldest and newest, until when the newest is
locked, whether every entry older than the replication target is in the
replica, and from the audit history the last replay of each restore.

Exit codes: 0 the ledger is readable, well-formed and its replica in sync;
1 a malformed entry or the replica is missing entries; 2 bad arguments, no
erasureLedger output, or the ledger cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.status(cmd) },
	}
	f.register(cmd)
	return cmd
}

// statusReport is status with the replays from the audit history.
type statusReport struct {
	*erasure.Status
	Replays map[string]audit.Record `json:"lastReplayByRestore"`
}

func (f *erasureFlags) status(cmd *cobra.Command) error {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return invalid(err)
	}
	l, ep, err := f.ledger(cmd)
	if err != nil {
		return invalid(err)
	}
	st, err := erasure.StatusOf(commandContext(cmd), l, ep, time.Now())
	if err != nil {
		return invalid(err)
	}
	rep := statusReport{Status: st, Replays: map[string]audit.Record{}}
	records, err := audit.HistoryOf(p).Records()
	if err != nil {
		return invalid(err)
	}
	for _, r := range records {
		if r.Kind == audit.KindErasureReplay && r.Stack == f.stack {
			restore, _ := r.Detail.(map[string]any)["restore"].(string)
			rep.Replays[restore] = r
		}
	}
	if f.json {
		data, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(cmd.OutOrStdout(), string(data))
	} else {
		writeStatus(cmd.OutOrStdout(), rep)
	}
	if len(st.Malformed) > 0 || (st.ReplicaInSync != nil && !*st.ReplicaInSync) {
		return &exitError{code: ExitViolation, err: fmt.Errorf("the erasure ledger of %s needs attention (above)", f.stack)}
	}
	return nil
}

func writeStatus(w io.Writer, rep statusReport) {
	st := rep.Status
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "erasure ledger %s\n", st.Ledger)
	fmt.Fprintf(w, "  %d entries, oldest %s, newest %s; retention %d days, newest locked until %s\n", st.Entries, day(st.Oldest), day(st.Newest), st.RetentionDays, day(st.LockedUntil))
	for _, m := range st.Malformed {
		fmt.Fprintf(w, "  MALFORMED %s\n", m)
	}
	switch {
	case st.Replica == "":
		fmt.Fprintln(w, "  replica: none")
	case st.ReplicaError != "":
		fmt.Fprintf(w, "  replica %s: cannot be read: %s\n", st.Replica, st.ReplicaError)
	case *st.ReplicaInSync:
		fmt.Fprintf(w, "  replica %s: in sync\n", st.Replica)
	default:
		fmt.Fprintf(w, "  replica %s: MISSING %d entries: %v\n", st.Replica, len(st.MissingFromReplica), st.MissingFromReplica)
	}
	if len(rep.Replays) == 0 {
		fmt.Fprintln(w, "  no replay recorded")
	}
	for restore, r := range rep.Replays {
		d, _ := r.Detail.(map[string]any)
		if restore == "" {
			restore = "(unnamed)"
		}
		fmt.Fprintf(w, "  last replay of %s: %s by %s, ok %v, counts %v\n", restore, r.At.UTC().Format(time.RFC3339), r.Who, d["ok"], d["counts"])
	}
}

// erasureAfterRestore is the drill's replay of the stack's erasure ledger
// into the restored scratch database, before its checks (nil when the
// stack has no ledger): a check that the replay reached the ledger and
// every entry applied or was already absent, and one that a second replay
// (a dry run) finds nobody left to erase. Each replay is in the audit
// history.
func erasureAfterRestore(cmd *cobra.Command, p *project.Project, f *backupFlags, ep backup.Endpoints) (func(context.Context, string, time.Time) []drill.Check, error) {
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return nil, err
	}
	if _, ok := outputs["erasureLedger"]; !ok {
		return nil, nil
	}
	l, err := erasure.FromOutputs(outputs)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, url string, copyTime time.Time) []drill.Check {
		req := erasure.Request{Ledger: l, Endpoints: ep, DatabaseURL: url, RestoredAt: copyTime, ProjectDir: p.Dir, BatchSize: 100, Progress: cmd.ErrOrStderr()}
		first, err := erasure.Run(ctx, req)
		if err != nil {
			return []drill.Check{{Name: "erasure replay", Got: err.Error(), Want: "the ledger replayed", OK: false}}
		}
		restore := "dr drill of the copy of " + copyTime.UTC().Format(time.RFC3339)
		if copyTime.IsZero() {
			restore = "dr drill of the latest copy (every ledger entry)"
		}
		_ = recordReplay(p, f.stack, restore, first)
		replayed := drill.Check{Name: "erasure replay", Got: replayCounts(first), Want: "ledger reachable; none failed or malformed",
			OK: !first.Unreachable && first.OK(), Detail: first.Error}
		req.DryRun = true
		again, err := erasure.Run(ctx, req)
		gone := drill.Check{Name: "erased subjects absent", Want: "a second replay finds nobody to erase"}
		if err == nil && !again.Unreachable {
			gone.Got, gone.OK = replayCounts(again), again.Counts[erasure.Applied] == 0 && again.OK()
		} else if err != nil {
			gone.Got = err.Error()
		} else {
			gone.Got = again.Error
		}
		return []drill.Check{replayed, gone}
	}, nil
}

func replayCounts(o *erasure.Outcome) string {
	if o.Unreachable {
		return "unreachable: " + o.Error
	}
	return fmt.Sprintf("%d applied, %d already absent, %d failed, %d malformed", o.Counts[erasure.Applied], o.Counts[erasure.Absent], o.Counts[erasure.Failed], o.Counts[erasure.Malformed])
}

// rebuildReplay is dr rebuild's erasure replay, between the deploy and the
// traffic switch.
type rebuildReplay struct {
	cmd         *cobra.Command
	databaseURL string
	endpoints   []string
	accept      dr.Acceptance
}

func (f *rebuildReplay) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.databaseURL, "database-url", "", "the restored database, for the erasure replay before traffic: postgres://USER@HOST:PORT/DB")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "storage endpoint replacing the cloud's for the ledger: cloud=URL (repeatable)")
	fl.BoolVar(&f.accept.Accept, "accept-unreplayed", false, "go on to the traffic switch though the erasure replay failed or could not run (needs --reason; recorded, alarmed)")
	fl.StringVar(&f.accept.Reason, "reason", "", "why --accept-unreplayed")
}

// validate checks the flags. --database-url is not required up front: the
// restored database exists only after the deploy; without it the rebuild
// stops before the switch and says how to replay.
func (f *rebuildReplay) validate() error {
	var problems []error
	if err := f.accept.Validate(); err != nil {
		problems = append(problems, err)
	}
	if _, err := backup.ParseEndpoints(f.endpoints); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// afterDeploy replays the DR stack's ledger copy (its erasureLedger
// output) into the restored database and refuses the switch unless every
// entry applied or was already absent, or on-call accepted it with a
// reason (recorded as an erasure-unreplayed record and printed as an alarm).
func (f *rebuildReplay) afterDeploy(p *project.Project, r *dr.Rebuild, outputs map[string]any) error {
	cmd, w := f.cmd, f.cmd.OutOrStdout()
	restore := fmt.Sprintf("dr rebuild of %s in %s at %s", r.From, r.Region, r.Point)
	fmt.Fprintf(w, "\nErasure replay into the restored database (before traffic):\n")
	out, err := f.replay(cmd, p, r, outputs)
	if out != nil {
		writeReplay(w, out)
		if rerr := recordReplay(p, r.Stack, restore, out); rerr != nil {
			return invalid(rerr)
		}
	}
	ok, unreachable, problem := dr.Gate(out, err)
	if ok {
		return nil
	}
	if f.accept.Accept {
		rec := audit.Record{Kind: audit.KindUnreplayed, At: time.Now().UTC(), Who: audit.Who(p.Dir), Stack: r.Stack, Reason: f.accept.Reason,
			Detail: map[string]any{"restore": restore, "problem": problem}}
		if err := audit.HistoryOf(p).Append(rec); err != nil {
			return invalid(fmt.Errorf("the audit history could not be written: %w", err))
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "ALARM: %s goes on to the traffic switch unreplayed (%s): %s. Recorded in the audit history; replay as soon as possible: wedsync-infra erasure replay --stack %s --database-url URL --restore %q\n",
			r.Stack, f.accept.Reason, problem, r.Stack, restore)
		return nil
	}
	err = fmt.Errorf("%s; the rebuild stops before the traffic switch: fix it and run `wedsync-infra erasure replay --stack %s --database-url URL` (idempotent), then switch traffic; or accept with --accept-unreplayed --reason", problem, r.Stack)
	if unreachable {
		return invalid(err)
	}
	return &exitError{code: ExitViolation, err: err}
}

func (f *rebuildReplay) replay(cmd *cobra.Command, p *project.Project, r *dr.Rebuild, outputs map[string]any) (*erasure.Outcome, error) {
	if f.databaseURL == "" {
		return nil, errors.New("no --database-url was given (the restored database: postgres://USER@HOST:PORT/DB)")
	}
	l, err := erasure.FromOutputs(outputs)
	if err != nil {
		return nil, fmt.Errorf("the DR stack %s: %w", r.Stack, err)
	}
	ep, _ := backup.ParseEndpoints(f.endpoints)
	req := erasure.Request{Ledger: l, Endpoints: ep, DatabaseURL: f.databaseURL, ProjectDir: p.Dir, BatchSize: 100, Progress: cmd.ErrOrStderr()}
	if t, err := time.Parse(time.RFC3339, r.Point); err == nil {
		req.RestoredAt = t
	}
	return erasure.Run(commandContext(cmd), req)
}
