package program

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/esc/eval"
	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func repo(t *testing.T) *project.Project {
	t.Helper()
	p, err := project.Find(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cliConfig is what the Pulumi CLI passes the program on a self-managed
// backend: the stack file's own config, nothing from its environments (the
// CLI resolves `environment:` only on Pulumi Cloud), the import list as
// the JSON of its YAML list.
func cliConfig(t *testing.T, p *project.Project, stack string) (map[string]string, *project.StackConfig) {
	t.Helper()
	sc, err := p.ReadStack(stack)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range sc.Values {
		out[k] = v
	}
	imports, _ := json.Marshal(sc.Environment)
	out[p.Name+":"+project.EnvironmentsKey] = string(imports)
	return out, sc
}

// Under `pulumi up` on a file:// (or s3, gs, azblob) backend, every shipped
// stack plans exactly what the offline plan (and so `wedsync-infra up`)
// plans: the program fills in its environments itself.
func TestEveryStackPlansTheSameUnderPlainPulumiAsOffline(t *testing.T) {
	p := repo(t)
	names, err := p.Stacks()
	if err != nil || len(names) < 8 {
		t.Fatalf("stacks: %v %v", names, err)
	}
	for _, stack := range names {
		t.Run(stack, func(t *testing.T) {
			engine, sc := cliConfig(t, p, stack)
			if len(sc.Environment) == 0 {
				t.Fatalf("stack %s imports no environment", stack)
			}
			want, err := offline.Plan(p, stack, now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := plan.Run(plan.Options{Project: p.Name, Stack: stack, Config: engine, SecretKeys: sc.SecretKeys}, For(p, engine, now))
			if err != nil {
				t.Fatalf("the program under the CLI's config: %v", err)
			}
			if !reflect.DeepEqual(got.Resources, want.Plan.Resources) {
				t.Errorf("%d resources under plain pulumi, %d in the offline plan, or their inputs differ", len(got.Resources), len(want.Plan.Resources))
			}
		})
	}
}

// No shipped stack file uses Pulumi's `environment:`: the CLI refuses it on
// every backend but Pulumi Cloud ("backend ... does not support
// environments") before the program runs.
func TestNoShippedStackFileNeedsPulumiCloud(t *testing.T) {
	p := repo(t)
	names, err := p.Stacks()
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range names {
		data, err := os.ReadFile(p.StackFile(stack))
		if err != nil {
			t.Fatal(err)
		}
		if topLevelEnvironment(t, data) {
			t.Errorf("%s imports its environments with `environment:`; use %s:%s", p.StackFile(stack), p.Name, project.EnvironmentsKey)
		}
	}
	if !topLevelEnvironment(t, []byte("environment: [prod]\nconfig: {}\n")) {
		t.Error("the check misses a top-level environment:")
	}
}

func topLevelEnvironment(t *testing.T, data []byte) bool {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	_, ok := doc["environment"]
	return ok
}

// The broken variant: the program main.go ran before (stacks.Program,
// which reads only what the engine passes) refuses prod under the same
// config, since the cost centre, release and owner come from
// environments/prod.yaml.
func TestWithoutResolvingEnvironmentsProdDoesNotLoad(t *testing.T) {
	p := repo(t)
	engine, sc := cliConfig(t, p, "prod")
	delete(engine, p.Name+":"+project.EnvironmentsKey) // a key the old program did not know
	keys := make([]string, 0, len(engine))
	for k := range engine {
		keys = append(keys, k)
	}
	_, err := plan.Run(plan.Options{Project: p.Name, Stack: "prod", Config: engine, SecretKeys: sc.SecretKeys}, stacks.ProgramWithConfigKeys(keys, now))
	if err == nil || !strings.Contains(err.Error(), "costCentre") {
		t.Fatalf("want prod refused for its missing cost centre, got %v", err)
	}
}

func store(t *testing.T, files map[string]string) environments.Store {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return environments.Store{Dir: dir}
}

const prodEnv = `values:
  pulumiConfig:
    wedsync:owner: platform
    wedsync:tags: {team: weddings}
`

// opaque stands in for Pulumi Cloud's key when writing ciphertext.
type opaque struct{}

func (opaque) Encrypt(_ context.Context, b []byte) ([]byte, error) {
	return append([]byte("sealed:"), b...), nil
}

func TestResolve(t *testing.T) {
	// The envelope `esc env set --secret` writes: only Pulumi Cloud's key
	// opens it.
	envelope, err := eval.EncryptSecret(context.Background(), opaque{}, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	s := store(t, map[string]string{"prod": prodEnv,
		"sealed": "values:\n  pulumiConfig:\n    wedsync:token:\n      fn::secret: {ciphertext: " + base64.StdEncoding.EncodeToString(envelope) + "}\n"})
	// A stack imports its own environment (wedsync:environment names it).
	file := &project.StackConfig{Values: map[string]string{"wedsync:environment": "prod", "wedsync:region": "eu-west-2"}, Environment: []string{"prod"}}
	resolve := func(file *project.StackConfig, engine map[string]string) (map[string]string, error) {
		return Resolve(context.Background(), s, "wedsync", "prod", file, engine)
	}

	t.Run("a_self_managed_backend_gets_the_environment_values", func(t *testing.T) {
		got, err := resolve(file, map[string]string{"wedsync:environment": "prod", "wedsync:region": "eu-west-2", "wedsync:environments": `["prod"]`})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"wedsync:environment": "prod", "wedsync:region": "eu-west-2", "wedsync:owner": "platform", "wedsync:tags": `{"team":"weddings"}`}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("pulumi_cloud_values_that_agree_are_accepted", func(t *testing.T) {
		engine := map[string]string{"wedsync:region": "eu-west-2", "wedsync:owner": "platform", "wedsync:tags": `{ "team": "weddings" }`}
		if _, err := resolve(file, engine); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("pulumi_cloud_values_that_disagree_are_refused", func(t *testing.T) {
		engine := map[string]string{"wedsync:region": "eu-west-2", "wedsync:owner": "someone-else", "wedsync:tags": `{"team":"other"}`}
		_, err := resolve(file, engine)
		if err == nil {
			t.Fatal("a value from ESC that differs from environments/ must be refused")
		}
		for _, want := range []string{"wedsync:owner is someone-else from the engine", "but platform in environments/", "wedsync:tags"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
	t.Run("the_stack_file_wins_over_its_environment", func(t *testing.T) {
		own := &project.StackConfig{Values: map[string]string{"wedsync:environment": "prod", "wedsync:owner": "dr-team"}, Environment: []string{"prod"}}
		got, err := resolve(own, map[string]string{"wedsync:owner": "dr-team"})
		if err != nil || got["wedsync:owner"] != "dr-team" {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("a_sealed_secret_must_come_from_the_engine", func(t *testing.T) {
		sealed := &project.StackConfig{Values: map[string]string{}, Environment: []string{"sealed"}}
		if _, err := resolve(sealed, map[string]string{}); err == nil || !strings.Contains(err.Error(), "pulumi config set --secret wedsync:token") {
			t.Fatalf("want the secret refused with its fix, got %v", err)
		}
		got, err := resolve(sealed, map[string]string{"wedsync:token": "from-esc"})
		if err != nil || got["wedsync:token"] != "from-esc" {
			t.Fatalf("the engine's secret must be used: %v %v", got, err)
		}
	})
	t.Run("a_missing_environment_is_an_error", func(t *testing.T) {
		missing := &project.StackConfig{Values: map[string]string{}, Environment: []string{"nope"}}
		if _, err := resolve(missing, map[string]string{}); err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestTheImportListIsReadFromTheConfigKey(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"config:\n  wedsync:environments: [prod]\n", "[prod]"},
		{"config:\n  wedsync:environments: prod\n", "[prod]"},
		{"environment: [base]\nconfig:\n  wedsync:environments: [prod, base]\n", "[base prod]"},
	} {
		sc, err := project.ParseStack([]byte(c.file), "wedsync")
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(sc.Environment); got != c.want {
			t.Errorf("%q: imports %v, want %s", c.file, sc.Environment, c.want)
		}
		if _, ok := sc.Values["wedsync:environments"]; ok {
			t.Errorf("%q: the import list is not a setting of the program", c.file)
		}
	}
	if _, err := project.ParseStack([]byte("config:\n  wedsync:environments: {a: b}\n"), "wedsync"); err == nil {
		t.Error("an import list that is not names must be refused")
	}
}
