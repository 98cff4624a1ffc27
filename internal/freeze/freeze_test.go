package freeze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/season"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func target(t *testing.T, env core.Environment, zone string) Target {
	t.Helper()
	values := map[string]string{"wedsync:environment": string(env)}
	if zone != "" {
		values["wedsync:timezone"] = zone
	}
	tg, err := TargetFromConfig(string(env), values)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// The default wedding-day freeze is Friday 18:00 to Sunday 06:00, local
// time: across a clock change the window is 35 or 37 real hours, and its
// edges move in UTC.
func TestWeddingDayFreezeAcrossClockChanges(t *testing.T) {
	cases := []struct {
		name, zone, at string
		frozen         bool
		ends           string
	}{
		// London, spring forward on Sunday 29 March 2026 at 01:00 GMT.
		{"london_spring_friday_17_59_gmt", "Europe/London", "2026-03-27T17:59:00Z", false, ""},
		{"london_spring_friday_18_00_gmt", "Europe/London", "2026-03-27T18:00:00Z", true, "2026-03-29T06:00:00+01:00"},
		{"london_spring_sunday_05_59_bst", "Europe/London", "2026-03-29T04:59:00Z", true, "2026-03-29T06:00:00+01:00"},
		{"london_spring_sunday_06_00_bst", "Europe/London", "2026-03-29T05:00:00Z", false, ""},
		// The Saturday after: a whole window in BST.
		{"london_after_spring_friday_17_59_bst", "Europe/London", "2026-04-03T16:59:00Z", false, ""},
		{"london_after_spring_friday_18_00_bst", "Europe/London", "2026-04-03T17:00:00Z", true, "2026-04-05T06:00:00+01:00"},
		{"london_after_spring_saturday", "Europe/London", "2026-04-04T12:00:00+01:00", true, "2026-04-05T06:00:00+01:00"},
		// London, fall back on Sunday 25 October 2026 at 02:00 BST.
		{"london_autumn_friday_18_00_bst", "Europe/London", "2026-10-23T17:00:00Z", true, "2026-10-25T06:00:00Z"},
		{"london_autumn_sunday_01_30_repeated", "Europe/London", "2026-10-25T01:30:00Z", true, "2026-10-25T06:00:00Z"},
		{"london_autumn_sunday_05_59_gmt", "Europe/London", "2026-10-25T05:59:00Z", true, "2026-10-25T06:00:00Z"},
		{"london_autumn_sunday_06_00_gmt", "Europe/London", "2026-10-25T06:00:00Z", false, ""},
		// The Saturday after: a whole window in GMT.
		{"london_after_autumn_friday_17_59_gmt", "Europe/London", "2026-10-30T17:59:00Z", false, ""},
		{"london_after_autumn_saturday", "Europe/London", "2026-10-31T12:00:00Z", true, "2026-11-01T06:00:00Z"},
		// New York, spring forward on Sunday 8 March 2026 at 02:00 EST.
		{"new_york_spring_friday_18_00_est", "America/New_York", "2026-03-06T23:00:00Z", true, "2026-03-08T06:00:00-04:00"},
		{"new_york_spring_sunday_05_59_edt", "America/New_York", "2026-03-08T09:59:00Z", true, "2026-03-08T06:00:00-04:00"},
		{"new_york_spring_sunday_06_00_edt", "America/New_York", "2026-03-08T10:00:00Z", false, ""},
		// New York, fall back on Sunday 1 November 2026 at 02:00 EDT.
		{"new_york_autumn_friday_17_59_edt", "America/New_York", "2026-10-30T21:59:00Z", false, ""},
		{"new_york_autumn_friday_18_00_edt", "America/New_York", "2026-10-30T22:00:00Z", true, "2026-11-01T06:00:00-05:00"},
		{"new_york_autumn_sunday_05_59_est", "America/New_York", "2026-11-01T10:59:00Z", true, "2026-11-01T06:00:00-05:00"},
		{"new_york_autumn_sunday_06_00_est", "America/New_York", "2026-11-01T11:00:00Z", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Check(target(t, core.Prod, c.zone), at(t, c.at))
			if d.Frozen != c.frozen || d.Blocked() != c.frozen {
				t.Fatalf("frozen = %v, blocked = %v; want %v (%s)", d.Frozen, d.Blocked(), c.frozen, d.Message())
			}
			if c.frozen {
				if !d.Window.Ends.Equal(at(t, c.ends)) {
					t.Errorf("ends %s, want %s", d.Window.Ends, c.ends)
				}
				if d.Window.Name != season.NameFreezeWeddingDays {
					t.Errorf("window %q", d.Window.Name)
				}
			}
		})
	}
}

func TestTheSameInstantIsFrozenInOneZoneAndNotAnother(t *testing.T) {
	now := at(t, "2026-06-12T18:30:00+01:00") // Friday evening in London, lunchtime in New York
	london := Check(target(t, core.Prod, "Europe/London"), now)
	newYork := Check(target(t, core.Prod, "America/New_York"), now)
	if !london.Frozen || newYork.Frozen {
		t.Fatalf("london frozen %v, new york frozen %v", london.Frozen, newYork.Frozen)
	}
	if !strings.Contains(london.Message(), "Fri 12 Jun 2026 18:30 BST, until Sun 14 Jun 2026 06:00 BST") {
		t.Errorf("message in the stack's zone: %s", london.Message())
	}
	if !strings.Contains(newYork.Message(), "Fri 12 Jun 2026 13:30 EDT") {
		t.Errorf("message in the stack's zone: %s", newYork.Message())
	}
}

func TestOnlyProdFreezes(t *testing.T) {
	saturday := at(t, "2026-06-13T12:00:00+01:00")
	for _, env := range []core.Environment{core.Dev, core.Staging} {
		d := Check(target(t, env, ""), saturday)
		if d.Frozen || d.Blocked() {
			t.Errorf("%s frozen on a wedding Saturday", env)
		}
		if !strings.Contains(d.Message(), string(env)+" never freezes") {
			t.Errorf("message: %s", d.Message())
		}
	}
	if !Check(target(t, core.Prod, ""), saturday).Blocked() {
		t.Error("prod not frozen on a wedding Saturday")
	}
}

func TestDatedFreezesRunIntoTheWeekend(t *testing.T) {
	tg := target(t, core.Prod, "Europe/London")
	tg.Season.Freeze.Dates = []season.FreezeDate{{Start: "2026-12-24", End: "2026-12-27", Name: "Christmas"}}
	d := Check(tg, at(t, "2026-12-24T09:00:00Z")) // a Thursday
	if !d.Frozen || d.Window.Name != "Christmas" {
		t.Fatalf("not frozen for Christmas: %s", d.Message())
	}
	// Christmas (to Sunday 00:00) runs into the weekend freeze (to Sunday 06:00).
	if want := at(t, "2026-12-27T06:00:00Z"); !d.Window.Ends.Equal(want) {
		t.Errorf("ends %s, want %s", d.Window.Ends, want)
	}
}

func override(expires string) *season.Override {
	return &season.Override{Reason: "INC-123: payments down", ApprovedBy: "jane@wedsync.example", Expires: expires}
}

func TestEmergencyOverride(t *testing.T) {
	saturday := at(t, "2026-06-13T12:00:00+01:00")
	cases := []struct {
		name     string
		o        *season.Override
		blocked  bool
		mentions string
	}{
		{"none", nil, true, "freeze override set --stack prod --reason TEXT"},
		{"in_force", override("2026-06-14T06:00:00+01:00"), false, "emergency override in force"},
		{"expired", override("2026-06-13T11:00:00+01:00"), true, "expired at 2026-06-13T11:00:00+01:00"},
		{"expires_now", override("2026-06-13T12:00:00+01:00"), true, "expired"},
		{"no_approver", &season.Override{Reason: "x", Expires: "2026-06-14T06:00:00+01:00"}, true, "lacks approvedBy"},
		{"bad_expiry", &season.Override{Reason: "x", ApprovedBy: "y", Expires: "Sunday"}, true, "not an RFC 3339 time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := target(t, core.Prod, "")
			tg.Override = c.o
			d := Check(tg, saturday)
			if d.Blocked() != c.blocked {
				t.Fatalf("blocked = %v, want %v: %s", d.Blocked(), c.blocked, d.Message())
			}
			if !strings.Contains(d.Message(), c.mentions) {
				t.Errorf("message %q does not mention %q", d.Message(), c.mentions)
			}
			// The policy pack's freeze rule decides the same.
			pl := &plan.Plan{Project: "wedsync", Stack: "prod", Environment: "prod", Resources: []plan.Resource{
				{URN: "urn:pulumi:prod::wedsync::pulumi:pulumi:Stack::wedsync-prod", Type: "pulumi:pulumi:Stack", Name: "wedsync-prod"},
			}}
			cfg := rules.Config{Season: tg.Season, EmergencyOverride: c.o}
			policyBlocks := false
			for _, v := range plan.Evaluate(pl, cfg, saturday) {
				if v.Policy == rules.PolicyFreeze {
					policyBlocks = true
				}
			}
			if policyBlocks != c.blocked {
				t.Errorf("the policy pack blocks = %v, the freeze check %v", policyBlocks, c.blocked)
			}
		})
	}
}

func TestNewOverrideExpiresWhenTheFreezeEnds(t *testing.T) {
	d := Check(target(t, core.Prod, ""), at(t, "2026-06-13T12:00:00+01:00"))
	o, err := NewOverride(d, " INC-123 ", "jane", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Expires != "2026-06-14T06:00:00+01:00" || o.Reason != "INC-123" || o.ApprovedBy != "jane" {
		t.Errorf("override = %+v", o)
	}
}

func TestNewOverrideRefuses(t *testing.T) {
	saturday := at(t, "2026-06-13T12:00:00+01:00")
	wednesday := at(t, "2026-06-10T12:00:00+01:00")
	cases := map[string]struct {
		d       Decision
		reason  string
		expires time.Time
		want    string
	}{
		"no_reason":           {Check(target(t, core.Prod, ""), saturday), "", time.Time{}, "--reason is required"},
		"dev":                 {Check(target(t, core.Dev, ""), saturday), "x", time.Time{}, "dev never freezes"},
		"not_frozen":          {Check(target(t, core.Prod, ""), wednesday), "x", time.Time{}, "no override is needed"},
		"expires_in_the_past": {Check(target(t, core.Prod, ""), saturday), "x", saturday.Add(-time.Hour), "is not after now"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewOverride(c.d, c.reason, "jane", c.expires)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestTargetFromConfigRejectsBadCalendars(t *testing.T) {
	cases := map[string]map[string]string{
		"no_environment": {},
		"bad_zone":       {"wedsync:environment": "prod", "wedsync:timezone": "Mars/Olympus"},
		"bad_season":     {"wedsync:environment": "prod", "wedsync:season": `{"freez":{}}`},
		"bad_override":   {"wedsync:environment": "prod", "wedsync:emergencyOverride": `"yes"`},
	}
	for name, values := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := TargetFromConfig("prod", values); err == nil {
				t.Error("no error")
			}
		})
	}
}

// tempProject is a project with one prod stack file.
func tempProject(t *testing.T, stackFile string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	for path, text := range map[string]string{
		"Pulumi.yaml":             "name: wedsync\nruntime: go\nstackConfigDir: stacks\n",
		"stacks/Pulumi.prod.yaml": stackFile,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOverrideIsWrittenWhereThePolicyPackReadsItAndCleared(t *testing.T) {
	const stackFile = "# prod on AWS\nconfig:\n  wedsync:environment: prod\n  wedsync:cloud: aws\n  wedsync:region: eu-west-2 # London\n"
	p := tempProject(t, stackFile)
	saturday := at(t, "2026-06-13T12:00:00+01:00")
	o := *override("2026-06-14T06:00:00+01:00")
	if err := SetOverride(p, "prod", o); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p.StackFile("prod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), stackFile) {
		t.Errorf("the rest of the stack file changed:\n%s", data)
	}
	if want := "  wedsync:emergencyOverride:\n    reason: \"INC-123: payments down\"\n    approvedBy: \"jane@wedsync.example\"\n    expires: \"2026-06-14T06:00:00+01:00\"\n"; string(data) != stackFile+want {
		t.Errorf("the override block:\n%s\nwant it in the policy pack's own spelling:\n%s", strings.TrimPrefix(string(data), stackFile), want)
	}
	sc, err := p.ReadStack("prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := rules.LoadStackSettings(sc.Values)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EmergencyOverride == nil || *cfg.EmergencyOverride != o {
		t.Fatalf("the policy pack reads %+v, want %+v", cfg.EmergencyOverride, o)
	}
	d, err := CheckStack(t.Context(), p, "prod", saturday)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Frozen || d.Blocked() {
		t.Fatalf("with the override: %s", d.Message())
	}

	cleared, err := ClearOverride(p, "prod")
	if err != nil || cleared == nil || *cleared != o {
		t.Fatalf("ClearOverride = %+v, %v", cleared, err)
	}
	data, err = os.ReadFile(p.StackFile("prod"))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != stackFile {
		t.Errorf("after clearing:\n%s\nwant the original:\n%s", data, stackFile)
	}
	if d, _ := CheckStack(t.Context(), p, "prod", saturday); !d.Blocked() {
		t.Error("still let through after clearing")
	}
	if again, err := ClearOverride(p, "prod"); err != nil || again != nil {
		t.Errorf("clearing twice = %+v, %v; want nothing to clear", again, err)
	}
}
