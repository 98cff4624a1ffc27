package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// usersOutputs writes a stack outputs file whose database names users.
func usersOutputs(t *testing.T, port int, users ...map[string]string) string {
	t.Helper()
	return outputsFile(t, map[string]any{"cloud": "aws", "database": map[string]any{
		"endpoint": "127.0.0.1", "port": port, "name": "app", "appUsers": users}})
}

// TestDBUsersCommand: the first run creates the stack's users (exit 0),
// the second says already present, a user holding more than its access is
// exit 1 naming what to revoke, a database other than the stack's and a
// missing appUsers output are exit 2.
func TestDBUsersCommand(t *testing.T) {
	pg := startPostgres(t)
	ctx := context.Background()
	must(t, pg.Exec(ctx, "postgres", "CREATE ROLE rds_iam NOLOGIN; CREATE DATABASE app;"))
	must(t, pg.Exec(ctx, "app", "CREATE TABLE weddings (id serial PRIMARY KEY);"))
	url := pg.URL("app")
	outputs := usersOutputs(t, pg.Port,
		map[string]string{"name": "wedsync_app", "access": "readwrite", "signIn": "password"},
		map[string]string{"name": "wedsync_reader", "access": "read", "signIn": "rds_iam"})
	t.Setenv(AppPasswordEnv, "from-the-proxy-secret")
	users := func(extra ...string) (int, string) {
		code, out, errOut := run(t, append([]string{"db", "users", "--stack", "prod", "--outputs", outputs, "--database-url", url}, extra...)...)
		return code, out + errOut
	}
	if code, out := users("--dry-run"); code != ExitOK || !strings.Contains(out, "wedsync_app (readwrite, password): created") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	if got, _ := pg.Query(ctx, "postgres", "SELECT count(*) FROM pg_roles WHERE rolname IN ('wedsync_app', 'wedsync_reader')"); got != "0" {
		t.Errorf("the dry run left %s roles", got)
	}
	if code, out := users(); code != ExitOK || strings.Count(out, ": created") != 2 || !strings.Contains(out, "+ member of rds_iam") {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	code, out := users("--json")
	var rep struct{ Users []struct{ Status string } }
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil || len(rep.Users) != 2 || rep.Users[0].Status != "already present" || rep.Users[1].Status != "already present" {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	must(t, pg.Exec(ctx, "app", "GRANT TRUNCATE ON weddings TO wedsync_reader;"))
	if code, out := users(); code != ExitViolation || !strings.Contains(out, "PROBLEM holds more than read: TRUNCATE on public.weddings") {
		t.Errorf("extra grant: exit %d\n%s", code, out)
	}
	if code, out := users("--database-url", strings.Replace(url, "/app?", "/postgres?", 1)); code != ExitInvalid || !strings.Contains(out, `the stack's app database is "app"`) {
		t.Errorf("another database: exit %d\n%s", code, out)
	}
	// Signed in as a role that is not the migrations' (the schema's owner,
	// here the database's): exit 1, naming the GRANT to run once.
	must(t, pg.Exec(ctx, "postgres", "CREATE ROLE ci_other LOGIN CREATEROLE;"))
	other := strings.Replace(url, "//"+pg.User+"@", "//ci_other@", 1)
	if code, out := users("--database-url", other); code != ExitViolation || !strings.Contains(out, "PROBLEM not a member of the migrations' role") || !strings.Contains(out, `GRANT "`+pg.User+`" TO "ci_other"`) {
		t.Errorf("not the migrations' role: exit %d\n%s", code, out)
	}
	bare := filepath.Join(t.TempDir(), "bare.json")
	must(t, os.WriteFile(bare, []byte(`{"database": {"name": "app", "endpoint": "x"}}`), 0o644))
	if code, out, errOut := run(t, "db", "users", "--stack", "prod", "--outputs", bare); code != ExitInvalid || !strings.Contains(out+errOut, "no appUsers") {
		t.Errorf("no appUsers: exit %d\n%s%s", code, out, errOut)
	}
}

// A runner outside the stack's network gets no answer from the private
// endpoint: db users stops after its connect timeout (shortened here from
// 15 s) with exit 2, naming the host, the port and the runner it needs,
// whether the packets are dropped (a listener that never answers) or
// refused (nothing listening). A database that answers and refuses the
// administrator is not blamed on the runner.
func TestDBUsersFailsFastWhenTheDatabaseIsOutOfReach(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer func() { _ = silent.Close() }()
	go func() {
		var held []net.Conn // open, never answered
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closedPort := refused.Addr().(*net.TCPAddr).Port
	must(t, refused.Close())
	defer func(d time.Duration) { dbConnectTimeout = d }(dbConnectTimeout)
	dbConnectTimeout = 500 * time.Millisecond
	t.Setenv("PGUSER", "wedsync_admin")
	for name, port := range map[string]int{"dropped": silent.Addr().(*net.TCPAddr).Port, "refused": closedPort} {
		t.Run(name, func(t *testing.T) {
			outputs := usersOutputs(t, port, map[string]string{"name": "wedsync_app", "access": "readwrite", "signIn": "password"})
			start := time.Now()
			type result struct {
				code     int
				out, err string
			}
			done := make(chan result, 1)
			go func() {
				code, out, errOut := run(t, "db", "users", "--stack", "prod", "--outputs", outputs)
				done <- result{code, out, errOut}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("db users still waits after 5 s: no connect timeout")
			}
			code, took, msg := r.code, time.Since(start), r.out+r.err
			for _, want := range []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("port %d", port), "runner in the stack's network", "DB_RUNNERS", "README"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the message does not name %q:\n%s", want, msg)
				}
			}
			if code != ExitInvalid || took > 5*time.Second {
				t.Errorf("exit %d after %s: want 2 within the timeout", code, took)
			}
		})
	}
	t.Run("answered_and_refused", func(t *testing.T) {
		pg := startPostgres(t)
		outputs := usersOutputs(t, pg.Port, map[string]string{"name": "wedsync_app", "access": "readwrite", "signIn": "password"})
		url := fmt.Sprintf("postgres://nobody@%s:%d/app?sslmode=disable", pg.Host, pg.Port)
		code, out, errOut := run(t, "db", "users", "--stack", "prod", "--outputs", outputs, "--database-url", url)
		if msg := out + errOut; code != ExitInvalid || strings.Contains(msg, "DB_RUNNERS") || !strings.Contains(msg, "refused the administrator") {
			t.Errorf("exit %d: want the administrator refused, not the runner blamed:\n%s", code, msg)
		}
	})
}
