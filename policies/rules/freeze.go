package rules

import (
	"fmt"
	"strings"
	"time"
)

// PolicyFreeze is the wedding-day change freeze.
const PolicyFreeze = "wedding-day-freeze"

func freezePolicies() []*Policy {
	return []*Policy{{
		Name: PolicyFreeze,
		Description: "No prod update during a change freeze from the season calendar (stack config wedsync:season; by default every " +
			"Friday 18:00 to Sunday 06:00 Europe/London, plus dated freezes). An emergency change goes through only with the stack config " +
			"wedsync:emergencyOverride {reason, approvedBy, expires (RFC 3339)}: all three set and expires still ahead.",
		Level:    Mandatory,
		ProdOnly: true,
		Stack:    freezeStack,
		Judges:   []string{pulumiStackType},
	}}
}

func freezeStack(s *Stack, env *Env) []Finding {
	if env.Now.IsZero() {
		return nil
	}
	f, frozen := seasonConfig(env.Config).FreezeAt(env.Now)
	if !frozen {
		return nil
	}
	reason := env.Config.EmergencyOverride.Problem(env.Now)
	if reason == "" {
		return nil
	}
	return []Finding{{URN: s.root(), Message: fix("prod is frozen for %s until %s; %s",
		"deploy after the freeze, or for an emergency set wedsync:emergencyOverride {reason, approvedBy, expires}",
		f.Name, f.Ends.Format("Mon 2 Jan 15:04 MST"), reason)}}
}

// Problem says why the override does not let a prod update through a
// freeze at now, or "" if it does: reason, approvedBy and expires all set,
// expires an RFC 3339 instant still ahead. The freeze check (internal/freeze)
// and this pack's freeze rule both ask it, so they never disagree.
func (o *EmergencyOverride) Problem(now time.Time) string {
	if o == nil {
		return "no emergency override is set"
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"reason", o.Reason}, {"approvedBy", o.ApprovedBy}, {"expires", o.Expires}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return "the emergency override lacks " + strings.Join(missing, ", ")
	}
	expires, err := time.Parse(time.RFC3339, o.Expires)
	if err != nil {
		return fmt.Sprintf("the emergency override's expires %q is not an RFC 3339 time", o.Expires)
	}
	if !now.Before(expires) {
		return "the emergency override expired at " + expires.Format(time.RFC3339)
	}
	return ""
}
