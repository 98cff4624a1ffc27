// Package secretsstore is the secrets store component
// (wedsync:secretsstore:SecretsStore): the customer-managed keys every other
// component encrypts with, one per purpose and site, and the secrets the
// application reads, with cloud-neutral grants and audit logging of key and
// secret access.
package secretsstore

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:secretsstore:SecretsStore"

// oldType is the token stacks deployed before the module matched the
// package; it is kept as an alias so they update in place.
const oldType = "wedsync:secrets:SecretsStore"

// SecretsStoreArgs are the store's inputs.
type SecretsStoreArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// DeployRoleARN (AWS) is the role that deploys the stack and administers
	// the keys. Empty means the caller's identity (its IAM role, when the
	// caller is an assumed-role session).
	DeployRoleARN string
	// SecretValues are values for the named secrets, read by the stack from
	// `pulumi config set --secret` keys; they stay secret in state. A secret
	// without a value is created empty where the cloud allows it (AWS, GCP)
	// and written later by its owner.
	SecretValues map[string]pulumi.StringInput
	// Alerts, when set, receives the store's alarms: a key scheduled for
	// deletion (or a vault deleted), and a spike of denied secret or key
	// reads.
	Alerts *core.AlertTarget
	// SharedProject (GCP) says the site's project is owned by another
	// stack (a prod stack's offsite site in the project prod-gcp runs in):
	// project-wide settings, the Data Access audit configs, are left to that
	// stack. Each is one setting per project, so two stacks managing it
	// would each remove it for the other on destroy.
	SharedProject bool
}

// SecretsStore is the deployed store.
type SecretsStore struct {
	pulumi.ResourceState

	// Vaults are, per site role, the GCP key ring id or the Azure Key Vault
	// resource id (AWS KMS has no container).
	Vaults map[core.Role]pulumi.StringOutput
	// SecretIDs are, by secret name, the AWS secret ARN, the GCP secret id
	// (projects/P/secrets/S) or the Azure secret resource id (primary vault).
	SecretIDs map[string]pulumi.StringOutput
	// AuditLog is where key and secret access is recorded: the CloudTrail
	// event data store ARN (AWS) or the primary Log Analytics workspace id
	// (Azure). GCP writes Data Access logs to the project's _Default bucket.
	AuditLog pulumi.StringOutput

	keys map[core.Role]map[core.KeyPurpose]*core.Key
}

// Key returns the key for purpose at the site with role (core.Primary or
// core.DR), in the form core.Key documents; nil when the store has no such
// site (no DR site, or replicateToDR off).
func (s *SecretsStore) Key(role core.Role, purpose core.KeyPurpose) *core.Key {
	return s.keys[role][purpose]
}

// outputs is what each cloud's implementation returns.
type outputs struct {
	keys      map[core.Role]map[core.KeyPurpose]*core.Key
	vaults    map[core.Role]pulumi.StringOutput
	secretIDs map[string]pulumi.StringOutput
	// auditLog is unset where the cloud keeps no audit store of its own.
	auditLog pulumi.StringOutput
}

// NewSecretsStore creates the keys, secrets, grants and audit logging of a
// stack. It applies defaults and validates its settings itself, so it is
// usable without the stacks package.
func NewSecretsStore(ctx *pulumi.Context, name string, args *SecretsStoreArgs, opts ...pulumi.ResourceOption) (*SecretsStore, error) {
	if args == nil {
		return nil, fmt.Errorf("secrets store %q: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("secrets store %q: %w", name, err)
	}
	c := &SecretsStore{}
	if err := ctx.RegisterComponentResource(Type, name, c, core.Aliased(opts, oldType)...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: a, dep: a.Deployment, set: a.Settings, c: c, out: outputs{
		keys:      map[core.Role]map[core.KeyPurpose]*core.Key{},
		vaults:    map[core.Role]pulumi.StringOutput{},
		secretIDs: map[string]pulumi.StringOutput{},
	}}
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(a.Deployment.Primary.Cloud)
	if err != nil {
		return nil, fmt.Errorf("secrets store %q: %w", name, err)
	}
	return c, c.set(ctx, out)
}

// set copies out onto the store and registers the outputs.
func (c *SecretsStore) set(ctx *pulumi.Context, out outputs) error {
	c.keys, c.Vaults, c.SecretIDs, c.AuditLog = out.keys, out.vaults, out.secretIDs, out.auditLog
	if c.AuditLog == (pulumi.StringOutput{}) {
		c.AuditLog = pulumi.String("").ToStringOutput()
	}
	keys := pulumi.Map{}
	for role, byPurpose := range c.keys {
		m := pulumi.StringMap{}
		for p, k := range byPurpose {
			m[string(p)] = k.ID
		}
		keys[string(role)] = m
	}
	vaults := pulumi.StringMap{}
	for role, v := range c.Vaults {
		vaults[string(role)] = v
	}
	secrets := pulumi.StringMap{}
	for n, id := range c.SecretIDs {
		secrets[n] = id
	}
	return ctx.RegisterResourceOutputs(c, pulumi.Map{"keys": keys, "vaults": vaults, "secretIds": secrets, "auditLog": c.AuditLog})
}

func (a SecretsStoreArgs) validate() error {
	p := &core.Problems{}
	dep := a.Deployment
	cloud := dep.Primary.Cloud
	if !cloud.Valid() {
		p.Add("Deployment.Primary.Cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	if dep.Primary.Provider == nil {
		p.Missing("Deployment.Primary.Provider", "the primary site's explicit provider")
	}
	if dep.DR != nil {
		if dep.DR.Cloud != cloud {
			p.Add("Deployment.DR.Cloud", string(dep.DR.Cloud), "the DR site's keys replicate from the primary's, so it must be on %s too", cloud)
		}
		if dep.DR.Provider == nil {
			p.Missing("Deployment.DR.Provider", "the DR site's explicit provider")
		}
	}
	if cloud == core.GCP && dep.Primary.GCPProject == "" {
		p.Missing("Deployment.Primary.GCPProject", "the GCP project the keys and secrets belong to")
	}
	if a.DeployRoleARN != "" && !awsPrincipal.MatchString(a.DeployRoleARN) {
		p.Add("DeployRoleARN", a.DeployRoleARN, "not an IAM role or user ARN; use arn:aws:iam::ACCOUNT:role/NAME")
	}
	sp := &core.Problems{Prefix: "wedsync:secrets."}
	sp.Include("", a.Settings.Validate(dep.Environment, cloud))
	p.Include("", sp.Err())
	for _, n := range slices.Sorted(maps.Keys(a.SecretValues)) {
		if !slices.ContainsFunc(a.Settings.Secrets, func(s Secret) bool { return s.Name == n }) {
			p.Add("SecretValues["+n+"]", n, "no such secret under wedsync:secrets.secrets; add it there or drop the value")
		}
		if a.SecretValues[n] == nil {
			p.Missing("SecretValues["+n+"]", "a value (from a `pulumi config set --secret` key)")
		}
	}
	if cloud == core.Azure {
		for i, s := range a.Settings.Secrets {
			if a.SecretValues[s.Name] == nil {
				p.Missing(fmt.Sprintf("SecretValues[%s]", s.Name), "Azure Key Vault has no secret without a value (wedsync:secrets.secrets[%d]); set it with `pulumi config set --secret` and pass it", i)
			}
		}
	}
	return p.Err()
}

// builder carries what every cloud's implementation needs and the outputs
// it builds up.
type builder struct {
	ctx  *pulumi.Context
	name string
	args SecretsStoreArgs
	dep  core.Deployment
	set  Settings
	// c is the component every child is parented to: the store, or an
	// adopted store (adopted.go).
	c   pulumi.Resource
	out outputs
	// azureSubscription is the subscription the Azure provider deploys to.
	azureSubscription string
}

// sites are where keys live: the primary, and the DR site when the stack
// has one and replication is on.
func (b *builder) sites() []core.Site {
	out := []core.Site{b.dep.Primary}
	if b.dep.DR != nil && *b.set.ReplicateToDR {
		out = append(out, *b.dep.DR)
	}
	return out
}

// resourceName is a child's logical name: prefixed with the component's
// name, so two stores in one stack never collide, and suffixed with the site
// role outside the primary.
func (b *builder) resourceName(role core.Role, parts ...string) string {
	n := b.name + "-" + strings.Join(parts, "-")
	if role != core.Primary {
		n += "-" + string(role)
	}
	return n
}

// opts are the options of a child at site: the site's provider, the
// component as parent, and prod's protection.
func (b *builder) opts(site core.Site, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c), b.dep.Protect()}, extra...)...)
}

func (b *builder) addKey(k *core.Key, role core.Role) {
	if b.out.keys[role] == nil {
		b.out.keys[role] = map[core.KeyPurpose]*core.Key{}
	}
	b.out.keys[role][k.Purpose] = k
}

// value is a secret's value from Args, kept secret whatever the caller
// passed; nil when none was given.
func (b *builder) value(name string) pulumi.StringOutput {
	v := b.args.SecretValues[name]
	if v == nil {
		return pulumi.StringOutput{}
	}
	return pulumi.ToSecret(v.ToStringOutput()).(pulumi.StringOutput)
}

func (b *builder) hasValue(name string) bool { return b.args.SecretValues[name] != nil }

func days(n int) string    { return fmt.Sprintf("%ds", n*24*60*60) }
func isoDays(n int) string { return fmt.Sprintf("P%dD", n) }

func pick[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}
