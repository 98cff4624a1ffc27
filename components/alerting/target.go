package alerting

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// AlertTargetType is the notification target's type token.
const AlertTargetType = "wedsync:alerting:AlertTarget"

// oldAlertTargetType is the token stacks deployed before the package and
// the token's module agreed; kept as an alias so they update in place.
const oldAlertTargetType = "wedsync:monitoring:AlertTarget"

// AlertTargetArgs are what the target needs from the stack.
type AlertTargetArgs struct {
	Deployment core.Deployment
	Settings   Settings
	// Calendar is the stack's season calendar: its wedding days decide when
	// the escalation receivers are called, its peak months which
	// thresholds alarms use.
	Calendar season.Config
	// Now is the instant the stack plans for.
	Now time.Time
}

// AlertTarget is the stack's notification target at the primary site.
type AlertTarget struct {
	pulumi.ResourceState

	// Target is what components take as Alerts.
	Target *core.AlertTarget
	// Receivers are the everyday receivers' ids (topic ARN, channel ids or
	// action group id): budgets notify these, never the escalation.
	Receivers pulumi.StringArrayOutput
	// Escalation are the wedding-day escalation receivers' ids (empty
	// outside prod or when none are configured).
	Escalation pulumi.StringArrayOutput
	// Routing says how the escalation is reached, for operators reading the
	// plan and the stack outputs.
	Routing pulumi.StringOutput
}

// NewAlertTarget creates the stack's notification target. It applies
// defaults and validates args itself, so it is usable without stacks.
func NewAlertTarget(ctx *pulumi.Context, name string, args *AlertTargetArgs, opts ...pulumi.ResourceOption) (*AlertTarget, error) {
	if args == nil {
		return nil, fmt.Errorf("alert target %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	a.Calendar.ApplyDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("alert target %s: %w", name, err)
	}
	w, err := weddingWindow(a.Calendar, a.Now)
	if err != nil {
		return nil, fmt.Errorf("alert target %s: %w", name, err)
	}
	c := &AlertTarget{}
	if err := ctx.RegisterComponentResource(AlertTargetType, name, c, core.Aliased(opts, oldAlertTargetType)...); err != nil {
		return nil, err
	}
	b := &targetBuilder{ctx: ctx, name: name, a: &a, c: c, window: w}
	out, err := core.Implementations[targetOutputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(a.Deployment.Primary.Cloud)
	if err != nil {
		return nil, fmt.Errorf("alert target %s: %w", name, err)
	}
	c.Receivers, c.Escalation, c.Routing = out.receivers, out.escalation, pulumi.String(out.routing).ToStringOutput()
	c.Target = &core.AlertTarget{IDs: out.all, Thresholds: core.AlarmThresholds(PeakMonth(a.Calendar, a.Now))}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"ids":        c.Target.IDs,
		"receivers":  c.Receivers,
		"escalation": c.Escalation,
		"routing":    c.Routing,
	})
}

// validate checks the settings and what the target needs from the stack.
func (a *AlertTargetArgs) validate() error {
	p := &core.Problems{}
	p.Include("settings.", a.Settings.Validate(a.Deployment.Environment, a.Deployment.Primary.Cloud))
	if a.Deployment.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the primary site's explicit provider")
	}
	if a.Now.IsZero() {
		p.Missing("now", "the instant the stack plans for (stacks.Now)")
	}
	p.Include("calendar.", a.Calendar.Validate())
	return p.Err()
}

// targetBuilder is one build of the notification target: the defaulted
// args, the wedding-day window and the component, which every cloud's
// implementation reads and parents to.
type targetBuilder struct {
	ctx    *pulumi.Context
	name   string
	a      *AlertTargetArgs
	c      *AlertTarget
	window window
}

// targetOutputs are what a cloud's implementation returns.
type targetOutputs struct {
	// receivers and escalation are the two lists' ids; all is both, as
	// alarms notify them.
	receivers, escalation, all pulumi.StringArrayOutput
	routing                    string
}

// opts are a child's options: parented to the target, on the primary
// site's provider.
func (b *targetBuilder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.a.Deployment.Primary.With(append([]pulumi.ResourceOption{pulumi.Parent(b.c)}, extra...)...)
}

// escalates reports whether the stack has wedding-day escalation receivers.
func (b *targetBuilder) escalates() bool { return len(b.a.Settings.Escalation) > 0 }

// escalationLabel names the escalation in every cloud console and message,
// so whoever receives it knows why: "WEDDING-DAY ESCALATION (Fri 16:00 to
// Sun 02:00 Europe/London)".
func (b *targetBuilder) escalationLabel() string {
	cal := b.a.Calendar
	return fmt.Sprintf("WEDDING-DAY ESCALATION (%s to %s %s)", cal.WeddingDays.Start, cal.WeddingDays.End, cal.Timezone)
}

// alongside is the routing where a cloud cannot route by time.
func (b *targetBuilder) alongside(cloud core.Cloud) string {
	if !b.escalates() {
		return "every alarm goes to the receivers; no wedding-day escalation"
	}
	return fmt.Sprintf("%s cannot route alarms by time: every alarm goes to the receivers and to the %s receivers, all week", cloud.Title(), b.escalationLabel())
}

// bothLists are the outputs of a cloud that cannot route by time: every
// alarm notifies the receivers and, when there are any, the escalation
// receivers. list creates one list's receivers under a logical prefix,
// labelled for whoever receives them.
func (b *targetBuilder) bothLists(cloud core.Cloud, list func(prefix, label string, rs []Receiver, escalation bool) (pulumi.StringArrayOutput, error)) (targetOutputs, error) {
	stack := b.a.Deployment.Stack
	receivers, err := list(b.name, "WedSync "+stack+" alerts", b.a.Settings.Receivers, false)
	if err != nil {
		return targetOutputs{}, err
	}
	out := targetOutputs{receivers: receivers, escalation: none(), all: receivers, routing: b.alongside(cloud)}
	if b.escalates() {
		out.escalation, err = list(b.name+"-wedding-day-escalation", "WedSync "+stack+" "+b.escalationLabel(), b.a.Settings.Escalation, true)
		if err != nil {
			return targetOutputs{}, err
		}
		out.all = concat(out.receivers, out.escalation)
	}
	return out, nil
}
