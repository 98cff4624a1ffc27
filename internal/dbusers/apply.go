package dbusers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Options are how to run.
type Options struct {
	// DryRun does everything in a transaction and rolls it back.
	DryRun bool
	// Password is the password of the Password user (AWS), the one in RDS
	// Proxy's secret: the user is created with it, or has it set, on every
	// run (setPassword). Empty leaves an existing user's password as it is.
	Password string
}

// Apply makes the plan's users in the database conn is signed in to (the
// app database, as an administrator), in one transaction: each user is
// created if absent and granted what it lacks; then what each holds beyond
// its access is reported. An error means the database could not be
// worked with at all; a user's problem is in its Result.
func Apply(ctx context.Context, conn *pgx.Conn, plan Plan, opts Options) (Report, error) {
	rep := Report{Stack: plan.Stack, Database: plan.Database, DryRun: opts.DryRun}
	if err := plan.Validate(); err != nil {
		return rep, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return rep, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	owner, problem, err := migrationsRole(ctx, tx)
	if err != nil {
		return rep, err
	}
	rep.MigrationsRole = owner
	if problem != "" {
		// Before any user: without it the users would lack every table
		// the next migration creates.
		rep.Problems = append(rep.Problems, problem)
		return rep, tx.Rollback(ctx)
	}
	for _, u := range plan.Users {
		rep.Users = append(rep.Users, applyUser(ctx, tx, plan.Database, owner, u, opts))
	}
	if opts.DryRun {
		return rep, tx.Rollback(ctx)
	}
	if !rep.OK() {
		// Nothing half done: a failed user rolls every user back.
		for i := range rep.Users {
			if rep.Users[i].Status == Created {
				rep.Users[i].Status = Failed
				rep.Users[i].Problems = append(rep.Users[i].Problems, "rolled back: another user failed")
			}
		}
		return rep, tx.Rollback(ctx)
	}
	return rep, tx.Commit(ctx)
}

// NotMigrationsRoleMember starts the problem of a run signed in as a role
// that may not set the migrations' role's default privileges.
const NotMigrationsRoleMember = "not a member of the migrations' role"

// migrationsRole is the role whose default privileges give the users what
// the migrations create later (migrationsRoleSQL), and the problem, if
// the signed-in role may not set them: on AWS the master user owns the
// schema and signs in, elsewhere db users signs in as its own CI identity
// (components/ciaccess/dbusers.go), which needs that role granted once.
func migrationsRole(ctx context.Context, tx pgx.Tx) (owner, problem string, err error) {
	var member bool
	var current string
	if err := tx.QueryRow(ctx, migrationsRoleSQL, Schema).Scan(&owner, &member, &current); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			err = fmt.Errorf("schema %s is not in the database", Schema)
		}
		return "", "", fmt.Errorf("the owner of schema %s (the migrations' role): %w", Schema, err)
	}
	if member {
		return owner, "", nil
	}
	return owner, fmt.Sprintf("%s: the signed-in role %s is not a member of %s, the owner of schema %s, as whom the migrations create its tables, "+
		"so it cannot give the app's users the tables they create later (ALTER DEFAULT PRIVILEGES FOR ROLE %s needs membership). "+
		"Once, as an administrator: GRANT %s TO %s; then run this again (README, \"The application's database users\")",
		NotMigrationsRoleMember, quoteIdent(current), quoteIdent(owner), Schema, quoteIdent(owner), quoteIdent(owner), quoteIdent(current)), nil
}

// applyUser runs a user's steps, each in a savepoint so a failure is
// reported and the rest still checked. owner is the migrations' role.
func applyUser(ctx context.Context, tx pgx.Tx, database, owner string, u User, opts Options) Result {
	res := Result{User: u, Status: Present}
	exists, err := check(ctx, tx, roleExists, u.Name)
	if err != nil {
		return failed(res, "look up the role", err)
	}
	if !exists {
		create, ok := createSQL[u.SignIn]
		switch {
		case !ok:
			res.Status = Missing
			res.Problems = append(res.Problems, "the stack creates this user (gcp:sql/user): run up, then this again")
			return res
		case u.SignIn == Password && opts.Password == "":
			return failed(res, "create the role", errors.New("no password: set WEDSYNC_APP_DB_PASSWORD to the password in RDS Proxy's secret"))
		}
		var stmt string
		switch u.SignIn {
		case Password:
			verifier, err := scramVerifier(opts.Password)
			if err != nil {
				return failed(res, "create the role", err)
			}
			stmt = fmt.Sprintf(create, quoteIdent(u.Name), quoteLiteral(verifier))
		case Entra:
			stmt = fmt.Sprintf(create, quoteLiteral(u.Name), quoteLiteral(u.ObjectID))
		default:
			stmt = fmt.Sprintf(create, quoteIdent(u.Name))
		}
		if err := step(ctx, tx, stmt); err != nil {
			return failed(res, "create the role", err)
		}
		res.Status, res.Applied = Created, append(res.Applied, "create the role")
		res.PasswordSet = u.SignIn == Password
	} else if u.SignIn == Password && opts.Password != "" {
		if err := setPassword(ctx, tx, u.Name, opts.Password); err != nil {
			return failed(res, "set the password to RDS Proxy's", err)
		}
		res.PasswordSet = true
	}
	for _, s := range steps(u, database, owner) {
		done, err := check(ctx, tx, s.check, s.args...)
		if err != nil {
			return failed(res, s.what, err)
		}
		if done {
			continue
		}
		if err := step(ctx, tx, s.apply); err != nil {
			return failed(res, s.what, err)
		}
		res.Applied = append(res.Applied, s.what)
	}
	excess, err := holds(ctx, tx, u)
	if err != nil {
		return failed(res, "list what it holds", err)
	}
	for _, x := range excess {
		res.Problems = append(res.Problems, "holds more than "+string(u.Access)+": "+x+" (revoke it)")
	}
	return res
}

// setPassword sets the writer's password to RDS Proxy's on every run, as a
// verifier: a database restored from another stack's (DR) keeps that
// stack's password, and the proxy signs in with its own secret's. There is
// no asking whether it already matches (an administrator cannot read
// pg_authid on RDS), so the run sets it each time: the same password, a
// new salt, the same effect.
func setPassword(ctx context.Context, tx pgx.Tx, name, password string) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	return step(ctx, tx, fmt.Sprintf("ALTER ROLE %s PASSWORD %s", quoteIdent(name), quoteLiteral(verifier)))
}

// grantStep is one idempotent step: apply unless check says it is done.
type grantStep struct {
	what, check, apply string
	args               []any
}

// steps are the memberships and grants of u, in order. What the
// migrations create later comes from owner's default privileges: they
// apply to objects owner creates, whoever signed in here (on AWS the
// same role).
func steps(u User, database, owner string) []grantStep {
	name, t, s := quoteIdent(u.Name), tablePrivileges[u.Access], sequencePrivileges[u.Access]
	defaultsFor := fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT", quoteIdent(owner), quoteIdent(Schema))
	var out []grantStep
	for _, g := range memberships[u.SignIn] {
		out = append(out, grantStep{"member of " + g, isMember, fmt.Sprintf("GRANT %s TO %s", quoteIdent(g), name), []any{u.Name, g}})
	}
	schema := quoteIdent(Schema)
	list := func(p []string) string { return strings.Join(p, ", ") }
	return append(out,
		grantStep{"CONNECT on the database", hasConnect, fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", quoteIdent(database), name), []any{u.Name}},
		grantStep{"USAGE on schema " + Schema, hasUsage, fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s", schema, name), []any{u.Name, Schema}},
		grantStep{list(t) + " on the schema's tables", allTables, fmt.Sprintf("GRANT %s ON ALL TABLES IN SCHEMA %s TO %s", list(t), schema, name), []any{u.Name, Schema, t}},
		grantStep{list(s) + " on the schema's sequences", allSequences, fmt.Sprintf("GRANT %s ON ALL SEQUENCES IN SCHEMA %s TO %s", list(s), schema, name), []any{u.Name, Schema, s}},
		grantStep{list(t) + " on tables the migrations create", defaults, fmt.Sprintf("%s %s ON TABLES TO %s", defaultsFor, list(t), name), []any{u.Name, Schema, t, "r", owner}},
		grantStep{list(s) + " on sequences the migrations create", defaults, fmt.Sprintf("%s %s ON SEQUENCES TO %s", defaultsFor, list(s), name), []any{u.Name, Schema, s, "S", owner}},
	)
}

// holds lists what u holds beyond its access.
func holds(ctx context.Context, tx pgx.Tx, u User) ([]string, error) {
	allowed := memberships[u.SignIn]
	if allowed == nil {
		allowed = []string{}
	}
	rows, err := tx.Query(ctx, excessSQL, u.Name, tablePrivileges[u.Access], allowed, sequencePrivileges[u.Access])
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func check(ctx context.Context, tx pgx.Tx, sql string, args ...any) (bool, error) {
	var done bool
	err := tx.QueryRow(ctx, sql, args...).Scan(&done)
	return done, err
}

// step runs stmt in a savepoint, so a failure leaves the transaction usable.
func step(ctx context.Context, tx pgx.Tx, stmt string) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	if _, err := sp.Exec(ctx, stmt); err != nil {
		_ = sp.Rollback(ctx)
		return err
	}
	return sp.Commit(ctx)
}

func failed(r Result, what string, err error) Result {
	r.Status = Failed
	r.Problems = append(r.Problems, what+": "+err.Error())
	return r
}
