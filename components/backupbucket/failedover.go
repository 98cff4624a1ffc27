package backupbucket

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// FailedOverAccountType is the failed-over account's type token.
const FailedOverAccountType = "wedsync:backupbucket:FailedOverAccount"

// recoveryAccessLogSetting names the recovery's access-log setting on an
// adopted account: the source's own setting (accessLogSetting) stays, and
// sends to the lost region's workspace; the same name would make the two
// stacks overwrite each other's.
const recoveryAccessLogSetting = "backup-access-to-recovery-log-analytics"

// FailedOverAccountArgs name an Azure backup account a recovery takes over
// from its source: the source's account, failed over to this region.
type FailedOverAccountArgs struct {
	Deployment core.Deployment
	// Purpose is what the account holds ("db-exports", "media", "config").
	Purpose string
	// AccountID is the storage account's resource id.
	AccountID pulumi.StringOutput
	// Alerts receives the account's freshness alarm.
	Alerts *core.AlertTarget
	// AccessLogWorkspace, when set, is the Log Analytics workspace in this
	// region the account's blob read, write and delete logs go to.
	AccessLogWorkspace pulumi.StringOutput
	// Settings are the stack's backup settings; with Offsite set, the
	// account's container is copied nightly to the offsite site as
	// BackupBucket copies its own (offsite_blob.go), into this stack's own
	// bucket there, and only what was written since shortly before the
	// loss (offsiteConditions): the source's offsite copy holds the rest.
	Settings Settings
	// OffsiteKey, OffsiteCredential, OffsiteSigner, OffsiteRotator and
	// OffsiteAlerts are the offsite copy's, as in BackupBucketArgs.
	OffsiteKey        *core.Key
	OffsiteCredential pulumi.StringOutput
	OffsiteSigner     *Federation
	OffsiteRotator    pulumi.StringOutput
	OffsiteAlerts     *core.AlertTarget
}

// FailedOverAccount watches an adopted Azure backup account from the
// recovery's region, as BackupBucket watches its own: the freshness alarm
// (a backup that did not arrive) and who read or wrote a backup. The source
// stack keeps managing the account itself.
type FailedOverAccount struct {
	pulumi.ResourceState

	// AccountName is the account's name.
	AccountName pulumi.StringOutput
	// OffsiteLocation and OffsiteName are the offsite copy's "cloud:region"
	// and bucket, OffsiteSignerClientID the identity the rotation workflow
	// signs its SAS as ("" without an offsite copy).
	OffsiteLocation, OffsiteName, OffsiteSignerClientID pulumi.StringOutput
}

// NewFailedOverAccount registers the alarm and access logs of an account a
// recovery took over.
func NewFailedOverAccount(ctx *pulumi.Context, name string, args *FailedOverAccountArgs, opts ...pulumi.ResourceOption) (*FailedOverAccount, error) {
	if args == nil {
		return nil, fmt.Errorf("failed-over account %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("failed-over account %s: %w", name, err)
	}
	none := pulumi.String("").ToStringOutput()
	c := &FailedOverAccount{AccountName: a.AccountID.ApplyT(lastSegment).(pulumi.StringOutput), OffsiteLocation: none, OffsiteName: none, OffsiteSignerClientID: none}
	if err := ctx.RegisterComponentResource(FailedOverAccountType, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, c: c, dep: a.Deployment, purpose: a.Purpose, alerts: a.Alerts, logs: a.AccessLogWorkspace,
		s: a.Settings, mode: ImmutabilityFor(a.Deployment.Environment), recovery: true}
	if b.logs != (pulumi.StringOutput{}) {
		if err := b.azureAccessLogs(a.AccountID, recoveryAccessLogSetting); err != nil {
			return nil, err
		}
	}
	if err := b.azureFreshnessAlert(a.AccountID); err != nil {
		return nil, err
	}
	outs := pulumi.Map{"accountId": a.AccountID}
	if a.Settings.Offsite != nil {
		b.offsite, b.offKey = a.Deployment.Offsite, a.OffsiteKey
		b.offCredential, b.offSigner, b.offRotator, b.offAlerts = a.OffsiteCredential, a.OffsiteSigner, a.OffsiteRotator, a.OffsiteAlerts
		src := blobSource{name: c.AccountName, id: a.AccountID,
			containerID: pulumi.Sprintf("%s/blobServices/default/containers/%s", a.AccountID, AzureContainer)}
		var err error
		if c.OffsiteLocation, c.OffsiteName, err = b.offsiteFromBlob(src); err != nil {
			return nil, err
		}
		c.OffsiteSignerClientID = b.offSignerClientID
		outs["offsiteLocation"], outs["offsiteName"], outs["offsiteSignerClientId"] = c.OffsiteLocation, c.OffsiteName, c.OffsiteSignerClientID
	}
	return c, ctx.RegisterResourceOutputs(c, outs)
}

func (a FailedOverAccountArgs) validate() error {
	p := &core.Problems{}
	if c := a.Deployment.Primary.Cloud; c != core.Azure {
		p.Add("Deployment.Primary.Cloud", string(c), "only an Azure account fails over in place; AWS and GCP recoveries adopt the replica bucket (BackupBucketArgs.Adopt)")
	}
	if a.Deployment.Primary.Provider == nil {
		p.Missing("Deployment.Primary.Provider", "the primary site's explicit provider")
	}
	if !purposePattern.MatchString(a.Purpose) {
		p.Add("Purpose", a.Purpose, "lowercase letters, digits and hyphens, at most 20, starting with a letter (e.g. db-exports, media, config)")
	}
	if a.AccountID == (pulumi.StringOutput{}) {
		p.Missing("AccountID", "the failed-over storage account's resource id")
	}
	if a.Alerts == nil {
		p.Missing("Alerts", "where the account's freshness alarm goes")
	}
	if o := a.Settings.Offsite; o != nil {
		p.Include(ConfigKey+".", a.Settings.Validate(a.Deployment.Environment, core.Azure))
		checkOffsiteSite(p, a.Deployment, *o, a.OffsiteKey)
		(&BackupBucketArgs{OffsiteCredential: a.OffsiteCredential, OffsiteSigner: a.OffsiteSigner, OffsiteRotator: a.OffsiteRotator}).checkBlobOffsite(p)
	}
	return p.Err()
}
