package erasure

import (
	"context"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// Status is what `erasure status` says of a stack's ledger.
type Status struct {
	Ledger        string     `json:"ledger"`
	Entries       int        `json:"entries"`
	Malformed     []string   `json:"malformed,omitempty"`
	Oldest        *time.Time `json:"oldest,omitempty"`
	Newest        *time.Time `json:"newest,omitempty"`
	RetentionDays int        `json:"retentionDays"`
	// LockedUntil is when the newest entry's lock ends (its time plus the
	// retention): no identity can delete it before.
	LockedUntil *time.Time `json:"lockedUntil,omitempty"`
	Replica     string     `json:"replica,omitempty"`
	// ReplicaInSync: every primary entry older than the replication
	// target is in the replica (nil: no replica, or it could not be read).
	ReplicaInSync      *bool    `json:"replicaInSync,omitempty"`
	MissingFromReplica []string `json:"missingFromReplica,omitempty"`
	ReplicaError       string   `json:"replicaError,omitempty"`
}

// replicationGrace is how old an entry must be before its absence from
// the replica counts: S3 RTC's 15 minutes, GCS's hourly transfer.
const replicationGrace = 90 * time.Minute

// StatusOf reads the stack's ledger and its replica. An error is a primary
// that cannot be read.
func StatusOf(ctx context.Context, l StackLedger, ep backup.Endpoints, now time.Time) (*Status, error) {
	loc, _ := l.Location(false)
	st := &Status{Ledger: loc.String(), RetentionDays: l.RetentionDays}
	primary, err := Open(ctx, loc, ep)
	if err != nil {
		return nil, err
	}
	reads, err := primary.Entries(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	for _, r := range reads {
		if r.Err != nil {
			st.Malformed = append(st.Malformed, r.Key+": "+r.Err.Error())
			continue
		}
		st.Entries++
		done := r.Entry.DoneAt
		if st.Oldest == nil || done.Before(*st.Oldest) {
			st.Oldest = &done
		}
		if st.Newest == nil || done.After(*st.Newest) {
			st.Newest = &done
		}
	}
	if st.Newest != nil {
		until := st.Newest.AddDate(0, 0, l.RetentionDays)
		st.LockedUntil = &until
	}
	if rloc, err := l.Location(true); err == nil {
		st.Replica = rloc.String()
		st.replica(ctx, rloc, ep, reads, now)
	}
	return st, nil
}

// replica compares the replica's names with the primary's.
func (st *Status) replica(ctx context.Context, loc Location, ep backup.Endpoints, primary []Read, now time.Time) {
	l, err := Open(ctx, loc, ep)
	if err != nil {
		st.ReplicaError = err.Error()
		return
	}
	objs, err := l.Store.List(ctx, Prefix)
	if err != nil {
		st.ReplicaError = err.Error()
		return
	}
	have := map[string]bool{}
	for _, o := range objs {
		have[o.Key] = true
	}
	for _, r := range primary {
		if t, ok := KeyTime(r.Key); ok && now.Sub(t) > replicationGrace && !have[r.Key] {
			st.MissingFromReplica = append(st.MissingFromReplica, r.Key)
		}
	}
	inSync := len(st.MissingFromReplica) == 0
	st.ReplicaInSync = &inSync
}
