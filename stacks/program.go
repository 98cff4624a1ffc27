// Package stacks is the Pulumi program of every WedSync stack: it reads the
// stack's config, creates one explicit provider per site, and composes the
// components. What differs between stacks is config, never code.
package stacks

import (
	"encoding/json"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/network"
)

// Program is the program `pulumi up` runs (main.go hands it to pulumi.Run).
// The Go language host passes the stack's config in PULUMI_CONFIG, which is
// also where the program learns which keys were set, so unknown keys are
// caught.
func Program(ctx *pulumi.Context) error {
	return ProgramWithConfigKeys(envConfigKeys())(ctx)
}

// ProgramWithConfigKeys is Program for hosts that do not set PULUMI_CONFIG
// (the offline plan, Automation API inline programs): they name the stack's
// config keys. With nil keys, only known keys are read and a typo in a key
// name goes unnoticed; the program says so in its log.
func ProgramWithConfigKeys(keys []string) pulumi.RunFunc {
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
		cfg, err := Load(ctx.Project(), ctx.Stack(), raw)
		if err != nil {
			return err
		}
		return Deploy(ctx, cfg)
	}
}

// Deploy creates a stack's resources from its validated config: the sites,
// then each site's network, then the components that live in them.
func Deploy(ctx *pulumi.Context, cfg Config) error {
	dep, err := newDeployment(ctx, cfg)
	if err != nil {
		return err
	}
	primaryNet, err := network.NewNetwork(ctx, "primary", &network.NetworkArgs{Deployment: dep, Site: dep.Primary})
	if err != nil {
		return err
	}
	ctx.Export("environment", pulumi.String(string(cfg.Environment)))
	ctx.Export("cloud", pulumi.String(string(cfg.Cloud)))
	ctx.Export("region", pulumi.String(cfg.Region))
	ctx.Export("networkId", primaryNet.ID)
	if dep.DR != nil {
		ctx.Export("drRegion", pulumi.String(dep.DR.Region))
	}
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
	return sortedKeys(cfg)
}
