package database

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// aws creates RDS for PostgreSQL in a Multi-AZ DB instance deployment (a
// primary and a synchronous standby in another zone), not Aurora and not a
// Multi-AZ DB cluster: only RDS DB instances (Multi-AZ included) can
// replicate their automated backups, snapshots and transaction logs, to
// another region, which gives point-in-time restore in the DR region with
// minutes of RPO. Aurora would need a Global Database (a second, running
// cluster) for the same, and Multi-AZ DB clusters do not support it at all.
func (b *builder) aws() (outputs, error) {
	a, dep, site := b.a, b.a.Deployment, b.a.Deployment.Primary
	sup, err := b.awsSupport()
	if err != nil {
		return outputs{}, err
	}
	logs, err := b.awsLogGroups()
	if err != nil {
		return outputs{}, err
	}
	inst, err := rds.NewInstance(b.ctx, b.name, b.awsInstanceArgs(sup),
		b.opts(site, dep.Protect(), pulumi.DependsOn(append([]pulumi.Resource{sup.monitoringAccess}, logs...)))...)
	if err != nil {
		return outputs{}, err
	}
	sourceID := inst.ResourceId
	if a.crossRegion() {
		// Runs in the DR region: it pulls the primary's backups there and
		// encrypts them with the DR region's data key.
		repl, err := rds.NewInstanceAutomatedBackupsReplication(b.ctx, b.name+"-dr", &rds.InstanceAutomatedBackupsReplicationArgs{
			SourceDbInstanceArn: inst.Arn,
			KmsKeyId:            a.DRKey.ID,
			RetentionPeriod:     pulumi.Int(a.Settings.BackupRetentionDays),
		}, b.opts(*dep.DR, dep.Protect())...)
		if err != nil {
			return outputs{}, err
		}
		sourceID = repl.ID().ToStringOutput()
	}
	replicas, err := b.awsReplicas(inst, sup)
	if err != nil {
		return outputs{}, err
	}
	if a.Alerts != nil {
		if err := b.awsAlarms(inst, replicas); err != nil {
			return outputs{}, err
		}
	}
	proxy, proxySecret, err := b.awsPooler(inst)
	if err != nil {
		return outputs{}, err
	}
	// The application signs in to the proxy (prx-...) to write and to the
	// replicas (db-...) to read, never to the instance directly.
	readers, metrics := pulumi.StringArray{}, pulumi.StringArray{}
	for _, r := range replicas {
		readers = append(readers, r.ResourceId)
		metrics = append(metrics, r.Identifier)
	}
	return outputs{
		endpoint:          inst.Address,
		port:              inst.Port,
		poolerEndpoint:    proxy.Endpoint,
		poolerPort:        pulumi.Int(defaultPort).ToIntOutput(),
		credentialsSecret: inst.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem(),
		proxySecret:       proxySecret.Arn,
		serverName:        inst.Identifier,
		appUsers:          pulumi.ToStringArray([]string{AWSAppUser}).ToStringArrayOutput(),
		connectPolicy: pulumi.All(proxy.Arn, readers).ApplyT(func(v []any) (string, error) {
			arn := v[0].(string)
			_, id, _ := strings.Cut(arn, ":db-proxy:")
			return awsConnectPolicy(arn, id, AWSAppUser, v[1].([]string)...)
		}).(pulumi.StringOutput),
		replicaEndpoints:  awsReplicaEndpoints(replicas),
		sourceID:          sourceID,
		metricsID:         inst.Identifier,
		replicaMetricsIDs: metrics.ToStringArrayOutput(),
		backupTarget:      inst.Arn,
		exportIdentity:    empty(),
	}, nil
}

// awsParameters refuse unencrypted connections, whatever the client asks
// for, and set ServerParameters.
func awsParameters() rds.ParameterGroupParameterArray {
	out := rds.ParameterGroupParameterArray{rds.ParameterGroupParameterArgs{Name: pulumi.String("rds.force_ssl"), Value: pulumi.String("1")}}
	for _, p := range ServerParametersOn(core.AWS) {
		arg := rds.ParameterGroupParameterArgs{Name: pulumi.String(p.Name), Value: pulumi.String(p.Value)}
		if p.Restart {
			// RDS refuses to apply a static parameter immediately.
			arg.ApplyMethod = pulumi.String("pending-reboot")
		}
		out = append(out, arg)
	}
	return out
}

// awsLogExports are the logs the instance publishes to CloudWatch.
var awsLogExports = []string{"postgresql", "upgrade"}

// awsLogGroupRetentionDays is how long the database's logs are kept
// (core.LogRetentionDays: they can carry guest data).
func awsLogGroupRetentionDays(env core.Environment) int { return core.LogRetentionDays(env) }

// awsLogGroups are the log groups RDS publishes to, made before the
// instance so RDS writes into them rather than creating its own (which
// never expire and use no key of ours): a retention, and the data key.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
//
// label names a read replica's (replicas.go); none, the primary's.
func (b *builder) awsLogGroups(label ...string) ([]pulumi.Resource, error) {
	dep := b.a.Deployment
	prefix := b.name
	for _, l := range label {
		prefix += "-" + l
	}
	var out []pulumi.Resource
	for _, log := range awsLogExports {
		g, err := cloudwatch.NewLogGroup(b.ctx, prefix+"-"+log, &cloudwatch.LogGroupArgs{
			Name:            pulumi.Sprintf("/aws/rds/instance/%s/%s", dep.Name(append([]string{b.name}, label...)...), log),
			RetentionInDays: pulumi.Int(awsLogGroupRetentionDays(dep.Environment)),
			KmsKeyId:        b.a.Key.ID,
			Tags:            dep.Tags.For(core.AWS),
		}, b.opts(dep.Primary)...)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// awsSupport is what the instance stands on: its subnet group, its
// TLS-only parameter group and the role enhanced monitoring publishes with.
type awsSupport struct {
	subnets, params, monitoringRole pulumi.StringOutput
	// monitoringAccess is the role's policy: the instance waits for it.
	monitoringAccess pulumi.Resource
}

func (b *builder) awsSupport() (awsSupport, error) {
	name, dep, site, s := b.name, b.a.Deployment, b.a.Deployment.Primary, b.a.Settings
	opts := b.opts(site)
	subnets, err := rds.NewSubnetGroup(b.ctx, name, &rds.SubnetGroupArgs{
		Name:        pulumi.String(dep.Name(name)),
		Description: pulumi.String("private database subnets, one per zone"),
		SubnetIds:   b.a.Network.DatabaseSubnetIDs,
	}, opts...)
	if err != nil {
		return awsSupport{}, err
	}
	params, err := rds.NewParameterGroup(b.ctx, name, &rds.ParameterGroupArgs{
		Name:        pulumi.String(dep.Name(name, "pg"+s.Version)),
		Family:      pulumi.String("postgres" + s.Version),
		Description: pulumi.String("WedSync PostgreSQL: TLS-only connections"),
		// The description stays as it was: it forces the group's replacement.
		Parameters: awsParameters(),
	}, opts...)
	if err != nil {
		return awsSupport{}, err
	}
	monitoring, err := iam.NewRole(b.ctx, name+"-monitoring", &iam.RoleArgs{
		Name:             pulumi.String(dep.NameWithin(64, name, "monitoring", site.Short())),
		Description:      pulumi.String("lets RDS enhanced monitoring publish OS metrics"),
		AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"monitoring.rds.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}, opts...)
	if err != nil {
		return awsSupport{}, err
	}
	attach, err := iam.NewRolePolicyAttachment(b.ctx, name+"-monitoring", &iam.RolePolicyAttachmentArgs{
		Role:      monitoring.Name,
		PolicyArn: pulumi.String("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
	}, opts...)
	if err != nil {
		return awsSupport{}, err
	}
	return awsSupport{subnets: subnets.Name, params: params.Name, monitoringRole: monitoring.Arn, monitoringAccess: attach}, nil
}

// awsInstanceArgs are the instance's settings: encrypted under the data
// key, private, TLS-only, backed up and patched in the settings' windows,
// and created empty or from backups.
func (b *builder) awsInstanceArgs(sup awsSupport) *rds.InstanceArgs {
	a, dep, s := b.a, b.a.Deployment, b.a.Settings
	w := s.MaintenanceWindow
	day := w.Day[:3]
	args := &rds.InstanceArgs{
		Identifier:          pulumi.String(dep.Name(b.name)),
		Engine:              pulumi.String("postgres"),
		EngineVersion:       pulumi.String(s.Version),
		InstanceClass:       pulumi.String(a.size().aws),
		AllocatedStorage:    pulumi.Int(s.StorageGB),
		MaxAllocatedStorage: pulumi.Int(s.MaxStorageGB),
		StorageType:         pulumi.String("gp3"),
		StorageEncrypted:    pulumi.Bool(true),
		KmsKeyId:            a.Key.ID,
		Port:                pulumi.Int(defaultPort),
		DbSubnetGroupName:   sup.subnets,
		VpcSecurityGroupIds: pulumi.StringArray{a.Network.DatabaseSecurityGroupID},
		PubliclyAccessible:  pulumi.Bool(false),
		ParameterGroupName:  sup.params,
		MultiAz:             pulumi.Bool(*s.HighAvailability),
		// RDS generates the password, keeps it in Secrets Manager under the
		// data key and rotates it: no password in config or state.
		ManageMasterUserPassword:         pulumi.Bool(true),
		MasterUserSecretKmsKeyId:         a.Key.ID,
		IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
		// RDS keeps transaction logs for point-in-time restore whenever
		// backups are retained, so pointInTimeRecovery has nothing more to
		// turn on here.
		BackupRetentionPeriod:   pulumi.Int(s.BackupRetentionDays),
		BackupWindow:            pulumi.String(fmt.Sprintf("%02d:00-%02d:30", a.backupHour(), a.backupHour())),
		MaintenanceWindow:       pulumi.String(fmt.Sprintf("%s:%02d:00-%s:%02d:59", day, w.Hour, day, w.Hour)),
		AutoMinorVersionUpgrade: pulumi.Bool(true),
		// A release's new major version (core.PostgresVersions) upgrades in
		// place; RDS snapshots first, since backups are always retained.
		AllowMajorVersionUpgrade: pulumi.Bool(true),
		// A seasonal resize applies now, not in the next maintenance window;
		// the wedding-day freeze refuses it on Saturdays like any change.
		ApplyImmediately:   pulumi.Bool(true),
		CopyTagsToSnapshot: pulumi.Bool(true),
		// Backups outlive the instance, so a deleted database is restorable.
		DeleteAutomatedBackups:             pulumi.Bool(false),
		DeletionProtection:                 pulumi.Bool(*s.DeletionProtection),
		SkipFinalSnapshot:                  pulumi.Bool(!*s.DeletionProtection),
		FinalSnapshotIdentifier:            pulumi.String(dep.Name(b.name, "final")),
		PerformanceInsightsEnabled:         pulumi.Bool(true),
		PerformanceInsightsKmsKeyId:        a.Key.ID,
		PerformanceInsightsRetentionPeriod: pulumi.Int(7),
		MonitoringInterval:                 pulumi.Int(30),
		MonitoringRoleArn:                  sup.monitoringRole,
		EnabledCloudwatchLogsExports:       pulumi.ToStringArray(awsLogExports),
	}
	if r := a.Restore; r != nil {
		awsRestore(args, r)
	} else {
		args.DbName = pulumi.String(s.DatabaseName)
		args.Username = pulumi.String(adminLogin)
	}
	return args
}

// awsConnectPolicy is the IAM policy that lets a role sign in to the
// instance or proxy (arn) as user with IAM authentication tokens, and to
// each read replica (by resource id) as AWSReadUser. RDS names the database
// by its resource id (db-..., a proxy's prx-...) in rds-db ARNs, which
// stays the same when the instance is renamed.
func awsConnectPolicy(instanceArn, resourceID, user string, replicas ...string) (string, error) {
	// arn:PARTITION:rds:REGION:ACCOUNT:db:NAME
	parts := strings.SplitN(instanceArn, ":", 6)
	if len(parts) < 6 {
		return "", fmt.Errorf("unexpected RDS instance ARN %q", instanceArn)
	}
	dbuser := func(id, user string) string {
		return fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", parts[1], parts[3], parts[4], id, user)
	}
	statements := []map[string]any{{
		"Sid":      "ConnectWithIAMTokens",
		"Effect":   "Allow",
		"Action":   "rds-db:connect",
		"Resource": dbuser(resourceID, user),
	}}
	if len(replicas) > 0 {
		var readers []string
		for _, id := range replicas {
			readers = append(readers, dbuser(id, AWSReadUser))
		}
		statements = append(statements, map[string]any{
			"Sid":      "ReadFromTheReplicas",
			"Effect":   "Allow",
			"Action":   "rds-db:connect",
			"Resource": readers,
		})
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(b), err
}

// awsRestore creates the instance from backups: a snapshot, or a point in
// time of a source (replicated automated backups in this region, a
// DbiResourceId, or an instance identifier).
func awsRestore(args *rds.InstanceArgs, r *Restore) {
	if r.SnapshotID != "" {
		args.SnapshotIdentifier = pulumi.String(r.SnapshotID)
		return
	}
	pit := &rds.InstanceRestoreToPointInTimeArgs{}
	switch {
	case strings.Contains(r.SourceID, ":auto-backup:"):
		pit.SourceDbInstanceAutomatedBackupsArn = pulumi.String(r.SourceID)
	case strings.HasPrefix(r.SourceID, "db-"):
		pit.SourceDbiResourceId = pulumi.String(r.SourceID)
	default:
		pit.SourceDbInstanceIdentifier = pulumi.String(r.SourceID)
	}
	if r.PointInTime == core.LatestRestorableTime {
		pit.UseLatestRestorableTime = pulumi.Bool(true)
	} else {
		pit.RestoreTime = pulumi.String(r.PointInTime)
	}
	args.RestoreToPointInTime = pit
}
