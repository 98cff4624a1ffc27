package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/appaccess"
	"github.com/wedsync/wedsync-infra/components/autoscaling"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
)

// grants gives the application's identity its configuration document, its
// secrets, the field key and database sign-in, and nothing broader (components/appaccess). A recovery
// reads its source's secrets, replicated into this region. A drill has no
// application, so it grants nothing on the source's keys, secrets or
// vaults (Recovery.Drill).
func (b *build) grants() error {
	if b.cfg.drilling() {
		return nil
	}
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
	if b.cfg.Cloud != core.GCP || b.cfg.drilling() {
		return nil
	}
	return []database.Principal{{ID: autoscaling.GCPServiceAccountEmail(b.dep), Kind: database.ServiceAccountPrincipal}}
}

// appUsers are the database users the application signs in as, with what
// each may do and how it signs in: the database.appUsers output, which
// `wedsync-infra db users` reads after every up to create those the cloud's
// API cannot (internal/dbusers). AWS: the writer RDS Proxy signs in as with
// its password, and the read replicas' IAM user when there are replicas;
// GCP: the IAM users the stack creates; Azure: the scale set's managed
// identity, by name and principal id. A drill has no application, so none.
func (b *build) appUsers() pulumi.StringMapArrayOutput {
	if b.group == nil {
		return pulumi.StringMapArray{}.ToStringMapArrayOutput()
	}
	cloud, identityName := b.cfg.Cloud, autoscaling.AzureIdentityName(b.dep)
	return pulumi.All(b.db.AppUsers, b.db.ReplicaEndpoints, b.group.Identity).ApplyT(func(v []any) []map[string]string {
		names, replicas, identity := v[0].([]string), v[1].([]string), v[2].(string)
		var out []map[string]string
		user := func(name string, access database.Access, signIn database.SignIn) map[string]string {
			return map[string]string{"name": name, "access": string(access), "signIn": string(signIn)}
		}
		switch cloud {
		case core.AWS:
			out = append(out, user(database.AWSAppUser, database.AccessReadWrite, database.SignInPassword))
			if len(replicas) > 0 {
				out = append(out, user(database.AWSReadUser, database.AccessRead, database.SignInRDSIAM))
			}
		case core.GCP:
			for _, n := range names {
				out = append(out, user(n, database.AccessReadWrite, database.SignInCloudSQLIAM))
			}
		case core.Azure:
			u := user(identityName, database.AccessReadWrite, database.SignInEntra)
			u["objectId"] = identity
			out = append(out, u)
		}
		return out
	}).(pulumi.StringMapArrayOutput)
}
