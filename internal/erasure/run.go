package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// StackLedger is a stack's erasureLedger output (stacks/erasure.go).
type StackLedger struct {
	Cloud               string `json:"cloud"`
	Region              string `json:"region"`
	Bucket              string `json:"bucket"`
	Replica             string `json:"replica"`
	ReplicaLocation     string `json:"replicaLocation"`
	RetentionDays       int    `json:"retentionDays"`
	SQLFile             string `json:"sqlFile"`
	ReplayMarginMinutes int    `json:"replayMarginMinutes"`
}

// FromOutputs reads the erasureLedger output of a stack's outputs.
func FromOutputs(outputs map[string]any) (StackLedger, error) {
	raw, ok := outputs["erasureLedger"]
	if !ok {
		return StackLedger{}, errors.New("the stack has no erasureLedger output: deploy a version that exports it (wedsync:erasure.enabled must be true)")
	}
	data, _ := json.Marshal(raw)
	var l StackLedger
	if err := json.Unmarshal(data, &l); err != nil {
		return l, fmt.Errorf("erasureLedger output: %w", err)
	}
	if l.Cloud == "" || l.Bucket == "" {
		return l, errors.New("the erasureLedger output names no cloud or bucket")
	}
	return l, nil
}

// Location is the primary copy, or with replica the DR copy (Azure's is
// the account's geo-secondary, read under the same name after failover).
func (l StackLedger) Location(replica bool) (Location, error) {
	if !replica {
		return Location{Cloud: l.Cloud, Region: l.Region, Bucket: l.Bucket}, nil
	}
	if l.Replica == "" || l.Cloud == "azure" {
		return Location{}, fmt.Errorf("the ledger of this stack has no separate replica to read (%s): read the primary; on Azure fail the account over, then read it under its name", l.Cloud)
	}
	return Location{Cloud: l.Cloud, Region: l.ReplicaLocation, Bucket: l.Replica, Replica: true}, nil
}

// Request is one replay of a stack's ledger into a restored database.
type Request struct {
	Ledger      StackLedger
	Replica     bool
	Endpoints   backup.Endpoints
	DatabaseURL string
	// RestoredAt is the restored copy's time; entries from RestoredAt minus
	// the ledger's margin are replayed. Zero: every entry in the ledger.
	RestoredAt time.Time
	// SQLFile overrides the ledger's sqlFile; relative to ProjectDir.
	SQLFile    string
	ProjectDir string
	DryRun     bool
	BatchSize  int
	Progress   io.Writer
}

// Outcome is a replay run: what was read from where, and the report.
type Outcome struct {
	Ledger string `json:"ledger"`
	Report
	// Unreachable says the ledger or the database could not be used:
	// Error says what to check.
	Unreachable bool   `json:"unreachable,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Since is where a replay of a copy restored at restoredAt starts.
func (r Request) Since() time.Time {
	if r.RestoredAt.IsZero() {
		return time.Time{}
	}
	return r.RestoredAt.Add(-time.Duration(r.Ledger.ReplayMarginMinutes) * time.Minute)
}

// Run replays the ledger into the database. An error is bad input (the
// SQL file); a ledger or database that cannot be reached is an Outcome
// with Unreachable set.
func Run(ctx context.Context, r Request) (*Outcome, error) {
	file := r.SQLFile
	if file == "" {
		file = r.Ledger.SQLFile
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(r.ProjectDir, file)
	}
	sql, err := LoadSQL(file)
	if err != nil {
		return nil, err
	}
	loc, err := r.Ledger.Location(r.Replica)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Ledger: loc.String(), Report: Report{Since: r.Since(), DryRun: r.DryRun, Counts: map[string]int{}}}
	unreachable := func(what string, err error) (*Outcome, error) {
		out.Unreachable, out.Error = true, fmt.Sprintf("%s: %v", what, err)
		return out, nil
	}
	l, err := Open(ctx, loc, r.Endpoints)
	if err != nil {
		return unreachable("the ledger", err)
	}
	reads, err := l.Entries(ctx, r.Since())
	if err != nil {
		return unreachable("the ledger "+loc.String()+" (try --replica when the primary region is lost)", err)
	}
	conn, err := pgx.Connect(ctx, r.DatabaseURL)
	if err != nil {
		return unreachable("the database (check --database-url, the network path and the user's rights)", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	rep, err := Replay(ctx, conn, reads, Options{SQL: sql, BatchSize: r.BatchSize, DryRun: r.DryRun, Progress: r.Progress, Since: r.Since()})
	out.Report = rep
	if err != nil {
		return unreachable("the database", err)
	}
	return out, nil
}
