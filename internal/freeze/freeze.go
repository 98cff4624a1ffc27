// Package freeze decides whether a stack may change now: prod is frozen in
// the season calendar's freeze windows (wedding days, by default Friday
// 18:00 to Sunday 06:00 in the stack's time zone, plus dated freezes such as
// Christmas) unless an emergency override is in force. Dev and staging never
// freeze: staging is where a wedding-day hotfix is verified before it goes
// to prod under an override.
//
// The decision is the same one the policy pack's freeze rule makes during
// `pulumi preview`/`up`, from the same stack config (`wedsync:season`,
// `wedsync:timezone`, `wedsync:emergencyOverride`), so the CLI, CI and the
// policy never disagree. Deploy code calls CheckStack before a prod update.
package freeze

import (
	"context"
	"fmt"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/season"
)

// Target is what the freeze decision needs to know about a stack.
type Target struct {
	Stack       string
	Environment core.Environment
	// Season is the stack's calendar, defaulted, in the stack's time zone.
	Season season.Config
	// Override is the stack's wedsync:emergencyOverride, if set.
	Override *season.Override
}

// Freezes reports whether env is ever frozen: only prod is.
func Freezes(env core.Environment) bool { return env == core.Prod }

// Decision is the freeze check's answer for one stack at one instant.
type Decision struct {
	Stack       string
	Environment core.Environment
	At          time.Time
	// Frozen is true when a freeze window contains At.
	Frozen bool
	// Window is the freeze in force (when Frozen): its name and when it ends.
	Window season.Freeze
	// Override is the emergency override letting changes through the freeze,
	// if one is in force.
	Override *season.Override
	// OverrideProblem says why a configured override does not apply
	// (expired, incomplete), when one is set but not in force.
	OverrideProblem string
	// Zone is the stack's time zone, for printing.
	Zone *time.Location
}

// Blocked reports whether a change must not go ahead: frozen with no
// override in force.
func (d Decision) Blocked() bool { return d.Frozen && d.Override == nil }

// Check decides for t at now.
func Check(t Target, now time.Time) Decision {
	t.Season.ApplyDefaults()
	zone, err := time.LoadLocation(t.Season.Timezone)
	if err != nil {
		zone = time.UTC
	}
	d := Decision{Stack: t.Stack, Environment: t.Environment, At: now, Zone: zone}
	if !Freezes(t.Environment) {
		return d
	}
	w, frozen := t.Season.FreezeAt(now)
	if !frozen {
		return d
	}
	d.Frozen, d.Window = true, w
	if problem := t.Override.Problem(now); problem != "" {
		if t.Override != nil {
			d.OverrideProblem = problem
		}
		return d
	}
	d.Override = t.Override
	return d
}

// Message is the decision in one or two lines, times in the stack's zone.
func (d Decision) Message() string {
	at := d.At.In(d.Zone).Format(TimeFormat)
	switch {
	case !Freezes(d.Environment):
		return fmt.Sprintf("%s (%s) is not frozen at %s: %s never freezes", d.Stack, d.Environment, at, d.Environment)
	case !d.Frozen:
		return fmt.Sprintf("%s (%s) is not frozen at %s", d.Stack, d.Environment, at)
	}
	frozen := fmt.Sprintf("%s (%s) is frozen for %s at %s, until %s", d.Stack, d.Environment, d.Window.Name, at, d.Window.Ends.In(d.Zone).Format(TimeFormat))
	if d.Override != nil {
		return fmt.Sprintf("%s\nemergency override in force until %s: %q, approved by %s; changes may go ahead", frozen, d.Override.Expires, d.Override.Reason, d.Override.ApprovedBy)
	}
	if d.OverrideProblem != "" {
		return fmt.Sprintf("%s\n%s; no change may go ahead", frozen, d.OverrideProblem)
	}
	return frozen + "; no change may go ahead (for an emergency: " + OverrideCommand(d.Stack) + ")"
}

// OverrideCommand is how an emergency change to stack gets through a freeze.
func OverrideCommand(stack string) string {
	return "wedsync-infra freeze override set --stack " + stack + " --reason TEXT"
}

// Status is the decision as a plan shows it: a status of the deploy, not a
// violation of the plan (reading is never frozen).
func (d Decision) Status() *plan.Freeze {
	s := &plan.Freeze{Frozen: d.Frozen, OverrideInForce: d.Override != nil, Blocked: d.Blocked(), Status: d.Message()}
	if d.Frozen {
		s.Window, s.Until = d.Window.Name, d.Window.Ends.In(d.Zone).Format(time.RFC3339)
	}
	if d.Blocked() {
		s.Override = OverrideCommand(d.Stack)
	}
	return s
}

// TimeFormat shows an instant with its zone's abbreviation, so BST and GMT
// are never confused around the clock changes.
const TimeFormat = "Mon 2 Jan 2006 15:04 MST"

// LoadTarget reads what the freeze check needs from a stack's config (its
// stack file over the environments it imports).
func LoadTarget(ctx context.Context, p *project.Project, stack string) (Target, error) {
	sc, err := environments.StackConfig(ctx, p, stack)
	if err != nil {
		return Target{}, err
	}
	return TargetFromConfig(stack, sc.Values)
}

// TargetFromConfig builds a Target from stack config values (namespaced
// keys, objects as JSON), decoded, defaulted and validated by the one
// decoder the program and the policy pack use (rules.LoadStackSettings), so
// the three agree. The rest of the stack's config is not read: an emergency
// must not fail on an unrelated key.
func TargetFromConfig(stack string, values map[string]string) (Target, error) {
	s, err := rules.LoadStackSettings(values)
	if err != nil {
		return Target{}, fmt.Errorf("stack %s: %w", stack, err)
	}
	return Target{Stack: stack, Environment: s.Environment, Season: s.Season, Override: s.EmergencyOverride}, nil
}

// CheckStack is the freeze check of one stack of project p at now: what a
// deploy runs before updating a stack, and what `wedsync-infra freeze check`
// prints.
func CheckStack(ctx context.Context, p *project.Project, stack string, now time.Time) (Decision, error) {
	t, err := LoadTarget(ctx, p, stack)
	if err != nil {
		return Decision{}, err
	}
	return Check(t, now), nil
}
