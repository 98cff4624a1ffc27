package autoscaling

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/compute/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/network"
	"github.com/wedsync/wedsync-infra/season"
)

// keyVaultCryptoServiceEncryptionUser lets a disk encryption set wrap and
// unwrap with a Key Vault key, and nothing else.
const keyVaultCryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

const azureAdminUser = "wedsyncadmin"

// azure: a Uniform VM scale set across zones 1-3 (encryption at host, OS
// disk encrypted with the data key through a disk encryption set, Trusted
// Launch, automatic repairs, rolling upgrades gated by the application
// health extension, a user-assigned identity), and an autoscale setting
// whose profiles are the calendar's, each with the CPU rules.
//
// Uniform rather than Flexible: it is the orchestration mode where rolling
// upgrade policy, automatic repairs and the health extension are all
// generally available together.
func (c *AutoscalingGroup) azure(ctx *pulumi.Context, name string, args *AutoscalingGroupArgs, sp schedulePlan) error {
	dep, site, s := args.Deployment, args.Deployment.Primary, args.Settings
	opts := site.With(pulumi.Parent(c))
	tags := dep.Tags.For(core.Azure)
	rg := site.AzureResourceGroup
	location := pulumi.String(site.Region)

	profilesPlan, err := sp.cal.AzureProfiles(sp.from, sp.to)
	if err != nil {
		return err
	}
	image, err := parseAzureImage(s.Image.Azure)
	if err != nil {
		return err
	}
	client, err := authorization.GetClientConfig(ctx, pulumi.Provider(site.Provider), pulumi.Parent(c))
	if err != nil {
		return err
	}

	appIdentity, err := managedidentity.NewUserAssignedIdentity(ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: rg, ResourceName: pulumi.String(dep.Name("app", site.Short())), Location: location, Tags: tags,
	}, opts...)
	if err != nil {
		return err
	}
	// The disk encryption set gets an identity of its own, created (and
	// granted the key) before the set, so the set can use the key from its
	// first moment.
	desIdentity, err := managedidentity.NewUserAssignedIdentity(ctx, name+"-disks", &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: rg, ResourceName: pulumi.String(dep.Name("app-disks", site.Short())), Location: location, Tags: tags,
	}, opts...)
	if err != nil {
		return err
	}
	grant, err := authorization.NewRoleAssignment(ctx, name+"-disks-key", &authorization.RoleAssignmentArgs{
		Scope:            args.Key.VaultID,
		PrincipalId:      desIdentity.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: pulumi.String(fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", client.SubscriptionId, keyVaultCryptoServiceEncryptionUser)),
		Description:      pulumi.String("WedSync app disk encryption set: wrap and unwrap disk keys with the data key"),
	}, opts...)
	if err != nil {
		return err
	}
	des, err := compute.NewDiskEncryptionSet(ctx, name, &compute.DiskEncryptionSetArgs{
		ResourceGroupName:     rg,
		DiskEncryptionSetName: pulumi.String(dep.Name("app", site.Short())),
		Location:              location,
		Tags:                  tags,
		EncryptionType:        pulumi.String("EncryptionAtRestWithCustomerKey"),
		// A versionless key URL with rotation on: disks follow the key's
		// rotation without a change here.
		ActiveKey:                         &compute.KeyForDiskEncryptionSetArgs{KeyUrl: args.Key.ID, SourceVault: &compute.SourceVaultArgs{Id: args.Key.VaultID}},
		RotationToLatestKeyVersionEnabled: pulumi.Bool(true),
		Identity: &compute.EncryptionSetIdentityArgs{
			Type: pulumi.String("UserAssigned"), UserAssignedIdentities: pulumi.StringArray{desIdentity.ID()},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{grant}))...)
	if err != nil {
		return err
	}

	imageRef := &compute.ImageReferenceArgs{}
	if image.id != "" {
		imageRef.Id = pulumi.String(image.id)
	} else {
		imageRef.Publisher, imageRef.Offer = pulumi.String(image.publisher), pulumi.String(image.offer)
		imageRef.Sku, imageRef.Version = pulumi.String(image.sku), pulumi.String(image.version)
	}
	maxUnhealthy := 100 - s.MinHealthyPercent
	vmss, err := compute.NewVirtualMachineScaleSet(ctx, name, &compute.VirtualMachineScaleSetArgs{
		ResourceGroupName:        rg,
		VmScaleSetName:           pulumi.String(dep.Name("app", site.Short())),
		Location:                 location,
		Tags:                     tags,
		OrchestrationMode:        pulumi.String("Uniform"),
		Zones:                    pulumi.ToStringArray(site.Zones()),
		ZoneBalance:              pulumi.Bool(len(site.Zones()) > 1),
		PlatformFaultDomainCount: pulumi.Int(1),
		SinglePlacementGroup:     pulumi.Bool(false),
		Overprovision:            pulumi.Bool(false),
		// Created at the calendar's capacity now; see IgnoreChanges below.
		Sku: &compute.SkuArgs{Name: pulumi.String(sizes[s.Size].azure), Tier: pulumi.String("Standard"), Capacity: pulumi.Float64(float64(sp.base.Desired))},
		Identity: &compute.VirtualMachineScaleSetIdentityArgs{
			Type: compute.ResourceIdentityTypeUserAssigned, UserAssignedIdentities: pulumi.StringArray{appIdentity.ID()},
		},
		UpgradePolicy: &compute.UpgradePolicyArgs{
			Mode: compute.UpgradeModeRolling,
			RollingUpgradePolicy: &compute.RollingUpgradePolicyArgs{
				MaxBatchInstancePercent:             pulumi.Int(maxUnhealthy),
				MaxUnhealthyInstancePercent:         pulumi.Int(maxUnhealthy),
				MaxUnhealthyUpgradedInstancePercent: pulumi.Int(maxUnhealthy),
				PauseTimeBetweenBatches:             pulumi.String("PT0S"),
				PrioritizeUnhealthyInstances:        pulumi.Bool(true),
			},
		},
		AutomaticRepairsPolicy: &compute.AutomaticRepairsPolicyArgs{
			Enabled: pulumi.Bool(true), GracePeriod: pulumi.String("PT10M"), RepairAction: pulumi.String("Replace"),
		},
		VirtualMachineProfile: &compute.VirtualMachineScaleSetVMProfileArgs{
			OsProfile: &compute.VirtualMachineScaleSetOSProfileArgs{
				ComputerNamePrefix: pulumi.String("wedsync"),
				AdminUsername:      pulumi.String(azureAdminUser),
				LinuxConfiguration: &compute.LinuxConfigurationArgs{
					DisablePasswordAuthentication: pulumi.Bool(true),
					ProvisionVMAgent:              pulumi.Bool(true),
					Ssh: &compute.SshConfigurationArgs{PublicKeys: compute.SshPublicKeyTypeArray{compute.SshPublicKeyTypeArgs{
						Path: pulumi.String("/home/" + azureAdminUser + "/.ssh/authorized_keys"), KeyData: pulumi.String(s.AdminSSHPublicKey),
					}}},
				},
			},
			SecurityProfile: &compute.SecurityProfileArgs{
				EncryptionAtHost: pulumi.Bool(true),
				SecurityType:     pulumi.String("TrustedLaunch"),
				UefiSettings:     &compute.UefiSettingsArgs{SecureBootEnabled: pulumi.Bool(true), VTpmEnabled: pulumi.Bool(true)},
			},
			StorageProfile: &compute.VirtualMachineScaleSetStorageProfileArgs{
				ImageReference: imageRef,
				OsDisk: &compute.VirtualMachineScaleSetOSDiskArgs{
					CreateOption: pulumi.String("FromImage"),
					Caching:      compute.CachingTypesReadWrite,
					DiskSizeGB:   pulumi.Int(bootDiskGB),
					DeleteOption: pulumi.String("Delete"),
					ManagedDisk: &compute.VirtualMachineScaleSetManagedDiskParametersArgs{
						StorageAccountType: pulumi.String("Premium_LRS"),
						DiskEncryptionSet:  &compute.DiskEncryptionSetParametersArgs{Id: des.ID()},
					},
				},
			},
			// No public IP configuration: instances are private.
			NetworkProfile: &compute.VirtualMachineScaleSetNetworkProfileArgs{
				NetworkInterfaceConfigurations: compute.VirtualMachineScaleSetNetworkConfigurationArray{compute.VirtualMachineScaleSetNetworkConfigurationArgs{
					Name: pulumi.String("app"), Primary: pulumi.Bool(true),
					IpConfigurations: compute.VirtualMachineScaleSetIPConfigurationArray{compute.VirtualMachineScaleSetIPConfigurationArgs{
						Name: pulumi.String("app"), Primary: pulumi.Bool(true),
						Subnet: &compute.ApiEntityReferenceArgs{Id: args.Network.AppSubnetIDs.Index(pulumi.Int(0))},
					}},
				}},
			},
			// The health extension is what rolling upgrades and automatic
			// repairs judge an instance by.
			ExtensionProfile: &compute.VirtualMachineScaleSetExtensionProfileArgs{
				Extensions: compute.VirtualMachineScaleSetExtensionTypeArray{compute.VirtualMachineScaleSetExtensionTypeArgs{
					Name: pulumi.String("health"), Publisher: pulumi.String("Microsoft.ManagedServices"),
					Type: pulumi.String("ApplicationHealthLinux"), TypeHandlerVersion: pulumi.String("2.0"), AutoUpgradeMinorVersion: pulumi.Bool(true),
					Settings: pulumi.Map{"protocol": pulumi.String("http"), "port": pulumi.Int(network.AppPort), "requestPath": pulumi.String(s.HealthCheckPath)},
				}},
			},
			DiagnosticsProfile: &compute.DiagnosticsProfileArgs{BootDiagnostics: &compute.BootDiagnosticsArgs{Enabled: pulumi.Bool(true)}},
		},
	}, append(opts,
		// After creation the autoscale setting owns the instance count:
		// writing the creation-time capacity back on every update would
		// undo the profile in effect.
		pulumi.IgnoreChanges([]string{"sku.capacity"}),
	)...)
	if err != nil {
		return err
	}

	rules := azureCPURules(vmss.ID().ToStringOutput(), s.CPUTargetPercent)
	profiles := insights.AutoscaleProfileArray{}
	lines := pulumi.StringArray{}
	for _, p := range profilesPlan.Profiles {
		profiles = append(profiles, azureProfile(p, rules))
		lines = append(lines, pulumi.String(describeAzureProfile(p)))
	}
	validUntil := rfc3339(profilesPlan.ValidUntil)
	setting, err := insights.NewAutoscaleSetting(ctx, name, &insights.AutoscaleSettingArgs{
		ResourceGroupName:    rg,
		AutoscaleSettingName: pulumi.String(dep.Name("app", site.Short())),
		Location:             location,
		Tags:                 dep.Tags.With(validUntilTag, validUntil).For(core.Azure),
		Enabled:              pulumi.Bool(true),
		TargetResourceUri:    vmss.ID(),
		Profiles:             profiles,
	}, opts...)
	if err != nil {
		return err
	}
	if args.Alerts != nil {
		ceiling := 0
		for _, p := range profilesPlan.Profiles {
			ceiling = max(ceiling, p.Capacity.Maximum)
		}
		if err := azureAlarms(ctx, name, args, vmss, setting, ceiling, opts); err != nil {
			return err
		}
	}

	c.GroupID = vmss.ID().ToStringOutput()
	c.GroupName = vmss.Name
	c.Identity = appIdentity.PrincipalId
	c.InstanceProfile = pulumi.String("").ToStringOutput()
	c.Schedules = lines.ToStringArrayOutput()
	c.SchedulesValidUntil = pulumi.String(validUntil).ToStringOutput()
	return nil
}

// azureCPURules scale out by one instance when the average CPU is above
// the target for 5 minutes, and in by one when it is 20 points below for
// 10 minutes. Azure evaluates only the profile in effect, so every profile
// carries them (a profile without rules would never react to load).
func azureCPURules(vmss pulumi.StringOutput, target int) insights.ScaleRuleArray {
	rule := func(op insights.ComparisonOperationType, threshold int, window string, dir insights.ScaleDirection) insights.ScaleRuleArgs {
		return insights.ScaleRuleArgs{
			MetricTrigger: insights.MetricTriggerArgs{
				MetricName: pulumi.String("Percentage CPU"), MetricNamespace: pulumi.String("microsoft.compute/virtualmachinescalesets"),
				MetricResourceUri: vmss, Operator: op, Statistic: insights.MetricStatisticTypeAverage,
				Threshold: pulumi.Float64(float64(threshold)), TimeAggregation: insights.TimeAggregationTypeAverage,
				TimeGrain: pulumi.String("PT1M"), TimeWindow: pulumi.String(window),
			},
			ScaleAction: insights.ScaleActionArgs{
				Direction: dir, Type: insights.ScaleTypeChangeCount, Value: pulumi.String("1"), Cooldown: pulumi.String("PT5M"),
			},
		}
	}
	return insights.ScaleRuleArray{
		rule(insights.ComparisonOperationTypeGreaterThan, target, "PT5M", insights.ScaleDirectionIncrease),
		rule(insights.ComparisonOperationTypeLessThan, max(target-20, 5), "PT10M", insights.ScaleDirectionDecrease),
	}
}

func azureProfile(p season.AzureProfile, rules insights.ScaleRuleArray) insights.AutoscaleProfileArgs {
	out := insights.AutoscaleProfileArgs{
		Name: pulumi.String(p.Name),
		Capacity: insights.ScaleCapacityArgs{
			Minimum: pulumi.String(strconv.Itoa(p.Capacity.Minimum)),
			Maximum: pulumi.String(strconv.Itoa(p.Capacity.Maximum)),
			Default: pulumi.String(strconv.Itoa(p.Capacity.Default)),
		},
		Rules: rules,
	}
	if r := p.Recurrence; r != nil {
		out.Recurrence = &insights.RecurrenceArgs{
			Frequency: insights.RecurrenceFrequency(r.Frequency),
			Schedule: insights.RecurrentScheduleArgs{
				TimeZone: pulumi.String(r.Schedule.TimeZone), Days: pulumi.ToStringArray(r.Schedule.Days),
				Hours: pulumi.ToIntArray(r.Schedule.Hours), Minutes: pulumi.ToIntArray(r.Schedule.Minutes),
			},
		}
	}
	if f := p.FixedDate; f != nil {
		out.FixedDate = &insights.TimeWindowArgs{TimeZone: pulumi.String(f.TimeZone), Start: pulumi.String(rfc3339(f.Start)), End: pulumi.String(rfc3339(f.End))}
	}
	return out
}

func describeAzureProfile(p season.AzureProfile) string {
	k := capacityLine(season.Capacity{Min: p.Capacity.Minimum, Max: p.Capacity.Maximum, Desired: p.Capacity.Default})
	switch {
	case p.Recurrence != nil:
		s := p.Recurrence.Schedule
		return fmt.Sprintf("%s: every %s at %02d:%02d (%s): %s", p.Name, strings.Join(s.Days, ","), s.Hours[0], s.Minutes[0], s.TimeZone, k)
	case p.FixedDate != nil:
		return fmt.Sprintf("%s: %s to %s: %s", p.Name, rfc3339(p.FixedDate.Start), rfc3339(p.FixedDate.End), k)
	}
	return fmt.Sprintf("%s: default: %s", p.Name, k)
}

// azureAlarms raises two metric alerts: the autoscale setting's observed
// capacity at the largest maximum of its profiles for the at-max window,
// and the scale set's VM availability below 100% (an instance that is not
// running or failing its health probe) for the unhealthy window.
func azureAlarms(ctx *pulumi.Context, name string, args *AutoscalingGroupArgs, vmss *compute.VirtualMachineScaleSet, setting *insights.AutoscaleSetting, ceiling int, opts []pulumi.ResourceOption) error {
	dep, t := args.Deployment, args.Alerts.Limits()
	actions := args.Alerts.IDs.ApplyT(func(ids []string) []insights.MetricAlertAction {
		out := make([]insights.MetricAlertAction, len(ids))
		for i := range ids {
			out[i] = insights.MetricAlertAction{ActionGroupId: &ids[i]}
		}
		return out
	}).(insights.MetricAlertActionArrayOutput)
	for _, a := range []struct {
		key, namespace, metric, operator, aggregation string
		threshold                                     float64
		scope                                         pulumi.StringOutput
		minutes                                       int
	}{
		{alarmAtMax, "microsoft.insights/autoscalesettings", "ObservedCapacity", "GreaterThanOrEqual", "Minimum", float64(ceiling), setting.ID().ToStringOutput(), t.GroupAtMaxMinutes},
		{alarmUnhealthy, "microsoft.compute/virtualmachinescalesets", "VmAvailabilityMetric", "LessThan", "Average", 1, vmss.ID().ToStringOutput(), t.GroupUnhealthyMinutes},
	} {
		if _, err := insights.NewMetricAlert(ctx, name+"-"+a.key, &insights.MetricAlertArgs{
			RuleName:            pulumi.String(dep.Name("app", a.key)),
			ResourceGroupName:   dep.Primary.AzureResourceGroup,
			Location:            pulumi.String("global"),
			Description:         pulumi.String(alarmDescription(a.key, t)),
			Enabled:             pulumi.Bool(true),
			Severity:            pulumi.Int(2),
			Scopes:              pulumi.StringArray{a.scope},
			EvaluationFrequency: pulumi.String("PT5M"),
			WindowSize:          pulumi.String(azureWindow(a.minutes)),
			Criteria: insights.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
				OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
				AllOf: insights.MetricCriteriaArray{insights.MetricCriteriaArgs{
					CriterionType:   pulumi.String("StaticThresholdCriterion"),
					Name:            pulumi.String(a.key),
					MetricNamespace: pulumi.String(a.namespace),
					MetricName:      pulumi.String(a.metric),
					Operator:        pulumi.String(a.operator),
					Threshold:       pulumi.Float64(a.threshold),
					TimeAggregation: pulumi.String(a.aggregation),
				}},
			},
			Actions: actions,
			Tags:    dep.Tags.For(core.Azure),
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}

// azureWindow is the shortest metric alert window Azure allows that covers
// minutes.
func azureWindow(minutes int) string {
	for _, w := range []int{1, 5, 15, 30, 60, 360, 720} {
		if minutes <= w {
			if w >= 60 {
				return fmt.Sprintf("PT%dH", w/60)
			}
			return fmt.Sprintf("PT%dM", w)
		}
	}
	return "P1D"
}
