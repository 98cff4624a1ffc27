package backupbucket

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	azstorage "github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/pubsub"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/secretmanager"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The offsite copy of an Azure backup account, on GCP.
//
// Storage Transfer Service reads Azure Blob, but in pulumi-gcp v7.38.0 its
// Azure source takes only a SAS: inline (azureCredentials.sasToken, which
// would sit in the job's inputs and the Pulumi state) or by reference
// (credentialsSecret, a Secret Manager secret the transfer service agent
// reads at run time). The API's federatedIdentityConfig (no secret at all)
// is not in this SDK version. So the SAS is unavoidable, and it is made as
// small as Azure allows:
//   - a user delegation SAS, signed with an Entra ID identity's delegation
//     key: the account keeps shared-key access off, so no account key exists
//     to sign with or to leak;
//   - on the one container, read and list only, HTTPS only;
//   - valid sasValidDays (Azure's limit for a user delegation SAS is 7);
//   - kept in the offsite secrets store (Secret Manager, encrypted with the
//     offsite secrets key), readable by the transfer service agent alone;
//   - rotated twice a day by .github/workflows/offsite-sas.yml, signed by
//     the signer identity made here (it can only make delegation keys on
//     this account and read this container), and alarmed on its age.
//
// When the provider offers federatedIdentityConfig (an Entra app trusting
// the transfer service agent), it replaces the SAS, the secret and the
// rotation.
//
// The account's firewall denies every network but Azure's trusted services
// (azure.go), and Storage Transfer's workers are not one: Google publishes
// their ranges at https://www.gstatic.com/storage-transfer-service/ipranges.json
// and asks that an Azure source's firewall admit them ("IP restrictions"
// in the page below). They are stack config
// (wedsync:backup.offsite.sourceRanges): the accounts the transfer reads
// admit them as IP rules, .github/workflows/offsite-ranges.yml compares
// them weekly with Google's list, and the pack rule offsite-source-firewall
// flags an account the transfer reads that admits none. Not solved here:
// the rotation runner (GitHub-hosted) is refused by the same firewall.
//
// https://cloud.google.com/storage-transfer/docs/source-microsoft-azure
// https://learn.microsoft.com/rest/api/storageservices/create-user-delegation-sas

// sasValidDays is how long each SAS is valid: Azure's limit for a user
// delegation SAS, so a stalled rotation leaves days to notice.
const sasValidDays = 7

// Built-in Azure roles of the SAS signer.
const (
	storageBlobDelegator  = "db58b8e5-c6ad-4a2a-8342-4190687cbf4a" // generate user delegation keys
	storageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" // read and list blobs
)

// githubAudience is the audience azure/login asks GitHub's OIDC for.
const githubAudience = "api://AzureADTokenExchange"

// Federation is an external workload (GitHub Actions) an identity trusts.
type Federation struct {
	Issuer  string
	Subject string
}

// offsiteTransferEvents are the Storage Transfer notifications that page:
// an operation that failed or was aborted (an expired SAS fails it).
var offsiteTransferEvents = []string{"TRANSFER_OPERATION_FAILED", "TRANSFER_OPERATION_ABORTED"}

// blobSource is the account an offsite copy from Azure reads: the
// stack's own (azure.go) or, in a recovery, the source's account failed
// over to this region (failedover.go), by name and id; ready is what the
// job waits for (the container, when the stack makes it).
type blobSource struct {
	name, id, containerID pulumi.StringOutput
	ready                 []pulumi.Resource
}

// offsiteFromBlob copies the container of account nightly to a GCS bucket
// at the offsite site: encrypted with the offsite key and retention-locked
// like the rest. It returns the copy's "cloud:region" and bucket name.
func (b *builder) offsiteFromBlob(account blobSource) (pulumi.StringOutput, pulumi.StringOutput, error) {
	var none pulumi.StringOutput
	if err := b.offsiteSigner(account); err != nil {
		return none, none, err
	}
	sts, err := storage.GetTransferProjectServiceAccount(b.ctx, &storage.GetTransferProjectServiceAccountArgs{Project: project(*b.offsite)}, pulumi.Provider(b.offsite.Provider))
	if err != nil {
		return none, none, err
	}
	return b.offsiteTransfer(sts, offsiteSource{
		from: "Azure Blob",
		spec: func(spec *storage.TransferJobTransferSpecArgs) {
			spec.AzureBlobStorageDataSource = &storage.TransferJobTransferSpecAzureBlobStorageDataSourceArgs{
				StorageAccount:    account.name,
				Container:         pulumi.String(AzureContainer),
				CredentialsSecret: b.offCredential.ToStringPtrOutput(),
			}
		},
		grants: b.offsiteSecretGrants,
		after:  account.ready,
	})
}

// offsiteSecretGrants let the transfer service agent (member) read the SAS
// secret and the rotation job add and destroy its versions (without
// reading them: secretVersionManager has no access); it returns the read
// grant, which the job must wait for.
func (b *builder) offsiteSecretGrants(name string, off core.Site, member string) (pulumi.Resource, error) {
	reader, err := secretmanager.NewSecretIamMember(b.ctx, name+"-sas-reader", &secretmanager.SecretIamMemberArgs{
		Project:  pulumi.StringPtrFromPtr(project(off)),
		SecretId: b.offCredential,
		Role:     pulumi.String("roles/secretmanager.secretAccessor"),
		Member:   pulumi.String(member),
	}, b.opts(off)...)
	if err != nil {
		return nil, err
	}
	_, err = secretmanager.NewSecretIamMember(b.ctx, name+"-sas-rotator", &secretmanager.SecretIamMemberArgs{
		Project:  pulumi.StringPtrFromPtr(project(off)),
		SecretId: b.offCredential,
		Role:     pulumi.String("roles/secretmanager.secretVersionManager"),
		Member:   b.offRotator,
	}, b.opts(off)...)
	return reader, err
}

// offsiteSchedule runs the copy daily at offsiteStartHourUTC.
func offsiteSchedule() *storage.TransferJobScheduleArgs {
	return &storage.TransferJobScheduleArgs{
		ScheduleStartDate: transferStart,
		StartTimeOfDay: &storage.TransferJobScheduleStartTimeOfDayArgs{
			Hours: pulumi.Int(offsiteStartHourUTC), Minutes: pulumi.Int(0), Seconds: pulumi.Int(0), Nanos: pulumi.Int(0),
		},
		RepeatInterval: pulumi.String("86400s"),
	}
}

// offsiteNotice is how a transfer job reports a failed or aborted run:
// the job's notification config, its topic, and what the job must wait
// for (none when the copy has no alarms).
type offsiteNotice struct {
	config *storage.TransferJobNotificationConfigArgs
	topic  *pubsub.Topic
	ready  []pulumi.Resource
}

// offsiteNotifications is where the transfer job reports a failed or
// aborted run, when the copy has alarms, and the grant that lets the
// transfer service agent (member) publish there. Its messages name the job
// and operation, never backup data; they stay in the offsite region.
func (b *builder) offsiteNotifications(name string, off core.Site, member string) (offsiteNotice, error) {
	if b.offAlerts == nil {
		return offsiteNotice{}, nil
	}
	topic, err := pubsub.NewTopic(b.ctx, name+"-failures", &pubsub.TopicArgs{
		Name:                 pulumi.String(b.dep.Name("backup", b.purpose, "offsite-failures")),
		Project:              pulumi.StringPtrFromPtr(project(off)),
		MessageStoragePolicy: &pubsub.TopicMessageStoragePolicyArgs{AllowedPersistenceRegions: pulumi.ToStringArray([]string{off.Region})},
	}, b.opts(off)...)
	if err != nil {
		return offsiteNotice{}, err
	}
	publisher, err := pubsub.NewTopicIAMMember(b.ctx, name+"-failures-publisher", &pubsub.TopicIAMMemberArgs{
		Project: pulumi.StringPtrFromPtr(project(off)),
		Topic:   topic.Name,
		Role:    pulumi.String("roles/pubsub.publisher"),
		Member:  pulumi.String(member),
	}, b.opts(off)...)
	return offsiteNotice{
		config: &storage.TransferJobNotificationConfigArgs{
			PubsubTopic:   topic.ID(),
			EventTypes:    pulumi.ToStringArray(offsiteTransferEvents),
			PayloadFormat: pulumi.String("JSON"),
		},
		topic: topic,
		ready: []pulumi.Resource{publisher},
	}, err
}

// offsiteSigner is the identity the rotation workflow signs each SAS with:
// it may make user delegation keys on this account and read and list this
// container, nothing else, and only the workflow's GitHub job can sign in
// as it.
func (b *builder) offsiteSigner(account blobSource) error {
	site := b.dep.Primary
	signer, err := b.userIdentity(b.name+"-offsite-signer", site, "backup", b.purpose, "offsite-signer")
	if err != nil {
		return err
	}
	b.offSignerClientID = signer.ClientId
	if _, err := managedidentity.NewFederatedIdentityCredential(b.ctx, b.name+"-offsite-signer-github", &managedidentity.FederatedIdentityCredentialArgs{
		FederatedIdentityCredentialResourceName: pulumi.String("github-offsite-sas"),
		ResourceName:                            signer.Name,
		ResourceGroupName:                       site.AzureResourceGroup,
		Issuer:                                  pulumi.String(b.offSigner.Issuer),
		Subject:                                 pulumi.String(b.offSigner.Subject),
		Audiences:                               pulumi.StringArray{pulumi.String(githubAudience)},
	}, b.opts(site)...); err != nil {
		return err
	}
	why := "signs the offsite copy's read-and-list SAS on the " + b.purpose + " container"
	_, err = b.grantRoles(site, b.name+"-offsite-signer", "offsite-signer", signer.PrincipalId, []roleGrant{
		{"delegator", core.AzureRoleDefinition(account.id, storageBlobDelegator), account.id, why},
		{"reader", core.AzureRoleDefinition(account.containerID, storageBlobDataReader), account.containerID, why},
	})
	return err
}

// secretIDPattern is a Secret Manager secret's full resource name.
var secretIDPattern = regexp.MustCompile(`^projects/[^/]+/secrets/([^/]+)$`)

// secretName is the secret id of a full resource name ("" if it is not one).
func secretName(id string) string {
	if m := secretIDPattern.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return ""
}

// offsiteSourceRules are the IP rules that admit Storage Transfer's
// workers to an account the offsite transfer reads; none on any other
// account (no offsite copy, or the offsite copy's own account).
func (b *builder) offsiteSourceRules() azstorage.IPRuleArrayInput {
	if b.offsite == nil || b.s.Offsite == nil || len(b.s.Offsite.SourceRanges) == 0 {
		return nil // no input at all, not an empty list: other plans keep theirs
	}
	var out azstorage.IPRuleArray
	for _, r := range b.s.Offsite.SourceRanges {
		out = append(out, azstorage.IPRuleArgs{IPAddressOrRange: pulumi.String(r), Action: azstorage.ActionAllow})
	}
	return out
}

// maxIPRules is Azure Storage's limit of IP rules per account.
// https://learn.microsoft.com/azure/storage/common/storage-network-security-limitations
const maxIPRules = 400

// validateSourceRanges records what Azure Storage would refuse in ranges,
// each as its own problem, and ranges given for a copy not from Azure.
// Azure takes public IPv4 only, and /31 and /32 only as plain addresses
// (https://learn.microsoft.com/azure/storage/common/storage-network-security-limitations).
func validateSourceRanges(p *core.Problems, ranges []string, cloud core.Cloud) {
	if len(ranges) == 0 {
		return
	}
	if cloud != "" && cloud != core.Azure {
		p.Add("offsite.sourceRanges", strings.Join(ranges, ","), "only an offsite copy from Azure reads through a firewall; remove it on %s", cloud)
	}
	if len(ranges) > maxIPRules {
		p.Add("offsite.sourceRanges", len(ranges), "an Azure storage account takes at most %d IP rules", maxIPRules)
	}
	seen := map[string]bool{}
	for i, r := range ranges {
		field := fmt.Sprintf("offsite.sourceRanges[%d]", i)
		if seen[r] {
			p.Add(field, r, "listed twice")
		}
		seen[r] = true
		if why := sourceRangeProblem(r); why != "" {
			p.Add(field, r, "%s", why)
		}
	}
}

// sourceRangeProblem is why Azure Storage would refuse r as an IP rule, or "".
func sourceRangeProblem(r string) string {
	prefix, err := netip.ParsePrefix(r)
	if err != nil {
		addr, aerr := netip.ParseAddr(r)
		if aerr != nil {
			return "not an IPv4 CIDR (a.b.c.d/n) or address"
		}
		prefix = netip.PrefixFrom(addr, addr.BitLen())
	}
	addr := prefix.Addr()
	switch {
	case !addr.Is4():
		return "Azure Storage IP rules take IPv4 only; leave IPv6 ranges out"
	case addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsUnspecified() || addr.IsMulticast():
		return "not a public address; Azure Storage IP rules take public ranges only"
	case prefix.Masked() != prefix:
		return fmt.Sprintf("has host bits set; write %s", prefix.Masked())
	case strings.Contains(r, "/") && prefix.Bits() > 30:
		return fmt.Sprintf("Azure Storage refuses /31 and /32; write each address alone (%s...)", addr)
	}
	return ""
}
