// Package bootstrap is the program that creates the stacks' state backend,
// once per cloud, run by an administrator with the cloud's own credentials
// (CI cannot create what holds its own state). Per cloud it makes:
//
//   - the state bucket: the backupbucket component (versioned, locked for
//     its retention, private, TLS-only, encrypted with the state key,
//     replicated to a second EU region or geo-redundant), in a THIRD region
//     that is neither a stack's primary nor its DR region, so losing London
//     or the DR region never loses the DR stack's state;
//   - the state key, customer-managed and rotated, used only for state;
//   - one secrets key per stack, beside the state, which `pulumi stack init
//     --secrets-provider` names (awskms://, gcpkms://, azurekeyvault://)
//     instead of one passphrase for every stack's secrets.
//
// Everything is protected: Pulumi refuses to delete it.
package bootstrap

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
)

// Project is the bootstrap program's Pulumi project.
const Project = "wedsync-bootstrap"

// Regions are, per cloud, where state lives (Primary) and its replica (DR):
// both in the EU, neither a region the stacks run in (eu-west-2/1,
// europe-west2/1, uksouth/ukwest).
var Regions = map[core.Cloud]map[core.Role]string{
	core.AWS:   {core.Primary: "eu-central-1", core.DR: "eu-west-3"},
	core.GCP:   {core.Primary: "europe-west3", core.DR: "europe-west4"},
	core.Azure: {core.Primary: "germanywestcentral", core.DR: "germanynorth"},
}

// DefaultStacks are the stacks each cloud's backend holds.
var DefaultStacks = map[core.Cloud][]string{
	core.AWS:   {"dev", "staging", "prod", "prod-dr"},
	core.GCP:   {"prod-gcp", "prod-gcp-dr"},
	core.Azure: {"prod-azure", "prod-azure-dr"},
}

// StateRetentionDays is how long every version of a state file stays
// locked (and kept): the pack's prod minimum for backups, longer than any
// stack's gap between deploys (the monthly re-apply).
const StateRetentionDays = 35

// Settings are the program's config (namespace wedsync-bootstrap).
type Settings struct {
	Cloud  core.Cloud
	Stacks []string
	// GCPProject is the project that holds the GCP backend.
	GCPProject string
	// AzureSubscriptionID is the subscription of the Azure backend.
	AzureSubscriptionID string
	// AlertTarget is what the bucket's alarms (replication, freshness)
	// notify: the prod stack's SNS topic ARN, notification channel or
	// action group id (the `alertTargets` output of prod, prod-gcp,
	// prod-azure).
	AlertTarget string
	// AllowedIPs (Azure) are the addresses or CIDR ranges that may reach
	// the Key Vault holding the secrets keys: administrators' and
	// self-hosted runners'.
	AllowedIPs []string
}

// Validate returns every problem with s.
func (s Settings) Validate() error {
	p := &core.Problems{}
	if _, ok := Regions[s.Cloud]; !ok {
		p.Add("cloud", string(s.Cloud), "use aws, gcp or azure")
	}
	if len(s.Stacks) == 0 {
		p.Missing("stacks", "name the stacks whose secrets keys the backend holds")
	}
	if s.AlertTarget == "" {
		p.Missing("alertTarget", "the prod stack's alert topic, notification channel or action group id: a failing state replica must reach someone")
	}
	if s.Cloud == core.GCP && s.GCPProject == "" {
		p.Missing("gcpProject", "the project that holds the state bucket")
	}
	return p.Err()
}

// Program is the Pulumi program.
func Program(ctx *pulumi.Context) error {
	get := func(key string) string { v, _ := ctx.GetConfig(Project + ":" + key); return v }
	s := Settings{
		Cloud: core.Cloud(get("cloud")), GCPProject: get("gcpProject"),
		AzureSubscriptionID: get("azureSubscriptionId"), AlertTarget: get("alertTarget"),
	}
	s.Stacks = DefaultStacks[s.Cloud]
	for key, list := range map[string]*[]string{"stacks": &s.Stacks, "allowedIps": &s.AllowedIPs} {
		if v := get(key); v != "" {
			if err := json.Unmarshal([]byte(v), list); err != nil {
				return fmt.Errorf("bootstrap: %s:%s: %q is not a JSON list of strings: %w", Project, key, v, err)
			}
		}
	}
	return Build(ctx, s)
}

// Build creates the backend that s describes.
func Build(ctx *pulumi.Context, s Settings) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	b := &builder{ctx: ctx, set: s}
	if err := b.deployment(); err != nil {
		return err
	}
	k, err := core.Implementations[keys]{AWS: b.awsKeys, GCP: b.gcpKeys, Azure: b.azureKeys}.Build(s.Cloud)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	bucket, err := backupbucket.NewBackupBucket(ctx, "state", &backupbucket.BackupBucketArgs{
		Deployment: b.dep,
		Settings:   backupbucket.Settings{RetentionDays: StateRetentionDays},
		Key:        k.state,
		DRKey:      k.stateDR,
		Purpose:    "state",
		Live:       true,
		Alerts:     &core.AlertTarget{IDs: pulumi.ToStringArray([]string{s.AlertTarget}).ToStringArrayOutput()},
	}, pulumi.Protect(true), pulumi.DependsOn(k.after))
	if err != nil {
		return err
	}
	ctx.Export("bucket", bucket.BucketName)
	ctx.Export("backendUrl", b.backendURL(bucket, k.state))
	providers := pulumi.StringMap{}
	for stack, url := range k.secretsProviders {
		providers[stack] = url
	}
	ctx.Export("secretsProviders", providers)
	return nil
}

// keys is what each cloud's key builder returns.
type keys struct {
	state, stateDR   *core.Key
	secretsProviders map[string]pulumi.StringOutput
	// after are grants the bucket must wait for (GCP: the storage agent's
	// use of the state key).
	after []pulumi.Resource
}

type builder struct {
	ctx *pulumi.Context
	set Settings
	dep core.Deployment
}

// protect is every resource's option: nothing here may be deleted by a
// `pulumi destroy` or a refactor.
func (b *builder) protect(site core.Site, opts ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return site.With(append(opts, pulumi.Protect(true))...)
}
