package plan

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The plan shows the stack's outputs as `pulumi stack output` would, with
// secrets masked.
func TestPlanShowsTheStackOutputs(t *testing.T) {
	p, err := Run(Options{Project: "wedsync", Stack: "dev"}, func(ctx *pulumi.Context) error {
		ctx.Export("region", pulumi.String("eu-west-2"))
		ctx.Export("tiers", pulumi.Array{pulumi.Map{"bucket": pulumi.String("b"), "retentionDays": pulumi.Int(35)}})
		ctx.Export("password", pulumi.ToSecret(pulumi.String("hunter2")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tiers, _ := p.Outputs["tiers"].([]any)
	if p.Outputs["region"] != "eu-west-2" || len(tiers) != 1 || p.Outputs["password"] != core.SecretMarker {
		t.Fatalf("outputs = %#v", p.Outputs)
	}
	if tier, _ := tiers[0].(map[string]any); tier["bucket"] != "b" || tier["retentionDays"] != 35 {
		t.Fatalf("tiers[0] = %#v", tiers[0])
	}
}
