package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/ingress"
)

// serve makes the app group and the load balancer in front of it, in the
// order the cloud joins them: on AWS and Azure the group joins the load
// balancer (the ASG's targetGroupArns, the scale set's gateway pool), so
// the ingress comes first; on GCP the backend service names the group, so
// the group comes first. A drill serves nothing: no group, no load
// balancer, no certificate (Recovery.Drill).
func (b *build) serve() error {
	if b.cfg.drilling() {
		return nil
	}
	if b.cfg.Cloud == core.GCP {
		if err := b.compute(); err != nil {
			return err
		}
		return b.ingress()
	}
	if err := b.ingress(); err != nil {
		return err
	}
	return b.compute()
}

// ingress is the stack's public entry point, and the stack output that
// says where the hostname points (`dr status` and the DR runbook read it).
func (b *build) ingress() (err error) {
	args := &ingress.IngressArgs{
		Deployment: b.dep,
		Settings:   b.cfg.Ingress,
		Network:    b.net.Network,
		Vault:      b.store.Key(core.Primary, core.SecretsKey),
		Alerts:     b.alerts.Target,
	}
	if b.group != nil {
		args.Backend = b.group.InstanceGroup
	}
	if b.web, err = ingress.NewIngress(b.ctx, "web", args); err != nil {
		return err
	}
	b.ctx.Export("ingress", pulumi.Map{
		"hostname":       b.web.Hostname,
		"url":            b.web.URL,
		"address":        b.web.Address,
		"loadBalancerId": b.web.LoadBalancerID,
		"failover":       pulumi.String(b.cfg.Ingress.Failover),
	})
	return nil
}

// lbPools are the pools the app group joins: the ingress's, when it was
// made first.
func (b *build) lbPools() pulumi.StringArrayOutput {
	if b.web == nil {
		return pulumi.StringArrayOutput{}
	}
	return b.web.Pools
}
