package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	bare := filepath.Join(t.TempDir(), "bare.json")
	must(t, os.WriteFile(bare, []byte(`{"database": {"name": "app", "endpoint": "x"}}`), 0o644))
	if code, out, errOut := run(t, "db", "users", "--stack", "prod", "--outputs", bare); code != ExitInvalid || !strings.Contains(out+errOut, "no appUsers") {
		t.Errorf("no appUsers: exit %d\n%s%s", code, out, errOut)
	}
}
