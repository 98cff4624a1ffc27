package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/stacks"
)

// CLIVersion is the Pulumi CLI the repository builds (tools/pulumi) and
// deploys with.
const CLIVersion = "v3.259.0"

// AnalyzerBinary is the policy pack's plugin: the CLI runs a `runtime: go`
// pack through the binary of this name on PATH.
const AnalyzerBinary = "pulumi-analyzer-policy-go"

// NoCLIError is a deploy attempted without the `pulumi` CLI on PATH.
type NoCLIError struct {
	Err error
}

func (e *NoCLIError) Error() string {
	return fmt.Sprintf("no `pulumi` CLI on PATH (%v): deploys run the Pulumi CLI %s through the Automation API. Install it from the repository with\n"+
		"    make pulumi            # builds .bin/pulumi from tools/pulumi; then export PATH=\"$PWD/.bin:$PATH\"\n"+
		"or build it yourself:\n"+
		"    cd tools/pulumi && go build -ldflags \"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=%s\" -o \"$(go env GOPATH)/bin/pulumi\" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
		e.Err, CLIVersion, CLIVersion)
}

func (e *NoCLIError) Unwrap() error { return e.Err }

// Automation runs stacks with the Pulumi Automation API: the program
// inline (no Go language host needed, only the `pulumi` CLI on PATH), in a
// fresh workspace per run, with the stack's config set through the API and
// the policy pack.
//
// The state backend is BackendURL, else $PULUMI_BACKEND_URL, else where
// `pulumi login` points. With a self-managed backend, secrets in the stack
// file are decrypted with the stack's secrets provider
// (the stack file's `secretsprovider:`, its own KMS key made by
// bootstrap/; $PULUMI_CONFIG_PASSPHRASE only for a stack still on the
// passphrase provider); a stack whose file names no provider keeps the one
// in its state. $WEDSYNC_SECRETS_PROVIDER overrides the file's (rehearsals
// without the clouds' KMS).
type Automation struct {
	// Program makes the program from the stack's config keys and the
	// instant it plans for; nil means stacks.ProgramWithLoader with
	// stackconfig.Loader.
	Program func(keys []string, now time.Time) pulumi.RunFunc
	// BackendURL overrides $PULUMI_BACKEND_URL and the login.
	BackendURL string
	// PulumiHome is the CLI's home (plugins, credentials); empty means
	// $PULUMI_HOME or ~/.pulumi.
	PulumiHome string
	// Env are further environment variables for the CLI.
	Env map[string]string
}

// Preview implements Runner.
func (a Automation) Preview(ctx context.Context, s *Stack) (Result, error) {
	st, done, err := a.stack(ctx, s)
	if err != nil {
		return Result{}, err
	}
	defer done()
	opts := []optpreview.Option{optpreview.ProgressStreams(s.Stdout), optpreview.ErrorProgressStreams(s.Stderr)}
	if s.PolicyPack != "" {
		opts = append(opts, optpreview.PolicyPacks(s.PolicyPack))
	}
	if s.PolicyPack != "" {
		path, err := s.policyConfigFile(s.FreezeAdvisory)
		if err != nil {
			return Result{}, err
		}
		defer func() { _ = os.Remove(path) }()
		opts = append(opts, optpreview.PolicyPackConfigs(path))
	}
	res, err := st.Preview(ctx, opts...)
	if err != nil {
		return Result{}, err
	}
	out := Result{Changes: map[string]int{}}
	for op, n := range res.ChangeSummary {
		out.Changes[string(op)] = n
	}
	return out, nil
}

// Up implements Runner.
func (a Automation) Up(ctx context.Context, s *Stack) (Result, error) {
	st, done, err := a.stack(ctx, s)
	if err != nil {
		return Result{}, err
	}
	defer done()
	opts := []optup.Option{optup.ProgressStreams(s.Stdout), optup.ErrorProgressStreams(s.Stderr)}
	if s.PolicyPack != "" {
		path, err := s.policyConfigFile(false)
		if err != nil {
			return Result{}, err
		}
		defer func() { _ = os.Remove(path) }()
		opts = append(opts, optup.PolicyPacks(s.PolicyPack), optup.PolicyPackConfigs(path))
	}
	res, err := st.Up(ctx, opts...)
	if err != nil {
		return Result{}, err
	}
	out := Result{Changes: map[string]int{}, Outputs: map[string]any{}}
	for k, v := range res.Outputs {
		out.Outputs[k] = v.Value
		if v.Secret {
			out.Outputs[k] = core.SecretMarker
		}
	}
	if res.Summary.ResourceChanges != nil {
		for op, n := range *res.Summary.ResourceChanges {
			out.Changes[op] = n
		}
	}
	return out, nil
}

// stack is s in a fresh workspace, and what to call when done with it.
func (a Automation) stack(ctx context.Context, s *Stack) (auto.Stack, func(), error) {
	var st auto.Stack
	if _, err := exec.LookPath("pulumi"); err != nil {
		return st, nil, &NoCLIError{Err: err}
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{})
	if err != nil {
		return st, nil, fmt.Errorf("the pulumi CLI on PATH: %w", err)
	}
	backend := a.BackendURL
	if backend == "" && os.Getenv("PULUMI_BACKEND_URL") == "" && os.Getenv("PULUMI_ACCESS_TOKEN") == "" {
		if creds, err := workspace.GetStoredCredentials(); err != nil || creds.Current == "" {
			return st, nil, errors.New("no state backend: set PULUMI_BACKEND_URL (s3://..., gs://..., azblob://..., file://...) or run `pulumi login` first")
		}
	}
	work, err := os.MkdirTemp("", "wedsync-deploy-")
	if err != nil {
		return st, nil, err
	}
	done := func() { _ = os.RemoveAll(work) }
	fail := func(err error) (auto.Stack, func(), error) { done(); return st, nil, err }

	env := map[string]string{
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		// Each run's workspace is new: a stack whose file names no secrets
		// provider keeps the one its state records instead of getting a
		// new one.
		"PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER": "true",
	}
	if s.PolicyPack != "" {
		binDir, err := analyzer(ctx, s.Dir, work)
		if err != nil {
			return fail(err)
		}
		if binDir != "" {
			env["PATH"] = binDir + string(os.PathListSeparator) + os.Getenv("PATH")
		}
	}
	for k, v := range a.Env {
		env[k] = v
	}
	if len(s.StackFile) > 0 {
		if err := os.WriteFile(filepath.Join(work, "Pulumi."+s.Name+".yaml"), s.StackFile, 0o600); err != nil {
			return fail(err)
		}
	}
	proj := workspace.Project{Name: tokens.PackageName(s.Project), Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	if backend != "" {
		proj.Backend = &workspace.ProjectBackend{URL: backend}
	}
	program := a.Program
	if program == nil {
		// The one validator of every command, the clouds' limits included.
		program = func(keys []string, now time.Time) pulumi.RunFunc {
			return stacks.ProgramWithLoader(keys, now, stackconfig.LoaderOf(s.SecretsProvider))
		}
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(work), auto.Project(proj), auto.Pulumi(cli), auto.EnvVars(env)}
	if provider := secretsProviderOf(s.StackFile); provider != "" {
		// A stack created here gets its file's KMS key (bootstrap/), not
		// the passphrase.
		opts = append(opts, auto.SecretsProvider(provider))
	}
	if a.PulumiHome != "" {
		opts = append(opts, auto.PulumiHome(a.PulumiHome))
	}
	st, err = auto.UpsertStackInlineSource(ctx, s.Name, s.Project, program(s.Keys, s.Now), opts...)
	if err != nil {
		return fail(fmt.Errorf("stack %s: %w", s.Name, err))
	}
	if err := st.SetAllConfig(ctx, s.Config); err != nil {
		return fail(fmt.Errorf("stack %s: setting its config: %w", s.Name, err))
	}
	return st, done, nil
}

// analyzer makes sure the CLI finds the policy pack's plugin: on PATH
// already (CI and `make e2e` put it there), or built from the project's
// policies/ into dir. It returns the directory to put first on PATH, or ""
// when PATH has it.
func analyzer(ctx context.Context, projectDir, dir string) (string, error) {
	if _, err := exec.LookPath(AnalyzerBinary); err == nil {
		return "", nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the policy pack's plugin %s is not on PATH and there is no Go toolchain to build it: "+
			"build it with `go build -o DIR/%s ./%s` and put DIR on PATH", AnalyzerBinary, AnalyzerBinary, PolicyPackDir)
	}
	binDir := filepath.Join(dir, "bin")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", filepath.Join(binDir, AnalyzerBinary), "./"+PolicyPackDir)
	cmd.Dir = projectDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the policy pack's plugin (go build ./%s): %w\n%s", PolicyPackDir, err, strings.TrimSpace(string(out)))
	}
	return binDir, nil
}

// policyConfigFile writes the pack's config for s as `--policy-pack-config`
// reads it (rules.StackPackConfigFile, the file a plain `pulumi` run is
// given too), the freeze rule lowered to advisory when freezeAdvisory (an
// enforcement level set in the pack's config applies to stack policies
// too: policyx's AnalyzeStack reads it), for a preview inside a freeze.
// The caller removes the file.
func (s *Stack) policyConfigFile(freezeAdvisory bool) (string, error) {
	var advisory []string
	if freezeAdvisory {
		advisory = append(advisory, rules.PolicyFreeze)
	}
	data, err := rules.StackPackConfigFile(s.configValues(), advisory...)
	if err != nil {
		return "", fmt.Errorf("stack %s: %w", s.Name, err)
	}
	f, err := os.CreateTemp("", "wedsync-policy-config-*.json")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// configValues are the stack's merged config values: as read by Prepare,
// else (a Stack built by hand) its Config.
func (s *Stack) configValues() map[string]string {
	if s.values != nil {
		return s.values
	}
	out := make(map[string]string, len(s.Config))
	for k, v := range s.Config {
		out[k] = v.Value
	}
	return out
}
