// Package appaccess is what the application's identity may reach
// (wedsync:appaccess:AppAccess): the stack's secrets (read), the field-level
// key (encrypt and decrypt) and the database (sign-in with IAM or Entra
// tokens), granted by the stack to the identity the instances run as, and
// nothing broader. It is its own component because the identity is made
// after the secrets store (by the autoscaling group), and a key policy
// naming a role that does not exist yet is refused by KMS.
package appaccess

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:appaccess:AppAccess"

// AppAccessArgs are what the grants need from the stack.
type AppAccessArgs struct {
	Deployment core.Deployment
	// Identity is who the instances act as: the instance profile's role ARN
	// (AWS), the service account's email (GCP), the user-assigned
	// identity's principal id (Azure).
	Identity pulumi.StringOutput
	// SecretsStack is the stack whose secrets the application reads: its
	// own, or in a recovery the source stack, whose replicas in this region
	// it reads. Secrets are named by it: PROJECT/STACK/NAME (AWS),
	// PROJECT-STACK-NAME (GCP); Azure reads the vault of SecretsKey.
	SecretsStack string
	// FieldKey is the key the application encrypts guest fields with, at
	// the site the application runs in.
	FieldKey *core.Key
	// SecretsKey is the key the secrets are encrypted with there (AWS:
	// decrypted through Secrets Manager only; Azure: its vault holds the
	// secrets).
	SecretsKey *core.Key
	// ConnectPolicy (AWS) is the database's rds-db:connect policy for the
	// application's database user (database.Database.ConnectPolicy). GCP
	// and Azure sign the application in through the database's
	// AppPrincipals instead.
	ConnectPolicy pulumi.StringOutput
	// ConfigScope is the app's configuration document, as its read grant
	// names it (appconfig.AppConfig.ReadScope): the AppConfig
	// configuration ARN, the secret's id, the App Configuration store's id.
	ConfigScope pulumi.StringOutput
	// Network is the application's network (Azure: the vault's private
	// endpoint goes in its endpoints subnet and registers in its Key Vault
	// zone, because the vault denies public network access).
	Network core.Network
}

// AppAccess is the set of grants to the application's identity.
type AppAccess struct {
	pulumi.ResourceState

	// Grants lists what the identity was granted, one line each ("read
	// secrets wedsync/prod/*"), for operators and the plan.
	Grants pulumi.StringArrayOutput
}

// outputs is what each cloud's implementation returns.
type outputs struct {
	grants []string
}

var stackName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// NewAppAccess grants the application's identity exactly what it needs.
func NewAppAccess(ctx *pulumi.Context, name string, args *AppAccessArgs, opts ...pulumi.ResourceOption) (*AppAccess, error) {
	if args == nil {
		return nil, fmt.Errorf("app access %q: args are required", name)
	}
	a := *args
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("app access %q: %w", name, err)
	}
	c := &AppAccess{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: a, site: a.Deployment.Primary, c: c}
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(b.site.Cloud)
	if err != nil {
		return nil, fmt.Errorf("app access %q: %w", name, err)
	}
	c.Grants = pulumi.ToStringArray(out.grants).ToStringArrayOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"grants": c.Grants})
}

// validate reports every missing input at once.
func (a AppAccessArgs) validate() error {
	p := &core.Problems{}
	site := a.Deployment.Primary
	if !site.Cloud.Valid() {
		p.Add("deployment.primary.cloud", string(site.Cloud), "use %s", core.Join(core.Clouds))
	}
	if site.Provider == nil {
		p.Missing("deployment.primary.provider", "the site's explicit provider")
	}
	if a.Identity == (pulumi.StringOutput{}) {
		p.Missing("identity", "the application's identity (autoscaling.AutoscalingGroup.Identity)")
	}
	if !stackName.MatchString(a.SecretsStack) {
		p.Add("secretsStack", a.SecretsStack, "the short name of the stack that owns the secrets, like prod")
	}
	for field, k := range map[string]*core.Key{"fieldKey": a.FieldKey, "secretsKey": a.SecretsKey} {
		if k == nil {
			p.Missing(field, "the key at the application's site")
			continue
		}
		if site.Cloud == core.Azure && (k.VaultID == (pulumi.StringOutput{}) || k.Name == (pulumi.StringOutput{})) {
			p.Missing(field+".vaultId", "Azure grants on the key's vault and name")
		}
	}
	if site.Cloud == core.GCP && site.GCPProject == "" {
		p.Missing("deployment.primary.gcpProject", "the project the secrets belong to")
	}
	if site.Cloud == core.Azure && (a.Network.EndpointSubnetID == (pulumi.StringOutput{}) || a.Network.VaultPrivateDNSZoneID == (pulumi.StringOutput{})) {
		p.Missing("network.endpointSubnetId", "the subnet and private DNS zone of the vault's private endpoint")
	}
	if a.ConfigScope == (pulumi.StringOutput{}) {
		p.Missing("configScope", "the app's configuration document (appconfig.AppConfig.ReadScope)")
	}
	if site.Cloud == core.AWS && a.ConnectPolicy == (pulumi.StringOutput{}) {
		p.Missing("connectPolicy", "the database's rds-db:connect policy (database.Database.ConnectPolicy)")
	}
	return p.Err()
}

// builder is one build of the grants.
type builder struct {
	ctx  *pulumi.Context
	name string
	a    AppAccessArgs
	site core.Site
	c    *AppAccess
}

// opts are a child's options: parented to the component, on the site's
// provider.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// secretPrefix is the start of every secret name of SecretsStack, in the
// separator the cloud's secrets store names them with.
func (b *builder) secretPrefix(sep string) string {
	return strings.Join([]string{b.a.Deployment.Project, b.a.SecretsStack, ""}, sep)
}
