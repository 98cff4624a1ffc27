package environments

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/esc/eval"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/release"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func repo(t *testing.T) *project.Project {
	t.Helper()
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func evaluate(t *testing.T, s Store, name string) *Environment {
	t.Helper()
	env, err := s.Evaluate(context.Background(), "wedsync", name)
	if err != nil {
		t.Fatalf("evaluate %s: %v", name, err)
	}
	return env
}

// dir writes files into a temp environments directory.
func dir(t *testing.T, files map[string]string) Store {
	t.Helper()
	d := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(d, name+".yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Store{Dir: d}
}

func TestEveryShippedEnvironmentEvaluates(t *testing.T) {
	s := StoreOf(repo(t))
	names, err := s.Names()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"base", "dev", "prod", "staging"}; !slices.Equal(names, want) {
		t.Fatalf("environments = %v, want %v", names, want)
	}
	costCentre := map[string]string{"dev": "eng-platform", "staging": "eng-platform", "prod": "wedsync-prod"}
	for _, name := range []string{"dev", "staging", "prod"} {
		t.Run(name, func(t *testing.T) {
			env := evaluate(t, s, name)
			// Imported from base, through interpolation of base's own values.
			if got := env.PulumiConfig["wedsync:owner"]; got != "platform" {
				t.Errorf("wedsync:owner = %q, want platform (from base)", got)
			}
			if got := env.PulumiConfig["wedsync:timezone"]; got != "Europe/London" {
				t.Errorf("wedsync:timezone = %q, want Europe/London (from base)", got)
			}
			if got := env.EnvironmentVariables["TZ"]; got != "Europe/London" {
				t.Errorf("TZ = %q, want the interpolated ${timezone}", got)
			}
			// The environment's own values.
			if got := env.PulumiConfig["wedsync:costCentre"]; got != costCentre[name] {
				t.Errorf("wedsync:costCentre = %q, want %q", got, costCentre[name])
			}
			if got := env.EnvironmentVariables["WEDSYNC_ENVIRONMENT"]; got != name {
				t.Errorf("WEDSYNC_ENVIRONMENT = %q, want %q", got, name)
			}
			// The release block: valid, interpolated into the CI variables
			// and into the stack config the program reads.
			rel, err := release.Decode(release.Canonical(env.Release))
			if err != nil {
				t.Fatalf("release: %v", err)
			}
			if got := env.EnvironmentVariables["WEDSYNC_RELEASE"]; got != rel.Application {
				t.Errorf("WEDSYNC_RELEASE = %q, want %q", got, rel.Application)
			}
			fromConfig, err := release.Decode(env.PulumiConfig[release.Key])
			if err != nil {
				t.Fatalf("%s: %v", release.Key, err)
			}
			if !reflect.DeepEqual(fromConfig, rel) {
				t.Errorf("%s = %+v, want the release block %+v", release.Key, fromConfig, rel)
			}
			if len(env.SecretKeys) != 0 {
				t.Errorf("secret keys %v: environment files hold no secrets", env.SecretKeys)
			}
		})
	}
}

func TestProdCarriesTheDatedFreezesAndTheDataTag(t *testing.T) {
	env := evaluate(t, StoreOf(repo(t)), "prod")
	var season struct {
		Freeze struct {
			Dates []struct{ Name string } `json:"dates"`
		} `json:"freeze"`
	}
	if err := json.Unmarshal([]byte(env.PulumiConfig["wedsync:season"]), &season); err != nil {
		t.Fatal(err)
	}
	if len(season.Freeze.Dates) == 0 || season.Freeze.Dates[0].Name != "Christmas" {
		t.Errorf("prod season freeze dates = %+v, want Christmas first", season.Freeze.Dates)
	}
	if got := env.PulumiConfig["wedsync:tags"]; got != `{"data-classification":"guest-pii"}` {
		t.Errorf("wedsync:tags = %s", got)
	}
}

func TestEveryStackImportsItsOwnEnvironment(t *testing.T) {
	p := repo(t)
	if problems := Check(context.Background(), p); len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	stacks, err := p.Stacks()
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range stacks {
		sc, err := p.ReadStack(stack)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Environment) != 1 {
			t.Errorf("stack %s imports %v, want exactly its environment", stack, sc.Environment)
		}
	}
	prod, err := StacksOf(context.Background(), p, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"prod", "prod-azure", "prod-azure-dr", "prod-dr", "prod-gcp", "prod-gcp-dr"}; !slices.Equal(prod, want) {
		t.Errorf("prod stacks = %v, want %v", prod, want)
	}
}

func TestCheckReportsAStackImportingAnotherStagesEnvironment(t *testing.T) {
	d := t.TempDir()
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(d, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, path), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Pulumi.yaml", "name: wedsync\nruntime: go\nstackConfigDir: stacks\n")
	write("stacks/Pulumi.prod.yaml", "environment: [staging]\nconfig:\n  wedsync:environment: prod\n")
	write("environments/staging.yaml", "values:\n  pulumiConfig:\n    wedsync:owner: platform\n")
	p, err := project.Load(d)
	if err != nil {
		t.Fatal(err)
	}
	problems := Check(context.Background(), p)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "imports environment staging but its wedsync:environment is \"prod\"") {
		t.Errorf("problems = %v", problems)
	}
}

func TestStackValuesWinOverTheEnvironment(t *testing.T) {
	s := dir(t, map[string]string{
		"base": "values:\n  pulumiConfig:\n    wedsync:owner: platform\n    wedsync:region: eu-west-2\n",
		"prod": "imports: [base]\nvalues:\n  pulumiConfig:\n    wedsync:region: eu-west-1\n    costCentre: wedsync-prod\n",
	})
	sc, err := project.ParseStack([]byte("environment: [prod]\nconfig:\n  wedsync:environment: prod\n  wedsync:owner: payments\n  wedsync:dbPassword:\n    secure: AAABAxyz\n"), "wedsync")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Merge(context.Background(), s, "wedsync", "prod", sc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"wedsync:owner":      "payments",     // the stack file wins
		"wedsync:region":     "eu-west-1",    // the importing environment wins over base
		"wedsync:costCentre": "wedsync-prod", // unnamespaced keys are the project's
		"wedsync:dbPassword": core.SecretMarker,
	}
	for k, v := range want {
		if got.Values[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Values[k], v)
		}
	}
	if !slices.Equal(got.SecretKeys, []string{"wedsync:dbPassword"}) {
		t.Errorf("secret keys = %v", got.SecretKeys)
	}
	if sc.Values["wedsync:region"] != "" {
		t.Error("Merge modified the stack config it was given")
	}
}

func TestAStackWithoutEnvironmentIsItsFileAlone(t *testing.T) {
	sc := &project.StackConfig{Values: map[string]string{"wedsync:owner": "platform"}}
	got, err := Merge(context.Background(), Store{Dir: t.TempDir()}, "wedsync", "dev", sc)
	if err != nil || got != sc {
		t.Errorf("Merge = %v, %v; want the stack config unchanged", got, err)
	}
}

func TestPlaintextSecretsAreRefused(t *testing.T) {
	s := dir(t, map[string]string{
		"leaky": "values:\n  pulumiConfig:\n    wedsync:dbPassword:\n      fn::secret: hunter2\n",
	})
	_, err := s.Evaluate(context.Background(), "wedsync", "leaky")
	if err == nil || !strings.Contains(err.Error(), "values.pulumiConfig.wedsync:dbPassword.fn::secret is a plaintext secret") {
		t.Fatalf("err = %v, want a plaintext secret refusal", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Error("the refusal repeats the secret")
	}
}

func TestShippedEnvironmentsHaveNoPlaintextSecrets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(Dir(repo(t)), "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no environment files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckNoPlaintextSecrets(f, data); err != nil {
			t.Error(err)
		}
	}
}

// opaque stands in for Pulumi Cloud's key when writing ciphertext.
type opaque struct{}

func (opaque) Encrypt(_ context.Context, b []byte) ([]byte, error) {
	return append([]byte("sealed:"), b...), nil
}

func TestCiphertextSecretsStaySecret(t *testing.T) {
	// The envelope `esc env set --secret` writes; it cannot be decrypted
	// without Pulumi Cloud.
	env, err := eval.EncryptSecret(context.Background(), opaque{}, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	s := dir(t, map[string]string{
		"sealed": "values:\n  pulumiConfig:\n    wedsync:apiKey:\n      fn::secret:\n        ciphertext: " +
			base64.StdEncoding.EncodeToString(env) + "\n    wedsync:extra:\n      plain: one\n",
	})
	got, err := s.Evaluate(context.Background(), "wedsync", "sealed")
	if err != nil {
		t.Fatal(err)
	}
	if got := got.PulumiConfig["wedsync:apiKey"]; got != core.SecretMarker {
		t.Errorf("wedsync:apiKey = %q, want the placeholder", got)
	}
	if !slices.Equal(got.SecretKeys, []string{"wedsync:apiKey"}) {
		t.Errorf("secret keys = %v", got.SecretKeys)
	}
	if got := got.PulumiConfig["wedsync:extra"]; got != `{"plain":"one"}` {
		t.Errorf("objects become JSON: %q", got)
	}
}

func TestEvaluationErrorsNameTheFile(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"missing_import":      {map[string]string{"dev": "imports: [nowhere]\nvalues:\n  a: 1\n"}, `no such environment "nowhere"`},
		"import_outside_dir":  {map[string]string{"dev": "imports: [../../etc/passwd]\nvalues:\n  a: 1\n"}, "use letters, digits"},
		"unknown_reference":   {map[string]string{"dev": "values:\n  a: ${nothing}\n"}, "nothing"},
		"providers_are_cloud": {map[string]string{"dev": "values:\n  aws:\n    fn::open::aws-login:\n      oidc: {roleArn: x}\n"}, "needs Pulumi Cloud"},
		"cyclic_import":       {map[string]string{"dev": "imports: [staging]\nvalues:\n  a: 1\n", "staging": "imports: [dev]\nvalues:\n  b: 1\n"}, "cyclic import"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := dir(t, c.files)
			_, err := s.Evaluate(context.Background(), "wedsync", "dev")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
