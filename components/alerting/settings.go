package alerting

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"

	"github.com/wedsync/wedsync-infra/components/core"
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

// Validate returns every problem with s for env at once. Receivers are
// the same on every cloud, so cloud adds no rules.
func (s Settings) Validate(env core.Environment, _ core.Cloud) error {
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

// Validate returns every problem with s for a stack of env on cloud: every
// environment has a budget, so env adds no rules.
func (s BudgetSettings) Validate(_ core.Environment, cloud core.Cloud) error {
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
