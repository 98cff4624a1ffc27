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
	// Value is PostgreSQL's: "on", "off" or a number.
	Value string
	// Clouds are where it exists (nil: every cloud).
	Clouds []core.Cloud
}

// ServerParameters is the one table of what every database logs (and the
// place for any other server parameter the stacks set): the connection
// and session events, lock waits and temporary files the CIS benchmarks
// ask for (CIS GCP 6.2.x, CIS Azure's flexible server parameters), and
// Azure's connection throttling, which logs and slows repeated failed
// sign-ins.
//
// Nothing here writes guest data into the logs. log_min_duration_statement
// is deliberately left unset (-1): it logs each slow statement's text with
// its literals (guests' names and addresses), and CIS GCP asks for it to be
// disabled; slow statements come from pg_stat_statements and each cloud's
// query insights, which store normalized statements. log_checkpoints is
// not set either: it is on by default since PostgreSQL 15, the oldest
// version core.PostgresVersions admits.
var ServerParameters = []Parameter{
	{Name: "log_connections", Value: "on"},
	{Name: "log_disconnections", Value: "on"},
	{Name: "log_lock_waits", Value: "on"},
	// Every temporary file, whatever its size.
	{Name: "log_temp_files", Value: "0"},
	{Name: "connection_throttle.enable", Value: "on", Clouds: []core.Cloud{core.Azure}},
}

// serverParameters are the table's rows on cloud, values in that cloud's
// form.
func serverParameters(cloud core.Cloud) []Parameter {
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
