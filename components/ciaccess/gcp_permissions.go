package ciaccess

// The GCP deploy identity's table: per planned type, the IAM permissions
// the provider needs, gathered into one custom role of the stack
// (https://cloud.google.com/iam/docs/permissions-reference, and each
// service's access-control page: compute/docs/access/iam,
// sql/docs/postgres/iam-roles, kms/docs/reference/permissions-and-roles,
// storage/docs/access-control/iam-permissions, secret-manager/docs/access-control,
// storage-transfer/docs/iam-transfer, workflows/docs/access-control,
// scheduler/docs/access-control, monitoring/access-control,
// logging/docs/access-control, dns/docs/access-control,
// vpc/docs/configure-private-services-access). The role is bound with a
// condition on the resource names of the services that recognise resource
// attributes (gcpCondition).
//
// No row holds what would let CI grant access to itself or read data:
// setIamPolicy on keys, buckets, secrets and service accounts (no GCP
// condition can name the grantee of a binding), custom-role updates,
// storage.objects.get, secret versions' access, key use. Those rows hold
// the read permission only, and Admin says who applies the change
// instead: like the CI identities themselves, an administrator's
// `wedsync-infra up`.

// gcpRow is what one resource type needs.
type gcpRow struct {
	Permissions []string
	// Admin, when set, says why changes to this type are an
	// administrator's (the row then holds reads only).
	Admin string
}

const (
	gcpAdminGrant   = "it decides who may use a key, a bucket, a secret or a service account: CI could name itself"
	gcpAdminOwn     = "it is CI's own identity"
	gcpAdminBilling = "budgets live on the billing account, not the project: roles/billing.costsManager there, held by the billing administrator"
)

var gcpOps = []string{"compute.globalOperations.get", "compute.regionOperations.get", "compute.zoneOperations.get"}

func ops(perms ...string) []string { return append(perms, gcpOps...) }

// gcpTable has a row for every GCP type a stack plans.
var gcpTable = map[string]gcpRow{
	"pulumi:providers:gcp": {Permissions: []string{"resourcemanager.projects.get", "compute.projects.get", "compute.regions.get", "compute.zones.list"}},

	"gcp:billing/budget:Budget":       {Admin: gcpAdminBilling},
	"gcp:cloudscheduler/job:Job":      {Permissions: []string{"cloudscheduler.jobs.create", "cloudscheduler.jobs.get", "cloudscheduler.jobs.update", "cloudscheduler.jobs.delete", "cloudscheduler.jobs.pause", "cloudscheduler.jobs.enable"}},
	"gcp:workflows/workflow:Workflow": {Permissions: []string{"workflows.workflows.create", "workflows.workflows.get", "workflows.workflows.update", "workflows.workflows.delete", "workflows.operations.get"}},

	"gcp:compute/backendService:BackendService": {Permissions: ops("compute.backendServices.create", "compute.backendServices.get", "compute.backendServices.update",
		"compute.backendServices.delete", "compute.backendServices.use", "compute.backendServices.setSecurityPolicy", "compute.instanceGroups.use",
		"compute.healthChecks.useReadOnly", "compute.securityPolicies.use")},
	"gcp:compute/firewall:Firewall": {Permissions: ops("compute.firewalls.create", "compute.firewalls.get", "compute.firewalls.update", "compute.firewalls.delete",
		"compute.networks.updatePolicy")},
	"gcp:compute/globalAddress:GlobalAddress": {Permissions: ops("compute.globalAddresses.create", "compute.globalAddresses.get", "compute.globalAddresses.delete",
		"compute.globalAddresses.use", "compute.globalAddresses.setLabels", "compute.globalAddresses.createInternal", "compute.globalAddresses.deleteInternal")},
	"gcp:compute/globalForwardingRule:GlobalForwardingRule": {Permissions: ops("compute.globalForwardingRules.create", "compute.globalForwardingRules.get",
		"compute.globalForwardingRules.update", "compute.globalForwardingRules.delete", "compute.globalForwardingRules.setLabels",
		"compute.globalForwardingRules.setTarget", "compute.globalAddresses.use", "compute.targetHttpsProxies.use", "compute.targetHttpProxies.use")},
	"gcp:compute/healthCheck:HealthCheck": {Permissions: ops("compute.healthChecks.create", "compute.healthChecks.get", "compute.healthChecks.update",
		"compute.healthChecks.delete", "compute.healthChecks.useReadOnly")},
	"gcp:compute/instanceTemplate:InstanceTemplate": {Permissions: ops("compute.instanceTemplates.create", "compute.instanceTemplates.get",
		"compute.instanceTemplates.delete", "compute.instanceTemplates.useReadOnly", "compute.networks.get", "compute.subnetworks.use",
		"compute.images.useReadOnly", "compute.images.get")},
	"gcp:compute/managedSslCertificate:ManagedSslCertificate": {Permissions: ops("compute.sslCertificates.create", "compute.sslCertificates.get",
		"compute.sslCertificates.delete")},
	"gcp:compute/network:Network": {Permissions: ops("compute.networks.create", "compute.networks.get", "compute.networks.update", "compute.networks.delete",
		"compute.networks.updatePolicy")},
	"gcp:compute/regionAutoscaler:RegionAutoscaler": {Permissions: ops("compute.autoscalers.create", "compute.autoscalers.get", "compute.autoscalers.update",
		"compute.autoscalers.delete", "compute.instanceGroupManagers.use")},
	"gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": {Permissions: ops("compute.instanceGroupManagers.create",
		"compute.instanceGroupManagers.get", "compute.instanceGroupManagers.update", "compute.instanceGroupManagers.delete",
		"compute.instanceGroupManagers.use", "compute.instanceTemplates.useReadOnly", "compute.instanceGroups.create", "compute.instanceGroups.get",
		"compute.instanceGroups.update", "compute.instanceGroups.delete", "compute.instances.create", "compute.instances.setMetadata",
		"compute.instances.setServiceAccount", "compute.instances.setLabels", "compute.instances.setTags", "compute.disks.create",
		"compute.disks.setLabels", "compute.subnetworks.use", "compute.healthChecks.useReadOnly")},
	"gcp:compute/router:Router": {Permissions: ops("compute.routers.create", "compute.routers.get", "compute.routers.update", "compute.routers.delete",
		"compute.networks.get")},
	"gcp:compute/routerNat:RouterNat":           {Permissions: ops("compute.routers.get", "compute.routers.update", "compute.subnetworks.use")},
	"gcp:compute/sSLPolicy:SSLPolicy":           {Permissions: ops("compute.sslPolicies.create", "compute.sslPolicies.get", "compute.sslPolicies.update", "compute.sslPolicies.delete", "compute.sslPolicies.use")},
	"gcp:compute/securityPolicy:SecurityPolicy": {Permissions: ops("compute.securityPolicies.create", "compute.securityPolicies.get", "compute.securityPolicies.update", "compute.securityPolicies.delete", "compute.securityPolicies.use")},
	"gcp:compute/subnetwork:Subnetwork": {Permissions: ops("compute.subnetworks.create", "compute.subnetworks.get", "compute.subnetworks.update",
		"compute.subnetworks.delete", "compute.subnetworks.use", "compute.subnetworks.setPrivateIpGoogleAccess", "compute.networks.updatePolicy")},
	"gcp:compute/targetHttpProxy:TargetHttpProxy": {Permissions: ops("compute.targetHttpProxies.create", "compute.targetHttpProxies.get",
		"compute.targetHttpProxies.delete", "compute.targetHttpProxies.use", "compute.targetHttpProxies.setUrlMap", "compute.urlMaps.use")},
	"gcp:compute/targetHttpsProxy:TargetHttpsProxy": {Permissions: ops("compute.targetHttpsProxies.create", "compute.targetHttpsProxies.get",
		"compute.targetHttpsProxies.delete", "compute.targetHttpsProxies.use", "compute.targetHttpsProxies.setSslCertificates",
		"compute.targetHttpsProxies.setSslPolicy", "compute.targetHttpsProxies.setUrlMap", "compute.sslCertificates.get", "compute.sslPolicies.use", "compute.urlMaps.use")},
	"gcp:compute/uRLMap:URLMap": {Permissions: ops("compute.urlMaps.create", "compute.urlMaps.get", "compute.urlMaps.update", "compute.urlMaps.delete",
		"compute.urlMaps.use", "compute.backendServices.use")},

	"gcp:dns/recordSet:RecordSet": {Permissions: []string{"dns.changes.create", "dns.changes.get", "dns.resourceRecordSets.create", "dns.resourceRecordSets.get",
		"dns.resourceRecordSets.update", "dns.resourceRecordSets.delete", "dns.resourceRecordSets.list", "dns.managedZones.get"}},

	"gcp:iam/workloadIdentityPool:WorkloadIdentityPool":                 {Permissions: []string{"iam.workloadIdentityPools.get"}, Admin: gcpAdminOwn},
	"gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {Permissions: []string{"iam.workloadIdentityPoolProviders.get"}, Admin: gcpAdminOwn},

	// Keys: made and rotated by CI, used by none of it (no
	// cryptoKeyVersions.useToDecrypt), granted by an administrator.
	"gcp:kms/cryptoKey:CryptoKey": {Permissions: []string{"cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.update",
		"cloudkms.cryptoKeys.getIamPolicy", "cloudkms.cryptoKeyVersions.list", "cloudkms.cryptoKeyVersions.get", "cloudkms.cryptoKeyVersions.destroy"}},
	"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": {Permissions: []string{"cloudkms.cryptoKeys.getIamPolicy"}, Admin: gcpAdminGrant},
	"gcp:kms/keyRing:KeyRing":                       {Permissions: []string{"cloudkms.keyRings.create", "cloudkms.keyRings.get", "cloudkms.keyRings.getIamPolicy", "cloudkms.locations.get"}},

	"gcp:logging/metric:Metric":                              {Permissions: []string{"logging.logMetrics.create", "logging.logMetrics.get", "logging.logMetrics.update", "logging.logMetrics.delete"}},
	"gcp:monitoring/alertPolicy:AlertPolicy":                 {Permissions: []string{"monitoring.alertPolicies.create", "monitoring.alertPolicies.get", "monitoring.alertPolicies.update", "monitoring.alertPolicies.delete"}},
	"gcp:monitoring/dashboard:Dashboard":                     {Permissions: []string{"monitoring.dashboards.create", "monitoring.dashboards.get", "monitoring.dashboards.update", "monitoring.dashboards.delete"}},
	"gcp:monitoring/notificationChannel:NotificationChannel": {Permissions: []string{"monitoring.notificationChannels.create", "monitoring.notificationChannels.get", "monitoring.notificationChannels.update", "monitoring.notificationChannels.delete"}},
	"gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig":     {Permissions: []string{"monitoring.uptimeCheckConfigs.create", "monitoring.uptimeCheckConfigs.get", "monitoring.uptimeCheckConfigs.update", "monitoring.uptimeCheckConfigs.delete"}},

	// Project IAM: read here; the database sign-in roles and audit
	// configs through the conditioned grant binding (gcpGrantableRoles),
	// every other project grant by an administrator.
	"gcp:projects/iAMAuditConfig:IAMAuditConfig":   {Permissions: []string{"resourcemanager.projects.getIamPolicy"}},
	"gcp:projects/iAMMember:IAMMember":             {Permissions: []string{"resourcemanager.projects.getIamPolicy"}},
	"gcp:projects/iAMCustomRole:IAMCustomRole":     {Permissions: []string{"iam.roles.get", "iam.roles.list"}, Admin: "a role CI could edit could be its own"},
	"gcp:projects/serviceIdentity:ServiceIdentity": {Permissions: []string{"serviceusage.services.get"}},

	"gcp:secretmanager/secret:Secret": {Permissions: []string{"secretmanager.secrets.create", "secretmanager.secrets.get", "secretmanager.secrets.update",
		"secretmanager.secrets.delete", "secretmanager.secrets.getIamPolicy"}},
	"gcp:secretmanager/secretIamMember:SecretIamMember": {Permissions: []string{"secretmanager.secrets.getIamPolicy"}, Admin: gcpAdminGrant},
	// A version is written, never read back (no versions.access).
	"gcp:secretmanager/secretVersion:SecretVersion": {Permissions: []string{"secretmanager.versions.add", "secretmanager.versions.get",
		"secretmanager.versions.enable", "secretmanager.versions.disable", "secretmanager.versions.destroy"}},

	// Service accounts: made by CI, never deleted by it, never granted
	// by it; acting as one only through the bindings on the accounts the
	// stack attaches (gcpActAs).
	"gcp:serviceaccount/account:Account": {Permissions: []string{"iam.serviceAccounts.create", "iam.serviceAccounts.get", "iam.serviceAccounts.update",
		"iam.serviceAccounts.list"}},
	"gcp:serviceaccount/iAMMember:IAMMember": {Permissions: []string{"iam.serviceAccounts.getIamPolicy"}, Admin: gcpAdminGrant},

	"gcp:servicenetworking/connection:Connection": {Permissions: ops("servicenetworking.services.addPeering", "servicenetworking.services.get",
		"compute.networks.get", "compute.networks.addPeering", "compute.networks.removePeering", "compute.networks.listPeeringRoutes",
		"compute.globalAddresses.list")},

	"gcp:sql/database:Database": {Permissions: []string{"cloudsql.databases.create", "cloudsql.databases.get", "cloudsql.databases.update", "cloudsql.databases.delete"}},
	"gcp:sql/databaseInstance:DatabaseInstance": {Permissions: []string{"cloudsql.instances.create", "cloudsql.instances.get", "cloudsql.instances.update",
		"cloudsql.instances.delete", "cloudsql.instances.list"}},
	// The offsite transfers' notification topics; who may publish is an
	// administrator's grant, like a bucket's.
	"gcp:pubsub/topic:Topic":                   {Permissions: []string{"pubsub.topics.create", "pubsub.topics.get", "pubsub.topics.update", "pubsub.topics.delete"}},
	"gcp:pubsub/topicIAMMember:TopicIAMMember": {Permissions: []string{"pubsub.topics.getIamPolicy"}, Admin: gcpAdminGrant},
	"gcp:sql/user:User":                        {Permissions: []string{"cloudsql.users.create", "cloudsql.users.list", "cloudsql.users.update", "cloudsql.users.delete"}},

	// Buckets: settings only, never objects.
	"gcp:storage/bucket:Bucket": {Permissions: []string{"storage.buckets.create", "storage.buckets.get", "storage.buckets.update", "storage.buckets.delete",
		"storage.buckets.list", "storage.buckets.getIamPolicy"}},
	"gcp:storage/bucketIAMMember:BucketIAMMember": {Permissions: []string{"storage.buckets.getIamPolicy"}, Admin: gcpAdminGrant},
	// The offsite reader's HMAC key: whoever creates one holds a credential
	// that reads the backups, so it is an administrator's.
	"gcp:storage/hmacKey:HmacKey": {Permissions: []string{"storage.hmacKeys.get", "storage.hmacKeys.list"},
		Admin: "an HMAC key is a credential that reads the backups: CI could mint one for itself"},
	"gcp:storage/transferJob:TransferJob": {Permissions: []string{"storagetransfer.jobs.create", "storagetransfer.jobs.get", "storagetransfer.jobs.update",
		"storagetransfer.jobs.delete", "storagetransfer.projects.getServiceAccount"}},
}

// GCPDataReads are the permissions that read guest data or backups or use
// a key, and the roles that hold them or can grant them: the pack refuses
// any to a CI identity.
var GCPDataReads = []string{
	"storage.objects.get", "storage.objects.list", "secretmanager.versions.access", "cloudkms.cryptoKeyVersions.useToDecrypt",
	"cloudkms.cryptoKeyVersions.useToEncrypt", "cloudsql.instances.connect", "cloudsql.instances.export",
}

// GCPKeyGrants are the permissions that let a holder grant key, bucket,
// secret or service-account access.
var GCPKeyGrants = []string{
	"cloudkms.cryptoKeys.setIamPolicy", "cloudkms.keyRings.setIamPolicy", "storage.buckets.setIamPolicy", "secretmanager.secrets.setIamPolicy",
	"iam.serviceAccounts.setIamPolicy", "iam.roles.update", "iam.roles.create",
}

// GCPBroadRoles are predefined roles a CI identity must not hold: each
// reads backup data, uses or grants keys, or acts as any service account.
var GCPBroadRoles = []string{
	"roles/owner", "roles/editor", "roles/storage.admin", "roles/storage.objectViewer", "roles/storage.objectAdmin", "roles/cloudkms.admin",
	"roles/cloudkms.cryptoKeyEncrypterDecrypter", "roles/cloudkms.cryptoKeyDecrypter", "roles/secretmanager.admin",
	"roles/secretmanager.secretAccessor", "roles/iam.serviceAccountAdmin", "roles/iam.securityAdmin", "roles/resourcemanager.projectIamAdmin",
}
