package stacks_test

import (
	"fmt"
	stdmaps "maps"
	"slices"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// shippedProd are the shipped prod stacks, DR rebuilds included, by cloud.
var shippedProd = map[string]core.Cloud{
	"prod": core.AWS, "prod-dr": core.AWS, "prod-gcp": core.GCP, "prod-gcp-dr": core.GCP,
	"prod-azure": core.Azure, "prod-azure-dr": core.Azure,
}

// dbServers are the database's servers in p (the primary "main" and its
// read replicas "main-read1", ...), by logical name.
func dbServers(p *plan.Plan, cloud core.Cloud) map[string]plan.Resource {
	typ := map[core.Cloud]string{core.AWS: "aws:rds/instance:Instance", core.GCP: "gcp:sql/databaseInstance:DatabaseInstance",
		core.Azure: "azure-native:dbforpostgresql/v20240801:Server"}[cloud]
	out := map[string]plan.Resource{}
	for _, r := range p.Resources {
		if r.Type == typ && strings.Contains(r.Parent, "wedsync:database:Database") && (r.Name == "main" || strings.HasPrefix(r.Name, "main-read")) {
			out[r.Name] = r
		}
	}
	return out
}

// serverParameters are the PostgreSQL parameters the plan sets on server,
// as the cloud writes them.
func serverParameters(p *plan.Plan, cloud core.Cloud, server plan.Resource) map[string]any {
	out := map[string]any{}
	pairs := func(list any) {
		for _, e := range asList(list) {
			if m, ok := e.(map[string]any); ok {
				out[fmt.Sprint(m["name"])] = m["value"]
			}
		}
	}
	switch cloud {
	case core.AWS:
		for _, r := range p.Resources {
			if r.Type == "aws:rds/parameterGroup:ParameterGroup" && r.Inputs["name"] == server.Inputs["parameterGroupName"] {
				pairs(r.Inputs["parameters"])
			}
		}
	case core.GCP:
		flags, _ := plan.Lookup(server.Inputs, "settings", "databaseFlags")
		pairs(flags)
	case core.Azure:
		for _, r := range p.Resources {
			if strings.HasSuffix(r.Type, ":Configuration") && r.Inputs["serverName"] == server.Inputs["serverName"] {
				out[fmt.Sprint(r.Inputs["configurationName"])] = r.Inputs["value"]
			}
		}
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

// missingParameters lists the table's rows got lacks or sets otherwise on
// cloud, and any statement logging that writes literals.
func missingParameters(got map[string]any, cloud core.Cloud) []string {
	var out []string
	for _, p := range database.ServerParametersOn(cloud) {
		if got[p.Name] != p.Value {
			out = append(out, fmt.Sprintf("%s = %v, want %s", p.Name, got[p.Name], p.Value))
		}
	}
	if v, ok := got["log_min_duration_statement"]; ok {
		out = append(out, fmt.Sprintf("log_min_duration_statement = %v logs statement literals", v))
	}
	return out
}

// Every shipped prod plan, on every cloud, sets the one parameter table
// (logging, pg_stat_statements, pgaudit for writes, the timeouts) on its
// primary and on each read replica, with each row's value in the cloud's
// form; a server that lost a row, or took another value, is caught.
func TestEveryShippedProdDatabaseCarriesTheParameterTable(t *testing.T) {
	for stack, cloud := range shippedProd {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			servers := dbServers(p, cloud)
			if _, ok := servers["main"]; !ok || len(servers) < 2 {
				t.Fatalf("want the primary and at least one read replica, plan has %v", slices.Collect(stdmaps.Keys(servers)))
			}
			for name, server := range servers {
				got := serverParameters(p, cloud, server)
				if problems := missingParameters(got, cloud); len(problems) > 0 {
					t.Errorf("%s: %v", name, problems)
				}
				for _, row := range []string{"pgaudit.log", "statement_timeout", "idle_in_transaction_session_timeout"} {
					broken := stdmaps.Clone(got)
					broken[row] = "0"
					if len(missingParameters(broken, cloud)) == 0 {
						t.Errorf("%s with %s = 0 passes", name, row)
					}
				}
			}
		})
	}
}

// Each shipped prod plan reads from a replica in another zone than the
// primary's, exported as the read path; on Azure every server sends its
// logs to the stack's workspace.
func TestEveryShippedProdPlanHasReadReplicasAndAzureLogs(t *testing.T) {
	for stack, cloud := range shippedProd {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			servers := dbServers(p, cloud)
			for name, r := range servers {
				if name == "main" {
					continue
				}
				zone := r.Inputs["availabilityZone"]
				if cloud == core.GCP {
					zone, _ = plan.Lookup(r.Inputs, "settings", "locationPreference", "zone")
				}
				primaryZone := servers["main"].Inputs["availabilityZone"]
				if cloud == core.GCP {
					primaryZone, _ = plan.Lookup(servers["main"].Inputs, "settings", "locationPreference", "zone")
				}
				if zone == "" {
					zone = nil
				}
				// ukwest (prod-azure-dr) has no zones at all.
				if (zone == nil && stack != "prod-azure-dr") || zone != nil && zone == primaryZone {
					t.Errorf("%s is in zone %v, the primary in %v", name, zone, primaryZone)
				}
			}
			// A recovery has no workspace of its own yet: its source's audit
			// workspace may be in the lost region (as for the vault's and the
			// backup accounts' logs).
			if cloud != core.Azure || stack == "prod-azure-dr" {
				return
			}
			logged := map[any]bool{}
			for _, r := range p.Resources {
				if r.Type == "azure-native:insights:DiagnosticSetting" && strings.Contains(r.Parent, "wedsync:database:Database") && r.Inputs["workspaceId"] != nil {
					logged[r.Inputs["resourceUri"]] = true
				}
			}
			for name, r := range servers {
				if !logged[r.ID] {
					t.Errorf("%s sends its logs nowhere", name)
				}
			}
		})
	}
}
