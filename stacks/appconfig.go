package stacks

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/autoscaling"
	"github.com/wedsync/wedsync-infra/components/core"
)

// appSettings are the app's own settings, one file per environment, and
// the JSON Schema they must meet (stacks/appsettings/).
//
//go:embed appsettings/*.json
var appSettings embed.FS

// AppSettings returns the app's settings for env and their schema, from
// dir, or from the copy built into the program when dir is "".
func AppSettings(dir string, env core.Environment) (settings, schema []byte, err error) {
	read := func(name string) ([]byte, error) { return appSettings.ReadFile("appsettings/" + name) }
	if dir != "" {
		read = func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	}
	if settings, err = read(string(env) + ".json"); err != nil {
		return nil, nil, fmt.Errorf("app settings of %s: %w", env, err)
	}
	schema, err = read("schema.json")
	return settings, schema, err
}

// appConfig writes the app's configuration document (components/appconfig):
// what this stack made (database and pooler, secrets, keys, buckets, the
// region and whether it is a DR rebuild) and the environment's settings.
// A recovery writes its own, with the DR region's addresses; a drill none,
// having no app to read it (Recovery.Drill).
func (b *build) appConfig() (err error) {
	if b.cfg.drilling() {
		return nil
	}
	settings, schema, err := AppSettings(b.cfg.AppSettingsDir, b.cfg.Environment)
	if err != nil {
		return err
	}
	role := core.Primary
	if b.cfg.Recovery != nil {
		role = core.DR
	}
	facts := appconfig.Facts{
		SiteRole: role,
		Database: appconfig.Database{
			Endpoint: b.db.Endpoint, Port: b.db.Port, PoolerEndpoint: b.db.PoolerEndpoint, PoolerPort: b.db.PoolerPort,
			Name: b.db.DatabaseName, Users: b.db.AppUsers,
			// The read path (prod's read replicas).
			ReplicaEndpoints: b.db.ReplicaEndpoints,
		},
		SecretsLocation: b.secretsLocation(),
		Secrets:         b.secretRefs(),
		Keys:            map[string]pulumi.StringOutput{"field": b.store.Key(core.Primary, core.FieldKey).ID},
		Buckets:         map[string]pulumi.StringOutput{},
	}
	for _, purpose := range backupPurposes {
		facts.Buckets[purpose] = b.buckets[purpose].(pulumi.Map)["bucket"].(pulumi.StringInput).ToStringOutput()
	}
	args := &appconfig.AppConfigArgs{
		Deployment: b.dep, Facts: facts, AppSettings: settings, Schema: schema,
		Key:     b.store.Key(core.Primary, core.SecretsKey),
		DRKey:   b.store.Key(core.DR, core.SecretsKey),
		Network: b.net.Network,
	}
	args.AuditLog = b.logWorkspace()
	if b.cfg.Cloud == core.AWS {
		// The instances' health alarm; the ingress's error-rate and latency
		// alarms join it when the stack has an ingress (issue 15).
		args.Monitors = pulumi.StringArray{b.awsARN("cloudwatch", "alarm:"+autoscaling.HealthAlarmName(b.dep))}.ToStringArrayOutput()
	}
	b.config, err = appconfig.NewAppConfig(b.ctx, "app", args)
	if err != nil {
		return err
	}
	b.ctx.Export("appConfig", b.config.Retrieval)
	return nil
}

// secretsStack is the stack whose secrets the app reads: its own, or the
// source's in a recovery (their replicas in this region).
func (b *build) secretsStack() string {
	if b.cfg.Recovery != nil {
		return b.cfg.Recovery.sourceName()
	}
	return b.cfg.Stack
}

// secretsLocation is where the app's secrets live: the Secrets Manager
// name prefix (as a partial ARN), the Secret Manager id prefix, the vault.
func (b *build) secretsLocation() pulumi.StringOutput {
	src := b.secretsStack()
	switch b.cfg.Cloud {
	case core.AWS:
		return b.awsARN("secretsmanager", "secret:"+b.cfg.Project+"/"+src+"/")
	case core.GCP:
		return pulumi.String(fmt.Sprintf("projects/%s/secrets/%s-%s-", b.cfg.GCPProject, b.cfg.Project, src)).ToStringOutput()
	default:
		return b.store.Key(core.Primary, core.SecretsKey).VaultURI
	}
}

// secretRefs are the declared secrets' identifiers: never their values.
func (b *build) secretRefs() map[string]pulumi.StringOutput {
	out := map[string]pulumi.StringOutput{}
	loc := b.secretsLocation()
	for _, s := range b.cfg.Secrets.Secrets {
		if b.cfg.Cloud == core.Azure {
			out[s.Name] = pulumi.Sprintf("%ssecrets/%s", loc, s.Name)
			continue
		}
		out[s.Name] = pulumi.Sprintf("%s%s", loc, s.Name)
	}
	return out
}

// awsARN is an ARN in the stack's partition, account and primary region,
// read from the field key's ARN (the stack's account).
func (b *build) awsARN(service, resource string) pulumi.StringOutput {
	return b.store.Key(core.Primary, core.FieldKey).ID.ApplyT(func(key string) (string, error) {
		parts := strings.SplitN(key, ":", 6)
		if len(parts) < 6 {
			return "", fmt.Errorf("field key %q is not a KMS key ARN", key)
		}
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", parts[1], service, b.cfg.Region, parts[4], resource), nil
	}).(pulumi.StringOutput)
}
