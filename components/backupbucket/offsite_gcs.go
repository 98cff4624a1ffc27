package backupbucket

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	azstorage "github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
)

// The offsite copy of a GCS backup bucket, on Azure.
//
// Storage Transfer writes only to GCS, so Azure pulls: an Azure Data
// Factory pipeline copies the bucket daily into a private, CMK-encrypted,
// version-level immutable container (the backup account of azure.go, at the
// offsite site, under the offsite key). ADF's Google Cloud Storage
// connector reads over GCS's S3-compatible XML API with an HMAC key, so a
// long-lived credential cannot be avoided; it is kept small:
//   - the key belongs to a service account of its own that may only read
//     this one bucket (roles/storage.objectViewer on it; the bucket's CMEK
//     is applied by GCS, so no key permission);
//   - its secret lives in the offsite Key Vault; the linked service names
//     the vault secret and never holds it (the pipeline has no credential);
//   - it is in the Pulumi state too (the HMAC key resource returns it once),
//     marked secret, so it is encrypted with the stack's secrets provider;
//   - it is rotated by raising wedsync:backup.offsite.keyGeneration and
//     `wedsync-infra up` (docs/offsite-tiers.md says when), which makes a
//     new key and deletes the old one after the linked service has moved.
//
// The Data Factory types are registered by token: the proxy does not serve
// github.com/pulumi/pulumi-azure-native-sdk/datafactory/v2@v2.92.0 (403), so
// they carry the ARM shape (API 2018-06-01) as dbbackup's vault does.
//
// https://learn.microsoft.com/azure/data-factory/connector-google-cloud-storage
// https://cloud.google.com/storage/docs/authentication/hmackeys
const (
	DataFactoryType   = "azure-native:datafactory:Factory"
	LinkedServiceType = "azure-native:datafactory:LinkedService"
	DatasetType       = "azure-native:datafactory:Dataset"
	PipelineType      = "azure-native:datafactory:Pipeline"
)

// Built-in roles of the factory's identity.
const (
	// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor
	storageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
	keyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6"
)

// gcsXMLEndpoint is GCS's S3-compatible (XML API) endpoint ADF reads.
const gcsXMLEndpoint = "https://storage.googleapis.com"

// adfResource is the state of a Data Factory resource registered by token.
type adfResource struct {
	pulumi.CustomResourceState
	Identity pulumi.MapOutput `pulumi:"identity"`
}

// OffsiteHMACSecret names the Key Vault secret holding the HMAC secret of
// one purpose's offsite reader.
func OffsiteHMACSecret(purpose string) string { return "backup-" + purpose + "-offsite-hmac" }

// atOffsite is the builder of the offsite container: the Azure backup
// account of azure.go, at the offsite site, under the offsite key, with
// the offsite alert target; in prod geo-redundant (RA-GZRS, so no archive
// tier: azureLifecycle maps it to cold) like every prod backup account.
func (b *builder) atOffsite() *builder {
	at := *b
	at.dep.Primary, at.dep.DR, at.dep.Offsite = *b.offsite, nil, nil
	at.name = b.name + "-offsite"
	at.key, at.dr, at.drKey, at.offsite = b.offKey, nil, nil, nil
	at.alerts, at.logs, at.adopt = b.offAlerts, pulumi.StringOutput{}, nil
	at.offsiteCopy = b.dep.IsProd()
	return &at
}

// offsiteFromGCS copies src daily into the offsite container on Azure. It
// returns the copy's "cloud:region" and account name.
func (b *builder) offsiteFromGCS(src *storage.Bucket) (pulumi.StringOutput, pulumi.StringOutput, error) {
	var none pulumi.StringOutput
	at := b.atOffsite()
	identity, grant, err := at.azureKeyIdentity()
	if err != nil {
		return none, none, err
	}
	account, err := at.azureAccount(identity, grant)
	if err != nil {
		return none, none, err
	}
	container, err := at.azureBlobs(account)
	if err != nil {
		return none, none, err
	}
	hmac, err := b.offsiteGCSReader(src)
	if err != nil {
		return none, none, err
	}
	secret, err := b.offsiteHMACSecret(hmac)
	if err != nil {
		return none, none, err
	}
	factory, err := at.offsiteFactory(container, secret)
	if err != nil {
		return none, none, err
	}
	if err := at.offsitePipeline(factory, src, hmac, account); err != nil {
		return none, none, err
	}
	if err := at.offsiteScheduler(factory, secret); err != nil {
		return none, none, err
	}
	if at.alerts != nil {
		if err := at.azureFreshnessAlert(account.ID().ToStringOutput()); err != nil {
			return none, none, err
		}
		if err := at.offsiteFactoryAlarm(factory); err != nil {
			return none, none, err
		}
	}
	off := *b.offsite
	return pulumi.Sprintf("%s:%s", off.Cloud, off.Region), account.Name, nil
}

// offsiteGCSReader is the service account ADF reads src as (object
// viewer on src alone) and its HMAC key. The key's secret is marked
// secret: it is in the state because the API returns it once, at creation.
func (b *builder) offsiteGCSReader(src *storage.Bucket) (*storage.HmacKey, error) {
	site, name := b.dep.Primary, b.name+"-offsite-reader"
	sa, err := serviceaccount.NewAccount(b.ctx, name, &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(b.dep.NameWithin(30, "bk", b.purpose, "offsite")),
		Project:     pulumi.StringPtrFromPtr(project(site)),
		DisplayName: pulumi.String("Azure Data Factory reads " + b.purpose + " backups for the offsite copy"),
		// Nothing runs as it, so CI's deploy identity never acts as it.
		Description: pulumi.String(core.CredentialOnly + "its HMAC key is how Azure Data Factory reads the " + b.purpose + " bucket"),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	viewer, err := storage.NewBucketIAMMember(b.ctx, name, &storage.BucketIAMMemberArgs{
		Bucket: src.Name,
		Role:   pulumi.String("roles/storage.objectViewer"),
		Member: pulumi.Sprintf("serviceAccount:%s", sa.Email),
	}, b.opts(site)...)
	if err != nil {
		return nil, err
	}
	// Each generation is a new key: deployed, it replaces the old one
	// everywhere before the old one is deleted (docs/offsite-tiers.md).
	keyName := name
	if g := b.s.Offsite.KeyGeneration; g > 0 {
		keyName = fmt.Sprintf("%s-g%d", name, g)
	}
	return storage.NewHmacKey(b.ctx, keyName, &storage.HmacKeyArgs{
		ServiceAccountEmail: sa.Email,
		Project:             pulumi.StringPtrFromPtr(project(site)),
	}, b.opts(site, pulumi.DependsOn([]pulumi.Resource{viewer}), pulumi.AdditionalSecretOutputs([]string{"secret"}))...)
}

// offsiteHMACSecret keeps the HMAC secret in the offsite Key Vault (the
// vault of the offsite key), where the linked service reads it. It expires
// hmacMaxAgeDays after GCS made the key (its timeCreated, in the state):
// the key-age check pages before then.
func (b *builder) offsiteHMACSecret(hmac *storage.HmacKey) (*keyvault.Secret, error) {
	off := *b.offsite
	return keyvault.NewSecret(b.ctx, b.name+"-offsite-hmac", &keyvault.SecretArgs{
		SecretName:        pulumi.String(OffsiteHMACSecret(b.purpose)),
		VaultName:         b.offKey.VaultID.ApplyT(func(id string) string { return lastSegment(id) }).(pulumi.StringOutput),
		ResourceGroupName: b.offKey.VaultID.ApplyT(resourceGroupOf).(pulumi.StringOutput),
		Properties: keyvault.SecretPropertiesArgs{
			Value:       pulumi.ToSecret(hmac.Secret).(pulumi.StringOutput),
			ContentType: pulumi.String("GCS HMAC secret of " + b.purpose + " offsite reader"),
			Attributes:  keyvault.SecretAttributesArgs{Expires: hmac.TimeCreated.ApplyT(hmacExpiry).(pulumi.IntPtrOutput)},
		},
		Tags: b.dep.Tags.For(core.Azure),
	}, b.opts(off)...)
}

// offsiteFactory is the Data Factory with its system identity, which may
// write the container and read the HMAC secret, nothing else.
func (b *builder) offsiteFactory(container *azstorage.BlobContainer, secret *keyvault.Secret) (*adfResource, error) {
	site := b.dep.Primary
	factory := &adfResource{}
	if err := b.ctx.RegisterResource(DataFactoryType, b.name, pulumi.Map{
		"factoryName":       pulumi.String(b.factoryName()),
		"resourceGroupName": site.AzureResourceGroup,
		"location":          pulumi.String(site.Region),
		"identity":          pulumi.Map{"type": pulumi.String("SystemAssigned")},
		// Closed: the copy runs on the Azure integration runtime, which
		// this setting does not touch (it governs self-hosted runtimes and
		// the authoring endpoint), and the start is an ARM call
		// (learn.microsoft.com/azure/data-factory/data-movement-security-considerations#hybrid-scenarios).
		"publicNetworkAccess": pulumi.String("Disabled"),
		"tags":                b.dep.Tags.For(core.Azure),
	}, factory, b.opts(site)...); err != nil {
		return nil, err
	}
	principal := factory.Identity.ApplyT(func(m map[string]any) string {
		id, _ := m["principalId"].(string)
		return id
	}).(pulumi.StringOutput)
	why := "the offsite copy of " + b.purpose + " backups"
	writes, reads := container.ID().ToStringOutput(), secret.ID().ToStringOutput()
	if _, err := b.grantRoles(site, b.name+"-factory", "offsite-factory", principal, []roleGrant{
		{"writes", core.AzureRoleDefinition(writes, storageBlobDataContributor), writes, why},
		{"reads-hmac", core.AzureRoleDefinition(reads, keyVaultSecretsUser), reads, why},
	}); err != nil {
		return nil, err
	}
	return factory, nil
}

// lastSegment is the last path segment of an ARM id (a vault's name).
func lastSegment(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// resourceGroupOf is the resource group of an ARM resource id.
func resourceGroupOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}

// ref is a Data Factory reference to another of its resources.
func ref(kind string, name pulumi.StringInput) pulumi.Map {
	return pulumi.Map{"referenceName": name, "type": pulumi.String(kind)}
}

// expr is a Data Factory expression value.
func expr(e string) pulumi.Map {
	return pulumi.Map{"type": pulumi.String("Expression"), "value": pulumi.String(e)}
}

// factoryName is the offsite Data Factory's name (globally unique).
func (b *builder) factoryName() string {
	return b.dep.Name("bk", b.purpose, "offsite", b.dep.Primary.Short())
}

// adf registers one Data Factory child of factory by token. Children name
// each other by their names, which are inputs (known at plan time).
func (b *builder) adf(token, name string, props pulumi.Map, factory *adfResource) error {
	site := b.dep.Primary
	props["factoryName"] = pulumi.String(b.factoryName())
	props["resourceGroupName"] = site.AzureResourceGroup
	return b.ctx.RegisterResource(token, name, props, &adfResource{}, b.opts(site, pulumi.DependsOn([]pulumi.Resource{factory}))...)
}

// offsiteFactoryAlarm is the Data Factory alarm: a pipeline run failed (after its
// retries).
func (b *builder) offsiteFactoryAlarm(factory *adfResource) error {
	return azuremetric.New(b.ctx, b.name+"-failed", b.dep, b.alerts, azuremetric.Alert{
		Key:         "pipeline-failed-runs",
		RuleName:    b.dep.Name("backup", b.purpose, alarmOffsiteFailed),
		Description: b.alarmDescription(alarmOffsiteFailed, b.alerts.Limits()),
		Severity:    1,
		Scope:       factory.ID(),
		Namespace:   "Microsoft.DataFactory/factories",
		// https://learn.microsoft.com/azure/data-factory/monitor-metrics-alerts
		Metric:      "PipelineFailedRuns",
		Operator:    "GreaterThan",
		Threshold:   0,
		Aggregation: "Total",
		Frequency:   "PT1H",
		Window:      "PT1H",
	}, b.opts(b.dep.Primary)...)
}

// offsiteWindowHours is how far back each run looks: the day before the
// run's scheduled time, so consecutive runs neither miss nor repeat an
// object (a repeat would be a new, separately locked version).
const offsiteWindowHours = 24

// offsitePipeline declares the linked services, datasets and copy
// pipeline.
func (b *builder) offsitePipeline(factory *adfResource, src *storage.Bucket, hmac *storage.HmacKey, account *azstorage.StorageAccount) error {
	vault, gcs, blob, from, to := "offsite-vault", "gcs-"+b.purpose, "offsite-"+b.purpose, "gcs-"+b.purpose, "offsite-"+b.purpose
	if err := b.adf(LinkedServiceType, b.name+"-vault", pulumi.Map{
		"linkedServiceName": pulumi.String(vault),
		"properties":        pulumi.Map{"type": pulumi.String("AzureKeyVault"), "baseUrl": b.key.VaultURI},
	}, factory); err != nil {
		return err
	}
	if err := b.adf(LinkedServiceType, b.name+"-gcs", pulumi.Map{
		"linkedServiceName": pulumi.String(gcs),
		"properties": pulumi.Map{
			"type":        pulumi.String("GoogleCloudStorage"),
			"accessKeyId": hmac.AccessId,
			"secretAccessKey": pulumi.Map{
				"type":       pulumi.String("AzureKeyVaultSecret"),
				"store":      ref("LinkedServiceReference", pulumi.String(vault)),
				"secretName": pulumi.String(OffsiteHMACSecret(b.purpose)),
			},
			"serviceUrl": pulumi.String(gcsXMLEndpoint),
		},
	}, factory); err != nil {
		return err
	}
	// Only the endpoint: the factory's system identity signs in (no key).
	if err := b.adf(LinkedServiceType, b.name+"-blob", pulumi.Map{
		"linkedServiceName": pulumi.String(blob),
		"properties": pulumi.Map{
			"type":            pulumi.String("AzureBlobStorage"),
			"serviceEndpoint": pulumi.Sprintf("https://%s.blob.core.windows.net/", account.Name),
			"accountKind":     pulumi.String("StorageV2"),
		},
	}, factory); err != nil {
		return err
	}
	if err := b.adf(DatasetType, b.name+"-from", pulumi.Map{
		"datasetName": pulumi.String(from),
		"properties": pulumi.Map{"type": pulumi.String("Binary"), "linkedServiceName": ref("LinkedServiceReference", pulumi.String(gcs)),
			"location": pulumi.Map{"type": pulumi.String("GoogleCloudStorageLocation"), "bucketName": src.Name}},
	}, factory); err != nil {
		return err
	}
	if err := b.adf(DatasetType, b.name+"-to", pulumi.Map{
		"datasetName": pulumi.String(to),
		"properties": pulumi.Map{"type": pulumi.String("Binary"), "linkedServiceName": ref("LinkedServiceReference", pulumi.String(blob)),
			"location": pulumi.Map{"type": pulumi.String("AzureBlobStorageLocation"), "container": pulumi.String(AzureContainer)}},
	}, factory); err != nil {
		return err
	}
	// Started daily by the scheduler's Logic App (offsite_gcs_schedule.go),
	// which passes windowEnd: no trigger to start by hand.
	return b.adf(PipelineType, b.name+"-copy", b.copyPipeline(from, to), factory)
}

// copyPipeline copies the objects written in the day before windowEnd,
// verifying each copy (validateDataConsistency compares size and MD5), and
// retries a failed run three times before it counts as failed.
func (b *builder) copyPipeline(from, to string) pulumi.Map {
	return pulumi.Map{
		"pipelineName": pulumi.String("offsite-" + b.purpose),
		"description":  pulumi.String(fmt.Sprintf("%s %s backups from GCS to the offsite container, daily", b.dep.Stack, b.purpose)),
		"parameters":   pulumi.Map{"windowEnd": pulumi.Map{"type": pulumi.String("String")}},
		"activities": pulumi.Array{pulumi.Map{
			"name":    pulumi.String("copy"),
			"type":    pulumi.String("Copy"),
			"inputs":  pulumi.Array{ref("DatasetReference", pulumi.String(from))},
			"outputs": pulumi.Array{ref("DatasetReference", pulumi.String(to))},
			"policy":  pulumi.Map{"retry": pulumi.Int(3), "retryIntervalInSeconds": pulumi.Int(600), "timeout": pulumi.String("0.12:00:00")},
			"source": pulumi.Map{"type": pulumi.String("BinarySource"), "storeSettings": pulumi.Map{
				"type": pulumi.String("GoogleCloudStorageReadSettings"), "recursive": pulumi.Bool(true),
				"modifiedDatetimeStart": expr(fmt.Sprintf("@addHours(pipeline().parameters.windowEnd, -%d)", offsiteWindowHours)),
				"modifiedDatetimeEnd":   expr("@pipeline().parameters.windowEnd"),
			}},
			"sink":                    pulumi.Map{"type": pulumi.String("BinarySink"), "storeSettings": pulumi.Map{"type": pulumi.String("AzureBlobStorageWriteSettings")}},
			"validateDataConsistency": pulumi.Bool(true),
		}},
	}
}
