package rules

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
