// Package stacks is the Pulumi program of every WedSync stack: it reads the
// stack's config, creates one explicit provider per site, and composes the
// components. What differs between stacks is config, never code.
package stacks

import (
	"encoding/json"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/network"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
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
	store, err := secretsstore.NewSecretsStore(ctx, "main", &secretsstore.SecretsStoreArgs{
		Deployment:   dep,
		Settings:     cfg.Secrets,
		SecretValues: secretInputs(cfg.SecretValues),
	})
	if err != nil {
		return err
	}
	buckets, err := deployBackups(ctx, cfg, dep, store)
	if err != nil {
		return err
	}
	ctx.Export("environment", pulumi.String(string(cfg.Environment)))
	ctx.Export("cloud", pulumi.String(string(cfg.Cloud)))
	ctx.Export("region", pulumi.String(cfg.Region))
	ctx.Export("networkId", primaryNet.ID)
	ctx.Export("keys", keyIDs(dep, store))
	ctx.Export("backupBuckets", buckets)
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

// secretInputs marks every configured secret value as a secret, so it is
// encrypted in state and masked in every output.
func secretInputs(values map[string]string) map[string]pulumi.StringInput {
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]pulumi.StringInput, len(values))
	for name, v := range values {
		out[name] = pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
	}
	return out
}

// keyIDs exports every key by site and purpose ("primary.data"): what the
// DR stack and the application read.
func keyIDs(dep core.Deployment, store *secretsstore.SecretsStore) pulumi.StringMap {
	out := pulumi.StringMap{}
	for _, role := range []core.Role{core.Primary, core.DR} {
		for _, purpose := range core.KeyPurposes {
			if k := store.Key(role, purpose); k != nil {
				out[string(role)+"."+string(purpose)] = k.ID
			}
		}
	}
	return out
}

// backupPurposes are the backup buckets every stack has: one per kind of
// data, so retention, access and restores stay separate.
var backupPurposes = []string{"db-exports", "media", "config"}

// deployBackups creates the backup buckets, with the offsite tier's own keys
// where the stack has an offsite copy, and returns what the DR stack needs:
// each bucket's name and its replica's.
func deployBackups(ctx *pulumi.Context, cfg Config, dep core.Deployment, store *secretsstore.SecretsStore) (pulumi.Map, error) {
	var offsiteKey *core.Key
	if dep.Offsite != nil {
		offsiteStore, err := secretsstore.NewSecretsStore(ctx, "offsite", &secretsstore.SecretsStoreArgs{
			Deployment: atSite(dep, *dep.Offsite),
			Settings:   secretsstore.Settings{},
		})
		if err != nil {
			return nil, err
		}
		offsiteKey = offsiteStore.Key(core.Offsite, core.BackupKey)
	}
	out := pulumi.Map{}
	for _, purpose := range backupPurposes {
		b, err := backupbucket.NewBackupBucket(ctx, purpose, &backupbucket.BackupBucketArgs{
			Deployment: dep,
			Settings:   cfg.Backup,
			Purpose:    purpose,
			Key:        store.Key(core.Primary, core.BackupKey),
			DRKey:      store.Key(core.DR, core.BackupKey),
			OffsiteKey: offsiteKey,
		})
		if err != nil {
			return nil, err
		}
		out[purpose] = pulumi.Map{
			"bucket":          b.BucketName,
			"replica":         b.ReplicaName,
			"replicaLocation": b.ReplicaLocation,
			"offsite":         b.OffsiteName,
		}
	}
	return out, nil
}
