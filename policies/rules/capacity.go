package rules

import (
	"fmt"
	"strings"
)

// Seasonal capacity: prod groups scale up before wedding days and for the
// peak season, by the calendar, not only by reacting to load.
const (
	PolicySeasonalCapacity = "seasonal-capacity"
	// peakFactor is how much busier peak season is than the off season.
	peakFactor = 10
)

func capacityPolicies() []*Policy {
	return []*Policy{{
		Name: PolicySeasonalCapacity,
		Description: "In prod, every autoscaling group (EC2 Auto Scaling group, GCP managed instance group, Azure VM scale set) has scheduled " +
			"capacity in a named time zone: a weekly wedding-day schedule and a peak-season schedule, each raising the minimum above the " +
			"group's off-season baseline (its own minSize, autoscaler minReplicas or default profile minimum), and a maximum of at least " +
			"10x that baseline. A group with no schedules fails. Exempt a group with a reason in the policy config's exemptions.",
		Level:    Mandatory,
		ProdOnly: true,
		Stack:    capacityStack,
	}}
}

// schedule is one scheduled capacity change, cloud-neutral.
type schedule struct {
	name string
	// weekly: repeats on some days of the week only (wedding days).
	weekly bool
	// recurring schedules need a named zone; one-time ones carry an instant.
	recurring bool
	zone      string
	// min is the scheduled minimum; nil when unknown (cannot judge).
	min *float64
	max *float64
}

// judgeCapacity returns what a group's schedules lack.
// maxCap is nil when the group's own maximum is unknown.
func judgeCapacity(baseline float64, maxCap *float64, schedules []schedule, hint string) []string {
	if len(schedules) == 0 {
		return []string{fix("no capacity schedules: the group only reacts to load, after the wedding-day rush has begun", "%s", hint)}
	}
	// The off-season baseline is the lowest minimum the group is ever given:
	// a group created in June starts at the peak minimum, and its own
	// schedules bring it back down in November.
	for _, s := range schedules {
		if s.min != nil && *s.min < baseline {
			baseline = *s.min
		}
	}
	var out []string
	wedding, peak := false, false
	weeklyLevels := map[float64]bool{} // raised minimums of weekly schedules
	for _, s := range schedules {
		if s.recurring && strings.TrimSpace(s.zone) == "" {
			out = append(out, fix("schedule %s has no time zone: it would fire in UTC, an hour off the UK's wall clock all summer", "set its time zone (e.g. Europe/London)", s.name))
			continue
		}
		raises := s.min == nil || *s.min > baseline
		if s.max != nil && maxCap != nil && *s.max > *maxCap {
			maxCap = s.max
		}
		switch {
		case s.weekly && raises:
			wedding = true
			if s.min != nil {
				weeklyLevels[*s.min] = true
			}
		case !s.weekly && raises:
			peak = true
		}
	}
	// A weekly pattern with two raised levels (wedding days, and the level
	// it returns to between them) carries the peak season in its lower
	// level: Azure's recurrence profiles express peak weeks that way.
	if len(weeklyLevels) >= 2 {
		peak = true
	}
	if !wedding {
		out = append(out, fix("no weekly wedding-day schedule raises the minimum above the off-season baseline of %g", "%s", baseline, hint))
	}
	if !peak {
		out = append(out, fix("no peak-season schedule raises the minimum above the off-season baseline of %g", "%s", baseline, hint))
	}
	if maxCap != nil && *maxCap < peakFactor*baseline {
		out = append(out, fix("the largest maximum is %g, below %dx the off-season baseline of %g: peak traffic is ten times the baseline",
			"raise the maximum to at least %g", *maxCap, peakFactor, baseline, peakFactor*baseline))
	}
	return out
}

// cronWeekly reports whether a 5-field cron expression is limited to some
// days of the week.
func cronWeekly(expr string) bool {
	f := strings.Fields(expr)
	return len(f) == 5 && f[4] != "*" && f[4] != "?"
}

func numberPtr(v float64, st state) *float64 {
	if st != known {
		return nil
	}
	return &v
}

func capacityStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	add := func(r *Resource, msgs []string) {
		for _, m := range msgs {
			out = append(out, Finding{URN: r.URN, Message: fmt.Sprintf("group %s: %s", r.displayName(), m)})
		}
	}
	for _, g := range s.OfType(awsASG) {
		baseline, st := number(g.Props, "minSize")
		if st == unknown {
			continue
		}
		maxSize := numberPtr(number(g.Props, "maxSize"))
		actions, undecided := s.companions(g, "autoscalingGroupName", awsASGSchedule)
		if undecided {
			continue
		}
		var scheds []schedule
		for _, a := range actions {
			rec, recSt := str(a.Props, "recurrence")
			zone, _ := str(a.Props, "timeZone")
			name, _ := str(a.Props, "scheduledActionName")
			scheds = append(scheds, schedule{
				name: name, weekly: recSt == known && cronWeekly(rec), recurring: recSt == known, zone: zone,
				min: numberPtr(number(a.Props, "minSize")), max: numberPtr(number(a.Props, "maxSize")),
			})
		}
		add(g, judgeCapacity(baseline, maxSize, scheds, "add aws.autoscaling.Schedule actions with timeZone Europe/London: a weekly recurrence (e.g. \"0 16 * * 5\") for wedding days and dated peak-season actions (May-October)"))
	}

	autoscalers := s.OfType(gcpRegionAutoscaler, gcpAutoscaler)
	for _, a := range autoscalers {
		policy := []string{"autoscalingPolicy"}
		baseline, st := number(a.Props, append(policy, "minReplicas")...)
		if st == unknown {
			continue
		}
		maxReplicas := numberPtr(number(a.Props, append(policy, "maxReplicas")...))
		items, st := list(a.Props, append(policy, "scalingSchedules")...)
		if st == unknown {
			continue
		}
		var scheds []schedule
		for _, it := range items {
			if off, _ := boolean(it, "disabled"); off {
				continue
			}
			cron, _ := str(it, "schedule")
			zone, _ := str(it, "timeZone")
			name, _ := str(it, "name")
			scheds = append(scheds, schedule{name: name, weekly: cronWeekly(cron), recurring: true, zone: zone, min: numberPtr(number(it, "minRequiredReplicas"))})
		}
		add(a, judgeCapacity(baseline, maxReplicas, scheds, "add autoscalingPolicy.scalingSchedules with timeZone Europe/London: a weekly one (e.g. \"0 16 * * 5\") for wedding days and one for the peak season (e.g. \"0 0 1 5 *\" lasting to October)"))
	}
	for _, g := range s.OfType(gcpRegionIGM, gcpIGM) {
		if found, undecided := s.companions(g, "target", gcpRegionAutoscaler, gcpAutoscaler); len(found) == 0 && !undecided {
			add(g, []string{fix("no autoscaler targets it, so it has no capacity schedules", "add a compute.RegionAutoscaler with target the group and scalingSchedules for wedding days and the peak season")})
		}
	}

	for _, a := range s.OfType(azAutoscaleSetting) {
		profiles, st := list(a.Props, "profiles")
		if st == unknown {
			continue
		}
		baseline, found := -1.0, false
		maxCap := new(float64)
		var scheds []schedule
		for _, p := range profiles {
			minimum, minSt := number(p, "capacity", "minimum")
			maximum, maxSt := number(p, "capacity", "maximum")
			switch {
			case maxSt == unknown:
				maxCap = nil
			case maxSt == known && maxCap != nil && maximum > *maxCap:
				*maxCap = maximum
			}
			_, recSt := lookup(p, "recurrence")
			_, fixedSt := lookup(p, "fixedDate")
			name, _ := str(p, "name")
			switch {
			case recSt == absent && fixedSt == absent:
				if minSt == known {
					baseline, found = minimum, true
				}
			case recSt != absent:
				days, _ := stringList(p, "recurrence", "schedule", "days")
				zone, _ := str(p, "recurrence", "schedule", "timeZone")
				scheds = append(scheds, schedule{name: name, weekly: len(days) > 0 && len(days) < 7, recurring: true, zone: zone, min: numberPtr(minimum, minSt)})
			default:
				zone, _ := str(p, "fixedDate", "timeZone")
				scheds = append(scheds, schedule{name: name, recurring: true, zone: zone, min: numberPtr(minimum, minSt)})
			}
		}
		if !found {
			add(a, []string{fix("no default profile (one without recurrence or fixedDate) gives the off-season baseline", "add a default profile with the off-season capacity")})
			continue
		}
		add(a, judgeCapacity(baseline, maxCap, scheds, "add profiles: a weekly recurrence (frequency Week, days Friday/Saturday, timeZone \"GMT Standard Time\") for wedding days and fixedDate profiles for the peak season"))
	}
	for _, vmss := range s.OfType(azVMSS) {
		if found, undecided := s.companions(vmss, "targetResourceUri", azAutoscaleSetting); len(found) == 0 && !undecided {
			add(vmss, []string{fix("no autoscale setting targets it, so it has no capacity schedules", "add an insights.AutoscaleSetting with targetResourceUri the scale set and wedding-day and peak-season profiles")})
		}
	}
	return out
}
