package ciaccess

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// awsAudience is the audience aws-actions/configure-aws-credentials asks
// GitHub for.
const awsAudience = "sts.amazonaws.com"

// awsViewOnly is the preview identity's policy: it reads metadata, never
// data (no S3 objects, no secret values).
const awsViewOnly = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"

// awsSessionSeconds lets one deploy job outlast a prod database creation.
const awsSessionSeconds = 7200

func (b *builder) aws() (outputs, error) {
	providerARN := pulumi.String(b.s.AWSOIDCProviderARN).ToStringOutput()
	if b.s.AWSOIDCProviderARN == "" {
		p, err := iam.NewOpenIdConnectProvider(b.ctx, b.name+"-github", &iam.OpenIdConnectProviderArgs{
			Url:           pulumi.String(Issuer),
			ClientIdLists: pulumi.StringArray{pulumi.String(awsAudience)},
		}, b.opts()...)
		if err != nil {
			return outputs{}, err
		}
		providerARN = p.Arn
	}
	deploy, err := b.awsDeploy(providerARN)
	if err != nil {
		return outputs{}, err
	}
	out := outputs{deploy: deploy.Arn, preview: empty(), drill: empty(), seal: empty(), federation: providerARN}
	if b.dbUsersHere() {
		// The master secret names the role it signs in as.
		if out.dbUsers, err = b.awsDBUsers(providerARN); err != nil {
			return outputs{}, err
		}
		out.dbUsersRole = empty()
	}
	if b.preview() {
		preview, err := b.awsRole("preview", providerARN, b.s.PreviewSubjects(), "pull requests and the drift check read "+b.dep.Stack+" (read-only)", nil)
		if err != nil {
			return outputs{}, err
		}
		if err := b.awsAttach("preview-viewonly", preview, pulumi.String(awsViewOnly).ToStringOutput()); err != nil {
			return outputs{}, err
		}
		if err := b.awsStateKey("preview", preview.Name); err != nil {
			return outputs{}, err
		}
		if err := b.awsPreviewDRBackups(preview.Name); err != nil {
			return outputs{}, err
		}
		out.preview = preview.Arn
		if out.drill, err = b.awsDrill(providerARN); err != nil {
			return outputs{}, err
		}
		// The exports are on the primary site's cloud.
		if b.site.Cloud == b.dep.Primary.Cloud {
			if out.seal, err = b.awsSeal(providerARN); err != nil {
				return outputs{}, err
			}
		}
	}
	return out, nil
}

// awsScope is the deploy identity's reach: the stack's names and the
// regions of its AWS sites.
func (b *builder) awsScope() awsScope {
	var regions []string
	for _, s := range []*core.Site{&b.dep.Primary, b.dep.DR, b.dep.Offsite} {
		if s != nil && s.Cloud == core.AWS {
			regions = append(regions, s.Region)
		}
	}
	return awsScope{prefix: b.dep.Name() + "-", ci: b.dep.Name("ci"), regions: regions, secrets: b.state.AWSAlias}
}

// awsDeploy is the deploy role: the planned types' actions in managed
// policies of the stack's own, a permissions boundary, and the guards
// inline. No AWS managed policy: PowerUserAccess would reach every
// service and every object.
func (b *builder) awsDeploy(providerARN pulumi.StringOutput) (*iam.Role, error) {
	scope := b.awsScope()
	grants := documents(scope.statements(awsRows(of(core.AWS, b.managed.Types))))
	boundary, err := iam.NewPolicy(b.ctx, b.name+"-deploy-boundary", &iam.PolicyArgs{
		Name:        pulumi.String(b.dep.Name("ci", "deploy", "boundary")),
		Description: pulumi.String("the most CI may ever do to " + b.dep.Stack + ": the services it deploys, never data, never itself"),
		Policy:      pulumi.String(scope.boundary(grants).String()),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	deploy, err := b.awsRole("deploy", providerARN, []string{b.s.DeploySubject()}, "CI deploys "+b.dep.Stack+" from "+b.s.DeploySubject(), boundary.Arn)
	if err != nil {
		return nil, err
	}
	for i, doc := range grants {
		label := fmt.Sprintf("deploy-%d", i+1)
		p, err := iam.NewPolicy(b.ctx, b.name+"-"+label, &iam.PolicyArgs{
			Name:        pulumi.String(b.dep.Name("ci", label)),
			Description: pulumi.String(fmt.Sprintf("what deploying %s needs, from its plan (%d of %d)", b.dep.Stack, i+1, len(grants))),
			Policy:      pulumi.String(doc.String()),
		}, b.opts()...)
		if err != nil {
			return nil, err
		}
		if err := b.awsAttach(label, deploy, p.Arn); err != nil {
			return nil, err
		}
	}
	if err := b.awsStateKey("deploy", deploy.Name); err != nil {
		return nil, err
	}
	_, err = iam.NewRolePolicy(b.ctx, b.name+"-deploy-guards", &iam.RolePolicyArgs{
		Role:   deploy.Name,
		Name:   pulumi.String("guards"),
		Policy: pulumi.String(awsDocument{Version: "2012-10-17", Statement: scope.guards()}.String()),
	}, b.opts()...)
	return deploy, err
}

func (b *builder) awsAttach(label string, role *iam.Role, policy pulumi.StringOutput) error {
	_, err := iam.NewRolePolicyAttachment(b.ctx, b.name+"-"+label, &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: policy}, b.opts()...)
	return err
}

func (b *builder) awsRole(kind string, providerARN pulumi.StringOutput, subjects []string, description string, boundary pulumi.StringPtrInput) (*iam.Role, error) {
	return iam.NewRole(b.ctx, b.name+"-"+kind, &iam.RoleArgs{
		Name:                pulumi.String(b.dep.NameWithin(64, "ci", kind)),
		Description:         pulumi.String(description),
		AssumeRolePolicy:    providerARN.ApplyT(func(arn string) (string, error) { return awsTrustPolicy(arn, subjects) }).(pulumi.StringOutput),
		MaxSessionDuration:  pulumi.Int(awsSessionSeconds),
		PermissionsBoundary: boundary,
	}, b.opts()...)
}

// awsTrustPolicy lets exactly the subjects' GitHub tokens assume the role:
// StringEquals on both audience and subject (a list matches any of its
// values), never StringLike.
func awsTrustPolicy(providerARN string, subjects []string) (string, error) {
	var subject any = subjects
	if len(subjects) == 1 {
		subject = subjects[0]
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": providerARN},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{"StringEquals": map[string]any{
				"token.actions.githubusercontent.com:aud": awsAudience,
				"token.actions.githubusercontent.com:sub": subject,
			}},
		}},
	}
	out, err := json.Marshal(doc)
	return string(out), err
}

// awsPreviewDRBackups lets the preview identity read the replicated
// automated backups in the stack's AWS DR region, which
// .github/workflows/backup-replication.yml checks hourly (wedsync-infra dr
// replication). Granted here rather than trusted to ViewOnlyAccess, whose
// list of RDS actions AWS changes on its own
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ViewOnlyAccess.html):
// this one action, in that region only; it reads metadata, never data.
// awsBackupsReplication is the type of the cross-region backup replication.
const awsBackupsReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"

func (b *builder) awsPreviewDRBackups(role pulumi.StringInput) error {
	dr := b.dep.DR
	if dr == nil || dr.Cloud != core.AWS || !slices.Contains(b.managed.Types, awsBackupsReplication) {
		return nil
	}
	doc := awsDocument{Version: "2012-10-17", Statement: []awsStatement{{
		Sid: "ReadReplicatedBackups", Effect: "Allow", Action: []string{"rds:DescribeDBInstanceAutomatedBackups"}, Resource: "*",
		Condition: map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": dr.Region}},
	}}}
	_, err := iamRolePolicy(b, "preview-dr-backups", role, doc.String())
	return err
}

func iamRolePolicy(b *builder, label string, role pulumi.StringInput, policy string) (*iam.RolePolicy, error) {
	return iam.NewRolePolicy(b.ctx, b.name+"-"+label, &iam.RolePolicyArgs{Role: role, Name: pulumi.String(label), Policy: pulumi.String(policy)}, b.opts()...)
}
