package appconfig

import (
	"github.com/wedsync/wedsync-infra/components/core"
)

// Settings say how a new version of the document reaches the running
// instances. The defaults are what every stack uses; none is read from
// stack config yet.
type Settings struct {
	// RolloutMinutes is how long a deployment takes to reach every
	// instance (AWS AppConfig's deployment duration). 0 is all at once,
	// which prod allows only through the emergency path.
	RolloutMinutes *int `json:"rolloutMinutes,omitempty"`
	// StepPercent is the share of instances each linear step adds.
	StepPercent *int `json:"stepPercent,omitempty"`
	// BakeMinutes is how long the alarms are watched after the last step
	// before the deployment counts as done (and can no longer roll back).
	BakeMinutes *int `json:"bakeMinutes,omitempty"`
	// RefreshSeconds is how often a running instance looks for a new
	// version: the AppConfig Agent's poll interval, the App Configuration
	// provider's sentinel refresh, the Secret Manager poll.
	RefreshSeconds *int `json:"refreshSeconds,omitempty"`
}

// ApplyDefaults fills what is unset: prod rolls out over 20 minutes in
// 20% steps and bakes 10 minutes under the alarms; other environments
// roll out in 2 minutes in halves and bake 1. Instances look every 45
// seconds (the AppConfig Agent's own default poll interval).
func (s *Settings) ApplyDefaults(env core.Environment) {
	rollout, step, bake := 2, 50, 1
	if env.IsProd() {
		rollout, step, bake = 20, 20, 10
	}
	def := func(p **int, v int) {
		if *p == nil {
			*p = &v
		}
	}
	def(&s.RolloutMinutes, rollout)
	def(&s.StepPercent, step)
	def(&s.BakeMinutes, bake)
	def(&s.RefreshSeconds, 45)
}

// Validate reports every problem at once. AppConfig takes durations and
// bake times of 0 to 1440 minutes and growth of 1 to 100%.
func (s Settings) Validate(env core.Environment, _ core.Cloud) error {
	p := &core.Problems{}
	between := func(field string, v *int, lo, hi int) {
		if v != nil && (*v < lo || *v > hi) {
			p.Add(field, *v, "use %d to %d", lo, hi)
		}
	}
	between("rolloutMinutes", s.RolloutMinutes, 0, 1440)
	between("stepPercent", s.StepPercent, 1, 100)
	between("bakeMinutes", s.BakeMinutes, 0, 1440)
	between("refreshSeconds", s.RefreshSeconds, 15, 3600)
	if env.IsProd() {
		if s.RolloutMinutes != nil && *s.RolloutMinutes < 10 {
			p.Add("rolloutMinutes", *s.RolloutMinutes, "prod rolls a change out over at least 10 minutes, so a bad one trips an alarm before it reaches every instance")
		}
		if s.BakeMinutes != nil && *s.BakeMinutes < 5 {
			p.Add("bakeMinutes", *s.BakeMinutes, "prod watches the alarms at least 5 minutes after the last step")
		}
	}
	return p.Err()
}
