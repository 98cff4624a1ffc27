package database

import (
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	postgres "github.com/pulumi/pulumi-azure-native-sdk/dbforpostgresql/v2/v20240801"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// keyVaultCryptoServiceEncryptionUser is the built-in role that lets a
// service wrap and unwrap with a Key Vault key, and nothing else.
const keyVaultCryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

// azurePrincipalTypes are the Entra principal types of each principal kind.
var azurePrincipalTypes = map[PrincipalKind]string{
	UserPrincipal:           "User",
	GroupPrincipal:          "Group",
	ServiceAccountPrincipal: "ServicePrincipal",
}

// azureStorageTiers are the storage sizes a flexible server offers (GiB).
var azureStorageTiers = []int{32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}

// azureStorage is the smallest tier holding gb.
func azureStorage(gb int) int {
	for _, t := range azureStorageTiers {
		if t >= gb {
			return t
		}
	}
	return azureStorageTiers[len(azureStorageTiers)-1]
}

// newAzure creates an Azure Database for PostgreSQL flexible server, on the
// 2024-08-01 API (the package default, 2022-12-01, offers neither
// PostgreSQL 15/16, storage auto-grow nor an explicit public-access switch).
// Its key is reached through a user-assigned identity granted only the
// crypto-service role on the vault; geo-redundant backups, which can only
// be chosen at creation, are on from the first deploy in prod and encrypted
// with the DR region's key.
//
// Password sign-in is off: administrators are Microsoft Entra principals
// (Settings.Administrators) and everyone signs in with Entra tokens, so
// the server has no administrator password at all.
func newAzure(ctx *pulumi.Context, name string, c *Database, a *DatabaseArgs) error {
	dep, site, s := a.Deployment, a.Deployment.Primary, a.Settings
	opts := site.With(pulumi.Parent(c))
	tags := dep.Tags.For(core.Azure)
	rg := site.AzureResourceGroup
	// The tenant whose Entra principals may sign in: the deploying identity's.
	tenant := authorization.GetClientConfigOutput(ctx, pulumi.Provider(site.Provider)).TenantId()

	identity, err := managedidentity.NewUserAssignedIdentity(ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(dep.Name(name, "db", site.Short())),
		ResourceGroupName: rg,
		Location:          pulumi.String(site.Region),
		Tags:              tags,
	}, opts...)
	if err != nil {
		return err
	}
	grant := func(suffix string, key *core.Key) (pulumi.Resource, error) {
		return authorization.NewRoleAssignment(ctx, name+suffix, &authorization.RoleAssignmentArgs{
			Scope: key.VaultID,
			RoleDefinitionId: key.VaultID.ApplyT(func(vault string) string {
				return subscriptionOf(vault) + "/providers/Microsoft.Authorization/roleDefinitions/" + keyVaultCryptoServiceEncryptionUser
			}).(pulumi.StringOutput),
			PrincipalId:   identity.PrincipalId,
			PrincipalType: pulumi.String("ServicePrincipal"),
			Description:   pulumi.String("lets the database wrap its data key"),
		}, opts...)
	}
	keyAccess, err := grant("-key", a.Key)
	if err != nil {
		return err
	}
	ready := []pulumi.Resource{keyAccess}

	encryption := &postgres.DataEncryptionArgs{
		Type:                          pulumi.String("AzureKeyVault"),
		PrimaryKeyURI:                 a.Key.ID,
		PrimaryUserAssignedIdentityId: identity.ID(),
	}
	geo := "Disabled"
	if a.crossRegion() {
		geo = "Enabled"
		drAccess, err := grant("-dr-key", a.DRKey)
		if err != nil {
			return err
		}
		ready = append(ready, drAccess)
		encryption.GeoBackupKeyURI = a.DRKey.ID
		encryption.GeoBackupUserAssignedIdentityId = identity.ID()
	}
	// Zone-redundant HA where the region has zones; where it has none
	// (ukwest, where prod is rebuilt after losing uksouth) a same-zone
	// standby still survives the loss of the primary's host.
	zones := site.Zones()
	ha := &postgres.HighAvailabilityArgs{Mode: pulumi.String("Disabled")}
	var zone pulumi.StringPtrInput
	switch {
	case *s.HighAvailability && len(zones) >= 2:
		ha = &postgres.HighAvailabilityArgs{Mode: pulumi.String("ZoneRedundant"), StandbyAvailabilityZone: pulumi.String(zones[1])}
	case *s.HighAvailability:
		ha = &postgres.HighAvailabilityArgs{Mode: pulumi.String("SameZone")}
	}
	if len(zones) > 0 {
		zone = pulumi.String(zones[0])
	}
	args := &postgres.ServerArgs{
		ServerName:        pulumi.String(dep.Name(name, site.Short())),
		ResourceGroupName: rg,
		Location:          pulumi.String(site.Region),
		Tags:              tags,
		Version:           pulumi.String(s.Version),
		Sku:               &postgres.SkuArgs{Name: pulumi.String(a.size().azure), Tier: pulumi.String(a.size().azureTier)},
		Storage: &postgres.StorageArgs{
			StorageSizeGB: pulumi.Int(azureStorage(s.StorageGB)),
			AutoGrow:      pulumi.String("Enabled"),
		},
		Backup: &postgres.BackupTypeArgs{
			BackupRetentionDays: pulumi.Int(s.BackupRetentionDays),
			GeoRedundantBackup:  pulumi.String(geo),
		},
		HighAvailability: ha,
		AvailabilityZone: zone,
		Network: &postgres.NetworkArgs{
			DelegatedSubnetResourceId:   a.Network.DatabaseSubnetIDs.Index(pulumi.Int(0)),
			PrivateDnsZoneArmResourceId: a.Network.DatabasePrivateDNSZoneID,
			PublicNetworkAccess:         pulumi.String("Disabled"),
		},
		Identity: identity.ID().ApplyT(func(id pulumi.ID) *postgres.UserAssignedIdentity {
			return &postgres.UserAssignedIdentity{Type: "UserAssigned", UserAssignedIdentities: map[string]postgres.UserIdentity{string(id): {}}}
		}).(postgres.UserAssignedIdentityPtrOutput),
		DataEncryption: encryption,
		AuthConfig: &postgres.AuthConfigArgs{
			ActiveDirectoryAuth: pulumi.String("Enabled"),
			PasswordAuth:        pulumi.String("Disabled"),
			TenantId:            tenant,
		},
		MaintenanceWindow: &postgres.MaintenanceWindowArgs{
			CustomWindow: pulumi.String("Enabled"),
			DayOfWeek:    pulumi.Int(a.isoWeekday() % 7), // Azure counts from Sunday = 0
			StartHour:    pulumi.Int(s.MaintenanceWindow.Hour),
			StartMinute:  pulumi.Int(0),
		},
	}
	if r := a.Restore; r != nil {
		// Azure keeps PITR whenever backups are on; a restore reads the
		// source's backups (geo-redundant ones for GeoRestore).
		args.CreateMode = pulumi.String(map[bool]string{true: "GeoRestore", false: "PointInTimeRestore"}[r.GeoRestore])
		args.SourceServerResourceId = pulumi.String(r.SourceID)
		args.PointInTimeUTC = pulumi.String(r.PointInTime)
	} else {
		args.CreateMode = pulumi.String("Create")
	}
	server, err := postgres.NewServer(ctx, name, args, site.With(pulumi.Parent(c), dep.Protect(), pulumi.DependsOn(ready))...)
	if err != nil {
		return err
	}
	// Protect the server from deletion on the provider side too: a
	// CanNotDelete lock, since flexible servers have no deletion flag.
	if *s.DeletionProtection {
		if _, err := authorization.NewManagementLockByScope(ctx, name, &authorization.ManagementLockByScopeArgs{
			Scope:    server.ID(),
			LockName: pulumi.String(dep.Name(name, "no-delete")),
			Level:    pulumi.String("CanNotDelete"),
			Notes:    pulumi.String("WedSync data: remove this lock in a reviewed change before deleting the database"),
		}, site.With(pulumi.Parent(c), dep.Protect())...); err != nil {
			return err
		}
	}
	// TLS 1.2 or later for every connection. Parameters of one server are
	// changed one at a time.
	var previous []pulumi.Resource
	for _, p := range [][2]string{{"require_secure_transport", "on"}, {"ssl_min_protocol_version", "TLSv1.2"}} {
		cfg, err := postgres.NewConfiguration(ctx, name+"-"+strings.ReplaceAll(p[0], "_", "-"), &postgres.ConfigurationArgs{
			ResourceGroupName: rg,
			ServerName:        server.Name,
			ConfigurationName: pulumi.String(p[0]),
			Value:             pulumi.String(p[1]),
			Source:            pulumi.String("user-override"),
		}, site.With(pulumi.Parent(c), pulumi.DependsOn(previous))...)
		if err != nil {
			return err
		}
		previous = []pulumi.Resource{cfg}
	}
	for _, p := range a.Settings.Administrators {
		admin, err := postgres.NewAdministrator(ctx, name+"-admin-"+principalLabel(p), &postgres.AdministratorArgs{
			ResourceGroupName: rg,
			ServerName:        server.Name,
			ObjectId:          pulumi.String(p.ID),
			PrincipalName:     pulumi.String(p.Name),
			PrincipalType:     pulumi.String(azurePrincipalTypes[p.Kind]),
			TenantId:          tenant,
		}, site.With(pulumi.Parent(c), pulumi.DependsOn(previous))...)
		if err != nil {
			return err
		}
		previous = []pulumi.Resource{admin}
	}
	if a.Restore == nil {
		if _, err := postgres.NewDatabase(ctx, name, &postgres.DatabaseArgs{
			ResourceGroupName: rg,
			ServerName:        server.Name,
			DatabaseName:      pulumi.String(s.DatabaseName),
			Charset:           pulumi.String("UTF8"),
			Collation:         pulumi.String("en_GB.utf8"),
		}, site.With(pulumi.Parent(c), dep.Protect(), pulumi.DependsOn(previous))...); err != nil {
			return err
		}
	}

	if a.Alerts != nil {
		if err := azureAlarms(ctx, name, a, server, opts); err != nil {
			return err
		}
	}
	c.Endpoint = server.FullyQualifiedDomainName
	c.Port = pulumi.Int(defaultPort).ToIntOutput()
	c.CredentialsSecret = pulumi.String("").ToStringOutput()
	appUsers := make([]string, len(a.AppPrincipals))
	for i, p := range a.AppPrincipals {
		appUsers[i] = p.Name
	}
	c.AppUsers = pulumi.ToStringArray(appUsers).ToStringArrayOutput()
	c.ConnectPolicy = pulumi.String("").ToStringOutput()
	c.SourceID = server.ID().ToStringOutput()
	c.MetricsID = c.SourceID
	return nil
}

// azureAlarms raises Azure Monitor metric alerts to the action group(s).
func azureAlarms(ctx *pulumi.Context, name string, a *DatabaseArgs, server *postgres.Server, opts []pulumi.ResourceOption) error {
	actions := a.Alerts.IDs.ApplyT(func(ids []string) []insights.MetricAlertAction {
		out := make([]insights.MetricAlertAction, len(ids))
		for i := range ids {
			out[i] = insights.MetricAlertAction{ActionGroupId: &ids[i]}
		}
		return out
	}).(insights.MetricAlertActionArrayOutput)
	t := a.Alerts.Limits()
	for _, al := range []struct {
		key, metric string
		threshold   float64
	}{
		{alarmCPU, "cpu_percent", t.DatabaseCPUPercent},
		{alarmStorage, "storage_percent", 100 - t.DatabaseFreeStoragePercent},
		{alarmConnections, "active_connections", a.connectionsAlarm(t)},
		// Bytes of WAL the furthest-behind replica (HA standby or read
		// replica) has yet to replay.
		{alarmReplicationLag, "max_physical_replication_lag", t.ReplicationLagBytes},
	} {
		_, err := insights.NewMetricAlert(ctx, name+"-"+al.key, &insights.MetricAlertArgs{
			RuleName:            pulumi.String(a.Deployment.Name(name, al.key)),
			ResourceGroupName:   a.Deployment.Primary.AzureResourceGroup,
			Location:            pulumi.String("global"),
			Description:         pulumi.String(alarmDescription(al.key, t)),
			Enabled:             pulumi.Bool(true),
			Severity:            pulumi.Int(2),
			Scopes:              pulumi.StringArray{server.ID()},
			EvaluationFrequency: pulumi.String("PT5M"),
			WindowSize:          pulumi.String("PT15M"),
			Criteria: insights.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
				OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
				AllOf: insights.MetricCriteriaArray{insights.MetricCriteriaArgs{
					CriterionType:   pulumi.String("StaticThresholdCriterion"),
					Name:            pulumi.String(al.key),
					MetricName:      pulumi.String(al.metric),
					Operator:        pulumi.String("GreaterThan"),
					Threshold:       pulumi.Float64(al.threshold),
					TimeAggregation: pulumi.String("Average"),
				}},
			},
			Actions: actions,
			Tags:    a.Deployment.Tags.For(core.Azure),
		}, opts...)
		if err != nil {
			return err
		}
	}
	return nil
}

// subscriptionOf is the "/subscriptions/ID" prefix of an ARM resource id.
func subscriptionOf(id string) string {
	parts := strings.SplitN(strings.TrimPrefix(id, "/"), "/", 3)
	if len(parts) < 2 {
		return ""
	}
	return "/" + parts[0] + "/" + parts[1]
}
