package stacks

import (
	"github.com/wedsync/wedsync-infra/components/appaccess"
	"github.com/wedsync/wedsync-infra/components/autoscaling"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
)

// grants gives the application's identity its configuration document, its
// secrets, the field key and database sign-in, and nothing broader (components/appaccess). A recovery
// reads its source's secrets, replicated into this region.
func (b *build) grants() error {
	secretsStack := b.cfg.Stack
	if b.cfg.Recovery != nil {
		secretsStack = b.cfg.Recovery.sourceName()
	}
	access, err := appaccess.NewAppAccess(b.ctx, "app", &appaccess.AppAccessArgs{
		Deployment:    b.dep,
		Identity:      b.group.Identity,
		SecretsStack:  secretsStack,
		FieldKey:      b.store.Key(core.Primary, core.FieldKey),
		SecretsKey:    b.store.Key(core.Primary, core.SecretsKey),
		ConnectPolicy: b.db.ConnectPolicy,
		ConfigScope:   b.config.ReadScope,
		Network:       b.net.Network,
	})
	if err != nil {
		return err
	}
	b.ctx.Export("appGrants", access.Grants)
	return nil
}

// appPrincipals are the database's application sign-ins that can be named
// before deploy: the GCP service account (its email is derived from the
// stack). Azure's managed identity gets its principal id only when created,
// and AWS signs in through the role's rds-db:connect policy.
func (b *build) appPrincipals() []database.Principal {
	if b.cfg.Cloud != core.GCP {
		return nil
	}
	return []database.Principal{{ID: autoscaling.GCPServiceAccountEmail(b.dep), Kind: database.ServiceAccountPrincipal}}
}
