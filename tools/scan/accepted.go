package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// acceptance is one triaged finding in scan/accepted.yaml: a check on a
// resource (type::name, * matches any run of characters), in the listed
// stacks (every stack when none), with the reason it is by design or the
// pack rule or issue that covers it.
type acceptance struct {
	Check    string   `yaml:"check"`
	Resource string   `yaml:"resource"`
	Stacks   []string `yaml:"stacks,omitempty"`
	Reason   string   `yaml:"reason"`

	pattern *regexp.Regexp
	matched map[string]bool // stacks it matched a finding in
}

func readAccepted(path string) ([]*acceptance, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []*acceptance
	if err := yaml.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var problems []string
	for i, a := range list {
		if a.Check == "" || a.Resource == "" || strings.TrimSpace(a.Reason) == "" {
			problems = append(problems, fmt.Sprintf("entry %d (%s %s): check, resource and reason are all required", i+1, a.Check, a.Resource))
		}
		a.pattern = regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(a.Resource), `\*`, ".*") + "$")
		a.matched = map[string]bool{}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s:\n  %s", path, strings.Join(problems, "\n  "))
	}
	return list, nil
}

func (a *acceptance) matches(f finding) bool {
	if a.Check != f.Check || !a.pattern.MatchString(f.Resource) {
		return false
	}
	if len(a.Stacks) == 0 {
		return true
	}
	for _, s := range a.Stacks {
		if s == f.Stack {
			return true
		}
	}
	return false
}

// triage marks each accepted finding and returns the entries that are
// stale: matching no finding at all, or none in a stack they list. The
// stacks scanned decide which listed stacks can be judged.
func triage(findings []finding, accepted []*acceptance, scanned map[string]bool) (stale []string) {
	for i := range findings {
		for _, a := range accepted {
			if a.matches(findings[i]) {
				findings[i].Accepted = a.Reason
				a.matched[findings[i].Stack] = true
				break
			}
		}
	}
	for _, a := range accepted {
		switch {
		case len(a.Stacks) == 0 && len(a.matched) == 0:
			stale = append(stale, fmt.Sprintf("%s %s: matches no finding", a.Check, a.Resource))
		case len(a.Stacks) > 0:
			for _, s := range a.Stacks {
				if scanned[s] && !a.matched[s] {
					stale = append(stale, fmt.Sprintf("%s %s: matches no finding in %s", a.Check, a.Resource, s))
				}
			}
		}
	}
	return stale
}
