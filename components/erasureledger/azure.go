package erasureledger

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
)

// Azure built-in roles on the ledger's container
// (learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage).
// Azure has no create-only data role: the app gets Storage Blob Data
// Contributor on the container alone, and the locked version-level
// immutability policy is what forbids deleting or changing an entry (an
// overwrite only adds a version; every version stays immutable).
const (
	AzureWriterRole = "ba92f5b4-2d11-453d-a403-e96b0029c9fe" // Storage Blob Data Contributor
	AzureReaderRole = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" // Storage Blob Data Reader
)

// azure assigns the roles at the ledger container's scope.
func (b *builder) azure() (outputs, error) {
	scope := b.c.ID.ApplyT(func(account string) string {
		return account + "/blobServices/default/containers/" + backupbucket.AzureContainer
	}).(pulumi.StringOutput)
	grant := func(suffix, role, why string, principal pulumi.StringOutput) error {
		_, err := authorization.NewRoleAssignment(b.ctx, b.name+"-"+suffix, &authorization.RoleAssignmentArgs{
			Scope:            scope,
			RoleDefinitionId: core.AzureRoleDefinition(scope, role),
			PrincipalId:      principal,
			PrincipalType:    pulumi.String("ServicePrincipal"),
			Description:      pulumi.String(why),
		}, b.opts()...)
		return err
	}
	if b.a.Writer != (pulumi.StringOutput{}) { // a DR stack's app too: see Writer
		if err := grant("writer", AzureWriterRole, "the app appends an entry per erasure", b.a.Writer); err != nil {
			return outputs{}, err
		}
	}
	for i, r := range b.a.Readers {
		if err := grant(fmt.Sprintf("reader-%d", i), AzureReaderRole, "replay reads the erasure ledger after a restore", r); err != nil {
			return outputs{}, err
		}
	}
	return outputs{grants: []string{"app: Storage Blob Data Contributor (the lock forbids deletes)", "readers: Storage Blob Data Reader"}}, nil
}
