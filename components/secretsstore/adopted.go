package secretsstore

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// AdoptedStoreType is the adopted store's type token.
const AdoptedStoreType = "wedsync:secretsstore:AdoptedStore"

// AdoptedStoreArgs are what a recovery adopts: its source's keys, as this
// stack's sites see them.
type AdoptedStoreArgs struct {
	Deployment core.Deployment
	// Settings are the stack's wedsync:secrets settings: the audit
	// retention by environment (defaults applied here).
	Settings Settings
	// Keys are the adopted keys by this stack's site role and purpose: at
	// the primary, the source's replicas in this region.
	Keys map[core.Role]map[core.KeyPurpose]*core.Key
	// Alerts receives the store's alarms over the adopted keys.
	Alerts *core.AlertTarget
}

// AdoptedStore is a recovery's view of its source's secrets store: it
// creates no key (the replicated data is encrypted with the source's
// replicas here) but watches the adopted keys with the store's own alarms,
// made in this region, since the source's were in the region that was
// lost; and on Azure it keeps an audit workspace in this region, where the
// stack's resource logs go (the source's primary workspace was lost too).
type AdoptedStore struct {
	pulumi.ResourceState

	// AuditLog is the Log Analytics workspace id (Azure); "" elsewhere.
	AuditLog pulumi.StringOutput

	keys map[core.Role]map[core.KeyPurpose]*core.Key
}

// Key returns the adopted key of purpose at the site with role, nil if none.
func (s *AdoptedStore) Key(role core.Role, purpose core.KeyPurpose) *core.Key {
	return s.keys[role][purpose]
}

// NewAdoptedStore registers the alarms (and on Azure the audit workspace)
// over a recovery's adopted keys.
func NewAdoptedStore(ctx *pulumi.Context, name string, args *AdoptedStoreArgs, opts ...pulumi.ResourceOption) (*AdoptedStore, error) {
	if args == nil {
		return nil, fmt.Errorf("adopted store %q: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("adopted store %q: %w", name, err)
	}
	c := &AdoptedStore{keys: a.Keys}
	if err := ctx.RegisterComponentResource(AdoptedStoreType, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, dep: a.Deployment, set: a.Settings, c: c,
		args: SecretsStoreArgs{Deployment: a.Deployment, Settings: a.Settings, Alerts: a.Alerts},
		out:  outputs{keys: a.Keys, vaults: map[core.Role]pulumi.StringOutput{}}}
	for _, site := range b.sites() {
		if v, ok := adoptedVault(site.Cloud, a.Keys[site.Role]); ok {
			b.out.vaults[site.Role] = v
		}
	}
	var err error
	switch a.Deployment.Primary.Cloud {
	case core.AWS:
		err = b.awsAlarms()
	case core.GCP:
		err = b.gcpAlarms()
	case core.Azure:
		if *b.set.AuditLogs {
			_, err = b.azureAuditWorkspace(a.Deployment.Primary)
		}
		if err == nil {
			err = b.azureAlarms()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("adopted store %q: %w", name, err)
	}
	c.AuditLog = b.out.auditLog
	if c.AuditLog == (pulumi.StringOutput{}) {
		c.AuditLog = pulumi.String("").ToStringOutput()
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"auditLog": c.AuditLog})
}

// adoptedVault is what the store's alarms watch at a site: the key ring
// (GCP, from a key's id) or the Key Vault (Azure); AWS watches the keys.
func adoptedVault(cloud core.Cloud, keys map[core.KeyPurpose]*core.Key) (pulumi.StringOutput, bool) {
	for _, purpose := range slices.Sorted(maps.Keys(keys)) {
		k := keys[purpose]
		switch cloud {
		case core.GCP:
			return k.ID.ApplyT(func(id string) string {
				ring, _, _ := strings.Cut(id, "/cryptoKeys/")
				return ring
			}).(pulumi.StringOutput), true
		case core.Azure:
			return k.VaultID, true
		}
	}
	return pulumi.StringOutput{}, false
}

func (a AdoptedStoreArgs) validate() error {
	p := &core.Problems{}
	dep := a.Deployment
	if !dep.Primary.Cloud.Valid() {
		p.Add("Deployment.Primary.Cloud", string(dep.Primary.Cloud), "use %s", core.Join(core.Clouds))
	}
	if dep.Primary.Provider == nil {
		p.Missing("Deployment.Primary.Provider", "the primary site's explicit provider")
	}
	if a.Alerts == nil {
		p.Missing("Alerts", "where the alarms over the adopted keys go")
	}
	sites := []core.Site{dep.Primary}
	if dep.DR != nil && (a.Settings.ReplicateToDR == nil || *a.Settings.ReplicateToDR) {
		sites = append(sites, *dep.DR)
	}
	for _, site := range sites {
		if len(a.Keys[site.Role]) == 0 {
			p.Missing(fmt.Sprintf("Keys[%s]", site.Role), "the source's keys in %s, which the alarms watch", site.Region)
		}
		for purpose, k := range a.Keys[site.Role] {
			if k != nil && site.Cloud == core.Azure && k.VaultID == (pulumi.StringOutput{}) {
				p.Missing(fmt.Sprintf("Keys[%s][%s].VaultID", site.Role, purpose), "the Key Vault the alarms watch")
			}
		}
	}
	if dep.Primary.Cloud == core.GCP && dep.Primary.GCPProject == "" {
		p.Missing("Deployment.Primary.GCPProject", "the project the alert policies belong to")
	}
	return p.Err()
}
