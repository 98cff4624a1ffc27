package drill

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// PostgresUser is the superuser of a throwaway cluster.
const PostgresUser = "wedsync_drill"

// Postgres is a PostgreSQL server the drill restores into, reached over
// TCP by the client programs (psql, pg_restore) of BinDir.
type Postgres struct {
	BinDir string // e.g. /usr/lib/postgresql/15/bin (Debian's postgresql package)
	Host   string
	Port   int
	User   string
}

// BinDirEnv names PostgreSQL's bin directory (make test sets it to the
// Debian package it installs).
const BinDirEnv = "WEDSYNC_PG_BIN"

// FindBinDir is dir when given, else $WEDSYNC_PG_BIN, else the newest
// PostgreSQL of Debian's packages (/usr/lib/postgresql/VERSION/bin).
func FindBinDir(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv(BinDirEnv)
	}
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("no initdb in %s: install Debian's postgresql package (make postgresql)", dir)
		}
		return dir, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", errors.New("no PostgreSQL under /usr/lib/postgresql: install Debian's postgresql package (make postgresql), or give --pg-bin")
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	return filepath.Dir(found[0]), nil
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// Cluster is a throwaway PostgreSQL cluster in a temp directory.
type Cluster struct {
	Postgres
	dir  string
	cred *syscall.Credential
}

// StartCluster initialises and starts a cluster on a free loopback port,
// trust authentication on loopback only. PostgreSQL refuses to run as
// root, so under root the server runs as the postgres user the package
// creates.
func StartCluster(ctx context.Context, binDir string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "wedsync-drill-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Postgres: Postgres{BinDir: binDir, Host: "127.0.0.1", User: PostgresUser}, dir: dir}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresUser(dir); err != nil {
			return nil, err
		}
	}
	if c.Port, err = freePort(); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := c.server(ctx, "initdb", "-D", data, "-U", PostgresUser, "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.Port, dir)
	if err := c.server(ctx, "pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return c, nil
}

// StartFoundCluster starts a throwaway cluster from the PostgreSQL
// FindBinDir finds ($WEDSYNC_PG_BIN, else Debian's newest): what the
// tests that need a database share.
func StartFoundCluster(ctx context.Context) (*Cluster, error) {
	bin, err := FindBinDir("")
	if err != nil {
		return nil, err
	}
	return StartCluster(ctx, bin)
}

// Stop stops the cluster and removes its files.
func (c *Cluster) Stop() error {
	err := c.server(context.Background(), "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(c.dir))
}

func (c *Cluster) server(ctx context.Context, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, prog), args...)
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func postgresUser(dir string) (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the cluster needs the postgres user (Debian's postgresql package creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// client runs one client program against database db, stdin from in.
func (p Postgres) client(ctx context.Context, prog, db string, in []byte, args ...string) (string, error) {
	base := []string{"-h", p.Host, "-p", strconv.Itoa(p.Port), "-U", p.User}
	if db != "" {
		base = append(base, "-d", db)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(p.BinDir, prog), append(base, args...)...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if in != nil {
		cmd.Stdin = bytes.NewReader(in)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", prog, err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// URL is the connection URL of database db on the server.
func (p Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", p.User, net.JoinHostPort(p.Host, strconv.Itoa(p.Port)), db)
}

// Query runs one SQL statement in db and returns its first column of the
// first row, unaligned.
func (p Postgres) Query(ctx context.Context, db, sql string) (string, error) {
	return p.client(ctx, "psql", db, nil, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql)
}

// Exec runs SQL (many statements) in db.
func (p Postgres) Exec(ctx context.Context, db, sql string) error {
	_, err := p.client(ctx, "psql", db, []byte(sql), "-X", "-q", "-v", "ON_ERROR_STOP=1")
	return err
}

// DumpFile writes pg_dump of db to path in format: c (custom) or p
// (plain SQL, as Cloud SQL exports).
func (p Postgres) DumpFile(ctx context.Context, db, path, format string) error {
	_, err := p.client(ctx, "pg_dump", db, nil, "-F"+format, "--no-owner", "--no-privileges", "-f", path)
	return err
}
