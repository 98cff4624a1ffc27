package engine_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// formerTokens are the type tokens the components registered before issue
// 14 renamed them (new -> old; the old ones are in /tmp/baseline's plans
// and in main before the merge of h-compute, h-db and h-store). Each
// component keeps its old token as an alias (core.Aliased), so a stack
// deployed before the rename must update in place.
var formerTokens = map[string]string{
	"wedsync:autoscaling:AutoscalingGroup": "wedsync:compute:AutoscalingGroup",
	"wedsync:alerting:AlertTarget":         "wedsync:monitoring:AlertTarget",
	"wedsync:alerting:Budget":              "wedsync:monitoring:Budget",
	"wedsync:alerting:Dashboard":           "wedsync:monitoring:Dashboard",
	"wedsync:backupbucket:BackupBucket":    "wedsync:backup:BackupBucket",
	"wedsync:secretsstore:SecretsStore":    "wedsync:secrets:SecretsStore",
	"wedsync:ciaccess:Access":              "wedsync:ci:Access",
}

// unaliasedTokens are tokens no component lists as an alias: state under
// them is state the program cannot recognise, the deliberately broken
// variant of the rename.
func unaliasedTokens() map[string]string {
	out := map[string]string{}
	for current, former := range formerTokens {
		out[current] = strings.Replace(former, "wedsync:", "wedsync:unaliased", 1)
	}
	return out
}

// TestAStackDeployedBeforeTheRenameUpdatesInPlace deploys dev and prod with
// the current program, rewrites their checkpoints to what the program
// stored before the rename (every type and URN, the parent chain in
// children's URNs included, with the old tokens), imports that, and runs
// the current program again: the engine must follow the aliases and keep
// every resource (nothing created, deleted or replaced), and the state must
// then hold the new tokens. The broken variant, a checkpoint under tokens
// no alias names, must show creates and deletes to the same check.
func TestAStackDeployedBeforeTheRenameUpdatesInPlace(t *testing.T) {
	setup(t)
	for _, base := range []string{"dev", "prod"} {
		t.Run(base, func(t *testing.T) { testRename(t, base) })
	}
}

func testRename(t *testing.T, base string) {
	ctx := context.Background()
	s := newStack(t, base+"-renamed", stackConfig(t, base))
	if _, err := s.Up(ctx, optup.PolicyPacks(env.pack)); err != nil {
		t.Fatalf("up of %s with the current program: %v", s.Name(), err)
	}
	deployed, err := s.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	current := urnSet(state(t, s))

	// The broken variant: no alias covers these tokens, so the check fails.
	// (prod's preview fails outright too: it would delete protected
	// resources.)
	importRewritten(t, s, deployed, unaliasedTokens())
	broken, err := preview(s)
	if problems := renameSteps(broken); len(problems) == 0 {
		t.Errorf("a checkpoint under tokens no alias names previews with nothing created or deleted: the check cannot fail (preview error: %v)", err)
	} else {
		t.Logf("broken variant (no alias for the stored tokens), as expected: %d resources would change, e.g. %s; preview error: %v", len(problems), problems[0], err != nil)
	}

	// The real case: the checkpoint as the program stored it before the rename.
	importRewritten(t, s, deployed, formerTokens)
	report(t, "preview of a checkpoint from before the rename", renameSteps(previewSteps(t, s)))
	c := collect()
	res, err := s.Up(ctx, optup.PolicyPacks(env.pack), optup.EventStreams(c.ch))
	evs := c.wait(t)
	if err != nil {
		t.Fatalf("up of a checkpoint from before the rename: %v", err)
	}
	report(t, "up of a checkpoint from before the rename", renameSteps(steps(evs)))
	if changes := res.Summary.ResourceChanges; changes != nil {
		for op, n := range *changes {
			if op != string(apitype.OpSame) && op != string(apitype.OpUpdate) && n > 0 {
				t.Errorf("up of a checkpoint from before the rename reports %d %s", n, op)
			}
		}
	}
	after := state(t, s)
	report(t, "after the up, the state's resources differ from a fresh deploy's", setDiff(current, urnSet(after)))
	for _, r := range after.Resources {
		for _, former := range formerTokens {
			if strings.Contains(string(r.URN), former) {
				t.Errorf("after the up, %s still holds the old token %s", r.URN, former)
			}
		}
	}
}

// importRewritten imports deployed with every token in tokens (current ->
// stored) rewritten, checking each one occurs: a token the stack does not
// use would make the test pass for nothing.
func importRewritten(t *testing.T, s auto.Stack, deployed apitype.UntypedDeployment, tokens map[string]string) {
	t.Helper()
	text := string(deployed.Deployment)
	var pairs, missing []string
	for current, stored := range tokens {
		if !strings.Contains(text, current) {
			missing = append(missing, current)
		}
		pairs = append(pairs, current, stored)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("%s's state has no resource of type %s: deploy a stack that has", s.Name(), strings.Join(missing, ", "))
	}
	rewritten := strings.NewReplacer(pairs...).Replace(text)
	if err := s.Import(context.Background(), apitype.UntypedDeployment{Version: deployed.Version, Deployment: []byte(rewritten)}); err != nil {
		t.Fatalf("import the rewritten checkpoint into %s: %v", s.Name(), err)
	}
}

func previewSteps(t *testing.T, s auto.Stack) []apitype.StepEventMetadata {
	t.Helper()
	ss, err := preview(s)
	if err != nil {
		t.Fatalf("preview of %s: %v", s.Name(), err)
	}
	return ss
}

// preview is a preview's resource steps, and its error.
func preview(s auto.Stack) ([]apitype.StepEventMetadata, error) {
	c := collect()
	_, err := s.Preview(context.Background(), optpreview.PolicyPacks(env.pack), optpreview.EventStreams(c.ch))
	<-c.done
	return steps(c.events), err
}

// renameSteps are the steps a rename must not cause: anything but keeping
// a resource (same, or an update that changes no property).
func renameSteps(ss []apitype.StepEventMetadata) []string {
	var out []string
	for _, st := range ss {
		if st.Op == apitype.OpSame || (st.Op == apitype.OpUpdate && len(st.Diffs) == 0) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %v", st.Op, st.URN, st.Diffs))
	}
	sort.Strings(out)
	return out
}

func urnSet(d apitype.DeploymentV3) map[string]bool {
	out := map[string]bool{}
	for _, r := range d.Resources {
		if !r.Delete {
			out[string(r.URN)] = true
		}
	}
	return out
}

func setDiff(want, got map[string]bool) []string {
	var out []string
	for u := range want {
		if !got[u] {
			out = append(out, "missing "+u)
		}
	}
	for u := range got {
		if !want[u] {
			out = append(out, "extra "+u)
		}
	}
	sort.Strings(out)
	return out
}
