package deploy

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/esc/eval"

	"github.com/wedsync/wedsync-infra/internal/project"
)

// opaque stands in for Pulumi Cloud's key when writing ESC ciphertext.
type opaque struct{}

func (opaque) Encrypt(_ context.Context, b []byte) ([]byte, error) {
	return append([]byte("sealed:"), b...), nil
}

// testProject writes a project with one stack file and environments into
// a temp dir.
func testProject(t *testing.T, stackFile string, envs map[string]string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"Pulumi.yaml":            "name: wedsync\nruntime: go\nstackConfigDir: stacks\n",
		"stacks/Pulumi.dev.yaml": stackFile,
	}
	for name, body := range envs {
		files["environments/"+name+".yaml"] = body
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const devEnvironment = `values:
  release:
    application: "2026.11.2"
    images:
      aws: {eu-west-2: ami-07c3e5a7b9d1f3a5e}
    postgresVersion: "16"
  pulumiConfig:
    wedsync:owner: platform
    wedsync:release: ${release}
`

func TestPrepare(t *testing.T) {
	t.Run("encrypted_values_stay_in_the_stack_settings_for_the_cli_to_decrypt", func(t *testing.T) {
		p := testProject(t, `environment:
  - dev
encryptionsalt: v1:abc:def
config:
  wedsync:environment: dev
  wedsync:region: eu-west-2
  wedsync:secretValues:
    stripe:
      secure: v1:AAAAAAAAAAAAAAAA:Y2lwaGVydGV4dC0xLWFuZC1pdHMtdGFn
  wedsync:alerting:
    receivers:
      - {name: pager, webhook: {secure: v1:AQEBAQEBAQEBAQEB:Y2lwaGVydGV4dC0yLWFuZC1pdHMtdGFn}}
`, map[string]string{"dev": devEnvironment})
		s, err := Prepare(context.Background(), p, "dev")
		if err != nil {
			t.Fatal(err)
		}
		settings := string(s.StackFile)
		for _, want := range []string{"encryptionsalt: v1:abc:def", "secure: v1:AAAAAAAAAAAAAAAA:Y2lwaGVydGV4dC0xLWFuZC1pdHMtdGFn", "v1:AQEBAQEBAQEBAQEB:Y2lwaGVydGV4dC0yLWFuZC1pdHMtdGFn"} {
			if !strings.Contains(settings, want) {
				t.Errorf("stack settings lack %q:\n%s", want, settings)
			}
		}
		for _, unwanted := range []string{"environment", "eu-west-2", "wedsync:environment"} {
			if strings.Contains(settings, unwanted) {
				t.Errorf("stack settings hold %q, which goes through the API:\n%s", unwanted, settings)
			}
		}
		for _, k := range []string{"wedsync:secretValues", "wedsync:alerting"} {
			if _, ok := s.Config[k]; ok {
				t.Errorf("%s is set through the API with the offline placeholder instead of its ciphertext", k)
			}
		}
		if s.Config["wedsync:owner"].Value != "platform" || s.Config["wedsync:region"].Value != "eu-west-2" {
			t.Errorf("config %v lacks the environment's or the file's values", s.Config)
		}
		want := []string{"wedsync:alerting", "wedsync:environment", "wedsync:owner", "wedsync:region", "wedsync:release", "wedsync:secretValues"}
		if strings.Join(s.Keys, " ") != strings.Join(want, " ") {
			t.Errorf("program keys %v, want %v", s.Keys, want)
		}
	})

	t.Run("a_stack_without_secrets_starts_from_empty_settings", func(t *testing.T) {
		p := testProject(t, "environment: [dev]\nconfig:\n  wedsync:environment: dev\n", map[string]string{"dev": devEnvironment})
		s, err := Prepare(context.Background(), p, "dev")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.StackFile) != 0 {
			t.Errorf("stack settings:\n%s", s.StackFile)
		}
	})

	t.Run("an_environment_secret_is_refused_with_what_to_do", func(t *testing.T) {
		// The envelope `esc env set --secret` writes: only Pulumi Cloud
		// can decrypt it.
		sealed, err := eval.EncryptSecret(context.Background(), opaque{}, []byte("s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		p := testProject(t, "environment: [dev]\nconfig:\n  wedsync:environment: dev\n", map[string]string{"dev": devEnvironment +
			"    wedsync:secretValues:\n      fn::secret:\n        ciphertext: " + base64.StdEncoding.EncodeToString(sealed) + "\n"})
		_, err = Prepare(context.Background(), p, "dev")
		if err == nil || !strings.Contains(err.Error(), "wedsync:secretValues") || !strings.Contains(err.Error(), "pulumi config set --secret") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("a_stack_without_an_environment_is_refused", func(t *testing.T) {
		p := testProject(t, "config:\n  wedsync:region: eu-west-2\n", nil)
		if _, err := Prepare(context.Background(), p, "dev"); err == nil || !strings.Contains(err.Error(), "wedsync:environment") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestAffected(t *testing.T) {
	p := testProject(t, "environment: [dev]\nconfig:\n  wedsync:environment: dev\n", nil)
	for name, body := range map[string]string{
		"prod":    "environment: [prod]\nconfig:\n  wedsync:environment: prod\n",
		"prod-dr": "environment:\n  - prod\nconfig:\n  wedsync:environment: prod\n",
		"staging": "environment: [staging]\nconfig:\n  wedsync:environment: staging\n",
	} {
		if err := os.WriteFile(p.StackFile(name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	every := "dev prod prod-dr staging"
	cases := []struct {
		name    string
		changed []string
		want    string
	}{
		{"a_stack_file_previews_its_stack", []string{"stacks/Pulumi.staging.yaml"}, "staging"},
		{"an_environment_previews_the_stacks_importing_it", []string{"environments/prod.yaml"}, "prod prod-dr"},
		{"the_shared_base_environment_previews_every_stack", []string{"environments/base.yaml"}, every},
		{"the_program_previews_every_stack", []string{"stacks/program.go"}, every},
		{"a_component_previews_every_stack", []string{"components/database/aws.go"}, every},
		{"the_policy_pack_previews_every_stack", []string{"policies/PulumiPolicy.yaml"}, every},
		{"the_modules_preview_every_stack", []string{"go.sum"}, every},
		{"the_workflows_preview_every_stack", []string{".github/workflows/preview.yml"}, every},
		{"documentation_previews_nothing", []string{"README.md", "docs/runbooks/dr-region-rebuild.md"}, ""},
		{"the_audit_history_previews_nothing", []string{"environments/history.jsonl"}, ""},
		{"the_e2e_module_previews_nothing", []string{"test/engine/e2e_test.go"}, ""},
		{"a_deleted_stack_is_not_previewed", []string{"stacks/Pulumi.qa.yaml"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Affected(p, c.changed)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("Affected(%v) = %v, want %q", c.changed, got, c.want)
			}
		})
	}
}
