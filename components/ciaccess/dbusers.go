package ciaccess

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	postgres "github.com/pulumi/pulumi-azure-native-sdk/dbforpostgresql/v2/v20240801"
	gcpiam "github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The database users' identity (`wedsync-infra db users`, the step
// .github/actions/db-users runs right after every up, in the same job):
// it signs in to the stack's database as an administrator to make the
// application's users, so the deploy identity never reads a secret value
// or a database. Trusted by the deploy subject only (the jobs that run up
// and then this step), on the primary site's cloud (the database's), and
// holding only what the action uses:
//   - AWS: secretsmanager:GetSecretValue on the RDS-managed master secret
//     (database.credentialsSecret) and GetSecretValue + PutSecretValue on
//     RDS Proxy's secret (rds-proxy/PROJECT/STACK/wedsync_app: the action
//     writes a generated password there on the first deploy); the keys
//     that encrypt those two secrets only through Secrets Manager
//     (kms:ViaService); the stack's secrets-provider key, for `pulumi stack
//     output`.
//   - GCP: a Cloud SQL IAM service-account user on the stack's instance,
//     and roles/cloudsql.client + roles/cloudsql.instanceUser under a
//     condition naming that instance only. Its database role is given once
//     as the administrators group's is (README, `db users`): the pinned
//     provider cannot set database roles.
//   - Azure: an additional Microsoft Entra administrator of the flexible
//     server (a server has several; learn.microsoft.com/azure/postgresql/
//     flexible-server/how-to-manage-azure-ad-users#create-or-delete-microsoft-entra-administrators-using-the-azure-portal-or-azure-resource-manager-arm-api),
//     signing in with an Entra token for the oss-rdbms resource as the
//     identity's name (DBUsersRole). No ARM role: the token needs none.

// DBUsersKind names the identity: its resources, its output key
// (`ci.<cloud>["db-users"]`, what .github/actions/db-users signs in with).
const DBUsersKind = "db-users"

// DBUsersTarget is the database the db-users identity signs in to.
type DBUsersTarget struct {
	// Server is the primary server's name (the Cloud SQL instance, the
	// flexible server).
	Server pulumi.StringOutput
	// MasterSecret and ProxySecret (AWS) are the ARNs of the RDS-managed
	// master secret and RDS Proxy's secret; MasterKey and ProxyKey the
	// keys that encrypt them.
	MasterSecret, ProxySecret pulumi.StringOutput
	MasterKey, ProxyKey       pulumi.StringOutput
	// After (Azure) is what the administrator waits for: a flexible server
	// takes one change at a time.
	After pulumi.Resource
}

// dbUsersHere: the identity is made once, on the database's cloud.
func (b *builder) dbUsersHere() bool {
	return b.dbUsers != nil && b.site.Cloud == b.dep.Primary.Cloud
}

func (b *builder) awsDBUsers(providerARN pulumi.StringOutput) (pulumi.StringOutput, error) {
	role, err := b.awsRole(DBUsersKind, providerARN, []string{b.s.DeploySubject()}, "the deploy job's db users step signs in to "+b.dep.Stack+"'s database as its administrator", nil)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.awsStateKey(DBUsersKind, role.Name); err != nil {
		return pulumi.StringOutput{}, err
	}
	t, region := b.dbUsers, b.site.Region
	policy := pulumi.All(t.MasterSecret, t.ProxySecret, t.MasterKey, t.ProxyKey).ApplyT(func(v []any) (string, error) {
		return awsDBUsersPolicy(v[0].(string), v[1].(string), v[2].(string), v[3].(string), region)
	}).(pulumi.StringOutput)
	_, err = iam.NewRolePolicy(b.ctx, b.name+"-"+DBUsersKind+"-secrets", &iam.RolePolicyArgs{
		Role: role.Name, Name: pulumi.String(DBUsersKind + "-secrets"), Policy: policy,
	}, b.opts()...)
	return role.Arn, err
}

// awsDBUsersPolicy reads the master secret, reads and writes the proxy's,
// and uses their keys only through Secrets Manager in the database's
// region (PutSecretValue encrypts with GenerateDataKey:
// docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
func awsDBUsersPolicy(master, proxy, masterKey, proxyKey, region string) (string, error) {
	via := map[string]any{"StringEquals": map[string]any{"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"}}
	keys := []string{masterKey}
	if proxyKey != masterKey {
		keys = append(keys, proxyKey)
	}
	out, err := json.Marshal(awsDocument{Version: "2012-10-17", Statement: []awsStatement{
		{Sid: "ReadTheMasterSecret", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: master},
		{Sid: "ReadAndWriteTheProxySecret", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}, Resource: proxy},
		{Sid: "DecryptThroughSecretsManager", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: keys, Condition: via},
		{Sid: "EncryptTheProxySecret", Effect: "Allow", Action: []string{"kms:GenerateDataKey"}, Resource: proxyKey, Condition: via},
	}})
	return string(out), err
}

// gcpDBUsers returns the service account's email and its database user.
func (b *builder) gcpDBUsers(pool *gcpiam.WorkloadIdentityPool) (email, user pulumi.StringOutput, err error) {
	sa, err := b.gcpAccount(DBUsersKind, pool, b.s.DeploySubject())
	if err != nil {
		return email, user, err
	}
	project := b.site.GCPProject
	// Cloud SQL names a service account's IAM user by its email less
	// ".gserviceaccount.com" (components/database gcpUserName).
	user = sa.Email.ApplyT(func(e string) string { return strings.TrimSuffix(e, ".gserviceaccount.com") }).(pulumi.StringOutput)
	if _, err := sql.NewUser(b.ctx, b.name+"-"+DBUsersKind, &sql.UserArgs{
		Project:        pulumi.String(project),
		Instance:       b.dbUsers.Server,
		Name:           user,
		Type:           pulumi.String("CLOUD_IAM_SERVICE_ACCOUNT"),
		DeletionPolicy: pulumi.String("ABANDON"),
	}, b.opts()...); err != nil {
		return email, user, err
	}
	only := &projects.IAMMemberConditionArgs{
		Title:       pulumi.String("only " + b.dep.Stack + "'s database"),
		Description: pulumi.String("IAM database sign-in to the stack's primary instance only"),
		Expression: b.dbUsers.Server.ApplyT(func(n string) string {
			return fmt.Sprintf("resource.type == 'sqladmin.googleapis.com/Instance' && resource.name == %s", celString("projects/"+project+"/instances/"+n))
		}).(pulumi.StringOutput),
	}
	member := pulumi.Sprintf("serviceAccount:%s", sa.Email)
	if err := b.gcpStateKey(DBUsersKind, member); err != nil {
		return email, user, err
	}
	for _, role := range gcpGrantableRoles {
		if err := b.gcpBind(DBUsersKind+"-"+strings.TrimPrefix(role, "roles/cloudsql."), role, member, only); err != nil {
			return email, user, err
		}
	}
	return sa.Email, user, nil
}

// azureDBUsers returns the identity's client id and the Entra
// administrator's name it signs in to PostgreSQL as.
func (b *builder) azureDBUsers(sub pulumi.StringOutput) (client, role pulumi.StringOutput, err error) {
	id, err := b.azureIdentity(DBUsersKind, b.s.DeploySubject())
	if err != nil {
		return client, role, err
	}
	if err := b.azureStateKey(DBUsersKind, id, sub); err != nil {
		return client, role, err
	}
	opts := b.opts()
	if b.dbUsers.After != nil {
		opts = append(opts, pulumi.DependsOn([]pulumi.Resource{b.dbUsers.After}))
	}
	_, err = postgres.NewAdministrator(b.ctx, b.name+"-"+DBUsersKind, &postgres.AdministratorArgs{
		ResourceGroupName: b.site.AzureResourceGroup,
		ServerName:        b.dbUsers.Server,
		ObjectId:          id.PrincipalId,
		PrincipalName:     id.Name,
		PrincipalType:     pulumi.String("ServicePrincipal"),
		TenantId:          id.TenantId,
	}, opts...)
	if err != nil {
		return client, role, err
	}
	// The administrator's PostgreSQL role is its principal name.
	return id.ClientId, id.Name, nil
}
