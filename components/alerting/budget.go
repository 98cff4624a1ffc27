package alerting

import (
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/season"
)

// BudgetSettings are the stack's budget, under `wedsync:budget` in stack
// config. Amounts are per calendar month.
type BudgetSettings struct {
	// Amount is the monthly budget off season.
	Amount float64 `json:"amount"`
	// PeakAmount is the monthly budget in peak season (the calendar's peak
	// months): traffic is ten times the baseline then. Defaults to Amount.
	PeakAmount float64 `json:"peakAmount,omitempty"`
	// Currency is the budget's ISO 4217 code. AWS Budgets count in USD only;
	// GCP needs the billing account's currency (empty: the account's);
	// Azure budgets are in the billing currency and take no code.
	Currency string `json:"currency,omitempty"`
	// BillingAccount is the GCP billing account the budget belongs to
	// (XXXXXX-XXXXXX-XXXXXX). Required on GCP.
	BillingAccount string `json:"billingAccount,omitempty"`
}

// ApplyDefaults fills unset settings: a stack without a peak figure keeps
// the same budget all year.
func (s *BudgetSettings) ApplyDefaults(core.Environment) {
	if s.PeakAmount == 0 {
		s.PeakAmount = s.Amount
	}
}

var (
	billingAccountPattern = regexp.MustCompile(`^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$`)
	currencyPattern       = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ValidateFor returns every problem with s for a stack on cloud.
func (s BudgetSettings) ValidateFor(_ core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	if s.Amount <= 0 {
		p.Add("amount", s.Amount, "every stack has a monthly budget; set a positive amount")
	}
	if s.PeakAmount < s.Amount {
		p.Add("peakAmount", s.PeakAmount, "the peak-season budget cannot be below the off-season amount (%g): peak traffic is ten times the baseline", s.Amount)
	}
	if s.Currency != "" && !currencyPattern.MatchString(s.Currency) {
		p.Add("currency", s.Currency, "use an ISO 4217 code such as GBP or USD")
	}
	switch cloud {
	case core.AWS:
		if s.Currency != "" && s.Currency != "USD" {
			p.Add("currency", s.Currency, "AWS Budgets count cost in USD; remove the setting or set USD")
		}
	case core.GCP:
		if !billingAccountPattern.MatchString(s.BillingAccount) {
			p.Add("billingAccount", s.BillingAccount, "GCP budgets belong to a billing account; use its id, e.g. 012345-6789AB-CDEF01 (`gcloud billing accounts list`)")
		}
	case core.Azure:
		if s.Currency != "" {
			p.Add("currency", s.Currency, "Azure budgets are in the billing account's currency; remove the setting")
		}
	}
	return p.Err()
}

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
	p := &core.Problems{}
	p.Include("settings.", a.Settings.ValidateFor(a.Deployment.Environment, a.Deployment.Primary.Cloud))
	if a.Deployment.Primary.Provider == nil {
		p.Missing("deployment.primary.provider", "the primary site's explicit provider")
	}
	if a.Now.IsZero() {
		p.Missing("now", "the instant the stack plans for (stacks.Now)")
	}
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("budget %s: %w", name, err)
	}
	c := &Budget{}
	if err := ctx.RegisterComponentResource(BudgetType, name, c, opts...); err != nil {
		return nil, err
	}
	b := &budget{args: &a, months: budgetMonths(a.Calendar, a.Now), opts: a.Deployment.Primary.With(pulumi.Parent(c))}
	var lines []string
	var err error
	switch a.Deployment.Primary.Cloud {
	case core.AWS:
		lines, err = b.aws(ctx, name)
	case core.GCP:
		lines, err = b.gcp(ctx, name)
	case core.Azure:
		lines, err = b.azure(ctx, name)
	default:
		err = fmt.Errorf("cloud %q is not supported", a.Deployment.Primary.Cloud)
	}
	if err != nil {
		return nil, fmt.Errorf("budget %s: %w", name, err)
	}
	c.Amounts = pulumi.ToStringArray(lines).ToStringArrayOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"amounts": c.Amounts})
}

// budget is one build of the budget.
type budget struct {
	args   *BudgetArgs
	months []month
	opts   []pulumi.ResourceOption
}
