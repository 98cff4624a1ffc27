package database

import (
	"slices"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Parameter is one PostgreSQL server parameter, cloud-neutral: each cloud
// file writes it in its own form (RDS parameter group, Cloud SQL flag,
// flexible server configuration), booleans included (on is "1" on RDS).
type Parameter struct {
	Name string
	// Value is PostgreSQL's: "on", "off", a number or a list.
	Value string
	// Clouds are where it exists (nil: every cloud).
	Clouds []core.Cloud
	// Restart is set for a static parameter, which takes effect only when
	// the server restarts: RDS applies it at the next reboot
	// (pending-reboot); Cloud SQL restarts the instance itself when such a
	// flag changes; an Azure server applies it at its next restart
	// (`az postgres flexible-server restart` after the first deploy).
	Restart bool
}

// preloaded are the libraries every server loads at start:
// pg_stat_statements (normalized statements, the slow-query record that
// carries no literals) and pgaudit (the audit log of writes).
const preloaded = "pg_stat_statements,pgaudit"

// ServerParameters is the one table of the server parameters every
// database sets, logging and performance alike, each row translated per
// cloud by serverParameters:
//
//   - Logging: the connection and session events, lock waits and temporary
//     files the CIS benchmarks ask for (CIS GCP 6.2.x, CIS Azure's flexible
//     server parameters), and Azure's connection throttling, which logs and
//     slows repeated failed sign-ins.
//   - Statistics and audit: pg_stat_statements and pgaudit, loaded where the
//     cloud needs it said; pgaudit logs writes and schema changes
//     (write,ddl), never reads, and never the values bound to a statement.
//   - Safety: a statement timeout and an idle-in-transaction timeout, so a
//     runaway query or a forgotten transaction cannot hold locks and WAL
//     for ever (migrations and exports that need longer set their own, per
//     session: pg_dump sets statement_timeout=0 itself).
//
// Nothing here writes guest data into the logs. log_min_duration_statement
// is deliberately left unset (-1): it logs each slow statement's text with
// its literals (guests' names and addresses), and CIS GCP asks for it to be
// disabled; slow statements come from pg_stat_statements and each cloud's
// query insights, which store normalized statements. pgaudit logs the
// statement's text without its bind parameters (pgaudit.log_parameter off),
// and the application binds every value. log_checkpoints is not set
// either: it is on by default since PostgreSQL 15, the oldest version
// core.PostgresVersions admits.
var ServerParameters = []Parameter{
	{Name: "log_connections", Value: "on"},
	{Name: "log_disconnections", Value: "on"},
	{Name: "log_lock_waits", Value: "on"},
	// Every temporary file, whatever its size.
	{Name: "log_temp_files", Value: "0"},
	{Name: "connection_throttle.enable", Value: "on", Clouds: []core.Cloud{core.Azure}},
	// RDS preloads pg_stat_statements by default and pgaudit once listed
	// here: docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.pgaudit.basic-setup.html
	// Azure: learn.microsoft.com/azure/postgresql/extensions/how-to-load-libraries
	// Cloud SQL preloads pg_stat_statements itself and has no
	// shared_preload_libraries flag (cloud.google.com/sql/docs/postgres/extensions).
	{Name: "shared_preload_libraries", Value: preloaded, Clouds: []core.Cloud{core.AWS, core.Azure}, Restart: true},
	// Azure allows an extension to be created only once listed here:
	// learn.microsoft.com/azure/postgresql/flexible-server/concepts-extensions
	{Name: "azure.extensions", Value: preloaded, Clouds: []core.Cloud{core.Azure}},
	// Cloud SQL's switch for pgaudit (restarts the instance):
	// cloud.google.com/sql/docs/postgres/pg-audit
	{Name: "cloudsql.enable_pgaudit", Value: "on", Clouds: []core.Cloud{core.GCP}},
	// Writes and schema changes to guest data, not reads (pages above; the
	// same flag name on every cloud: docs.azure.cn/postgresql/flexible-server/concepts-audit).
	{Name: "pgaudit.log", Value: "write,ddl"},
	// The statement's text only, never the values bound to it.
	{Name: "pgaudit.log_parameter", Value: "off"},
	// Milliseconds: a web request never waits a minute for a query
	// (www.postgresql.org/docs/current/runtime-config-client.html); a
	// supported flag on Cloud SQL (cloud.google.com/sql/docs/postgres/flags),
	// a parameter of the RDS group and of the flexible server.
	{Name: "statement_timeout", Value: "60000"},
	{Name: "idle_in_transaction_session_timeout", Value: "60000"},
}

// ServerParametersOn are the table's rows on cloud, values in that cloud's
// form.
func ServerParametersOn(cloud core.Cloud) []Parameter {
	var out []Parameter
	for _, p := range ServerParameters {
		if len(p.Clouds) > 0 && !slices.Contains(p.Clouds, cloud) {
			continue
		}
		if b, ok := map[string]string{"on": "1", "off": "0"}[p.Value]; ok && cloud == core.AWS {
			p.Value = b
		}
		out = append(out, p)
	}
	return out
}
