package drill

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// RecoveryStacks create and destroy scratch recovery stacks. Engine is the
// real one (the Pulumi Automation API on the stacks' state backend, as
// `dr rebuild` deploys); the e2e runs the same Engine against stand-in
// providers, and unit tests use fakes.
type RecoveryStacks interface {
	// Create deploys s and returns its stack outputs.
	Create(ctx context.Context, s *Scratch) (map[string]any, error)
	// Destroy deletes everything s created and removes the stack. It must
	// work on a stack whose Create failed half way, or never started.
	Destroy(ctx context.Context, s *Scratch) (Teardown, error)
}

// Teardown is what destroying a scratch stack did.
type Teardown struct {
	// Forgotten are the resources the scratch stack adopted from its source
	// (the source's replica buckets) and what hangs on them: dropped from
	// the scratch stack's state, never deleted, so the drill cannot touch
	// the source's copies.
	Forgotten []string `json:"forgotten,omitempty"`
	// Removed: the stack itself is gone from the state backend.
	Removed bool `json:"removed"`
}

// Restored is the restored database as the verify SQL reaches it, and
// what to call when done with the connection.
type Restored struct {
	Postgres
	Database string
	// RestorePoint is the instant the copy holds; the newest row must be
	// within the RPO of it.
	RestorePoint time.Time
	Done         func()
}

// RecoveryOptions are one drill through a scratch recovery stack.
type RecoveryOptions struct {
	Scratch *Scratch
	Stacks  RecoveryStacks
	// Connect reaches the restored database from the scratch stack's
	// outputs (database.endpoint, port, name in production).
	Connect func(ctx context.Context, outputs map[string]any) (Restored, error)
	Checks  Checks
	RTO     time.Duration
	// AfterRestore, when set, runs on the restored database before the
	// verify SQL and before anything could send it traffic: the erasure
	// replay (the copy's time is unknown here, so zero: every entry).
	AfterRestore func(ctx context.Context, databaseURL string, copyTime time.Time) []Check
}

// RecoveryReport is what a drill through a scratch recovery stack did.
type RecoveryReport struct {
	Stack   string    `json:"stack"`
	Scratch string    `json:"scratchStack"`
	Region  string    `json:"region"`
	Started time.Time `json:"started"`
	// CreateSeconds: the recovery stack deployed; RestoreSeconds: from the
	// start until the restored database passed (or failed) its checks, the
	// figure held against the RTO.
	CreateSeconds  float64  `json:"createSeconds"`
	RestoreSeconds float64  `json:"restoreSeconds"`
	RTO            string   `json:"rto"`
	WithinRTO      bool     `json:"withinRto"`
	Checks         []Check  `json:"checks,omitempty"`
	Teardown       Teardown `json:"teardown"`
	DestroyError   string   `json:"destroyError,omitempty"`
	OK             bool     `json:"ok"`
	Error          string   `json:"error,omitempty"`
}

// RunRecovery creates the scratch recovery stack, runs the verify SQL of
// the runbook against the restored database, times it against the RTO
// and destroys the scratch stack whatever happened: a failed create, a
// failed connection, failed checks or a cancelled context.
func RunRecovery(ctx context.Context, o RecoveryOptions) *RecoveryReport {
	if o.RTO == 0 {
		o.RTO = RTO
	}
	s := o.Scratch
	rep := &RecoveryReport{Stack: s.Source, Scratch: s.Name, Region: s.Region, Started: time.Now().UTC(), RTO: o.RTO.String()}
	start := time.Now()
	err := o.restoreAndVerify(ctx, rep, start)
	rep.RestoreSeconds = time.Since(start).Seconds()
	rep.WithinRTO = time.Since(start) < o.RTO
	// The scratch stack goes whatever happened, on a context the drill's
	// own cancellation does not cut short.
	td, derr := o.Stacks.Destroy(context.WithoutCancel(ctx), s)
	rep.Teardown = td
	if derr != nil {
		rep.DestroyError = derr.Error()
	}
	if err != nil {
		rep.Error = err.Error()
	}
	rep.OK = err == nil && derr == nil && td.Removed && rep.WithinRTO && allOK(rep.Checks)
	return rep
}

func (o *RecoveryOptions) restoreAndVerify(ctx context.Context, rep *RecoveryReport, start time.Time) error {
	outputs, err := o.Stacks.Create(ctx, o.Scratch)
	rep.CreateSeconds = time.Since(start).Seconds()
	if err != nil {
		return fmt.Errorf("create the scratch recovery stack %s: %w", o.Scratch.Name, err)
	}
	db, err := o.Connect(ctx, outputs)
	if err != nil {
		return fmt.Errorf("reach the restored database of %s: %w", o.Scratch.Name, err)
	}
	if db.Done != nil {
		defer db.Done()
	}
	if o.AfterRestore != nil {
		rep.Checks = append(rep.Checks, o.AfterRestore(ctx, db.URL(db.Database), time.Time{})...)
	}
	rep.Checks = append(rep.Checks, VerifyDatabase(ctx, db, o.Checks)...)
	if !allOK(rep.Checks) {
		return errors.New("the restored database fails the runbook's checks")
	}
	return nil
}

// VerifyDatabase runs the runbook's verify SQL (docs/runbooks/
// dr-region-rebuild.md, step 4) against a restored database: each core
// table holds rows, the newest row is within the RPO of the restore point,
// the schema version reads.
func VerifyDatabase(ctx context.Context, db Restored, checks Checks) []Check {
	o := &Options{Checks: checks, pg: db.Postgres}
	return o.check(ctx, db.Database, &backup.Manifest{CreatedAt: db.RestorePoint})
}
