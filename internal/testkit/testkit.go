// Package testkit builds what component tests need, the way stacks build it:
// sites with explicit providers, deployments, customer-managed keys and
// networks given as literal ids, and the offline plan as the mock engine.
// One place, so every component's tests stand on the same ground.
package testkit

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// GCPProject is the project of test GCP sites.
const GCPProject = "wedsync-prod"

// Regions are the primary and DR regions of the shipped prod stacks.
var Regions = map[core.Cloud]map[core.Role]string{
	core.AWS:   {core.Primary: "eu-west-2", core.DR: "eu-west-1"},
	core.GCP:   {core.Primary: "europe-west2", core.DR: "europe-west1", core.Offsite: "europe-west2"},
	core.Azure: {core.Primary: "uksouth", core.DR: "ukwest", core.Offsite: "uksouth"},
}

// Str is a known string output.
func Str(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }

// Site creates a site on cloud with its own explicit provider, named as
// stacks name them ("aws-primary").
func Site(ctx *pulumi.Context, cloud core.Cloud, role core.Role) (core.Site, error) {
	region := Regions[cloud][role]
	s := core.Site{Role: role, Cloud: cloud, Region: region}
	name := string(cloud) + "-" + string(role)
	var err error
	switch cloud {
	case core.AWS:
		s.Provider, err = aws.NewProvider(ctx, name, &aws.ProviderArgs{Region: pulumi.String(region)})
	case core.GCP:
		s.GCPProject = GCPProject
		s.Provider, err = gcp.NewProvider(ctx, name, &gcp.ProviderArgs{Project: pulumi.String(GCPProject), Region: pulumi.String(region)})
	case core.Azure:
		s.Provider, err = azurenative.NewProvider(ctx, name, &azurenative.ProviderArgs{Location: pulumi.String(region)})
		s.AzureResourceGroup = Str("wedsync-" + string(role) + "-" + core.ShortRegion(region))
	}
	return s, err
}

// Deployment is a deployment of env on cloud with a primary site, and a DR
// site unless env is dev (as the shipped stacks have).
func Deployment(ctx *pulumi.Context, cloud core.Cloud, env core.Environment) (core.Deployment, error) {
	dep := core.Deployment{
		Project: "wedsync", Stack: string(env), Environment: env, Timezone: "Europe/London",
		Tags: core.StandardTags("wedsync", string(env), env, "platform", "wedsync-"+string(env), nil),
	}
	var err error
	if dep.Primary, err = Site(ctx, cloud, core.Primary); err != nil {
		return dep, err
	}
	if env != core.Dev {
		dr, err := Site(ctx, cloud, core.DR)
		if err != nil {
			return dep, err
		}
		dep.DR = &dr
	}
	return dep, nil
}

// KeyID is the literal id of the test key for purpose at a site, in the form
// the cloud uses.
func KeyID(cloud core.Cloud, purpose core.KeyPurpose, role core.Role) string {
	region := Regions[cloud][role]
	switch cloud {
	case core.AWS:
		return "arn:aws:kms:" + region + ":" + plan.MockAWSAccount + ":key/mrk-" + string(purpose) + "0000000000000000000000000"[len(purpose):]
	case core.GCP:
		return "projects/" + GCPProject + "/locations/" + region + "/keyRings/wedsync/cryptoKeys/" + string(purpose)
	default:
		return "https://" + vaultName(region) + ".vault.azure.net/keys/" + string(purpose)
	}
}

func vaultName(region string) string { return "wedsync-kv-" + core.ShortRegion(region) }

// Key is the test key for purpose at a site.
func Key(cloud core.Cloud, purpose core.KeyPurpose, role core.Role) *core.Key {
	id := KeyID(cloud, purpose, role)
	k := core.KeyID(purpose, Regions[cloud][role], id)
	if cloud == core.Azure {
		vault := vaultName(Regions[cloud][role])
		k.VaultID = Str("/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/" + vault)
		k.VaultURI = Str(strings.SplitN(id, "/keys/", 2)[0] + "/")
		k.Name = Str(string(purpose))
	}
	return k
}

// Network is a network given as literal ids, as the network component
// would hand it over.
func Network(cloud core.Cloud) core.Network {
	ids := func(ss ...string) pulumi.StringArrayOutput { return pulumi.ToStringArray(ss).ToStringArrayOutput() }
	switch cloud {
	case core.AWS:
		return core.Network{
			ID:                      Str("vpc-0test"),
			AppSubnetIDs:            ids("subnet-app-a", "subnet-app-b", "subnet-app-c"),
			PublicSubnetIDs:         ids("subnet-public-a", "subnet-public-b", "subnet-public-c"),
			DatabaseSubnetIDs:       ids("subnet-db-a", "subnet-db-b", "subnet-db-c"),
			AppSecurityGroupID:      Str("sg-app"),
			DatabaseSecurityGroupID: Str("sg-db"),
		}
	case core.GCP:
		return core.Network{
			ID:                Str("projects/" + GCPProject + "/global/networks/wedsync"),
			AppSubnetIDs:      ids("https://www.googleapis.com/compute/v1/projects/" + GCPProject + "/regions/europe-west2/subnetworks/app"),
			DatabaseSubnetIDs: ids(),
		}
	default:
		vnet := "/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/wedsync"
		return core.Network{
			ID:                       Str(vnet),
			AppSubnetIDs:             ids(vnet + "/subnets/app"),
			PublicSubnetIDs:          ids(vnet + "/subnets/gateway"),
			DatabaseSubnetIDs:        ids(vnet + "/subnets/database"),
			DatabasePrivateDNSZoneID: Str("/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/wedsync.private.postgres.database.azure.com"),
		}
	}
}

// Alerts is a test alert target on cloud.
func Alerts(cloud core.Cloud) *core.AlertTarget {
	id := map[core.Cloud]string{
		core.AWS:   "arn:aws:sns:eu-west-2:" + plan.MockAWSAccount + ":wedsync-prod-alerts",
		core.GCP:   "projects/" + GCPProject + "/notificationChannels/1234",
		core.Azure: "/subscriptions/" + plan.MockAzureSubscription + "/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/wedsync-prod-alerts",
	}[cloud]
	return &core.AlertTarget{IDs: pulumi.ToStringArray([]string{id}).ToStringArrayOutput()}
}

// Plan runs program under the offline plan's mocks as stack env and fails
// the test on error.
func Plan(t testing.TB, env core.Environment, program pulumi.RunFunc) *plan.Plan {
	t.Helper()
	p, err := plan.Run(plan.Options{Project: "wedsync", Stack: string(env), Environment: string(env)}, program)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// PlanErr runs program under the offline plan's mocks as stack env and
// returns its error: for tests of what a component refuses.
func PlanErr(env core.Environment, program pulumi.RunFunc) error {
	_, err := plan.Run(plan.Options{Project: "wedsync", Stack: string(env), Environment: string(env)}, program)
	return err
}

// OfType returns the plan's resources of type typ.
func OfType(p *plan.Plan, typ string) []plan.Resource {
	var out []plan.Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// One returns the only resource of type typ, failing the test unless there
// is exactly one.
func One(t testing.TB, p *plan.Plan, typ string) plan.Resource {
	t.Helper()
	rs := OfType(p, typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, plan has %d", typ, len(rs))
	}
	return rs[0]
}

// Get follows a dotted path through a resource's inputs ("a.b.0.c").
func Get(r plan.Resource, path string) any {
	v, _ := plan.Lookup(r.Inputs, strings.Split(path, ".")...)
	return v
}
