package offline

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// The policy rules are tested against the exact resources the shipped
// stacks plan (their type tokens, parents and inputs as the components
// write them), not only against fixtures written beside the rules: a rule
// that never sees a component's token (the Azure database's versioned
// module) fails here.

// clonePlan deep-copies a plan, so a test can break it.
func clonePlan(t testing.TB, p *plan.Plan) *plan.Plan {
	t.Helper()
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var out plan.Plan
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// ofType are the plan's resources a rule declared for typ judges.
func ofType(p *plan.Plan, typ string) []*plan.Resource {
	var out []*plan.Resource
	for i := range p.Resources {
		if rules.CanonicalType(p.Resources[i].Type) == typ {
			out = append(out, &p.Resources[i])
		}
	}
	return out
}

// setInput sets the input at a dotted path (nil deletes it).
func setInput(inputs map[string]any, path string, value any) {
	keys := strings.Split(path, ".")
	m := inputs
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if value == nil {
		delete(m, keys[len(keys)-1])
		return
	}
	m[keys[len(keys)-1]] = value
}

// breaker changes a planned stack.
type breaker func(p *plan.Plan)

func setAll(typ, path string, value any) breaker {
	return func(p *plan.Plan) {
		for _, r := range ofType(p, typ) {
			setInput(r.Inputs, path, value)
		}
	}
}

func each(typ string, fn func(r *plan.Resource)) breaker {
	return func(p *plan.Plan) {
		for _, r := range ofType(p, typ) {
			fn(r)
		}
	}
}

func dropAll(types ...string) breaker {
	return func(p *plan.Plan) {
		p.Resources = slices.DeleteFunc(p.Resources, func(r plan.Resource) bool { return slices.Contains(types, rules.CanonicalType(r.Type)) })
	}
}

func both(a, b breaker) breaker { return func(p *plan.Plan) { a(p); b(p) } }

// Canonical tokens of the types the shipped stacks plan, as the rules
// declare them.
const (
	asg          = "aws:autoscaling/group:Group"
	asgSchedule  = "aws:autoscaling/schedule:Schedule"
	rds          = "aws:rds/instance:Instance"
	s3           = "aws:s3/bucketV2:BucketV2"
	awsSecret    = "aws:secretsmanager/secret:Secret"
	gcpSecret    = "gcp:secretmanager/secret:Secret"
	launchTmpl   = "aws:ec2/launchTemplate:LaunchTemplate"
	kmsKey       = "aws:kms/key:Key"
	vmss         = "azure-native:compute:VirtualMachineScaleSet"
	pgServer     = "azure-native:dbforpostgresql:Server"
	pgConfig     = "azure-native:dbforpostgresql:Configuration"
	account      = "azure-native:storage:StorageAccount"
	container    = "azure-native:storage:BlobContainer"
	blobService  = "azure-native:storage:BlobServiceProperties"
	vault        = "azure-native:keyvault:Vault"
	vaultKey     = "azure-native:keyvault:Key"
	autoscale    = "azure-native:insights:AutoscaleSetting"
	regionIGM    = "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager"
	regionAS     = "gcp:compute/regionAutoscaler:RegionAutoscaler"
	tmpl         = "gcp:compute/instanceTemplate:InstanceTemplate"
	sql          = "gcp:sql/databaseInstance:DatabaseInstance"
	gcs          = "gcp:storage/bucket:Bucket"
	gcsMember    = "gcp:storage/bucketIAMMember:BucketIAMMember"
	cryptoKey    = "gcp:kms/cryptoKey:CryptoKey"
	stackType    = "pulumi:pulumi:Stack"
	alarmAWS     = "aws:cloudwatch/metricAlarm:MetricAlarm"
	alarmGCP     = "gcp:monitoring/alertPolicy:AlertPolicy"
	alarmAzure   = "azure-native:insights:MetricAlert"
	alarmAzureAL = "azure-native:insights:ActivityLogAlert"
)

var dropAlarms = dropAll(alarmAWS, alarmGCP, alarmAzure, alarmAzureAL)

// mondayWindow moves every weekly schedule's wedding days from Friday to
// Sunday to Monday to Tuesday (dated ones stay): the schedules keep their
// shape, and lose their meaning.
var mondayWindow = both(
	both(each(asgSchedule, func(r *plan.Resource) {
		if rec, ok := r.Inputs["recurrence"].(string); ok {
			r.Inputs["recurrence"] = strings.NewReplacer(" * * 5", " * * 1", " * * 0", " * * 2").Replace(rec)
		}
	}), each(regionAS, func(r *plan.Resource) {
		for _, s := range scalingSchedules(r) {
			if f := strings.Fields(s["schedule"].(string)); len(f) == 5 && f[4] == "5" {
				f[4] = "1"
				s["schedule"] = strings.Join(f, " ")
			}
		}
	})),
	each(autoscale, func(r *plan.Resource) {
		for _, p := range profiles(r) {
			if rec, ok := p["recurrence"].(map[string]any); ok {
				sched := rec["schedule"].(map[string]any)
				day := map[string]string{"Friday": "Monday", "Sunday": "Tuesday"}[sched["days"].([]any)[0].(string)]
				sched["days"] = []any{day}
			}
		}
	}))

func scalingSchedules(r *plan.Resource) []map[string]any {
	v, _ := plan.Lookup(r.Inputs, "autoscalingPolicy", "scalingSchedules")
	var out []map[string]any
	for _, s := range v.([]any) {
		out = append(out, s.(map[string]any))
	}
	return out
}

func profiles(r *plan.Resource) []map[string]any {
	var out []map[string]any
	for _, p := range r.Inputs["profiles"].([]any) {
		out = append(out, p.(map[string]any))
	}
	return out
}

// plannedBreakings break each (policy, type) pair the shipped stacks plan
// on the planned resources themselves.
func plannedBreakings() map[[2]string]struct {
	stack string
	brk   breaker
} {
	type row = struct {
		stack string
		brk   breaker
	}
	out := map[[2]string]row{
		{rules.PolicyBackupImmutability, s3}:      {"prod", dropAll("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")},
		{rules.PolicyBackupImmutability, account}: {"prod-azure", both(setAll(account, "immutableStorageWithVersioning", nil), setAll(container, "immutableStorageWithVersioning", nil))},
		{rules.PolicyBackupImmutability, gcs}:     {"prod-gcp", setAll(gcs, "retentionPolicy", nil)},
		{rules.PolicyBackupRetention, rds}:        {"prod", setAll(rds, "backupRetentionPeriod", 1.0)},
		{rules.PolicyBackupRetention, pgServer}:   {"prod-azure", setAll(pgServer, "backup.backupRetentionDays", 1.0)},
		{rules.PolicyBackupRetention, sql}:        {"prod-gcp", setAll(sql, "settings.backupConfiguration.backupRetentionSettings.retainedBackups", 1.0)},
		{rules.PolicyCrossRegionCopy, rds}:        {"prod", dropAll("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")},
		{rules.PolicyCrossRegionCopy, s3}:         {"prod", dropAll("aws:s3/bucketReplicationConfig:BucketReplicationConfig")},
		{rules.PolicyCrossRegionCopy, pgServer}:   {"prod-azure", setAll(pgServer, "backup.geoRedundantBackup", "Disabled")},
		{rules.PolicyCrossRegionCopy, account}:    {"prod-azure", setAll(account, "sku.name", "Standard_LRS")},
		{rules.PolicyCrossRegionCopy, sql}: {"prod-gcp", each(sql, func(r *plan.Resource) {
			setInput(r.Inputs, "settings.backupConfiguration.location", r.Inputs["region"])
		})},
		{rules.PolicyCrossRegionCopy, gcs}:      {"prod-gcp", both(setAll(gcs, "location", "europe-west2"), dropAll("gcp:storage/transferJob:TransferJob"))},
		{rules.PolicyEncryptionCMK, launchTmpl}: {"prod", setAll(launchTmpl, "blockDeviceMappings", nil)},
		{rules.PolicyEncryptionCMK, rds}:        {"prod", setAll(rds, "kmsKeyId", nil)},
		{rules.PolicyEncryptionCMK, awsSecret}:  {"prod", setAll(awsSecret, "kmsKeyId", nil)},
		// The app's configuration (issue 24): a credential written in.
		{rules.PolicyConfigNoCredentials, "aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion"}: {"prod",
			setAll("aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion", "content", `{"settings":{"smtpPassword":"hunter2"}}`)},
		{rules.PolicyConfigNoCredentials, "gcp:secretmanager/secretVersion:SecretVersion"}: {"prod-gcp",
			setAll("gcp:secretmanager/secretVersion:SecretVersion", "secretData", `{"settings":{"apiToken":"t0k"}}`)},
		{rules.PolicyConfigNoCredentials, "azure-native:appconfiguration:KeyValue"}: {"prod-azure",
			setAll("azure-native:appconfiguration:KeyValue", "value", `{"settings":{"clientSecret":"abc"}}`)},
		{rules.PolicyEncryptionCMK, gcpSecret}:     {"prod-gcp", setAll(gcpSecret, "replication", map[string]any{"auto": map[string]any{}})},
		{rules.PolicyEncryptionCMK, vmss}:          {"prod-azure", setAll(vmss, "virtualMachineProfile.securityProfile.encryptionAtHost", false)},
		{rules.PolicyEncryptionCMK, pgServer}:      {"prod-azure", setAll(pgServer, "dataEncryption", nil)},
		{rules.PolicyEncryptionCMK, account}:       {"prod-azure", setAll(account, "encryption.keySource", "Microsoft.Storage")},
		{rules.PolicyEncryptionCMK, tmpl}:          {"prod-gcp", setAll(tmpl, "disks", []any{map[string]any{"boot": true}})},
		{rules.PolicyEncryptionCMK, sql}:           {"prod-gcp", setAll(sql, "encryptionKeyName", nil)},
		{rules.PolicyEncryptionCMK, gcs}:           {"prod-gcp", setAll(gcs, "encryption", nil)},
		{rules.PolicyInstanceMetadata, launchTmpl}: {"prod", setAll(launchTmpl, "metadataOptions.httpTokens", "optional")},
		{rules.PolicyKeyRotation, kmsKey}:          {"prod", setAll(kmsKey, "enableKeyRotation", false)},
		{rules.PolicyKeyRotation, vaultKey}:        {"prod-azure", setAll(vaultKey, "properties.rotationPolicy", nil)},
		{rules.PolicyKeyRotation, cryptoKey}:       {"prod-gcp", setAll(cryptoKey, "rotationPeriod", nil)},
		{rules.PolicyNoPublicData, rds}:            {"prod", setAll(rds, "publiclyAccessible", true)},
		{rules.PolicyNoPublicData, pgServer}:       {"prod-azure", setAll(pgServer, "network", nil)},
		{rules.PolicyNoPublicData, vault}:          {"prod-azure", setAll(vault, "properties.networkAcls.defaultAction", "Allow")},
		{rules.PolicyNoPublicData, container}:      {"prod-azure", setAll(container, "publicAccess", "Blob")},
		{rules.PolicyNoPublicData, account}:        {"prod-azure", setAll(account, "allowBlobPublicAccess", true)},
		{rules.PolicyNoPublicData, sql}:            {"prod-gcp", setAll(sql, "settings.ipConfiguration.ipv4Enabled", true)},
		{rules.PolicyNoPublicData, gcs}:            {"prod-gcp", setAll(gcs, "publicAccessPrevention", "inherited")},
		{rules.PolicyNoPublicData, gcsMember}:      {"prod-gcp", setAll(gcsMember, "member", "allUsers")},
		{rules.PolicyRDSForceSSL, rds}: {"prod", setAll("aws:rds/parameterGroup:ParameterGroup", "parameters",
			[]any{map[string]any{"name": "rds.force_ssl", "value": "0"}})},
		{rules.PolicyS3Encryption, s3}:            {"prod", dropAll("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")},
		{rules.PolicyS3TLSOnly, s3}:               {"prod", dropAll("aws:s3/bucketPolicy:BucketPolicy")},
		{rules.PolicyS3PublicAccess, s3}:          {"prod", dropAll("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")},
		{rules.PolicySeasonalCapacity, asg}:       {"prod", mondayWindow},
		{rules.PolicySeasonalCapacity, vmss}:      {"prod-azure", dropAll(autoscale)},
		{rules.PolicySeasonalCapacity, autoscale}: {"prod-azure", mondayWindow},
		{rules.PolicySeasonalCapacity, regionAS}:  {"prod-gcp", mondayWindow},
		{rules.PolicySeasonalCapacity, regionIGM}: {"prod-gcp", dropAll(regionAS)},
		{rules.PolicyTLS, pgConfig}: {"prod-azure", each(pgConfig, func(r *plan.Resource) {
			if r.Inputs["configurationName"] == "require_secure_transport" {
				r.Inputs["value"] = "OFF"
			}
		})},
		{rules.PolicyTLS, account}: {"prod-azure", setAll(account, "minimumTlsVersion", "TLS1_0")},
		{rules.PolicyTLS, sql}:     {"prod-gcp", setAll(sql, "settings.ipConfiguration.sslMode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED")},
		// Egress, flow logs, database logging (issue 23): each removed
		// from a real plan, per cloud.
		{rules.PolicyExplicitEgress, "aws:ec2/securityGroup:SecurityGroup"}: {"prod", each("aws:ec2/securityGroup:SecurityGroup", func(r *plan.Resource) {
			if r.Name == "primary-app" {
				r.Inputs["egress"] = []any{map[string]any{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": []any{"0.0.0.0/0"}}}
			}
		})},
		{rules.PolicyExplicitEgress, "gcp:compute/firewall:Firewall"}: {"prod-gcp", each("gcp:compute/firewall:Firewall", func(r *plan.Resource) {
			if r.Inputs["direction"] == "EGRESS" && r.Inputs["allows"] != nil {
				r.Inputs["allows"] = []any{map[string]any{"protocol": "all"}}
			}
		})},
		{rules.PolicyExplicitEgress, "azure-native:network:NetworkSecurityGroup"}: {"prod-azure", each("azure-native:network:NetworkSecurityGroup", func(r *plan.Resource) {
			r.Inputs["securityRules"] = append(r.Inputs["securityRules"].([]any), map[string]any{"name": "open", "direction": "Outbound", "access": "Allow",
				"protocol": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*", "priority": 100.0})
		})},
		{rules.PolicyFlowLogs, "aws:ec2/vpc:Vpc"}:                        {"prod", dropAll("aws:ec2/flowLog:FlowLog")},
		{rules.PolicyFlowLogs, "gcp:compute/subnetwork:Subnetwork"}:      {"prod-gcp", setAll("gcp:compute/subnetwork:Subnetwork", "logConfig", nil)},
		{rules.PolicyFlowLogs, "azure-native:network:VirtualNetwork"}:    {"prod-azure", setAll("azure-native:network:FlowLog", "enabled", false)},
		{rules.PolicyDBLogging, "aws:rds/parameterGroup:ParameterGroup"}: {"prod", setAll("aws:rds/parameterGroup:ParameterGroup", "parameters", []any{map[string]any{"name": "rds.force_ssl", "value": "1"}})},
		{rules.PolicyDBLogging, sql}:                                     {"prod-gcp", setAll(sql, "settings.databaseFlags", []any{map[string]any{"name": "cloudsql.iam_authentication", "value": "on"}})},
		{rules.PolicyDBLogging, pgServer}: {"prod-azure", each(pgConfig, func(r *plan.Resource) {
			if r.Inputs["configurationName"] == "log_connections" {
				r.Inputs["value"] = "off"
			}
		})},
		// Database copies and backup lifetimes (issue 16).
		{rules.PolicyDatabaseLockedCopy, rds}:      {"prod", dropAll("aws:backup/selection:Selection")},
		{rules.PolicyDatabaseLockedCopy, sql}:      {"prod-gcp", dropAll("gcp:workflows/workflow:Workflow")},
		{rules.PolicyDatabaseLockedCopy, pgServer}: {"prod-azure", dropAll("azure-native:dataprotection:BackupInstance")},
		{rules.PolicyDatabaseOffsiteCopy, rds}:     {"prod", dropAll("gcp:storage/transferJob:TransferJob")},
		// prod-gcp's offsite tier is an Azure Data Factory copy; prod-azure's is on GCP.
		{rules.PolicyDatabaseOffsiteCopy, sql}:                  {"prod-gcp", dropAll("azure-native:datafactory:Pipeline")},
		{rules.PolicyDatabaseOffsiteCopy, pgServer}:             {"prod-azure", dropAll("gcp:storage/transferJob:TransferJob")},
		{rules.PolicyBackupVaultLock, "aws:backup/vault:Vault"}: {"prod", dropAll("aws:backup/vaultLockConfiguration:VaultLockConfiguration")},
		{rules.PolicyBackupVaultLock, "azure-native:dataprotection:BackupVault"}: {"prod-azure",
			setAll("azure-native:dataprotection:BackupVault", "properties.securitySettings.immutabilitySettings.state", "Unlocked")},
		{rules.PolicyBackupLifetime, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"}: {"prod",
			each("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", func(r *plan.Resource) {
				for _, rule := range r.Inputs["rules"].([]any) {
					rule.(map[string]any)["noncurrentVersionExpiration"] = map[string]any{"noncurrentDays": 400.0}
				}
			})},
		{rules.PolicyBackupLifetime, gcs}:         {"prod-gcp", setAll(gcs, "softDeletePolicy.retentionDurationSeconds", 2592000.0)},
		{rules.PolicyBackupLifetime, blobService}: {"prod-azure", setAll(blobService, "deleteRetentionPolicy", map[string]any{"enabled": true, "days": 30.0})},
		{rules.PolicyVersioning, s3}:              {"prod", dropAll("aws:s3/bucketVersioningV2:BucketVersioningV2")},
		{rules.PolicyVersioning, account}:         {"prod-azure", setAll(blobService, "isVersioningEnabled", false)},
		{rules.PolicyVersioning, gcs}:             {"prod-gcp", both(setAll(gcs, "versioning.enabled", false), setAll(gcs, "retentionPolicy", nil))},

		// The accounts prod-azure's transfer reads, admitting no worker range.
		{rules.PolicyOffsiteSourceFirewall, account}: {"prod-azure", setAll(account, "networkRuleSet.ipRules", nil)},
	}
	for key, r := range ciBreakings() {
		out[key] = r
	}
	for key, r := range ingressBreakings() {
		out[key] = r
	}
	away := map[string]string{"aws": "us-east-1", "gcp": "us-central1", "azure-native": "eastus"}
	for typ, stack := range map[string]string{asg: "prod", launchTmpl: "prod", rds: "prod", s3: "prod", awsSecret: "prod", vmss: "prod-azure", pgServer: "prod-azure",
		vault: "prod-azure", account: "prod-azure", tmpl: "prod-gcp", regionIGM: "prod-gcp", sql: "prod-gcp", gcs: "prod-gcp", gcpSecret: "prod-gcp"} {
		pkg, _, _ := strings.Cut(typ, ":")
		out[[2]string{rules.PolicyDataResidency, typ}] = row{stack, setAll(typ, "region", away[pkg])}
	}
	for typ, stack := range map[string]string{rds: "prod", s3: "prod", awsSecret: "prod", pgServer: "prod-azure", vault: "prod-azure", account: "prod-azure", sql: "prod-gcp", gcs: "prod-gcp", gcpSecret: "prod-gcp"} {
		out[[2]string{rules.PolicyDeletionProtection, typ}] = row{stack, each(typ, func(r *plan.Resource) { r.Protect = false })}
	}
	for typ, stack := range map[string]string{asg: "prod", rds: "prod", s3: "prod", vmss: "prod-azure", pgServer: "prod-azure", account: "prod-azure",
		regionIGM: "prod-gcp", sql: "prod-gcp", gcs: "prod-gcp"} {
		out[[2]string{rules.PolicyAlarmed, typ}] = row{stack, dropAlarms}
	}
	return out
}

// ingressBreakings break the load balancers the stacks plan (issue 15).
func ingressBreakings() map[[2]string]struct {
	stack string
	brk   breaker
} {
	const (
		sg       = "aws:ec2/securityGroup:SecurityGroup"
		lb       = "aws:lb/loadBalancer:LoadBalancer"
		listener = "aws:lb/listener:Listener"
		tg       = "aws:lb/targetGroup:TargetGroup"
		gw       = "azure-native:network:ApplicationGateway"
		pip      = "azure-native:network:PublicIPAddress"
		sslPol   = "gcp:compute/sSLPolicy:SSLPolicy"
		https    = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
		http     = "gcp:compute/targetHttpProxy:TargetHttpProxy"
		urlMap   = "gcp:compute/uRLMap:URLMap"
		backend  = "gcp:compute/backendService:BackendService"
		firewall = "gcp:compute/firewall:Firewall"
	)
	type row = struct {
		stack string
		brk   breaker
	}
	// inGateway edits every element of a gateway's list input.
	inGateway := func(list string, fn func(m map[string]any)) breaker {
		return each(gw, func(r *plan.Resource) {
			items, _ := r.Inputs[list].([]any)
			for _, it := range items {
				fn(it.(map[string]any))
			}
		})
	}
	return map[[2]string]row{
		{rules.PolicyPublicEntry, sg}: {"prod", each(sg, func(r *plan.Resource) {
			open := map[string]any{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": []any{"0.0.0.0/0"}}
			in, _ := r.Inputs["ingress"].([]any)
			r.Inputs["ingress"] = append(in, open)
		})},
		{rules.PolicyLBTLS, listener}: {"prod", setAll(listener, "sslPolicy", "ELBSecurityPolicy-2016-08")},
		{rules.PolicyLBHTTPRedirect, listener}: {"prod", each(listener, func(r *plan.Resource) {
			if r.Inputs["protocol"] == "HTTP" {
				r.Inputs["defaultActions"] = []any{map[string]any{"type": "forward", "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-2:1:targetgroup/x/1"}}
			}
		})},
		{rules.PolicyLBAccessLogs, lb}:       {"prod", setAll(lb, "accessLogs.enabled", false)},
		{rules.PolicyLBWAF, lb}:              {"prod", dropAll("aws:wafv2/webAclAssociation:WebAclAssociation")},
		{rules.PolicyLBHealthCheck, tg}:      {"prod", setAll(tg, "healthCheck.enabled", false)},
		{rules.PolicyLBTLS, gw}:              {"prod-azure", setAll(gw, "sslPolicy.policyName", "AppGwSslPolicy20150501")},
		{rules.PolicyLBHTTPRedirect, gw}:     {"prod-azure", inGateway("requestRoutingRules", func(m map[string]any) { delete(m, "redirectConfiguration") })},
		{rules.PolicyLBWAF, gw}:              {"prod-azure", setAll(gw, "sku.tier", "Standard_v2")},
		{rules.PolicyLBAccessLogs, gw}:       {"prod-azure", dropAll("azure-native:insights:DiagnosticSetting")},
		{rules.PolicyLBHealthCheck, gw}:      {"prod-azure", inGateway("backendHttpSettingsCollection", func(m map[string]any) { delete(m, "probe") })},
		{rules.PolicyPublicEntry, pip}:       {"prod-azure", inGateway("frontendIPConfigurations", func(m map[string]any) { delete(m, "publicIPAddress") })},
		{rules.PolicyLBTLS, sslPol}:          {"prod-gcp", setAll(sslPol, "minTlsVersion", "TLS_1_0")},
		{rules.PolicyLBTLS, https}:           {"prod-gcp", setAll(https, "sslPolicy", nil)},
		{rules.PolicyLBHTTPRedirect, http}:   {"prod-gcp", setAll(urlMap, "defaultUrlRedirect.httpsRedirect", false)},
		{rules.PolicyLBWAF, backend}:         {"prod-gcp", setAll(backend, "securityPolicy", nil)},
		{rules.PolicyLBAccessLogs, backend}:  {"prod-gcp", setAll(backend, "logConfig.enable", false)},
		{rules.PolicyLBHealthCheck, backend}: {"prod-gcp", setAll(backend, "healthChecks", nil)},
		{rules.PolicyPublicEntry, firewall}:  {"prod-gcp", setAll(firewall, "sourceRanges", []any{"0.0.0.0/0"})},
		// The erasure ledger (issue 27): locked shorter than the backups,
		// unlocked, not copied to the DR region.
		{rules.PolicyErasureLedger, s3}:      {"prod", setAll("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "rule.defaultRetention.days", 30.0)},
		{rules.PolicyErasureLedger, gcs}:     {"prod-gcp", setAll(gcs, "retentionPolicy.isLocked", false)},
		{rules.PolicyErasureLedger, account}: {"prod-azure", setAll(account, "sku.name", "Standard_LRS")},
		// Who read a backup (issue 16): a single-region store cannot see the
		// DR replicas' reads.
		{rules.PolicyBackupAccessRecords, s3}: {"prod", setAll("aws:cloudtrail/eventDataStore:EventDataStore", "multiRegionEnabled", false)},
	}
}

// Every rule that judges a type the shipped stacks plan fires on those
// planned resources, exact tokens and all, when the input it guards is
// broken; and every such (policy, type) pair has a row here.
func TestEveryRuleJudgesThePlannedResources(t *testing.T) {
	rows := plannedBreakings()
	for _, stack := range shippedStacks(t) {
		for _, r := range planOf(t, stack).Plan.Resources {
			for _, p := range rules.Policies() {
				key := [2]string{p.Name, rules.CanonicalType(r.Type)}
				if _, ok := rows[key]; !ok && slices.Contains(p.Types(), key[1]) && key[1] != stackType {
					t.Errorf("%s plans %s, which %s judges: add a row breaking it", stack, r.Type, p.Name)
					rows[key] = struct {
						stack string
						brk   breaker
					}{}
				}
			}
		}
	}
	for key, row := range rows {
		if row.brk == nil {
			continue
		}
		t.Run(key[0]+"_on_"+key[1], func(t *testing.T) {
			res := planOf(t, row.stack)
			p := clonePlan(t, res.Plan)
			targets := map[string]string{}
			for _, r := range ofType(p, key[1]) {
				targets[r.URN] = r.Type
			}
			if len(targets) == 0 {
				t.Fatalf("%s plans no %s", row.stack, key[1])
			}
			row.brk(p)
			for _, v := range plan.Evaluate(p, res.Policy, res.Now) {
				if v.Policy == key[0] && targets[v.URN] != "" {
					return
				}
			}
			t.Errorf("%s: breaking %s left %s silent on %v", row.stack, key[1], key[0], targets)
		})
	}
}

// The Azure database is created from a versioned module; the rules are
// declared for the default one. Found by what made it (the database
// component) and not by its token, its server loses its customer-managed
// key or most of its backups, and `policy check` refuses the plan.
func TestPolicyCheckSeesThePlannedAzureDatabase(t *testing.T) {
	res := planOf(t, "prod-azure")
	var server *plan.Resource
	p := clonePlan(t, res.Plan)
	for i, r := range p.Resources {
		// The primary, not its read replica (which keeps no backups).
		if strings.Contains(r.Parent, "wedsync:database:Database") && r.Inputs["dataEncryption"] != nil && r.Inputs["createMode"] != "Replica" {
			server = &p.Resources[i]
		}
	}
	if server == nil {
		t.Fatal("prod-azure plans no database server with dataEncryption")
	}
	t.Logf("the planned server's token: %s", server.Type)
	for name, c := range map[string]struct {
		path   string
		value  any
		policy string
	}{
		"without_its_customer_managed_key": {"dataEncryption", nil, rules.PolicyEncryptionCMK},
		"keeping_one_day_of_backups":       {"backup.backupRetentionDays", 1.0, rules.PolicyBackupRetention},
	} {
		t.Run(name, func(t *testing.T) {
			broken := clonePlan(t, p)
			for i := range broken.Resources {
				if broken.Resources[i].URN == server.URN {
					setInput(broken.Resources[i].Inputs, c.path, c.value)
				}
			}
			got := plan.Evaluate(broken, res.Policy, res.Now)
			if !slices.ContainsFunc(got, func(v plan.Violation) bool {
				return v.Policy == c.policy && v.URN == server.URN && v.EnforcementLevel == "mandatory"
			}) {
				t.Errorf("want a mandatory %s on %s, got %+v", c.policy, server.URN, got)
			}
		})
	}
}

// Backup stores are found by the component that made them, under its
// current token or the one it is being renamed to, whatever they are
// called: prod-azure's storage accounts carry no "backup" in any name.
func TestBackupStoresAreFoundByTheirComponent(t *testing.T) {
	res := planOf(t, "prod-azure")
	planned := ""
	for _, r := range res.Plan.Resources {
		if slices.Contains(rules.BackupComponentTypes, r.Type) {
			planned = r.Type
		}
	}
	if planned == "" {
		t.Fatalf("prod-azure plans no backup component of %v", rules.BackupComponentTypes)
	}
	for _, token := range rules.BackupComponentTypes {
		t.Run(token, func(t *testing.T) {
			p := clonePlan(t, res.Plan)
			for i := range p.Resources {
				r := &p.Resources[i]
				r.URN = strings.ReplaceAll(r.URN, planned, token)
				r.Parent = strings.ReplaceAll(r.Parent, planned, token)
				if r.Type == planned {
					r.Type = token
				}
			}
			if got := mandatory(plan.Evaluate(p, res.Policy, res.Now)); len(got) != 0 {
				t.Fatalf("renamed component: want no mandatory violations, got %+v", got)
			}
			both(setAll(account, "immutableStorageWithVersioning", nil), setAll(container, "immutableStorageWithVersioning", nil))(p)
			n := 0
			for _, v := range plan.Evaluate(p, res.Policy, res.Now) {
				if v.Policy == rules.PolicyBackupImmutability {
					n++
				}
			}
			// The flow-log account (components/network) is no backup store.
			want := 0
			for _, r := range ofType(p, account) {
				if strings.Contains(r.URN, token) {
					want++
				}
			}
			if n != want || want < 3 {
				t.Errorf("want every one of the %d backup accounts to fail immutability, got %d", want, n)
			}
		})
	}
}

// The seasonal-capacity rule judges the planned schedules by what they do
// against the stack's calendar: each cloud's schedules, kept in shape but
// moved to a Monday, or with a peak season that lasts a day, fail.
func TestSeasonalCapacityJudgesThePlannedSchedules(t *testing.T) {
	onePeakDay := map[string]breaker{
		"prod": each(asgSchedule, func(r *plan.Resource) { // the peak weeks close to the off season
			if r.Inputs["minSize"] == 8.0 {
				r.Inputs["minSize"] = 2.0
			}
		}),
		"prod-gcp": each(regionAS, func(r *plan.Resource) {
			for _, s := range scalingSchedules(r) {
				if strings.HasPrefix(s["name"].(string), "peak-") {
					s["durationSec"] = 86400.0
				}
			}
		}),
		"prod-azure": each(autoscale, func(r *plan.Resource) {
			for _, p := range profiles(r) {
				if f, ok := p["fixedDate"].(map[string]any); ok {
					start, _ := time.Parse(time.RFC3339, f["start"].(string))
					f["end"] = start.Add(24 * time.Hour).Format(time.RFC3339)
				}
			}
		}),
	}
	for _, stack := range []string{"prod", "prod-gcp", "prod-azure"} {
		for name, c := range map[string]struct {
			brk  breaker
			want string
		}{
			"wedding_days_on_a_monday": {mondayWindow, "no wedding-day capacity"},
			"a_one_day_peak":           {onePeakDay[stack], "no peak-season capacity"},
		} {
			t.Run(stack+"_"+name, func(t *testing.T) {
				res := planOf(t, stack)
				p := clonePlan(t, res.Plan)
				c.brk(p)
				for _, v := range plan.Evaluate(p, res.Policy, res.Now) {
					if v.Policy == rules.PolicySeasonalCapacity && strings.Contains(v.Message, c.want) {
						return
					}
				}
				t.Errorf("want %q", c.want)
			})
		}
	}
}

// IMDSv1 in prod blocks the plan; elsewhere it is advice.
func TestIMDSv1IsMandatoryInProdOnly(t *testing.T) {
	for stack, want := range map[string]string{"prod": "mandatory", "staging": "advisory", "dev": "advisory"} {
		res := planOf(t, stack)
		p := clonePlan(t, res.Plan)
		setAll(launchTmpl, "metadataOptions.httpTokens", "optional")(p)
		got := ""
		for _, v := range plan.Evaluate(p, res.Policy, res.Now) {
			if v.Policy == rules.PolicyInstanceMetadata {
				got = v.EnforcementLevel
			}
		}
		if got != want {
			t.Errorf("%s: IMDSv1 allowed is %q, want %q", stack, got, want)
		}
	}
}

// mandatory are the violations that block a deploy.
func mandatory(vs []plan.Violation) []plan.Violation {
	var out []plan.Violation
	for _, v := range vs {
		if v.EnforcementLevel == "mandatory" {
			out = append(out, v)
		}
	}
	return out
}
