package autoscaling

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

const (
	awsGroup    = "aws:autoscaling/group:Group"
	awsSchedule = "aws:autoscaling/schedule:Schedule"
	awsTemplate = "aws:ec2/launchTemplate:LaunchTemplate"
)

// awsPlannedActions reads the scheduled actions back from the plan's
// recorded inputs, as EC2 Auto Scaling would receive them.
func awsPlannedActions(t *testing.T, r result) []season.AWSScheduledAction {
	t.Helper()
	var out []season.AWSScheduledAction
	parse := func(s string) *time.Time {
		if s == "" {
			return nil
		}
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("schedule time %q: %v", s, err)
		}
		return &at
	}
	for _, s := range r.all(awsSchedule) {
		out = append(out, season.AWSScheduledAction{
			Name:            lookupString(s, "scheduledActionName"),
			Recurrence:      lookupString(s, "recurrence"),
			TimeZone:        lookupString(s, "timeZone"),
			StartTime:       parse(lookupString(s, "startTime")),
			EndTime:         parse(lookupString(s, "endTime")),
			MinSize:         lookupInt(s, "minSize"),
			MaxSize:         lookupInt(s, "maxSize"),
			DesiredCapacity: lookupInt(s, "desiredCapacity"),
		})
	}
	return out
}

// awsSimulate runs the planned actions from now to the horizon's end,
// starting from the group's planned capacity.
func awsSimulate(t *testing.T, r result, now time.Time) []season.Sample {
	t.Helper()
	g := r.one(t, awsGroup)
	base := season.Capacity{Min: lookupInt(g, "minSize"), Max: lookupInt(g, "maxSize"), Desired: lookupInt(g, "desiredCapacity")}
	_, to := r.args.Calendar.Horizon(now)
	samples, err := season.SimulateAWS(awsPlannedActions(t, r), base, now, to, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

// awsNows are plan instants: a weekday, inside a wedding window, the last
// peak Saturday night, and the off-season Sunday morning after it.
var awsNows = []time.Time{
	juneWednesday,
	time.Date(2026, 6, 13, 15, 0, 0, 0, london),
	time.Date(2026, 10, 31, 22, 0, 0, 0, london),
	time.Date(2026, 11, 1, 1, 0, 0, 0, london),
	time.Date(2027, 2, 3, 9, 0, 0, 0, london),
}

func TestAWSScheduledActionsInThePlanFollowTheCalendarEveryHour(t *testing.T) {
	for _, env := range []core.Environment{core.Prod, core.Dev} {
		for _, now := range awsNows {
			t.Run(string(env)+"/"+now.Format("2006-01-02T15:04"), func(t *testing.T) {
				r := planGroup(t, core.AWS, env, now, nil)
				if len(r.all(awsSchedule)) == 0 {
					t.Fatal("no scheduled actions in the plan")
				}
				samples := awsSimulate(t, r, now)
				if len(samples) < 365*24 {
					t.Fatalf("only %d hours simulated", len(samples))
				}
				report(t, compare(r.args.Calendar, samples, allFields))
			})
		}
	}
}

func TestAWSPlan(t *testing.T) {
	now := juneWednesday
	r := planGroup(t, core.AWS, core.Prod, now, nil)
	cal := r.args.Calendar
	group := r.one(t, awsGroup)
	lt := r.one(t, awsTemplate)

	t.Run("prod_saturday_minimum_is_above_the_off_season_baseline", func(t *testing.T) {
		samples := awsSimulate(t, r, now)
		for _, sat := range saturdayAfternoons {
			if got := sampleAt(t, samples, sat); got.Min <= cal.Capacity.OffSeason.Min {
				t.Errorf("%s: min %d, baseline %d", sat.Format("2006-01-02"), got.Min, cal.Capacity.OffSeason.Min)
			}
		}
	})
	t.Run("group_is_created_at_the_calendars_capacity_now", func(t *testing.T) {
		k := cal.CapacityAt(now)
		want(t, group, k.Min, "minSize")
		want(t, group, k.Max, "maxSize")
		want(t, group, k.Desired, "desiredCapacity")
	})
	t.Run("no_scheduled_action_starts_or_ends_in_the_past", func(t *testing.T) {
		for _, a := range awsPlannedActions(t, r) {
			if (a.StartTime != nil && !a.StartTime.After(now)) || (a.EndTime != nil && !a.EndTime.After(now)) {
				t.Errorf("%s: start %v end %v is not after %s", a.Name, a.StartTime, a.EndTime, now)
			}
			if a.Recurrence != "" && a.TimeZone != "Europe/London" {
				t.Errorf("%s recurs in %q", a.Name, a.TimeZone)
			}
		}
	})
	t.Run("disks_are_encrypted_with_the_data_key", func(t *testing.T) {
		want(t, lt, "/dev/xvda", "blockDeviceMappings", "0", "deviceName")
		want(t, lt, "true", "blockDeviceMappings", "0", "ebs", "encrypted")
		want(t, lt, "gp3", "blockDeviceMappings", "0", "ebs", "volumeType")
		want(t, lt, testKeys[core.AWS], "blockDeviceMappings", "0", "ebs", "kmsKeyId")
		grant := r.one(t, "aws:kms/grant:Grant")
		want(t, grant, testKeys[core.AWS], "keyId")
		if !strings.HasSuffix(lookupString(grant, "granteePrincipal"), "/AWSServiceRoleForAutoScaling") {
			t.Errorf("grant goes to %s", lookupString(grant, "granteePrincipal"))
		}
	})
	t.Run("instances_require_imdsv2_with_one_hop", func(t *testing.T) {
		want(t, lt, "required", "metadataOptions", "httpTokens")
		want(t, lt, 1, "metadataOptions", "httpPutResponseHopLimit")
		want(t, lt, true, "monitoring", "enabled")
	})
	t.Run("instances_run_the_release_image_in_the_app_security_group", func(t *testing.T) {
		want(t, lt, testImages().AWS["eu-west-2"], "imageId") // the region's, not eu-west-1's
		want(t, lt, "m7i.xlarge", "instanceType")
		want(t, lt, "sg-0app", "vpcSecurityGroupIds", "0")
	})
	t.Run("group_spans_every_app_subnet", func(t *testing.T) {
		if got := lookupList(group, "vpcZoneIdentifiers"); len(got) != 3 {
			t.Fatalf("subnets %v", got)
		}
	})
	t.Run("group_joins_the_load_balancer_with_elb_health_checks_and_rolls_out_keeping_90_percent", func(t *testing.T) {
		want(t, group, "ELB", "healthCheckType")
		want(t, group, testTargetGroup, "targetGroupArns", "0")
		want(t, group, "Rolling", "instanceRefresh", "strategy")
		want(t, group, 90, "instanceRefresh", "preferences", "minHealthyPercentage")
		if n := len(r.all("aws:lb/targetGroup:TargetGroup")); n != 0 {
			t.Errorf("the group makes %d target groups; the ingress owns the load balancer's", n)
		}
	})
	t.Run("cpu_target_tracking", func(t *testing.T) {
		p := r.one(t, "aws:autoscaling/policy:Policy")
		want(t, p, "TargetTrackingScaling", "policyType")
		want(t, p, "ASGAverageCPUUtilization", "targetTrackingConfiguration", "predefinedMetricSpecification", "predefinedMetricType")
		want(t, p, 60, "targetTrackingConfiguration", "targetValue")
	})
	t.Run("instance_role_has_session_manager_only", func(t *testing.T) {
		att := r.one(t, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
		want(t, att, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "policyArn")
		if n := len(r.all("aws:iam/rolePolicy:RolePolicy")); n != 0 {
			t.Errorf("%d inline policies", n)
		}
	})
	t.Run("outputs_name_the_group_role_and_schedules", func(t *testing.T) {
		if !strings.HasPrefix(r.out.Identity, "arn:aws:iam::") || !strings.Contains(r.out.Identity, ":role/") {
			t.Errorf("identity %q", r.out.Identity)
		}
		if r.out.GroupName != "wedsync-prod-app" || r.out.InstanceProfile == "" {
			t.Errorf("group %q profile %q", r.out.GroupName, r.out.InstanceProfile)
		}
		if len(r.out.Schedules) != len(r.all(awsSchedule)) {
			t.Errorf("%d schedule lines for %d actions", len(r.out.Schedules), len(r.all(awsSchedule)))
		}
		if r.out.ValidUntil != "2027-06-30T23:00:00Z" {
			t.Errorf("valid until %q", r.out.ValidUntil)
		}
	})
	t.Run("alarms_at_max_and_unhealthy_go_to_the_alert_target", func(t *testing.T) {
		alarms := r.all("aws:cloudwatch/metricAlarm:MetricAlarm")
		if len(alarms) != 2 {
			t.Fatalf("%d alarms", len(alarms))
		}
		for _, a := range alarms {
			want(t, a, testAlertIDs[core.AWS], "alarmActions", "0")
			want(t, a, 15, "evaluationPeriods")
		}
		if n := len(planGroup(t, core.AWS, core.Dev, now, func(a *AutoscalingGroupArgs) { a.Alerts = nil }).all("aws:cloudwatch/metricAlarm:MetricAlarm")); n != 0 {
			t.Errorf("%d alarms without an alert target", n)
		}
	})
	t.Run("every_resource_uses_the_sites_provider", func(t *testing.T) {
		for _, res := range r.customResources() {
			if !strings.HasSuffix(res.Provider, "::aws-primary") {
				t.Errorf("%s %s: provider %q", res.Type, res.Name, res.Provider)
			}
		}
	})
}

func TestAWSSchedulesHaveNoPerpetualDiff(t *testing.T) {
	inputs := func(now time.Time) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, s := range planGroup(t, core.AWS, core.Prod, now, nil).all(awsSchedule) {
			out[s.Name] = s.Inputs
		}
		return out
	}
	a, b := inputs(juneWednesday), inputs(juneWednesday.Add(time.Hour))
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("schedule inputs differ an hour apart:\n%v\n%v", a, b)
	}
	t.Run("the_group_inputs_too", func(t *testing.T) {
		g1 := planGroup(t, core.AWS, core.Prod, juneWednesday, nil).one(t, awsGroup)
		g2 := planGroup(t, core.AWS, core.Prod, juneWednesday.Add(time.Hour), nil).one(t, awsGroup)
		if !reflect.DeepEqual(g1.Inputs, g2.Inputs) {
			t.Fatalf("group inputs differ an hour apart:\n%v\n%v", g1.Inputs, g2.Inputs)
		}
	})
}

func TestAWSGroupNeedsTwoZones(t *testing.T) {
	err := planErr(core.AWS, core.Prod, func(a *AutoscalingGroupArgs) {
		a.Network.AppSubnetIDs = pulumi.ToStringArray([]string{"subnet-a"}).ToStringArrayOutput()
	})
	if err == nil || !strings.Contains(err.Error(), "two zones") {
		t.Fatalf("got %v", err)
	}
}

func TestAWSGroupWithoutLoadBalancerIsJudgedByEC2Checks(t *testing.T) {
	// ELB health checks with no target group would judge nothing.
	r := planGroup(t, core.AWS, core.Dev, juneWednesday, func(a *AutoscalingGroupArgs) { a.LoadBalancerPools = pulumi.StringArrayOutput{} })
	group := r.one(t, "aws:autoscaling/group:Group")
	want(t, group, "EC2", "healthCheckType")
	if got := lookupList(group, "targetGroupArns"); len(got) != 0 {
		t.Errorf("targetGroupArns = %v, want none", got)
	}
}
