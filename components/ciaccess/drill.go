package ciaccess

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	gcpiam "github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The restore drill's identity (issue 17, .github/workflows/backup-drill.yml,
// one sign-in for every step): the preview identity's read access, reading
// the database copies it restores (the stack's db-exports buckets on that
// cloud), and creating, changing and deleting the scratch recovery stack
// of `dr drill --recovery-stack`: the types of DrillTypes, with the deploy
// identity's rows for them, scoped to the scratch stacks' names
// (ScratchPrefix) where the cloud lets a policy name the resource; never
// a name of the stack's own. Trusted by the GitHub environment drill only.
//
// Azure cannot scope control-plane actions by name, and the scratch
// stack's resource groups do not exist before it does, so on Azure the
// identity gets no scratch role: the scratch drill of an Azure stack runs
// with an operator's sign-in (docs/runbooks), the copy drill with this
// identity.

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
	if err := b.awsStateKey("drill", drill.Name); err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err = iamRolePolicy(b, "drill-restore-reads", drill.Name, b.awsDrillPolicy()); err != nil {
		return pulumi.StringOutput{}, err
	}
	return drill.Arn, b.awsDrillScratch(drill)
}

// ScratchPrefix is the start of every name a drill's scratch stack of
// stack makes: its program names resources "wedsync-drill-<stack>-…"
// (stacks.DrillStackPrefix, core.Deployment.Name).
func ScratchPrefix(dep core.Deployment) string {
	scratch := dep
	scratch.Stack = "drill-" + dep.Stack
	return scratch.Name() + "-"
}

// scratchHere reports whether the drill's scratch stacks are built on this
// cloud: the primary site's, of a stack with a DR path (its offsite
// cloud hosts none).
func (b *builder) scratchHere() bool {
	return b.dep.DR != nil && b.site.Cloud == b.dep.Primary.Cloud
}

// drillScope is the deploy scope moved onto the scratch stacks' names.
func (b *builder) drillScope() awsScope {
	scope := b.awsScope()
	scope.prefix = ScratchPrefix(b.dep)
	scope.ci = ScratchPrefix(b.dep) + "ci"
	return scope
}

// awsDrillScratch attaches the scratch stack's actions (DrillTypes' rows,
// on the scratch names) to the drill role, in managed policies of the
// stack's own as the deploy role's are.
func (b *builder) awsDrillScratch(drill *iam.Role) error {
	if !b.scratchHere() {
		return nil
	}
	scope := b.drillScope()
	grants := documents(scope.statements(awsRows(DrillTypes[core.AWS])))
	for i, doc := range grants {
		label := fmt.Sprintf("drill-scratch-%d", i+1)
		p, err := iam.NewPolicy(b.ctx, b.name+"-"+label, &iam.PolicyArgs{
			Name:        pulumi.String(b.dep.Name("ci", label)),
			Description: pulumi.String(fmt.Sprintf("what a drill's scratch recovery stack of %s needs, on its names (%d of %d)", b.dep.Stack, i+1, len(grants))),
			Policy:      pulumi.String(doc.String()),
		}, b.opts()...)
		if err != nil {
			return err
		}
		if err := b.awsAttach(label, drill, p.Arn); err != nil {
			return err
		}
	}
	return nil
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

func (b *builder) gcpDrill(pool *gcpiam.WorkloadIdentityPool) (pulumi.StringOutput, error) {
	drill, err := b.gcpAccount("drill", pool, b.s.DrillSubject())
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	member := pulumi.Sprintf("serviceAccount:%s", drill.Email)
	if err := b.gcpBind("drill-viewer", gcpPreviewRole, member, nil); err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.gcpStateKey("drill", member); err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.gcpBind("drill-exports", "roles/storage.objectViewer", member, &projects.IAMMemberConditionArgs{
		Title:       pulumi.String("only the database exports"),
		Description: pulumi.String("objects of buckets named " + b.exportsPrefix() + "*"),
		Expression:  pulumi.String("resource.name.startsWith(" + celString("projects/_/buckets/"+b.exportsPrefix()) + ")"),
	}); err != nil {
		return pulumi.StringOutput{}, err
	}
	return drill.Email, b.gcpDrillScratch(member)
}

// gcpDrillScratch is the scratch stack's custom role (DrillTypes' rows),
// bound under the scratch names' condition as the deploy role is under
// the stack's.
func (b *builder) gcpDrillScratch(member pulumi.StringOutput) error {
	if !b.scratchHere() {
		return nil
	}
	prefix := ScratchPrefix(b.dep)
	role, err := projects.NewIAMCustomRole(b.ctx, b.name+"-drill-scratch", &projects.IAMCustomRoleArgs{
		Project:     pulumi.String(b.site.GCPProject),
		RoleId:      pulumi.String(gcpRoleID(b.dep.Name("ci", "drill", "scratch"))),
		Title:       pulumi.String("the restore drill's scratch stacks of " + b.dep.Stack),
		Description: pulumi.String("what a drill's scratch recovery stack of " + b.dep.Stack + " needs, from its plan"),
		Permissions: pulumi.ToStringArray(gcpPermissions(DrillTypes[core.GCP])),
	}, b.opts()...)
	if err != nil {
		return err
	}
	return b.gcpBind("drill-scratch", "", member, &projects.IAMMemberConditionArgs{
		Title:       pulumi.String("only the drill's scratch names"),
		Description: pulumi.String("buckets, key rings, keys and Cloud SQL instances named " + prefix + "*"),
		Expression:  pulumi.String(gcpNameCondition(prefix)),
	}, role.Name)
}

func (b *builder) azureDrill(subscription, sub pulumi.StringOutput) (pulumi.StringOutput, error) {
	drill, err := b.azureIdentity("drill", b.s.DrillSubject())
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.azureAssign("drill-reader", drill, sub, builtIn(subscription, azureReader)); err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.azureStateKey("drill", drill, sub); err != nil {
		return pulumi.StringOutput{}, err
	}
	for i, source := range b.drillSources {
		if err := b.azureAssign("drill-exports"+nth(i), drill, source, builtIn(subscription, azureBlobReader)); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return drill.ClientId, nil
}
