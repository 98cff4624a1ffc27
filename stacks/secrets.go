package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
)

// keySource gives the customer-managed key of a purpose at a site: the
// secrets store, or in recovery mode the source stack's keys.
type keySource interface {
	Key(role core.Role, purpose core.KeyPurpose) *core.Key
}

// secrets creates the stack's keys (one per purpose and site) and secrets.
// A recovery creates none: it uses the replicas its source keeps in this
// region, which the replicated data is already encrypted with.
func (b *build) secrets() error {
	if b.cfg.Recovery != nil {
		return b.recoveryKeys()
	}
	store, err := secretsstore.NewSecretsStore(b.ctx, "main", &secretsstore.SecretsStoreArgs{
		Deployment:   b.dep,
		Settings:     b.cfg.Secrets,
		SecretValues: secretInputs(b.cfg.SecretValues),
		Alerts:       b.alerts.Target,
	})
	if err != nil {
		return err
	}
	b.store = store
	// A recovery in another region reads the vaults of Azure keys from here.
	if b.cfg.Cloud == core.Azure {
		vaults := pulumi.StringMap{}
		for role, id := range store.Vaults {
			vaults[string(role)] = id
		}
		b.ctx.Export("keyVaults", vaults)
	}
	return nil
}

// secretInputs marks every configured secret value as a secret, so it is
// encrypted in state and masked in every output.
func secretInputs(values map[string]string) map[string]pulumi.StringInput {
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]pulumi.StringInput, len(values))
	for name, v := range values {
		out[name] = pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
	}
	return out
}

// keyIDs exports every key by site and purpose ("primary.data"): what the
// DR stack and the application read.
func keyIDs(dep core.Deployment, store keySource) pulumi.StringMap {
	out := pulumi.StringMap{}
	for _, role := range []core.Role{core.Primary, core.DR} {
		for _, purpose := range core.KeyPurposes {
			if k := store.Key(role, purpose); k != nil {
				out[string(role)+"."+string(purpose)] = k.ID
			}
		}
	}
	return out
}

// logWorkspace (Azure) is the Log Analytics workspace the stack's resource
// logs go to (database, backup accounts, app configuration): the store's
// audit workspace, or a recovery's own in its region. Unset elsewhere.
func (b *build) logWorkspace() pulumi.StringOutput {
	if b.cfg.Cloud != core.Azure {
		return pulumi.StringOutput{}
	}
	switch s := b.store.(type) {
	case *secretsstore.SecretsStore:
		return s.AuditLog
	case *secretsstore.AdoptedStore:
		return s.AuditLog
	}
	return pulumi.StringOutput{}
}
