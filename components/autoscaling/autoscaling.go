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
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// Settings are the cloud-neutral knobs users write under `wedsync:compute`.
// Capacity is not among them: it comes from the season calendar
// (`wedsync:season`), so there is one place to say how many instances run
// when.
type Settings struct {
	// Size is the instance class: xsmall (burstable, dev only), small,
	// medium or large (see sizes).
	Size string `json:"size,omitempty"`
	// Image is the machine image per cloud: the release the group runs.
	// Only the stack's cloud needs one.
	Image Images `json:"image"`
	// HealthCheckPath is the HTTP path, on the app port, that answers 2xx or
	// 3xx when an instance can serve.
	HealthCheckPath string `json:"healthCheckPath,omitempty"`
	// CPUTargetPercent is the average CPU utilisation reactive scaling aims
	// for, above the calendar's floor.
	CPUTargetPercent int `json:"cpuTargetPercent,omitempty"`
	// MinHealthyPercent is how much of the group stays in service while a
	// new image or template rolls out.
	MinHealthyPercent int `json:"minHealthyPercent,omitempty"`
	// MaxCapacityReason explains a prod calendar whose largest max capacity
	// is below ten times the off-season minimum (peak traffic is ten times
	// the baseline). Without it such a calendar is refused in prod.
	MaxCapacityReason string `json:"maxCapacityReason,omitempty"`
	// AdminSSHPublicKey is the break-glass SSH key of the admin user (Azure
	// only: a Linux scale set needs a credential at creation, and a key is
	// safer than a password). Operators reach instances through Bastion or
	// Run Command; AWS uses Session Manager and GCP OS Login instead.
	AdminSSHPublicKey string `json:"adminSshPublicKey,omitempty"`
}

// Images is the machine image for each cloud, the value a release
// promotion changes.
type Images struct {
	// AWS is an AMI id in the stack's region: "ami-0123456789abcdef0".
	AWS string `json:"aws,omitempty"`
	// GCP is an image path: "projects/P/global/images/NAME", or (dev only)
	// a family "projects/P/global/images/family/F".
	GCP string `json:"gcp,omitempty"`
	// Azure is an image resource id ("/subscriptions/.../images/NAME" or a
	// gallery image version id) or a marketplace URN
	// "publisher:offer:sku:version" (version "latest" in dev only).
	Azure string `json:"azure,omitempty"`
}

// For returns the image for cloud.
func (i Images) For(c core.Cloud) string {
	switch c {
	case core.AWS:
		return i.AWS
	case core.GCP:
		return i.GCP
	case core.Azure:
		return i.Azure
	}
	return ""
}

// size is one row of the sizing table: a vCPU and memory class and the
// machine type each cloud runs it on.
type size struct {
	aws, gcp, azure string
	burstable       bool
}

// sizes is the one table mapping Settings.Size to each cloud's machine
// types. General-purpose x86 types with matching vCPU and memory, so a
// stack moved between clouds keeps its per-instance throughput.
var sizes = map[string]size{
	"xsmall": {aws: "t3.small", gcp: "e2-small", azure: "Standard_B2ls_v2", burstable: true}, // 2 vCPU, 2-4 GiB, burstable
	"small":  {aws: "m7i.large", gcp: "n2-standard-2", azure: "Standard_D2s_v5"},             // 2 vCPU, 8 GiB
	"medium": {aws: "m7i.xlarge", gcp: "n2-standard-4", azure: "Standard_D4s_v5"},            // 4 vCPU, 16 GiB
	"large":  {aws: "m7i.2xlarge", gcp: "n2-standard-8", azure: "Standard_D8s_v5"},           // 8 vCPU, 32 GiB
}

// sizeNames lists sizes smallest first, for messages.
var sizeNames = []string{"xsmall", "small", "medium", "large"}

// Limits and constants every cloud shares.
const (
	bootDiskGB = 30
	// warmupSeconds is how long a new instance takes to boot and pass its
	// health check: the autohealing grace period, and how long reactive
	// scaling ignores a new instance's CPU.
	warmupSeconds      = 300
	minCPUTarget       = 20
	maxCPUTarget       = 90
	maxMinHealthy      = 95 // a rollout must be able to replace at least 5% at a time (Azure's minimum batch)
	prodMinHealthy     = 90
	peakMultiple       = 10 // peak traffic is ten times the off-season baseline
	validUntilTag      = "schedules-valid-until"
	healthCheckPathMax = 1024
)

var (
	amiPattern      = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	gcpImagePattern = regexp.MustCompile(`^projects/[a-z][-a-z0-9.:]*/global/images/(family/)?[a-z][-a-z0-9]*$`)
	azureIDPattern  = regexp.MustCompile(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/.+$`)
)

// ApplyDefaults fills every unset setting for env. Prod runs medium
// instances and rolls out keeping 90% in service; images have no default
// (a release is always named).
func (s *Settings) ApplyDefaults(env core.Environment) {
	if s.Size == "" {
		s.Size = map[core.Environment]string{core.Prod: "medium", core.Staging: "small"}[env]
		if s.Size == "" {
			s.Size = "xsmall"
		}
	}
	if s.HealthCheckPath == "" {
		s.HealthCheckPath = "/healthz"
	}
	if s.CPUTargetPercent == 0 {
		s.CPUTargetPercent = 60
	}
	if s.MinHealthyPercent == 0 {
		s.MinHealthyPercent = map[bool]int{true: prodMinHealthy, false: 50}[env.IsProd()]
	}
}

// Validate returns every problem with s for env at once. It checks the
// images that are set; NewAutoscalingGroup also requires the image of the
// stack's cloud. ValidateCalendar checks the capacity rule.
func (s Settings) Validate(env core.Environment) error {
	p := &core.Problems{}
	prod := env.IsProd()
	pinned := env != core.Dev
	sz, known := sizes[s.Size]
	switch {
	case !known:
		p.Add("size", s.Size, "use %s", core.Join(sizeNames))
	case pinned && sz.burstable:
		p.Add("size", s.Size, "%s needs dedicated cores (CPU credits make the CPU target meaningless under load); use small or larger", env)
	}
	if i := s.Image.AWS; i != "" && !amiPattern.MatchString(i) {
		p.Add("image.aws", i, "use an AMI id like ami-0123456789abcdef0")
	}
	if i := s.Image.GCP; i != "" {
		switch {
		case !gcpImagePattern.MatchString(i):
			p.Add("image.gcp", i, "use projects/PROJECT/global/images/NAME")
		case pinned && strings.Contains(i, "/family/"):
			p.Add("image.gcp", i, "%s runs a promoted release, and a family moves; name the image (projects/PROJECT/global/images/NAME)", env)
		}
	}
	if i := s.Image.Azure; i != "" {
		ref, err := parseAzureImage(i)
		switch {
		case err != nil:
			p.Add("image.azure", i, "%v", err)
		case pinned && strings.EqualFold(ref.version, "latest"):
			p.Add("image.azure", i, "%s runs a promoted release, and \"latest\" moves; name the version", env)
		}
	}
	if !strings.HasPrefix(s.HealthCheckPath, "/") || len(s.HealthCheckPath) > healthCheckPathMax || strings.ContainsAny(s.HealthCheckPath, " ?#") {
		p.Add("healthCheckPath", s.HealthCheckPath, "use an absolute path without query, like /healthz")
	}
	if s.CPUTargetPercent < minCPUTarget || s.CPUTargetPercent > maxCPUTarget {
		p.Add("cpuTargetPercent", s.CPUTargetPercent, "use %d to %d", minCPUTarget, maxCPUTarget)
	}
	switch {
	case s.MinHealthyPercent < 0 || s.MinHealthyPercent > maxMinHealthy:
		p.Add("minHealthyPercent", s.MinHealthyPercent, "use 0 to %d", maxMinHealthy)
	case prod && s.MinHealthyPercent < prodMinHealthy:
		p.Add("minHealthyPercent", s.MinHealthyPercent, "prod keeps at least %d%% in service during a rollout (a Saturday rollout must not drop wedding-day capacity); set %d to %d", prodMinHealthy, prodMinHealthy, maxMinHealthy)
	}
	if k := s.AdminSSHPublicKey; k != "" && !strings.HasPrefix(k, "ssh-rsa ") && !strings.HasPrefix(k, "ssh-ed25519 ") {
		p.Add("adminSshPublicKey", "(a key)", "use an OpenSSH public key starting with ssh-rsa or ssh-ed25519")
	}
	return p.Err()
}

// ValidateCalendar checks the group's capacity rule against the season
// calendar: in prod, the largest max capacity of any window must be at
// least ten times the off-season minimum (peak traffic is ten times the
// baseline), unless MaxCapacityReason says why not. Call it with the
// defaulted calendar.
func (s Settings) ValidateCalendar(env core.Environment, cal season.Config) error {
	p := &core.Problems{}
	k := cal.Capacity
	largest := max(k.OffSeason.Max, k.Peak.Max, k.WeddingDay.Max)
	if env.IsProd() && largest < peakMultiple*k.OffSeason.Min && strings.TrimSpace(s.MaxCapacityReason) == "" {
		p.Add("maxCapacityReason", s.MaxCapacityReason,
			"prod's largest max capacity in wedsync:season (%d) is below %dx the off-season minimum (%d, so at least %d); raise capacity.weddingDay.max or capacity.peak.max, or say here why prod does not need it",
			largest, peakMultiple, k.OffSeason.Min, peakMultiple*k.OffSeason.Min)
	}
	return p.Err()
}

// azureImage is a parsed Images.Azure.
type azureImage struct {
	id                             string
	publisher, offer, sku, version string
}

func parseAzureImage(s string) (azureImage, error) {
	if strings.HasPrefix(s, "/") {
		if !azureIDPattern.MatchString(s) {
			return azureImage{}, fmt.Errorf("use a Microsoft.Compute image or gallery image version id (/subscriptions/.../providers/Microsoft.Compute/...)")
		}
		return azureImage{id: s}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 4 || slices.Contains(parts, "") {
		return azureImage{}, fmt.Errorf("use an image id or a marketplace URN publisher:offer:sku:version")
	}
	return azureImage{publisher: parts[0], offer: parts[1], sku: parts[2], version: parts[3]}, nil
}

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
}

// AutoscalingGroup is the application instance group at the primary site.
type AutoscalingGroup struct {
	pulumi.ResourceState

	// GroupID is the ASG ARN, the managed instance group id or the scale
	// set's resource id; GroupName its name.
	GroupID   pulumi.StringOutput
	GroupName pulumi.StringOutput
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
	p.Include("settings.", args.Settings.Validate(dep.Environment))
	if dep.Primary.Cloud.Valid() && args.Settings.Image.For(dep.Primary.Cloud) == "" {
		p.Missing("settings.image."+string(dep.Primary.Cloud), "the machine image the group runs on %s (the release)", dep.Primary.Cloud.Title())
	}
	if dep.Primary.Cloud == core.Azure && args.Settings.AdminSSHPublicKey == "" {
		p.Missing("settings.adminSshPublicKey", "an Azure scale set needs an admin credential at creation; give a break-glass OpenSSH public key")
	}
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
	if err := ctx.RegisterComponentResource("wedsync:compute:AutoscalingGroup", name, c, opts...); err != nil {
		return nil, err
	}
	sp := newSchedulePlan(a.Calendar, a.Now)
	var err error
	switch a.Deployment.Primary.Cloud {
	case core.AWS:
		err = c.aws(ctx, name, &a, sp)
	case core.GCP:
		err = c.gcp(ctx, name, &a, sp)
	case core.Azure:
		err = c.azure(ctx, name, &a, sp)
	}
	if err != nil {
		return nil, fmt.Errorf("autoscaling group %s: %w", name, err)
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"groupId":             c.GroupID,
		"groupName":           c.GroupName,
		"identity":            c.Identity,
		"instanceProfile":     c.InstanceProfile,
		"schedules":           c.Schedules,
		"schedulesValidUntil": c.SchedulesValidUntil,
	})
}

// capacityLine describes one schedule's capacity for the Schedules output.
func capacityLine(k season.Capacity) string {
	return fmt.Sprintf("min %d, max %d, desired %d", k.Min, k.Max, k.Desired)
}

// rfc3339 formats t in UTC, as every cloud's API takes instants.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// The group's alarms, the same on every cloud.
const (
	alarmAtMax     = "at-max"
	alarmUnhealthy = "unhealthy"
)

// alarmDescription says what an alarm means to on-call, with its runbook.
func alarmDescription(key string, t core.Thresholds) string {
	switch key {
	case alarmAtMax:
		return core.AlarmDescription("alarms/app-group.md#at-max",
			"The app group has been at its maximum size for %d minutes: traffic exceeds the season calendar's capacity; raise capacity in wedsync:season", t.GroupAtMaxMinutes)
	default:
		return core.AlarmDescription("alarms/app-group.md#unhealthy",
			"The app group has had instances failing to launch or failing health checks for %d minutes", t.GroupUnhealthyMinutes)
	}
}
