package database

import (
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// Every cloud's database sets the logging table, in the cloud's own form,
// and nothing that logs statement text.
func TestEveryDatabaseLogsWhatTheTableSays(t *testing.T) {
	read := map[core.Cloud]func(p *plan.Plan) map[string]any{
		core.AWS: func(p *plan.Plan) map[string]any {
			return pairs(testkit.Get(testkit.One(t, p, rdsParams), "parameters"), "name", "value")
		},
		core.GCP: func(p *plan.Plan) map[string]any {
			return pairs(testkit.Get(testkit.OfType(p, "gcp:sql/databaseInstance:DatabaseInstance")[0], "settings.databaseFlags"), "name", "value")
		},
		core.Azure: func(p *plan.Plan) map[string]any {
			out := map[string]any{}
			for _, c := range testkit.OfType(p, azConfig) {
				out[c.Inputs["configurationName"].(string)] = c.Inputs["value"]
			}
			return out
		},
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			got := read[cloud](planDB(t, cloud, core.Prod, nil).Plan)
			for _, p := range serverParameters(cloud) {
				if got[p.Name] != p.Value {
					t.Errorf("%s = %v, want %s", p.Name, got[p.Name], p.Value)
				}
			}
			if v, ok := got["log_min_duration_statement"]; ok {
				t.Errorf("log_min_duration_statement = %v: it logs statement literals", v)
			}
		})
	}
	if got := serverParameters(core.AWS); got[0].Value != "1" {
		t.Errorf("RDS log_connections = %q, want the group's boolean 1", got[0].Value)
	}
	if n := len(serverParameters(core.GCP)); n != len(ServerParameters)-1 {
		t.Errorf("GCP has %d parameters, want all but Azure's throttling", n)
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
