// Package network is a site's private network: where instances run, where
// databases live, and the only paths between them. Databases get no route to
// or from the internet; instances reach out through NAT and are reached only
// through the load balancer.
package network

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// AppPort is the port the application listens on behind the load balancer.
const AppPort = 8080

// PostgresPort is the only port the database admits, and only from the app.
const PostgresPort = 5432

// Type is the network's type token.
const Type = "wedsync:network:Network"

// cidrs gives each site role its own /16, so the primary, DR and offsite
// networks can be peered later without renumbering.
var cidrs = map[core.Role]int{core.Primary: 10, core.DR: 20, core.Offsite: 30}

// NetworkArgs say which site the network is for.
type NetworkArgs struct {
	Deployment core.Deployment
	Site       core.Site
	// AppServiceAccount (GCP only) is the email of the app instances'
	// service account: the egress firewall allows by it.
	AppServiceAccount string
}

// Network is one site's network component.
type Network struct {
	pulumi.ResourceState
	// Network is what the database and autoscaling components need.
	core.Network
	// CIDR is the network's address range.
	CIDR string
}

// outputs are what each cloud's builder returns: the network as the
// components placed in it see it.
type outputs = core.Network

// layout is the address plan of a site's network, the same on every cloud.
type layout struct {
	cidr        string
	public      []string // load balancer and NAT (AWS), one per zone; the gateway (Azure), the first
	app         []string // instances, one per zone (AWS) or the first (GCP, Azure)
	database    []string // databases, one per zone (AWS) or the first (Azure)
	peeringBase string   // GCP private services access range
	endpoints   string   // private endpoints (Azure)
}

func newLayout(role core.Role) layout {
	n := cidrs[role]
	l := layout{cidr: fmt.Sprintf("10.%d.0.0/16", n), peeringBase: fmt.Sprintf("10.%d.0.0", n+100), endpoints: fmt.Sprintf("10.%d.96.0/24", n)}
	for i := 0; i < 3; i++ {
		l.public = append(l.public, fmt.Sprintf("10.%d.%d.0/24", n, i))
		l.app = append(l.app, fmt.Sprintf("10.%d.%d.0/20", n, 16*(i+1)))
		l.database = append(l.database, fmt.Sprintf("10.%d.%d.0/24", n, 64+i))
	}
	return l
}

// validate checks args as a whole, every problem at once.
func (args *NetworkArgs) validate(name string) error {
	p := &core.Problems{}
	site := args.Site
	if site.Provider == nil {
		p.Missing("site.provider", "the site's explicit provider")
	}
	if !site.Cloud.Valid() {
		p.Add("site.cloud", string(site.Cloud), "use %s", core.Join(core.Clouds))
	}
	if _, ok := cidrs[site.Role]; !ok {
		p.Add("site.role", string(site.Role), "has no address range; use %s", core.Join([]core.Role{core.Primary, core.DR, core.Offsite}))
	}
	if site.Cloud == core.GCP && args.AppServiceAccount == "" {
		p.Missing("appServiceAccount", "the app instances' service account email, which the egress firewall allows")
	}
	if err := p.Err(); err != nil {
		return fmt.Errorf("network %s: %w", name, err)
	}
	return nil
}

// NewNetwork creates the network of args.Site.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		return nil, fmt.Errorf("network %s: args are required", name)
	}
	if err := args.validate(name); err != nil {
		return nil, err
	}
	n := &Network{}
	if err := ctx.RegisterComponentResource(Type, name, n, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, dep: args.Deployment, site: args.Site, layout: newLayout(args.Site.Role), n: n, appAccount: args.AppServiceAccount}
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(b.site.Cloud)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}
	n.Network, n.CIDR = out, b.layout.cidr
	if n.PublicSubnetIDs.OutputState == nil {
		n.PublicSubnetIDs = pulumi.StringArray{}.ToStringArrayOutput()
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"id":                n.ID,
		"cidr":              pulumi.String(n.CIDR),
		"appSubnetIds":      n.AppSubnetIDs,
		"publicSubnetIds":   n.PublicSubnetIDs,
		"databaseSubnetIds": n.DatabaseSubnetIDs,
	})
}

// builder carries what every cloud's implementation needs: the site and
// its address layout.
type builder struct {
	ctx    *pulumi.Context
	name   string
	dep    core.Deployment
	site   core.Site
	layout layout
	n      *Network
	// appAccount is NetworkArgs.AppServiceAccount.
	appAccount string
}

// opts are every child's options: the network as parent, the site's
// provider, then extra.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.n)}, extra...)...)
}
