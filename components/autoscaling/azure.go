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
	"github.com/wedsync/wedsync-infra/components/core/azuremetric"
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
func (b *builder) azure() (outputs, error) {
	profiles, err := b.sp.cal.AzureProfiles(b.sp.from, b.sp.to)
	if err != nil {
		return outputs{}, err
	}
	image, err := parseAzureImage(b.image())
	if err != nil {
		return outputs{}, err
	}
	client, err := authorization.GetClientConfig(b.ctx, b.invoke()...)
	if err != nil {
		return outputs{}, err
	}
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name, &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: b.site.AzureResourceGroup, ResourceName: pulumi.String(AzureIdentityName(b.dep)),
		Location: pulumi.String(b.site.Region), Tags: b.dep.Tags.For(core.Azure),
	}, b.opts()...)
	if err != nil {
		return outputs{}, err
	}
	des, err := b.azureDiskEncryption(client.SubscriptionId)
	if err != nil {
		return outputs{}, err
	}
	vmss, err := b.azureScaleSet(image, identity, des)
	if err != nil {
		return outputs{}, err
	}
	setting, lines, err := b.azureAutoscale(vmss, profiles)
	if err != nil {
		return outputs{}, err
	}
	if b.args.Alerts != nil {
		ceiling := 0
		for _, p := range profiles.Profiles {
			ceiling = max(ceiling, p.Capacity.Maximum)
		}
		if err := b.azureAlarms(vmss, setting, ceiling); err != nil {
			return outputs{}, err
		}
	}
	return outputs{groupID: vmss.ID().ToStringOutput(), groupName: vmss.Name, identity: identity.PrincipalId,
		schedules: lines, validUntil: profiles.ValidUntil}, nil
}

// azureDiskEncryption is the disk encryption set the OS disks use: the
// data key, through an identity of its own, created (and granted the key)
// before the set, so the set can use the key from its first moment.
func (b *builder) azureDiskEncryption(subscription string) (*compute.DiskEncryptionSet, error) {
	dep, site := b.dep, b.site
	tags, rg, location := dep.Tags.For(core.Azure), site.AzureResourceGroup, pulumi.String(site.Region)
	identity, err := managedidentity.NewUserAssignedIdentity(b.ctx, b.name+"-disks", &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: rg, ResourceName: pulumi.String(dep.Name("app-disks", site.Short())), Location: location, Tags: tags,
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	grant, err := authorization.NewRoleAssignment(b.ctx, b.name+"-disks-key", &authorization.RoleAssignmentArgs{
		Scope:            b.args.Key.VaultID,
		PrincipalId:      identity.PrincipalId,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: pulumi.String(fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", subscription, keyVaultCryptoServiceEncryptionUser)),
		Description:      pulumi.String("WedSync app disk encryption set: wrap and unwrap disk keys with the data key"),
	}, b.opts()...)
	if err != nil {
		return nil, err
	}
	return compute.NewDiskEncryptionSet(b.ctx, b.name, &compute.DiskEncryptionSetArgs{
		ResourceGroupName:     rg,
		DiskEncryptionSetName: pulumi.String(dep.Name("app", site.Short())),
		Location:              location,
		Tags:                  tags,
		EncryptionType:        pulumi.String("EncryptionAtRestWithCustomerKey"),
		// A versionless key URL with rotation on: disks follow the key's
		// rotation without a change here.
		ActiveKey:                         &compute.KeyForDiskEncryptionSetArgs{KeyUrl: b.args.Key.ID, SourceVault: &compute.SourceVaultArgs{Id: b.args.Key.VaultID}},
		RotationToLatestKeyVersionEnabled: pulumi.Bool(true),
		Identity: &compute.EncryptionSetIdentityArgs{
			Type: pulumi.String("UserAssigned"), UserAssignedIdentities: pulumi.StringArray{identity.ID()},
		},
	}, b.opts(pulumi.DependsOn([]pulumi.Resource{grant}))...)
}

// azureScaleSet is the scale set across the site's zones, created at the
// calendar's capacity now, upgraded and repaired by instance health.
func (b *builder) azureScaleSet(image azureImage, identity *managedidentity.UserAssignedIdentity, des *compute.DiskEncryptionSet) (*compute.VirtualMachineScaleSet, error) {
	site, s := b.site, b.set
	maxUnhealthy := 100 - s.MinHealthyPercent
	return compute.NewVirtualMachineScaleSet(b.ctx, b.name, &compute.VirtualMachineScaleSetArgs{
		ResourceGroupName:        site.AzureResourceGroup,
		VmScaleSetName:           pulumi.String(b.dep.Name("app", site.Short())),
		Location:                 pulumi.String(site.Region),
		Tags:                     b.dep.Tags.For(core.Azure),
		OrchestrationMode:        pulumi.String("Uniform"),
		Zones:                    pulumi.ToStringArray(site.Zones()),
		ZoneBalance:              pulumi.Bool(len(site.Zones()) > 1),
		PlatformFaultDomainCount: pulumi.Int(1),
		SinglePlacementGroup:     pulumi.Bool(false),
		Overprovision:            pulumi.Bool(false),
		// Created at the calendar's capacity now; see IgnoreChanges below.
		Sku: &compute.SkuArgs{Name: pulumi.String(sizes[s.Size].azure), Tier: pulumi.String("Standard"), Capacity: pulumi.Float64(float64(b.sp.base.Desired))},
		Identity: &compute.VirtualMachineScaleSetIdentityArgs{
			Type: compute.ResourceIdentityTypeUserAssigned, UserAssignedIdentities: pulumi.StringArray{identity.ID()},
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
		VirtualMachineProfile: b.azureVMProfile(image, des),
	}, b.opts(
		// After creation the autoscale setting owns the instance count:
		// writing the creation-time capacity back on every update would
		// undo the profile in effect.
		pulumi.IgnoreChanges([]string{"sku.capacity"}),
	)...)
}

// azureVMProfile is what every instance is: Trusted Launch with encryption
// at host, the release's image on a disk encrypted through des, a private
// address only, key-only SSH, and the health extension.
func (b *builder) azureVMProfile(image azureImage, des *compute.DiskEncryptionSet) *compute.VirtualMachineScaleSetVMProfileArgs {
	s := b.set
	imageRef := &compute.ImageReferenceArgs{}
	if image.id != "" {
		imageRef.Id = pulumi.String(image.id)
	} else {
		imageRef.Publisher, imageRef.Offer = pulumi.String(image.publisher), pulumi.String(image.offer)
		imageRef.Sku, imageRef.Version = pulumi.String(image.sku), pulumi.String(image.version)
	}
	return &compute.VirtualMachineScaleSetVMProfileArgs{
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
					Subnet: &compute.ApiEntityReferenceArgs{Id: b.args.Network.AppSubnetIDs.Index(pulumi.Int(0))},
					// The ingress's gateway pool: how traffic reaches instances.
					ApplicationGatewayBackendAddressPools: b.pools().ApplyT(func(ids []string) []compute.SubResource {
						out := make([]compute.SubResource, len(ids))
						for i := range ids {
							out[i] = compute.SubResource{Id: &ids[i]}
						}
						return out
					}).(compute.SubResourceArrayOutput),
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
	}
}

// azureAutoscale is the scale set's autoscale setting: the calendar's
// profiles, each with the CPU rules. It returns the profiles' Schedules
// lines.
func (b *builder) azureAutoscale(vmss *compute.VirtualMachineScaleSet, ap season.AzurePlan) (*insights.AutoscaleSetting, []string, error) {
	rules := azureCPURules(vmss.ID().ToStringOutput(), b.set.CPUTargetPercent)
	profiles := insights.AutoscaleProfileArray{}
	lines := []string{}
	for _, p := range ap.Profiles {
		profiles = append(profiles, azureProfile(p, rules))
		lines = append(lines, describeAzureProfile(p))
	}
	setting, err := insights.NewAutoscaleSetting(b.ctx, b.name, &insights.AutoscaleSettingArgs{
		ResourceGroupName:    b.site.AzureResourceGroup,
		AutoscaleSettingName: pulumi.String(b.dep.Name("app", b.site.Short())),
		Location:             pulumi.String(b.site.Region),
		Tags:                 b.dep.Tags.With(validUntilTag, rfc3339(ap.ValidUntil)).For(core.Azure),
		Enabled:              pulumi.Bool(true),
		TargetResourceUri:    vmss.ID(),
		Profiles:             profiles,
	}, b.opts()...)
	return setting, lines, err
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
func (b *builder) azureAlarms(vmss *compute.VirtualMachineScaleSet, setting *insights.AutoscaleSetting, ceiling int) error {
	t := b.args.Alerts.Limits()
	for _, a := range []azuremetric.Alert{
		{Key: alarmAtMax, Scope: setting.ID().ToStringOutput(), Namespace: "microsoft.insights/autoscalesettings", Metric: "ObservedCapacity",
			Operator: "GreaterThanOrEqual", Threshold: float64(ceiling), Aggregation: "Minimum", Window: azureWindow(t.GroupAtMaxMinutes)},
		{Key: alarmUnhealthy, Scope: vmss.ID().ToStringOutput(), Namespace: "microsoft.compute/virtualmachinescalesets", Metric: "VmAvailabilityMetric",
			Operator: "LessThan", Threshold: 1, Aggregation: "Average", Window: azureWindow(t.GroupUnhealthyMinutes)},
	} {
		a.RuleName, a.Description = b.dep.Name("app", a.Key), alarmDescription(a.Key, t)
		a.Severity, a.Frequency = 2, "PT5M"
		if err := azuremetric.New(b.ctx, b.name+"-"+a.Key, b.dep, b.args.Alerts, a, b.opts()...); err != nil {
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

// AzureIdentityName is the name of the instances' user-assigned identity,
// which is also the application's PostgreSQL role on Azure (an Entra
// principal is named after its identity).
func AzureIdentityName(dep core.Deployment) string { return dep.Name("app", dep.Primary.Short()) }
