// Package pgtest gives a package's tests one throwaway PostgreSQL cluster
// (initdb and a start cost seconds) and the one rule for when there is
// none: the test fails under make test, which sets
// WEDSYNC_REQUIRE_EMULATORS and installs Debian's PostgreSQL 15, and is
// skipped elsewhere. Only tests import it.
//
// It does not import internal/drill, which owns the cluster (the cluster
// type is a parameter), so drill's own tests can use it as well as the
// packages above drill.
package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

// Stopper is a cluster: what Main and Start stop when the tests are done.
type Stopper interface{ Stop() error }

// mainErr is why Main has no cluster for this test binary.
var mainErr error

// Main is a package's TestMain: it starts the cluster with start, sets
// *pg, prepares it with setup (nil for none), runs the tests, stops the
// cluster and exits with the tests' code. A start or setup that fails
// still runs the tests: each calls Need, which fails or skips it.
func Main[C Stopper](m *testing.M, pg *C, start func(context.Context) (C, error), setup func(context.Context, C) error) {
	os.Exit(run(m, pg, start, setup))
}

func run[C Stopper](m *testing.M, pg *C, start func(context.Context) (C, error), setup func(context.Context, C) error) int {
	ctx := context.Background()
	c, err := start(ctx)
	if err == nil {
		defer func() { _ = c.Stop() }()
		*pg = c
		if setup != nil {
			err = setup(ctx, c)
		}
	}
	mainErr = err
	return m.Run()
}

// Need fails (under make test) or skips t when Main has no cluster.
func Need(t testing.TB) {
	t.Helper()
	if mainErr != nil {
		Missing(t, mainErr)
	}
}

// Start starts a cluster for one test, stopped when it ends; without one
// the test fails (under make test) or is skipped.
func Start[C Stopper](t testing.TB, start func(context.Context) (C, error)) C {
	t.Helper()
	c, err := start(context.Background())
	if err != nil {
		Missing(t, err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	return c
}

// Missing fails t under make test, else skips it: PostgreSQL, or what
// the tests prepare on it, is not there (err says which).
func Missing(t testing.TB, err error) {
	t.Helper()
	if backuptest.Required() {
		t.Fatalf("PostgreSQL: %v (make postgresql installs Debian's package)", err)
	} else {
		t.Skipf("PostgreSQL: %v", err)
	}
}
