package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Outcomes of one entry's replay.
const (
	Applied   = "applied"        // rows were erased
	Absent    = "already-absent" // nothing to erase: the copy predates the subject or the erasure was replayed before
	Failed    = "failed"         // the erasure SQL failed for this entry
	Malformed = "malformed"      // the ledger object is not a usable entry
)

// Result is one entry's replay.
type Result struct {
	Key       string `json:"key"`
	SubjectID string `json:"subjectId,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Outcome   string `json:"outcome"`
	Rows      int64  `json:"rows"`
	Error     string `json:"error,omitempty"`
}

// Report is a replay's results and counts.
type Report struct {
	Since   time.Time      `json:"since"`
	DryRun  bool           `json:"dryRun"`
	Results []Result       `json:"results"`
	Counts  map[string]int `json:"counts"`
}

// OK says every entry was applied or already absent.
func (r Report) OK() bool { return r.Counts[Failed] == 0 && r.Counts[Malformed] == 0 }

// SQL is the app's erasure SQL: statements run in order for each entry,
// $1 the subject id and $2 its kind, as text.
type SQL struct {
	File       string
	Statements []string
}

var param = regexp.MustCompile(`\$([0-9]+)`)

// LoadSQL reads the erasure SQL file: statements end with a semicolon at
// the end of a line; lines starting with -- are comments. Each statement
// uses $1 (the subject id) and may use $2 (the kind); no other parameter.
func LoadSQL(path string) (SQL, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return SQL{}, fmt.Errorf("the erasure SQL (wedsync:erasure.sqlFile): %w", err)
	}
	s := SQL{File: path}
	var cur []string
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur = append(cur, line)
		if strings.HasSuffix(trimmed, ";") {
			s.Statements = append(s.Statements, strings.TrimSuffix(strings.TrimSpace(strings.Join(cur, "\n")), ";"))
			cur = nil
		}
	}
	var problems []error
	if len(cur) > 0 {
		problems = append(problems, fmt.Errorf("%s: the last statement does not end with a semicolon", path))
	}
	if len(s.Statements) == 0 {
		problems = append(problems, fmt.Errorf("%s: no statements", path))
	}
	for i, st := range s.Statements {
		if n := params(st); n < 1 || n > 2 {
			problems = append(problems, fmt.Errorf("%s: statement %d uses $%d: use $1 (the subject id) and $2 (the kind) only", path, i+1, n))
		}
	}
	return s, errors.Join(problems...)
}

// params is the highest $n a statement uses.
func params(statement string) int {
	n := 0
	for _, m := range param.FindAllStringSubmatch(statement, -1) {
		v, _ := strconv.Atoi(m[1])
		n = max(n, v)
	}
	return n
}

// Options are how a replay runs.
type Options struct {
	SQL SQL
	// BatchSize is the entries per transaction.
	BatchSize int
	// DryRun runs every batch and rolls it back: the counts say what a
	// replay would do.
	DryRun bool
	// Progress, when set, gets a line per batch.
	Progress io.Writer
	Since    time.Time
}

// Replay erases again every subject in reads, in batches of opts.BatchSize
// entries, each batch one transaction and each entry a savepoint in it, so
// a failing entry is rolled back alone and named while the others apply.
// Running it twice changes nothing the second time: every entry is then
// already absent. An error is a database that cannot be used at all.
func Replay(ctx context.Context, conn *pgx.Conn, reads []Read, opts Options) (Report, error) {
	rep := Report{Since: opts.Since, DryRun: opts.DryRun, Counts: map[string]int{Applied: 0, Absent: 0, Failed: 0, Malformed: 0}}
	size := max(opts.BatchSize, 1)
	for start := 0; start < len(reads); start += size {
		batch := reads[start:min(start+size, len(reads))]
		results, err := replayBatch(ctx, conn, batch, opts)
		if err != nil {
			return rep, err
		}
		for _, r := range results {
			rep.Results = append(rep.Results, r)
			rep.Counts[r.Outcome]++
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "replayed %d of %d entries (%d applied, %d already absent, %d failed, %d malformed)\n",
				len(rep.Results), len(reads), rep.Counts[Applied], rep.Counts[Absent], rep.Counts[Failed], rep.Counts[Malformed])
		}
	}
	return rep, nil
}

func replayBatch(ctx context.Context, conn *pgx.Conn, batch []Read, opts Options) ([]Result, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin a transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var out []Result
	for _, r := range batch {
		res := Result{Key: r.Key, SubjectID: r.Entry.SubjectID, Kind: r.Entry.Kind}
		if r.Err != nil {
			res.Outcome, res.Error = Malformed, r.Err.Error()
			out = append(out, res)
			continue
		}
		res.Rows, err = applyEntry(ctx, tx, r.Entry, opts.SQL)
		switch {
		case err != nil:
			res.Outcome, res.Error = Failed, err.Error()
		case res.Rows == 0:
			res.Outcome = Absent
		default:
			res.Outcome = Applied
		}
		out = append(out, res)
	}
	if opts.DryRun {
		return out, tx.Rollback(ctx)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// applyEntry runs the erasure SQL for e in a savepoint of tx and returns
// the rows it removed or changed.
func applyEntry(ctx context.Context, tx pgx.Tx, e Entry, sql SQL) (int64, error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return 0, err
	}
	args := []any{e.SubjectID, e.Kind}
	var rows int64
	for i, st := range sql.Statements {
		tag, err := sp.Exec(ctx, st, args[:params(st)]...)
		if err != nil {
			_ = sp.Rollback(ctx)
			return 0, fmt.Errorf("%s statement %d: %w", sql.File, i+1, err)
		}
		rows += tag.RowsAffected()
	}
	return rows, sp.Commit(ctx)
}
