package ciaccess

import (
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Recorder learns what a stack manages while the program registers it: the
// resource type of every resource and the GCP service accounts the stack
// makes for resources to run as. The deploy identity is derived from it,
// so what CI may do follows the plan instead of a list kept by hand.
// Register it first (ctx.RegisterStackTransformation(r.Record)), make the
// identities last: what is registered after Managed is called (the
// identities themselves) is not recorded.
type Recorder struct {
	mu       sync.Mutex
	closed   bool
	types    map[string]bool
	accounts []*serviceaccount.Account
}

// NewRecorder is an empty recorder.
func NewRecorder() *Recorder { return &Recorder{types: map[string]bool{}} }

// Record is a stack transformation that records and changes nothing.
func (r *Recorder) Record(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.types[args.Type] = true
	if sa, ok := args.Resource.(*serviceaccount.Account); ok && !credentialOnly(args.Props) {
		r.accounts = append(r.accounts, sa)
	}
	return nil
}

// credentialOnly says a service account's args mark it core.CredentialOnly:
// nothing runs as it, so the deploy identity never acts as it.
func credentialOnly(props pulumi.Input) bool {
	var desc pulumi.StringPtrInput
	switch a := props.(type) {
	case *serviceaccount.AccountArgs:
		desc = a.Description
	case serviceaccount.AccountArgs:
		desc = a.Description
	}
	d, ok := desc.(pulumi.String)
	return ok && core.IsCredentialOnly(string(d))
}

// Managed is what was recorded until now; recording stops.
func (r *Recorder) Managed() Managed {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	m := Managed{GCPServiceAccounts: slices.Clone(r.accounts)}
	for t := range r.types {
		m.Types = append(m.Types, t)
	}
	slices.Sort(m.Types)
	return m
}

// Managed is what a stack manages, as far as its CI identities care.
type Managed struct {
	// Types are the type tokens of every resource the stack registers
	// (components and providers included: they need no permission).
	Types []string
	// GCPServiceAccounts are the service accounts the stack makes for its
	// resources to run as (instance templates, scheduler jobs, workflows):
	// the only ones the deploy identity may act as.
	GCPServiceAccounts []*serviceaccount.Account
}

// CloudOf is the cloud a type token's provider deploys to ("" for the
// program's own components and for providers).
func CloudOf(typ string) core.Cloud {
	switch {
	case strings.HasPrefix(typ, "aws:"):
		return core.AWS
	case strings.HasPrefix(typ, "gcp:"):
		return core.GCP
	case strings.HasPrefix(typ, "azure-native:"):
		return core.Azure
	}
	return ""
}

// Uncovered are the types among types that deploy to a cloud and have no
// row in that cloud's permission table: the deploy identity could not
// create them.
func Uncovered(types []string) []string {
	var out []string
	for _, t := range types {
		if !covered(t) {
			out = append(out, t)
		}
	}
	return out
}

func covered(typ string) bool {
	switch CloudOf(typ) {
	case core.AWS:
		_, ok := awsTable[typ]
		return ok
	case core.GCP:
		_, ok := gcpTable[typ]
		return ok
	case core.Azure:
		_, ok := azureTable[typ]
		return ok
	}
	return true
}

// of is the types of cloud among types, plus the identities' own types
// (made after recording stops), sorted and unique.
func of(cloud core.Cloud, types []string) []string {
	out := append(slices.Clone(ownTypes[cloud]), "pulumi:providers:"+providerName[cloud])
	for _, t := range types {
		if CloudOf(t) == cloud {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// providerName is each cloud's Pulumi provider package.
var providerName = map[core.Cloud]string{core.AWS: "aws", core.GCP: "gcp", core.Azure: "azure-native"}

// ownTypes are the types of the identities themselves, per cloud: the
// deploy identity may read them and change none (see each table's rows).
var ownTypes = map[core.Cloud][]string{
	core.AWS: {"aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy",
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policy:Policy"},
	core.GCP: {"gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
		"gcp:serviceaccount/account:Account", "gcp:serviceaccount/iAMMember:IAMMember", "gcp:projects/iAMMember:IAMMember",
		"gcp:projects/iAMCustomRole:IAMCustomRole"},
	core.Azure: {"azure-native:managedidentity:UserAssignedIdentity", "azure-native:managedidentity:FederatedIdentityCredential",
		"azure-native:authorization:RoleAssignment", "azure-native:authorization:RoleDefinition"},
}

// Needed is every action (AWS), permission (GCP) or control-plane action
// (Azure) the deploy identity on cloud is granted for a stack managing
// types: the union of their rows and those of the identities' own types,
// sorted. The plan tests hold what a stack's plan grants against it.
func Needed(cloud core.Cloud, types []string) []string {
	types = of(cloud, types)
	var out []string
	switch cloud {
	case core.AWS:
		for _, row := range awsRows(types) {
			out = append(out, row.Actions...)
		}
	case core.GCP:
		out = gcpPermissions(types)
	case core.Azure:
		out = append(azureActions(types, false), azureActions(types, true)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
