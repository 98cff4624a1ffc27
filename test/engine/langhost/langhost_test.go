package langhost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// The program learns its stack, config and secret keys from the variables
// the Go SDK reads.
func TestTheProgramGetsTheRunsSettings(t *testing.T) {
	h := &Host{Engine: "127.0.0.1:1"}
	env, err := h.programEnv(&pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:2", Project: "wedsync", Stack: "prod", DryRun: true, Parallel: 4,
		Config:           map[string]string{"wedsync:environments": `["prod"]`, "wedsync:token": "s3cret"},
		ConfigSecretKeys: []string{"wedsync:token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	var config map[string]string
	if err := json.Unmarshal([]byte(got["PULUMI_CONFIG"]), &config); err != nil || config["wedsync:environments"] != `["prod"]` {
		t.Errorf("PULUMI_CONFIG = %q (%v)", got["PULUMI_CONFIG"], err)
	}
	for k, want := range map[string]string{
		"PULUMI_MONITOR": "127.0.0.1:2", "PULUMI_ENGINE": "127.0.0.1:1", "PULUMI_PROJECT": "wedsync", "PULUMI_STACK": "prod",
		"PULUMI_DRY_RUN": "true", "PULUMI_PARALLEL": "4", "PULUMI_CONFIG_SECRET_KEYS": `["wedsync:token"]`,
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// A cached build is reused only while the sources are unchanged.
func TestTheFingerprintFollowsTheSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, at time.Time) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	then := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	write("main.go", "package main\n", then)
	write("Pulumi.prod.yaml", "config: {}\n", then)
	first, err := fingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	write("Pulumi.prod.yaml", "encryptionsalt: x\n", then.Add(time.Hour))
	if again, _ := fingerprint(dir); again != first {
		t.Error("a stack file changed the fingerprint; only Go sources and module files count")
	}
	write("main.go", "package main // changed\n", then.Add(time.Hour))
	if changed, _ := fingerprint(dir); changed == first {
		t.Error("a changed Go source kept the fingerprint: a stale program would run")
	}
}
