package dr

import (
	"slices"
	"strings"
	"testing"
)

// azureLogged are the resources of an Azure stack whose logs on-call and
// GDPR reads: every flexible server (the primary and its read replicas),
// the app configuration store, and the backup accounts the stack uses.
func azureLogged(p jsonPlan) []string {
	var out []string
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, "azure-native:dbforpostgresql") && strings.HasSuffix(r.Type, ":Server") || r.Type == "azure-native:appconfiguration:ConfigurationStore" {
			out = append(out, r.ID)
		}
	}
	for _, r := range all(p, "wedsync:recovery:Recovery") {
		if m, ok := r.Inputs["backupAccountsFailedOver"].(map[string]any); ok {
			for _, name := range m {
				out = append(out, "storageAccounts/"+name.(string)+"/blobServices/default")
			}
		}
	}
	return out
}

// unloggedInRegion are the logged resources of p whose logs reach no Log
// Analytics workspace of p in region: a workspace elsewhere was lost with
// the source's region.
func unloggedInRegion(p jsonPlan, region string) []string {
	var workspaces []string
	for _, w := range all(p, "azure-native:operationalinsights:Workspace") {
		if s(w.Inputs, "location") == region {
			workspaces = append(workspaces, w.ID)
		}
	}
	var out []string
	for _, id := range azureLogged(p) {
		logged := slices.ContainsFunc(all(p, "azure-native:insights:DiagnosticSetting"), func(d jsonResource) bool {
			return strings.HasSuffix(s(d.Inputs, "resourceUri"), id) && slices.Contains(workspaces, s(d.Inputs, "workspaceId"))
		})
		if !logged {
			out = append(out, id)
		}
	}
	return out
}

// The Azure DR stack's servers, read replica, configuration store and the
// backup accounts it took over log to a workspace in its own region, and
// each account pages when no backup arrives in it. Broken variant: the
// database's diagnostic settings dropped.
func TestTheAzureDRStackLogsAndWatchesInItsRegion(t *testing.T) {
	res := planOf(t, "prod-azure-dr")
	p, region := asJSON(t, res), res.Config.Region
	logged := azureLogged(p)
	if len(logged) < 6 {
		t.Fatalf("logged resources %v: want two servers, the store and three accounts", logged)
	}
	for _, id := range unloggedInRegion(p, region) {
		t.Errorf("%s: no diagnostic setting to a workspace in %s", id, region)
	}
	for _, r := range all(p, "wedsync:recovery:Recovery") {
		for purpose, name := range r.Inputs["backupAccountsFailedOver"].(map[string]any) {
			alarm := one(p, "azure-native:insights:MetricAlert", func(a jsonResource) bool { return a.Name == purpose+"-freshness" })
			if alarm == nil || !strings.HasSuffix(s(alarm.Inputs, "scopes", "0"), "/storageAccounts/"+name.(string)) {
				t.Errorf("no freshness alarm on the %s account %s", purpose, name)
			}
		}
	}
	p.Resources = slices.DeleteFunc(p.Resources, func(r jsonResource) bool {
		return r.Type == "azure-native:insights:DiagnosticSetting" && strings.Contains(s(r.Inputs, "resourceUri"), "flexibleServers")
	})
	if len(unloggedInRegion(p, region)) == 0 {
		t.Error("a DR plan whose servers log nowhere passes")
	}
}
