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

// cidrs gives each site role its own /16, so the primary, DR and offsite
// networks can be peered later without renumbering.
var cidrs = map[core.Role]int{core.Primary: 10, core.DR: 20, core.Offsite: 30}

// NetworkArgs say which site the network is for.
type NetworkArgs struct {
	Deployment core.Deployment
	Site       core.Site
}

// Network is one site's network component.
type Network struct {
	pulumi.ResourceState
	// Network is what the database and autoscaling components need.
	core.Network
	// CIDR is the network's address range.
	CIDR string
}

// plan is the address layout of a site's network, the same on every cloud.
type layout struct {
	cidr        string
	public      []string // load balancer and NAT (AWS), one per zone
	app         []string // instances, one per zone (AWS) or the first (GCP, Azure)
	database    []string // databases, one per zone (AWS) or the first (Azure)
	peeringBase string   // GCP private services access range
}

func newLayout(role core.Role) layout {
	n := cidrs[role]
	l := layout{cidr: fmt.Sprintf("10.%d.0.0/16", n), peeringBase: fmt.Sprintf("10.%d.0.0", n+100)}
	for i := 0; i < 3; i++ {
		l.public = append(l.public, fmt.Sprintf("10.%d.%d.0/24", n, i))
		l.app = append(l.app, fmt.Sprintf("10.%d.%d.0/20", n, 16*(i+1)))
		l.database = append(l.database, fmt.Sprintf("10.%d.%d.0/24", n, 64+i))
	}
	return l
}

// NewNetwork creates the network of args.Site.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil || args.Site.Provider == nil {
		return nil, fmt.Errorf("network %s: a site with a provider is required", name)
	}
	if _, ok := cidrs[args.Site.Role]; !ok {
		return nil, fmt.Errorf("network %s: site role %q has no address range; use %s", name, args.Site.Role, core.Join([]core.Role{core.Primary, core.DR, core.Offsite}))
	}
	n := &Network{}
	if err := ctx.RegisterComponentResource("wedsync:network:Network", name, n, opts...); err != nil {
		return nil, err
	}
	l := newLayout(args.Site.Role)
	n.CIDR = l.cidr
	var err error
	switch args.Site.Cloud {
	case core.AWS:
		err = n.aws(ctx, name, args, l)
	case core.GCP:
		err = n.gcp(ctx, name, args, l)
	case core.Azure:
		err = n.azure(ctx, name, args, l)
	default:
		err = fmt.Errorf("network %s: cloud %q is not supported", name, args.Site.Cloud)
	}
	if err != nil {
		return nil, err
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"id":                n.ID,
		"cidr":              pulumi.String(n.CIDR),
		"appSubnetIds":      n.AppSubnetIDs,
		"databaseSubnetIds": n.DatabaseSubnetIDs,
	})
}
