package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/ciaccess"
)

// ci makes the identities GitHub Actions deploys the stack with (OIDC
// federation, no stored keys), on every cloud the stack has a site on, and
// exports what the workflows sign in with: `pulumi stack output ci`.
// A recovery makes none: on-call runs it, not CI.
func (b *build) ci() error {
	if b.cfg.CI == nil || b.src != nil {
		return nil
	}
	access, err := ciaccess.NewAccess(b.ctx, "ci", &ciaccess.AccessArgs{Deployment: b.dep, Settings: *b.cfg.CI})
	if err != nil {
		return err
	}
	out := pulumi.Map{}
	for cloud, id := range access.Identities {
		out[string(cloud)] = pulumi.Map{"deploy": id.Deploy, "preview": id.Preview, "federation": id.Federation}
	}
	b.ctx.Export("ci", out)
	return nil
}
