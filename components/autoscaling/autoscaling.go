// Package autoscaling is WedSync's application instance group: one
// cloud-neutral AutoscalingGroupArgs and an implementation per cloud (EC2
// Auto Scaling, a regional managed instance group, a VM scale set), whose
// capacity follows the season calendar (peak season and wedding days, in
// the stack's time zone) through the cloud's own schedules, with reactive
// CPU scaling on top. Disks are encrypted with the stack's data key,
// instances have no public address, and they span at least two zones.
package autoscaling

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// Type is the group's type token.
const Type = "wedsync:autoscaling:AutoscalingGroup"

// formerType is the token groups were deployed under before the module
// was named after the package; kept as an alias so they update in place.
const formerType = "wedsync:compute:AutoscalingGroup"

// What every cloud's group shares.
const (
	bootDiskGB = 30
	// warmupSeconds is how long a new instance takes to boot and pass its
	// health check: the autohealing grace period, and how long reactive
	// scaling ignores a new instance's CPU.
	warmupSeconds = 300
	validUntilTag = "schedules-valid-until"
)

// AutoscalingGroupArgs are what the group needs from the stack.
type AutoscalingGroupArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Calendar is the stack's season calendar (defaulted and validated by
	// the stack; its zone is the stack's).
	Calendar season.Config
	// Now is the instant the stack plans for, read once by the stack. The
	// group is created at the calendar's capacity at Now, and the schedules
	// cover season.Horizon(Now).
	Now time.Time
	// Key is the data key at the primary site: instance disks.
	Key *core.Key
	// Network is the primary site's network: AppSubnetIDs, and
	// AppSecurityGroupID (AWS).
	Network core.Network
	// Alerts, when set, receives the at-max-capacity (for 15 minutes) and
	// unhealthy-instances alarms.
	Alerts *core.AlertTarget
	// LoadBalancerPools are what the group joins to receive traffic (the
	// ingress's Pools): the ALB target group ARNs the ASG registers in
	// (then judged by ELB health checks), the Application Gateway backend
	// pool ids the scale set's IP configuration joins. Unused on GCP, where
	// the load balancer's backend service names the group (InstanceGroup).
	LoadBalancerPools pulumi.StringArrayOutput
}

// AutoscalingGroup is the application instance group at the primary site.
type AutoscalingGroup struct {
	pulumi.ResourceState

	// GroupID is the ASG ARN, the managed instance group id or the scale
	// set's resource id; GroupName its name.
	GroupID   pulumi.StringOutput
	GroupName pulumi.StringOutput
	// InstanceGroup is what a GCP backend service names: the regional
	// managed instance group's instance group URL ("" elsewhere).
	InstanceGroup pulumi.StringOutput
	// Identity is who the instances act as, for secret and key grants: the
	// IAM role ARN (AWS), the service account email (GCP), the
	// user-assigned identity's principal id (Azure).
	Identity pulumi.StringOutput
	// InstanceProfile is the AWS instance profile name ("" elsewhere).
	InstanceProfile pulumi.StringOutput
	// Schedules describes, one line each, the native schedules the group
	// was given: what operators read in the plan and in stack outputs.
	Schedules pulumi.StringArrayOutput
	// SchedulesValidUntil (RFC 3339) is when the schedules stop following
	// the calendar: re-apply the stack before then (monthly is plenty).
	SchedulesValidUntil pulumi.StringOutput
}

// outputs are what each cloud's builder returns.
type outputs struct {
	groupID, groupName, identity pulumi.StringOutput
	// instanceProfile is set on AWS only; instanceGroup on GCP only.
	instanceProfile, instanceGroup pulumi.StringOutput
	// schedules are the Schedules lines; validUntil is when the last one
	// given stops following the calendar.
	schedules  []string
	validUntil time.Time
}

// schedulePlan is what every cloud's schedules are generated from.
type schedulePlan struct {
	cal      season.Config
	now      time.Time
	from, to time.Time
	// base is the calendar's capacity at now: the group's size at creation.
	base season.Capacity
}

func newSchedulePlan(cal season.Config, now time.Time) schedulePlan {
	from, to := cal.Horizon(now)
	return schedulePlan{cal: cal, now: now, from: from, to: to, base: cal.CapacityAt(now)}
}

// validate checks args as a whole, every problem at once.
func (args *AutoscalingGroupArgs) validate(name string) error {
	p := &core.Problems{}
	dep := args.Deployment
	if !dep.Environment.Valid() {
		p.Add("deployment.environment", string(dep.Environment), "use %s", core.Join(core.Environments))
	}
	if dep.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the primary site's explicit provider")
	}
	if !dep.Primary.Cloud.Valid() {
		p.Add("deployment.primary.cloud", string(dep.Primary.Cloud), "use %s", core.Join(core.Clouds))
	}
	if args.Key == nil {
		p.Missing("key", "the primary site's data key: instance disks are always encrypted with a customer-managed key")
	}
	if args.Now.IsZero() {
		p.Missing("now", "the instant the stack plans for (stacks.Now)")
	}
	p.Include("settings.", args.Settings.Validate(dep.Environment, dep.Primary.Cloud))
	p.Include("settings.", args.Settings.ValidateRegion(dep.Primary.Cloud, dep.Primary.Region))
	if err := args.Calendar.Validate(); err != nil {
		p.Include("calendar.", err)
	} else {
		p.Include("settings.", args.Settings.ValidateCalendar(dep.Environment, args.Calendar))
	}
	if err := p.Err(); err != nil {
		return fmt.Errorf("autoscaling group %s: %w", name, err)
	}
	return nil
}

// NewAutoscalingGroup creates the group at the deployment's primary site.
// It applies defaults to a copy of the settings and validates everything
// first, so it is usable without the stacks package.
func NewAutoscalingGroup(ctx *pulumi.Context, name string, args *AutoscalingGroupArgs, opts ...pulumi.ResourceOption) (*AutoscalingGroup, error) {
	if args == nil {
		return nil, fmt.Errorf("autoscaling group %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	a.Calendar.ApplyDefaults()
	if err := a.validate(name); err != nil {
		return nil, err
	}
	c := &AutoscalingGroup{}
	if err := ctx.RegisterComponentResource(Type, name, c, core.Aliased(opts, formerType)...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: a, dep: a.Deployment, site: a.Deployment.Primary,
		set: a.Settings, sp: newSchedulePlan(a.Calendar, a.Now), c: c}
	out, err := core.Implementations[outputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(b.site.Cloud)
	if err != nil {
		return nil, fmt.Errorf("autoscaling group %s: %w", name, err)
	}
	c.GroupID, c.GroupName, c.Identity = out.groupID, out.groupName, out.identity
	c.InstanceProfile = out.instanceProfile
	if c.InstanceProfile.OutputState == nil {
		c.InstanceProfile = pulumi.String("").ToStringOutput()
	}
	c.InstanceGroup = out.instanceGroup
	if c.InstanceGroup.OutputState == nil {
		c.InstanceGroup = pulumi.String("").ToStringOutput()
	}
	c.Schedules = pulumi.ToStringArray(out.schedules).ToStringArrayOutput()
	c.SchedulesValidUntil = pulumi.String(rfc3339(out.validUntil)).ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"groupId":             c.GroupID,
		"groupName":           c.GroupName,
		"identity":            c.Identity,
		"instanceProfile":     c.InstanceProfile,
		"instanceGroup":       c.InstanceGroup,
		"schedules":           c.Schedules,
		"schedulesValidUntil": c.SchedulesValidUntil,
	})
}

// image is the machine image the group launches: its site's region's.
func (b *builder) image() string { return b.set.Image.For(b.site.Cloud, b.site.Region) }

// pools are the load balancer pools the group joins (none when the stack
// gives none).
func (b *builder) pools() pulumi.StringArrayOutput {
	if b.args.LoadBalancerPools.OutputState == nil {
		return pulumi.StringArray{}.ToStringArrayOutput()
	}
	return b.args.LoadBalancerPools
}

// builder carries what every cloud's implementation needs: the defaulted
// args, the primary site and the schedules to give the group.
type builder struct {
	ctx  *pulumi.Context
	name string
	args AutoscalingGroupArgs
	dep  core.Deployment
	site core.Site
	set  Settings
	sp   schedulePlan
	c    *AutoscalingGroup
}

// opts are every child's options: the component as parent, the primary
// site's provider, then extra.
func (b *builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// invoke are a data source's options: the primary site's provider.
func (b *builder) invoke() []pulumi.InvokeOption {
	return []pulumi.InvokeOption{pulumi.Provider(b.site.Provider), pulumi.Parent(b.c)}
}

// capacityLine describes one schedule's capacity for the Schedules output.
func capacityLine(k season.Capacity) string {
	return fmt.Sprintf("min %d, max %d, desired %d", k.Min, k.Max, k.Desired)
}

// rfc3339 formats t in UTC, as every cloud's API takes instants.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
