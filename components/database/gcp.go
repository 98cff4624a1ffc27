package database

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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

// newGCP creates Cloud SQL for PostgreSQL with a private IP only, CMEK,
// TLS-only connections and PITR. In prod, backups are stored in the DR
// region and a cross-region read replica there (under the DR key) can be
// promoted within minutes after a regional outage.
//
// Nobody has a password: the built-in postgres user gets none (so it cannot
// sign in), and administrators and the application sign in as Cloud SQL IAM
// users with short-lived tokens.
func newGCP(ctx *pulumi.Context, name string, c *Database, a *DatabaseArgs) error {
	dep, site, s := a.Deployment, a.Deployment.Primary, a.Settings
	opts := site.With(pulumi.Parent(c))
	ip := &sql.DatabaseInstanceSettingsIpConfigurationArgs{
		Ipv4Enabled:    pulumi.Bool(false),
		PrivateNetwork: a.Network.ID,
		SslMode:        pulumi.String("ENCRYPTED_ONLY"),
	}
	flags := sql.DatabaseInstanceSettingsDatabaseFlagArray{
		// Sign-in with IAM tokens: the only way in, as no user has a password.
		sql.DatabaseInstanceSettingsDatabaseFlagArgs{Name: pulumi.String("cloudsql.iam_authentication"), Value: pulumi.String("on")},
	}
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
	w := s.MaintenanceWindow
	args := &sql.DatabaseInstanceArgs{
		Name:               pulumi.String(dep.Name(name)),
		Region:             pulumi.String(site.Region),
		DatabaseVersion:    pulumi.String("POSTGRES_" + s.Version),
		EncryptionKeyName:  a.Key.ID,
		DeletionProtection: pulumi.Bool(*s.DeletionProtection),
		Settings: &sql.DatabaseInstanceSettingsArgs{
			Tier:                      pulumi.String(a.size().gcp),
			Edition:                   pulumi.String("ENTERPRISE"),
			AvailabilityType:          pulumi.String(availability),
			DiskType:                  pulumi.String("PD_SSD"),
			DiskSize:                  pulumi.Int(s.StorageGB),
			DiskAutoresize:            pulumi.Bool(true),
			DiskAutoresizeLimit:       pulumi.Int(s.MaxStorageGB),
			DeletionProtectionEnabled: pulumi.Bool(*s.DeletionProtection),
			IpConfiguration:           ip,
			BackupConfiguration:       backups,
			DatabaseFlags:             flags,
			MaintenanceWindow: &sql.DatabaseInstanceSettingsMaintenanceWindowArgs{
				Day:         pulumi.Int(a.isoWeekday()),
				Hour:        pulumi.Int(w.Hour),
				UpdateTrack: pulumi.String("stable"),
			},
			DenyMaintenancePeriod: &sql.DatabaseInstanceSettingsDenyMaintenancePeriodArgs{
				StartDate: pulumi.String(gcpDenyMaintenanceStart),
				EndDate:   pulumi.String(gcpDenyMaintenanceEnd),
				Time:      pulumi.String("00:00:00"),
			},
			InsightsConfig: &sql.DatabaseInstanceSettingsInsightsConfigArgs{
				QueryInsightsEnabled: pulumi.Bool(true),
				// Guest data stays out of monitoring (GDPR).
				RecordClientAddress: pulumi.Bool(false),
			},
		},
	}
	if r := a.Restore; r != nil {
		gcpRestore(args, r, site.GCPProject)
	}
	inst, err := sql.NewDatabaseInstance(ctx, name, args,
		site.With(pulumi.Parent(c), dep.Protect(), pulumi.DependsOn(a.Network.Ready))...)
	if err != nil {
		return err
	}
	if a.Restore == nil {
		// A restored instance brings its databases with it.
		if _, err := sql.NewDatabase(ctx, name, &sql.DatabaseArgs{
			Name:     pulumi.String(s.DatabaseName),
			Instance: inst.Name,
			// Dropping the instance takes the database with it; never drop
			// it on its own and lose the data behind the program's back.
			DeletionPolicy: pulumi.String("ABANDON"),
		}, site.With(pulumi.Parent(c), dep.Protect())...); err != nil {
			return err
		}
	}

	var replica *sql.DatabaseInstance
	if a.crossRegion() {
		dr := dep.DR
		replica, err = sql.NewDatabaseInstance(ctx, name+"-dr", &sql.DatabaseInstanceArgs{
			Name:               pulumi.String(dep.Name(name, dr.Short())),
			Region:             pulumi.String(dr.Region),
			DatabaseVersion:    pulumi.String("POSTGRES_" + s.Version),
			MasterInstanceName: inst.Name,
			EncryptionKeyName:  a.DRKey.ID,
			DeletionProtection: pulumi.Bool(*s.DeletionProtection),
			ReplicaConfiguration: &sql.DatabaseInstanceReplicaConfigurationArgs{
				FailoverTarget: pulumi.Bool(false),
			},
			Settings: &sql.DatabaseInstanceSettingsArgs{
				Tier:                      pulumi.String(a.size().gcp),
				Edition:                   pulumi.String("ENTERPRISE"),
				AvailabilityType:          pulumi.String("ZONAL"),
				DiskType:                  pulumi.String("PD_SSD"),
				DiskSize:                  pulumi.Int(s.StorageGB),
				DiskAutoresize:            pulumi.Bool(true),
				DiskAutoresizeLimit:       pulumi.Int(s.MaxStorageGB),
				DeletionProtectionEnabled: pulumi.Bool(*s.DeletionProtection),
				// The VPC is global: the replica joins it from the DR region.
				IpConfiguration: ip,
				DatabaseFlags:   flags,
			},
		}, dr.With(pulumi.Parent(c), dep.Protect(), pulumi.DependsOn(a.Network.Ready))...)
		if err != nil {
			return err
		}
	}

	instances := []string{dep.Name(name)}
	if replica != nil {
		instances = append(instances, dep.Name(name, dep.DR.Short()))
	}
	appUsers, err := gcpPrincipals(ctx, name, a, inst, instances, opts)
	if err != nil {
		return err
	}
	if a.Alerts != nil {
		if err := gcpAlarms(ctx, name, a, inst, replica, opts); err != nil {
			return err
		}
	}
	c.Endpoint = inst.PrivateIpAddress
	c.Port = pulumi.Int(defaultPort).ToIntOutput()
	c.CredentialsSecret = pulumi.String("").ToStringOutput()
	c.AppUsers = pulumi.ToStringArray(appUsers).ToStringArrayOutput()
	c.ConnectPolicy = pulumi.String("").ToStringOutput()
	c.SourceID = inst.Name
	c.MetricsID = pulumi.Sprintf("%s:%s", a.Deployment.Primary.GCPProject, inst.Name)
	return nil
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
	if r.PointInTime != LatestRestorableTime {
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
// An IAM user starts without privileges: the application's come from its
// migrations; an administrator group is given cloudsqlsuperuser once with
// `gcloud sql users assign-roles GROUP --instance=INSTANCE --type=CLOUD_IAM_GROUP --database-roles=cloudsqlsuperuser`
// (the pinned provider cannot set database roles).
func gcpPrincipals(ctx *pulumi.Context, name string, a *DatabaseArgs, inst *sql.DatabaseInstance, instances []string, opts []pulumi.ResourceOption) ([]string, error) {
	project := a.Deployment.Primary.GCPProject
	names := make([]string, len(instances))
	for i, n := range instances {
		names[i] = fmt.Sprintf("resource.name == 'projects/%s/instances/%s'", project, n)
	}
	only := &projects.IAMMemberConditionArgs{
		Title:       pulumi.String(a.Deployment.Name(name, "instances-only")),
		Description: pulumi.String("IAM database sign-in to the WedSync database and its DR replica only"),
		Expression: pulumi.String(fmt.Sprintf("resource.type == 'sqladmin.googleapis.com/Instance' && (%s)",
			strings.Join(names, " || "))),
	}
	var appUsers []string
	admit := func(role string, p Principal) error {
		label := name + "-" + role + "-" + principalLabel(p)
		if a.Restore == nil {
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
func gcpAlarms(ctx *pulumi.Context, name string, a *DatabaseArgs, inst, replica *sql.DatabaseInstance, opts []pulumi.ResourceOption) error {
	project := a.Deployment.Primary.GCPProject
	t := a.Alerts.Limits()
	databaseID := func(i *sql.DatabaseInstance) pulumi.StringOutput {
		return pulumi.Sprintf("%s:%s", project, i.Name)
	}
	type policy struct {
		key, metric string
		of          *sql.DatabaseInstance
		threshold   float64
	}
	policies := []policy{
		{alarmCPU, "database/cpu/utilization", inst, t.DatabaseCPUPercent / 100},
		{alarmStorage, "database/disk/utilization", inst, 1 - t.DatabaseFreeStoragePercent/100},
		{alarmConnections, "database/postgresql/num_backends", inst, a.connectionsAlarm(t)},
	}
	if replica != nil {
		policies = append(policies, policy{alarmReplicationLag, "database/replication/replica_lag", replica, t.ReplicationLagSeconds})
	}
	for _, p := range policies {
		_, err := monitoring.NewAlertPolicy(ctx, name+"-"+p.key, &monitoring.AlertPolicyArgs{
			DisplayName: pulumi.String(a.Deployment.Name(name, p.key)),
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
			Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(p.key, t)), MimeType: pulumi.String("text/markdown")},
			NotificationChannels: a.Alerts.IDs,
		}, opts...)
		if err != nil {
			return err
		}
	}
	return nil
}
