// Package appconfig is the application's configuration
// (wedsync:appconfig:AppConfig): one validated JSON document per stack,
// holding what the stack knows (database and pooler endpoints, secret and
// key identifiers, bucket names, region, site role), written on every
// deploy, and the app's own settings (stacks/appsettings/ENV.json, checked
// against the JSON Schema beside them). It is stored in the cloud's
// configuration service under the stack's secrets key and reaches running
// instances without a restart:
//   - AWS: AppConfig (application, an environment per stack whose monitors
//     roll a bad change back, a hosted profile with the JSON Schema
//     validator, a linear deployment strategy), served on the instance by
//     the AppConfig Agent;
//   - GCP: a Secret Manager secret (versioned, CMEK, audited, replicated to
//     the DR region), polled by the app;
//   - Azure: App Configuration (customer-managed key, local authentication
//     off, purge protection, private endpoint), key-values labelled by
//     environment and a sentinel key the provider refreshes on.
//
// The app's read grant is the stack's (components/appaccess, from
// ReadScope). A change is a prod deploy: the policy pack's
// wedding-day-freeze rule refuses it in a freeze unless the emergency
// override is set.
package appconfig

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:appconfig:AppConfig"

// AppConfigArgs are what the document needs from the stack.
type AppConfigArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Facts are what the stack knows, written into the document.
	Facts Facts
	// AppSettings are the app's own settings for the environment (JSON),
	// Schema the JSON Schema (draft 4) they must meet.
	AppSettings json.RawMessage
	Schema      []byte
	// Key encrypts the document: the secrets key at the primary site.
	Key *core.Key
	// DRKey (GCP) is the secrets key in the DR region: it encrypts the
	// document's replica there.
	DRKey *core.Key
	// Monitors (AWS) are the CloudWatch alarm ARNs a deployment watches:
	// one going off rolls the change back.
	Monitors pulumi.StringArrayOutput
	// Network (Azure) is where the store's private endpoint goes: its
	// endpoints subnet.
	Network core.Network
	// AuditLog (Azure) is the Log Analytics workspace the store's audit
	// and request logs go to (secretsstore.SecretsStore.AuditLog); empty
	// in a recovery, whose source's workspace may be in the lost region.
	// AWS records AppConfig calls in CloudTrail, GCP Secret Manager's in
	// the project's Data Access logs (both set up by the secrets store).
	AuditLog pulumi.StringOutput
}

// AppConfig is the app's configuration document and its store.
type AppConfig struct {
	pulumi.ResourceState

	// Document is the JSON the app reads (references only; not a secret).
	Document pulumi.StringOutput
	// Store is the store: the AppConfig application id, the secret's id,
	// the App Configuration store's resource id.
	Store pulumi.StringOutput
	// ReadScope is what the app's read grant names, and nothing wider:
	// the AppConfig configuration ARN (application/A/environment/E/
	// configuration/P), the secret's id, the store's resource id.
	ReadScope pulumi.StringOutput
	// Retrieval tells the app (and its agent) where to read: on AWS the
	// application, environment and profile; on GCP the secret and
	// version; on Azure the endpoint, label, document and sentinel keys.
	// refreshSeconds is how often it looks for a new version.
	Retrieval pulumi.StringMapOutput
}

// The Azure key-value keys: the document, and the sentinel whose change
// tells the App Configuration provider to reload.
const (
	DocumentKey = "wedsync:document"
	SentinelKey = "wedsync:sentinel"
)

// NewAppConfig writes the stack's configuration document into the cloud's
// configuration service. Settings and the app's settings are defaulted and
// validated first: nothing is registered when anything is wrong.
func NewAppConfig(ctx *pulumi.Context, name string, args *AppConfigArgs, opts ...pulumi.ResourceOption) (*AppConfig, error) {
	if args == nil {
		return nil, fmt.Errorf("app config %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("app config %s: %w", name, err)
	}
	schema, err := DocumentSchema(a.Schema)
	if err != nil {
		return nil, fmt.Errorf("app config %s: %w", name, err)
	}
	c := &AppConfig{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: &a, c: c, site: a.Deployment.Primary, schema: schema}
	b.doc = b.render()
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(b.site.Cloud)
	if err != nil {
		return nil, err
	}
	out.retrieval["refreshSeconds"] = pulumi.Sprintf("%d", *a.Settings.RefreshSeconds)
	c.Document, c.Store, c.ReadScope = b.doc, out.store, out.readScope
	c.Retrieval = out.retrieval.ToStringMapOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"document": c.Document, "store": c.Store, "readScope": c.ReadScope, "retrieval": c.Retrieval,
	})
}

// validate reports every problem with the args at once.
func (a *AppConfigArgs) validate() error {
	p := &core.Problems{}
	dep := a.Deployment
	if !dep.Environment.Valid() {
		p.Add("deployment.environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	cloud := dep.Primary.Cloud
	if !cloud.Valid() {
		p.Add("deployment.primary.cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	if dep.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the site's explicit provider")
	}
	p.Include("settings.", a.Settings.Validate(dep.Environment, cloud))
	p.Include("", ValidateSettings(a.AppSettings, a.Schema))
	if r := a.Facts.SiteRole; r != core.Primary && r != core.DR {
		p.Add("facts.siteRole", string(r), "use %s or %s", core.Primary, core.DR)
	}
	if a.Facts.Database.Endpoint == (pulumi.StringOutput{}) || a.Facts.Database.PoolerEndpoint == (pulumi.StringOutput{}) {
		p.Missing("facts.database", "the database's endpoint and pooler endpoint (database.Database)")
	}
	switch {
	case a.Key == nil:
		p.Missing("key", "the secrets key the document is encrypted with; never a provider-managed key")
	case a.Key.Purpose != "" && a.Key.Purpose != core.SecretsKey:
		p.Add("key", string(a.Key.Purpose), "use the %s key", core.SecretsKey)
	case cloud == core.Azure && (a.Key.VaultID == (pulumi.StringOutput{}) || a.Key.VaultURI == (pulumi.StringOutput{})):
		p.Missing("key.vaultId", "Azure grants the store's identity on the key's vault")
	}
	if cloud == core.GCP && dep.Primary.GCPProject == "" {
		p.Missing("deployment.primary.gcpProject", "the project the secret belongs to")
	}
	if cloud == core.AWS && a.Monitors == (pulumi.StringArrayOutput{}) {
		p.Missing("monitors", "the alarms a deployment watches and rolls back on")
	}
	if cloud == core.Azure && a.Network.EndpointSubnetID == (pulumi.StringOutput{}) {
		p.Missing("network.endpointSubnetId", "the subnet of the store's private endpoint")
	}
	return p.Err()
}

// builder is one build of the document and its store.
type builder struct {
	ctx    *pulumi.Context
	name   string
	a      *AppConfigArgs
	c      *AppConfig
	site   core.Site
	schema string
	doc    pulumi.StringOutput
}

// outputs are what each cloud returns.
type outputs struct {
	store, readScope pulumi.StringOutput
	retrieval        pulumi.StringMap
}

// opts are a child's options: parented to the component, on the site's
// provider.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// description is what every store says about itself.
func (b *builder) description() string {
	return fmt.Sprintf("WedSync %s app configuration: written by the stack on every deploy; changes follow the wedding-day freeze", b.a.Deployment.Stack)
}
