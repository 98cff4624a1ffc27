package secretsstore

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/logging"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/secretmanager"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// gcpKeyRoles are the Cloud KMS roles of each access level.
var gcpKeyRoles = map[Access]string{
	Read:           "roles/cloudkms.cryptoKeyDecrypter",
	EncryptDecrypt: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
}

// gcpAuditedServices are the services whose Data Access logs record key and
// secret use; GCP leaves them off by default.
//
// Cloud Storage is audited too: without its DATA_READ and DATA_WRITE logs
// nothing records who read or wrote a guest-data backup.
var gcpAuditedServices = []string{"cloudkms.googleapis.com", "secretmanager.googleapis.com", "storage.googleapis.com"}

// gcp is the store on Cloud KMS and Secret Manager: a key ring per site
// with a key per purpose, the service agents' grants, the secrets, Data
// Access audit logs and, with an alert target, the alarms.
func (b *builder) gcp() (outputs, error) {
	project, sites := b.dep.Primary.GCPProject, b.sites()
	keys := map[core.Role]map[core.KeyPurpose]*kms.CryptoKey{}
	for _, site := range sites {
		byPurpose, err := b.gcpKeys(site)
		if err != nil {
			return b.out, err
		}
		keys[site.Role] = byPurpose
	}
	if err := b.gcpServiceAgents(project, sites, keys); err != nil {
		return b.out, err
	}
	if err := b.gcpSecrets(project, sites, keys); err != nil {
		return b.out, err
	}
	if err := b.gcpAudit(project); err != nil {
		return b.out, err
	}
	if b.args.Alerts != nil {
		return b.out, b.gcpAlarms()
	}
	return b.out, nil
}

// gcpKeys is site's key ring and its key of every purpose, with the grants.
func (b *builder) gcpKeys(site core.Site) (map[core.KeyPurpose]*kms.CryptoKey, error) {
	// Key rings cannot be deleted; protecting them in prod keeps Pulumi
	// from trying (and from losing track of the name).
	ring, err := kms.NewKeyRing(b.ctx, b.resourceName(site.Role, "keyring"), &kms.KeyRingArgs{
		Name:     pulumi.String(b.dep.Name("keys", site.Short())),
		Location: pulumi.String(site.Region),
		Project:  pulumi.String(b.dep.Primary.GCPProject),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	b.out.vaults[site.Role] = ring.ID().ToStringOutput()
	keys := map[core.KeyPurpose]*kms.CryptoKey{}
	for _, purpose := range core.KeyPurposes {
		key, err := kms.NewCryptoKey(b.ctx, b.resourceName(site.Role, "key", string(purpose)), &kms.CryptoKeyArgs{
			Name:                     pulumi.String(string(purpose)),
			KeyRing:                  ring.ID(),
			Purpose:                  pulumi.String("ENCRYPT_DECRYPT"),
			RotationPeriod:           pulumi.String(days(b.set.KeyRotationDays)),
			DestroyScheduledDuration: pulumi.String(days(b.set.DeletionWindowDays)),
			VersionTemplate: kms.CryptoKeyVersionTemplateArgs{
				Algorithm:       pulumi.String("GOOGLE_SYMMETRIC_ENCRYPTION"),
				ProtectionLevel: pulumi.String(pick(*b.set.HSMKeys, "HSM", "SOFTWARE")),
			},
		}, b.opts(site)...)
		if err != nil {
			return nil, err
		}
		keys[purpose] = key
		b.addKey(&core.Key{Purpose: purpose, Region: site.Region, ID: key.ID().ToStringOutput()}, site.Role)
		if err := b.gcpKeyGrants(site, purpose, key); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// gcpServiceAgents lets the Google services that encrypt our data with our
// keys use them: Cloud SQL (data key) and Cloud Storage (backup key). CMEK
// fails at creation without it. The store grants them, once per key, not
// each consumer: a binding removed with one bucket would break the others.
// (Compute Engine's agent, for instance disks, is granted by the
// autoscaling group, its only user; Secret Manager's in gcpSecrets.)
func (b *builder) gcpServiceAgents(project string, sites []core.Site, keys map[core.Role]map[core.KeyPurpose]*kms.CryptoKey) error {
	primary := sites[0]
	sql, err := projects.NewServiceIdentity(b.ctx, b.resourceName(core.Primary, "cloudsql-agent"), &projects.ServiceIdentityArgs{
		Project: pulumi.String(project),
		Service: pulumi.String("sqladmin.googleapis.com"),
	}, primary.With(pulumi.Parent(b.c))...)
	if err != nil {
		return err
	}
	gcs := storage.GetProjectServiceAccountOutput(b.ctx, storage.GetProjectServiceAccountOutputArgs{Project: pulumi.String(project)}, pulumi.Provider(primary.Provider), pulumi.Parent(b.c))
	agents := []struct {
		name    string
		purpose core.KeyPurpose
		member  pulumi.StringOutput
		after   []pulumi.Resource
	}{
		{"cloudsql-agent", core.DataKey, sql.Member, []pulumi.Resource{sql}},
		{"storage-agent", core.BackupKey, gcs.Member(), nil},
	}
	for _, site := range sites {
		for _, a := range agents {
			key := keys[site.Role][a.purpose]
			if _, err := kms.NewCryptoKeyIAMMember(b.ctx, b.resourceName(site.Role, "key-"+a.name), &kms.CryptoKeyIAMMemberArgs{
				CryptoKeyId: key.ID(),
				Role:        pulumi.String(gcpKeyRoles[EncryptDecrypt]),
				Member:      a.member,
			}, site.With(pulumi.Parent(key), pulumi.DependsOn(a.after))...); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) gcpKeyGrants(site core.Site, purpose core.KeyPurpose, key *kms.CryptoKey) error {
	users := b.set.keyUsers(purpose)
	for _, a := range Accesses {
		for i, member := range users[a] {
			if _, err := kms.NewCryptoKeyIAMMember(b.ctx, b.resourceName(site.Role, "key", string(purpose), string(a), fmt.Sprint(i)), &kms.CryptoKeyIAMMemberArgs{
				CryptoKeyId: key.ID(),
				Role:        pulumi.String(gcpKeyRoles[a]),
				Member:      pulumi.String(member),
			}, site.With(pulumi.Parent(key))...); err != nil {
				return err
			}
		}
	}
	return nil
}

// gcpSecrets makes each secret with one replica per site, each encrypted
// with that site's secrets key. Secret Manager encrypts through its service
// agent, which must be allowed to use the keys first.
func (b *builder) gcpSecrets(project string, sites []core.Site, keys map[core.Role]map[core.KeyPurpose]*kms.CryptoKey) error {
	if len(b.set.Secrets) == 0 {
		return nil
	}
	primary := sites[0]
	// The agent exists only once asked for; creating it is idempotent.
	agent, err := projects.NewServiceIdentity(b.ctx, b.resourceName(core.Primary, "secretmanager-agent"), &projects.ServiceIdentityArgs{
		Project: pulumi.String(project),
		Service: pulumi.String("secretmanager.googleapis.com"),
	}, primary.With(pulumi.Parent(b.c))...)
	if err != nil {
		return err
	}
	member := agent.Member
	var agentCanEncrypt []pulumi.Resource
	var replicas secretmanager.SecretReplicationUserManagedReplicaArray
	for _, site := range sites {
		key := keys[site.Role][core.SecretsKey]
		binding, err := kms.NewCryptoKeyIAMMember(b.ctx, b.resourceName(site.Role, "key-secrets-agent"), &kms.CryptoKeyIAMMemberArgs{
			CryptoKeyId: key.ID(),
			Role:        pulumi.String(gcpKeyRoles[EncryptDecrypt]),
			Member:      member,
		}, site.With(pulumi.Parent(key), pulumi.DependsOn([]pulumi.Resource{agent}))...)
		if err != nil {
			return err
		}
		agentCanEncrypt = append(agentCanEncrypt, binding)
		replicas = append(replicas, secretmanager.SecretReplicationUserManagedReplicaArgs{
			Location: pulumi.String(site.Region),
			CustomerManagedEncryption: secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs{
				KmsKeyName: key.ID(),
			},
		})
	}
	for _, sec := range b.set.Secrets {
		args := &secretmanager.SecretArgs{
			SecretId:          pulumi.String(b.dep.Name(sec.Name)),
			Project:           pulumi.String(project),
			Replication:       secretmanager.SecretReplicationArgs{UserManaged: secretmanager.SecretReplicationUserManagedArgs{Replicas: replicas}},
			VersionDestroyTtl: pulumi.String(days(b.set.DeletionWindowDays)),
		}
		if sec.Description != "" {
			args.Annotations = pulumi.StringMap{"description": pulumi.String(sec.Description)}
		}
		secret, err := secretmanager.NewSecret(b.ctx, b.resourceName(core.Primary, "secret", sec.Name), args,
			b.opts(primary, pulumi.DependsOn(agentCanEncrypt))...)
		if err != nil {
			return err
		}
		b.out.secretIDs[sec.Name] = secret.ID().ToStringOutput()
		for i, reader := range b.set.readersOf(sec.Name) {
			if _, err := secretmanager.NewSecretIamMember(b.ctx, b.resourceName(core.Primary, "secret", sec.Name, "reader", fmt.Sprint(i)), &secretmanager.SecretIamMemberArgs{
				Project:  pulumi.String(project),
				SecretId: secret.ID(),
				Role:     pulumi.String("roles/secretmanager.secretAccessor"),
				Member:   pulumi.String(reader),
			}, primary.With(pulumi.Parent(secret))...); err != nil {
				return err
			}
		}
		if b.hasValue(sec.Name) {
			if _, err := secretmanager.NewSecretVersion(b.ctx, b.resourceName(core.Primary, "secret-value", sec.Name), &secretmanager.SecretVersionArgs{
				Secret:     secret.ID(),
				SecretData: b.value(sec.Name),
			}, primary.With(pulumi.Parent(secret))...); err != nil {
				return err
			}
		}
	}
	return nil
}

// gcpAudit turns on Data Access audit logs for Cloud KMS and Secret
// Manager, so every decrypt and secret access is recorded.
func (b *builder) gcpAudit(project string) error {
	if !*b.set.AuditLogs || b.args.SharedProject {
		return nil
	}
	var logs projects.IAMAuditConfigAuditLogConfigArray
	for _, t := range []string{"ADMIN_READ", "DATA_READ", "DATA_WRITE"} {
		logs = append(logs, projects.IAMAuditConfigAuditLogConfigArgs{LogType: pulumi.String(t)})
	}
	for _, svc := range gcpAuditedServices {
		if _, err := projects.NewIAMAuditConfig(b.ctx, b.resourceName(core.Primary, "audit", svc), &projects.IAMAuditConfigArgs{
			Project:         pulumi.String(project),
			Service:         pulumi.String(svc),
			AuditLogConfigs: logs,
		}, b.dep.Primary.With(pulumi.Parent(b.c))...); err != nil {
			return err
		}
	}
	return nil
}

// gcpAlarms: a log-match alert policy on key versions scheduled for
// destruction in the stack's key rings (Admin Activity audit logs, always
// on), and a log-based metric counting denied Secret Manager and Cloud KMS
// calls (Data Access audit logs, which the store's audit setting turns on)
// with a threshold alert policy for a spike.
func (b *builder) gcpAlarms() error {
	t, primary := b.args.Alerts.Limits(), b.dep.Primary
	project := pulumi.String(primary.GCPProject)
	opts := primary.With(pulumi.Parent(b.c))
	var rings []any
	for _, site := range b.sites() {
		rings = append(rings, b.out.vaults[site.Role])
	}
	keyFilter := pulumi.All(rings...).ApplyT(func(ids []any) string {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = fmt.Sprintf(`protoPayload.resourceName : "%s/"`, id)
		}
		return `protoPayload.serviceName = "cloudkms.googleapis.com" AND protoPayload.methodName = ("DestroyCryptoKeyVersion" OR "UpdateCryptoKeyVersion") AND (` + strings.Join(parts, " OR ") + `)`
	}).(pulumi.StringOutput)
	if _, err := monitoring.NewAlertPolicy(b.ctx, b.resourceName(core.Primary, alarmKeyDeletion), &monitoring.AlertPolicyArgs{
		Project:     project,
		DisplayName: pulumi.String(b.dep.Name("secrets", alarmKeyDeletion)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("CRITICAL"),
		Conditions: monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
			DisplayName:         pulumi.String("a key version of the stack was scheduled for destruction or disabled"),
			ConditionMatchedLog: &monitoring.AlertPolicyConditionConditionMatchedLogArgs{Filter: keyFilter},
		}},
		AlertStrategy: &monitoring.AlertPolicyAlertStrategyArgs{
			NotificationRateLimit: &monitoring.AlertPolicyAlertStrategyNotificationRateLimitArgs{Period: pulumi.String("300s")},
			AutoClose:             pulumi.String("86400s"),
		},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(alarmKeyDeletion, t)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: b.args.Alerts.IDs,
	}, opts...); err != nil {
		return err
	}
	metricName := b.dep.Name("secrets", alarmAccessDenied)
	metric, err := logging.NewMetric(b.ctx, b.resourceName(core.Primary, alarmAccessDenied), &logging.MetricArgs{
		Project:     project,
		Name:        pulumi.String(metricName),
		Description: pulumi.String("Denied Secret Manager and Cloud KMS calls"),
		Filter:      pulumi.String(`protoPayload.serviceName = ("secretmanager.googleapis.com" OR "cloudkms.googleapis.com") AND protoPayload.status.code = 7`),
		MetricDescriptor: &logging.MetricMetricDescriptorArgs{
			MetricKind: pulumi.String("DELTA"),
			ValueType:  pulumi.String("INT64"),
		},
	}, opts...)
	if err != nil {
		return err
	}
	window := fmt.Sprintf("%ds", t.SecretAccessDeniedMinutes*60)
	_, err = monitoring.NewAlertPolicy(b.ctx, b.resourceName(core.Primary, alarmAccessDenied), &monitoring.AlertPolicyArgs{
		Project:     project,
		DisplayName: pulumi.String(b.dep.Name("secrets", alarmAccessDenied)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String(fmt.Sprintf("more than %d denied calls in %d minutes", t.SecretAccessDenied, t.SecretAccessDeniedMinutes)),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter:         pulumi.Sprintf(`metric.type = "logging.googleapis.com/user/%s"`, metric.Name),
				Comparison:     pulumi.String("COMPARISON_GT"),
				ThresholdValue: pulumi.Float64(float64(t.SecretAccessDenied)),
				Duration:       pulumi.String("0s"),
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod: pulumi.String(window), PerSeriesAligner: pulumi.String("ALIGN_SUM"), CrossSeriesReducer: pulumi.String("REDUCE_SUM"),
				}},
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(alarmAccessDenied, t)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: b.args.Alerts.IDs,
	}, opts...)
	return err
}
