package core

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Site is one cloud region a stack deploys to, with the explicit provider every
// resource there uses. One stack can span several sites (primary, DR, offsite),
// even on different clouds.
type Site struct {
	Role   Role
	Cloud  Cloud
	Region string
	// Provider is the explicit provider resource for this cloud and region.
	Provider pulumi.ProviderResource
	// GCPProject is the project GCP resources at this site belong to.
	GCPProject string
	// AzureSubscriptionID is the subscription Azure resources at this site belong to.
	AzureSubscriptionID string
	// AzureResourceGroup is the name of the resource group Azure resources at
	// this site live in (created by the stack, one per site).
	AzureResourceGroup pulumi.StringOutput
}

// Zones are the availability zones of the site's region.
func (s Site) Zones() []string { return Zones(s.Cloud, s.Region) }

// Short is the abbreviated region, for names that must be short.
func (s Site) Short() string { return ShortRegion(s.Region) }

// With returns opts with this site's provider added, so no resource silently
// falls back to the ambient default provider (and its region).
func (s Site) With(opts ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Provider(s.Provider)}, opts...)
}

// Deployment is what every component needs to know about the stack it is part
// of, without knowing stacks: names, tags, the environment's strictness and
// the sites.
type Deployment struct {
	Project     string
	Stack       string
	Environment Environment
	// Timezone is the IANA zone of the business (weddings happen in local time).
	Timezone string
	Tags     Tags
	Primary  Site
	// DR is the second region that holds replicas; nil when the stack has none.
	DR *Site
	// Offsite holds a further copy of backups, maybe on another cloud; nil when unused.
	Offsite *Site
}

// IsProd reports whether the deployment is production.
func (d Deployment) IsProd() bool { return d.Environment.IsProd() }

// Protect returns the options every data store gets: in prod, Pulumi refuses
// to delete it (pulumi.Protect) until someone removes the protection on
// purpose, in a reviewed change.
func (d Deployment) Protect() pulumi.ResourceOption {
	return pulumi.Protect(d.IsProd())
}
