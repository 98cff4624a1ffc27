package secretsstore

import (
	"slices"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// TestTypeKeepsTheOldTokenAsAlias: the store registers as Type, whose
// module is the package, and keeps the token stacks were deployed under as
// an alias, so they update in place instead of replacing every key.
func TestTypeKeepsTheOldTokenAsAlias(t *testing.T) {
	if Type != "wedsync:secretsstore:SecretsStore" {
		t.Errorf("Type = %s, want the module to be the package name", Type)
	}
	s := scenario{cloud: core.AWS, env: core.Dev, noDR: true}
	stores := testkit.Registered(testkit.Registrations(t, core.Dev, s.program), "wedsync:secretsstore:SecretsStore")
	if len(stores) != 1 {
		t.Fatalf("%d stores registered as wedsync:secretsstore:SecretsStore, want 1", len(stores))
	}
	if !slices.Contains(stores[0].AliasTypes, "wedsync:secrets:SecretsStore") {
		t.Errorf("aliases %v lack the old token wedsync:secrets:SecretsStore", stores[0].AliasTypes)
	}
}
