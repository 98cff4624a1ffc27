package ciaccess

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// awsAudience is the audience aws-actions/configure-aws-credentials asks
// GitHub for.
const awsAudience = "sts.amazonaws.com"

// The AWS managed policies the identities get. PowerUserAccess is the broad
// choice: every service the components use (EC2, RDS, S3, KMS, Secrets
// Manager, SNS, CloudWatch, Budgets, ...) and none of IAM; IAM is granted
// separately, to the stack's own names only. ViewOnlyAccess reads
// metadata, never data (no S3 objects, no secret values).
const (
	awsPowerUser = "arn:aws:iam::aws:policy/PowerUserAccess"
	awsViewOnly  = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
)

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
	deploy, err := b.awsRole("deploy", providerARN, []string{b.s.DeploySubject()}, "CI deploys "+b.dep.Stack+" from "+b.s.DeploySubject())
	if err != nil {
		return outputs{}, err
	}
	if _, err := iam.NewRolePolicyAttachment(b.ctx, b.name+"-deploy-poweruser", &iam.RolePolicyAttachmentArgs{
		Role: deploy.Name, PolicyArn: pulumi.String(awsPowerUser),
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-deploy-iam", &iam.RolePolicyArgs{
		Role:   deploy.Name,
		Name:   pulumi.String("stack-iam"),
		Policy: pulumi.String(b.awsIAMPolicy()),
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	out := outputs{deploy: deploy.Arn, preview: empty(), federation: providerARN}
	if b.preview() {
		preview, err := b.awsRole("preview", providerARN, b.s.PreviewSubjects(), "pull requests and the drift check read "+b.dep.Stack+" (read-only)")
		if err != nil {
			return outputs{}, err
		}
		if _, err := iam.NewRolePolicyAttachment(b.ctx, b.name+"-preview-viewonly", &iam.RolePolicyAttachmentArgs{
			Role: preview.Name, PolicyArn: pulumi.String(awsViewOnly),
		}, b.opts()...); err != nil {
			return outputs{}, err
		}
		out.preview = preview.Arn
	}
	return out, nil
}

func (b *builder) awsRole(kind string, providerARN pulumi.StringOutput, subjects []string, description string) (*iam.Role, error) {
	return iam.NewRole(b.ctx, b.name+"-"+kind, &iam.RoleArgs{
		Name:               pulumi.String(b.dep.NameWithin(64, "ci", kind)),
		Description:        pulumi.String(description),
		AssumeRolePolicy:   providerARN.ApplyT(func(arn string) (string, error) { return awsTrustPolicy(arn, subjects) }).(pulumi.StringOutput),
		MaxSessionDuration: pulumi.Int(awsSessionSeconds),
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

// awsIAMPolicy is the deploy role's IAM: full control of the roles,
// instance profiles and policies named for this stack (the components'
// service roles), passing those roles to services, and the service-linked
// roles RDS and Auto Scaling create once per account. It can change
// neither the CI roles nor the account's OIDC providers.
func (b *builder) awsIAMPolicy() string {
	prefix := b.dep.Name() + "-"
	own := func(kind string) string { return "arn:aws:iam::*:" + kind + "/" + prefix + "*" }
	ci := "arn:aws:iam::*:role/" + b.dep.Name("ci") + "-*"
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{"Sid": "StackIAM", "Effect": "Allow", "Action": "iam:*", "Resource": []string{own("role"), own("instance-profile"), own("policy")}},
			map[string]any{"Sid": "ReadIAM", "Effect": "Allow", "Action": []string{"iam:Get*", "iam:List*"}, "Resource": "*"},
			map[string]any{"Sid": "ServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": []string{
					"rds.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com",
				}}}},
			map[string]any{"Sid": "NotCIItself", "Effect": "Deny", "NotAction": []string{"iam:Get*", "iam:List*"},
				"Resource": []string{ci, "arn:aws:iam::*:oidc-provider/*"}},
		},
	}
	out, _ := json.Marshal(doc) // plain maps and strings: cannot fail
	return string(out)
}
