package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/stacks"
)

// What a settings change may change: a new hosted version of the document
// (it cannot be edited, so it is replaced) and the deployment that rolls it
// out to the running instances (it names the version, so it is replaced).
const (
	hostedVersionType = "aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion"
	deploymentType    = "aws:appconfig/deployment:Deployment"
)

var settingsChangeOps = map[string]string{hostedVersionType: opReplace, deploymentType: opReplace}

// instanceTypes are what the app runs on and keeps its data in: a settings
// change must replace or delete none of them (issue 24: changes reach the
// running app without a restart).
var instanceTypes = []string{
	"aws:ec2/launchTemplate:LaunchTemplate",
	"aws:autoscaling/group:Group",
	"aws:rds/instance:Instance",
	"aws:s3/bucketV2:BucketV2",
}

// TestASettingsChangeDeploysANewVersionAndReplacesNoInstance deploys dev
// (as dev-settings) with the app's settings read from a copy of
// stacks/appsettings, changes one setting there as `wedsync-infra config
// set` does (the JSON edited, checked against the schema beside it), and
// updates: the engine must replace the hosted configuration version and
// its deployment, and change nothing else, least of all an instance, the
// database or a bucket.
func TestASettingsChangeDeploysANewVersionAndReplacesNoInstance(t *testing.T) {
	setup(t)
	ctx := context.Background()
	watch := newStopwatch()
	const name = "dev-settings"
	dir := copyAppSettings(t)
	sc := stackConfig(t, "dev")
	s := newStackRunning(t, name, sc, func(keys []string) pulumi.RunFunc {
		return stacks.ProgramWithLoader(keys, programNow(t), func(project, stack string, raw map[string]string) (stacks.Config, error) {
			cfg, err := stacks.Load(project, stack, raw)
			cfg.AppSettingsDir = dir
			cfg.SecretsProvider = sc.SecretsProvider
			return cfg, err
		})
	})
	if _, err := s.Up(ctx, optup.PolicyPacks(env.pack)); err != nil {
		t.Fatalf("up of %s failed: %v", name, err)
	}
	watch.lap("up")
	defer func() {
		if _, err := s.Destroy(ctx); err != nil {
			t.Errorf("destroy of %s failed: %v", name, err)
		}
	}()
	types := map[string]string{}
	for urn, n := range fromState(state(t, s)) {
		types[urn] = n.Type
	}
	before := deployedVersion(t, s)

	setAppSetting(t, dir, "dev", "limits", "maxUploadMb", 100)
	c := collect()
	res, err := s.Up(ctx, optup.PolicyPacks(env.pack), optup.EventStreams(c.ch))
	evs := c.wait(t)
	if err != nil {
		t.Fatalf("up of %s with the changed setting failed: %v", name, err)
	}
	got := engineOps(steps(evs))
	t.Logf("the engine's changes: %v; summary %v; version %s -> %s", got, *res.Summary.ResourceChanges, before, deployedVersion(t, s))
	report(t, "a settings change", settingsChangeProblems(types, got))
	if after := deployedVersion(t, s); after == before {
		t.Errorf("the deployment still names version %s: the new document is not rolled out", after)
	}
	if n := (*res.Summary.ResourceChanges)[string(apitype.OpDelete)]; n > 0 {
		t.Errorf("the update's summary reports %d deletes", n)
	}
	watch.lap("up with the change")

	// The broken variant: a change that does reach the instances (release
	// N+1's image, which rolls the launch template and the group) must be
	// reported by the same check.
	setAppSetting(t, dir, "dev", "limits", "maxUploadMb", 200)
	if err := s.SetConfig(ctx, "wedsync:release", auto.ConfigValue{Value: promoted(t, sc).Values["wedsync:release"]}); err != nil {
		t.Fatal(err)
	}
	c = collect()
	_, err = s.Up(ctx, optup.PolicyPacks(env.pack), optup.EventStreams(c.ch))
	evs = c.wait(t)
	if err != nil {
		t.Fatalf("up of %s with a new image failed: %v", name, err)
	}
	if p := settingsChangeProblems(types, engineOps(steps(evs))); len(p) == 0 {
		t.Error("a new image passes as a settings change: the check cannot fail")
	} else {
		t.Logf("a new image is reported, as it must be:\n%s", strings.Join(p, "\n"))
	}
	watch.lap("up with a new image")
	watch.record(name, len(types))
}

// settingsChangeProblems checks the engine's changes (by URN) to a stack
// whose resources have types: the hosted version and the deployment
// replaced, nothing else changed, no instance resource replaced or deleted,
// and the stack holds the instance resources it checks.
func settingsChangeProblems(types, got map[string]string) []string {
	var out []string
	seen := map[string]int{}
	for urn, op := range got {
		typ := types[urn]
		if typ == "" {
			typ = string(resource.URN(urn).Type())
		}
		want, ok := settingsChangeOps[typ]
		switch {
		case ok && op == want:
			seen[typ]++
		case ok:
			out = append(out, fmt.Sprintf("%s: %s, want %s", urn, op, want))
		default:
			out = append(out, fmt.Sprintf("%s: %s by a settings change", urn, op))
		}
		for _, it := range instanceTypes {
			if typ == it && (op == opReplace || op == opDelete) {
				out = append(out, fmt.Sprintf("instance resource %s: %s", urn, op))
			}
		}
	}
	for typ, want := range settingsChangeOps {
		if seen[typ] != 1 {
			out = append(out, fmt.Sprintf("%s: %d %s, want exactly one", typ, seen[typ], want))
		}
	}
	held := map[string]bool{}
	for _, typ := range types {
		held[typ] = true
	}
	for _, it := range instanceTypes {
		if !held[it] {
			out = append(out, "the stack has no "+it+" for the check to watch")
		}
	}
	sort.Strings(out)
	return out
}

// copyAppSettings copies stacks/appsettings into a temporary directory the
// test may edit.
func copyAppSettings(t *testing.T) string {
	t.Helper()
	src := filepath.Join(env.repo.Dir, "stacks", "appsettings")
	dst := t.TempDir()
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no settings in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// setAppSetting sets group.key of env's settings in dir to value, as
// `config set` does: the result must meet the schema and differ from
// before.
func setAppSetting(t *testing.T, dir, env, group, key string, value any) {
	t.Helper()
	path := filepath.Join(dir, env+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]map[string]any{}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	all := map[string]any{}
	for k, v := range raw {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			t.Fatal(err)
		}
		all[k] = x
		if m, ok := x.(map[string]any); ok {
			doc[k] = m
		}
	}
	g, ok := doc[group]
	if !ok {
		t.Fatalf("%s has no %s", path, group)
	}
	if fmt.Sprint(g[key]) == fmt.Sprint(value) {
		t.Fatalf("%s.%s is already %v: the change proves nothing", group, key, value)
	}
	g[key] = value
	out, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile(filepath.Join(dir, "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := appconfig.ValidateSettings(out, schema); err != nil {
		t.Fatalf("the changed settings break the schema: %v", err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTheSettingsChangeCheckCatchesAReplacedInstance runs the check on
// hand-made answers, without the engine: a replaced launch template (what a
// document passed in user data would do), a deleted bucket, an extra update
// and a missing deployment are each reported; the expected change is not.
func TestTheSettingsChangeCheckCatchesAReplacedInstance(t *testing.T) {
	const (
		version = "urn:pulumi:s::p::wedsync:appconfig:AppConfig$aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion::app"
		deploy  = "urn:pulumi:s::p::wedsync:appconfig:AppConfig$aws:appconfig/deployment:Deployment::app"
		tmpl    = "urn:pulumi:s::p::aws:ec2/launchTemplate:LaunchTemplate::app"
		bucket  = "urn:pulumi:s::p::aws:s3/bucketV2:BucketV2::media"
		other   = "urn:pulumi:s::p::aws:iam/role:Role::app"
	)
	types := map[string]string{version: hostedVersionType, deploy: deploymentType, tmpl: instanceTypes[0], bucket: instanceTypes[3],
		"urn:asg": instanceTypes[1], "urn:db": instanceTypes[2]}
	good := map[string]string{version: opReplace, deploy: opReplace}
	if p := settingsChangeProblems(types, good); len(p) != 0 {
		t.Errorf("the expected change is reported: %v", p)
	}
	for what, ops := range map[string]map[string]string{
		"a replaced launch template": {version: opReplace, deploy: opReplace, tmpl: opReplace},
		"a deleted bucket":           {version: opReplace, deploy: opReplace, bucket: opDelete},
		"an updated role":            {version: opReplace, deploy: opReplace, other: opUpdate},
		"no new deployment":          {version: opReplace},
		"no change at all":           {},
	} {
		if p := settingsChangeProblems(types, ops); len(p) == 0 {
			t.Errorf("%s is not reported", what)
		}
	}
	delete(types, "urn:db")
	if p := settingsChangeProblems(types, good); len(p) != 1 {
		t.Errorf("a stack without a database is not reported as unwatched: %v", p)
	}
}

// deployedVersion is the configuration version the stack's AppConfig
// deployment rolls out.
func deployedVersion(t *testing.T, s auto.Stack) string {
	t.Helper()
	var out []string
	for _, n := range fromState(state(t, s)) {
		if n.Type == deploymentType {
			out = append(out, fmt.Sprint(n.Inputs["configurationVersion"]))
		}
	}
	if len(out) != 1 {
		t.Fatalf("%s has %d AppConfig deployments, want one", s.Name(), len(out))
	}
	return out[0]
}
