package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
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
	// Warnings name a ledger copy that could not be read though the
	// replay went on (the other copy of a two-copy ledger).
	Warnings []string `json:"warnings,omitempty"`
}

// otherCopy is the copy a replay reads besides loc: on AWS and GCP the
// ledger has two buckets, the primary and its DR replica, and during a
// regional outage the DR stack's app appends to the replica (its region's
// copy). Neither cloud's replication copies those entries back:
//   - S3 replication is configured on the source bucket and copies its new
//     objects to the destination; nothing written into the destination goes
//     back unless the destination has a replication rule of its own
//     (docs.aws.amazon.com/AmazonS3/latest/userguide/replication-how-setup.html,
//     replication-what-is-isnot-replicated.html); the ledger's replica has
//     none, so the DR app's entries stay in the replica;
//   - the GCS replica is a Storage Transfer job from the primary to the
//     replica with deleteObjectsUniqueInSink false
//     (cloud.google.com/storage-transfer/docs/reference/rest/v1/TransferOptions):
//     entries only in the replica are neither copied back nor deleted.
//
// So replay reads both and merges them by entry name. Azure has one
// account: a customer-managed (unplanned) failover makes the secondary
// cluster the primary under the same name and converts the account to LRS
// (learn.microsoft.com/rest/api/storagerp/storageaccounts/failover,
// learn.microsoft.com/azure/storage/common/storage-disaster-recovery-guidance),
// so the DR app appends to the same ledger and there is nothing to merge;
// re-enable geo-redundancy after the failover to copy the ledger again.
func (l StackLedger) otherCopy(replica bool) (Location, bool) {
	if l.Cloud == "azure" || l.Replica == "" {
		return Location{}, false
	}
	if replica {
		return Location{Cloud: l.Cloud, Region: l.Region, Bucket: l.Bucket}, true
	}
	return Location{Cloud: l.Cloud, Region: l.ReplicaLocation, Bucket: l.Replica, Replica: true}, true
}

// readLedger opens the copy at loc and reads its entries since since.
func readLedger(ctx context.Context, loc Location, ep backup.Endpoints, since time.Time) ([]Read, error) {
	l, err := Open(ctx, loc, ep)
	if err != nil {
		return nil, err
	}
	return l.Entries(ctx, since)
}

// Merge is the entries of two ledger copies, each once, by entry name
// (the names sort by time, so the result is oldest first). An entry read
// well from either copy wins over a malformed or unreadable read of it.
func Merge(a, b []Read) []Read {
	byKey := map[string]Read{}
	for _, r := range append(slices.Clone(a), b...) {
		if prev, ok := byKey[r.Key]; ok && prev.Err == nil {
			continue
		}
		byKey[r.Key] = r
	}
	out := make([]Read, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
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
	reads, err := readLedger(ctx, loc, r.Endpoints, r.Since())
	if err != nil {
		return unreachable("the ledger "+loc.String()+" (try --replica when the primary region is lost)", err)
	}
	if other, ok := r.Ledger.otherCopy(r.Replica); ok {
		// The DR stack's app appends to the copy in its region during a
		// failover, and replication copies nothing back: read both.
		more, err := readLedger(ctx, other, r.Endpoints, r.Since())
		if err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the ledger's %s could not be read (%v): erasures recorded there while the app ran in that region are not replayed; replay again when it is back", other, err))
		} else {
			out.Ledger += " + " + other.String()
			reads = Merge(reads, more)
		}
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
