package database

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The connection pooler the application connects through: up to 60
// wedding-day instances share one server, which admits a few hundred
// connections (sizes.go), so connections are multiplexed in front of it.
//
//   - AWS: RDS Proxy, IAM authentication from the application and TLS
//     required. The pinned provider (pulumi-aws v6.83.4) has no end-to-end
//     IAM scheme for the proxy's own sign-in, so the proxy signs in to the
//     instance as AWSAppUser with the password in the secret it reads
//     (ProxySecret): the deploy path writes a generated password there on
//     the first deploy and `wedsync-infra db users` creates the user with it
//     (.github/actions/db-users); the application itself only ever
//     presents IAM tokens, to the proxy.
//   - Azure: the flexible server's built-in PgBouncer (pgbouncer.enabled),
//     on the server's name at port 6432; not offered on Burstable sizes,
//     where the application connects to the server directly.
//   - GCP: Cloud SQL managed connection pooling is not in the pinned
//     provider (pulumi-gcp v7.38.0 has no connection pool settings), so each
//     instance runs a PgBouncer sidecar (the image's wedsync-pgbouncer unit)
//     on 127.0.0.1:6432 with the Cloud SQL private IP upstream.
//
// (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html,
// learn.microsoft.com/azure/postgresql/flexible-server/concepts-pgbouncer)
const (
	// PgBouncerPort is where PgBouncer listens (Azure built-in, GCP sidecar).
	PgBouncerPort = 6432
	// GCPPoolerHost is the GCP sidecar's address on every instance.
	GCPPoolerHost = "127.0.0.1"
	// proxyMaxConnectionsPercent leaves the rest of max_connections to
	// administrators and migrations.
	proxyMaxConnectionsPercent = 90
)

// awsPooler is the RDS Proxy in front of inst, in the database subnets and
// security group (which admits the app, and the proxy to the instance).
func (b *builder) awsPooler(inst *rds.Instance) (*rds.Proxy, *secretsmanager.Secret, error) {
	name, a, dep, site := b.name, b.a, b.a.Deployment, b.a.Deployment.Primary
	opts := b.opts(site)
	secret, err := secretsmanager.NewSecret(b.ctx, name+"-proxy-user", &secretsmanager.SecretArgs{
		// Outside the application's secrets (PROJECT/STACK/*): only the
		// proxy reads it.
		Name:        pulumi.String("rds-proxy/" + dep.Project + "/" + dep.Stack + "/" + AWSAppUser),
		Description: pulumi.String("password RDS Proxy signs in to the database with as " + AWSAppUser + "; written on the first deploy by the deploy path (.github/actions/db-users), which creates the user with it"),
		KmsKeyId:    a.SecretsKey.ID,
	}, b.opts(site, dep.Protect())...)
	if err != nil {
		return nil, nil, err
	}
	role, err := iam.NewRole(b.ctx, name+"-proxy", &iam.RoleArgs{
		Name:             pulumi.String(dep.NameWithin(64, name, "proxy", site.Short())),
		Description:      pulumi.String("RDS Proxy: reads the application user's secret only"),
		AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	access, err := iam.NewRolePolicy(b.ctx, name+"-proxy", &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: pulumi.All(secret.Arn, a.SecretsKey.ID).ApplyT(func(v []any) (string, error) {
			return proxyPolicy(v[0].(string), v[1].(string), site.Region)
		}).(pulumi.StringOutput),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	proxy, err := rds.NewProxy(b.ctx, name, &rds.ProxyArgs{
		Name:         pulumi.String(dep.NameWithin(60, name)),
		EngineFamily: pulumi.String("POSTGRESQL"),
		RequireTls:   pulumi.Bool(true),
		RoleArn:      role.Arn,
		Auths: rds.ProxyAuthArray{rds.ProxyAuthArgs{
			AuthScheme: pulumi.String("SECRETS"), IamAuth: pulumi.String("REQUIRED"),
			SecretArn: secret.Arn, Username: pulumi.String(AWSAppUser),
			ClientPasswordAuthType: pulumi.String("POSTGRES_SCRAM_SHA_256"),
		}},
		VpcSubnetIds:        a.Network.DatabaseSubnetIDs,
		VpcSecurityGroupIds: pulumi.StringArray{a.Network.DatabaseSecurityGroupID},
		Tags:                dep.Tags.For(site.Cloud),
	}, b.opts(site, pulumi.DependsOn([]pulumi.Resource{access}))...)
	if err != nil {
		return nil, nil, err
	}
	group, err := rds.NewProxyDefaultTargetGroup(b.ctx, name, &rds.ProxyDefaultTargetGroupArgs{
		DbProxyName: proxy.Name,
		ConnectionPoolConfig: &rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs{
			MaxConnectionsPercent: pulumi.Int(proxyMaxConnectionsPercent),
		},
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	// A proxy has one target group, named "default".
	_, err = rds.NewProxyTarget(b.ctx, name, &rds.ProxyTargetArgs{
		DbProxyName: proxy.Name, TargetGroupName: pulumi.String("default"), DbInstanceIdentifier: inst.Identifier,
	}, b.opts(site, pulumi.DependsOn([]pulumi.Resource{group}))...)
	return proxy, secret, err
}

// proxyPolicy lets the proxy read its one secret, decrypting through
// Secrets Manager only.
func proxyPolicy(secretArn, key, region string) (string, error) {
	out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{
		{"Sid": "ReadTheAppUserSecret", "Effect": "Allow", "Action": []string{"secretsmanager:GetSecretValue"}, "Resource": secretArn},
		{"Sid": "DecryptThroughSecretsManager", "Effect": "Allow", "Action": []string{"kms:Decrypt"}, "Resource": key,
			"Condition": map[string]any{"StringEquals": map[string]string{"kms:ViaService": fmt.Sprintf("secretsmanager.%s.amazonaws.com", region)}}},
	}})
	return string(out), err
}
