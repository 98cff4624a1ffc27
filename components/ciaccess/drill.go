package ciaccess

import (
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The restore drill's identity (issue 17, .github/workflows/backup-drill.yml):
// the preview identity's read access, plus reading the database copies it
// restores (the stack's db-exports buckets on that cloud) and nothing
// else. The drill restores into a PostgreSQL on the runner
// (internal/drill), so the scratch it makes is off the cloud: the
// identity creates no cloud resource at all, which is narrower than a
// scratch name prefix. Trusted by the GitHub environment drill only.

// DrillEnvironment is the GitHub environment of the restore drill job.
const DrillEnvironment = "drill"

// exportsPrefix is the start of the names of the stack's db-exports
// buckets (primary, replica and offsite copies): what the drill reads.
func (b *builder) exportsPrefix() string { return b.dep.Name("backup", "db", "exports") + "-" }

func (b *builder) awsDrill(providerARN pulumi.StringOutput) (pulumi.StringOutput, error) {
	drill, err := b.awsRole("drill", providerARN, []string{b.s.DrillSubject()}, "the restore drill reads "+b.dep.Stack+"'s database copies", nil)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.awsAttach("drill-viewonly", drill, pulumi.String(awsViewOnly).ToStringOutput()); err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := iamRolePolicy(b, "drill-stack-secrets", drill.Name, b.awsScope().stackSecrets().String()); err != nil {
		return pulumi.StringOutput{}, err
	}
	_, err = iamRolePolicy(b, "drill-restore-reads", drill.Name, b.awsDrillPolicy())
	return drill.Arn, err
}

// awsDrillPolicy reads the export buckets' objects, and decrypts only
// through S3 (kms:ViaService), in the stack's regions.
func (b *builder) awsDrillPolicy() string {
	scope := b.awsScope()
	bucket := "arn:aws:s3:::" + b.exportsPrefix() + "*"
	var via []string
	for _, r := range scope.regions {
		via = append(via, "s3."+r+".amazonaws.com")
	}
	return awsDocument{Version: "2012-10-17", Statement: []awsStatement{
		{Sid: "ReadExports", Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"},
			Resource: []string{bucket, bucket + "/*"}},
		{Sid: "DecryptThroughS3", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: "*",
			Condition: map[string]any{"StringEquals": map[string]any{"kms:ViaService": via}}},
	}}.String()
}

func (b *builder) gcpDrill(pool *iam.WorkloadIdentityPool) (pulumi.StringOutput, error) {
	drill, err := b.gcpAccount("drill", pool, b.s.DrillSubject())
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	member := pulumi.Sprintf("serviceAccount:%s", drill.Email)
	if err := b.gcpBind("drill-viewer", gcpPreviewRole, member, nil); err != nil {
		return pulumi.StringOutput{}, err
	}
	err = b.gcpBind("drill-exports", "roles/storage.objectViewer", member, &projects.IAMMemberConditionArgs{
		Title:       pulumi.String("only the database exports"),
		Description: pulumi.String("objects of buckets named " + b.exportsPrefix() + "*"),
		Expression:  pulumi.String("resource.name.startsWith(" + celString("projects/_/buckets/"+b.exportsPrefix()) + ")"),
	})
	return drill.Email, err
}

func (b *builder) azureDrill(subscription, sub pulumi.StringOutput) (pulumi.StringOutput, error) {
	drill, err := b.azureIdentity("drill", b.s.DrillSubject())
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.azureAssign("drill-reader", drill, sub, builtIn(subscription, azureReader)); err != nil {
		return pulumi.StringOutput{}, err
	}
	for i, source := range b.drillSources {
		if err := b.azureAssign("drill-exports"+nth(i), drill, source, builtIn(subscription, azureBlobReader)); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return drill.ClientId, nil
}
