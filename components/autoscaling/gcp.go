package autoscaling

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/monitoring"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
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
func (b *builder) gcp() (outputs, error) {
	schedules, err := b.sp.cal.GCPScalingSchedules(b.sp.from, b.sp.to)
	if err != nil {
		return outputs{}, err
	}
	sa, keyUser, err := b.gcpIdentity()
	if err != nil {
		return outputs{}, err
	}
	hc, err := b.gcpHealthCheck()
	if err != nil {
		return outputs{}, err
	}
	tmpl, err := b.gcpTemplate(sa, keyUser)
	if err != nil {
		return outputs{}, err
	}
	mig, err := b.gcpGroup(tmpl, hc)
	if err != nil {
		return outputs{}, err
	}
	lines, err := b.gcpAutoscaler(mig, schedules)
	if err != nil {
		return outputs{}, err
	}
	if b.args.Alerts != nil {
		_, maxReplicas := b.sp.cal.GCPAutoscalerLimits()
		if err := b.gcpAlarms(mig, maxReplicas); err != nil {
			return outputs{}, err
		}
	}
	return outputs{groupID: mig.ID().ToStringOutput(), groupName: mig.Name, identity: sa.Email, instanceGroup: mig.InstanceGroup,
		schedules: lines, validUntil: b.sp.to}, nil
}

// gcpAccountID is the instances' service account id (at most 30 characters).
func gcpAccountID(dep core.Deployment) string { return dep.NameWithin(30, "app") }

// GCPServiceAccountEmail is the email of the instances' service account,
// known before it exists, for grants that need it as plain config (the
// database's IAM user).
func GCPServiceAccountEmail(dep core.Deployment) string {
	return gcpAccountID(dep) + "@" + dep.Primary.GCPProject + ".iam.gserviceaccount.com"
}

// gcpIdentity is the instances' service account, and the data key granted
// to Compute Engine's service agent, which encrypts the disks: without it
// every instance creation fails.
func (b *builder) gcpIdentity() (*serviceaccount.Account, *kms.CryptoKeyIAMMember, error) {
	lookup := &organizations.LookupProjectArgs{}
	if b.site.GCPProject != "" {
		lookup.ProjectId = &b.site.GCPProject
	}
	project, err := organizations.LookupProject(b.ctx, lookup, b.invoke()...)
	if err != nil {
		return nil, nil, err
	}
	sa, err := serviceaccount.NewAccount(b.ctx, b.name, &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(gcpAccountID(b.dep)),
		DisplayName: pulumi.String("WedSync application instances"),
		Description: pulumi.String("Identity of the app instances; secrets are granted to it by the secrets store"),
	}, b.opts()...)
	if err != nil {
		return nil, nil, err
	}
	keyUser, err := kms.NewCryptoKeyIAMMember(b.ctx, b.name+"-compute-agent", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: b.args.Key.ID,
		Role:        pulumi.String("roles/cloudkms.cryptoKeyEncrypterDecrypter"),
		Member:      pulumi.String(fmt.Sprintf("serviceAccount:service-%s@compute-system.iam.gserviceaccount.com", project.Number)),
	}, b.opts()...)
	return sa, keyUser, err
}

// gcpHealthCheck is what autohealing judges an instance by.
func (b *builder) gcpHealthCheck() (*compute.HealthCheck, error) {
	return compute.NewHealthCheck(b.ctx, b.name, &compute.HealthCheckArgs{
		Name:               pulumi.String(b.dep.Name("app")),
		CheckIntervalSec:   pulumi.Int(10),
		TimeoutSec:         pulumi.Int(5),
		HealthyThreshold:   pulumi.Int(2),
		UnhealthyThreshold: pulumi.Int(3),
		HttpHealthCheck: &compute.HealthCheckHttpHealthCheckArgs{
			Port: pulumi.Int(network.AppPort), RequestPath: pulumi.String(b.set.HealthCheckPath),
		},
	}, b.opts()...)
}

// gcpTemplate is what every instance is created from: a shielded VM on the
// release's image, its boot disk encrypted with the data key, no external
// IP, OS Login only.
func (b *builder) gcpTemplate(sa *serviceaccount.Account, keyUser *kms.CryptoKeyIAMMember) (*compute.InstanceTemplate, error) {
	s := b.set
	return compute.NewInstanceTemplate(b.ctx, b.name, &compute.InstanceTemplateArgs{
		// Templates are immutable: a change makes a new one (prefix plus a
		// suffix) before the group moves to it and the old one is deleted.
		NamePrefix:  pulumi.String(b.dep.NameWithin(36, "app") + "-"), // the provider allows 37 characters
		Description: pulumi.String("WedSync application instances"),
		MachineType: pulumi.String(sizes[s.Size].gcp),
		Region:      pulumi.String(b.site.Region),
		Disks: compute.InstanceTemplateDiskArray{compute.InstanceTemplateDiskArgs{
			Boot: pulumi.Bool(true), AutoDelete: pulumi.Bool(true),
			SourceImage: pulumi.String(b.image()), DiskType: pulumi.String("pd-balanced"), DiskSizeGb: pulumi.Int(bootDiskGB),
			DiskEncryptionKey: &compute.InstanceTemplateDiskDiskEncryptionKeyArgs{KmsKeySelfLink: b.args.Key.ID},
		}},
		// No access config: no external IP. Egress goes through Cloud NAT.
		NetworkInterfaces: compute.InstanceTemplateNetworkInterfaceArray{compute.InstanceTemplateNetworkInterfaceArgs{
			Subnetwork: b.args.Network.AppSubnetIDs.Index(pulumi.Int(0)),
		}},
		Tags: pulumi.StringArray{pulumi.String(network.AppTag)},
		ServiceAccount: &compute.InstanceTemplateServiceAccountArgs{
			Email: sa.Email, Scopes: pulumi.StringArray{pulumi.String("https://www.googleapis.com/auth/cloud-platform")},
		},
		ShieldedInstanceConfig: &compute.InstanceTemplateShieldedInstanceConfigArgs{
			EnableSecureBoot: pulumi.Bool(true), EnableVtpm: pulumi.Bool(true), EnableIntegrityMonitoring: pulumi.Bool(true),
		},
		Metadata: pulumi.StringMap{"enable-oslogin": pulumi.String("TRUE"), "block-project-ssh-keys": pulumi.String("TRUE")},
	}, b.opts(pulumi.DependsOn([]pulumi.Resource{keyUser}))...)
}

// gcpGroup is the regional managed instance group over the site's zones.
func (b *builder) gcpGroup(tmpl *compute.InstanceTemplate, hc *compute.HealthCheck) (*compute.RegionInstanceGroupManager, error) {
	zones := b.site.Zones()
	return compute.NewRegionInstanceGroupManager(b.ctx, b.name, &compute.RegionInstanceGroupManagerArgs{
		Name:                          pulumi.String(b.dep.Name("app")),
		BaseInstanceName:              pulumi.String(b.dep.NameWithin(40, "app")),
		Region:                        pulumi.String(b.site.Region),
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
	}, b.opts()...)
}

// gcpAutoscaler gives the group a CPU target and the calendar's scaling
// schedules, and returns the schedules' Schedules lines.
func (b *builder) gcpAutoscaler(mig *compute.RegionInstanceGroupManager, schedules []season.GCPScalingSchedule) ([]string, error) {
	minReplicas, maxReplicas := b.sp.cal.GCPAutoscalerLimits()
	scalingSchedules := compute.RegionAutoscalerAutoscalingPolicyScalingScheduleArray{}
	lines := []string{}
	for _, sc := range schedules {
		scalingSchedules = append(scalingSchedules, compute.RegionAutoscalerAutoscalingPolicyScalingScheduleArgs{
			Name: pulumi.String(sc.Name), Schedule: pulumi.String(sc.Schedule), TimeZone: pulumi.String(sc.TimeZone),
			DurationSec: pulumi.Int(sc.DurationSec), MinRequiredReplicas: pulumi.Int(sc.MinRequiredReplicas),
			Description: pulumi.String(sc.Description),
		})
		lines = append(lines, describeGCPSchedule(sc))
	}
	_, err := compute.NewRegionAutoscaler(b.ctx, b.name, &compute.RegionAutoscalerArgs{
		Name:        pulumi.String(b.dep.Name("app")),
		Region:      pulumi.String(b.site.Region),
		Target:      mig.ID(),
		Description: pulumi.String(fmt.Sprintf("WedSync app: season calendar schedules valid until %s; re-apply the stack before then", rfc3339(b.sp.to))),
		AutoscalingPolicy: &compute.RegionAutoscalerAutoscalingPolicyArgs{
			Mode:             pulumi.String("ON"),
			MinReplicas:      pulumi.Int(minReplicas),
			MaxReplicas:      pulumi.Int(maxReplicas),
			CooldownPeriod:   pulumi.Int(warmupSeconds),
			CpuUtilization:   &compute.RegionAutoscalerAutoscalingPolicyCpuUtilizationArgs{Target: pulumi.Float64(float64(b.set.CPUTargetPercent) / 100)},
			ScalingSchedules: scalingSchedules,
		},
	}, b.opts()...)
	return lines, err
}

func describeGCPSchedule(s season.GCPScalingSchedule) string {
	return fmt.Sprintf("%s: cron %q (%s) for %ds: min %d", s.Name, s.Schedule, s.TimeZone, s.DurationSec, s.MinRequiredReplicas)
}

// gcpAlarms raises two alert policies: the group's size at the
// autoscaler's maximum (the calendar's largest window) for the at-max
// window, and autohealing recreating an instance that failed its health
// check (a log-match condition: Compute Engine logs every repair; Cloud
// Monitoring has no unhealthy-instance metric for a group).
func (b *builder) gcpAlarms(mig *compute.RegionInstanceGroupManager, maxReplicas int) error {
	dep, t := b.dep, b.args.Alerts.Limits()
	project := pulumi.String(dep.Primary.GCPProject)
	if _, err := monitoring.NewAlertPolicy(b.ctx, b.name+"-"+alarmAtMax, &monitoring.AlertPolicyArgs{
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
		NotificationChannels: b.args.Alerts.IDs,
	}, b.opts()...); err != nil {
		return err
	}
	_, err := monitoring.NewAlertPolicy(b.ctx, b.name+"-"+alarmUnhealthy, &monitoring.AlertPolicyArgs{
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
		NotificationChannels: b.args.Alerts.IDs,
	}, b.opts()...)
	return err
}
