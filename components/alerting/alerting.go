// Package alerting is where a stack's alarms and cost notices go, and what
// watches the stack as a whole: the notification target (wedsync:monitoring:
// AlertTarget: an SNS topic, Monitoring notification channels or a Monitor
// action group, with prod's wedding-day escalation), the budget
// (wedsync:monitoring:Budget) and the dashboard (wedsync:monitoring:
// Dashboard). Components raise their own alarms to the target; the
// thresholds they use are core.AlarmThresholds.
package alerting

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// Type tokens of the package's components.
const (
	TargetType    = "wedsync:monitoring:AlertTarget"
	BudgetType    = "wedsync:monitoring:Budget"
	DashboardType = "wedsync:monitoring:Dashboard"
)

// Settings are the notification target's knobs, under `wedsync:alerting`
// in stack config.
type Settings struct {
	// Receivers get every alarm and every budget notice.
	Receivers []Receiver `json:"receivers,omitempty"`
	// Escalation receivers get every alarm on wedding days (the season
	// calendar's weddingDays, Friday 16:00 to Sunday 02:00 by default):
	// the people who can act while a wedding is running. Required in prod.
	Escalation []Receiver `json:"escalation,omitempty"`
}

// Receiver is one person, list or paging service. Exactly one of Email and
// Webhook is set.
type Receiver struct {
	// Name is lowercase letters, digits and hyphens, e.g. "platform-oncall".
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	// Webhook is an https URL, e.g. a paging service's events endpoint.
	// It usually embeds an integration key: set it with `pulumi config set
	// --secret --path`; the program treats it as a secret either way.
	Webhook string `json:"webhook,omitempty"`
}

// ApplyDefaults fills unset settings for env. There is nothing to default:
// receivers are people, and the program cannot invent them. It exists so
// every component block is handled the same way.
func (s *Settings) ApplyDefaults(core.Environment) {}

var receiverName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// Validate returns every problem with s for env at once.
func (s Settings) Validate(env core.Environment) error {
	p := &core.Problems{}
	if len(s.Receivers) == 0 {
		p.Missing("receivers", "at least one receiver ({name, email} or {name, webhook}): an alarm nobody receives protects nothing")
	}
	if env.IsProd() && len(s.Escalation) == 0 {
		p.Missing("escalation", "prod needs a wedding-day escalation receiver: someone who can act while weddings run (Friday 16:00 to Sunday 02:00)")
	}
	seen := map[string]bool{}
	check := func(list string, rs []Receiver) {
		for i, r := range rs {
			field := fmt.Sprintf("%s[%d].", list, i)
			switch {
			case !receiverName.MatchString(r.Name):
				p.Add(field+"name", r.Name, "use lowercase letters, digits and hyphens, starting with a letter, at most 31 characters")
			case seen[r.Name]:
				p.Add(field+"name", r.Name, "is used by another receiver; names must be unique across receivers and escalation")
			}
			seen[r.Name] = true
			switch {
			case (r.Email == "") == (r.Webhook == ""):
				p.Add(field+"email", r.Email, "set exactly one of email and webhook")
			case r.Email != "":
				if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
					p.Add(field+"email", r.Email, "not an email address; use a plain address like oncall@wedsync.co.uk")
				}
			default:
				if u, err := url.Parse(r.Webhook); err != nil || u.Scheme != "https" || u.Host == "" {
					p.Add(field+"webhook", "[redacted]", "use an https:// URL: alarms carry production details and must not travel in clear text")
				}
			}
		}
	}
	check("receivers", s.Receivers)
	check("escalation", s.Escalation)
	return p.Err()
}

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
	p := &core.Problems{}
	p.Include("settings.", a.Settings.Validate(a.Deployment.Environment))
	if a.Deployment.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the primary site's explicit provider")
	}
	if a.Now.IsZero() {
		p.Missing("now", "the instant the stack plans for (stacks.Now)")
	}
	p.Include("calendar.", a.Calendar.Validate())
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("alert target %s: %w", name, err)
	}
	w, err := weddingWindow(a.Calendar, a.Now)
	if err != nil {
		return nil, fmt.Errorf("alert target %s: %w", name, err)
	}
	c := &AlertTarget{}
	if err := ctx.RegisterComponentResource(TargetType, name, c, opts...); err != nil {
		return nil, err
	}
	t := &target{args: &a, window: w, opts: a.Deployment.Primary.With(pulumi.Parent(c))}
	switch a.Deployment.Primary.Cloud {
	case core.AWS:
		err = t.aws(ctx, name)
	case core.GCP:
		err = t.gcp(ctx, name)
	case core.Azure:
		err = t.azure(ctx, name)
	default:
		err = fmt.Errorf("cloud %q is not supported", a.Deployment.Primary.Cloud)
	}
	if err != nil {
		return nil, fmt.Errorf("alert target %s: %w", name, err)
	}
	c.Receivers, c.Escalation, c.Routing = t.receivers, t.escalation, pulumi.String(t.routing).ToStringOutput()
	c.Target = &core.AlertTarget{IDs: t.all, Thresholds: core.AlarmThresholds(PeakMonth(a.Calendar, a.Now))}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"ids":        c.Target.IDs,
		"receivers":  c.Receivers,
		"escalation": c.Escalation,
		"routing":    c.Routing,
	})
}

// target is one build of the notification target: what each cloud's
// implementation reads and fills in.
type target struct {
	args   *AlertTargetArgs
	window window
	opts   []pulumi.ResourceOption

	receivers, escalation, all pulumi.StringArrayOutput
	routing                    string
}

func (t *target) dep() core.Deployment { return t.args.Deployment }

// escalates reports whether the stack has wedding-day escalation receivers.
func (t *target) escalates() bool { return len(t.args.Settings.Escalation) > 0 }

// escalationLabel names the escalation in every cloud console and message,
// so whoever receives it knows why: "WEDDING-DAY ESCALATION (Fri 16:00 to
// Sun 02:00 Europe/London)".
func (t *target) escalationLabel() string {
	return fmt.Sprintf("WEDDING-DAY ESCALATION (%s to %s %s)", t.args.Calendar.WeddingDays.Start, t.args.Calendar.WeddingDays.End, t.args.Calendar.Timezone)
}

// alongside is the routing where a cloud cannot route by time.
func (t *target) alongside(cloud core.Cloud) string {
	if !t.escalates() {
		return "every alarm goes to the receivers; no wedding-day escalation"
	}
	return fmt.Sprintf("%s cannot route alarms by time: every alarm goes to the receivers and to the %s receivers, all week", cloud.Title(), t.escalationLabel())
}

// concat joins id lists known at different times.
func concat(lists ...pulumi.StringArrayOutput) pulumi.StringArrayOutput {
	in := make([]any, len(lists))
	for i, l := range lists {
		in[i] = l
	}
	return pulumi.All(in...).ApplyT(func(vs []any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.([]string)...)
		}
		return out
	}).(pulumi.StringArrayOutput)
}

func none() pulumi.StringArrayOutput { return pulumi.ToStringArray(nil).ToStringArrayOutput() }

// secretURL keeps a webhook (which embeds its integration key) secret in
// state and in every output.
func secretURL(u string) pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(u)).(pulumi.StringOutput)
}

// window is the weekly wedding-day window, on the wall clock of the
// calendar's zone: when the escalation receivers are called.
type window struct {
	startDay, endDay time.Weekday
	// startMinute and endMinute are minutes after local midnight.
	startMinute, endMinute int
	// windowsZone is the zone's Windows name (Azure schedules).
	windowsZone string
}

// day is the part of the window on one weekday: [from, to) in minutes
// after midnight, to = 1440 for "until midnight".
type day struct {
	weekday  time.Weekday
	from, to int
}

// days splits the window into one stretch per weekday it touches, for
// clouds that schedule by day and time of day.
func (w window) days() []day {
	var out []day
	d, from := w.startDay, w.startMinute
	for {
		if d == w.endDay && (len(out) > 0 || w.endMinute > from) {
			if w.endMinute > from {
				out = append(out, day{d, from, w.endMinute})
			}
			return out
		}
		out = append(out, day{d, from, 24 * 60})
		d, from = (d+1)%7, 0
	}
}

// weddingWindow reads the weekly wedding-day window from the calendar,
// through the Azure plan, which states it as the weekday and time the
// wedding-day capacity starts and ends: the calendar stays the one place
// the window is parsed.
func weddingWindow(cal season.Config, now time.Time) (window, error) {
	from, to := cal.Horizon(now)
	plan, err := cal.AzureProfiles(from, to)
	if err != nil {
		return window{}, err
	}
	w := window{}
	found := 0
	for _, p := range plan.Profiles {
		if p.Recurrence == nil || len(p.Recurrence.Schedule.Days) != 1 || len(p.Recurrence.Schedule.Hours) != 1 || len(p.Recurrence.Schedule.Minutes) != 1 {
			continue
		}
		s := p.Recurrence.Schedule
		wd := slices.IndexFunc([]time.Weekday{0, 1, 2, 3, 4, 5, 6}, func(d time.Weekday) bool { return strings.EqualFold(d.String(), s.Days[0]) })
		if wd < 0 {
			continue
		}
		minute := s.Hours[0]*60 + s.Minutes[0]
		w.windowsZone = s.TimeZone
		switch p.Name {
		case "wedding-day-start":
			w.startDay, w.startMinute = time.Weekday(wd), minute
			found++
		case "wedding-day-end":
			w.endDay, w.endMinute = time.Weekday(wd), minute
			found++
		}
	}
	if found != 2 {
		return window{}, fmt.Errorf("the season calendar's wedding-day window (%s to %s) could not be read", cal.WeddingDays.Start, cal.WeddingDays.End)
	}
	return w, nil
}

// PeakMonth reports whether now's month is in the calendar's peak season:
// the alarm thresholds and budget a stack is applied with hold for the
// month (stacks are re-applied at least monthly to refresh their
// schedules). A month is peak when any of its days is, at noon, in peak
// season rather than off season (wedding days say nothing about the season).
func PeakMonth(cal season.Config, now time.Time) bool {
	loc, err := time.LoadLocation(cal.Timezone)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	for d := 1; d <= 31; d++ {
		t := time.Date(local.Year(), local.Month(), d, 12, 0, 0, 0, loc)
		if t.Month() != local.Month() {
			break
		}
		switch cal.StateAt(t).Window {
		case season.WindowPeak:
			return true
		case season.WindowOffSeason:
			return false
		}
	}
	return false
}
