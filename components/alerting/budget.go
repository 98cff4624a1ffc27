package alerting

import (
	"fmt"
	"math"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// BudgetType is the budget's type token.
const BudgetType = "wedsync:alerting:Budget"

// oldBudgetType is the budget's token before the package and the token's
// module agreed; kept as an alias so deployed stacks update in place.
const oldBudgetType = "wedsync:monitoring:Budget"

// notice is one budget notification: a share of the budget, on actual or
// forecast spend.
type notice struct {
	percent  float64
	forecast bool
}

// notices are every budget's notifications: warned at 80%, told at 100%,
// both on what has been spent and on what the month is forecast to cost.
var notices = []notice{{80, false}, {100, false}, {80, true}, {100, true}}

// label is the notice's name, e.g. "forecast-80".
func (n notice) label() string {
	if n.forecast {
		return fmt.Sprintf("forecast-%g", n.percent)
	}
	return fmt.Sprintf("actual-%g", n.percent)
}

// month is one calendar month of the budget, and whether it is in peak season.
type month struct {
	start time.Time // first day, 00:00 UTC
	peak  bool
}

// budgetMonths are the 12 months from now's month, each marked peak or off
// season by the calendar.
func budgetMonths(cal season.Config, now time.Time) []month {
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]month, 12)
	for i := range out {
		start := first.AddDate(0, i, 0)
		out[i] = month{start: start, peak: PeakMonth(cal, start.Add(14*24*time.Hour))}
	}
	return out
}

// seasonRun is consecutive months of the same season: the unit of a
// time-bounded budget.
type seasonRun struct {
	start, end time.Time // end is the first day after the run
	peak       bool
}

func runs(months []month) []seasonRun {
	var out []seasonRun
	for _, m := range months {
		if n := len(out); n > 0 && out[n-1].peak == m.peak {
			out[n-1].end = m.start.AddDate(0, 1, 0)
			continue
		}
		out = append(out, seasonRun{start: m.start, end: m.start.AddDate(0, 1, 0), peak: m.peak})
	}
	return out
}

// amountFor is the monthly amount for a season.
func (s BudgetSettings) amountFor(peak bool) float64 {
	if peak {
		return s.PeakAmount
	}
	return s.Amount
}

// wholeUnits is an amount as the whole currency units GCP takes, rounded up.
func wholeUnits(a float64) string { return fmt.Sprintf("%d", int64(math.Ceil(a))) }

// BudgetArgs are what the budget needs from the stack.
type BudgetArgs struct {
	Deployment core.Deployment
	Settings   BudgetSettings
	// Calendar decides which months are peak season.
	Calendar season.Config
	// Now is the instant the stack plans for: the budget's months start at
	// its month.
	Now time.Time
	// Notify receives the budget's notifications: the alert target's
	// everyday receivers (AlertTarget.Receivers), never the escalation.
	Notify pulumi.StringArrayOutput
}

// Budget is the stack's monthly cost budget.
type Budget struct {
	pulumi.ResourceState

	// Amounts describes, one line each, what the budget allows when: what
	// operators read in the plan and in stack outputs.
	Amounts pulumi.StringArrayOutput
}

// NewBudget creates the stack's budget with its notifications. It applies
// defaults and validates args itself.
func NewBudget(ctx *pulumi.Context, name string, args *BudgetArgs, opts ...pulumi.ResourceOption) (*Budget, error) {
	if args == nil {
		return nil, fmt.Errorf("budget %s: args are required", name)
	}
	a := *args
	a.Settings.ApplyDefaults(a.Deployment.Environment)
	a.Calendar.ApplyDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("budget %s: %w", name, err)
	}
	c := &Budget{}
	if err := ctx.RegisterComponentResource(BudgetType, name, c, core.Aliased(opts, oldBudgetType)...); err != nil {
		return nil, err
	}
	b := &budgetBuilder{ctx: ctx, name: name, a: &a, c: c, months: budgetMonths(a.Calendar, a.Now)}
	out, err := core.Implementations[budgetOutputs]{AWS: b.aws, GCP: b.gcp, Azure: b.azure}.Build(a.Deployment.Primary.Cloud)
	if err != nil {
		return nil, fmt.Errorf("budget %s: %w", name, err)
	}
	c.Amounts = pulumi.ToStringArray(out.amounts).ToStringArrayOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"amounts": c.Amounts})
}

// validate checks the settings and what the budget needs from the stack.
func (a *BudgetArgs) validate() error {
	p := &core.Problems{}
	p.Include("settings.", a.Settings.Validate(a.Deployment.Environment, a.Deployment.Primary.Cloud))
	if a.Deployment.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the primary site's explicit provider")
	}
	if a.Now.IsZero() {
		p.Missing("now", "the instant the stack plans for (stacks.Now)")
	}
	return p.Err()
}

// budgetBuilder is one build of the budget: the defaulted args, the twelve
// months it covers and the component.
type budgetBuilder struct {
	ctx    *pulumi.Context
	name   string
	a      *BudgetArgs
	c      *Budget
	months []month
}

// budgetOutputs are what a cloud's implementation returns.
type budgetOutputs struct {
	// amounts says, one line each, what the budget allows when.
	amounts []string
}

// opts are a child's options: parented to the budget, on the primary
// site's provider.
func (b *budgetBuilder) opts() []pulumi.ResourceOption {
	return b.a.Deployment.Primary.With(pulumi.Parent(b.c))
}
