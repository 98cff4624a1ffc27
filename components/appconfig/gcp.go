package appconfig

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/secretmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// GCPSecretID is the document's secret id: outside every stack's secret
// prefix (PROJECT-STACK-), so only the grant on this one secret reads it.
func GCPSecretID(dep core.Deployment) string {
	return "appconfig-" + dep.NameWithin(core.MaxName-len("appconfig-"))
}

// gcp keeps the document as a Secret Manager secret: every deploy adds a
// version (the history), each replica encrypted with the secrets key of
// its region, replicated to the DR region so a rebuilt region reads it
// there. pulumi-gcp v7 has no Parameter Manager, and Runtime Configurator
// is deprecated, so Secret Manager is the versioned, CMEK-encrypted,
// audited store (its data access is in the stack's audit config). The app
// polls "latest" every RefreshSeconds; a new version needs no restart.
func (b *builder) gcp() (outputs, error) {
	a, dep := b.a, b.a.Deployment
	replicas := secretmanager.SecretReplicationUserManagedReplicaArray{secretmanager.SecretReplicationUserManagedReplicaArgs{
		Location:                  pulumi.String(b.site.Region),
		CustomerManagedEncryption: &secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs{KmsKeyName: a.Key.ID},
	}}
	if a.DRKey != nil && dep.DR != nil && dep.DR.Cloud == core.GCP {
		replicas = append(replicas, secretmanager.SecretReplicationUserManagedReplicaArgs{
			Location:                  pulumi.String(dep.DR.Region),
			CustomerManagedEncryption: &secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs{KmsKeyName: a.DRKey.ID},
		})
	}
	secret, err := secretmanager.NewSecret(b.ctx, b.name, &secretmanager.SecretArgs{
		Project:     pulumi.String(b.site.GCPProject),
		SecretId:    pulumi.String(GCPSecretID(dep)),
		Labels:      dep.Tags.For(core.GCP),
		Annotations: pulumi.StringMap{"wedsync-purpose": pulumi.String(b.description())},
		Replication: &secretmanager.SecretReplicationArgs{
			UserManaged: &secretmanager.SecretReplicationUserManagedArgs{Replicas: replicas},
		},
	}, b.opts(dep.Protect())...)
	if err != nil {
		return outputs{}, err
	}
	if _, err := secretmanager.NewSecretVersion(b.ctx, b.name, &secretmanager.SecretVersionArgs{
		Secret:     secret.ID(),
		SecretData: b.doc,
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	id := secret.ID().ToStringOutput()
	return outputs{store: id, readScope: id, retrieval: pulumi.StringMap{
		"secret": id, "version": pulumi.String("latest"),
	}}, nil
}
