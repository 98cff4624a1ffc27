package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/dbusers"
)

// AppPasswordEnv holds the password of the AWS writer, the one in RDS
// Proxy's secret (the deploy job reads it with the AWS CLI).
const AppPasswordEnv = "WEDSYNC_APP_DB_PASSWORD"

const dbUsersExitCodes = `Exit codes: 0 every user is there with its access (created now or already
present; --dry-run: would be); 1 a user failed, is missing (GCP: the stack
creates it, run up) or holds more than its access (each named, with what to
revoke), or the signed-in role is not a member of the migrations' role
(with the GRANT to run once); nothing is committed then; 2 bad arguments, no database.appUsers
output, or the database cannot be reached (the message says what to check).`

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "The stack's database, after up: the application's users",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDBUsersCmd())
	return cmd
}

type dbUsersFlags struct {
	backupFlags
	databaseURL string
	dryRun      bool
	json        bool
}

func newDBUsersCmd() *cobra.Command {
	var f dbUsersFlags
	cmd := &cobra.Command{
		Use:   "users --stack S [--database-url URL] [--dry-run] [--json]",
		Short: "Create the application's database users the cloud's API cannot, with the least grants; idempotent",
		Long: `users reads the stack's database output (endpoint, port, name, appUsers) and
makes exactly the users it names, in one transaction (internal/dbusers has
the SQL and the documents it follows):
  AWS    the writer RDS Proxy signs in as, with the password from
         $` + AppPasswordEnv + ` (the one in the proxy's secret), set on every
         run (a database restored from another stack keeps that stack's),
         sent as a SCRAM verifier, never as text; and, with read replicas,
         the replicas' IAM user, a member of rds_iam;
  Azure  the scale set's managed identity as a non-admin Entra principal
         (pgaadauth_create_principal_with_oid, objectType service);
  GCP    none: the stack creates the IAM users; here they get their grants.
Each gets CONNECT on the app database, USAGE on schema public, and on its
tables and sequences SELECT, INSERT, UPDATE, DELETE and USAGE (readers:
SELECT), on those there now and, through default privileges of the
migrations' role (the owner of schema public), on those created later.
Never SUPERUSER, CREATEROLE, CREATEDB or CREATE: a user holding more is
reported. A second run changes nothing and says "already present". Run by
the deploy path after every up (.github/actions/db-users).

Sign in as an administrator of the database:
  AWS    the master user: PGUSER=wedsync_admin and PGPASSWORD from the
         RDS-managed secret (the stack's database.credentialsSecret), read
         with 'aws secretsmanager get-secret-value' (this binary has no
         Secrets Manager client);
  Azure  an Entra administrator: PGUSER its name (CI's db-users identity:
         the stack's ci.azure["db-users-role"]; a person: the
         administrators group's name), PGPASSWORD=$(az account
         get-access-token --resource-type oss-rdbms --query accessToken
         -o tsv);
  GCP    an administrator's IAM user (CI's db-users service account's, or
         a person's), PGPASSWORD=$(gcloud auth print-access-token).
The signed-in role must be a member of the schema's owner (default
privileges are the creating role's): on AWS the master user is the owner;
on GCP and Azure grant it once, as an administrator: GRANT "OWNER" TO
"DB_USERS_ROLE" (else exit 1, naming both).
--database-url defaults to postgres://ENDPOINT:PORT/NAME?sslmode=require
with PGUSER and PGPASSWORD. The runner must reach the private endpoint (a
runner in the stack's network): after 15 s without an answer it stops,
naming the host and port (exit 2).

` + dbUsersExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "the stack whose users to make (required)")
	fl.StringVar(&f.from, "from", "stack", "where the users come from: stack ('pulumi stack output') or plan (the offline plan)")
	fl.StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json'")
	fl.StringVar(&f.databaseURL, "database-url", "", "the app database as an administrator: postgres://USER@HOST:PORT/DB (default: the stack's endpoint, PGUSER, PGPASSWORD)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "do everything in a transaction and roll it back: say what a run would do")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	return cmd
}

func (f *dbUsersFlags) run(cmd *cobra.Command) error {
	if f.stack == "" {
		return invalid(errors.New("--stack is required"))
	}
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return invalid(err)
	}
	plan, err := dbusers.FromOutputs(f.stack, outputs)
	if err != nil {
		return invalid(fmt.Errorf("the stack's database output: %w", err))
	}
	target, err := f.target(plan)
	if err != nil {
		return invalid(err)
	}
	ctx := commandContext(cmd)
	conn, err := connectAdmin(ctx, f.stack, target)
	if err != nil {
		return invalid(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	rep, err := dbusers.Apply(ctx, conn, plan, dbusers.Options{DryRun: f.dryRun, Password: os.Getenv(AppPasswordEnv)})
	if err != nil {
		return invalid(fmt.Errorf("db users of %s: %w", f.stack, err))
	}
	if f.json {
		data, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(cmd.OutOrStdout(), string(data))
	} else {
		writeDBUsers(cmd.OutOrStdout(), rep)
	}
	if !rep.OK() {
		return &exitError{code: ExitViolation, err: fmt.Errorf("db users of %s: the users above need attention; nothing was committed", f.stack)}
	}
	return nil
}

// dbConnectTimeout is how long `db users` waits for the database before
// saying it cannot reach it: a runner outside the stack's network waits
// for nothing else (a private endpoint drops, not refuses, its packets).
var dbConnectTimeout = 15 * time.Second

// runnerRequirement is what a failed connection names: where db users must
// run, and where that is set up.
const runnerRequirement = "db users must run where the database's private endpoint is reachable: on a runner in the stack's network " +
	"(in the deploy workflows, the self-hosted runner the repository variable DB_RUNNERS names for the stack; README, \"The application's database users: db users\")"

// connectAdmin signs in to target, giving up after dbConnectTimeout, and
// says which of the two usual causes it is: the endpoint is out of reach
// (host, port and the runner requirement), or it answered and refused the
// administrator.
func connectAdmin(ctx context.Context, stack, target string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(target)
	if err != nil {
		return nil, fmt.Errorf("the database URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > dbConnectTimeout {
		cfg.ConnectTimeout = dbConnectTimeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn, nil
	}
	where := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	var op *net.OpError
	var dns *net.DNSError
	if pgconn.Timeout(err) || errors.As(err, &op) || errors.As(err, &dns) {
		return nil, fmt.Errorf("the database of %s at %s (host %s, port %d) cannot be reached within %s: %w; %s",
			stack, where, cfg.Host, cfg.Port, cfg.ConnectTimeout, err, runnerRequirement)
	}
	return nil, fmt.Errorf("the database of %s at %s answered but refused the administrator: %w; check PGUSER/PGPASSWORD (see --help)", stack, where, err)
}

// target is the URL to sign in with: --database-url, which must name the
// plan's database, else the stack's endpoint.
func (f *dbUsersFlags) target(plan dbusers.Plan) (string, error) {
	if f.databaseURL == "" {
		if plan.Host == "" {
			return "", errors.New("the database output has no endpoint: give --database-url")
		}
		port := plan.Port
		if port == 0 {
			port = 5432
		}
		u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(plan.Host, strconv.Itoa(port)), Path: "/" + plan.Database, RawQuery: "sslmode=require"}
		return u.String(), nil
	}
	u, err := url.Parse(f.databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("--database-url %q: use postgres://USER@HOST:PORT/DB", f.databaseURL)
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != plan.Database {
		return "", fmt.Errorf("--database-url names database %q: the stack's app database is %q, where the grants belong", db, plan.Database)
	}
	return f.databaseURL, nil
}

func writeDBUsers(w io.Writer, rep dbusers.Report) {
	dry := ""
	if rep.DryRun {
		dry = " (dry run: rolled back)"
	}
	fmt.Fprintf(w, "database users of %s in %s%s\n", rep.Stack, rep.Database, dry)
	if rep.MigrationsRole != "" {
		fmt.Fprintf(w, "  tables the migrations create later: through the default privileges of %s (owner of schema %s)\n", rep.MigrationsRole, dbusers.Schema)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  PROBLEM %s\n", p)
	}
	for _, u := range rep.Users {
		fmt.Fprintf(w, "  %s (%s, %s): %s\n", u.Name, u.Access, u.SignIn, u.Status)
		for _, a := range u.Applied {
			fmt.Fprintf(w, "    + %s\n", a)
		}
		switch {
		case u.PasswordSet:
			fmt.Fprintln(w, "    = password set to RDS Proxy's (every run)")
		case u.SignIn == dbusers.Password && u.Status == dbusers.Present:
			fmt.Fprintf(w, "    ! password left as it was: $%s is empty\n", AppPasswordEnv)
		}
		for _, p := range u.Problems {
			fmt.Fprintf(w, "    PROBLEM %s\n", p)
		}
	}
	if len(rep.Users) == 0 && len(rep.Problems) == 0 {
		fmt.Fprintln(w, "  the stack names no users")
	}
}
