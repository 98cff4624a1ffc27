package database

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// The database registers under its package's module, and everything it
// creates is its child on an explicit provider: nothing escapes the
// component or falls back to an ambient provider.
func TestDatabaseRegistersItsTypeAndParentsEveryChild(t *testing.T) {
	if Type != "wedsync:database:Database" {
		t.Errorf("Type = %q, want wedsync:database:Database (the module is the package name)", Type)
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			r := planDB(t, cloud, core.Prod, nil)
			db := testkit.One(t, r.Plan, "wedsync:database:Database")
			children := 0
			for _, res := range r.Resources {
				if !res.Custom || strings.HasPrefix(res.Type, "pulumi:providers:") {
					continue
				}
				children++
				if res.Parent != db.URN {
					t.Errorf("%s %s: parent %q, want the database", res.Type, res.Name, res.Parent)
				}
				if res.Provider == "" {
					t.Errorf("%s %s has no explicit provider", res.Type, res.Name)
				}
			}
			if children == 0 {
				t.Error("the database created nothing")
			}
		})
	}
}
