package pgtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// outcome records what a helper did to a test, instead of doing it.
type outcome struct {
	testing.TB
	failed, skipped string
	cleanups        int
}

func (o *outcome) Helper()                   {}
func (o *outcome) Fatalf(f string, a ...any) { o.failed = fmt.Sprintf(f, a...) }
func (o *outcome) Skipf(f string, a ...any)  { o.skipped = fmt.Sprintf(f, a...) }
func (o *outcome) Cleanup(func())            { o.cleanups++ }

type cluster struct{ stopped bool }

func (c *cluster) Stop() error { c.stopped = true; return nil }

var errNoPostgres = errors.New("no PostgreSQL under /usr/lib/postgresql")

// Under make test a missing PostgreSQL fails the test; elsewhere it skips
// it. A helper that skipped under make test would let the database tests
// pass without running (the broken variant: unset the variable and the
// first case fails).
func TestMissingPostgresFailsUnderMakeTest(t *testing.T) {
	t.Setenv("WEDSYNC_REQUIRE_EMULATORS", "1")
	o := &outcome{}
	Missing(o, errNoPostgres)
	if o.failed == "" || o.skipped != "" {
		t.Errorf("under make test: failed %q, skipped %q; want a failure", o.failed, o.skipped)
	}

	t.Setenv("WEDSYNC_REQUIRE_EMULATORS", "")
	o = &outcome{}
	Missing(o, errNoPostgres)
	if o.skipped == "" || o.failed != "" {
		t.Errorf("elsewhere: failed %q, skipped %q; want a skip", o.failed, o.skipped)
	}
}

// Need answers for what Main found; Start stops the cluster it started.
func TestNeedAndStart(t *testing.T) {
	t.Setenv("WEDSYNC_REQUIRE_EMULATORS", "1")
	mainErr = errNoPostgres
	o := &outcome{}
	Need(o)
	if o.failed == "" {
		t.Error("Need passed a test although Main found no PostgreSQL")
	}
	mainErr = nil
	o = &outcome{}
	Need(o)
	if o.failed != "" || o.skipped != "" {
		t.Errorf("Need with a cluster: failed %q, skipped %q", o.failed, o.skipped)
	}

	o = &outcome{}
	c := Start(o, func(context.Context) (*cluster, error) { return &cluster{}, nil })
	if c == nil || o.cleanups != 1 || o.failed != "" {
		t.Errorf("Start: cluster %v, %d cleanups, failed %q; want one cleanup that stops it", c, o.cleanups, o.failed)
	}
	o = &outcome{}
	Start(o, func(context.Context) (*cluster, error) { return nil, errNoPostgres })
	if o.failed == "" {
		t.Error("Start passed a test whose cluster did not start")
	}
}
