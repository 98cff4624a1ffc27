package database

import (
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	postgres "github.com/pulumi/pulumi-azure-native-sdk/dbforpostgresql/v2/v20240801"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
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

// azure creates an Azure Database for PostgreSQL flexible server, on the
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
func (b *builder) azure() (outputs, error) {
	a, dep, site := b.a, b.a.Deployment, b.a.Deployment.Primary
	// The tenant whose Entra principals may sign in: the deploying identity's.
	tenant := authorization.GetClientConfigOutput(b.ctx, pulumi.Provider(site.Provider)).TenantId()
	enc, err := b.azureEncryption()
	if err != nil {
		return outputs{}, err
	}
	server, err := postgres.NewServer(b.ctx, b.name, b.azureServerArgs(enc, tenant),
		b.opts(site, dep.Protect(), pulumi.DependsOn(enc.ready))...)
	if err != nil {
		return outputs{}, err
	}
	if err := b.azureGuards(server, tenant); err != nil {
		return outputs{}, err
	}
	replicas, err := b.azureReplicas(server, enc, tenant)
	if err != nil {
		return outputs{}, err
	}
	if err := b.azureLogs(append([]*postgres.Server{server}, replicas...)); err != nil {
		return outputs{}, err
	}
	if a.Alerts != nil {
		if err := b.azureAlarms(server, replicas); err != nil {
			return outputs{}, err
		}
	}
	endpoints := pulumi.StringArray{}
	for _, r := range replicas {
		endpoints = append(endpoints, r.FullyQualifiedDomainName)
	}
	// Built-in PgBouncer (pooler.go) where the size offers it.
	poolerPort := pulumi.Int(defaultPort)
	if !a.size().burstable {
		poolerPort = pulumi.Int(PgBouncerPort)
	}
	appUsers := make([]string, len(a.AppPrincipals))
	for i, p := range a.AppPrincipals {
		appUsers[i] = p.Name
	}
	return outputs{
		endpoint:          server.FullyQualifiedDomainName,
		port:              pulumi.Int(defaultPort).ToIntOutput(),
		poolerEndpoint:    server.FullyQualifiedDomainName,
		poolerPort:        poolerPort.ToIntOutput(),
		credentialsSecret: empty(),
		proxySecret:       empty(),
		serverName:        server.Name,
		appUsers:          pulumi.ToStringArray(appUsers).ToStringArrayOutput(),
		connectPolicy:     empty(),
		sourceID:          server.ID().ToStringOutput(),
		metricsID:         server.ID().ToStringOutput(),
		backupTarget:      server.ID().ToStringOutput(),
		exportIdentity:    empty(),
		replicaEndpoints:  endpoints.ToStringArrayOutput(),
	}, nil
}

// azureKeys is how the server reaches its keys: a user-assigned identity,
// granted the crypto-service role on each key's vault.
type azureKeys struct {
	identity   *managedidentity.UserAssignedIdentity
	encryption *postgres.DataEncryptionArgs
	// geoBackup is "Enabled" when the DR key encrypts geo-redundant backups.
	geoBackup string
	// ready are the grants the server waits for.
	ready []pulumi.Resource
}

func (b *builder) azureEncryption() (azureKeys, error) {
	name, a, dep, site := b.name, b.a, b.a.Deployment, b.a.Deployment.Primary
	opts := b.opts(site)
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceName:      pulumi.String(dep.Name(name, "db", site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              dep.Tags.For(core.Azure),
	}, opts...)
	if err != nil {
		return azureKeys{}, err
	}
	grant := func(suffix string, key *core.Key) (pulumi.Resource, error) {
		return authorization.NewRoleAssignment(b.ctx, name+suffix, &authorization.RoleAssignmentArgs{
			Scope:            key.VaultID,
			RoleDefinitionId: core.AzureRoleDefinition(key.VaultID, keyVaultCryptoServiceEncryptionUser),
			PrincipalId:      identity.PrincipalId,
			PrincipalType:    pulumi.String("ServicePrincipal"),
			Description:      pulumi.String("lets the database wrap its data key"),
		}, opts...)
	}
	keyAccess, err := grant("-key", a.Key)
	if err != nil {
		return azureKeys{}, err
	}
	k := azureKeys{identity: identity, geoBackup: "Disabled", ready: []pulumi.Resource{keyAccess}}
	k.encryption = &postgres.DataEncryptionArgs{
		Type:                          pulumi.String("AzureKeyVault"),
		PrimaryKeyURI:                 a.Key.ID,
		PrimaryUserAssignedIdentityId: identity.ID(),
	}
	if a.crossRegion() {
		drAccess, err := grant("-dr-key", a.DRKey)
		if err != nil {
			return azureKeys{}, err
		}
		k.geoBackup = "Enabled"
		k.ready = append(k.ready, drAccess)
		k.encryption.GeoBackupKeyURI = a.DRKey.ID
		k.encryption.GeoBackupUserAssignedIdentityId = identity.ID()
	}
	return k, nil
}

// azureHA is the server's standby and zone: zone-redundant HA where the
// region has zones; where it has none (ukwest, where prod is rebuilt after
// losing uksouth) a same-zone standby still survives the loss of the
// primary's host.
func (b *builder) azureHA() (*postgres.HighAvailabilityArgs, pulumi.StringPtrInput) {
	zones := b.a.Deployment.Primary.Zones()
	ha := &postgres.HighAvailabilityArgs{Mode: pulumi.String("Disabled")}
	var zone pulumi.StringPtrInput
	switch {
	case *b.a.Settings.HighAvailability && len(zones) >= 2:
		ha = &postgres.HighAvailabilityArgs{Mode: pulumi.String("ZoneRedundant"), StandbyAvailabilityZone: pulumi.String(zones[1])}
	case *b.a.Settings.HighAvailability:
		ha = &postgres.HighAvailabilityArgs{Mode: pulumi.String("SameZone")}
	}
	if len(zones) > 0 {
		zone = pulumi.String(zones[0])
	}
	return ha, zone
}

// azureServerArgs are the server's settings: private, Entra sign-in only,
// encrypted under the data key, patched in the settings' window, and
// created empty or from another server's backups.
func (b *builder) azureServerArgs(k azureKeys, tenant pulumi.StringOutput) *postgres.ServerArgs {
	a, dep, site, s := b.a, b.a.Deployment, b.a.Deployment.Primary, b.a.Settings
	ha, zone := b.azureHA()
	args := &postgres.ServerArgs{
		ServerName:        pulumi.String(dep.Name(b.name, site.Short())),
		ResourceGroupName: site.AzureResourceGroup,
		Location:          pulumi.String(site.Region),
		Tags:              dep.Tags.For(core.Azure),
		Version:           pulumi.String(s.Version),
		Sku:               &postgres.SkuArgs{Name: pulumi.String(a.size().azure), Tier: pulumi.String(a.size().azureTier)},
		Storage: &postgres.StorageArgs{
			StorageSizeGB: pulumi.Int(azureStorage(s.StorageGB)),
			AutoGrow:      pulumi.String("Enabled"),
		},
		Backup: &postgres.BackupTypeArgs{
			BackupRetentionDays: pulumi.Int(s.BackupRetentionDays),
			GeoRedundantBackup:  pulumi.String(k.geoBackup),
		},
		HighAvailability: ha,
		AvailabilityZone: zone,
		Network: &postgres.NetworkArgs{
			DelegatedSubnetResourceId:   a.Network.DatabaseSubnetIDs.Index(pulumi.Int(0)),
			PrivateDnsZoneArmResourceId: a.Network.DatabasePrivateDNSZoneID,
			PublicNetworkAccess:         pulumi.String("Disabled"),
		},
		Identity: k.identity.ID().ApplyT(func(id pulumi.ID) *postgres.UserAssignedIdentity {
			return &postgres.UserAssignedIdentity{Type: "UserAssigned", UserAssignedIdentities: map[string]postgres.UserIdentity{string(id): {}}}
		}).(postgres.UserAssignedIdentityPtrOutput),
		DataEncryption: k.encryption,
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
	return args
}

// azureGuards completes the server: a delete lock, TLS 1.2 or later for
// every connection, the Entra administrators and, unless restored, the
// application's database. Changes to one server are made one at a time,
// so each waits for the one before.
func (b *builder) azureGuards(server *postgres.Server, tenant pulumi.StringOutput) error {
	name, a, dep, site := b.name, b.a, b.a.Deployment, b.a.Deployment.Primary
	rg := site.AzureResourceGroup
	// Protect the server from deletion on the provider side too: a
	// CanNotDelete lock, since flexible servers have no deletion flag.
	if *a.Settings.DeletionProtection {
		if _, err := authorization.NewManagementLockByScope(b.ctx, name, &authorization.ManagementLockByScopeArgs{
			Scope:    server.ID(),
			LockName: pulumi.String(dep.Name(name, "no-delete")),
			Level:    pulumi.String("CanNotDelete"),
			Notes:    pulumi.String("WedSync data: remove this lock in a reviewed change before deleting the database"),
		}, b.opts(site, dep.Protect())...); err != nil {
			return err
		}
	}
	previous, err := b.azureParameters(name, server)
	if err != nil {
		return err
	}
	for _, p := range a.Settings.Administrators {
		admin, err := postgres.NewAdministrator(b.ctx, name+"-admin-"+principalLabel(p), &postgres.AdministratorArgs{
			ResourceGroupName: rg,
			ServerName:        server.Name,
			ObjectId:          pulumi.String(p.ID),
			PrincipalName:     pulumi.String(p.Name),
			PrincipalType:     pulumi.String(azurePrincipalTypes[p.Kind]),
			TenantId:          tenant,
		}, b.opts(site, pulumi.DependsOn(previous))...)
		if err != nil {
			return err
		}
		previous = []pulumi.Resource{admin}
	}
	if a.Restore != nil {
		return nil // a restored server brings its databases with it
	}
	_, err = postgres.NewDatabase(b.ctx, name, &postgres.DatabaseArgs{
		ResourceGroupName: rg,
		ServerName:        server.Name,
		DatabaseName:      pulumi.String(a.Settings.DatabaseName),
		Charset:           pulumi.String("UTF8"),
		Collation:         pulumi.String("en_GB.utf8"),
	}, b.opts(site, dep.Protect(), pulumi.DependsOn(previous))...)
	return err
}

// azureParameters sets the server's parameters, one change at a time
// (a server takes one at a time): TLS 1.2 or later for every connection,
// the built-in PgBouncer where the size offers it, and ServerParameters.
// It returns the last change, which the next one waits for. prefix starts
// the logical names (the database's name, or a replica's).
func (b *builder) azureParameters(prefix string, server *postgres.Server) ([]pulumi.Resource, error) {
	site := b.a.Deployment.Primary
	var previous []pulumi.Resource
	params := [][2]string{{"require_secure_transport", "on"}, {"ssl_min_protocol_version", "TLSv1.2"}}
	if !b.a.size().burstable {
		params = append(params, [2]string{"pgbouncer.enabled", "true"})
	}
	for _, p := range ServerParametersOn(core.Azure) {
		params = append(params, [2]string{p.Name, p.Value})
	}
	for _, p := range params {
		cfg, err := postgres.NewConfiguration(b.ctx, prefix+"-"+strings.ReplaceAll(p[0], "_", "-"), &postgres.ConfigurationArgs{
			ResourceGroupName: site.AzureResourceGroup,
			ServerName:        server.Name,
			ConfigurationName: pulumi.String(p[0]),
			Value:             pulumi.String(p[1]),
			Source:            pulumi.String("user-override"),
		}, b.opts(site, pulumi.DependsOn(previous))...)
		if err != nil {
			return nil, err
		}
		previous = []pulumi.Resource{cfg}
	}
	return previous, nil
}

// azureAlarm is one metric alert on a server.
type azureAlarm struct {
	key, metric string
	threshold   float64
}

// azureAlarms raises Azure Monitor metric alerts to the action group(s):
// CPU and connections on the server and each read replica, storage and
// the furthest replica's lag in bytes on the server, each replica's own lag
// in seconds.
func (b *builder) azureAlarms(server *postgres.Server, replicas []*postgres.Server) error {
	t := b.a.Alerts.Limits()
	cpu := azureAlarm{alarmCPU, "cpu_percent", t.DatabaseCPUPercent}
	conns := azureAlarm{alarmConnections, "active_connections", b.a.connectionsAlarm(t)}
	if err := b.azureMetricAlerts("", server, cpu, conns,
		azureAlarm{alarmStorage, "storage_percent", 100 - t.DatabaseFreeStoragePercent},
		// Bytes of WAL the furthest-behind replica (HA standby or read
		// replica) has yet to replay.
		azureAlarm{alarmReplicationLag, "max_physical_replication_lag", t.ReplicationLagBytes},
	); err != nil {
		return err
	}
	for i, r := range replicas {
		// Seconds since the replica last replayed a transaction.
		// https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-monitoring
		lag := azureAlarm{alarmReplicationLag, "physical_replication_delay_in_seconds", t.ReplicationLagSeconds}
		if err := b.azureMetricAlerts(replicaLabel(i), r, cpu, conns, lag); err != nil {
			return err
		}
	}
	return nil
}

// azureMetricAlerts raises each alarm on server; label names a replica's.
func (b *builder) azureMetricAlerts(label string, server *postgres.Server, alarms ...azureAlarm) error {
	a := b.a
	t := a.Alerts.Limits()
	for _, al := range alarms {
		key := al.key
		if label != "" {
			key = label + "-" + al.key
		}
		err := azuremetric.New(b.ctx, b.name+"-"+key, a.Deployment, a.Alerts, azuremetric.Alert{
			Key:         key,
			RuleName:    a.Deployment.Name(b.name, key),
			Description: alarmDescription(al.key, t),
			Severity:    2,
			Scope:       server.ID(),
			Metric:      al.metric,
			Operator:    "GreaterThan",
			Threshold:   al.threshold,
			Aggregation: "Average",
			Frequency:   "PT5M",
			Window:      "PT15M",
		}, b.opts(a.Deployment.Primary)...)
		if err != nil {
			return err
		}
	}
	return nil
}

// azureLogCategories are every resource log a flexible server offers: the
// server log (connections, lock waits, pgaudit), sessions, query store
// runtime and waits (normalized statements), table and autovacuum
// statistics, and remaining transactions.
// https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-dbforpostgresql-flexibleservers-logs
var azureLogCategories = []string{
	"PostgreSQLLogs", "PostgreSQLFlexSessions", "PostgreSQLFlexQueryStoreRuntime",
	"PostgreSQLFlexQueryStoreWaitStats", "PostgreSQLFlexTableStats", "PostgreSQLFlexDatabaseXacts",
}

// azureLogs sends each server's logs to the stack's Log Analytics
// workspace (Args.LogWorkspace), as the vault and the backup accounts
// send theirs: without a diagnostic setting they go nowhere.
func (b *builder) azureLogs(servers []*postgres.Server) error {
	if b.a.LogWorkspace == (pulumi.StringOutput{}) {
		return nil
	}
	var logs insights.LogSettingsArray
	for _, c := range azureLogCategories {
		logs = append(logs, insights.LogSettingsArgs{Category: pulumi.String(c), Enabled: pulumi.Bool(true)})
	}
	for i, server := range servers {
		name := b.name + "-logs"
		if i > 0 {
			name = b.name + "-" + replicaLabel(i-1) + "-logs"
		}
		if _, err := insights.NewDiagnosticSetting(b.ctx, name, &insights.DiagnosticSettingArgs{
			Name:                        pulumi.String("postgresql-to-log-analytics"),
			ResourceUri:                 server.ID(),
			WorkspaceId:                 b.a.LogWorkspace,
			LogAnalyticsDestinationType: pulumi.String("Dedicated"),
			Logs:                        logs,
		}, b.opts(b.a.Deployment.Primary)...); err != nil {
			return err
		}
	}
	return nil
}
