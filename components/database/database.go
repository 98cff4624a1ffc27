// Package database is WedSync's managed PostgreSQL: one cloud-neutral
// DatabaseArgs and an implementation per cloud (RDS for PostgreSQL, Cloud SQL,
// Azure Database for PostgreSQL Flexible Server), secure and recoverable by
// default: encrypted with a customer-managed key, private, TLS-only, backed
// up with point-in-time recovery, highly available and protected in prod.
package database

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the database's type token.
const Type = "wedsync:database:Database"

// DatabaseArgs are what a database needs from the stack.
type DatabaseArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Key encrypts the database at the primary site (the data key).
	Key *core.Key
	// DRKey is the data key in the DR site: it encrypts the cross-region
	// copy (AWS replicated backups, GCP replica, Azure geo-backups).
	// Required when Settings.CrossRegionBackups is on.
	DRKey *core.Key
	// Network is the primary site's network the database lives in.
	Network core.Network
	// Alerts, when set, receives the alarms (CPU, free storage, connections,
	// replication lag).
	Alerts *core.AlertTarget
	// SecretsKey (AWS) encrypts the secret RDS Proxy signs in with, at the
	// primary site (pooler.go).
	SecretsKey *core.Key
	// Restore, when set, creates the database from backups of another one.
	Restore *Restore
	// LogWorkspace (Azure), when set, is the Log Analytics workspace the
	// servers' logs go to (the secrets store's audit workspace).
	LogWorkspace pulumi.StringOutput
	// AppPrincipals are the application's identities, which connect with
	// short-lived tokens instead of a password. GCP: service account emails,
	// made Cloud SQL IAM users with login rights on this instance only.
	// Azure: the managed identity (Name its name, ID its principal id);
	// Azure's API has no resource for a non-administrator Entra role, so
	// `wedsync-infra db users` creates it after every up (internal/dbusers).
	// AWS ignores them: the application's IAM role gets ConnectPolicy.
	// On every cloud the application users' grants (CONNECT, USAGE, DML
	// on the app's tables) come from `wedsync-infra db users`, run by the
	// deploy path after up; the migrations own the schema.
	AppPrincipals []Principal
}

// Database is a managed PostgreSQL database.
type Database struct {
	pulumi.ResourceState

	// Endpoint is the host applications connect to: the RDS address, the
	// Cloud SQL private IP, the flexible server's FQDN.
	Endpoint pulumi.StringOutput
	Port     pulumi.IntOutput
	// PoolerEndpoint and PoolerPort are where the application connects:
	// the connection pooler in front of the server (pooler.go).
	PoolerEndpoint pulumi.StringOutput
	PoolerPort     pulumi.IntOutput
	// ReplicaEndpoints are the read replicas' hosts, the application's read
	// path (port Port; on Azure, PoolerPort through each replica's
	// PgBouncer): the RDS addresses, the Cloud SQL private IPs, the flexible
	// servers' FQDNs. On AWS the application signs in to them directly (RDS
	// Proxy fronts only the writer) as AWSReadUser with IAM tokens, which
	// ConnectPolicy allows; on GCP and Azure as on the primary.
	ReplicaEndpoints pulumi.StringArrayOutput
	// DatabaseName is the application's database.
	DatabaseName pulumi.StringOutput
	// CredentialsSecret is the Secrets Manager ARN of the master user
	// credentials RDS generates and rotates (AWS). It is empty on GCP and
	// Azure: everyone signs in with a cloud identity there, so there is no
	// password to hold.
	CredentialsSecret pulumi.StringOutput
	// ProxySecret is the Secrets Manager ARN of the password RDS Proxy
	// signs in as AWSAppUser with (AWS; pooler.go); empty elsewhere. CI's
	// db-users identity reads and writes it (components/ciaccess).
	ProxySecret pulumi.StringOutput
	// ServerName is the primary server's name: the RDS instance
	// identifier, the Cloud SQL instance name, the flexible server's name.
	ServerName pulumi.StringOutput
	// AppUsers are the PostgreSQL user names the application signs in as:
	// AWSAppUser on AWS, each app principal's IAM user on GCP (the email,
	// less ".gserviceaccount.com" for service accounts), each app
	// principal's Name on Azure.
	AppUsers pulumi.StringArrayOutput
	// ConnectPolicy (AWS) is an IAM policy document allowing rds-db:connect
	// as AWSAppUser on this database: attach it to the application's role,
	// which then signs in with `aws rds generate-db-auth-token` tokens.
	// Empty on GCP and Azure.
	ConnectPolicy pulumi.StringOutput
	// KeyID is the customer-managed key the database is encrypted with.
	KeyID pulumi.StringOutput
	// SourceID is what a restore elsewhere passes as Restore.SourceID: the
	// replicated automated backups ARN in the DR region when there are any,
	// else the DbiResourceId (AWS); the instance name (GCP); the server's
	// resource id (Azure).
	SourceID pulumi.StringOutput
	// MetricsID is what the cloud's metrics key the database by: the RDS
	// instance identifier, the Cloud SQL database_id (project:instance),
	// the flexible server's resource id. Dashboards read it.
	MetricsID pulumi.StringOutput
	// ReplicaMetricsIDs are what the metrics key each replica by, whose lag
	// dashboards chart: the read replicas' RDS identifiers (AWS), the read
	// and cross-region replicas' database_ids (GCP); none on Azure, whose
	// primary reports its replicas' lag (max_physical_replication_lag).
	ReplicaMetricsIDs pulumi.StringArrayOutput
	// BackupTarget is what the cloud's backup service protects the
	// database by: the RDS instance ARN, the Cloud SQL instance name, the
	// flexible server's resource id (components/dbbackup reads it).
	BackupTarget pulumi.StringOutput
	// ExportIdentity is the identity the database writes exports as: the
	// Cloud SQL instance's service account email (GCP); "" elsewhere.
	ExportIdentity pulumi.StringOutput
}

// adminLogin is the RDS master user (AWS), whose password RDS manages.
const adminLogin = "wedsync_admin"

// AWSAppUser is the database user the application signs in as on AWS, with
// IAM tokens presented to RDS Proxy, which signs in to the instance with
// the user's password from its own secret (pooler.go). `wedsync-infra db
// users`, run by the deploy path after up, creates it with that password
// (not in rds_iam: the proxy uses the password).
const AWSAppUser = "wedsync_app"

// AWSReadUser is the database user the application reads from the
// replicas as on AWS, with IAM tokens (RDS Proxy fronts only the writer, so
// the replicas are reached directly). `wedsync-infra db users` creates it
// on the primary, whence it replicates: a member of rds_iam, with SELECT on
// the app's tables.
const AWSReadUser = "wedsync_reader"

// defaultPort is the port every cloud serves PostgreSQL on.
const defaultPort = 5432

// NewDatabase creates a database at the deployment's primary site. It
// applies the settings' defaults and validates everything first, so it is
// safe to use without the stacks package.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, fmt.Errorf("database %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("database %s: %w", name, err)
	}
	c := &Database{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: &a, c: c}
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(a.Deployment.Primary.Cloud)
	if err != nil {
		return nil, err
	}
	c.Endpoint, c.Port, c.CredentialsSecret = out.endpoint, out.port, out.credentialsSecret
	c.ProxySecret, c.ServerName = out.proxySecret, out.serverName
	c.PoolerEndpoint, c.PoolerPort = out.poolerEndpoint, out.poolerPort
	c.AppUsers, c.ConnectPolicy = out.appUsers, out.connectPolicy
	c.SourceID, c.MetricsID = out.sourceID, out.metricsID
	c.BackupTarget, c.ExportIdentity = out.backupTarget, out.exportIdentity
	c.ReplicaEndpoints, c.ReplicaMetricsIDs = out.replicaEndpoints, out.replicaMetricsIDs
	if c.ReplicaMetricsIDs == (pulumi.StringArrayOutput{}) {
		c.ReplicaMetricsIDs = pulumi.StringArray{}.ToStringArrayOutput()
	}
	c.KeyID = a.Key.ID
	c.DatabaseName = pulumi.String(a.Settings.DatabaseName).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"endpoint":          c.Endpoint,
		"port":              c.Port,
		"poolerEndpoint":    c.PoolerEndpoint,
		"poolerPort":        c.PoolerPort,
		"databaseName":      c.DatabaseName,
		"credentialsSecret": c.CredentialsSecret,
		"proxySecret":       c.ProxySecret,
		"serverName":        c.ServerName,
		"appUsers":          c.AppUsers,
		"connectPolicy":     c.ConnectPolicy,
		"keyId":             c.KeyID,
		"sourceId":          c.SourceID,
		"metricsId":         c.MetricsID,
		"backupTarget":      c.BackupTarget,
		"exportIdentity":    c.ExportIdentity,
		"replicaEndpoints":  c.ReplicaEndpoints,
		"replicaMetricsIds": c.ReplicaMetricsIDs,
	})
}

// validate checks the settings and what they need from the stack.
func (a *DatabaseArgs) validate() error {
	p := &core.Problems{}
	dep := a.Deployment
	if !dep.Environment.Valid() {
		p.Add("deployment.environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	cloud := dep.Primary.Cloud
	if !cloud.Valid() {
		p.Add("deployment.primary.cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	p.Include("settings.", a.Settings.Validate(dep.Environment, cloud))
	// Ids already listed as administrators, so the application is never one.
	seen := map[string]string{}
	for i, pr := range a.Settings.Administrators {
		seen[strings.ToLower(pr.ID)] = fmt.Sprintf("settings.administrators[%d]", i)
	}
	checkPrincipals(p, "appPrincipals", a.AppPrincipals, cloud, seen)
	a.checkKeys(p)
	a.checkNetwork(p)
	if a.Restore != nil && cloud.Valid() {
		p.Include("restore.", a.Restore.Validate(cloud, dep.Primary.Region))
	}
	return p.Err()
}

// checkKeys records the problems with the data keys: the primary site's,
// and the DR site's when the database keeps a copy there.
func (a *DatabaseArgs) checkKeys(p *core.Problems) {
	dep := a.Deployment
	cloud := dep.Primary.Cloud
	checkKey := func(field string, k *core.Key, site *core.Site, why string) {
		switch {
		case k == nil:
			p.Missing(field, "%s; the database never falls back to a provider-managed key", why)
		case k.Purpose != "" && k.Purpose != core.DataKey:
			p.Add(field, string(k.Purpose), "use the %s key: databases are encrypted with the data key", core.DataKey)
		case site != nil && k.Region != "" && k.Region != site.Region:
			p.Add(field+".region", k.Region, "the key must be in the database's region %s", site.Region)
		case cloud == core.Azure && k.VaultID == (pulumi.StringOutput{}):
			p.Missing(field+".vaultId", "Azure grants the database's identity access on the key's vault")
		}
	}
	checkKey("key", a.Key, &dep.Primary, "the customer-managed key that encrypts the database")
	if cloud == core.AWS && a.SecretsKey == nil {
		p.Missing("secretsKey", "the secrets key at the primary site: it encrypts the secret RDS Proxy signs in with")
	}
	if a.Settings.CrossRegionBackups != nil && *a.Settings.CrossRegionBackups {
		if dep.DR == nil {
			p.Add("settings.crossRegionBackups", true, "needs a DR site: set wedsync:drRegion, or turn crossRegionBackups off outside prod")
		}
		checkKey("drKey", a.DRKey, dep.DR, "the key in the DR region that encrypts the cross-region copy")
	}
}

// checkNetwork records what the primary cloud needs from the network and
// was not given.
func (a *DatabaseArgs) checkNetwork(p *core.Problems) {
	cloud := a.Deployment.Primary.Cloud
	if cloud == core.AWS && a.Network.DatabaseSecurityGroupID == (pulumi.StringOutput{}) {
		p.Missing("network.databaseSecurityGroupId", "the security group that admits PostgreSQL from the app only")
	}
	if cloud == core.Azure && a.Network.DatabasePrivateDNSZoneID == (pulumi.StringOutput{}) {
		p.Missing("network.databasePrivateDnsZoneId", "the private DNS zone the server registers its private address in")
	}
	if cloud == core.GCP && a.Network.ID == (pulumi.StringOutput{}) {
		p.Missing("network.id", "the VPC network Cloud SQL peers with for its private IP")
	}
	if cloud != core.GCP && a.Network.DatabaseSubnetIDs == (pulumi.StringArrayOutput{}) {
		p.Missing("network.databaseSubnetIds", "the private subnets the database lives in")
	}
}

// builder is one build of a database: the defaulted, validated args and the
// component, which every cloud's implementation reads and parents to.
type builder struct {
	ctx  *pulumi.Context
	name string
	a    *DatabaseArgs
	c    *Database
}

// outputs are what a cloud's implementation returns: the component's
// outputs that depend on the cloud. A cloud without one (no password on GCP
// and Azure, no IAM policy outside AWS) returns an empty string.
type outputs struct {
	endpoint, credentialsSecret, connectPolicy, sourceID, metricsID pulumi.StringOutput
	proxySecret, serverName                                         pulumi.StringOutput
	backupTarget, exportIdentity                                    pulumi.StringOutput
	port                                                            pulumi.IntOutput
	poolerEndpoint                                                  pulumi.StringOutput
	poolerPort                                                      pulumi.IntOutput
	appUsers                                                        pulumi.StringArrayOutput
	replicaEndpoints                                                pulumi.StringArrayOutput
	replicaMetricsIDs                                               pulumi.StringArrayOutput
}

// opts are a child's options at site: parented to the database and on the
// site's explicit provider.
func (b *builder) opts(site core.Site, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// empty is an output a cloud does not have.
func empty() pulumi.StringOutput { return pulumi.String("").ToStringOutput() }

// crossRegion reports whether the database keeps a copy in the DR region.
func (a *DatabaseArgs) crossRegion() bool {
	return *a.Settings.CrossRegionBackups
}

// size is the settings' row of the sizing table.
func (a *DatabaseArgs) size() size { return sizes[a.Settings.Size] }

// backupHour is when daily backups start (UTC): two hours before the
// maintenance hour, so the two never overlap.
func (a *DatabaseArgs) backupHour() int { return (a.Settings.MaintenanceWindow.Hour + 22) % 24 }

// isoWeekday is the maintenance day as 1 (Monday) to 7 (Sunday).
func (a *DatabaseArgs) isoWeekday() int {
	return slices.Index(weekdays, a.Settings.MaintenanceWindow.Day) + 1
}

// principalLabel is a principal's part of a child resource's logical name:
// stable however the list is reordered.
func principalLabel(p Principal) string { return strings.ToLower(p.ID) }

// replicaZone is the zone of read replica i: another zone than the
// primary's (zone 0) and, first, than its standby's (zone 1), so a zone
// outage takes at most one of the three; "" where the region has no zones.
func (a *DatabaseArgs) replicaZone(i int) string {
	zones := a.Deployment.Primary.Zones()
	if len(zones) < 2 {
		return ""
	}
	others := slices.Clone(zones[1:])
	slices.Reverse(others)
	return others[i%len(others)]
}

// replicaLabel is read replica i's part of names: read1, read2, ...
func replicaLabel(i int) string { return fmt.Sprintf("read%d", i+1) }
