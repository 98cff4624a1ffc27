package freeze

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/season"
)

// overridePath is where the override sits in a stack file.
var overridePath = []string{"config", rules.KeyEmergencyOverride}

// NewOverride is the emergency override for decision d: reason and
// approver as given, expiring at expires, or when the freeze in force ends.
func NewOverride(d Decision, reason, approvedBy string, expires time.Time) (season.Override, error) {
	var problems []string
	if !Freezes(d.Environment) {
		problems = append(problems, fmt.Sprintf("%s never freezes; %s needs no override", d.Environment, d.Stack))
	}
	if strings.TrimSpace(reason) == "" {
		problems = append(problems, "--reason is required: say what is broken and why it cannot wait (e.g. an incident id)")
	}
	if strings.TrimSpace(approvedBy) == "" {
		problems = append(problems, "--approved-by is required: who approved the change")
	}
	if expires.IsZero() {
		if !d.Frozen {
			problems = append(problems, fmt.Sprintf("%s is not frozen at %s: no override is needed (pass --expires to set one ahead of a freeze)", d.Stack, d.At.In(d.Zone).Format(TimeFormat)))
		}
		expires = d.Window.Ends
	} else if !expires.After(d.At) {
		problems = append(problems, fmt.Sprintf("--expires %s is not after now (%s)", expires.Format(time.RFC3339), d.At.Format(time.RFC3339)))
	}
	if len(problems) > 0 {
		return season.Override{}, errors.New(strings.Join(problems, "; "))
	}
	return season.Override{
		Reason:     strings.TrimSpace(reason),
		ApprovedBy: strings.TrimSpace(approvedBy),
		Expires:    expires.In(d.Zone).Format(time.RFC3339),
	}, nil
}

// SetOverride writes o into the stack's file as wedsync:emergencyOverride,
// rewriting only that key, where the policy pack's freeze rule reads it.
func SetOverride(p *project.Project, stack string, o season.Override) error {
	path := p.StackFile(stack)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// The keys are the policy pack's JSON names; values are quoted, since a
	// reason may hold anything.
	node := yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, kv := range [][2]string{{"reason", o.Reason}, {"approvedBy", o.ApprovedBy}, {"expires", o.Expires}} {
		node.Content = append(node.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv[0]},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv[1], Style: yaml.DoubleQuotedStyle})
	}
	out, err := environments.SetBlock(data, overridePath, &node)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// ClearOverride removes wedsync:emergencyOverride from the stack's file and
// returns the override that was there (nil if none was).
func ClearOverride(p *project.Project, stack string) (*season.Override, error) {
	path := p.StackFile(stack)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	node, err := environments.GetBlock(data, overridePath)
	if err != nil || node == nil {
		return nil, err
	}
	// Read it as the policy pack does: through its JSON names.
	var plain any
	if err := node.Decode(&plain); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, rules.KeyEmergencyOverride, err)
	}
	raw, err := json.Marshal(plain)
	if err != nil {
		return nil, err
	}
	var o season.Override
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, rules.KeyEmergencyOverride, err)
	}
	out, _, err := environments.RemoveBlock(data, overridePath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &o, os.WriteFile(path, out, 0o644)
}
