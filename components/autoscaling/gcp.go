package autoscaling

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/network"
	"github.com/wedsync/wedsync-infra/season"
)

// gcp: a shielded-VM instance template (CMEK boot disk, no external IP,
// the app network tag, a dedicated service account), a regional managed
// instance group over the site's zones with an HTTP autohealing check and
// proactive rolling updates, and a regional autoscaler with a CPU target
// and the calendar's scaling schedules.
//
// The autoscaler owns the group's size (the group sets no target size), so
// nothing is written back on update. GCP schedules can only raise the
// minimum: the maximum is the largest of any window (GCPAutoscalerLimits).
func (c *AutoscalingGroup) gcp(ctx *pulumi.Context, name string, args *AutoscalingGroupArgs, sp schedulePlan) error {
	dep, site, s := args.Deployment, args.Deployment.Primary, args.Settings
	opts := site.With(pulumi.Parent(c))

	schedules, err := sp.cal.GCPScalingSchedules(sp.from, sp.to)
	if err != nil {
		return err
	}
	minReplicas, maxReplicas := sp.cal.GCPAutoscalerLimits()

	lookup := &organizations.LookupProjectArgs{}
	if site.GCPProject != "" {
		lookup.ProjectId = &site.GCPProject
	}
	project, err := organizations.LookupProject(ctx, lookup, pulumi.Provider(site.Provider), pulumi.Parent(c))
	if err != nil {
		return err
	}
	sa, err := serviceaccount.NewAccount(ctx, name, &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(dep.NameWithin(30, "app")),
		DisplayName: pulumi.String("WedSync application instances"),
		Description: pulumi.String("Identity of the app instances; secrets are granted to it by the secrets store"),
	}, opts...)
	if err != nil {
		return err
	}
	// Compute Engine's service agent encrypts the disks, so it needs the
	// data key; without it every instance creation fails.
	keyUser, err := kms.NewCryptoKeyIAMMember(ctx, name+"-compute-agent", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: args.Key.ID,
		Role:        pulumi.String("roles/cloudkms.cryptoKeyEncrypterDecrypter"),
		Member:      pulumi.String(fmt.Sprintf("serviceAccount:service-%s@compute-system.iam.gserviceaccount.com", project.Number)),
	}, opts...)
	if err != nil {
		return err
	}
	hc, err := compute.NewHealthCheck(ctx, name, &compute.HealthCheckArgs{
		Name:               pulumi.String(dep.Name("app")),
		CheckIntervalSec:   pulumi.Int(10),
		TimeoutSec:         pulumi.Int(5),
		HealthyThreshold:   pulumi.Int(2),
		UnhealthyThreshold: pulumi.Int(3),
		HttpHealthCheck: &compute.HealthCheckHttpHealthCheckArgs{
			Port: pulumi.Int(network.AppPort), RequestPath: pulumi.String(s.HealthCheckPath),
		},
	}, opts...)
	if err != nil {
		return err
	}
	subnet := args.Network.AppSubnetIDs.Index(pulumi.Int(0))
	tmpl, err := compute.NewInstanceTemplate(ctx, name, &compute.InstanceTemplateArgs{
		// Templates are immutable: a change makes a new one (prefix plus a
		// suffix) before the group moves to it and the old one is deleted.
		NamePrefix:  pulumi.String(dep.NameWithin(36, "app") + "-"), // the provider allows 37 characters
		Description: pulumi.String("WedSync application instances"),
		MachineType: pulumi.String(sizes[s.Size].gcp),
		Region:      pulumi.String(site.Region),
		Disks: compute.InstanceTemplateDiskArray{compute.InstanceTemplateDiskArgs{
			Boot: pulumi.Bool(true), AutoDelete: pulumi.Bool(true),
			SourceImage: pulumi.String(s.Image.GCP), DiskType: pulumi.String("pd-balanced"), DiskSizeGb: pulumi.Int(bootDiskGB),
			DiskEncryptionKey: &compute.InstanceTemplateDiskDiskEncryptionKeyArgs{KmsKeySelfLink: args.Key.ID},
		}},
		// No access config: no external IP. Egress goes through Cloud NAT.
		NetworkInterfaces: compute.InstanceTemplateNetworkInterfaceArray{compute.InstanceTemplateNetworkInterfaceArgs{Subnetwork: subnet}},
		Tags:              pulumi.StringArray{pulumi.String(network.AppTag)},
		ServiceAccount: &compute.InstanceTemplateServiceAccountArgs{
			Email: sa.Email, Scopes: pulumi.StringArray{pulumi.String("https://www.googleapis.com/auth/cloud-platform")},
		},
		ShieldedInstanceConfig: &compute.InstanceTemplateShieldedInstanceConfigArgs{
			EnableSecureBoot: pulumi.Bool(true), EnableVtpm: pulumi.Bool(true), EnableIntegrityMonitoring: pulumi.Bool(true),
		},
		Metadata: pulumi.StringMap{"enable-oslogin": pulumi.String("TRUE"), "block-project-ssh-keys": pulumi.String("TRUE")},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{keyUser}))...)
	if err != nil {
		return err
	}
	zones := site.Zones()
	mig, err := compute.NewRegionInstanceGroupManager(ctx, name, &compute.RegionInstanceGroupManagerArgs{
		Name:                          pulumi.String(dep.Name("app")),
		BaseInstanceName:              pulumi.String(dep.NameWithin(40, "app")),
		Region:                        pulumi.String(site.Region),
		DistributionPolicyZones:       pulumi.ToStringArray(zones),
		DistributionPolicyTargetShape: pulumi.String("EVEN"),
		Versions: compute.RegionInstanceGroupManagerVersionArray{compute.RegionInstanceGroupManagerVersionArgs{
			Name: pulumi.String("release"), InstanceTemplate: tmpl.SelfLink,
		}},
		NamedPorts: compute.RegionInstanceGroupManagerNamedPortArray{compute.RegionInstanceGroupManagerNamedPortArgs{
			Name: pulumi.String("http"), Port: pulumi.Int(network.AppPort),
		}},
		AutoHealingPolicies: &compute.RegionInstanceGroupManagerAutoHealingPoliciesArgs{
			HealthCheck: hc.ID(), InitialDelaySec: pulumi.Int(warmupSeconds),
		},
		// Proactive: a new template rolls out on its own. Surge one
		// instance per zone and never take one away first, which keeps
		// every instance in service (stricter than minHealthyPercent; a
		// regional group cannot take a percentage below ten instances).
		UpdatePolicy: &compute.RegionInstanceGroupManagerUpdatePolicyArgs{
			Type:                       pulumi.String("PROACTIVE"),
			MinimalAction:              pulumi.String("REPLACE"),
			ReplacementMethod:          pulumi.String("SUBSTITUTE"),
			InstanceRedistributionType: pulumi.String("PROACTIVE"),
			MaxSurgeFixed:              pulumi.Int(len(zones)),
			MaxUnavailableFixed:        pulumi.Int(0),
			MinReadySec:                pulumi.Int(60),
		},
	}, opts...)
	if err != nil {
		return err
	}

	validUntil := rfc3339(sp.to)
	scalingSchedules := compute.RegionAutoscalerAutoscalingPolicyScalingScheduleArray{}
	lines := pulumi.StringArray{}
	for _, sc := range schedules {
		scalingSchedules = append(scalingSchedules, compute.RegionAutoscalerAutoscalingPolicyScalingScheduleArgs{
			Name: pulumi.String(sc.Name), Schedule: pulumi.String(sc.Schedule), TimeZone: pulumi.String(sc.TimeZone),
			DurationSec: pulumi.Int(sc.DurationSec), MinRequiredReplicas: pulumi.Int(sc.MinRequiredReplicas),
			Description: pulumi.String(sc.Description),
		})
		lines = append(lines, pulumi.String(describeGCPSchedule(sc)))
	}
	if _, err := compute.NewRegionAutoscaler(ctx, name, &compute.RegionAutoscalerArgs{
		Name:        pulumi.String(dep.Name("app")),
		Region:      pulumi.String(site.Region),
		Target:      mig.ID(),
		Description: pulumi.String(fmt.Sprintf("WedSync app: season calendar schedules valid until %s; re-apply the stack before then", validUntil)),
		AutoscalingPolicy: &compute.RegionAutoscalerAutoscalingPolicyArgs{
			Mode:             pulumi.String("ON"),
			MinReplicas:      pulumi.Int(minReplicas),
			MaxReplicas:      pulumi.Int(maxReplicas),
			CooldownPeriod:   pulumi.Int(warmupSeconds),
			CpuUtilization:   &compute.RegionAutoscalerAutoscalingPolicyCpuUtilizationArgs{Target: pulumi.Float64(float64(s.CPUTargetPercent) / 100)},
			ScalingSchedules: scalingSchedules,
		},
	}, opts...); err != nil {
		return err
	}

	if args.Alerts != nil {
		if err := gcpAlarms(ctx, name, args, mig, maxReplicas, opts); err != nil {
			return err
		}
	}

	c.GroupID = mig.ID().ToStringOutput()
	c.GroupName = mig.Name
	c.Identity = sa.Email
	c.InstanceProfile = pulumi.String("").ToStringOutput()
	c.Schedules = lines.ToStringArrayOutput()
	c.SchedulesValidUntil = pulumi.String(validUntil).ToStringOutput()
	return nil
}

func describeGCPSchedule(s season.GCPScalingSchedule) string {
	return fmt.Sprintf("%s: cron %q (%s) for %ds: min %d", s.Name, s.Schedule, s.TimeZone, s.DurationSec, s.MinRequiredReplicas)
}

// gcpAlarms raises two alert policies: the group's size at the
// autoscaler's maximum (the calendar's largest window) for the at-max
// window, and autohealing recreating an instance that failed its health
// check (a log-match condition: Compute Engine logs every repair; Cloud
// Monitoring has no unhealthy-instance metric for a group).
func gcpAlarms(ctx *pulumi.Context, name string, args *AutoscalingGroupArgs, mig *compute.RegionInstanceGroupManager, maxReplicas int, opts []pulumi.ResourceOption) error {
	dep, t := args.Deployment, args.Alerts.Limits()
	project := pulumi.String(dep.Primary.GCPProject)
	if _, err := monitoring.NewAlertPolicy(ctx, name+"-"+alarmAtMax, &monitoring.AlertPolicyArgs{
		Project:     project,
		DisplayName: pulumi.String(dep.Name("app", alarmAtMax)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String(fmt.Sprintf("group size at its maximum (%d)", maxReplicas)),
			ConditionThreshold: &monitoring.AlertPolicyConditionConditionThresholdArgs{
				Filter:         pulumi.Sprintf(`resource.type = "instance_group" AND resource.labels.instance_group_name = "%s" AND metric.type = "compute.googleapis.com/instance_group/size"`, mig.Name),
				Comparison:     pulumi.String("COMPARISON_GT"),
				ThresholdValue: pulumi.Float64(float64(maxReplicas) - 0.5),
				Duration:       pulumi.String(fmt.Sprintf("%ds", t.GroupAtMaxMinutes*60)),
				Aggregations: monitoring.AlertPolicyConditionConditionThresholdAggregationArray{monitoring.AlertPolicyConditionConditionThresholdAggregationArgs{
					AlignmentPeriod: pulumi.String("60s"), PerSeriesAligner: pulumi.String("ALIGN_MIN"),
				}},
			},
		}},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(alarmAtMax, t)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: args.Alerts.IDs,
	}, opts...); err != nil {
		return err
	}
	_, err := monitoring.NewAlertPolicy(ctx, name+"-"+alarmUnhealthy, &monitoring.AlertPolicyArgs{
		Project:     project,
		DisplayName: pulumi.String(dep.Name("app", alarmUnhealthy)),
		Combiner:    pulumi.String("OR"),
		Severity:    pulumi.String("ERROR"),
		Conditions: monitoring.AlertPolicyConditionArray{monitoring.AlertPolicyConditionArgs{
			DisplayName: pulumi.String("autohealing recreated an instance of the group"),
			ConditionMatchedLog: &monitoring.AlertPolicyConditionConditionMatchedLogArgs{
				Filter: pulumi.Sprintf(`resource.type = "gce_instance" AND protoPayload.methodName = "compute.instances.repair.recreateInstance" AND protoPayload.resourceName : "instances/%s-"`, dep.NameWithin(40, "app")),
			},
		}},
		AlertStrategy: &monitoring.AlertPolicyAlertStrategyArgs{
			NotificationRateLimit: &monitoring.AlertPolicyAlertStrategyNotificationRateLimitArgs{Period: pulumi.String(fmt.Sprintf("%ds", t.GroupUnhealthyMinutes*60))},
			AutoClose:             pulumi.String("3600s"),
		},
		Documentation:        &monitoring.AlertPolicyDocumentationArgs{Content: pulumi.String(alarmDescription(alarmUnhealthy, t)), MimeType: pulumi.String("text/markdown")},
		NotificationChannels: args.Alerts.IDs,
	}, opts...)
	return err
}
