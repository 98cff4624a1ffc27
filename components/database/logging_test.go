package database

import (
	"maps"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// serverParams reads the parameters set on the database server named name
// (the primary "main", or a read replica "main-read1") in the cloud's form.
func serverParams(t *testing.T, p *plan.Plan, cloud core.Cloud, name string) map[string]any {
	t.Helper()
	switch cloud {
	case core.AWS:
		db := primaryOf(t, p, rdsInstance)
		if name != "main" {
			for _, r := range testkit.OfType(p, rdsInstance) {
				if r.Name == name {
					db = r
				}
			}
		}
		for _, g := range testkit.OfType(p, rdsParams) {
			if g.Inputs["name"] == db.Inputs["parameterGroupName"] {
				return pairs(testkit.Get(g, "parameters"), "name", "value")
			}
		}
	case core.GCP:
		for _, r := range testkit.OfType(p, sqlInstance) {
			if r.Name == name {
				return pairs(testkit.Get(r, "settings.databaseFlags"), "name", "value")
			}
		}
	case core.Azure:
		var server any
		for _, r := range testkit.OfType(p, azServer) {
			if r.Name == name {
				server = r.Inputs["serverName"]
			}
		}
		out := map[string]any{}
		for _, c := range testkit.OfType(p, azConfig) {
			if c.Inputs["serverName"] == server {
				out[c.Inputs["configurationName"].(string)] = c.Inputs["value"]
			}
		}
		return out
	}
	t.Fatalf("no %s server %s", cloud, name)
	return nil
}

// tableProblems lists what got (a server's parameters) lacks of the table
// on cloud, or sets that logs statement literals.
func tableProblems(got map[string]any, cloud core.Cloud) []string {
	var out []string
	for _, p := range ServerParametersOn(cloud) {
		if got[p.Name] != p.Value {
			out = append(out, p.Name+" = "+strings.TrimSpace(strings.ReplaceAll(stringOf(got[p.Name]), "\n", " "))+", want "+p.Value)
		}
	}
	if v, ok := got["log_min_duration_statement"]; ok {
		out = append(out, "log_min_duration_statement = "+stringOf(v)+": it logs statement literals")
	}
	return out
}

func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "<unset>"
}

// Every cloud's database and each of its read replicas set the one
// table, in the cloud's own form, and nothing that logs statement text; a
// server missing a row, or with a wrong value, is caught.
func TestEveryDatabaseSetsTheParameterTable(t *testing.T) {
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := planDB(t, cloud, core.Prod, nil).Plan
			for _, server := range []string{"main", "main-read1"} {
				got := serverParams(t, p, cloud, server)
				if problems := tableProblems(got, cloud); len(problems) > 0 {
					t.Errorf("%s: %v", server, problems)
				}
				for _, row := range []string{"pgaudit.log", "statement_timeout"} {
					broken := maps.Clone(got)
					delete(broken, row)
					if len(tableProblems(broken, cloud)) == 0 {
						t.Errorf("%s without %s passes", server, row)
					}
				}
				broken := maps.Clone(got)
				broken["log_min_duration_statement"] = "0"
				if len(tableProblems(broken, cloud)) == 0 {
					t.Errorf("%s logging statement literals passes", server)
				}
			}
		})
	}
}

// Each row is written as each cloud names and loads it.
func TestParameterTableIsTranslatedPerCloud(t *testing.T) {
	on := func(cloud core.Cloud) map[string]Parameter {
		out := map[string]Parameter{}
		for _, p := range ServerParametersOn(cloud) {
			out[p.Name] = p
		}
		return out
	}
	aws, gcp, azure := on(core.AWS), on(core.GCP), on(core.Azure)
	if aws["log_connections"].Value != "1" || aws["pgaudit.log_parameter"].Value != "0" {
		t.Errorf("RDS booleans = %q/%q, want the group's 1/0", aws["log_connections"].Value, aws["pgaudit.log_parameter"].Value)
	}
	for cloud, params := range map[core.Cloud]map[string]Parameter{core.AWS: aws, core.Azure: azure} {
		if lib := params["shared_preload_libraries"]; !strings.Contains(lib.Value, "pgaudit") || !strings.Contains(lib.Value, "pg_stat_statements") || !lib.Restart {
			t.Errorf("%s shared_preload_libraries = %+v, want pgaudit and pg_stat_statements, static", cloud, lib)
		}
	}
	if _, ok := gcp["shared_preload_libraries"]; ok || gcp["cloudsql.enable_pgaudit"].Value != "on" {
		t.Errorf("Cloud SQL takes cloudsql.enable_pgaudit, not shared_preload_libraries: %v", gcp)
	}
	if v := azure["azure.extensions"].Value; !strings.Contains(v, "pgaudit") || !strings.Contains(v, "pg_stat_statements") {
		t.Errorf("azure.extensions = %q, want both extensions allowed", v)
	}
	if _, ok := azure["connection_throttle.enable"]; !ok {
		t.Error("Azure's connection throttling is missing")
	}
	for _, params := range []map[string]Parameter{aws, gcp} {
		if _, ok := params["connection_throttle.enable"]; ok {
			t.Error("connection_throttle.enable is Azure's only")
		}
	}
	for _, row := range ServerParameters {
		if row.Name == "log_min_duration_statement" {
			t.Error("the table sets log_min_duration_statement, which logs statement literals")
		}
	}
	// RDS refuses to apply a static parameter immediately.
	r := planDB(t, core.AWS, core.Prod, nil)
	for _, p := range testkit.Get(testkit.One(t, r.Plan, rdsParams), "parameters").([]any) {
		m := p.(map[string]any)
		if m["name"] == "shared_preload_libraries" && m["applyMethod"] != "pending-reboot" {
			t.Errorf("shared_preload_libraries applies %v, want pending-reboot", m["applyMethod"])
		}
	}
}

func pairs(v any, key, value string) map[string]any {
	out := map[string]any{}
	list, _ := v.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if k, ok := m[key].(string); ok {
				out[k] = m[value]
			}
		}
	}
	return out
}
