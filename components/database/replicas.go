package database

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	postgres "github.com/pulumi/pulumi-azure-native-sdk/dbforpostgresql/v2/v20240801"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The read replicas (Settings.ReadReplicas): asynchronous copies of the
// primary in its region, each in another zone than the primary where the
// region has zones (replicaZone), on the size's class, encrypted with the
// data key, private and TLS-only like the primary, with their own alarms
// (CPU, connections, replication lag). They are the application's read
// path (Database.ReplicaEndpoints); the cross-region copy for disaster
// recovery is another thing (Settings.CrossRegionBackups).
//
// A replica is protected like the primary (pulumi.Protect, and the
// settings' deletion protection on AWS and GCP), so lowering readReplicas
// in prod is a reviewed change in three steps: `pulumi state unprotect` the
// replica's URN, turn the cloud's protection off on it
// (`aws rds modify-db-instance --no-deletion-protection`,
// `gcloud sql instances patch --no-deletion-protection`), then apply.

// awsReplicas are RDS read replicas of inst, in the primary's region
// (replicateSourceDb by identifier), each with its own log groups.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html
func (b *builder) awsReplicas(inst *rds.Instance, sup awsSupport) ([]*rds.Instance, error) {
	a, dep, s := b.a, b.a.Deployment, b.a.Settings
	w := s.MaintenanceWindow
	day := w.Day[:3]
	var out []*rds.Instance
	for i := range s.replicas() {
		label := replicaLabel(i)
		logs, err := b.awsLogGroups(label)
		if err != nil {
			return nil, err
		}
		args := &rds.InstanceArgs{
			Identifier:          pulumi.String(dep.Name(b.name, label)),
			ReplicateSourceDb:   inst.Identifier,
			InstanceClass:       pulumi.String(a.size().aws),
			AllocatedStorage:    pulumi.Int(s.StorageGB),
			MaxAllocatedStorage: pulumi.Int(s.MaxStorageGB),
			StorageType:         pulumi.String("gp3"),
			StorageEncrypted:    pulumi.Bool(true),
			KmsKeyId:            a.Key.ID,
			Port:                pulumi.Int(defaultPort),
			VpcSecurityGroupIds: pulumi.StringArray{a.Network.DatabaseSecurityGroupID},
			PubliclyAccessible:  pulumi.Bool(false),
			ParameterGroupName:  sup.params,
			// The application reads with IAM tokens as AWSReadUser.
			IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
			// A replica keeps no backups of its own: the primary's are the
			// data's, and nothing is lost with a replica.
			BackupRetentionPeriod:              pulumi.Int(0),
			SkipFinalSnapshot:                  pulumi.Bool(true),
			DeletionProtection:                 pulumi.Bool(*s.DeletionProtection),
			MaintenanceWindow:                  pulumi.String(fmt.Sprintf("%s:%02d:00-%s:%02d:59", day, w.Hour, day, w.Hour)),
			AutoMinorVersionUpgrade:            pulumi.Bool(true),
			ApplyImmediately:                   pulumi.Bool(true),
			CopyTagsToSnapshot:                 pulumi.Bool(true),
			PerformanceInsightsEnabled:         pulumi.Bool(true),
			PerformanceInsightsKmsKeyId:        a.Key.ID,
			PerformanceInsightsRetentionPeriod: pulumi.Int(7),
			MonitoringInterval:                 pulumi.Int(30),
			MonitoringRoleArn:                  sup.monitoringRole,
			EnabledCloudwatchLogsExports:       pulumi.ToStringArray(awsLogExports),
		}
		if z := a.replicaZone(i); z != "" {
			args.AvailabilityZone = pulumi.String(z)
		}
		replica, err := rds.NewInstance(b.ctx, b.name+"-"+label, args,
			b.opts(dep.Primary, dep.Protect(), pulumi.DependsOn(append([]pulumi.Resource{sup.monitoringAccess}, logs...)))...)
		if err != nil {
			return nil, err
		}
		out = append(out, replica)
	}
	return out, nil
}

// awsReplicaEndpoints are the replicas' addresses.
func awsReplicaEndpoints(replicas []*rds.Instance) pulumi.StringArrayOutput {
	out := pulumi.StringArray{}
	for _, r := range replicas {
		out = append(out, r.Address)
	}
	return out.ToStringArrayOutput()
}

// azureReplicas are flexible server read replicas of server in its region
// (createMode Replica), on the size's SKU, in the server's delegated
// subnet and private DNS zone, encrypted with the data key through the
// server's identity, Entra sign-in only, each with the server's
// parameters. In a region without zones (ukwest) they have no zone.
// https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-read-replicas
func (b *builder) azureReplicas(server *postgres.Server, k azureKeys, tenant pulumi.StringOutput) ([]*postgres.Server, error) {
	a, dep, site, s := b.a, b.a.Deployment, b.a.Deployment.Primary, b.a.Settings
	var out []*postgres.Server
	for i := range s.replicas() {
		label := replicaLabel(i)
		args := &postgres.ServerArgs{
			ServerName:             pulumi.String(dep.Name(b.name, label, site.Short())),
			ResourceGroupName:      site.AzureResourceGroup,
			Location:               pulumi.String(site.Region),
			Tags:                   dep.Tags.For(core.Azure),
			CreateMode:             pulumi.String("Replica"),
			SourceServerResourceId: server.ID(),
			Version:                pulumi.String(s.Version),
			Sku:                    &postgres.SkuArgs{Name: pulumi.String(a.size().azure), Tier: pulumi.String(a.size().azureTier)},
			Storage: &postgres.StorageArgs{
				StorageSizeGB: pulumi.Int(azureStorage(s.StorageGB)),
				AutoGrow:      pulumi.String("Enabled"),
			},
			Network: &postgres.NetworkArgs{
				DelegatedSubnetResourceId:   a.Network.DatabaseSubnetIDs.Index(pulumi.Int(0)),
				PrivateDnsZoneArmResourceId: a.Network.DatabasePrivateDNSZoneID,
				PublicNetworkAccess:         pulumi.String("Disabled"),
			},
			Identity: k.identity.ID().ApplyT(func(id pulumi.ID) *postgres.UserAssignedIdentity {
				return &postgres.UserAssignedIdentity{Type: "UserAssigned", UserAssignedIdentities: map[string]postgres.UserIdentity{string(id): {}}}
			}).(postgres.UserAssignedIdentityPtrOutput),
			DataEncryption: &postgres.DataEncryptionArgs{
				Type:                          pulumi.String("AzureKeyVault"),
				PrimaryKeyURI:                 a.Key.ID,
				PrimaryUserAssignedIdentityId: k.identity.ID(),
			},
			AuthConfig: &postgres.AuthConfigArgs{
				ActiveDirectoryAuth: pulumi.String("Enabled"),
				PasswordAuth:        pulumi.String("Disabled"),
				TenantId:            tenant,
			},
		}
		if z := a.replicaZone(i); z != "" {
			args.AvailabilityZone = pulumi.String(z)
		}
		// A replica is made once the source is complete (its parameters,
		// administrators and database replicate to it).
		r, err := postgres.NewServer(b.ctx, b.name+"-"+label, args, b.opts(site, dep.Protect(), pulumi.DependsOn(k.ready))...)
		if err != nil {
			return nil, err
		}
		if _, err := b.azureParameters(b.name+"-"+label, r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
