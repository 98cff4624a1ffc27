// Package ciaccess creates the identities CI assumes to deploy a stack,
// through OIDC federation with GitHub Actions: no stored keys. On each cloud
// the stack has a site on, a deploy identity trusted only by the stack's
// deploy workflow (prod: the GitHub environment `prod`, with its required
// reviewers; dev: the branch `main`), and a read-only preview identity
// trusted only by this repository's pull requests.
//
// Trust is by exact subject (`repo:OWNER/NAME:environment:prod`), never a
// wildcard, so a fork, another repository, another branch or another
// environment cannot assume a deploy identity.
//
// What the deploy identity may do is derived from the plan: a Recorder sees
// every resource type the stack registers, and each cloud's table
// (aws_actions.go, gcp_permissions.go, azure_actions.go) says what each
// type needs; the identity gets the union for its stack's types, scoped
// to the stack's names and regions where the cloud allows, and nothing
// that reads data or grants key use.
//
// What CI can do to its own trust, per cloud: on AWS nothing (an explicit
// deny on the CI roles, their policies and OIDC providers, in its own
// policy and in its permissions boundary); on GCP it holds no workload
// identity, service-account IAM or custom-role administration; on Azure it
// holds no federated-credential or role-definition write and may assign
// roles only to others (a deny assignment cannot be created by users).
// Changes to these identities, including those a newly planned type
// brings, are applied by an administrator's `wedsync-infra up` and
// reviewed like any change.
package ciaccess

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:ciaccess:Access"

// oldType is the token stacks deployed before the module matched the
// package; it is kept as an alias so they update in place.
const oldType = "wedsync:ci:Access"

// Issuer is GitHub Actions' OIDC token issuer.
const Issuer = "https://token.actions.githubusercontent.com"

// AccessArgs are the inputs of NewAccess.
type AccessArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Managed is what the stack manages (a Recorder's): the deploy
	// identity may do what those types need and nothing else.
	Managed Managed
	// AzureScopes are scopes beyond the stack's resource groups where the
	// deploy role is assigned, relative to the subscription (its record
	// in the shared DNS zone).
	AzureScopes []string
	// AzureDrillSources are the storage accounts holding the database
	// copies the restore drill reads (on Azure their names are not
	// derived from the stack's prefix).
	AzureDrillSources []pulumi.StringOutput
	// DBUsers is the database the db-users identity signs in to
	// (dbusers.go); nil makes no such identity.
	DBUsers *DBUsersTarget
	// StateKey is the stack's secrets-provider key (its stack file's
	// `secretsprovider:`, ParseStateKey): the identities on its cloud may
	// use it, and no other key (statekey.go).
	StateKey StateKey
}

// Identity is what a workflow needs to sign in to one cloud.
type Identity struct {
	// Deploy is the deploy identity: an AWS role ARN, a GCP service account
	// email, an Azure client id.
	Deploy pulumi.StringOutput
	// Preview is the read-only preview identity, in the same form (empty
	// when previews have none).
	Preview pulumi.StringOutput
	// Drill is the restore drill's identity (read-only, plus the database
	// copies it restores), made with the preview identity.
	Drill pulumi.StringOutput
	// Seal is the manifest writer's identity (reads the database copies,
	// adds objects beside them; seal.go), made with the preview identity.
	Seal pulumi.StringOutput
	// DBUsers is the database users' identity (dbusers.go), on the
	// database's cloud; DBUsersRole the PostgreSQL role it signs in as
	// (Azure: its Entra administrator's name; GCP: its IAM user; AWS: empty,
	// the master secret names it).
	DBUsers, DBUsersRole pulumi.StringOutput
	// Federation is what the sign-in action needs beside the identity: the
	// AWS OIDC provider's ARN, the GCP workload identity provider's full
	// name, the Azure tenant id.
	Federation pulumi.StringOutput
}

// Access is CI's identities on every cloud the stack has a site on.
type Access struct {
	pulumi.ResourceState

	// Identities are per cloud.
	Identities map[core.Cloud]Identity
}

// outputs is what each cloud's implementation returns: one cloud's
// identities.
type outputs struct {
	deploy, preview, drill, seal, federation pulumi.StringOutput
	dbUsers, dbUsersRole                     pulumi.StringOutput
}

// NewAccess creates CI's identities for the stack, on each cloud it has a
// site on (with the first such site's provider).
func NewAccess(ctx *pulumi.Context, name string, args *AccessArgs, opts ...pulumi.ResourceOption) (*Access, error) {
	if args == nil {
		return nil, fmt.Errorf("ciaccess %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("ciaccess %s: %w", name, err)
	}
	c := &Access{Identities: map[core.Cloud]Identity{}}
	if err := ctx.RegisterComponentResource(Type, name, c, core.Aliased(opts, oldType)...); err != nil {
		return nil, err
	}
	warnUncovered(ctx, a.Managed)
	for _, site := range sitesByCloud(a.Deployment) {
		b := &builder{ctx: ctx, c: c, name: name + "-" + string(site.Cloud), dep: a.Deployment, site: site, s: a.Settings,
			managed: a.Managed, azureExtra: a.AzureScopes, drillSources: a.AzureDrillSources, dbUsers: a.DBUsers}
		b.state = a.StateKey
		out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(site.Cloud)
		if err != nil {
			return nil, fmt.Errorf("ciaccess %s on %s: %w", name, site.Cloud.Title(), err)
		}
		if out.dbUsers == (pulumi.StringOutput{}) {
			out.dbUsers, out.dbUsersRole = empty(), empty()
		}
		c.Identities[site.Cloud] = Identity{Deploy: out.deploy, Preview: out.preview, Drill: out.drill, Seal: out.seal,
			DBUsers: out.dbUsers, DBUsersRole: out.dbUsersRole, Federation: out.federation}
	}
	return c, c.set(ctx)
}

// set registers the identities as the component's outputs.
func (c *Access) set(ctx *pulumi.Context) error {
	out := pulumi.Map{}
	for cloud, id := range c.Identities {
		out[string(cloud)] = id.Map()
	}
	return ctx.RegisterResourceOutputs(c, out)
}

// Map is the identity as the workflows read it (CI_IDENTITIES, the
// stack's `ci` output): each kind under the name cloud-login's `identity`
// input takes.
func (id Identity) Map() pulumi.Map {
	return pulumi.Map{"deploy": id.Deploy, "preview": id.Preview, "drill": id.Drill, "seal": id.Seal,
		DBUsersKind: id.DBUsers, DBUsersKind + "-role": id.DBUsersRole, "federation": id.Federation}
}

// validate checks args, after defaults.
func (a AccessArgs) validate() error {
	return a.Settings.Validate(a.Deployment.Environment, a.Deployment.Primary.Cloud)
}

// warnUncovered says which managed types the deploy identity cannot
// create (no row in their cloud's table). The plan still completes, so one
// missing row does not hide the rest of the plan; the stacks' plan tests
// (internal/offline) fail on it, naming the type.
func warnUncovered(ctx *pulumi.Context, m Managed) {
	for _, t := range Uncovered(m.Types) {
		_ = ctx.Log.Warn(fmt.Sprintf("CI's deploy identity cannot create %s: it has no row in the %s permission table of components/ciaccess", t, CloudOf(t).Title()), nil)
	}
}

// sitesByCloud is the first site of each cloud, primary first.
func sitesByCloud(dep core.Deployment) []core.Site {
	var out []core.Site
	seen := map[core.Cloud]bool{}
	for _, s := range []*core.Site{&dep.Primary, dep.DR, dep.Offsite} {
		if s == nil || s.Cloud == "" || seen[s.Cloud] {
			continue
		}
		seen[s.Cloud] = true
		out = append(out, *s)
	}
	return out
}

// builder makes one cloud's identities.
type builder struct {
	ctx  *pulumi.Context
	c    *Access
	name string
	dep  core.Deployment
	site core.Site
	s    Settings

	managed      Managed
	azureExtra   []string
	drillSources []pulumi.StringOutput
	dbUsers      *DBUsersTarget

	// state is the stack's state key; azureStateRoles the custom roles of
	// its uses made so far (statekey.go).
	state           StateKey
	azureStateRoles map[bool]*authorization.RoleDefinition
}

// opts are the options of a child: the site's provider and the component
// as parent.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

func (b *builder) preview() bool { return b.s.Preview != nil && *b.s.Preview }

// empty is the output of an identity that is not made.
func empty() pulumi.StringOutput { return pulumi.String("").ToStringOutput() }
