package drill

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"google.golang.org/api/option"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/pgtest"
)

// One PostgreSQL cluster for the package's tests (initdb and a start cost
// seconds): each drill restores into its own scratch database on it.
var (
	pg     *Cluster
	seeded struct {
		dump   []byte // pg_dump's custom format
		sqlGz  []byte // plain SQL, gzip-compressed, as Cloud SQL exports
		checks backup.DatabaseChecks
	}
)

func TestMain(m *testing.M) {
	pgtest.Main(m, &pg, StartFoundCluster, func(ctx context.Context, _ *Cluster) error { return seed(ctx) })
}

// needPostgres fails (under make test) or skips when there is none.
var needPostgres = pgtest.Need

// seed makes the source database, its custom-format dump and the figures
// the manifest writer records.
func seed(ctx context.Context) error {
	if err := pg.Exec(ctx, "postgres", "CREATE DATABASE wedsync"); err != nil {
		return err
	}
	if err := pg.Exec(ctx, "wedsync", `
CREATE TABLE schema_migrations (version text PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('20261101120000'), ('20261120090000');
CREATE TABLE weddings (id serial PRIMARY KEY, couple text NOT NULL, wedding_date date NOT NULL, updated_at timestamptz NOT NULL);
INSERT INTO weddings (couple, wedding_date, updated_at)
  SELECT 'couple ' || i, date '2027-05-01' + i, now() - (i || ' minutes')::interval FROM generate_series(1, 500) i;
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
INSERT INTO users (email) SELECT 'guest' || i || '@example.com' FROM generate_series(1, 2000) i;`); err != nil {
		return err
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("wedsync-drill-%d.dump", os.Getpid()))
	defer func() { _ = os.Remove(path) }()
	if err := pg.DumpFile(ctx, "wedsync", path, "c"); err != nil {
		return err
	}
	var err error
	if seeded.dump, err = os.ReadFile(path); err != nil {
		return err
	}
	if err := pg.DumpFile(ctx, "wedsync", path, "p"); err != nil {
		return err
	}
	plain, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	seeded.sqlGz = gz.Bytes()
	seeded.checks = backup.DatabaseChecks{Tables: map[string]backup.TableCheck{}}
	for _, table := range DefaultChecks().Tables {
		got, err := pg.Query(ctx, "wedsync", TableChecksumSQL(table))
		if err != nil {
			return err
		}
		var tc backup.TableCheck
		if _, err := fmt.Sscan(got, &tc.Rows, &tc.MD5); err != nil {
			return fmt.Errorf("%s: %q: %w", table, got, err)
		}
		seeded.checks.Tables[table] = tc
	}
	seeded.checks.SchemaVersion, err = pg.Query(ctx, "wedsync", DefaultChecks().SchemaQuery)
	return err
}

// tierStore is one emulator's bucket holding the seeded copy, and the
// read-only Store the drill reads it through.
type tierStore struct {
	name  string
	store func(t *testing.T, flip bool, checks backup.DatabaseChecks, sqlGz bool) backup.Store
}

func copyObjects(flip bool, checks backup.DatabaseChecks, sqlGz bool) map[string][]byte {
	data := seeded.dump
	if sqlGz {
		data = seeded.sqlGz
	}
	sum := sha256.Sum256(data)
	m, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "prod", Purpose: "db-exports", CreatedAt: time.Now().UTC(), Writer: "test",
		Source: "db:wedsync", Files: []backup.File{{Path: "database/wedsync.dump", Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}, Checks: &checks})
	if flip {
		data = bytes.Clone(data)
		data[len(data)/2] ^= 0x40
	}
	// An older copy beside it: the drill takes the newest.
	old, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "prod", Purpose: "db-exports", CreatedAt: time.Now().Add(-7 * 24 * time.Hour).UTC(),
		Files: []backup.File{{Path: "database/old.dump", Bytes: 3, SHA256: strings.Repeat("0", 64)}}})
	return map[string][]byte{"database/wedsync.dump": data, "database/wedsync.dump.manifest.json": m,
		"database/old.dump": []byte("old"), "database/old.dump.manifest.json": old}
}

func tierStores(t *testing.T) []tierStore {
	s3e, gcs, az := backuptest.StartS3(t), backuptest.StartGCS(t), backuptest.StartAzurite(t)
	n := 0
	next := func() string { n++; return fmt.Sprintf("drill-%d", n) }
	return []tierStore{
		{"gofakes3", func(t *testing.T, flip bool, checks backup.DatabaseChecks, sqlGz bool) backup.Store {
			b := next()
			s3e.Bucket(t, b)
			for k, v := range copyObjects(flip, checks, sqlGz) {
				s3e.Put(t, b, k, backuptest.Object{Data: v})
			}
			return &backup.S3Store{Bucket: b, Client: s3.New(s3.Options{Region: "eu-west-2", BaseEndpoint: aws.String(s3e.URL), UsePathStyle: true,
				Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})}
		}},
		{"fake-gcs-server", func(t *testing.T, flip bool, checks backup.DatabaseChecks, sqlGz bool) backup.Store {
			b := next()
			gcs.Bucket(t, b)
			for k, v := range copyObjects(flip, checks, sqlGz) {
				gcs.Put(t, b, k, backuptest.Object{Data: v})
			}
			c, err := storage.NewClient(context.Background(), option.WithEndpoint(gcs.Server.URL()+"/storage/v1/"),
				option.WithoutAuthentication(), storage.WithJSONReads(), option.WithHTTPClient(http.DefaultClient))
			if err != nil {
				t.Fatal(err)
			}
			return &backup.GCSStore{Client: c, Bucket: b}
		}},
		{"azurite", func(t *testing.T, flip bool, checks backup.DatabaseChecks, sqlGz bool) backup.Store {
			b := next()
			az.Bucket(t, b)
			for k, v := range copyObjects(flip, checks, sqlGz) {
				az.Put(t, b, k, backuptest.Object{Data: v})
			}
			return &backup.AzureStore{Client: az.Container(t, b), Name: b}
		}},
	}
}

// TestDrillEndToEnd: pg_dump of a seeded database, its manifest and the
// dump in each emulator, verified, restored into a fresh database on a
// real PostgreSQL, checked. A corrupted object fails the drill before any
// restore; a copy whose data differs from the figures recorded at dump
// time fails the checks. The scratch database is gone afterwards.
func TestDrillEndToEnd(t *testing.T) {
	needPostgres(t)
	cases := []struct {
		name    string
		flip    bool
		checks  func(backup.DatabaseChecks) backup.DatabaseChecks
		ok      bool
		failure string
		sqlGz   bool
	}{
		{name: "clean copy restores and checks pass", ok: true},
		{name: "gzip SQL export (Cloud SQL's format) restores", ok: true, sqlGz: true},
		{name: "corrupted object", flip: true, failure: "does not verify"},
		{name: "restored rows differ from the dump's figures", checks: func(c backup.DatabaseChecks) backup.DatabaseChecks {
			tables := map[string]backup.TableCheck{}
			for k, v := range c.Tables {
				tables[k] = v
			}
			u := tables["users"]
			u.Rows++
			tables["users"] = u
			c.Tables = tables
			return c
		}, failure: "rows and checksum of users"},
	}
	for _, ts := range tierStores(t) {
		for _, c := range cases {
			t.Run(ts.name+"/"+c.name, func(t *testing.T) {
				checks := seeded.checks
				if c.checks != nil {
					checks = c.checks(checks)
				}
				st := ts.store(t, c.flip, checks, c.sqlGz)
				rep := Run(context.Background(), Options{Stack: "prod", Tier: backup.Tier{Tier: "bucket", Purpose: "db-exports"}, Store: st,
					Server: func(context.Context) (Postgres, func(), error) { return pg.Postgres, func() {}, nil }, Checks: DefaultChecks()})
				assertDrill(t, rep, c.ok, c.flip, c.failure)
			})
		}
	}
}

func assertDrill(t *testing.T, rep *Report, ok, flip bool, failure string) {
	t.Helper()
	js, _ := json.MarshalIndent(rep, "", "  ")
	if rep.OK != ok || !rep.WithinRTO || rep.Manifest != "database/wedsync.dump.manifest.json" {
		t.Fatalf("drill ok=%v, want %v:\n%s", rep.OK, ok, js)
	}
	failed := rep.Error
	for _, c := range rep.Checks {
		if !c.OK {
			failed += " " + c.Name
		}
	}
	if !ok && !strings.Contains(failed, failure) {
		t.Errorf("failure %q does not name %q:\n%s", failed, failure, js)
	}
	if flip && (len(rep.Findings) == 0 || rep.Findings[0].Kind != backup.KindSHA256 || len(rep.Checks) != 0) {
		t.Errorf("a corrupted copy must be a sha256 finding and never restored:\n%s", js)
	}
	if ok && len(rep.Checks) != 4 {
		t.Errorf("want 4 checks (2 tables, freshness, schema):\n%s", js)
	}
	left, err := pg.Query(context.Background(), "postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'drill_%'")
	if err != nil || left != "0" {
		t.Errorf("scratch databases left: %s %v", left, err)
	}
}
