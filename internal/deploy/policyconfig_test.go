package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// packSettings are the parts of the pack's config a --policy-pack-config
// file carries.
type packSettings struct {
	MinRetentionDays int               `json:"minRetentionDays"`
	AllowedRegions   []string          `json:"allowedRegions"`
	Exemptions       []rules.Exemption `json:"exemptions"`
}

// packConfigProblems compares a --policy-pack-config file with the policy
// config the offline plan's rules used: every resource policy must get
// exactly those settings, and no policy a level the pack does not give it.
func packConfigProblems(file []byte, want rules.Config) []string {
	var got map[string]json.RawMessage
	if err := json.Unmarshal(file, &got); err != nil {
		return []string{fmt.Sprintf("not a policy pack config: %v", err)}
	}
	w := packSettings{want.MinRetentionDays, want.AllowedRegions, want.Exemptions}
	var problems []string
	for _, p := range rules.Policies() {
		raw, ok := got[p.Name]
		if p.IsStack() {
			if ok {
				problems = append(problems, fmt.Sprintf("%s (a stack policy): %s, want no entry", p.Name, raw))
			}
			continue
		}
		var g packSettings
		if err := json.Unmarshal(raw, &g); !ok || err != nil {
			problems = append(problems, fmt.Sprintf("%s: no settings (%v)", p.Name, err))
			continue
		}
		if !reflect.DeepEqual(g, w) {
			problems = append(problems, fmt.Sprintf("%s: %+v, the offline plan's rules use %+v", p.Name, g, w))
		}
	}
	return problems
}

// The file wedsync-infra passes to preview and up (and `policy config`
// prints for a plain pulumi run) holds, for every shipped stack, exactly
// the policy settings the offline plan judged the stack by. The broken
// variant, a file made from the stack's settings before their defaults
// (prod's 35-day retention, say), must differ for every stack.
func TestThePolicyConfigFileIsTheOfflinePlansConfig(t *testing.T) {
	p, err := project.Find(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	names, err := p.Stacks()
	if err != nil || len(names) == 0 {
		t.Fatalf("stacks: %v %v", names, err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, stack := range names {
		t.Run(stack, func(t *testing.T) {
			res, err := offline.Plan(p, stack, now)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Prepare(context.Background(), p, stack)
			if err != nil {
				t.Fatal(err)
			}
			path, err := s.policyConfigFile(false)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = os.Remove(path) }()
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range packConfigProblems(file, res.Policy) {
				t.Error(problem)
			}

			undefaulted := rules.DecodeStackSettings(s.configValues(), &core.Problems{})
			broken, err := rules.PackConfigFile(undefaulted.PackConfig())
			if err != nil {
				t.Fatal(err)
			}
			if len(packConfigProblems(broken, res.Policy)) == 0 {
				t.Error("a file made without the settings' defaults passed the comparison: it proves nothing")
			}
		})
	}
}

// A preview inside a freeze lowers the freeze rule, and only it, to
// advisory; the settings stay.
func TestAFrozenPreviewMakesOnlyTheFreezeAdvisory(t *testing.T) {
	data, err := rules.StackPackConfigFile(map[string]string{"wedsync:environment": "prod"}, rules.PolicyFreeze)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	for name, entry := range got {
		if level, ok := entry["enforcementLevel"]; ok != (name == rules.PolicyFreeze) || (ok && level != "advisory") {
			t.Errorf("%s: enforcementLevel %v", name, level)
		}
	}
	if len(got) < 2 {
		t.Errorf("only %d policies configured", len(got))
	}
}
