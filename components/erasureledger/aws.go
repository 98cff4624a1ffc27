package erasureledger

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AWSWriterActions are all the app may do to the ledger: put a new object.
// Its policy also requires If-None-Match, so a put never replaces an entry
// (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html);
// object lock in compliance mode keeps every version for the retention.
var AWSWriterActions = []string{"s3:PutObject"}

// AWSReaderActions list and read entries, nothing else.
var AWSReaderActions = []string{"s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention"}

type awsStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  any                          `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// aws attaches an inline policy to the app's role (create only) and to
// each reader's role (read only). The ledger's key policy names the
// account root, so these IAM policies are what let the roles use the key.
func (b *builder) aws() (outputs, error) {
	arn := b.c.Bucket.ApplyT(func(name string) string { return "arn:aws:s3:::" + name }).(pulumi.StringOutput)
	key := b.a.Key.ID
	if b.a.Writer != (pulumi.StringOutput{}) { // a DR stack's app too: see Writer
		policy := pulumi.All(arn, key).ApplyT(func(v []any) (string, error) {
			bucket, key := v[0].(string), v[1].(string)
			return awsPolicy(
				awsStatement{Sid: "AppendErasures", Effect: "Allow", Action: AWSWriterActions, Resource: bucket + "/*",
					Condition: map[string]map[string]string{"Null": {"s3:if-none-match": "false"}}},
				awsStatement{Sid: "EncryptErasures", Effect: "Allow", Action: []string{"kms:GenerateDataKey", "kms:Encrypt"}, Resource: key},
			)
		}).(pulumi.StringOutput)
		if err := b.awsRolePolicy("writer", b.a.Writer, policy); err != nil {
			return outputs{}, err
		}
	}
	policy := pulumi.All(arn, key).ApplyT(func(v []any) (string, error) {
		bucket, key := v[0].(string), v[1].(string)
		return awsPolicy(
			awsStatement{Sid: "ReadErasures", Effect: "Allow", Action: AWSReaderActions, Resource: []string{bucket, bucket + "/*"}},
			awsStatement{Sid: "DecryptErasures", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: key},
		)
	}).(pulumi.StringOutput)
	for i, r := range b.a.Readers {
		if err := b.awsRolePolicy(fmt.Sprintf("reader-%d", i), r, policy); err != nil {
			return outputs{}, err
		}
	}
	return outputs{grants: []string{"app: put new entries only", "readers: list and read"}}, nil
}

// awsRolePolicy attaches policy to the role roleArn names.
func (b *builder) awsRolePolicy(suffix string, roleArn pulumi.StringOutput, policy pulumi.StringOutput) error {
	role := roleArn.ApplyT(func(arn string) (string, error) {
		_, name, ok := strings.Cut(arn, ":role/")
		if !ok {
			return "", fmt.Errorf("identity %q is not an IAM role ARN", arn)
		}
		return name[strings.LastIndex(name, "/")+1:], nil
	}).(pulumi.StringOutput)
	_, err := iam.NewRolePolicy(b.ctx, b.name+"-"+suffix, &iam.RolePolicyArgs{
		Name:   pulumi.String(b.a.Deployment.NameWithin(128, "erasure-ledger", suffix)),
		Role:   role,
		Policy: policy,
	}, b.opts()...)
	return err
}

func awsPolicy(statements ...awsStatement) (string, error) {
	out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(out), err
}
