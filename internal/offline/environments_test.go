package offline

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/project"
)

func TestPlansSeeTheirEnvironmentsConfig(t *testing.T) {
	cases := map[string]struct{ costCentre, tag string }{
		"dev":        {"eng-platform", ""},
		"staging":    {"eng-platform", ""},
		"prod":       {"wedsync-prod", "guest-pii"},
		"prod-azure": {"wedsync-prod", "guest-pii"},
	}
	for stack, want := range cases {
		t.Run(stack, func(t *testing.T) {
			cfg := planOf(t, stack).Config
			if cfg.Owner != "platform" || cfg.Timezone != "Europe/London" {
				t.Errorf("owner %q, timezone %q: want base's", cfg.Owner, cfg.Timezone)
			}
			if cfg.CostCentre != want.costCentre || cfg.Tags["data-classification"] != want.tag {
				t.Errorf("cost centre %q, tags %v: want the environment's", cfg.CostCentre, cfg.Tags)
			}
		})
	}
	if got := planOf(t, "prod").Config.Season.Freeze.Dates; len(got) == 0 || got[0].Name != "Christmas" {
		t.Errorf("prod's calendar lacks the environment's dated freezes: %+v", got)
	}
}

func TestAStackFileValueWinsOverItsEnvironment(t *testing.T) {
	const rel = `{application: "2026.11.4", images: {aws: {eu-west-2: ami-0d1f3c5e7a9b2c4d6, eu-west-1: ami-0e2a4c6e8b0d2f4a7}}, postgresVersion: "16"}`
	// Every stack names who receives its alarms and its budget.
	const monitored = "  wedsync:alerting: {receivers: [{name: dev, email: dev@wedsync.co.uk}]}\n  wedsync:budget: {amount: 100}\n"
	dir := t.TempDir()
	for path, text := range map[string]string{
		"Pulumi.yaml":             "name: wedsync\nruntime: go\nstackConfigDir: stacks\n",
		"environments/dev.yaml":   "values:\n  release: " + rel + "\n  pulumiConfig:\n    wedsync:owner: platform\n    wedsync:region: eu-west-1\n    wedsync:release: ${release}\n",
		"stacks/Pulumi.dev.yaml":  "environment: [dev]\nconfig:\n  wedsync:environment: dev\n  wedsync:cloud: aws\n  wedsync:owner: payments\n" + monitored,
		"stacks/Pulumi.solo.yaml": "config:\n  wedsync:environment: dev\n  wedsync:cloud: aws\n  wedsync:region: eu-west-2\n  wedsync:release: " + rel + "\n" + monitored,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Plan(p, "dev", wednesday)
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Owner != "payments" || res.Config.Region != "eu-west-1" {
		t.Errorf("owner %q (want the stack file's), region %q (want the environment's)", res.Config.Owner, res.Config.Region)
	}
	// A stack that imports no environment plans from its file alone.
	if res, err := Plan(p, "solo", wednesday); err != nil || res.Config.Region != "eu-west-2" {
		t.Errorf("solo: %v", err)
	}
	// A broken environment is a config error, not a crash.
	if err := os.WriteFile(filepath.Join(dir, "environments", "dev.yaml"), []byte("values:\n  a: ${missing}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var cfgErr *ConfigError
	if _, err := Plan(p, "dev", wednesday); err == nil || !errors.As(err, &cfgErr) {
		t.Errorf("err = %v, want a ConfigError", err)
	}
}
