package ciaccess

import (
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	gcpiam "github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The manifest writer's identity (`wedsync-infra backup seal`,
// .github/workflows/backup-seal.yml, daily after the exports): it reads
// the stack's db-exports buckets (to hash the copies) and adds objects to
// them (the manifests), and nothing else: no delete, no overwrite, no
// other bucket. Trusted by the GitHub environment seal only.
//   - AWS: s3:PutObject only with the If-None-Match header (the
//     s3:if-none-match condition key, "Null": false), so a write of a key
//     that exists fails: docs.aws.amazon.com/AmazonS3/latest/userguide/
//     conditional-writes-enforce.html. seal writes each manifest in one
//     PutObject, so no multipart action is granted.
//   - GCP: roles/storage.objectCreator, which holds storage.objects.create
//     without storage.objects.delete, and overwriting an object needs
//     delete (cloud.google.com/storage/docs/access-control/iam-roles).
//   - Azure: a custom role with the blob read and add data actions:
//     blobs/add/action adds a blob and cannot replace one (blobs/write
//     could), on the db-exports accounts only.

// SealEnvironment is the GitHub environment of the seal job.
const SealEnvironment = "seal"

// azureSealDataActions are the Azure seal role's data actions.
var azureSealDataActions = []string{
	"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
	"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
}

func (b *builder) awsSeal(providerARN pulumi.StringOutput) (pulumi.StringOutput, error) {
	seal, err := b.awsRole("seal", providerARN, []string{b.s.SealSubject()}, "the manifest writer adds manifests to "+b.dep.Stack+"'s database copies", nil)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.awsStateKey("seal", seal.Name); err != nil {
		return pulumi.StringOutput{}, err
	}
	_, err = iamRolePolicy(b, "seal-exports", seal.Name, b.awsSealPolicy())
	return seal.Arn, err
}

// awsSealPolicy reads the export buckets, creates objects in them only
// where none is (If-None-Match), and uses the key only through S3.
func (b *builder) awsSealPolicy() string {
	scope := b.awsScope()
	bucket := "arn:aws:s3:::" + b.exportsPrefix() + "*"
	var via []string
	for _, r := range scope.regions {
		via = append(via, "s3."+r+".amazonaws.com")
	}
	return awsDocument{Version: "2012-10-17", Statement: []awsStatement{
		{Sid: "ReadExports", Effect: "Allow", Action: []string{"s3:GetObject", "s3:ListBucket"}, Resource: []string{bucket, bucket + "/*"}},
		{Sid: "CreateOnlyNew", Effect: "Allow", Action: []string{"s3:PutObject"}, Resource: []string{bucket + "/*"},
			Condition: map[string]any{"Null": map[string]any{"s3:if-none-match": "false"}}},
		{Sid: "KeyThroughS3", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: "*",
			Condition: map[string]any{"StringEquals": map[string]any{"kms:ViaService": via}}},
	}}.String()
}

func (b *builder) gcpSeal(pool *gcpiam.WorkloadIdentityPool) (pulumi.StringOutput, error) {
	seal, err := b.gcpAccount("seal", pool, b.s.SealSubject())
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	member := pulumi.Sprintf("serviceAccount:%s", seal.Email)
	if err := b.gcpStateKey("seal", member); err != nil {
		return pulumi.StringOutput{}, err
	}
	for _, role := range []string{"roles/storage.objectViewer", "roles/storage.objectCreator"} {
		if err := b.gcpBind("seal-"+role[len("roles/storage.object"):], role, member, &projects.IAMMemberConditionArgs{
			Title:       pulumi.String("only the database exports"),
			Description: pulumi.String("objects of buckets named " + b.exportsPrefix() + "*"),
			Expression:  pulumi.String("resource.name.startsWith(" + celString("projects/_/buckets/"+b.exportsPrefix()) + ")"),
		}); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return seal.Email, nil
}

func (b *builder) azureSeal(sub pulumi.StringOutput) (pulumi.StringOutput, error) {
	seal, err := b.azureIdentity("seal", b.s.SealSubject())
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.azureStateKey("seal", seal, sub); err != nil {
		return pulumi.StringOutput{}, err
	}
	if len(b.drillSources) == 0 {
		return seal.ClientId, nil
	}
	scopes := pulumi.StringArray{}
	for _, s := range b.drillSources {
		scopes = append(scopes, s)
	}
	role, err := authorization.NewRoleDefinition(b.ctx, b.name+"-seal", &authorization.RoleDefinitionArgs{
		RoleName:         pulumi.String(b.dep.Name("ci", "seal")),
		Description:      pulumi.String("the manifest writer reads " + b.dep.Stack + "'s database copies and adds blobs beside them; no overwrite, no delete"),
		RoleType:         pulumi.String("CustomRole"),
		Scope:            sub,
		AssignableScopes: scopes,
		Permissions:      authorization.PermissionArray{authorization.PermissionArgs{DataActions: pulumi.ToStringArray(azureSealDataActions)}},
	}, b.opts()...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	for i, source := range b.drillSources {
		if err := b.azureAssign("seal-exports"+nth(i), seal, source, role.ID().ToStringOutput()); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return seal.ClientId, nil
}
