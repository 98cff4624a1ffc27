package ciaccess

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// TestTypeKeepsTheOldTokenAsAlias: the component registers as Type, whose
// module is the package, and keeps the token stacks were deployed under as
// an alias, so they update in place instead of replacing CI's identities.
func TestTypeKeepsTheOldTokenAsAlias(t *testing.T) {
	if Type != "wedsync:ciaccess:Access" {
		t.Errorf("Type = %s, want the module to be the package name", Type)
	}
	regs := testkit.Registrations(t, core.Dev, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.AWS, core.Dev)
		if err != nil {
			return err
		}
		_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: Settings{Repository: repo}})
		return err
	})
	access := testkit.Registered(regs, "wedsync:ciaccess:Access")
	if len(access) != 1 {
		t.Fatalf("%d registered as wedsync:ciaccess:Access, want 1", len(access))
	}
	if !slices.Contains(access[0].AliasTypes, "wedsync:ci:Access") {
		t.Errorf("aliases %v lack the old token wedsync:ci:Access", access[0].AliasTypes)
	}
}
