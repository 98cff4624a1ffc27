package alerting

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
	"github.com/wedsync/wedsync-infra/season"
)

// november is off season; the budget's twelve months then run to October.
var november = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func prodSettings() Settings {
	return Settings{
		Receivers:  []Receiver{{Name: "platform-oncall", Email: "oncall@wedsync.co.uk"}, {Name: "pager", Webhook: "https://events.pager.example/integration/KEY"}},
		Escalation: []Receiver{{Name: "wedding-day-lead", Email: "weddingday@wedsync.co.uk"}},
	}
}

func budgetSettings(cloud core.Cloud) BudgetSettings {
	s := BudgetSettings{Amount: 4000, PeakAmount: 12000}
	if cloud == core.GCP {
		s.BillingAccount = "012345-6789AB-CDEF01"
	}
	return s
}

// run plans the target and the budget of a stack of env on cloud.
func run(t *testing.T, cloud core.Cloud, env core.Environment, s Settings) *plan.Plan {
	t.Helper()
	return testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, env)
		if err != nil {
			return err
		}
		target, err := NewAlertTarget(ctx, "alerts", &AlertTargetArgs{Deployment: dep, Settings: s, Calendar: season.Config{}, Now: november})
		if err != nil {
			return err
		}
		_, err = NewBudget(ctx, "budget", &BudgetArgs{Deployment: dep, Settings: budgetSettings(cloud), Calendar: season.Config{}, Now: november, Notify: target.Receivers})
		return err
	})
}

func named(rs []plan.Resource, part string) []plan.Resource {
	var out []plan.Resource
	for _, r := range rs {
		if strings.Contains(r.Name, part) {
			out = append(out, r)
		}
	}
	return out
}

func TestAWSProdTopicsAreEncryptedAndEscalationIsNamed(t *testing.T) {
	p := run(t, core.AWS, core.Prod, prodSettings())
	topics := testkit.OfType(p, "aws:sns/topic:Topic")
	if len(topics) != 2 {
		t.Fatalf("want the receivers' topic and the escalation topic, got %d", len(topics))
	}
	key := testkit.One(t, p, "aws:kms/key:Key")
	if testkit.Get(key, "enableKeyRotation") != true {
		t.Error("the alert key must rotate")
	}
	for _, tp := range topics {
		if k, _ := testkit.Get(tp, "kmsMasterKeyId").(string); !strings.HasPrefix(k, "arn:aws:kms:eu-west-2:") {
			t.Errorf("topic %s: kmsMasterKeyId = %v, want the alert key's ARN", tp.Name, k)
		}
	}
	esc := named(topics, "wedding-day-escalation")
	if len(esc) != 1 || !strings.Contains(testkit.Get(esc[0], "displayName").(string), "WEDDING-DAY ESCALATION (Fri 16:00 to Sun 02:00 Europe/London)") {
		t.Errorf("the escalation topic must say what it is and when it applies: %+v", esc)
	}
	subs := testkit.OfType(p, "aws:sns/topicSubscription:TopicSubscription")
	if len(subs) != 3 {
		t.Fatalf("want one subscription per receiver (3), got %d", len(subs))
	}
	for _, s := range subs {
		if testkit.Get(s, "protocol") == "https" && testkit.Get(s, "endpoint") != core.SecretMarker {
			t.Errorf("webhook endpoint must be secret, got %v", testkit.Get(s, "endpoint"))
		}
	}
	for _, pol := range testkit.OfType(p, "aws:sns/topicPolicy:TopicPolicy") {
		doc, _ := testkit.Get(pol, "policy").(string)
		for _, svc := range []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com", "events.amazonaws.com"} {
			if !strings.Contains(doc, svc) {
				t.Errorf("topic policy %s must let %s publish", pol.Name, svc)
			}
		}
	}
}

func TestDevHasNoEscalation(t *testing.T) {
	s := Settings{Receivers: []Receiver{{Name: "dev-team", Email: "dev@wedsync.co.uk"}}}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := run(t, cloud, core.Dev, s)
			for _, r := range p.Resources {
				if strings.Contains(r.Name, "escalation") {
					t.Errorf("dev has no escalation receivers, but plans %s %s", r.Type, r.Name)
				}
			}
		})
	}
}

func TestGCPProdChannelsNameTheEscalation(t *testing.T) {
	p := run(t, core.GCP, core.Prod, prodSettings())
	chans := testkit.OfType(p, "gcp:monitoring/notificationChannel:NotificationChannel")
	if len(chans) != 3 {
		t.Fatalf("want a channel per receiver (3), got %d", len(chans))
	}
	esc := named(chans, "wedding-day-escalation")
	if len(esc) != 1 || !strings.Contains(testkit.Get(esc[0], "displayName").(string), "WEDDING-DAY ESCALATION") {
		t.Errorf("the escalation channel must be named as such: %+v", esc)
	}
	for _, c := range chans {
		if testkit.Get(c, "type") == "webhook_tokenauth" && testkit.Get(c, "labels.url") != core.SecretMarker {
			t.Errorf("webhook url must be secret, got %v", testkit.Get(c, "labels.url"))
		}
	}
}

func TestAzureProdEscalationIsRoutedByTimeOnWeddingDays(t *testing.T) {
	p := run(t, core.Azure, core.Prod, prodSettings())
	groups := testkit.OfType(p, "azure-native:insights:ActionGroup")
	if len(groups) != 2 {
		t.Fatalf("want the receivers' and the escalation action group, got %d", len(groups))
	}
	esc := named(groups, "wedding-day-escalation")
	if len(esc) != 1 {
		t.Fatal("no escalation action group")
	}
	rule := testkit.One(t, p, AlertProcessingRuleType)
	if got := testkit.Get(rule, "properties.actions.0.actionGroupIds.0"); got != esc[0].ID {
		t.Errorf("the rule adds %v, want the escalation group %s", got, esc[0].ID)
	}
	if got := testkit.Get(rule, "properties.schedule.timeZone"); got != "GMT Standard Time" {
		t.Errorf("schedule zone = %v, want the calendar's zone as Windows names it", got)
	}
	var got []string
	recs, _ := testkit.Get(rule, "properties.schedule.recurrences").([]any)
	for _, r := range recs {
		m := r.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v-%v", m["daysOfWeek"].([]any)[0], m["startTime"], m["endTime"]))
	}
	want := []string{"Friday 16:00:00-23:59:59", "Saturday <nil>-<nil>", "Sunday 00:00:00-02:00:00"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("recurrences = %v, want %v (Friday 16:00 to Sunday 02:00)", got, want)
	}
	scopes, _ := testkit.Get(rule, "properties.scopes").([]any)
	if len(scopes) != 2 {
		t.Errorf("the rule covers the primary and DR resource groups, got %v", scopes)
	}
}

func TestEveryProdBudgetNotifiesAt80And100PercentActualAndForecast(t *testing.T) {
	want := "actual-80 actual-100 forecast-80 forecast-100"
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			p := run(t, cloud, core.Prod, prodSettings())
			var got []string
			switch cloud {
			case core.AWS:
				b := testkit.One(t, p, "aws:budgets/budget:Budget")
				for _, n := range testkit.Get(b, "notifications").([]any) {
					m := n.(map[string]any)
					kind := map[any]string{"ACTUAL": "actual", "FORECASTED": "forecast"}[m["notificationType"]]
					got = append(got, fmt.Sprintf("%s-%v", kind, m["threshold"]))
					if arns := m["subscriberSnsTopicArns"].([]any); len(arns) != 1 || strings.Contains(arns[0].(string), "escalation") {
						t.Errorf("budget notices go to the receivers' topic only, got %v", arns)
					}
				}
			case core.GCP:
				b := testkit.One(t, p, "gcp:billing/budget:Budget")
				for _, r := range testkit.Get(b, "thresholdRules").([]any) {
					m := r.(map[string]any)
					kind := map[any]string{"CURRENT_SPEND": "actual", "FORECASTED_SPEND": "forecast"}[m["spendBasis"]]
					got = append(got, fmt.Sprintf("%s-%v", kind, m["thresholdPercent"].(float64)*100))
				}
				if testkit.Get(b, "billingAccount") != "012345-6789AB-CDEF01" {
					t.Error("the GCP budget belongs to the configured billing account")
				}
				if len(testkit.Get(b, "allUpdatesRule.monitoringNotificationChannels").([]any)) != 2 {
					t.Error("the GCP budget notifies the receivers' channels (not the escalation)")
				}
			case core.Azure:
				bs := testkit.OfType(p, "azure-native:consumption:Budget")
				if len(bs) == 0 {
					t.Fatal("no budget")
				}
				for _, label := range strings.Fields(want) {
					m, _ := testkit.Get(bs[0], "notifications."+label).(map[string]any)
					if m == nil {
						continue
					}
					kind := map[any]string{"Actual": "actual", "Forecasted": "forecast"}[m["thresholdType"]]
					got = append(got, fmt.Sprintf("%s-%v", kind, m["threshold"]))
				}
			}
			if strings.Join(got, " ") != want {
				t.Errorf("notifications = %v, want %s", got, want)
			}
		})
	}
}

func TestAWSBudgetPlansThePeakAmountForPeakMonths(t *testing.T) {
	p := run(t, core.AWS, core.Prod, prodSettings())
	b := testkit.One(t, p, "aws:budgets/budget:Budget")
	limits := testkit.Get(b, "plannedLimits").([]any)
	if len(limits) != 12 {
		t.Fatalf("want 12 planned months, got %d", len(limits))
	}
	for _, l := range limits {
		m := l.(map[string]any)
		start := m["startTime"].(string)
		month, _ := time.Parse("2006-01-02_15:04", start)
		want := "4000.00"
		if month.Month() >= time.May && month.Month() <= time.October {
			want = "12000.00"
		}
		if m["amount"] != want {
			t.Errorf("%s: amount %v, want %s", start, m["amount"], want)
		}
	}
	if got := testkit.Get(b, "costFilters.0.values.0"); got != "user:stack$prod" {
		t.Errorf("the budget counts the stack's resources by tag, got %v", got)
	}
}

func TestAzureBudgetsAreTimeBoundedPerSeason(t *testing.T) {
	p := run(t, core.Azure, core.Prod, prodSettings())
	var got []string
	for _, b := range testkit.OfType(p, "azure-native:consumption:Budget") {
		got = append(got, fmt.Sprintf("%v..%v=%v", testkit.Get(b, "timePeriod.startDate"), testkit.Get(b, "timePeriod.endDate"), testkit.Get(b, "amount")))
	}
	want := []string{"2026-11-01T00:00:00Z..2027-04-30T23:59:59Z=4000", "2027-05-01T00:00:00Z..2027-10-31T23:59:59Z=12000"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("budgets = %v, want %v", got, want)
	}
}

func TestGCPBudgetHoldsThePeakFigure(t *testing.T) {
	p := run(t, core.GCP, core.Prod, prodSettings())
	b := testkit.One(t, p, "gcp:billing/budget:Budget")
	if got := testkit.Get(b, "amount.specifiedAmount.units"); got != "12000" {
		t.Errorf("GCP cannot bound a recurring budget in time, so it holds the peak figure; got %v", got)
	}
}

func TestThresholdsFollowTheSeasonOfThePlan(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		peak bool
	}{
		{november, false},
		{time.Date(2026, 6, 13, 15, 0, 0, 0, time.UTC), true}, // a June Saturday: peak, whatever the day
		{time.Date(2026, 5, 1, 0, 30, 0, 0, time.UTC), true},  // 01:30 London on 1 May
		{time.Date(2026, 4, 30, 22, 0, 0, 0, time.UTC), false},
	} {
		if got := PeakMonth(season.Config{}, c.now); got != c.peak {
			t.Errorf("PeakMonth(%s) = %v, want %v", c.now, got, c.peak)
		}
	}
	var target *core.AlertTarget
	testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.AWS, core.Prod)
		if err != nil {
			return err
		}
		a, err := NewAlertTarget(ctx, "alerts", &AlertTargetArgs{Deployment: dep, Settings: prodSettings(), Now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)})
		target = a.Target
		return err
	})
	if target.Limits() != core.AlarmThresholds(true) {
		t.Errorf("a July plan uses the peak thresholds, got %+v", target.Limits())
	}
	if (&core.AlertTarget{}).Limits() != core.AlarmThresholds(false) {
		t.Error("a target without thresholds uses the off-season table")
	}
}

func TestWindowDays(t *testing.T) {
	for _, c := range []struct {
		w    window
		want string
	}{
		{window{startDay: time.Friday, startMinute: 960, endDay: time.Sunday, endMinute: 120}, "Friday 960-1440, Saturday 0-1440, Sunday 0-120"},
		{window{startDay: time.Saturday, startMinute: 600, endDay: time.Saturday, endMinute: 1200}, "Saturday 600-1200"},
		{window{startDay: time.Friday, startMinute: 960, endDay: time.Sunday, endMinute: 0}, "Friday 960-1440, Saturday 0-1440"},
	} {
		var got []string
		for _, d := range c.w.days() {
			got = append(got, fmt.Sprintf("%s %d-%d", d.weekday, d.from, d.to))
		}
		if strings.Join(got, ", ") != c.want {
			t.Errorf("days() = %v, want %s", got, c.want)
		}
	}
}

func TestSettingsValidation(t *testing.T) {
	ok := Receiver{Name: "oncall", Email: "oncall@wedsync.co.uk"}
	for _, c := range []struct {
		name  string
		env   core.Environment
		s     Settings
		field string
	}{
		{"no_receivers", core.Dev, Settings{}, "receivers"},
		{"prod_without_escalation", core.Prod, Settings{Receivers: []Receiver{ok}}, "escalation"},
		{"bad_name", core.Dev, Settings{Receivers: []Receiver{{Name: "On Call", Email: "a@b.co"}}}, "receivers[0].name"},
		{"duplicate_name", core.Prod, Settings{Receivers: []Receiver{ok}, Escalation: []Receiver{ok}}, "escalation[0].name"},
		{"both_email_and_webhook", core.Dev, Settings{Receivers: []Receiver{{Name: "x", Email: "a@b.co", Webhook: "https://x"}}}, "receivers[0].email"},
		{"bad_email", core.Dev, Settings{Receivers: []Receiver{{Name: "x", Email: "Team <a@b.co>"}}}, "receivers[0].email"},
		{"plain_http_webhook", core.Dev, Settings{Receivers: []Receiver{{Name: "x", Webhook: "http://pager.example/hook"}}}, "receivers[0].webhook"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.Validate(c.env, "")
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Errorf("want a problem naming %s, got %v", c.field, err)
			}
		})
	}
	if err := prodSettings().Validate(core.Prod, ""); err != nil {
		t.Errorf("prod settings are valid: %v", err)
	}
}

func TestBudgetValidation(t *testing.T) {
	for _, c := range []struct {
		name  string
		cloud core.Cloud
		s     BudgetSettings
		field string
	}{
		{"no_amount", core.AWS, BudgetSettings{}, "amount"},
		{"peak_below_off_season", core.AWS, BudgetSettings{Amount: 100, PeakAmount: 50}, "peakAmount"},
		{"aws_counts_in_usd", core.AWS, BudgetSettings{Amount: 100, PeakAmount: 100, Currency: "GBP"}, "currency"},
		{"gcp_needs_billing_account", core.GCP, BudgetSettings{Amount: 100, PeakAmount: 100}, "billingAccount"},
		{"azure_takes_no_currency", core.Azure, BudgetSettings{Amount: 100, PeakAmount: 100, Currency: "GBP"}, "currency"},
		{"bad_currency", core.GCP, BudgetSettings{Amount: 100, PeakAmount: 100, Currency: "pounds", BillingAccount: "012345-6789AB-CDEF01"}, "currency"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.Validate(core.Prod, c.cloud)
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Errorf("want a problem naming %s, got %v", c.field, err)
			}
		})
	}
	s := BudgetSettings{Amount: 100}
	s.ApplyDefaults(core.Prod)
	if s.PeakAmount != 100 {
		t.Errorf("peakAmount defaults to amount, got %g", s.PeakAmount)
	}
}
