// Package drill is the weekly restore drill: it takes the newest database
// copy from a backup tier, verifies it against its manifest, restores it
// into a fresh database on a real PostgreSQL, runs the runbook's checks
// (row counts and checksums of the core tables, the newest row against the
// RPO, the schema version), and times it all against the recovery time
// objective. The scratch database is dropped whatever happened.
package drill

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// RTO is the seed's recovery time objective: a restore must take less.
const RTO = 4 * time.Hour

// Checks say what a restored copy must show.
type Checks struct {
	// Tables are the core tables: each must hold rows (and match the
	// manifest's figures when it has them).
	Tables []string
	// FreshTable and FreshColumn: the newest row's timestamp, which must be
	// within RPO of the copy's createdAt.
	FreshTable, FreshColumn string
	RPO                     time.Duration
	// SchemaQuery returns the schema version (the newest migration).
	SchemaQuery string
}

// DefaultChecks are the runbook's (docs/runbooks/dr-region-rebuild.md,
// step 4): weddings and users, the newest wedding update, the migrations.
func DefaultChecks() Checks {
	return Checks{Tables: []string{"weddings", "users"}, FreshTable: "weddings", FreshColumn: "updated_at",
		RPO: 24 * time.Hour, SchemaQuery: "SELECT max(version) FROM schema_migrations"}
}

// Options are one drill.
type Options struct {
	Stack string
	Tier  backup.Tier
	Store backup.Store
	// Server gives the PostgreSQL to restore into, and what to do with it
	// afterwards; asked only once the copy has verified.
	Server func(context.Context) (Postgres, func(), error)
	Checks Checks
	RTO    time.Duration
	Now    func() time.Time
	// AfterRestore, when set, runs on the restored database before the
	// checks, as a rebuild's erasure replay does before traffic: its
	// checks join the report's (the ledger's subjects are gone).
	// databaseURL reaches the scratch database; copyTime is the copy's.
	AfterRestore func(ctx context.Context, databaseURL string, copyTime time.Time) []Check

	pg Postgres
}

// Check is one check's outcome.
type Check struct {
	Name   string `json:"name"`
	Got    string `json:"got"`
	Want   string `json:"want,omitempty"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is what a drill found, and how long it took.
type Report struct {
	Stack     string           `json:"stack"`
	Tier      string           `json:"tier"`
	Location  string           `json:"location"`
	Manifest  string           `json:"manifest,omitempty"`
	CreatedAt time.Time        `json:"copyCreatedAt,omitempty"`
	Started   time.Time        `json:"started"`
	Findings  []backup.Finding `json:"findings,omitempty"`
	Checks    []Check          `json:"checks,omitempty"`
	// Seconds: the whole drill, from listing the tier to the last check.
	Seconds   float64 `json:"seconds"`
	RTO       string  `json:"rto"`
	WithinRTO bool    `json:"withinRto"`
	OK        bool    `json:"ok"`
	Error     string  `json:"error,omitempty"`
	// Unreachable: the tier could not be read at all (bad input, not a
	// failed drill).
	Unreachable bool `json:"unreachable,omitempty"`
}

// Run runs the drill. Its error is the reason the drill could not run at
// all (no access, no copy); what a run found is in the report, whose OK is
// false on any finding, failed check, restore error or a time over the RTO.
func Run(ctx context.Context, o Options) *Report {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if o.RTO == 0 {
		o.RTO = RTO
	}
	start := time.Now()
	rep := &Report{Stack: o.Stack, Tier: o.Tier.Name(), Location: o.Store.Location(), Started: now(), RTO: o.RTO.String()}
	err := o.run(ctx, rep, now())
	rep.Seconds = time.Since(start).Seconds()
	rep.WithinRTO = time.Since(start) < o.RTO
	if err != nil {
		rep.Error = err.Error()
		var ae *backup.AccessError
		rep.Unreachable = errors.As(err, &ae)
	}
	rep.OK = err == nil && len(rep.Findings) == 0 && rep.WithinRTO && allOK(rep.Checks)
	return rep
}

func allOK(cs []Check) bool {
	for _, c := range cs {
		if !c.OK {
			return false
		}
	}
	return len(cs) > 0
}

func (o *Options) run(ctx context.Context, rep *Report, now time.Time) error {
	m, err := backup.Newest(ctx, o.Store, "", "db-exports")
	if err != nil {
		return err
	}
	rep.Manifest, rep.CreatedAt = m.Key, m.CreatedAt
	if len(m.Files) != 1 {
		return fmt.Errorf("%s names %d files: the drill restores a single-file dump (pg_dump, a Cloud SQL SQL export); a multi-file export (an RDS snapshot export's Parquet) is not restorable by PostgreSQL's tools", m.Key, len(m.Files))
	}
	vr, err := backup.Verify(ctx, o.Store, backup.Options{Only: m.Key, KeyID: o.Tier.KeyID, Parallel: 1, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	rep.Findings = vr.Findings
	if !vr.OK() {
		return fmt.Errorf("the newest copy %s does not verify (%d findings): not restored", m.Key, len(vr.Findings))
	}
	dump, err := read(ctx, o.Store, m.Files[0].Path)
	if err != nil {
		return err
	}
	pg, done, err := o.Server(ctx)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	defer done()
	o.pg = pg
	db := fmt.Sprintf("drill_%s", time.Now().UTC().Format("20060102t150405"))
	if err := o.pg.Exec(ctx, "postgres", "CREATE DATABASE "+db); err != nil {
		return err
	}
	defer func() {
		// The scratch database goes whatever happened.
		_ = o.pg.Exec(context.WithoutCancel(ctx), "postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
	}()
	if err := o.restore(ctx, db, dump); err != nil {
		return err
	}
	if o.AfterRestore != nil {
		rep.Checks = append(rep.Checks, o.AfterRestore(ctx, o.pg.URL(db), m.CreatedAt)...)
	}
	rep.Checks = append(rep.Checks, o.check(ctx, db, m)...)
	return nil
}

func read(ctx context.Context, st backup.Store, key string) ([]byte, error) {
	rc, err := st.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	return io.ReadAll(rc)
}

// restore loads the dump: pg_dump's custom format through pg_restore,
// gzip-compressed or plain SQL (Cloud SQL's export) through psql.
func (o *Options) restore(ctx context.Context, db string, dump []byte) error {
	if bytes.HasPrefix(dump, []byte("PGDMP")) {
		_, err := o.pg.client(ctx, "pg_restore", db, dump, "--no-owner", "--no-privileges", "--exit-on-error")
		return err
	}
	if bytes.HasPrefix(dump, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(dump))
		if err != nil {
			return err
		}
		if dump, err = io.ReadAll(zr); err != nil {
			return fmt.Errorf("gunzip: %w", err)
		}
	}
	_, err := o.pg.client(ctx, "psql", db, dump, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction")
	return err
}

// TableChecksumSQL is the checksum of a table's rows, the same on the
// source (when the manifest is written) and on the restored copy.
func TableChecksumSQL(table string) string {
	return fmt.Sprintf("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM %s t", table)
}

func (o *Options) check(ctx context.Context, db string, m *backup.Manifest) []Check {
	var out []Check
	want := m.Checks
	if want == nil {
		want = &backup.DatabaseChecks{}
	}
	for _, table := range o.Checks.Tables {
		out = append(out, o.tableCheck(ctx, db, table, want.Tables[table]))
	}
	if o.Checks.FreshTable != "" {
		out = append(out, o.freshCheck(ctx, db, m.CreatedAt))
	}
	if o.Checks.SchemaQuery != "" {
		c := Check{Name: "schema version", Want: want.SchemaVersion}
		got, err := o.pg.Query(ctx, db, o.Checks.SchemaQuery)
		c.Got, c.OK = got, err == nil && got != "" && (want.SchemaVersion == "" || got == want.SchemaVersion)
		if err != nil {
			c.Detail = err.Error()
		}
		out = append(out, c)
	}
	return out
}

func (o *Options) tableCheck(ctx context.Context, db, table string, want backup.TableCheck) Check {
	c := Check{Name: "rows and checksum of " + table}
	got, err := o.pg.Query(ctx, db, TableChecksumSQL(table))
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	rows, sum, _ := strings.Cut(got, " ")
	c.Got = rows + " rows, md5 " + sum
	switch {
	case want.MD5 != "":
		c.Want = fmt.Sprintf("%d rows, md5 %s", want.Rows, want.MD5)
		c.OK = c.Got == c.Want
	default:
		c.Want, c.OK = "at least one row", rows != "0"
		c.Detail = "the manifest records no figures for this table: only checked that it holds rows"
	}
	return c
}

func (o *Options) freshCheck(ctx context.Context, db string, created time.Time) Check {
	c := Check{Name: fmt.Sprintf("newest %s.%s within %s of the copy", o.Checks.FreshTable, o.Checks.FreshColumn, o.Checks.RPO)}
	got, err := o.pg.Query(ctx, db, fmt.Sprintf(
		"SELECT extract(epoch FROM max(%s))::bigint FROM %s", o.Checks.FreshColumn, o.Checks.FreshTable))
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	var epoch int64
	if _, err := fmt.Sscan(got, &epoch); err != nil {
		c.Got, c.Detail = got, "no rows"
		return c
	}
	newest := time.Unix(epoch, 0).UTC()
	age := created.Sub(newest)
	c.Got = fmt.Sprintf("%s (%s before the copy)", newest.Format(time.RFC3339), age.Round(time.Second))
	c.Want = "within " + o.Checks.RPO.String()
	c.OK = age <= o.Checks.RPO
	return c
}
