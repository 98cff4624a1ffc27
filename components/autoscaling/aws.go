package autoscaling

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

const ec2AssumeRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// groupMetrics are the ASG metrics CloudWatch collects (the alarms read
// them; operators graph them against the calendar).
var groupMetrics = []string{"GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"}

// aws: a launch template (IMDSv2 only, CMK-encrypted gp3 root volume,
// detailed monitoring, the app security group, an SSM-only instance role),
// an ASG over the app subnets registered in the ingress's target group
// (LoadBalancerPools, whose ELB health checks judge the instances),
// rolling instance refresh, CPU target tracking and one scheduled action
// per calendar change.
func (b *builder) aws() (outputs, error) {
	actions, err := b.sp.cal.AWSScheduledActions(b.sp.from, b.sp.to)
	if err != nil {
		return outputs{}, err
	}
	// AWS rejects start and end times in the past; see season.AWSActionsAt.
	actions = season.AWSActionsAt(actions, b.sp.now)

	caller, err := aws.GetCallerIdentity(b.ctx, &aws.GetCallerIdentityArgs{}, b.invoke()...)
	if err != nil {
		return outputs{}, err
	}
	// The root device name depends on the AMI (/dev/xvda, /dev/sda1); a
	// mapping under another name would add a second volume and leave the
	// root volume with the account default.
	ami, err := ec2.LookupAmi(b.ctx, &ec2.LookupAmiArgs{Filters: []ec2.GetAmiFilter{{Name: "image-id", Values: []string{b.image()}}}}, b.invoke()...)
	if err != nil {
		return outputs{}, fmt.Errorf("look up image.aws %s: %w", b.image(), err)
	}
	role, profile, err := b.awsInstanceRole()
	if err != nil {
		return outputs{}, err
	}
	grant, err := b.awsLaunchGrant(caller.AccountId)
	if err != nil {
		return outputs{}, err
	}
	lt, err := b.awsLaunchTemplate(ami.RootDeviceName, profile)
	if err != nil {
		return outputs{}, err
	}
	group, err := b.awsGroup(lt, grant)
	if err != nil {
		return outputs{}, err
	}
	lines, err := b.awsScaling(group, actions)
	if err != nil {
		return outputs{}, err
	}
	if b.args.Alerts != nil {
		if err := b.awsAlarms(group); err != nil {
			return outputs{}, err
		}
	}
	return outputs{groupID: group.Arn, groupName: group.Name, identity: role.Arn, instanceProfile: profile.Name,
		schedules: lines, validUntil: b.sp.to}, nil
}

// awsInstanceRole is who the instances act as: a role with Session
// Manager only (secrets are granted to it by the secrets store), and its
// instance profile.
func (b *builder) awsInstanceRole() (*iam.Role, *iam.InstanceProfile, error) {
	dep, site := b.dep, b.site
	role, err := iam.NewRole(b.ctx, b.name, &iam.RoleArgs{
		Name:             pulumi.String(dep.NameWithin(64, "app", site.Short())),
		Description:      pulumi.String("WedSync application instances: Session Manager only; secrets are granted to this role by the secrets store"),
		AssumeRolePolicy: pulumi.String(ec2AssumeRolePolicy),
	}, b.opts()...)
	if err != nil {
		return nil, nil, err
	}
	if _, err := iam.NewRolePolicyAttachment(b.ctx, b.name+"-ssm", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.String("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
	}, b.opts()...); err != nil {
		return nil, nil, err
	}
	profile, err := iam.NewInstanceProfile(b.ctx, b.name, &iam.InstanceProfileArgs{
		Name: pulumi.String(dep.NameWithin(128, "app", site.Short())),
		Role: role.Name,
	}, b.opts()...)
	return role, profile, err
}

// awsLaunchGrant lets EC2 Auto Scaling use the data key: it launches
// instances as its service-linked role, which must be able to use the key
// for the encrypted volumes, or every launch fails.
func (b *builder) awsLaunchGrant(account string) (*kms.Grant, error) {
	return kms.NewGrant(b.ctx, b.name+"-autoscaling", &kms.GrantArgs{
		Name:             pulumi.String(b.dep.Name("autoscaling-ebs")),
		KeyId:            b.args.Key.ID,
		GranteePrincipal: pulumi.Sprintf("arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", account),
		Operations: pulumi.ToStringArray([]string{"Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo",
			"GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "DescribeKey", "CreateGrant"}),
	}, b.opts()...)
}

// awsLaunchTemplate is what every instance launches from: the release's
// AMI, IMDSv2 only, and a root volume encrypted with the data key.
func (b *builder) awsLaunchTemplate(rootDevice string, profile *iam.InstanceProfile) (*ec2.LaunchTemplate, error) {
	dep, s := b.dep, b.set
	// The provider's default tags do not reach what the ASG launches, so
	// instances and volumes get the standard tags here.
	launchTags := dep.Tags.For(core.AWS)
	launchTags["Name"] = pulumi.String(dep.Name("app"))
	return ec2.NewLaunchTemplate(b.ctx, b.name, &ec2.LaunchTemplateArgs{
		Name:                 pulumi.String(dep.Name("app")),
		Description:          pulumi.String("WedSync application instances"),
		ImageId:              pulumi.String(b.image()),
		InstanceType:         pulumi.String(sizes[s.Size].aws),
		UpdateDefaultVersion: pulumi.Bool(true),
		IamInstanceProfile:   &ec2.LaunchTemplateIamInstanceProfileArgs{Arn: profile.Arn},
		VpcSecurityGroupIds:  pulumi.StringArray{b.args.Network.AppSecurityGroupID},
		// IMDSv2 only, and one hop: a container on the instance cannot
		// reach the role's credentials.
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String("required"),
			HttpPutResponseHopLimit: pulumi.Int(1),
			InstanceMetadataTags:    pulumi.String("disabled"),
		},
		Monitoring: &ec2.LaunchTemplateMonitoringArgs{Enabled: pulumi.Bool(true)},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String(rootDevice),
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				VolumeType:          pulumi.String("gp3"),
				VolumeSize:          pulumi.Int(bootDiskGB),
				Encrypted:           pulumi.String("true"),
				KmsKeyId:            b.args.Key.ID,
				DeleteOnTermination: pulumi.String("true"),
			},
		}},
		TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{
			ec2.LaunchTemplateTagSpecificationArgs{ResourceType: pulumi.String("instance"), Tags: launchTags},
			ec2.LaunchTemplateTagSpecificationArgs{ResourceType: pulumi.String("volume"), Tags: launchTags},
		},
	}, b.opts()...)
}

// awsGroup is the ASG over the app subnets (at least two zones), created
// at the calendar's capacity now, rolling out new templates with
// instance refresh.
func (b *builder) awsGroup(lt *ec2.LaunchTemplate, grant *kms.Grant) (*autoscaling.Group, error) {
	dep, s, base := b.dep, b.set, b.sp.base
	subnets := b.args.Network.AppSubnetIDs.ApplyT(func(ids []string) ([]string, error) {
		if len(ids) < 2 {
			return nil, fmt.Errorf("the group needs app subnets in at least two zones, got %d", len(ids))
		}
		return ids, nil
	}).(pulumi.StringArrayOutput)
	return autoscaling.NewGroup(b.ctx, b.name, &autoscaling.GroupArgs{
		Name:               pulumi.String(dep.Name("app")),
		VpcZoneIdentifiers: subnets,
		LaunchTemplate: &autoscaling.GroupLaunchTemplateArgs{
			Id:      lt.ID(),
			Version: lt.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput),
		},
		// Created at the calendar's capacity now; see IgnoreChanges below.
		MinSize:                pulumi.Int(base.Min),
		MaxSize:                pulumi.Int(base.Max),
		DesiredCapacity:        pulumi.Int(base.Desired),
		HealthCheckType:        b.awsHealthCheckType(),
		HealthCheckGracePeriod: pulumi.Int(warmupSeconds),
		DefaultInstanceWarmup:  pulumi.Int(warmupSeconds),
		TargetGroupArns:        b.pools(),
		EnabledMetrics:         pulumi.ToStringArray(groupMetrics),
		MetricsGranularity:     pulumi.String("1Minute"),
		InstanceRefresh: &autoscaling.GroupInstanceRefreshArgs{
			Strategy: pulumi.String("Rolling"),
			Preferences: &autoscaling.GroupInstanceRefreshPreferencesArgs{
				MinHealthyPercentage: pulumi.Int(s.MinHealthyPercent),
				InstanceWarmup:       pulumi.String(strconv.Itoa(warmupSeconds)),
				AutoRollback:         pulumi.Bool(true),
			},
		},
		Tags: autoscaling.GroupTagArray{
			autoscaling.GroupTagArgs{Key: pulumi.String("Name"), Value: pulumi.String(dep.Name("app")), PropagateAtLaunch: pulumi.Bool(false)},
			autoscaling.GroupTagArgs{Key: pulumi.String(validUntilTag), Value: pulumi.String(rfc3339(b.sp.to)), PropagateAtLaunch: pulumi.Bool(false)},
		},
	}, b.opts(
		pulumi.DependsOn([]pulumi.Resource{grant}),
		// After creation the scheduled actions (and target tracking, for
		// desired) own the size: writing the creation-time capacity back on
		// every update would undo the schedule that last fired.
		pulumi.IgnoreChanges([]string{"minSize", "maxSize", "desiredCapacity"}),
	)...)
}

// awsHealthCheckType is ELB when the group is in a target group (an
// instance the load balancer finds unhealthy is replaced), else EC2.
func (b *builder) awsHealthCheckType() pulumi.StringOutput {
	return b.pools().ApplyT(func(p []string) string {
		if len(p) == 0 {
			return "EC2"
		}
		return "ELB"
	}).(pulumi.StringOutput)
}

// awsScaling gives the group CPU target tracking and one scheduled action
// per calendar change, and returns the actions' Schedules lines.
func (b *builder) awsScaling(group *autoscaling.Group, actions []season.AWSScheduledAction) ([]string, error) {
	if _, err := autoscaling.NewPolicy(b.ctx, b.name+"-cpu", &autoscaling.PolicyArgs{
		Name:                 pulumi.String(b.dep.Name("app", "cpu")),
		AutoscalingGroupName: group.Name,
		PolicyType:           pulumi.String("TargetTrackingScaling"),
		TargetTrackingConfiguration: &autoscaling.PolicyTargetTrackingConfigurationArgs{
			PredefinedMetricSpecification: &autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs{
				PredefinedMetricType: pulumi.String("ASGAverageCPUUtilization"),
			},
			TargetValue: pulumi.Float64(float64(b.set.CPUTargetPercent)),
		},
	}, b.opts()...); err != nil {
		return nil, err
	}
	lines := []string{}
	for _, a := range actions {
		sa := &autoscaling.ScheduleArgs{
			AutoscalingGroupName: group.Name,
			ScheduledActionName:  pulumi.String(a.Name),
			MinSize:              pulumi.Int(a.MinSize),
			MaxSize:              pulumi.Int(a.MaxSize),
			DesiredCapacity:      pulumi.Int(a.DesiredCapacity),
		}
		if a.Recurrence != "" {
			sa.Recurrence, sa.TimeZone = pulumi.String(a.Recurrence), pulumi.String(a.TimeZone)
		}
		if a.StartTime != nil {
			sa.StartTime = pulumi.String(rfc3339(*a.StartTime))
		}
		if a.EndTime != nil {
			sa.EndTime = pulumi.String(rfc3339(*a.EndTime))
		}
		if _, err := autoscaling.NewSchedule(b.ctx, b.name+"-"+a.Name, sa, b.opts()...); err != nil {
			return nil, err
		}
		lines = append(lines, describeAWSAction(a))
	}
	return lines, nil
}

func describeAWSAction(a season.AWSScheduledAction) string {
	k := capacityLine(season.Capacity{Min: a.MinSize, Max: a.MaxSize, Desired: a.DesiredCapacity})
	if a.Recurrence == "" {
		return fmt.Sprintf("%s: once at %s: %s", a.Name, rfc3339(*a.StartTime), k)
	}
	when := "from now"
	if a.StartTime != nil {
		when = "from " + rfc3339(*a.StartTime)
	}
	if a.EndTime != nil {
		when += " until " + rfc3339(*a.EndTime)
	}
	return fmt.Sprintf("%s: cron %q (%s) %s: %s", a.Name, a.Recurrence, a.TimeZone, when, k)
}

// awsAlarms raises two alarms from the group's metrics: at max capacity
// for 15 minutes (the calendar's max is too low for the traffic), and
// fewer instances in service than desired for 15 minutes (instances failing
// to launch or to pass health checks).
func (b *builder) awsAlarms(group *autoscaling.Group) error {
	metric := func(id, metricName string) cloudwatch.MetricAlarmMetricQueryArgs {
		return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), ReturnData: pulumi.Bool(false), Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace: pulumi.String("AWS/AutoScaling"), MetricName: pulumi.String(metricName),
			Dimensions: pulumi.StringMap{"AutoScalingGroupName": group.Name}, Period: pulumi.Int(60), Stat: pulumi.String("Minimum"),
		}}
	}
	actions := b.args.Alerts.Actions()
	t := b.args.Alerts.Limits()
	for _, a := range []struct {
		suffix, expression string
		minutes            int
	}{
		{alarmAtMax, "desired - maxsize", t.GroupAtMaxMinutes},
		{alarmUnhealthy, "desired - inservice - 1", t.GroupUnhealthyMinutes},
	} {
		queries := cloudwatch.MetricAlarmMetricQueryArray{
			metric("desired", "GroupDesiredCapacity"), metric("maxsize", "GroupMaxSize"), metric("inservice", "GroupInServiceInstances"),
			cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("gap"), Expression: pulumi.String(a.expression), Label: pulumi.String(a.suffix), ReturnData: pulumi.Bool(true)},
		}
		if _, err := cloudwatch.NewMetricAlarm(b.ctx, b.name+"-"+a.suffix, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(b.dep.Name("app", a.suffix)),
			AlarmDescription:   pulumi.String(alarmDescription(a.suffix, t)),
			ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			Threshold:          pulumi.Float64(0),
			EvaluationPeriods:  pulumi.Int(a.minutes),
			DatapointsToAlarm:  pulumi.Int(a.minutes),
			TreatMissingData:   pulumi.String("notBreaching"),
			MetricQueries:      queries,
			AlarmActions:       actions,
			OkActions:          actions,
		}, b.opts()...); err != nil {
			return err
		}
	}
	return nil
}
