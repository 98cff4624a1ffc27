package database

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Cloud SQL allows one deny-maintenance period of at most 90 days a year.
// Peak season (May to October) is twice that, so the period covers the 90
// busiest weeks of UK weddings, mid-June to mid-September (recurring every
// year: no year in the dates). The rest of the season is covered by the
// maintenance window itself, which prod never puts on a wedding day.
const (
	gcpDenyMaintenanceStart = "06-15"
	gcpDenyMaintenanceEnd   = "09-12"
)

// gcpMaxLogRetentionDays is how long Cloud SQL Enterprise keeps transaction
// logs for point-in-time recovery; daily backups are kept for the full
// retention.
const gcpMaxLogRetentionDays = 7

// gcpLoginRoles let a principal sign in to Cloud SQL with IAM database
// authentication (instanceUser) through the Cloud SQL connectors and Auth
// Proxy (client).
var gcpLoginRoles = []string{"roles/cloudsql.instanceUser", "roles/cloudsql.client"}

// gcpUserTypes are the Cloud SQL user types of each principal kind.
var gcpUserTypes = map[PrincipalKind]string{
	UserPrincipal:           "CLOUD_IAM_USER",
	GroupPrincipal:          "CLOUD_IAM_GROUP",
	ServiceAccountPrincipal: "CLOUD_IAM_SERVICE_ACCOUNT",
}

// gcpUserName is the PostgreSQL user a principal signs in as: its email,
// without ".gserviceaccount.com" for a service account (Cloud SQL's rule
// for PostgreSQL, whose role names are at most 63 characters).
func gcpUserName(p Principal) string {
	if p.Kind == ServiceAccountPrincipal {
		return strings.TrimSuffix(p.ID, ".gserviceaccount.com")
	}
	return p.ID
}

// gcp creates Cloud SQL for PostgreSQL with a private IP only, CMEK,
// TLS-only connections and PITR. In prod, backups are stored in the DR
// region and a cross-region read replica there (under the DR key) can be
// promoted within minutes after a regional outage.
//
// Nobody has a password: the built-in postgres user gets none (so it cannot
// sign in), and administrators and the application sign in as Cloud SQL IAM
// users with short-lived tokens.
func (b *builder) gcp() (outputs, error) {
	a, dep, site := b.a, b.a.Deployment, b.a.Deployment.Primary
	inst, err := sql.NewDatabaseInstance(b.ctx, b.name, b.gcpInstanceArgs(),
		b.opts(site, dep.Protect(), pulumi.DependsOn(a.Network.Ready))...)
	if err != nil {
		return outputs{}, err
	}
	if a.Restore == nil {
		// A restored instance brings its databases with it.
		if _, err := sql.NewDatabase(b.ctx, b.name, &sql.DatabaseArgs{
			Name:     pulumi.String(a.Settings.DatabaseName),
			Instance: inst.Name,
			// Dropping the instance takes the database with it; never drop
			// it on its own and lose the data behind the program's back.
			DeletionPolicy: pulumi.String("ABANDON"),
		}, b.opts(site, dep.Protect())...); err != nil {
			return outputs{}, err
		}
	}
	instances := []string{dep.Name(b.name)}
	var replica *sql.DatabaseInstance
	if a.crossRegion() {
		if replica, err = b.gcpReplica(inst); err != nil {
			return outputs{}, err
		}
		instances = append(instances, dep.Name(b.name, dep.DR.Short()))
	}
	readers, err := b.gcpReadReplicas(inst)
	if err != nil {
		return outputs{}, err
	}
	endpoints := pulumi.StringArray{}
	for i, r := range readers {
		instances = append(instances, dep.Name(b.name, replicaLabel(i)))
		endpoints = append(endpoints, r.PrivateIpAddress)
	}
	// Every replica (cross-region and read) reports its own replica_lag.
	metrics := pulumi.StringArray{}
	for _, name := range instances[1:] {
		metrics = append(metrics, pulumi.String(site.GCPProject+":"+name))
	}
	appUsers, err := b.gcpPrincipals(inst, instances)
	if err != nil {
		return outputs{}, err
	}
	if a.Alerts != nil {
		if err := b.gcpAlarms(inst, replica, readers); err != nil {
			return outputs{}, err
		}
	}
	return outputs{
		endpoint:          inst.PrivateIpAddress,
		port:              pulumi.Int(defaultPort).ToIntOutput(),
		poolerEndpoint:    pulumi.String(GCPPoolerHost).ToStringOutput(),
		poolerPort:        pulumi.Int(PgBouncerPort).ToIntOutput(),
		credentialsSecret: empty(),
		proxySecret:       empty(),
		serverName:        inst.Name,
		appUsers:          pulumi.ToStringArray(appUsers).ToStringArrayOutput(),
		connectPolicy:     empty(),
		sourceID:          inst.Name,
		metricsID:         pulumi.Sprintf("%s:%s", site.GCPProject, inst.Name),
		backupTarget:      inst.Name,
		exportIdentity:    inst.ServiceAccountEmailAddress,
		replicaEndpoints:  endpoints.ToStringArrayOutput(),
		replicaMetricsIDs: metrics.ToStringArrayOutput(),
	}, nil
}

// gcpSettings are what the primary instance and its DR replica share: the
// machine, the growing SSD, deletion protection, the private TLS-only
// network and IAM sign-in. The VPC is global, so the replica joins it from
// the DR region.
func (b *builder) gcpSettings(availability string) *sql.DatabaseInstanceSettingsArgs {
	s := b.a.Settings
	return &sql.DatabaseInstanceSettingsArgs{
		Tier:                      pulumi.String(b.a.size().gcp),
		Edition:                   pulumi.String("ENTERPRISE"),
		AvailabilityType:          pulumi.String(availability),
		DiskType:                  pulumi.String("PD_SSD"),
		DiskSize:                  pulumi.Int(s.StorageGB),
		DiskAutoresize:            pulumi.Bool(true),
		DiskAutoresizeLimit:       pulumi.Int(s.MaxStorageGB),
		DeletionProtectionEnabled: pulumi.Bool(*s.DeletionProtection),
		IpConfiguration: &sql.DatabaseInstanceSettingsIpConfigurationArgs{
			Ipv4Enabled:    pulumi.Bool(false),
			PrivateNetwork: b.a.Network.ID,
			SslMode:        pulumi.String("ENCRYPTED_ONLY"),
		},
		DatabaseFlags: gcpFlags(),
	}
}

// gcpInstanceArgs are the primary instance's: the shared settings plus
// backups, the maintenance window and deny period, and query insights.
func (b *builder) gcpInstanceArgs() *sql.DatabaseInstanceArgs {
	a, dep, site, s := b.a, b.a.Deployment, b.a.Deployment.Primary, b.a.Settings
	availability := "ZONAL"
	if *s.HighAvailability {
		availability = "REGIONAL"
	}
	backups := &sql.DatabaseInstanceSettingsBackupConfigurationArgs{
		Enabled:                     pulumi.Bool(true),
		PointInTimeRecoveryEnabled:  pulumi.Bool(*s.PointInTimeRecovery),
		TransactionLogRetentionDays: pulumi.Int(min(s.BackupRetentionDays, gcpMaxLogRetentionDays)),
		StartTime:                   pulumi.String(fmt.Sprintf("%02d:00", a.backupHour())),
		BackupRetentionSettings: &sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs{
			RetainedBackups: pulumi.Int(s.BackupRetentionDays),
			RetentionUnit:   pulumi.String("COUNT"),
		},
	}
	if a.crossRegion() {
		// Backups outside the primary region survive its outage and
		// restore into the DR region.
		backups.Location = pulumi.String(dep.DR.Region)
	}
	settings := b.gcpSettings(availability)
	settings.BackupConfiguration = backups
	settings.MaintenanceWindow = &sql.DatabaseInstanceSettingsMaintenanceWindowArgs{
		Day:         pulumi.Int(a.isoWeekday()),
		Hour:        pulumi.Int(s.MaintenanceWindow.Hour),
		UpdateTrack: pulumi.String("stable"),
	}
	settings.DenyMaintenancePeriod = &sql.DatabaseInstanceSettingsDenyMaintenancePeriodArgs{
		StartDate: pulumi.String(gcpDenyMaintenanceStart),
		EndDate:   pulumi.String(gcpDenyMaintenanceEnd),
		Time:      pulumi.String("00:00:00"),
	}
	settings.InsightsConfig = gcpInsights()
	if zones := site.Zones(); s.replicas() > 0 {
		// The primary's zones are pinned so that the read replicas are
		// placed in another (replicaZone).
		where := &sql.DatabaseInstanceSettingsLocationPreferenceArgs{Zone: pulumi.String(zones[0])}
		if *s.HighAvailability {
			where.SecondaryZone = pulumi.String(zones[1])
		}
		settings.LocationPreference = where
	}
	args := &sql.DatabaseInstanceArgs{
		Name:               pulumi.String(dep.Name(b.name)),
		Region:             pulumi.String(site.Region),
		DatabaseVersion:    pulumi.String("POSTGRES_" + s.Version),
		EncryptionKeyName:  a.Key.ID,
		DeletionProtection: pulumi.Bool(*s.DeletionProtection),
		Settings:           settings,
	}
	if r := a.Restore; r != nil {
		gcpRestore(args, r, site.GCPProject)
	}
	return args
}

// gcpInsights records query insights: normalized statements, never a
// client's address (guest data stays out of monitoring, GDPR).
func gcpInsights() *sql.DatabaseInstanceSettingsInsightsConfigArgs {
	return &sql.DatabaseInstanceSettingsInsightsConfigArgs{
		QueryInsightsEnabled: pulumi.Bool(true),
		RecordClientAddress:  pulumi.Bool(false),
	}
}

// gcpReadReplicas are the read replicas of inst in its region, each in
// another zone than the primary's, under the data key (replicas.go).
// https://cloud.google.com/sql/docs/postgres/replication/create-replica
func (b *builder) gcpReadReplicas(inst *sql.DatabaseInstance) ([]*sql.DatabaseInstance, error) {
	a, dep, site, s := b.a, b.a.Deployment, b.a.Deployment.Primary, b.a.Settings
	var out []*sql.DatabaseInstance
	for i := range s.replicas() {
		label := replicaLabel(i)
		settings := b.gcpSettings("ZONAL")
		settings.InsightsConfig = gcpInsights()
		if z := a.replicaZone(i); z != "" {
			settings.LocationPreference = &sql.DatabaseInstanceSettingsLocationPreferenceArgs{Zone: pulumi.String(z)}
		}
		r, err := sql.NewDatabaseInstance(b.ctx, b.name+"-"+label, &sql.DatabaseInstanceArgs{
			Name:               pulumi.String(dep.Name(b.name, label)),
			Region:             pulumi.String(site.Region),
			DatabaseVersion:    pulumi.String("POSTGRES_" + s.Version),
			MasterInstanceName: inst.Name,
			EncryptionKeyName:  a.Key.ID,
			DeletionProtection: pulumi.Bool(*s.DeletionProtection),
			ReplicaConfiguration: &sql.DatabaseInstanceReplicaConfigurationArgs{
				FailoverTarget: pulumi.Bool(false),
			},
			Settings: settings,
		}, b.opts(site, dep.Protect(), pulumi.DependsOn(a.Network.Ready))...)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// gcpReplica is the cross-region read replica in the DR region, under the
// DR key: promoted within minutes after a regional outage.
func (b *builder) gcpReplica(inst *sql.DatabaseInstance) (*sql.DatabaseInstance, error) {
	a, dep, s := b.a, b.a.Deployment, b.a.Settings
	dr := *dep.DR
	return sql.NewDatabaseInstance(b.ctx, b.name+"-dr", &sql.DatabaseInstanceArgs{
		Name:               pulumi.String(dep.Name(b.name, dr.Short())),
		Region:             pulumi.String(dr.Region),
		DatabaseVersion:    pulumi.String("POSTGRES_" + s.Version),
		MasterInstanceName: inst.Name,
		EncryptionKeyName:  a.DRKey.ID,
		DeletionProtection: pulumi.Bool(*s.DeletionProtection),
		ReplicaConfiguration: &sql.DatabaseInstanceReplicaConfigurationArgs{
			FailoverTarget: pulumi.Bool(false),
		},
		Settings: b.gcpSettings("ZONAL"),
	}, b.opts(dr, dep.Protect(), pulumi.DependsOn(a.Network.Ready))...)
}

// gcpRestore creates the instance from a backup run of another instance, or
// as a clone of it at a point in time.
func gcpRestore(args *sql.DatabaseInstanceArgs, r *Restore, project string) {
	if r.SnapshotID != "" {
		id, _ := strconv.Atoi(r.SnapshotID) // validated as digits
		args.RestoreBackupContext = &sql.DatabaseInstanceRestoreBackupContextArgs{
			BackupRunId: pulumi.Int(id),
			InstanceId:  pulumi.String(r.SourceID),
			Project:     pulumi.String(project),
		}
		return
	}
	clone := &sql.DatabaseInstanceCloneArgs{SourceInstanceName: pulumi.String(r.SourceID)}
	if r.PointInTime != core.LatestRestorableTime {
		clone.PointInTime = pulumi.String(r.PointInTime)
	}
	args.Clone = clone
}

// gcpPrincipals lets the administrators and the application sign in with
// their IAM identity: a Cloud SQL IAM user on the instance for each (a
// restored instance brings its users with it), and the IAM roles to sign in,
// granted on the database's instances only. It returns the application's
// user names.
//
// An IAM user starts without privileges: the application's come from
// `wedsync-infra db users` after up (internal/dbusers); an administrator group is given cloudsqlsuperuser once with
// `gcloud sql users assign-roles GROUP --instance=INSTANCE --type=CLOUD_IAM_GROUP --database-roles=cloudsqlsuperuser`
// (the pinned provider cannot set database roles).
func (b *builder) gcpPrincipals(inst *sql.DatabaseInstance, instances []string) ([]string, error) {
	ctx, name, a := b.ctx, b.name, b.a
	opts := b.opts(a.Deployment.Primary)
	project := a.Deployment.Primary.GCPProject
	names := make([]string, len(instances))
	for i, n := range instances {
		names[i] = fmt.Sprintf("resource.name == 'projects/%s/instances/%s'", project, n)
	}
	only := &projects.IAMMemberConditionArgs{
		Title:       pulumi.String(a.Deployment.Name(name, "instances-only")),
		Description: pulumi.String("IAM database sign-in to the WedSync database and its replicas only"),
		Expression: pulumi.String(fmt.Sprintf("resource.type == 'sqladmin.googleapis.com/Instance' && (%s)",
			strings.Join(names, " || "))),
	}
	var appUsers []string
	admit := func(role string, p Principal) error {
		label := name + "-" + role + "-" + principalLabel(p)
		// A restored instance brings the source's users; the recovering
		// stack's own application identity is new to it.
		if a.Restore == nil || role == "app" {
			if _, err := sql.NewUser(ctx, label, &sql.UserArgs{
				Instance: inst.Name,
				Name:     pulumi.String(gcpUserName(p)),
				Type:     pulumi.String(gcpUserTypes[p.Kind]),
				// Cloud SQL cannot drop a PostgreSQL role that owns objects or
				// holds grants: forget the user instead of failing the update.
				DeletionPolicy: pulumi.String("ABANDON"),
			}, opts...); err != nil {
				return err
			}
		}
		member := map[PrincipalKind]string{UserPrincipal: "user:", GroupPrincipal: "group:", ServiceAccountPrincipal: "serviceAccount:"}[p.Kind] + p.ID
		for _, r := range gcpLoginRoles {
			if _, err := projects.NewIAMMember(ctx, label+"-"+strings.TrimPrefix(r, "roles/cloudsql."), &projects.IAMMemberArgs{
				Project:   pulumi.String(project),
				Role:      pulumi.String(r),
				Member:    pulumi.String(member),
				Condition: only,
			}, opts...); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range a.Settings.Administrators {
		if err := admit("admin", p); err != nil {
			return nil, err
		}
	}
	for _, p := range a.AppPrincipals {
		if err := admit("app", p); err != nil {
			return nil, err
		}
		appUsers = append(appUsers, gcpUserName(p))
	}
	return appUsers, nil
}

// gcpAlarms raises Cloud Monitoring alert policies to the notification
// channels. Replication lag is watched on the DR replica, where Cloud SQL
// measures it; there is none to watch without one.
func (b *builder) gcpAlarms(inst, replica *sql.DatabaseInstance, readers []*sql.DatabaseInstance) error {
	ctx, name, a := b.ctx, b.name, b.a
	opts := b.opts(a.Deployment.Primary)
	project := a.Deployment.Primary.GCPProject
	t := a.Alerts.Limits()
	databaseID := func(i *sql.DatabaseInstance) pulumi.StringOutput {
		return pulumi.Sprintf("%s:%s", project, i.Name)
	}
	// label names a read replica's policies (its alarm's key after it).
	type policy struct {
		label, alarm, metric string
		of                   *sql.DatabaseInstance
		threshold            float64
	}
	policies := []policy{
		{"", alarmCPU, "database/cpu/utilization", inst, t.DatabaseCPUPercent / 100},
		{"", alarmStorage, "database/disk/utilization", inst, 1 - t.DatabaseFreeStoragePercent/100},
		{"", alarmConnections, "database/postgresql/num_backends", inst, a.connectionsAlarm(t)},
	}
	if replica != nil {
		policies = append(policies, policy{"", alarmReplicationLag, "database/replication/replica_lag", replica, t.ReplicationLagSeconds})
	}
	for i, r := range readers {
		label := replicaLabel(i) + "-"
		policies = append(policies,
			policy{label, alarmCPU, "database/cpu/utilization", r, t.DatabaseCPUPercent / 100},
			policy{label, alarmConnections, "database/postgresql/num_backends", r, a.connectionsAlarm(t)},
			policy{label, alarmReplicationLag, "database/replication/replica_lag", r, t.ReplicationLagSeconds})
	}
	for _, p := range policies {
		key := p.label + p.alarm
		_, err := monitoring.NewAlertPolicy(ctx, name+"-"+key, &monitoring.AlertPolicyArgs{
			DisplayName: pulumi.String(a.Deployment.Name(name, key)),
			Combiner:    pulumi.String("OR"),
			Conditions: monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
				DisplayName: pulumi.String(p.metric),
				ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
					Filter: pulumi.Sprintf(`resource.type = "cloudsql_database" AND resource.labels.database_id = "%s" AND metric.type = "cloudsql.googleapis.com/%s"`,
						databaseID(p.of), p.metric),
					Comparison:     pulumi.String("COMPARISON_GT"),
					ThresholdValue: pulumi.Float64(p.threshold),
					Duration:       pulumi.String(fmt.Sprintf("%ds", t.EvaluationMinutes*60)),
					Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{
						monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
							AlignmentPeriod:  pulumi.String("300s"),
							PerSeriesAligner: pulumi.String("ALIGN_MEAN"),
						},
					},
				},
			}},
			Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(p.alarm, t)), MimeType: pulumi.String("text/markdown")},
			NotificationChannels: a.Alerts.IDs,
		}, opts...)
		if err != nil {
			return err
		}
	}
	return nil
}

// gcpFlags sign in with IAM tokens only (the only way in, as no user has a
// password) and set ServerParameters.
func gcpFlags() sql.DatabaseInstanceSettingsDatabaseFlagArray {
	out := sql.DatabaseInstanceSettingsDatabaseFlagArray{sql.DatabaseInstanceSettingsDatabaseFlagArgs{Name: pulumi.String("cloudsql.iam_authentication"), Value: pulumi.String("on")}}
	for _, p := range ServerParametersOn(core.GCP) {
		out = append(out, sql.DatabaseInstanceSettingsDatabaseFlagArgs{Name: pulumi.String(p.Name), Value: pulumi.String(p.Value)})
	}
	return out
}
