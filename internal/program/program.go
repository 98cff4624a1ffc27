// Package program is the Pulumi program `pulumi preview` and `pulumi up`
// run (main.go): stacks.Program, with the stack's environments resolved.
//
// A stack imports ESC environments (environments/<name>.yaml). The Pulumi
// CLI resolves a stack file's `environment:` only on Pulumi Cloud and
// refuses it on any other backend, so the shipped stack files name their
// imports in the config key wedsync:environments (project.EnvironmentsKey),
// and the program evaluates them here, locally, with the same evaluator the
// offline plan, promotion and `wedsync-infra up` use. The stack then gets
// the same config on a file://, s3://, gs:// or azblob:// backend as on
// Pulumi Cloud. Where the engine already supplied an environment's value
// (a team that pushes environments/ to ESC and lists it under
// `environment:`), the two must agree: the program refuses to deploy a
// value that differs from environments/ in git.
package program

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/stacks"
)

// Run is the program main.go hands to pulumi.Run. The language host runs it
// in the project directory with the stack's config in PULUMI_CONFIG.
func Run(ctx *pulumi.Context) error {
	now, err := stacks.Now()
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	p, err := project.Find(wd)
	if err != nil {
		return err
	}
	engine, err := EngineConfig()
	if err != nil {
		return err
	}
	return For(p, engine, now)(ctx)
}

// EngineConfig is the config the engine passed the program
// (PULUMI_CONFIG: namespaced keys, objects as JSON).
func EngineConfig() (map[string]string, error) {
	raw := os.Getenv(pulumi.EnvConfig)
	out := map[string]string{}
	if raw == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of strings: %w", pulumi.EnvConfig, err)
	}
	return out, nil
}

// For is the program of project p given the config the engine passed,
// planning for now: the stack's environments resolved (Resolve), then
// the one validator every command uses (stackconfig.Loader) and stacks.Deploy.
func For(p *project.Project, engine map[string]string, now time.Time) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		file, err := p.ReadStack(ctx.Stack())
		if err != nil {
			return err
		}
		raw, err := Resolve(ctx.Context(), environments.StoreOf(p), p.Name, ctx.Stack(), file, engine)
		if err != nil {
			return err
		}
		cfg, err := stackconfig.LoaderOf(file.SecretsProvider)(ctx.Project(), ctx.Stack(), raw)
		if err != nil {
			return err
		}
		return stacks.Deploy(ctx, cfg, now)
	}
}

// Resolve returns the config the program loads: what the engine passed,
// plus each value of the environments the stack file imports that the
// engine did not pass. A value the stack file sets itself wins, as in
// Pulumi's merge. A value the engine passed that the stack file does not
// set came from Pulumi Cloud's copy of an environment: it must equal what
// environments/ evaluates to. A secret in an environment cannot be
// decrypted locally: the engine must supply it. Every problem is returned.
func Resolve(ctx context.Context, s environments.Store, projectName, stack string,
	file *project.StackConfig, engine map[string]string,
) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range engine {
		if k != projectName+":"+project.EnvironmentsKey {
			out[k] = v
		}
	}
	if len(file.Environment) == 0 {
		return out, nil
	}
	// The stack file's own values go in too: the merge checks them against
	// the imports (a stack imports its own environment); they win anyway.
	imported, err := environments.Merge(ctx, s, projectName, stack,
		&project.StackConfig{Values: maps.Clone(file.Values), SecretKeys: file.SecretKeys, Environment: file.Environment})
	if err != nil {
		return nil, err
	}
	secret := map[string]bool{}
	for _, k := range imported.SecretKeys {
		secret[k] = true
	}
	from := strings.Join(file.Environment, ", ")
	var problems []error
	for _, k := range sortedKeys(imported.Values) {
		if _, set := file.Values[k]; set {
			continue
		}
		got, passed := engine[k]
		switch {
		case passed && !secret[k] && !sameValue(got, imported.Values[k]):
			problems = append(problems, fmt.Errorf("%s is %s from the engine (Pulumi Cloud's environment) but %s in environments/ (%s): "+
				"push environments/ to ESC, or set the value in the stack file", k, got, imported.Values[k], from))
		case !passed && secret[k]:
			problems = append(problems, fmt.Errorf("%s is a secret of environment %s that only Pulumi Cloud can decrypt: "+
				"set it with `pulumi config set --secret %s` instead", k, from, k))
		case !passed:
			out[k] = imported.Values[k]
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("stack %s: its config and its environments disagree: %w", stack, &multierror.Error{Errors: problems})
	}
	return out, nil
}

// sameValue compares two raw config values as Pulumi passes them: objects
// and lists as JSON (key order and spacing do not matter), others as text.
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
