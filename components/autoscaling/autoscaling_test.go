package autoscaling

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// The token's module is the package's name; groups deployed under the
// earlier "compute" token must update in place, not be replaced, so that
// token stays an alias.
func TestTheGroupRegistersAsAutoscalingAndKeepsItsComputeTokenAsAnAlias(t *testing.T) {
	regs := testkit.Registrations(t, core.Prod, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, core.AWS, core.Prod, juneWednesday)
		if err != nil {
			return err
		}
		_, err = NewAutoscalingGroup(ctx, "app", args)
		return err
	})
	if Type != "wedsync:autoscaling:AutoscalingGroup" {
		t.Errorf("Type = %q, want the module to be the package's name", Type)
	}
	groups := testkit.Registered(regs, "wedsync:autoscaling:AutoscalingGroup")
	if len(groups) != 1 {
		t.Fatalf("%d groups registered as wedsync:autoscaling:AutoscalingGroup, want 1", len(groups))
	}
	if !slices.Contains(groups[0].AliasTypes, "wedsync:compute:AutoscalingGroup") {
		t.Errorf("aliases = %v, want wedsync:compute:AutoscalingGroup", groups[0].AliasTypes)
	}
}
