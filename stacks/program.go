// Package stacks is the Pulumi program of every WedSync stack: it reads the
// stack's config, creates one explicit provider per site, and composes the
// components. What differs between stacks is config, never code.
package stacks

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/alerting"
	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/autoscaling"
	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/ingress"
	"github.com/wedsync/wedsync-infra/components/network"
)

// Program is the program `pulumi up` runs (main.go hands it to pulumi.Run).
// The Go language host passes the stack's config in PULUMI_CONFIG, which is
// also where the program learns which keys were set, so unknown keys are
// caught. The instant it plans for is read here, once (Now).
func Program(ctx *pulumi.Context) error { return ProgramLoadedBy(Load)(ctx) }

// Loader reads, defaults and validates a stack's config from its raw
// values: Load, or the one validator of every command
// (internal/stackconfig.Validate, which adds the clouds' documented limits
// on config values), which main.go hands in.
type Loader func(project, stack string, raw map[string]string) (Config, error)

// ProgramLoadedBy is Program with its config read by load.
func ProgramLoadedBy(load Loader) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		now, err := Now()
		if err != nil {
			return err
		}
		return ProgramWithLoader(envConfigKeys(), now, load)(ctx)
	}
}

// ProgramWithConfigKeys is Program for hosts that do not set PULUMI_CONFIG
// (Automation API inline programs): they name the stack's config keys and
// the instant to plan for. With nil keys, only known keys are read and a
// typo in a key name goes unnoticed; the program says so in its log.
func ProgramWithConfigKeys(keys []string, now time.Time) pulumi.RunFunc {
	return ProgramWithLoader(keys, now, Load)
}

// ProgramWithLoader is ProgramWithConfigKeys with its config read by load.
func ProgramWithLoader(keys []string, now time.Time, load Loader) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if keys == nil {
			keys = Keys()
			_ = ctx.Log.Warn("the stack's config keys are unknown to the program; unknown wedsync: keys cannot be reported", nil)
		}
		raw := map[string]string{}
		for _, k := range keys {
			if v, ok := ctx.GetConfig(k); ok {
				raw[k] = v
			}
		}
		cfg, err := load(ctx.Project(), ctx.Stack(), raw)
		if err != nil {
			return err
		}
		return Deploy(ctx, cfg, now)
	}
}

// ProgramFor is the program of a config already loaded (the offline plan
// loads it once and hands it down rather than have the program decode it
// again).
func ProgramFor(cfg Config, now time.Time) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error { return Deploy(ctx, cfg, now) }
}

// Deploy creates a stack's resources from its validated config, as planned
// at now (schedules, freezes, seasonal thresholds), one step after another:
// each step reads what the steps before it made.
func Deploy(ctx *pulumi.Context, cfg Config, now time.Time) error {
	b := &build{ctx: ctx, cfg: cfg, now: now}
	for _, step := range []func() error{b.record, b.sites, b.alerting, b.network, b.secrets, b.flowLogs, b.backups, b.serve, b.database, b.dbBackup, b.appConfig, b.grants, b.erasureLedger, b.dashboard, b.budget, b.restoreDrillAlarm, b.ci, b.exports} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// build is one run of the program: the config, the clock, and what each
// step has made so far.
type build struct {
	ctx *pulumi.Context
	cfg Config
	now time.Time

	dep     core.Deployment
	net     *network.Network
	store   keySource
	buckets pulumi.Map
	// tiers is the output backupTiers (stacks/tiers.go).
	tiers pulumi.Array
	group *autoscaling.AutoscalingGroup
	web   *ingress.Ingress
	db    *database.Database
	// config is the app's configuration document (its read grant is the
	// app's, in grants).
	config *appconfig.AppConfig
	// alerts is where every component's alarms go (made before them).
	alerts *alerting.AlertTarget
	// src is the source stack a recovery rebuilds (nil outside recovery mode).
	src *source

	// managed records every resource type the stack registers, for CI's
	// deploy identity (stacks/ci.go).
	managed *ciaccess.Recorder

	// dbExports is the db-exports bucket (nil on an Azure recovery, which
	// names the source's accounts instead).
	dbExports *backupbucket.BackupBucket
	// restoreIdentity runs the database's copies and restores; it reads
	// the erasure ledger to replay it after a restore.
	restoreIdentity pulumi.StringOutput
}

func (b *build) sites() (err error) {
	b.dep, err = newDeployment(b.ctx, b.cfg)
	return err
}

func (b *build) network() (err error) {
	args := &network.NetworkArgs{Deployment: b.dep, Site: b.dep.Primary}
	if b.dep.Primary.Cloud == core.GCP {
		// Egress is allowed by the identity the instances run as.
		args.AppServiceAccount = autoscaling.GCPServiceAccountEmail(b.dep)
	}
	b.net, err = network.NewNetwork(b.ctx, "primary", args)
	return err
}

// flowLogs records the network's traffic under the stack's data key (made
// with the keys, after the network). A drill records none: its network
// carries no app, only the drill's own session with the restored database,
// which the database logs itself (log_connections), and the data key is
// the source's, which a drill grants nothing on (Recovery.Drill).
func (b *build) flowLogs() error {
	if b.cfg.drilling() {
		return nil
	}
	_, err := network.NewFlowLogs(b.ctx, "primary-flow-logs", &network.FlowLogsArgs{
		Deployment: b.dep, Site: b.dep.Primary, Network: b.net, Key: b.store.Key(core.Primary, core.DataKey),
	})
	return err
}

func (b *build) compute() (err error) {
	b.group, err = autoscaling.NewAutoscalingGroup(b.ctx, "app", &autoscaling.AutoscalingGroupArgs{
		Deployment: b.dep,
		Settings:   b.cfg.Compute,
		Calendar:   b.cfg.Season,
		Now:        b.now,
		Key:        b.store.Key(core.Primary, core.DataKey),
		Network:    b.net.Network,
		Alerts:     b.alerts.Target,
		// The ingress's target group or gateway pool (none on GCP).
		LoadBalancerPools: b.lbPools(),
	})
	return err
}

func (b *build) database() (err error) {
	args := &database.DatabaseArgs{
		Deployment: b.dep,
		Settings:   b.cfg.Database,
		Key:        b.store.Key(core.Primary, core.DataKey),
		DRKey:      b.store.Key(core.DR, core.DataKey),
		SecretsKey: b.store.Key(core.Primary, core.SecretsKey),
		Network:    b.net.Network,
		Alerts:     b.alerts.Target,
		// The application signs in with its identity (stacks/grants.go);
		// a drill has none.
		AppPrincipals: b.appPrincipals(),
	}
	// The servers' logs go where the vault's audit log goes (Azure).
	args.LogWorkspace = b.logWorkspace()
	if b.src != nil {
		// Recovery: restored from what the source replicated here, never
		// created empty.
		args.Restore = b.restore()
	}
	b.db, err = database.NewDatabase(b.ctx, "main", args)
	return err
}

// exports are the stack's outputs: what the DR stack, the application and
// operators read (`pulumi stack output`).
func (b *build) exports() error {
	ctx, dep := b.ctx, b.dep
	ctx.Export("environment", pulumi.String(string(b.cfg.Environment)))
	ctx.Export("cloud", pulumi.String(string(b.cfg.Cloud)))
	ctx.Export("region", pulumi.String(b.cfg.Region))
	if dep.DR != nil {
		ctx.Export("drRegion", pulumi.String(dep.DR.Region))
	}
	ctx.Export("networkId", b.net.ID)
	ctx.Export("keys", keyIDs(dep, b.store))
	ctx.Export("backupBuckets", b.buckets)
	ctx.Export("backupTiers", b.tiers)
	ctx.Export("database", pulumi.Map{
		"endpoint":          b.db.Endpoint,
		"port":              b.db.Port,
		"poolerEndpoint":    b.db.PoolerEndpoint,
		"poolerPort":        b.db.PoolerPort,
		"name":              b.db.DatabaseName,
		"credentialsSecret": b.db.CredentialsSecret,
		"key":               b.db.KeyID,
		"sourceId":          b.db.SourceID,
		// The application's read path: the read replicas (prod).
		"replicaEndpoints": b.db.ReplicaEndpoints,
		// The users `wedsync-infra db users` makes after up (internal/dbusers).
		"appUsers": b.appUsers(),
	})
	if b.group == nil {
		return nil // a drill has no app (Recovery.Drill)
	}
	ctx.Export("app", pulumi.Map{
		"group":               b.group.GroupName,
		"identity":            b.group.Identity,
		"schedules":           b.group.Schedules,
		"schedulesValidUntil": b.group.SchedulesValidUntil,
	})
	return nil
}

func envConfigKeys() []string {
	raw := os.Getenv(pulumi.EnvConfig)
	if raw == "" {
		return nil
	}
	var cfg map[string]string
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(cfg))
}
