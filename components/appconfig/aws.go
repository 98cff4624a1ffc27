package appconfig

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appconfig"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AWSReadActions are what the app (through the AppConfig Agent) does with
// its configuration: open a session and fetch the latest deployed version
// (docs.aws.amazon.com/appconfig/latest/userguide/appconfig-agent-how-to-use.html).
var AWSReadActions = []string{"appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"}

// aws is AppConfig: the application, the stack's environment watched by
// its alarms, a hosted freeform profile validated by the document's JSON
// Schema and encrypted with the secrets key, a linear strategy with a
// bake time, and a deployment of the version the stack wrote. A new
// version deploys to running instances; none is replaced.
func (b *builder) aws() (outputs, error) {
	a, dep := b.a, b.a.Deployment
	app, err := appconfig.NewApplication(b.ctx, b.name, &appconfig.ApplicationArgs{
		Name: pulumi.String(dep.Name("app")), Description: pulumi.String(b.description()), Tags: dep.Tags.For(b.site.Cloud),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	env, err := b.awsEnvironment(app)
	if err != nil {
		return outputs{}, err
	}
	profile, err := appconfig.NewConfigurationProfile(b.ctx, b.name, &appconfig.ConfigurationProfileArgs{
		ApplicationId:    app.ID(),
		Name:             pulumi.String("document"),
		Description:      pulumi.String("the stack's facts and the app's settings, one JSON document"),
		LocationUri:      pulumi.String("hosted"),
		Type:             pulumi.String("AWS.Freeform"),
		KmsKeyIdentifier: a.Key.ID,
		Validators: appconfig.ConfigurationProfileValidatorArray{appconfig.ConfigurationProfileValidatorArgs{
			Type: pulumi.String("JSON_SCHEMA"), Content: pulumi.String(b.schema),
		}},
		Tags: dep.Tags.For(b.site.Cloud),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	version, err := appconfig.NewHostedConfigurationVersion(b.ctx, b.name, &appconfig.HostedConfigurationVersionArgs{
		ApplicationId:          app.ID(),
		ConfigurationProfileId: profile.ConfigurationProfileId,
		ContentType:            pulumi.String("application/json"),
		Content:                b.doc,
		Description:            pulumi.String("written by pulumi up of " + dep.Stack),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	strategy, err := b.awsStrategy()
	if err != nil {
		return outputs{}, err
	}
	if _, err := appconfig.NewDeployment(b.ctx, b.name, &appconfig.DeploymentArgs{
		ApplicationId:          app.ID(),
		EnvironmentId:          env.EnvironmentId,
		ConfigurationProfileId: profile.ConfigurationProfileId,
		ConfigurationVersion:   version.VersionNumber.ApplyT(func(n int) string { return fmt.Sprint(n) }).(pulumi.StringOutput),
		DeploymentStrategyId:   strategy.ID(),
		KmsKeyIdentifier:       a.Key.ID,
		Description:            pulumi.String("the version pulumi up wrote"),
		Tags:                   dep.Tags.For(b.site.Cloud),
	}, b.opts()...); err != nil {
		return outputs{}, err
	}
	// The configuration ARN the read actions take.
	scope := pulumi.All(a.Key.ID, app.ID().ToStringOutput(), env.EnvironmentId, profile.ConfigurationProfileId).ApplyT(func(v []any) (string, error) {
		return awsConfigurationARN(v[0].(string), v[1].(string), v[2].(string), v[3].(string))
	}).(pulumi.StringOutput)
	return outputs{store: app.ID().ToStringOutput(), readScope: scope, retrieval: pulumi.StringMap{
		"application": app.Name, "environment": env.Name, "profile": profile.Name,
	}}, nil
}

// awsEnvironment is the stack's environment, watched during deployments
// by the stack's alarms through a role AppConfig assumes to read them
// (docs.aws.amazon.com/appconfig/latest/userguide/getting-started-with-appconfig-cloudwatch-alarms-permissions.html).
func (b *builder) awsEnvironment(app *appconfig.Application) (*appconfig.Environment, error) {
	dep := b.a.Deployment
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := iam.NewRole(b.ctx, b.name+"-monitors", &iam.RoleArgs{
		Name:             pulumi.String(dep.NameWithin(64, "appconfig-monitors")),
		Description:      pulumi.String("AppConfig reads the stack's alarms to roll a bad configuration back"),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             dep.Tags.For(b.site.Cloud),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-monitors", &iam.RolePolicyArgs{
		Role: role.Name, Name: pulumi.String("describe-alarms"),
		// DescribeAlarms takes alarm ARNs as resources: these alarms only
		// (docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_cloudwatch.html).
		Policy: b.a.Monitors.ApplyT(func(arns []string) (string, error) {
			out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{
				{"Effect": "Allow", "Action": "cloudwatch:DescribeAlarms", "Resource": arns},
			}})
			return string(out), err
		}).(pulumi.StringOutput),
	}, b.opts()...); err != nil {
		return nil, err
	}
	return appconfig.NewEnvironment(b.ctx, b.name, &appconfig.EnvironmentArgs{
		ApplicationId: app.ID(),
		Name:          pulumi.String(dep.Stack),
		Description:   pulumi.String("the stack's running instances; its alarms roll a deployment back"),
		Monitors: pulumi.All(b.a.Monitors, role.Arn).ApplyT(func(v []any) []appconfig.EnvironmentMonitor {
			roleArn := v[1].(string)
			var out []appconfig.EnvironmentMonitor
			for _, arn := range v[0].([]string) {
				out = append(out, appconfig.EnvironmentMonitor{AlarmArn: arn, AlarmRoleArn: &roleArn})
			}
			return out
		}).(appconfig.EnvironmentMonitorArrayOutput),
		Tags: dep.Tags.For(b.site.Cloud),
	}, b.opts()...)
}

// awsStrategy is the linear rollout: StepPercent of the instances every
// RolloutMinutes*StepPercent/100 minutes, then BakeMinutes under the
// alarms. The emergency path (all at once) is AppConfig's predefined
// AppConfig.AllAtOnce strategy, used by hand (docs/runbooks).
func (b *builder) awsStrategy() (*appconfig.DeploymentStrategy, error) {
	s := b.a.Settings
	return appconfig.NewDeploymentStrategy(b.ctx, b.name, &appconfig.DeploymentStrategyArgs{
		Name:                        pulumi.String(b.a.Deployment.Name("appconfig-linear")),
		Description:                 pulumi.String(fmt.Sprintf("linear in %d%% steps over %d minutes, %d minutes' bake", *s.StepPercent, *s.RolloutMinutes, *s.BakeMinutes)),
		DeploymentDurationInMinutes: pulumi.Int(*s.RolloutMinutes),
		GrowthFactor:                pulumi.Float64(float64(*s.StepPercent)),
		GrowthType:                  pulumi.String("LINEAR"),
		FinalBakeTimeInMinutes:      pulumi.Int(*s.BakeMinutes),
		ReplicateTo:                 pulumi.String("NONE"),
		Tags:                        b.a.Deployment.Tags.For(b.site.Cloud),
	}, b.opts()...)
}

// awsConfigurationARN is the ARN StartConfigurationSession authorizes on,
// in the key's partition, region and account
// (docs.aws.amazon.com/service-authorization/latest/reference/list_awsappconfig.html).
func awsConfigurationARN(keyARN, app, env, profile string) (string, error) {
	parts := strings.SplitN(keyARN, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", fmt.Errorf("key %q is not a KMS key ARN", keyARN)
	}
	return fmt.Sprintf("arn:%s:appconfig:%s:%s:application/%s/environment/%s/configuration/%s", parts[1], parts[3], parts[4], app, env, profile), nil
}
