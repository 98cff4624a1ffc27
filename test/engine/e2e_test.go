package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"golang.org/x/mod/modfile"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
	"github.com/wedsync/wedsync-infra/test/engine/standin"
)

const (
	// cliVersion is the Pulumi CLI the Makefile builds (tools/pulumi).
	cliVersion = "3.259.0"
	// standinEnv names the stand-in provider binary `make e2e` builds.
	standinEnv = "WEDSYNC_E2E_STANDIN"
	// analyzer is the policy pack's plugin, found on PATH by the CLI.
	analyzer = "pulumi-analyzer-policy-go"
	// defaultNow is the program's clock unless WEDSYNC_NOW says otherwise:
	// a Wednesday in peak season, 10:00 in London, so the program's
	// schedules and capacity are the same on every run.
	defaultNow = "2026-06-10T10:00:00+01:00"
)

// env is what every test shares: the repository, a private PULUMI_HOME
// holding only the stand-ins, and a file:// backend.
var env struct {
	once    sync.Once
	err     error
	repo    *project.Project
	pack    string
	cli     auto.PulumiCommand
	dir     string
	backend string
	home    string
}

// deployed are the stacks whose up succeeded in this run: a recovery stack
// rebuilds its source from what the source left in the pretend cloud.
var deployed = map[string]bool{}

// timings are each stack's wall times, printed after the run.
var timings = struct {
	sync.Mutex
	lines []string
}{}

func TestMain(m *testing.M) {
	code := m.Run()
	if len(timings.lines) > 0 {
		fmt.Println("wall time per stack (real Pulumi engine, stand-in providers):")
		for _, l := range timings.lines {
			fmt.Println("  " + l)
		}
	}
	if env.dir != "" {
		_ = os.RemoveAll(env.dir)
	}
	os.Exit(code)
}

// setup checks the tools `make e2e` provides and installs the stand-ins
// into a private plugin cache under the exact versions the SDKs ask for
// (they are not on PATH, where the engine would take them whatever
// version it asks for).
func setup(t *testing.T) {
	t.Helper()
	env.once.Do(func() { env.err = doSetup() })
	if env.err != nil {
		t.Fatalf("%v\n(`make e2e` builds the CLI, the policy pack and the stand-ins and runs this test)", env.err)
	}
}

func doSetup() error {
	if os.Getenv(stacks.NowEnv) == "" {
		if err := os.Setenv(stacks.NowEnv, defaultNow); err != nil {
			return err
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	if env.repo, err = project.Find(wd); err != nil {
		return err
	}
	env.pack = filepath.Join(env.repo.Dir, "policies")
	if _, err := exec.LookPath(analyzer); err != nil {
		return fmt.Errorf("the policy pack %s is not on PATH: %w", analyzer, err)
	}
	bin := os.Getenv(standinEnv)
	if bin == "" {
		return fmt.Errorf("%s is not set: it names the stand-in provider binary", standinEnv)
	}
	if err := checkStandinVersions(); err != nil {
		return err
	}
	if env.dir, err = os.MkdirTemp("", "wedsync-e2e-"); err != nil {
		return err
	}
	env.home = filepath.Join(env.dir, "pulumi-home")
	env.backend = "file://" + filepath.Join(env.dir, "state")
	if err := os.MkdirAll(filepath.Join(env.dir, "state"), 0o755); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"PULUMI_HOME":              env.home,
		"PULUMI_BACKEND_URL":       env.backend,
		"PULUMI_CONFIG_PASSPHRASE": "wedsync-e2e",
		// The stand-in clouds have no KMS: stacks keep the passphrase
		// instead of their files' KMS secrets provider.
		"WEDSYNC_SECRETS_PROVIDER": "passphrase",
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		// A plugin version the stand-ins do not have fails at once, naming
		// it, instead of reaching for the network.
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_DISABLE_REGISTRY_RESOLVE":             "true",
		standin.CloudEnv:                              filepath.Join(env.dir, "cloud"),
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	env.cli, err = auto.NewPulumiCommand(&auto.PulumiCommandOptions{})
	if err != nil {
		return fmt.Errorf("the pulumi CLI: %w", err)
	}
	if got := env.cli.Version().String(); got != cliVersion {
		return fmt.Errorf("pulumi on PATH is v%s; the e2e runs v%s (make builds it into .bin)", got, cliVersion)
	}
	for _, pkg := range standin.Packages {
		out, err := exec.Command("pulumi", "plugin", "install", "resource", pkg.Name, pkg.Version, "--file", bin).CombinedOutput()
		if err != nil {
			return fmt.Errorf("install the %s stand-in: %w\n%s", pkg.Name, err, out)
		}
	}
	return nil
}

// checkStandinVersions checks the stand-ins claim the versions of the
// provider SDKs the program is built with (this module's go.mod, whose
// versions the test binary links): the engine asks for exactly those
// plugin versions.
func checkStandinVersions() error {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		return err
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return err
	}
	sdks := map[string]string{
		"github.com/pulumi/pulumi-aws/sdk/v6":          "aws",
		"github.com/pulumi/pulumi-gcp/sdk/v7":          "gcp",
		"github.com/pulumi/pulumi-azure-native-sdk/v2": "azure-native",
	}
	var problems []string
	for _, r := range mf.Require {
		if name, ok := sdks[r.Mod.Path]; ok {
			if want := strings.TrimPrefix(r.Mod.Version, "v"); standin.Packages[name].Version != want {
				problems = append(problems, fmt.Sprintf("%s: the program's SDK is %s, the stand-in claims %s", name, want, standin.Packages[name].Version))
			}
			delete(sdks, r.Mod.Path)
		}
	}
	for path := range sdks {
		problems = append(problems, "go.mod does not require "+path)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("stand-in versions (test/engine/standin.Packages): %s", strings.Join(problems, "; "))
	}
	return nil
}

// stackConfig is the stack's config as the program sees it: its stack file
// over the environments it imports, as the offline plan merges them. A
// prod stack inside a freeze of the real clock (the policy pack's clock,
// which WEDSYNC_NOW does not move) gets the emergency override the freeze
// rule asks for, so the e2e does not depend on the day it runs.
func stackConfig(t *testing.T, stack string) *project.StackConfig {
	t.Helper()
	return stackConfigAt(t, stack, time.Now())
}

// stackConfigAt is stackConfig with the pack's clock reading clock.
func stackConfigAt(t *testing.T, stack string, clock time.Time) *project.StackConfig {
	t.Helper()
	sc, err := environments.StackConfig(context.Background(), env.repo, stack)
	if err != nil {
		t.Fatalf("stack %s config: %v", stack, err)
	}
	return withFreezeOverride(t, stack, sc, clock)
}

// withFreezeOverride is sc with the emergency override the freeze rule
// asks for when the pack's clock reads clock inside the stack's freeze.
func withFreezeOverride(t *testing.T, stack string, sc *project.StackConfig, clock time.Time) *project.StackConfig {
	t.Helper()
	target, err := freeze.TargetFromConfig(stack, sc.Values)
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	if d := freeze.Check(target, clock); d.Blocked() {
		o, err := freeze.NewOverride(d, "e2e against stand-in providers: nothing reaches a cloud", "make e2e", clock.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(o)
		t.Logf("the pack's clock (%s) is in %s's freeze %q; the e2e runs with an emergency override", clock.Format(time.RFC3339), stack, d.Window.Name)
		sc = withValue(sc, "wedsync:emergencyOverride", string(raw))
	}
	return sc
}

func withValue(sc *project.StackConfig, key, value string) *project.StackConfig {
	out := *sc
	out.Values = map[string]string{key: value}
	for k, v := range sc.Values {
		if k != key {
			out.Values[k] = v
		}
	}
	return &out
}

// releaseWithImage is the release block (JSON) with region's AWS image set
// to the one from.
func releaseWithImage(t *testing.T, release, region, from string) string {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal([]byte(release), &r); err != nil {
		t.Fatalf("wedsync:release: %v", err)
	}
	images, _ := r["images"].(map[string]any)
	aws, _ := images["aws"].(map[string]any)
	if aws[from] == nil {
		t.Fatalf("the release names no AWS image in %s: %s", from, release)
	}
	aws[region] = aws[from]
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// offlinePlan is what the offline plan says the stack creates.
func offlinePlan(t *testing.T, stack string, sc *project.StackConfig) *offline.Result {
	t.Helper()
	res, err := offline.PlanConfig(env.repo.Name, stack, sc, programNow(t))
	if err != nil {
		t.Fatalf("offline plan of %s: %v", stack, err)
	}
	return res
}

// newStack is a fresh stack in the file backend running stacks.Program
// inline, with sc set as its config through the API.
func newStack(t *testing.T, name string, sc *project.StackConfig) auto.Stack {
	t.Helper()
	return newStackRunning(t, name, sc, func(keys []string) pulumi.RunFunc {
		// The stack file's secretsprovider, which the engine does not pass
		// the program, handed down as wedsync-infra's commands do.
		return stacks.ProgramWithLoader(keys, programNow(t), func(project, stack string, raw map[string]string) (stacks.Config, error) {
			cfg, err := stacks.Load(project, stack, raw)
			cfg.SecretsProvider = sc.SecretsProvider
			return cfg, err
		})
	})
}

// newStackRunning is newStack running the program program(keys) makes
// from the stack's config keys.
func newStackRunning(t *testing.T, name string, sc *project.StackConfig, program func(keys []string) pulumi.RunFunc) auto.Stack {
	t.Helper()
	return newProjectStack(t, env.repo.Name, name, sc, program)
}

// newProjectStack is newStackRunning in the Pulumi project projectName
// (the bootstrap program's is its own).
func newProjectStack(t *testing.T, projectName, name string, sc *project.StackConfig, program func(keys []string) pulumi.RunFunc) auto.Stack {
	t.Helper()
	ctx := context.Background()
	keys := make([]string, 0, len(sc.Values))
	cfg := auto.ConfigMap{}
	secret := map[string]bool{}
	for _, k := range sc.SecretKeys {
		secret[k] = true
	}
	for k, v := range sc.Values {
		keys = append(keys, k)
		cfg[k] = auto.ConfigValue{Value: v, Secret: secret[k]}
	}
	sort.Strings(keys)
	proj := workspace.Project{
		Name:    tokens.PackageName(projectName),
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: env.backend},
	}
	work := filepath.Join(env.dir, "work", name)
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := auto.UpsertStackInlineSource(ctx, name, projectName, program(keys),
		auto.Project(proj), auto.Pulumi(env.cli), auto.PulumiHome(env.home), auto.WorkDir(work))
	if err != nil {
		t.Fatalf("create stack %s: %v", name, err)
	}
	if err := s.SetAllConfig(ctx, cfg); err != nil {
		t.Fatalf("set %s's config: %v", name, err)
	}
	return s
}

// collector gathers an operation's engine events.
type collector struct {
	ch     chan events.EngineEvent
	done   chan struct{}
	events []apitype.EngineEvent
}

func collect() *collector {
	c := &collector{ch: make(chan events.EngineEvent), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for e := range c.ch {
			if e.Error == nil {
				c.events = append(c.events, e.EngineEvent)
			}
		}
	}()
	return c
}

// wait returns the events once the operation has closed the stream.
func (c *collector) wait(t *testing.T) []apitype.EngineEvent {
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		t.Fatal("the engine's event stream did not end")
	}
	return c.events
}

// steps are the resource steps of an operation.
func steps(evs []apitype.EngineEvent) []apitype.StepEventMetadata {
	var out []apitype.StepEventMetadata
	for _, e := range evs {
		if e.ResourcePreEvent != nil {
			out = append(out, e.ResourcePreEvent.Metadata)
		}
	}
	return out
}

// policyEvents are the pack's findings in an operation.
func policyEvents(evs []apitype.EngineEvent) map[violation]string {
	out := map[violation]string{}
	for _, e := range evs {
		if p := e.PolicyEvent; p != nil {
			out[violation{p.PolicyName, p.EnforcementLevel, p.ResourceURN}] = p.Message
		}
	}
	return out
}

func mandatory(vs map[violation]string) map[violation]string {
	out := map[violation]string{}
	for v, m := range vs {
		if v.Level == "mandatory" {
			out[v] = m
		}
	}
	return out
}

func state(t *testing.T, s auto.Stack) apitype.DeploymentV3 {
	t.Helper()
	u, err := s.Export(context.Background())
	if err != nil {
		t.Fatalf("export %s: %v", s.Name(), err)
	}
	var d apitype.DeploymentV3
	if err := json.Unmarshal(u.Deployment, &d); err != nil {
		t.Fatalf("read %s's checkpoint: %v", s.Name(), err)
	}
	return d
}

func report(t *testing.T, what string, problems []string) {
	t.Helper()
	if len(problems) == 0 {
		return
	}
	const max = 40
	more := ""
	if len(problems) > max {
		more = fmt.Sprintf("\n... and %d more", len(problems)-max)
		problems = problems[:max]
	}
	t.Errorf("%s:\n%s%s", what, strings.Join(problems, "\n"), more)
}

// stopwatch records a stack's phases for the timing summary.
type stopwatch struct {
	start, last time.Time
	phases      []string
}

func newStopwatch() *stopwatch { n := time.Now(); return &stopwatch{start: n, last: n} }

func (w *stopwatch) lap(phase string) {
	n := time.Now()
	w.phases = append(w.phases, fmt.Sprintf("%s %.1fs", phase, n.Sub(w.last).Seconds()))
	w.last = n
}

func (w *stopwatch) record(stack string, resources int) {
	timings.Lock()
	defer timings.Unlock()
	timings.lines = append(timings.lines, fmt.Sprintf("%-14s %5.1fs  %3d resources  (%s)",
		stack, time.Since(w.start).Seconds(), resources, strings.Join(w.phases, ", ")))
}

// TestEveryStackUnderTheRealEngine previews, deploys, redeploys and
// destroys every shipped stack with the real CLI and the policy pack.
func TestEveryStackUnderTheRealEngine(t *testing.T) {
	setup(t)
	names, err := env.repo.Stacks()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no stacks/Pulumi.*.yaml")
	}
	// A recovery stack (wedsync:recovery) rebuilds its source from what the
	// source left in the pretend cloud and reads the source's outputs, so
	// it runs after every other stack.
	sort.SliceStable(names, func(i, j int) bool { return !isRecovery(t, names[i]) && isRecovery(t, names[j]) })
	for _, name := range names {
		t.Run(name, func(t *testing.T) { testStack(t, name) })
	}
}

func isRecovery(t *testing.T, stack string) bool {
	sc, err := env.repo.ReadStack(stack)
	if err != nil {
		t.Fatal(err)
	}
	_, ok := sc.Values["wedsync:recovery"]
	return ok
}

func testStack(t *testing.T, name string) {
	ctx := context.Background()
	watch := newStopwatch()
	sc := stackConfig(t, name)
	offlineRes := offlinePlan(t, name, sc)
	if r := offlineRes.Config.Recovery; r != nil && !deployed[r.SourceStack] {
		t.Skipf("%s rebuilds %s, which did not deploy in this run", name, r.SourceStack)
	}
	want := fromPlan(offlineRes.Plan)
	s := newStack(t, name, sc)
	watch.lap("setup")

	// preview: the pack passes; the engine would create what the plan says.
	c := collect()
	_, err := s.Preview(ctx, optpreview.PolicyPacks(env.pack), optpreview.EventStreams(c.ch))
	evs := c.wait(t)
	if err != nil {
		t.Fatalf("preview of %s failed: %v", name, err)
	}
	watch.lap("preview")
	if m := mandatory(policyEvents(evs)); len(m) > 0 {
		t.Errorf("preview: the policy pack reports mandatory violations: %v", m)
	}
	previewed := fromPreview(steps(evs))
	reconcileRecovery(t, offlineRes, want, previewed)
	report(t, "preview: resources (type, name, parent) differ from the offline plan's", resourceSetDiff(want, previewed))
	report(t, "preview: known inputs differ from the offline plan's", inputDiffs(want, previewed, true))
	report(t, "preview: resource options differ from the offline plan's", optionDiffs(want, previewed))

	// up: every input is known now, and must be what the plan says.
	c = collect()
	_, err = s.Up(ctx, optup.PolicyPacks(env.pack), optup.EventStreams(c.ch))
	evs = c.wait(t)
	if err != nil {
		t.Fatalf("up of %s failed: %v", name, err)
	}
	deployed[name] = true
	watch.lap("up")
	got := fromState(state(t, s))
	reconcileRecovery(t, offlineRes, want, got)
	report(t, "up: the deployed resources differ from the offline plan's", resourceSetDiff(want, got))
	report(t, "up: deployed inputs differ from the offline plan's", inputDiffs(want, got, false))
	report(t, "up: resource options differ from the offline plan's", optionDiffs(want, got))
	report(t, "up: the pack's findings differ from the offline plan's", violationDiffs(planViolations(offlineRes.Plan), policyEvents(evs)))

	// A second up changes nothing: no perpetual diff.
	c = collect()
	res, err := s.Up(ctx, optup.PolicyPacks(env.pack), optup.ExpectNoChanges(), optup.EventStreams(c.ch))
	evs = c.wait(t)
	if err != nil {
		var changed []string
		for _, st := range steps(evs) {
			if st.Op != apitype.OpSame {
				changed = append(changed, fmt.Sprintf("%s %s %v", st.Op, st.URN, st.Diffs))
			}
		}
		t.Fatalf("a second up of %s is not a no-op:\n%s\n%v", name, strings.Join(changed, "\n"), err)
	}
	if changes := res.Summary.ResourceChanges; changes != nil {
		for op, n := range *changes {
			if op != string(apitype.OpSame) && n > 0 {
				t.Errorf("a second up of %s reports %d %s", name, n, op)
			}
		}
	}
	watch.lap("up again")

	testDestroy(t, s, offlineRes, want)
	watch.lap("destroy")
	watch.record(name, len(want))
}

// reconcileRecovery checks the one input of a recovery stack that the
// offline plan cannot share with the engine: where the source's outputs
// came from (the recovery record's sourceMode). The offline plan has no
// state to read, so it falls back on the stack file's copy
// (wedsync:recovery.sourceOutputs); the engine must have read every output
// through the stack reference. With that settled, the rest of the
// comparison proves the stack file's copy equals what the source really
// exports.
func reconcileRecovery(t *testing.T, offlineRes *offline.Result, want, got map[string]node) {
	t.Helper()
	r := offlineRes.Config.Recovery
	if r == nil {
		return
	}
	const key = "sourceMode"
	for urn, w := range want {
		g, ok := got[urn]
		if w.Type != "wedsync:recovery:Recovery" || !ok {
			continue
		}
		if planMode := w.Inputs[key]; planMode != "config, stack "+r.SourceStack+" unreadable" {
			t.Errorf("the offline plan's %s is %q: it has no state to read %s's outputs from", key, planMode, r.SourceStack)
		}
		if engineMode := g.Inputs[key]; engineMode != "stack "+r.SourceStack {
			t.Errorf("the engine's %s is %q, want %q: every output read through the stack reference", key, engineMode, "stack "+r.SourceStack)
		}
		inputs := map[string]any{}
		for k, v := range g.Inputs {
			inputs[k] = v
		}
		inputs[key] = w.Inputs[key]
		g.Inputs = inputs
		got[urn] = g
	}
}

// deleteRefused matches the engine's refusal to delete a protected resource.
var deleteRefused = regexp.MustCompile(`resource "(urn:pulumi:[^"]+)" cannot be deleted\s+because it is protected`)

// testDestroy: a stack with protected resources (prod's data stores) is not
// destroyed; any other stack is. The engine deletes in reverse dependency
// order and refuses each protected resource it reaches; a protected
// resource another protected resource still needs (a key ring under its
// keys) is held back rather than reached. So, with --continue-on-error:
// every refusal names a resource the plan protects, every protected
// resource survives and is either refused or held by a survivor, and
// nothing survives that a protected resource does not need.
func testDestroy(t *testing.T, s auto.Stack, offlineRes *offline.Result, want map[string]node) {
	ctx := context.Background()
	protected := map[string]bool{}
	for urn, n := range want {
		if n.Protect {
			protected[urn] = true
		}
	}
	if offlineRes.Config.Environment == core.Prod && len(protected) == 0 {
		t.Errorf("%s is prod but protects nothing", s.Name())
	}
	c := collect()
	_, err := s.Destroy(ctx, optdestroy.ContinueOnError(), optdestroy.EventStreams(c.ch))
	evs := c.wait(t)
	if len(protected) == 0 {
		if err != nil {
			t.Fatalf("destroy of %s failed: %v", s.Name(), err)
		}
		if left := fromState(state(t, s)); len(left) > 0 {
			t.Errorf("destroy of %s left %d resources", s.Name(), len(left))
		}
		return
	}
	if err == nil {
		t.Fatalf("destroy of %s succeeded although it protects %d resources", s.Name(), len(protected))
	}
	// What the user sees: the error output and the engine's diagnostics.
	seen := err.Error()
	for _, e := range evs {
		if e.DiagnosticEvent != nil {
			seen += "\n" + e.DiagnosticEvent.Message
		}
	}
	refused := map[string]bool{}
	for _, m := range deleteRefused.FindAllStringSubmatch(seen, -1) {
		refused[m[1]] = true
	}
	left := fromState(state(t, s))
	heldBy := map[string][]string{}
	for urn, n := range left {
		for _, d := range n.Needs {
			heldBy[d] = append(heldBy[d], urn)
		}
	}
	var problems, names []string
	if len(refused) == 0 {
		problems = append(problems, "the engine's refusal names no protected resource:\n"+seen)
	}
	for urn := range refused {
		names = append(names, want[urn].Type+" "+want[urn].Name)
		if !protected[urn] {
			problems = append(problems, "refused although the plan does not protect it: "+urn)
		}
	}
	for urn := range protected {
		switch {
		case left[urn].URN == "":
			problems = append(problems, "deleted although protected: "+urn)
		case !refused[urn] && len(heldBy[urn]) == 0:
			problems = append(problems, "neither refused nor needed by a survivor: "+urn)
		}
	}
	needed := map[string]bool{}
	var keep func(string)
	keep = func(urn string) {
		if needed[urn] {
			return
		}
		needed[urn] = true
		for _, d := range left[urn].Needs {
			keep(d)
		}
	}
	for urn := range protected {
		keep(urn)
	}
	for urn := range left {
		if !needed[urn] {
			problems = append(problems, "survived although no protected resource needs it: "+urn)
		}
	}
	sort.Strings(problems)
	report(t, "destroy of "+s.Name(), problems)
	sort.Strings(names)
	t.Logf("destroy of %s refused, naming %d protected resources: %s", s.Name(), len(names), strings.Join(names, ", "))
}

// TestAFrozenRealClockGetsAnEmergencyOverride: the pack's freeze rule
// reads the real clock (WEDSYNC_NOW moves only the program's), so a run on
// a Saturday would be refused. The e2e then deploys prod as an operator
// would in an emergency, with the override the freeze rule accepts; dev,
// which never freezes, is left alone.
func TestAFrozenRealClockGetsAnEmergencyOverride(t *testing.T) {
	setup(t)
	saturday := time.Date(2026, 6, 13, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		stack    string
		override bool
	}{{"prod", true}, {"dev", false}} {
		sc := stackConfigAt(t, tc.stack, saturday)
		_, got := sc.Values["wedsync:emergencyOverride"]
		if got != tc.override {
			t.Errorf("%s on a Saturday: emergency override %v, want %v", tc.stack, got, tc.override)
		}
		target, err := freeze.TargetFromConfig(tc.stack, sc.Values)
		if err != nil {
			t.Fatal(err)
		}
		if d := freeze.Check(target, saturday); d.Blocked() {
			t.Errorf("%s on a Saturday is still frozen: %+v", tc.stack, d)
		}
	}
}

// TestThePackBlocksANonCompliantVariant: dev moved to a US region through
// a config override. The program accepts any region of the cloud; GDPR
// residency is the pack's call, and the real engine must stop the preview
// with the pack's message, exactly where the offline plan says.
func TestThePackBlocksANonCompliantVariant(t *testing.T) {
	setup(t)
	const base, name = "dev", "dev-us"
	sc := withValue(stackConfig(t, base), "wedsync:region", "us-east-1")
	// The release names an image per region; give us-east-1 dev's, so the
	// program plans the variant and the pack, not the image check, refuses it.
	sc = withValue(sc, "wedsync:release", releaseWithImage(t, sc.Values["wedsync:release"], "us-east-1", "eu-west-2"))
	offlineRes := offlinePlan(t, name, sc)
	want := mandatory(planViolations(offlineRes.Plan))
	if len(want) == 0 {
		t.Fatal("the offline plan finds nothing wrong with dev in us-east-1; pick another variant")
	}
	s := newStack(t, name, sc)
	c := collect()
	_, err := s.Preview(context.Background(), optpreview.PolicyPacks(env.pack), optpreview.EventStreams(c.ch))
	evs := c.wait(t)
	if err == nil {
		t.Fatal("the policy pack let dev in us-east-1 through")
	}
	got := mandatory(policyEvents(evs))
	report(t, "the engine's mandatory findings differ from the offline plan's", violationDiffs(want, got))
	for v, msg := range want {
		if v.Policy != "data-residency" {
			continue
		}
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("the user is not told why: %q is not in the preview's output:\n%v", msg, err)
		}
		break
	}
	if !strings.Contains(err.Error(), "data-residency") {
		t.Errorf("the preview's output does not name the data-residency policy:\n%v", err)
	}
}

// programNow is the instant the program plans for: $WEDSYNC_NOW (set to
// defaultNow by the setup unless the run sets it).
func programNow(t testing.TB) time.Time {
	t.Helper()
	now, err := stacks.Now()
	if err != nil {
		t.Fatal(err)
	}
	return now
}
