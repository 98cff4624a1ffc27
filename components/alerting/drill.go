package alerting

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// RestoreDrillAlarmType is the restore drill alarm's type token.
const RestoreDrillAlarmType = "wedsync:alerting:RestoreDrillAlarm"

// The restore drill's metric as this alarm reads it: the drill publishes
// per source stack whether it passed (1 or 0) and how long the restore
// took. The drill's publisher (internal/drill/metric.go) writes the same
// names; a test there holds the two to each other through the planned
// alarms, so neither is taken from the other.
const (
	// drillNamespace is the CloudWatch namespace of the drill's metrics.
	drillNamespace = "WedSync/RestoreDrill"
	// drillSucceeded and drillSeconds are the CloudWatch and Azure
	// (Application Insights custom metric) names.
	drillSucceeded = "DrillSucceeded"
	drillSeconds   = "RestoreSeconds"
	// drillGCPPrefix is the Cloud Monitoring custom metric type prefix.
	drillGCPPrefix = "custom.googleapis.com/wedsync/restore_drill/"
	// drillAlarmPage is the runbook page every drill alarm links to.
	drillAlarmPage = "alarms/restore-drill.md"
)

// RestoreDrillAlarmArgs are what the drill alarm needs from the stack.
type RestoreDrillAlarmArgs struct {
	Deployment core.Deployment
	// Alerts is where it pages: the stack's alert target.
	Alerts *core.AlertTarget
	// RTO is the restore time over which a drill is slow (default the
	// seed's 4 hours).
	RTO time.Duration
	// MissingAfter is how long without a drill pages (default 8 days: a
	// weekly drill and a day's slack). Where a cloud cannot look back that
	// far the alarm says what it does instead (see each cloud's file).
	MissingAfter time.Duration
}

// RestoreDrillAlarm pages when the weekly restore drill of the stack fails,
// is slower than the RTO, or does not run.
type RestoreDrillAlarm struct {
	pulumi.ResourceState
	// Sink is where the drill publishes, for `dr drill --publish-metric`:
	// the cloud's metric names and, on Azure, the Application Insights
	// connection string.
	Sink pulumi.MapOutput
}

// NewRestoreDrillAlarm creates the stack's restore drill alarm.
func NewRestoreDrillAlarm(ctx *pulumi.Context, name string, args *RestoreDrillAlarmArgs, opts ...pulumi.ResourceOption) (*RestoreDrillAlarm, error) {
	if args == nil || args.Alerts == nil {
		return nil, fmt.Errorf("restore drill alarm %s: args with an alert target are required", name)
	}
	a := *args
	if a.RTO == 0 {
		a.RTO = 4 * time.Hour
	}
	if a.MissingAfter == 0 {
		a.MissingAfter = 8 * 24 * time.Hour
	}
	if a.Deployment.Primary.Provider == nil {
		return nil, fmt.Errorf("restore drill alarm %s: deployment.primary.provider: the primary site's explicit provider is required", name)
	}
	c := &RestoreDrillAlarm{}
	if err := ctx.RegisterComponentResource(RestoreDrillAlarmType, name, c, opts...); err != nil {
		return nil, err
	}
	b := &drillBuilder{ctx: ctx, name: name, a: &a, c: c}
	sink, err := core.Implementations[pulumi.Map]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(a.Deployment.Primary.Cloud)
	if err != nil {
		return nil, fmt.Errorf("restore drill alarm %s: %w", name, err)
	}
	sink["cloud"] = pulumi.String(a.Deployment.Primary.Cloud)
	sink["stack"] = pulumi.String(a.Deployment.Stack)
	c.Sink = sink.ToMapOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"sink": c.Sink})
}

// drillBuilder is one build of the drill alarm.
type drillBuilder struct {
	ctx  *pulumi.Context
	name string
	a    *RestoreDrillAlarmArgs
	c    *RestoreDrillAlarm
}

func (b *drillBuilder) opts() []pulumi.ResourceOption {
	return b.a.Deployment.Primary.With(pulumi.Parent(b.c))
}

// description says what fired and where to read on: the runbook page's
// section anchor ("failed", "missing"; "" for the page).
func (b *drillBuilder) description(anchor, what string) string {
	page := drillAlarmPage
	if anchor != "" {
		page += "#" + anchor
	}
	return core.AlarmDescription(page, "WedSync %s restore drill %s (target: restored and verified within %s, every week)",
		b.a.Deployment.Stack, what, b.a.RTO)
}
