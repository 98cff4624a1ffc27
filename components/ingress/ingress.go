// Package ingress is how requests reach the app: WedSync's public entry
// point on each cloud (an Application Load Balancer, a global external
// Application Load Balancer, an Application Gateway WAF_v2) with TLS 1.2 or
// newer only, plain HTTP only as a redirect, a WAF in front of every
// request, access logs, the public hostname in the cloud's DNS, synthetic
// checks from several locations and the availability and latency alarms of
// the 99.9% objective. The load balancer is the only public resource of a
// stack.
package ingress

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the ingress's type token.
const Type = "wedsync:ingress:Ingress"

// IngressArgs are what the ingress needs from the stack.
//
// The app group and the load balancer meet differently per cloud: on AWS
// and Azure the group joins the load balancer (the ASG's targetGroupArns,
// the scale set's IP configuration name Pools), so the ingress is made
// first; on GCP the backend service names the group (Backend), so the
// group is made first.
type IngressArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Network is the primary site's network: ID (the AWS VPC) and
	// PublicSubnetIDs (AWS public subnets over two or more zones, the Azure
	// gateway subnet).
	Network core.Network
	// Backend is the GCP regional managed instance group's instance group
	// URL (unused elsewhere).
	Backend pulumi.StringOutput
	// Vault (Azure) is a key of the primary site's vault: the vault holds
	// the TLS certificate (named after the hostname) the gateway reads
	// through its own identity.
	Vault *core.Key
	// Alerts, when set, receives the availability (burn-rate), latency and
	// unhealthy-backend alarms.
	Alerts *core.AlertTarget
}

// Ingress is the stack's public entry point.
type Ingress struct {
	pulumi.ResourceState

	// Pools are what the app group joins: the ALB's target group ARN
	// (AWS), the gateway's backend pool id (Azure); empty on GCP.
	Pools pulumi.StringArrayOutput
	// Hostname is the public name; URL is https://Hostname.
	Hostname pulumi.StringOutput
	URL      pulumi.StringOutput
	// Address is where the hostname points: the ALB's DNS name, the
	// reserved global IP, the gateway's public IP.
	Address pulumi.StringOutput
	// LoadBalancerID is the ALB ARN, the URL map id or the gateway id.
	LoadBalancerID pulumi.StringOutput
	// MetricsID is what the cloud's metrics name the load balancer by: the
	// ALB's ARN suffix, the URL map's name, the gateway's id.
	MetricsID pulumi.StringOutput
}

// outputs are what each cloud's builder returns.
type outputs struct {
	pools                              pulumi.StringArrayOutput
	address, loadBalancerID, metricsID pulumi.StringOutput
}

// validate checks args as a whole, every problem at once.
func (args *IngressArgs) validate(name string) error {
	p := &core.Problems{}
	dep := args.Deployment
	if !dep.Environment.Valid() {
		p.Add("deployment.environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	if dep.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the primary site's explicit provider")
	}
	cloud := dep.Primary.Cloud
	if !cloud.Valid() {
		p.Add("deployment.primary.cloud", string(cloud), "use %s", core.Join(core.Clouds))
	}
	switch cloud {
	case core.AWS:
		if args.Network.PublicSubnetIDs.OutputState == nil || args.Network.ID.OutputState == nil {
			p.Missing("network", "the VPC id and its public subnets (two or more zones): the load balancer lives there")
		}
	case core.GCP:
		if args.Backend.OutputState == nil {
			p.Missing("backend", "the app group's instance group: the backend service sends traffic to it")
		}
	case core.Azure:
		if args.Network.PublicSubnetIDs.OutputState == nil {
			p.Missing("network.publicSubnetIds", "the gateway subnet: an Application Gateway needs a subnet of its own")
		}
		if args.Vault == nil {
			p.Missing("vault", "the primary site's Key Vault: it holds the TLS certificate")
		}
	}
	p.Include("settings.", args.Settings.Validate(dep.Environment, cloud))
	if err := p.Err(); err != nil {
		return fmt.Errorf("ingress %s: %w", name, err)
	}
	return nil
}

// NewIngress creates the entry point at the deployment's primary site. It
// applies defaults to a copy of the settings and validates everything
// first, so nothing is registered when anything is wrong.
func NewIngress(ctx *pulumi.Context, name string, args *IngressArgs, opts ...pulumi.ResourceOption) (*Ingress, error) {
	if args == nil {
		return nil, fmt.Errorf("ingress %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(name); err != nil {
		return nil, err
	}
	c := &Ingress{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, a: a, dep: a.Deployment, site: a.Deployment.Primary, s: a.Settings, c: c}
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(b.site.Cloud)
	if err != nil {
		return nil, fmt.Errorf("ingress %s: %w", name, err)
	}
	c.Pools, c.Address, c.LoadBalancerID, c.MetricsID = out.pools, out.address, out.loadBalancerID, out.metricsID
	if c.Pools.OutputState == nil {
		c.Pools = pulumi.StringArray{}.ToStringArrayOutput()
	}
	c.Hostname = pulumi.String(a.Settings.Hostname).ToStringOutput()
	c.URL = pulumi.String("https://" + a.Settings.Hostname).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"pools":          c.Pools,
		"hostname":       c.Hostname,
		"url":            c.URL,
		"address":        c.Address,
		"loadBalancerId": c.LoadBalancerID,
		"metricsId":      c.MetricsID,
	})
}

// builder carries what every cloud's implementation needs.
type builder struct {
	ctx  *pulumi.Context
	name string
	a    IngressArgs
	dep  core.Deployment
	site core.Site
	s    Settings
	c    *Ingress
}

// opts are every child's options: the component as parent, the primary
// site's provider, then extra.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// invoke are a data source's options: the primary site's provider.
func (b *builder) invoke() []pulumi.InvokeOption {
	return []pulumi.InvokeOption{pulumi.Provider(b.site.Provider), pulumi.Parent(b.c)}
}

// lbName is the load balancer's name and the stem of its parts' names.
func (b *builder) lbName(parts ...string) string {
	return b.dep.NameWithin(32, append([]string{"web"}, parts...)...)
}
