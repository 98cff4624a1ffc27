// Package langhost is a TEST-ONLY Pulumi language host for Go programs. The
// official pulumi-language-go is not available on these machines; this one
// does the part `pulumi preview` and `pulumi up` need, the way the official
// host does it: `go build` the program in its directory, then run the
// binary there with the engine's monitor address, the stack's config and
// the run's settings in the environment variables the Go SDK reads
// (sdk/go/pulumi/run.go). It installs nothing, reports no required plugins
// (the e2e installs the stand-in providers beforehand) and runs no plugins
// written in Go. Built as cmd/pulumi-language-go and put on PATH by
// `make e2e`, the CLI finds it as the `go` runtime's host.
package langhost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Version is what GetPluginInfo reports: marked as a stand-in.
const Version = "3.263.0+standin"

// Host is the language runtime server.
type Host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// Engine is the engine's address, passed to the program as PULUMI_ENGINE.
	Engine string
	// Stdout and Stderr receive the build's and the program's output (the
	// engine shows what a language host writes).
	Stdout, Stderr io.Writer
	// Cache, when set, keeps each built binary under a fingerprint of its
	// sources (every .go file, go.mod and go.sum: path, size, time), so a
	// preview and the up after it link once. Empty builds every time, as
	// the official host does.
	Cache string
}

// CacheEnv names the build cache directory (Host.Cache).
const CacheEnv = "WEDSYNC_LANGHOST_CACHE"

// Handshake accepts the engine's address.
func (h *Host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if a := req.GetEngineAddress(); a != "" {
		h.Engine = a
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetRequiredPlugins reports none: the engine loads the providers the
// program asks for when it asks.
func (h *Host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports none, as GetRequiredPlugins.
func (h *Host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// GetPluginInfo reports the stand-in's version.
func (h *Host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// GetProgramDependencies reports none (the update's metadata lists them).
func (h *Host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// About names the host.
func (h *Host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return &pulumirpc.AboutResponse{Executable: os.Args[0], Version: Version}, nil
}

// RunPlugin builds a plugin written in Go (the policy pack, a `runtime: go`
// PulumiPolicy.yaml) and runs it, streaming its output to the engine until
// it exits or the engine ends the call.
func (h *Host) RunPlugin(req *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	ctx := srv.Context()
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	out := &stream{srv: srv}
	bin, done, err := h.build(ctx, dir, "plugin", out.stderr())
	if err != nil {
		return err
	}
	run := exec.CommandContext(ctx, bin, req.GetArgs()...)
	run.Dir, run.Env, run.Stdout, run.Stderr = req.GetPwd(), append(os.Environ(), req.GetEnv()...), out.stdout(), out.stderr()
	code := int32(0)
	err = run.Start()
	// The engine kills this host when it is done with the plugin, before
	// any defer would run: an uncached binary goes as soon as it runs.
	done()
	if err == nil {
		err = run.Wait()
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = int32(exit.ExitCode())
	}
	return out.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// stream sends a plugin's output to the engine, one message at a time.
type stream struct {
	mu  sync.Mutex
	srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
}

func (s *stream) send(r *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv.Send(r)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func (s *stream) stdout() io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		out := append([]byte(nil), b...)
		return len(b), s.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: out}})
	})
}

func (s *stream) stderr() io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		out := append([]byte(nil), b...)
		return len(b), s.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: out}})
	})
}

// Run builds the program and runs it against the engine. A program that
// fails having logged its error (the Go SDK's exit status 32) bails, as
// with the official host; any other failure is the run's error.
func (h *Host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	bin, done, err := h.build(ctx, dir, "program", h.Stderr)
	if err != nil {
		// A program that does not build is the program's error, which the
		// engine reads from the response, not a failure of the host.
		return &pulumirpc.RunResponse{Error: err.Error()}, nil //nolint:nilerr // reported in the response
	}
	env, err := h.programEnv(req)
	if err != nil {
		done()
		return nil, err
	}
	run := exec.CommandContext(ctx, bin, req.GetArgs()...)
	run.Dir, run.Env, run.Stdout, run.Stderr = req.GetPwd(), append(os.Environ(), env...), h.Stdout, h.Stderr
	err = run.Start()
	done() // as for plugins: the binary is not needed once it runs
	if err == nil {
		err = run.Wait()
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == constant.ExitStatusLoggedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("the program failed: %v", err)}, nil
	}
}

// build runs `go build` in dir and returns the binary and what to call
// when done with it; with a Cache, a binary of the same sources is reused.
func (h *Host) build(ctx context.Context, dir, name string, log io.Writer) (string, func(), error) {
	target, done := "", func() {}
	if h.Cache != "" {
		sum, err := fingerprint(dir)
		if err != nil {
			return "", nil, err
		}
		target = filepath.Join(h.Cache, name+"-"+sum)
		if _, err := os.Stat(target); err == nil {
			return target, done, nil
		}
	} else {
		work, err := os.MkdirTemp("", "pulumi-go-"+name+"-")
		if err != nil {
			return "", nil, err
		}
		target, done = filepath.Join(work, name), func() { _ = os.RemoveAll(work) }
	}
	tmp := target + ".building-" + strconv.Itoa(os.Getpid())
	build := exec.CommandContext(ctx, "go", "build", "-o", tmp, ".")
	build.Dir, build.Stdout, build.Stderr = dir, log, log
	if err := build.Run(); err != nil {
		done()
		return "", nil, fmt.Errorf("go build in %s: %w", dir, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		done()
		return "", nil, err
	}
	return target, done, nil
}

// fingerprint sums the names, sizes and modification times of the Go
// sources and module files under dir.
func fingerprint(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if n := d.Name(); !strings.HasSuffix(n, ".go") && n != "go.mod" && n != "go.sum" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:24], err
}

// programEnv is what the Go SDK reads to connect to the engine and learn
// its stack, config and run settings.
func (h *Host) programEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	return []string{
		pulumi.EnvMonitor + "=" + req.GetMonitorAddress(),
		pulumi.EnvEngine + "=" + h.Engine,
		pulumi.EnvProject + "=" + req.GetProject(),
		pulumi.EnvStack + "=" + req.GetStack(),
		pulumi.EnvOrganization + "=" + req.GetOrganization(),
		pulumi.EnvConfig + "=" + string(config),
		pulumi.EnvConfigSecretKeys + "=" + string(secrets),
		pulumi.EnvDryRun + "=" + strconv.FormatBool(req.GetDryRun()),
		pulumi.EnvParallel + "=" + strconv.Itoa(int(req.GetParallel())),
		pulumi.EnvPulumiRootDirectory + "=" + req.GetInfo().GetRootDirectory(),
	}, nil
}
