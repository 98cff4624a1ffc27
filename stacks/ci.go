package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/ingress"
	"github.com/wedsync/wedsync-infra/components/network"
)

// record starts learning what the stack manages (every resource type it
// registers) for CI's deploy identity, which is made last from it.
func (b *build) record() error {
	b.managed = ciaccess.NewRecorder()
	return b.ctx.RegisterStackTransformation(b.managed.Record)
}

// ci makes the identities GitHub Actions deploys the stack with (OIDC
// federation, no stored keys), on every cloud the stack has a site on, and
// exports what the workflows sign in with: `pulumi stack output ci`.
// The deploy identity may do what the types the stack planned before this
// step need (the recorder's), and nothing more. A recovery makes none:
// on-call runs it, not CI.
func (b *build) ci() error {
	if b.cfg.CI == nil || b.src != nil {
		return nil
	}
	// The stack's own KMS key, as its stack file names it: CI's
	// identities on its cloud may use it (decrypt; deploy also encrypt).
	stateKey, err := ciaccess.ParseStateKey(b.cfg.SecretsProvider)
	if err != nil {
		return fmt.Errorf("stack %s: its stack file's %w", b.cfg.Stack, err)
	}
	access, err := ciaccess.NewAccess(b.ctx, "ci", &ciaccess.AccessArgs{
		Deployment: b.dep, Settings: *b.cfg.CI, Managed: b.managed.Managed(),
		AzureScopes: b.azureExtraScopes(), AzureDrillSources: b.azureDrillSources(),
		DBUsers:  b.dbUsersTarget(),
		StateKey: stateKey,
	})
	if err != nil {
		return err
	}
	out := pulumi.Map{}
	for cloud, id := range access.Identities {
		out[string(cloud)] = id.Map()
	}
	b.ctx.Export("ci", out)
	return nil
}

// azureDNSScopes is the hostname's record in the shared DNS zone (the
// zone's resource group holds every stack's records: the deploy role is
// assigned at the one record set, not the group).
func (b *build) azureExtraScopes() []string {
	if b.dep.Primary.Cloud != core.Azure {
		return nil
	}
	// The primary network's flow log joins the region's Network Watcher.
	scopes := []string{network.AzureFlowLogScope(b.dep.Primary.Region)}
	s := b.cfg.Ingress
	s.ApplyDefaults(b.cfg.Environment)
	if s.Failover == ingress.FailoverStandby || s.Hostname == "" {
		return scopes
	}
	return append(scopes, fmt.Sprintf("resourceGroups/%s/providers/Microsoft.Network/dnsZones/%s/A/%s",
		s.DNSResourceGroup, s.DNSZone, strings.TrimSuffix(s.Hostname, "."+s.DNSZone)))
}

// azureDrillSources is the db-exports storage account the restore drill
// reads, on Azure.
func (b *build) azureDrillSources() []pulumi.StringOutput {
	if b.dep.Primary.Cloud != core.Azure || b.dbExports == nil {
		return nil
	}
	return []pulumi.StringOutput{b.dbExports.BucketID}
}

// dbUsersTarget is the database `db users` signs in to after up, for CI's
// db-users identity: its server, and on AWS the master secret, RDS
// Proxy's secret and the keys that encrypt them (the data key the master
// secret, components/database/aws.go; the secrets key the proxy's,
// pooler.go).
func (b *build) dbUsersTarget() *ciaccess.DBUsersTarget {
	return &ciaccess.DBUsersTarget{
		Server:       b.db.ServerName,
		MasterSecret: b.db.CredentialsSecret,
		ProxySecret:  b.db.ProxySecret,
		MasterKey:    b.db.KeyID,
		ProxyKey:     b.store.Key(core.Primary, core.SecretsKey).ID,
		After:        b.db,
	}
}
