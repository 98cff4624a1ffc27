package appaccess

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/appconfig"
)

// AWSFieldKeyActions are what the application does with the field key:
// encrypt and decrypt guest fields (envelope encryption through data keys),
// never manage it or hand it on with grants.
var AWSFieldKeyActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"}

// AWSSecretActions read a secret's value, never write or delete it.
var AWSSecretActions = []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}

type awsStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// awsAccessPolicy is the role's policy on secrets and keys. The key
// policies name the account root, so an IAM policy in the account is what
// lets the role use them (docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
// The secrets key is usable only through Secrets Manager in this region.
func awsAccessPolicy(fieldKey, secretsKey, secretsPrefix string) (string, error) {
	// arn:PARTITION:kms:REGION:ACCOUNT:key/ID
	parts := strings.SplitN(fieldKey, ":", 6)
	if len(parts) < 6 {
		return "", fmt.Errorf("field key %q is not a KMS key ARN", fieldKey)
	}
	partition, region, account := parts[1], parts[3], parts[4]
	doc := map[string]any{"Version": "2012-10-17", "Statement": []awsStatement{
		{Sid: "ReadTheStacksSecrets", Effect: "Allow", Action: AWSSecretActions,
			Resource: fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s*", partition, region, account, secretsPrefix)},
		{Sid: "DecryptSecretsThroughSecretsManager", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: secretsKey,
			Condition: map[string]map[string]string{"StringEquals": {"kms:ViaService": fmt.Sprintf("secretsmanager.%s.amazonaws.com", region)}}},
		{Sid: "EncryptGuestFields", Effect: "Allow", Action: AWSFieldKeyActions, Resource: fieldKey},
	}}
	out, err := json.Marshal(doc)
	return string(out), err
}

// aws attaches two inline policies to the instances' role: secrets and
// keys, and rds-db:connect as the application's database user.
func (b *builder) aws() (outputs, error) {
	a := b.a
	role := a.Identity.ApplyT(func(arn string) (string, error) {
		_, name, ok := strings.Cut(arn, ":role/")
		if !ok {
			return "", fmt.Errorf("identity %q is not an IAM role ARN", arn)
		}
		return name[strings.LastIndex(name, "/")+1:], nil
	}).(pulumi.StringOutput)
	prefix := b.secretPrefix("/")
	policy := pulumi.All(a.FieldKey.ID, a.SecretsKey.ID).ApplyT(func(v []any) (string, error) {
		return awsAccessPolicy(v[0].(string), v[1].(string), prefix)
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-secrets-and-keys", &iam.RolePolicyArgs{
		Name: pulumi.String("secrets-and-field-key"), Role: role, Policy: policy,
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-database", &iam.RolePolicyArgs{
		Name: pulumi.String("database-connect"), Role: role, Policy: a.ConnectPolicy,
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	config := a.ConfigScope.ApplyT(func(scope string) (string, error) {
		out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []awsStatement{
			{Sid: "ReadItsConfiguration", Effect: "Allow", Action: appconfig.AWSReadActions, Resource: scope},
		}})
		return string(out), err
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-config", &iam.RolePolicyArgs{
		Name: pulumi.String("app-configuration"), Role: role, Policy: config,
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	return outputs{grants: []string{
		"read its configuration (AppConfig, its own environment and profile)",
		"read secrets " + prefix + "*",
		"decrypt with the secrets key through Secrets Manager",
		"encrypt and decrypt with the field key",
		"rds-db:connect as the application's database user",
	}}, nil
}
