package dbusers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/wedsync/wedsync-infra/internal/dbusers"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/pgtest"
)

var pg *drill.Cluster

func TestMain(m *testing.M) { pgtest.Main(m, &pg, drill.StartFoundCluster, prepare) }

// prepare gives the cluster what the clouds provide. Roles are the
// cluster's; the function and its table go to template1, whence every
// test database copies them.
func prepare(ctx context.Context, pg *drill.Cluster) error {
	if err := pg.Exec(ctx, "postgres", clusterSQL); err != nil {
		return err
	}
	return pg.Exec(ctx, "template1", azureSQL)
}

// clusterSQL stands in for what the clouds provide, as their documents
// describe it. The administrator is not a superuser: like RDS's master user
// (rds_superuser) and Azure's Entra administrators (azure_pg_admin) it may
// create roles and grant the cloud's roles.
//   - rds_iam: the NOLOGIN role RDS grants IAM sign-in to its members
//     (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
//   - pgaadauth_create_principal_with_oid: written from Microsoft's
//     description (learn.microsoft.com/azure/postgresql/flexible-server/how-to-manage-azure-ad-users),
//     not Azure's code: it creates a login role named roleName labelled
//     'aadauth,oid=<objectId>,type=<objectType>' (',admin' when isAdmin) and
//     returns 'Created role for <roleName>'. A test cluster has no pgaadauth
//     label provider, so the label goes to the table pgaadauth.labels
//     instead of SECURITY LABEL; Azure's is in pg_catalog, ours in public,
//     both found unqualified.
const clusterSQL = `
CREATE ROLE rds_iam NOLOGIN;
CREATE ROLE azure_pg_admin NOLOGIN;
CREATE ROLE wedsync_admin LOGIN CREATEROLE;
GRANT rds_iam TO wedsync_admin WITH ADMIN OPTION;
`

const azureSQL = `
CREATE SCHEMA pgaadauth;
CREATE TABLE pgaadauth.labels (role name PRIMARY KEY, label text NOT NULL);
CREATE FUNCTION public.pgaadauth_create_principal_with_oid(roleName text, objectId text, objectType text, isAdmin boolean, isMfa boolean)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $f$
BEGIN
  IF objectType NOT IN ('user', 'group', 'service') THEN RAISE EXCEPTION 'objectType % is not user, group or service', objectType; END IF;
  EXECUTE format('CREATE ROLE %I LOGIN', roleName);
  IF isAdmin THEN EXECUTE format('GRANT azure_pg_admin TO %I', roleName); END IF;
  INSERT INTO pgaadauth.labels VALUES (roleName, format('aadauth,oid=%s,type=%s', objectId, objectType) || CASE WHEN isAdmin THEN ',admin' ELSE '' END);
  RETURN 'Created role for ' || roleName;
END $f$;
GRANT EXECUTE ON FUNCTION pgaadauth_create_principal_with_oid(text, text, text, boolean, boolean) TO wedsync_admin;
`

// needPostgres fails (under make test) or skips when there is none.
var needPostgres = pgtest.Need

// appDatabase is a fresh app database owned by the administrator, with
// the migrations' first tables already there (created by the
// administrator, as migrations are).
func appDatabase(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	if err := pg.Exec(ctx, "postgres", "DROP DATABASE IF EXISTS "+name+"; CREATE DATABASE "+name+" OWNER wedsync_admin;"); err != nil {
		t.Fatal(err)
	}
	if err := pg.Exec(ctx, name, "ALTER SCHEMA public OWNER TO wedsync_admin; SET ROLE wedsync_admin; CREATE TABLE weddings (id serial PRIMARY KEY, day date);"); err != nil {
		t.Fatal(err)
	}
}

// connect signs in to db as user (trust on loopback).
func connect(t *testing.T, db, user string) *pgx.Conn {
	t.Helper()
	url := strings.Replace(pg.URL(db), "//"+pg.User+"@", "//"+user+"@", 1)
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func apply(t *testing.T, plan dbusers.Plan, opts dbusers.Options) dbusers.Report {
	t.Helper()
	rep, err := dbusers.Apply(context.Background(), connect(t, plan.Database, "wedsync_admin"), plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// state is every role, membership and grant in db, and whether each has a
// password: what a second run must leave as it was. The writer's password
// is set again every run (a new salt, the same password: the test of
// TestTheWriterEndsWithTheProxysPassword).
func state(t *testing.T, db string) string {
	t.Helper()
	out, err := pg.Query(context.Background(), db, `SELECT concat_ws(E'\n',
  (SELECT string_agg(concat_ws(' ', rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolpassword IS NOT NULL), ',' ORDER BY rolname) FROM pg_authid),
  (SELECT string_agg(roleid::regrole || '>' || member::regrole, ',' ORDER BY 1) FROM pg_auth_members),
  (SELECT datacl::text FROM pg_database WHERE datname = current_database()),
  (SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public'),
  (SELECT string_agg(relname || coalesce(relacl::text, ''), ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace),
  (SELECT string_agg(defaclobjtype::text || defaclacl::text, ',' ORDER BY 1) FROM pg_default_acl),
  (SELECT string_agg(role || '=' || label, ',' ORDER BY 1) FROM pgaadauth.labels))`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func statuses(rep dbusers.Report) map[string]dbusers.Status {
	out := map[string]dbusers.Status{}
	for _, u := range rep.Users {
		out[u.Name] = u.Status
	}
	return out
}

var (
	awsPlan = dbusers.Plan{Stack: "prod", Cloud: "aws", Database: "app_aws", Users: []dbusers.User{
		{Name: "wedsync_app", Access: dbusers.ReadWrite, SignIn: dbusers.Password},
		{Name: "wedsync_reader", Access: dbusers.Read, SignIn: dbusers.RDSIAM},
	}}
	azurePlan = dbusers.Plan{Stack: "prod-azure", Cloud: "azure", Database: "app_azure", Users: []dbusers.User{
		{Name: "wedsync-prod-azure-app-uks", Access: dbusers.ReadWrite, SignIn: dbusers.Entra, ObjectID: "11111111-2222-3333-4444-555555555555"},
	}}
)

func TestTheFirstRunCreatesThePlansUsersTheSecondChangesNothing(t *testing.T) {
	needPostgres(t)
	for _, plan := range []dbusers.Plan{awsPlan, azurePlan} {
		t.Run(plan.Cloud, func(t *testing.T) {
			appDatabase(t, plan.Database)
			first := apply(t, plan, dbusers.Options{Password: "s3cret-from-the-proxy"})
			if !first.OK() {
				t.Fatalf("first run: %+v", first)
			}
			for _, u := range plan.Users {
				if got := statuses(first)[u.Name]; got != dbusers.Created {
					t.Errorf("first run: %s %s, want %s", u.Name, got, dbusers.Created)
				}
			}
			before := state(t, plan.Database)
			second := apply(t, plan, dbusers.Options{Password: "s3cret-from-the-proxy"})
			for _, u := range second.Users {
				if u.Status != dbusers.Present || len(u.Applied) > 0 || len(u.Problems) > 0 {
					t.Errorf("second run: %s %s, applied %v, problems %v; want already present, nothing applied", u.Name, u.Status, u.Applied, u.Problems)
				}
			}
			if after := state(t, plan.Database); after != before {
				t.Errorf("the second run changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestCreatedUsersHoldTheirAccessAndNothingBroader(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	plan := awsPlan
	plan.Database = "app_least"
	plan.Users = slices.Clone(plan.Users)
	for i := range plan.Users {
		plan.Users[i].Name += "_least"
	}
	appDatabase(t, plan.Database)
	if rep := apply(t, plan, dbusers.Options{Password: "pw"}); !rep.OK() {
		t.Fatalf("%+v", rep)
	}
	attrs, err := pg.Query(ctx, "postgres", `SELECT string_agg(rolname || ':' || rolsuper || rolcreaterole || rolcreatedb || rolreplication || rolbypassrls, ',' ORDER BY rolname)
  FROM pg_roles WHERE rolname LIKE '%_least'`)
	if err != nil {
		t.Fatal(err)
	}
	if attrs != "wedsync_app_least:falsefalsefalsefalsefalse,wedsync_reader_least:falsefalsefalsefalsefalse" {
		t.Errorf("role attributes %s: want no superuser, createrole, createdb, replication, bypassrls", attrs)
	}
	// A table the migrations create after the run: the default privileges.
	if err := pg.Exec(ctx, plan.Database, "SET ROLE wedsync_admin; CREATE TABLE guests (id serial PRIMARY KEY, name text);"); err != nil {
		t.Fatal(err)
	}
	writer, reader := connect(t, plan.Database, plan.Users[0].Name), connect(t, plan.Database, plan.Users[1].Name)
	for _, stmt := range []string{"INSERT INTO guests (name) VALUES ('Ada')", "UPDATE guests SET name = 'Ada L'", "INSERT INTO weddings (day) VALUES ('2027-06-12')", "DELETE FROM weddings"} {
		if _, err := writer.Exec(ctx, stmt); err != nil {
			t.Errorf("writer: %s: %v", stmt, err)
		}
	}
	if _, err := reader.Exec(ctx, "SELECT count(*) FROM guests"); err != nil {
		t.Errorf("reader: SELECT: %v", err)
	}
	refused := map[*pgx.Conn][]string{
		writer: {"TRUNCATE guests", "CREATE TABLE mine (x int)", "DROP TABLE guests", "CREATE ROLE someone"},
		reader: {"INSERT INTO guests (name) VALUES ('x')", "DELETE FROM weddings", "CREATE TABLE mine (x int)"},
	}
	for c, stmts := range refused {
		for _, stmt := range stmts {
			if _, err := c.Exec(ctx, stmt); err == nil {
				t.Errorf("%s: %s was allowed", c.Config().User, stmt)
			}
		}
	}
	// Only the reader is in rds_iam: a password user in it could not sign in.
	members, _ := pg.Query(ctx, "postgres", "SELECT string_agg(member::regrole::text, ',' ORDER BY 1) FROM pg_auth_members WHERE roleid = 'rds_iam'::regrole AND member::regrole::text LIKE '%_least'")
	if members != "wedsync_reader_least" {
		t.Errorf("rds_iam members %q, want wedsync_reader_least only", members)
	}
}

// roles are the login roles of the cluster whose names start with prefix.
func roles(t *testing.T, prefix string) string {
	t.Helper()
	out, err := pg.Query(context.Background(), "postgres", "SELECT coalesce(string_agg(rolname, ',' ORDER BY rolname), '') FROM pg_roles WHERE rolname LIKE '"+prefix+"%'")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOnlyThePlansUsersAreCreated(t *testing.T) {
	needPostgres(t)
	appDatabase(t, "app_only")
	plan := dbusers.Plan{Stack: "staging", Cloud: "aws", Database: "app_only", Users: []dbusers.User{
		{Name: "only_reader", Access: dbusers.Read, SignIn: dbusers.RDSIAM},
	}}
	if rep := apply(t, plan, dbusers.Options{}); !rep.OK() {
		t.Fatalf("%+v", rep)
	}
	// The writer is not in this plan: it is not created.
	if got := roles(t, "only_"); got != "only_reader" {
		t.Errorf("roles %q, want only_reader", got)
	}
}

func TestWhatIsWrongIsReportedAndNothingIsHalfDone(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	t.Run("an_extra_grant_is_reported", func(t *testing.T) {
		plan := dbusers.Plan{Stack: "prod", Cloud: "aws", Database: "app_extra", Users: []dbusers.User{{Name: "extra_app", Access: dbusers.ReadWrite, SignIn: dbusers.Password}}}
		appDatabase(t, plan.Database)
		if rep := apply(t, plan, dbusers.Options{Password: "pw"}); !rep.OK() {
			t.Fatalf("%+v", rep)
		}
		if err := pg.Exec(ctx, plan.Database, "GRANT TRUNCATE ON weddings TO extra_app; GRANT CREATE ON SCHEMA public TO extra_app; ALTER ROLE extra_app CREATEROLE;"); err != nil {
			t.Fatal(err)
		}
		rep := apply(t, plan, dbusers.Options{})
		got := strings.Join(rep.Users[0].Problems, "; ")
		for _, want := range []string{"TRUNCATE on public.weddings", "CREATE on schema public", "attribute CREATEROLE"} {
			if !strings.Contains(got, want) {
				t.Errorf("problems %q: want one naming %q", got, want)
			}
		}
		if rep.OK() {
			t.Error("a user holding more than its access passed")
		}
	})
	t.Run("a_user_the_stack_creates_is_missing", func(t *testing.T) {
		plan := dbusers.Plan{Stack: "prod-gcp", Cloud: "gcp", Database: "app_gcp", Users: []dbusers.User{
			{Name: "gcp_app@wedsync-prod.iam", Access: dbusers.ReadWrite, SignIn: dbusers.CloudSQLIAM}}}
		appDatabase(t, plan.Database)
		rep := apply(t, plan, dbusers.Options{})
		if rep.OK() || rep.Users[0].Status != dbusers.Missing {
			t.Errorf("%+v: want missing, not created here", rep.Users[0])
		}
		if got := roles(t, "gcp_app"); got != "" {
			t.Errorf("created %q: the stack creates GCP users", got)
		}
		// Once the stack has created it, it is granted.
		if err := pg.Exec(ctx, "postgres", `CREATE ROLE "gcp_app@wedsync-prod.iam" LOGIN`); err != nil {
			t.Fatal(err)
		}
		rep = apply(t, plan, dbusers.Options{})
		if !rep.OK() || rep.Users[0].Status != dbusers.Present || len(rep.Users[0].Applied) == 0 {
			t.Errorf("%+v: want present and granted", rep.Users[0])
		}
	})
	t.Run("a_failure_rolls_every_user_back", func(t *testing.T) {
		plan := dbusers.Plan{Stack: "prod", Cloud: "aws", Database: "app_fail", Users: []dbusers.User{
			{Name: "fail_reader", Access: dbusers.Read, SignIn: dbusers.RDSIAM},
			{Name: "fail_app", Access: dbusers.ReadWrite, SignIn: dbusers.Password}}}
		appDatabase(t, plan.Database)
		rep := apply(t, plan, dbusers.Options{}) // no password for fail_app
		if rep.OK() {
			t.Fatalf("%+v: want a failure without the password", rep)
		}
		if got := roles(t, "fail_"); got != "" {
			t.Errorf("roles %q left behind by a failed run", got)
		}
	})
	t.Run("a_dry_run_changes_nothing", func(t *testing.T) {
		plan := azurePlan
		plan.Database, plan.Users = "app_dry", []dbusers.User{{Name: "dry-app", Access: dbusers.ReadWrite, SignIn: dbusers.Entra, ObjectID: "x"}}
		appDatabase(t, plan.Database)
		rep := apply(t, plan, dbusers.Options{DryRun: true})
		if !rep.OK() || !rep.Changed() || rep.Users[0].Status != dbusers.Created {
			t.Errorf("%+v: want would create", rep.Users[0])
		}
		if got := roles(t, "dry-"); got != "" {
			t.Errorf("a dry run created %q", got)
		}
	})
}

// requirePassword makes role sign in over TCP with SCRAM (the rest of the
// cluster stays on trust) until the test ends.
func requirePassword(t *testing.T, role string) {
	t.Helper()
	ctx := context.Background()
	hba, err := pg.Query(ctx, "postgres", "SHOW hba_file")
	if err != nil {
		t.Fatal(err)
	}
	write := func(lines ...string) {
		rows := make([]string, len(lines))
		for i, l := range lines {
			rows[i] = "('" + l + "')"
		}
		if err := pg.Exec(ctx, "postgres", "COPY (VALUES "+strings.Join(rows, ", ")+") TO '"+hba+"'; SELECT pg_reload_conf();"); err != nil {
			t.Fatal(err)
		}
	}
	trust := []string{"local all all trust", "host all all 127.0.0.1/32 trust", "host all all ::1/128 trust"}
	write(append([]string{"host all " + role + " 127.0.0.1/32 scram-sha-256"}, trust...)...)
	t.Cleanup(func() { write(trust...) })
}

// signsIn reports whether role signs in to db with password.
func signsIn(db, role, password string) error {
	url := strings.Replace(pg.URL(db), "//"+pg.User+"@", "//"+role+":"+password+"@", 1)
	c, err := pgx.Connect(context.Background(), url)
	if err == nil {
		_ = c.Close(context.Background())
	}
	return err
}

// A database restored from another stack (the AWS DR rebuild) keeps that
// stack's writer with its password; RDS Proxy signs in with its own
// secret's. Every run sets the writer's password to the proxy's, so the
// writer ends with the new one and signs in with it, and the old one no
// longer works. Without a password (the broken variant) it stays as it was.
func TestTheWriterEndsWithTheProxysPassword(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	const db, role, old, fresh = "app_pw", "pw_app", "the-source-stacks-password", "0123abcd-the-dr-proxy-secret"
	plan := dbusers.Plan{Stack: "prod-dr", Cloud: "aws", Database: db, Users: []dbusers.User{{Name: role, Access: dbusers.ReadWrite, SignIn: dbusers.Password}}}
	appDatabase(t, db)
	if err := pg.Exec(ctx, "postgres", "DROP ROLE IF EXISTS "+role+"; CREATE ROLE "+role+" LOGIN PASSWORD '"+old+"';"); err != nil {
		t.Fatal(err)
	}
	requirePassword(t, role)
	if err := signsIn(db, role, old); err != nil {
		t.Fatalf("the restored writer does not sign in with its old password: %v", err)
	}
	t.Run("without_a_password_it_stays", func(t *testing.T) {
		rep := apply(t, plan, dbusers.Options{})
		if rep.Users[0].PasswordSet || signsIn(db, role, fresh) == nil || signsIn(db, role, old) != nil {
			t.Errorf("%+v: want the old password kept", rep.Users[0])
		}
	})
	for run := 1; run <= 2; run++ {
		rep := apply(t, plan, dbusers.Options{Password: fresh})
		u := rep.Users[0]
		if !rep.OK() || u.Status != dbusers.Present || !u.PasswordSet || len(u.Applied) > 0 {
			t.Errorf("run %d: %+v: want already present, the password set, nothing else applied", run, u)
		}
		if err := signsIn(db, role, fresh); err != nil {
			t.Errorf("run %d: the writer does not sign in with the proxy's password: %v", run, err)
		}
		if signsIn(db, role, old) == nil {
			t.Errorf("run %d: the writer still signs in with the source's password", run)
		}
	}
	stored, err := pg.Query(ctx, "postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = '"+role+"'")
	if err != nil || !strings.HasPrefix(stored, "SCRAM-SHA-256$4096:") || strings.Contains(stored, fresh) {
		t.Errorf("stored %q (%v): want a SCRAM verifier, never the text", stored, err)
	}
}
