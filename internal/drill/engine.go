package drill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/stacks"
)

// Engine makes scratch recovery stacks with the Pulumi Automation API: the
// program inline (only the `pulumi` CLI is needed), on the state backend
// of $PULUMI_BACKEND_URL (or the login), with the policy pack, as `dr
// rebuild` deploys the real DR stack.
type Engine struct {
	// Program makes the program from the stack's config keys; nil is the
	// program every command deploys (stacks.ProgramWithLoader with
	// stackconfig.Loader).
	Program func(keys []string, now time.Time) pulumi.RunFunc
	// PolicyPack is the pack's directory; empty runs without it.
	PolicyPack string
	// BackendURL overrides $PULUMI_BACKEND_URL; PulumiHome $PULUMI_HOME.
	BackendURL, PulumiHome string
	// Stdout and Stderr receive the engine's progress; nil discards it.
	Stdout, Stderr io.Writer
}

// Create implements RecoveryStacks.
func (e Engine) Create(ctx context.Context, s *Scratch) (map[string]any, error) {
	st, done, err := e.stack(ctx, s, true)
	if err != nil {
		return nil, err
	}
	defer done()
	opts := []optup.Option{optup.ProgressStreams(e.out()), optup.ErrorProgressStreams(e.errOut())}
	if e.PolicyPack != "" {
		opts = append(opts, optup.PolicyPacks(e.PolicyPack))
	}
	res, err := st.Up(ctx, opts...)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range res.Outputs {
		out[k] = v.Value
	}
	return out, nil
}

// Destroy implements RecoveryStacks: the resources adopted from the source
// are forgotten (never deleted), protection is lifted from the rest (a
// scratch stack's data stores are throwaway copies), everything else is
// deleted and the stack removed.
func (e Engine) Destroy(ctx context.Context, s *Scratch) (Teardown, error) {
	var td Teardown
	st, done, err := e.stack(ctx, s, false)
	if errors.Is(err, errNoStack) {
		td.Removed = true
		return td, nil
	}
	if err != nil {
		return td, err
	}
	defer done()
	if td.Forgotten, err = releaseState(ctx, st); err != nil {
		return td, fmt.Errorf("prepare %s for destroy: %w", s.Name, err)
	}
	if _, err := st.Destroy(ctx, optdestroy.ContinueOnError(), optdestroy.ProgressStreams(e.out()), optdestroy.ErrorProgressStreams(e.errOut())); err != nil {
		return td, fmt.Errorf("destroy %s: %w", s.Name, err)
	}
	if err := st.Workspace().RemoveStack(ctx, s.Name); err != nil {
		return td, fmt.Errorf("remove %s: %w", s.Name, err)
	}
	td.Removed = true
	return td, nil
}

var errNoStack = errors.New("no such stack")

func (e Engine) out() io.Writer {
	if e.Stdout == nil {
		return io.Discard
	}
	return e.Stdout
}

func (e Engine) errOut() io.Writer {
	if e.Stderr == nil {
		return io.Discard
	}
	return e.Stderr
}

// stack is s in a fresh workspace (created when create, else selected:
// errNoStack when it does not exist), and what to call when done.
func (e Engine) stack(ctx context.Context, s *Scratch, create bool) (auto.Stack, func(), error) {
	var st auto.Stack
	if _, err := exec.LookPath("pulumi"); err != nil {
		return st, nil, fmt.Errorf("no `pulumi` CLI on PATH (make pulumi builds it into .bin): %w", err)
	}
	work, err := os.MkdirTemp("", "wedsync-drill-")
	if err != nil {
		return st, nil, err
	}
	done := func() { _ = os.RemoveAll(work) }
	proj := workspace.Project{Name: tokens.PackageName(s.Project), Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	if e.BackendURL != "" {
		proj.Backend = &workspace.ProjectBackend{URL: e.BackendURL}
	}
	keys := make([]string, 0, len(s.Config.Values))
	cfg := auto.ConfigMap{}
	for k, v := range s.Config.Values {
		keys = append(keys, k)
		cfg[k] = auto.ConfigValue{Value: v}
	}
	sort.Strings(keys)
	program := e.Program
	if program == nil {
		program = func(keys []string, now time.Time) pulumi.RunFunc {
			return stacks.ProgramWithLoader(keys, now, stackconfig.Loader)
		}
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(work), auto.Project(proj),
		auto.EnvVars(map[string]string{"PULUMI_SKIP_UPDATE_CHECK": "true"})}
	if e.PulumiHome != "" {
		opts = append(opts, auto.PulumiHome(e.PulumiHome))
	}
	if create {
		st, err = auto.UpsertStackInlineSource(ctx, s.Name, s.Project, program(keys, s.Now), opts...)
	} else {
		st, err = auto.SelectStackInlineSource(ctx, s.Name, s.Project, program(keys, s.Now), opts...)
		if auto.IsSelectStack404Error(err) {
			done()
			return st, nil, errNoStack
		}
	}
	if err == nil && create {
		err = st.SetAllConfig(ctx, cfg)
	}
	if err != nil {
		done()
		return st, nil, fmt.Errorf("stack %s: %w", s.Name, err)
	}
	return st, done, nil
}

// releaseState rewrites the scratch stack's checkpoint for its destroy:
// the resources it imported (adopted from the source: its replica
// buckets), what configures them (names one as its bucket or storage
// account: a bucket policy, a lock or replication configuration) and their
// children are
// dropped from the state, so destroy leaves the source's copies as they
// are; references to them are cut from what stays, and everything that
// stays is unprotected and deleted. It returns the URNs dropped.
func releaseState(ctx context.Context, st auto.Stack) ([]string, error) {
	exported, err := st.Export(ctx)
	if err != nil {
		return nil, err
	}
	var d apitype.DeploymentV3
	if err := json.Unmarshal(exported.Deployment, &d); err != nil {
		return nil, err
	}
	adopted := map[resource.URN]bool{}
	for _, r := range d.Resources {
		if r.ImportID != "" {
			adopted[r.URN] = true
		}
	}
	drop := map[resource.URN]bool{}
	for _, r := range d.Resources {
		if adopted[r.URN] || dependsOn(r, adopted) {
			drop[r.URN] = true
		}
	}
	// Children go with their parents (state order: parents first).
	for _, r := range d.Resources {
		if drop[r.Parent] {
			drop[r.URN] = true
		}
	}
	kept := d.Resources[:0]
	var forgotten []string
	for _, r := range d.Resources {
		if drop[r.URN] {
			forgotten = append(forgotten, string(r.URN))
			continue
		}
		r.Protect = false
		cut(&r, drop)
		kept = append(kept, r)
	}
	d.Resources = kept
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return forgotten, st.Import(ctx, apitype.UntypedDeployment{Version: exported.Version, Deployment: raw})
}

// cut removes r's references to the resources in set.
func cut(r *apitype.ResourceV3, set map[resource.URN]bool) {
	keep := func(urns []resource.URN) []resource.URN {
		var out []resource.URN
		for _, u := range urns {
			if !set[u] {
				out = append(out, u)
			}
		}
		return out
	}
	r.Dependencies = keep(r.Dependencies)
	for k, deps := range r.PropertyDependencies {
		r.PropertyDependencies[k] = keep(deps)
	}
	if set[r.DeletedWith] {
		r.DeletedWith = ""
	}
}

// configuringProperties are the inputs by which a resource configures a
// bucket or storage account it names (a bucket policy, versioning, lock,
// replication or notification configuration, an IAM binding on the
// bucket): a resource naming an adopted one there acts on the source's copy.
var configuringProperties = []resource.PropertyKey{"bucket", "accountName", "storageAccountName"}

// dependsOn reports whether r configures, or is deleted with, a resource in
// set. What merely refers to one (an IAM policy document, an alarm's
// dimension) is the scratch stack's own, and goes with it.
func dependsOn(r apitype.ResourceV3, set map[resource.URN]bool) bool {
	if set[r.DeletedWith] {
		return true
	}
	for _, key := range configuringProperties {
		for _, d := range r.PropertyDependencies[key] {
			if set[d] {
				return true
			}
		}
	}
	return false
}
