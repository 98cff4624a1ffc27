package appaccess

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/secretmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GCP roles the application holds: reading secret versions (no listing,
// no writing) and encrypting and decrypting with one key.
const (
	GCPSecretAccessor   = "roles/secretmanager.secretAccessor"
	GCPEncrypterDecrypt = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
)

// gcp grants the service account the stack's secrets (on the project, with
// a condition naming their prefix, so secrets added later need no new
// binding and no other stack's are readable) and the field key. Database
// sign-in (cloudsql.client and cloudsql.instanceUser on the instances, and
// the IAM database user) is the database's, through its AppPrincipals.
// Secret Manager conditions see resource.name as
// projects/NUMBER/secrets/ID (cloud.google.com/secret-manager/docs/access-control#conditions).
func (b *builder) gcp() (outputs, error) {
	a, site := b.a, b.site
	project, err := organizations.LookupProject(b.ctx, &organizations.LookupProjectArgs{ProjectId: &site.GCPProject},
		pulumi.Provider(site.Provider))
	if err != nil {
		return outputs{}, fmt.Errorf("look up project %s: %w", site.GCPProject, err)
	}
	member := pulumi.Sprintf("serviceAccount:%s", a.Identity)
	prefix := b.secretPrefix("-")
	if _, err := projects.NewIAMMember(b.ctx, b.name+"-secrets", &projects.IAMMemberArgs{
		Project: pulumi.String(site.GCPProject),
		Role:    pulumi.String(GCPSecretAccessor),
		Member:  member,
		Condition: &projects.IAMMemberConditionArgs{
			Title:       pulumi.String(a.Deployment.Name("app-secrets")),
			Description: pulumi.String("the application reads its stack's secrets only"),
			Expression:  pulumi.String(fmt.Sprintf("resource.name.startsWith('projects/%s/secrets/%s')", project.Number, prefix)),
		},
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	if _, err := kms.NewCryptoKeyIAMMember(b.ctx, b.name+"-field-key", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: a.FieldKey.ID,
		Role:        pulumi.String(GCPEncrypterDecrypt),
		Member:      member,
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	if _, err := secretmanager.NewSecretIamMember(b.ctx, b.name+"-config", &secretmanager.SecretIamMemberArgs{
		SecretId: a.ConfigScope,
		Role:     pulumi.String(GCPSecretAccessor),
		Member:   member,
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	return outputs{grants: []string{
		"read its configuration document (one secret)",
		"read secrets " + prefix + "*",
		"encrypt and decrypt with the field key",
	}}, nil
}
