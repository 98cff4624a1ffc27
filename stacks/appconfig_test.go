package stacks_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// readPath is the document's stack.database.replicaEndpoints in an Azure
// plan (whose key-value holds the document in the clear), nil if absent.
func readPath(t *testing.T, p *plan.Plan) []string {
	t.Helper()
	for _, r := range p.Resources {
		if r.Type != "azure-native:appconfiguration:KeyValue" || r.Name != "app-document" {
			continue
		}
		var doc struct {
			Stack struct {
				Database struct{ ReplicaEndpoints []string }
			}
		}
		if err := json.Unmarshal([]byte(r.Inputs["value"].(string)), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Stack.Database.ReplicaEndpoints
	}
	t.Fatal("no app-document key-value")
	return nil
}

// The app's configuration document names the read replicas the stack made
// (the database.replicaEndpoints output), in prod and in its DR rebuild, so
// the app reads from them. Broken variant: a document without them.
func TestTheAppConfigurationNamesTheReadReplicas(t *testing.T) {
	for _, stack := range []string{"prod-azure", "prod-azure-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			var want []string
			if db, ok := p.Outputs["database"].(map[string]any); ok {
				raw, _ := json.Marshal(db["replicaEndpoints"])
				_ = json.Unmarshal(raw, &want)
			}
			got := readPath(t, p)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("document's replicaEndpoints = %v, the database's %v", got, want)
			}
			if slices.Equal(got[:0], want) {
				t.Error("a document without the replicas matches the database's")
			}
		})
	}
}
