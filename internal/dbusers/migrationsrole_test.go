package dbusers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/dbusers"
)

// applyAs runs db users signed in as role.
func applyAs(t *testing.T, role string, plan dbusers.Plan) dbusers.Report {
	t.Helper()
	rep, err := dbusers.Apply(context.Background(), connect(t, plan.Database, role), plan, dbusers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// usesLaterTable checks that user can read and write a table (and its
// serial's sequence) created after the run.
func usesLaterTable(t *testing.T, db, user, table string) {
	t.Helper()
	c := connect(t, db, user)
	for _, stmt := range []string{"INSERT INTO " + table + " (name) VALUES ('Ada')", "SELECT count(*) FROM " + table, "UPDATE " + table + " SET name = 'Ada L'", "DELETE FROM " + table} {
		if _, err := c.Exec(context.Background(), stmt); err != nil {
			t.Errorf("%s on a table the migrations created after the run: %s: %v", user, stmt, err)
		}
	}
}

// On GCP and Azure db users signs in as its own CI identity, an
// administrator (here a member of wedsync_admin, who owns the database, as
// cloudsqlsuperuser and azure_pg_admin do there) that is not the migrations'
// role (def_owner, the schema's owner). Default privileges are the
// creating role's: the ones db users sets must be def_owner's, or the app
// cannot use the next migration's tables. Until the identity is a member of
// def_owner it may not set them: the run fails naming the GRANT to run once
// and commits nothing; after that GRANT it passes, a second run changes
// nothing, and a table def_owner creates afterwards is the app's.
func TestTablesTheMigrationsCreateLaterAreTheAppsWhenDBUsersIsAnotherRole(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	const db, owner, ci, app = "app_def", "def_owner", "def_ci", "def_app@wedsync-prod.iam"
	if err := pg.Exec(ctx, "postgres", `DROP DATABASE IF EXISTS `+db+`;
CREATE ROLE def_owner LOGIN; CREATE ROLE def_ci LOGIN CREATEROLE; GRANT wedsync_admin TO def_ci;
CREATE ROLE "`+app+`" LOGIN; CREATE DATABASE `+db+` OWNER wedsync_admin;`); err != nil {
		t.Fatal(err)
	}
	if err := pg.Exec(ctx, db, "ALTER SCHEMA public OWNER TO def_owner; SET ROLE def_owner; CREATE TABLE weddings (id serial PRIMARY KEY, day date);"); err != nil {
		t.Fatal(err)
	}
	plan := dbusers.Plan{Stack: "prod-gcp", Cloud: "gcp", Database: db, Users: []dbusers.User{{Name: app, Access: dbusers.ReadWrite, SignIn: dbusers.CloudSQLIAM}}}

	before := state(t, db)
	rep := applyAs(t, ci, plan)
	got := strings.Join(rep.Problems, "; ")
	if rep.OK() || !strings.HasPrefix(got, dbusers.NotMigrationsRoleMember) || !strings.Contains(got, `GRANT "def_owner" TO "def_ci"`) || len(rep.Users) != 0 {
		t.Errorf("not a member of the migrations' role: problems %q, users %+v; want only the problem naming GRANT \"def_owner\" TO \"def_ci\"", got, rep.Users)
	}
	if after := state(t, db); after != before {
		t.Errorf("a run that is not a member committed:\nbefore %s\nafter  %s", before, after)
	}

	if err := pg.Exec(ctx, "postgres", "GRANT "+owner+" TO "+ci); err != nil { // the one-time step
		t.Fatal(err)
	}
	if rep := applyAs(t, ci, plan); !rep.OK() || rep.MigrationsRole != owner || len(rep.Users[0].Applied) == 0 {
		t.Fatalf("%+v: want granted, through %s's default privileges", rep, owner)
	}
	if rep := applyAs(t, ci, plan); !rep.OK() || len(rep.Users[0].Applied) > 0 {
		t.Errorf("second run: %+v: want nothing applied", rep.Users)
	}
	if err := pg.Exec(ctx, db, "SET ROLE def_owner; CREATE TABLE guests (id serial PRIMARY KEY, name text);"); err != nil {
		t.Fatal(err)
	}
	usesLaterTable(t, db, app, "guests")
}

// RDS leaves PostgreSQL 15's public schema owned by pg_database_owner, who
// stands for the database's owner, the master user: it runs the migrations
// and db users, and its own default privileges are the ones set.
func TestTheDatabaseOwnersDefaultsWhenPgDatabaseOwnerOwnsTheSchema(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	const db = "app_pgdo"
	if err := pg.Exec(ctx, "postgres", "DROP DATABASE IF EXISTS "+db+"; CREATE DATABASE "+db+" OWNER wedsync_admin;"); err != nil {
		t.Fatal(err)
	}
	if owner, err := pg.Query(ctx, db, "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'public'"); err != nil || owner != "pg_database_owner" {
		t.Fatalf("public is owned by %q (%v): the case needs pg_database_owner", owner, err)
	}
	plan := dbusers.Plan{Stack: "prod", Cloud: "aws", Database: db, Users: []dbusers.User{{Name: "pgdo_reader", Access: dbusers.Read, SignIn: dbusers.RDSIAM}}}
	if rep := applyAs(t, "wedsync_admin", plan); !rep.OK() || rep.MigrationsRole != "wedsync_admin" {
		t.Fatalf("%+v: want the master user's default privileges", rep)
	}
	if err := pg.Exec(ctx, db, "SET ROLE wedsync_admin; CREATE TABLE guests (id serial PRIMARY KEY, name text);"); err != nil {
		t.Fatal(err)
	}
	if _, err := connect(t, db, "pgdo_reader").Exec(ctx, "SELECT count(*) FROM guests"); err != nil {
		t.Errorf("the reader on a table created after the run: %v", err)
	}
}
