package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/audit"
)

// copyProject copies the project file, the environments (not the history)
// and the named stack files into a temp dir, so a test can append to its
// audit history.
func copyProject(t *testing.T, stackNames ...string) string {
	t.Helper()
	dir := t.TempDir()
	files := []string{"Pulumi.yaml"}
	envs, _ := filepath.Glob("../../environments/*.yaml")
	for _, e := range envs {
		files = append(files, strings.TrimPrefix(e, "../../"))
	}
	for _, s := range stackNames {
		files = append(files, "stacks/Pulumi."+s+".yaml")
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("../..", f))
		must(t, err)
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	return dir
}

func TestBackupNowStartsTheJobAndRecordsWhoAndWhy(t *testing.T) {
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		t.Setenv(k, v)
	}
	var body string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		body = r.Method + " " + r.URL.Path + " " + string(data)
		_, _ = io.WriteString(w, `{"BackupJobId":"job-7"}`)
	}))
	t.Cleanup(api.Close)
	dir := copyProject(t, "dev")
	outputs := filepath.Join(dir, "outputs.json")
	must(t, os.WriteFile(outputs, []byte(`{"cloud":"aws","region":"eu-west-2","database":{"name":"wedsync"},
		"databaseBackup":{"target":"arn:aws:rds:eu-west-2:1:db:wedsync-dev-main","vault":"wedsync-dev-db-euw2","jobIdentity":"arn:aws:iam::1:role/b"},
		"backupTiers":[{"tier":"bucket","purpose":"db-exports","cloud":"aws","retentionDays":35}]}`), 0o644))
	code, out, errOut := run(t, "backup", "now", "--stack", "dev", "--reason", "migration at 3pm", "--outputs", outputs,
		"--endpoint", "aws="+api.URL, "--project-dir", dir, "--now", "2026-12-06T14:00:00Z")
	if code != ExitOK || !strings.Contains(out, "started aws backup job-7 of arn:aws:rds:eu-west-2:1:db:wedsync-dev-main") ||
		!strings.Contains(out, "aws backup describe-backup-job --region eu-west-2 --backup-job-id job-7") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.HasPrefix(body, "PUT /backup-jobs ") || !strings.Contains(body, `"DeleteAfterDays":35`) {
		t.Errorf("request: %s", body)
	}
	h := audit.History{Path: filepath.Join(dir, "environments", audit.HistoryFile)}
	recs, err := h.Records()
	must(t, err)
	last := recs[len(recs)-1]
	if last.Kind != audit.KindEmergencyBackup || last.Stack != "dev" || last.Reason != "migration at 3pm" || last.Who == "" {
		t.Errorf("audit record %+v", last)
	}
}

func TestBackupNowRefusesARecoveryAndNeedsAReason(t *testing.T) {
	dir := copyProject(t, "prod", "prod-dr")
	code, _, errOut := run(t, "backup", "now", "--stack", "prod-dr", "--reason", "x", "--project-dir", dir)
	if code != ExitInvalid || !strings.Contains(errOut, "prod-dr is in recovery mode") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, _, errOut = run(t, "backup", "now", "--stack", "prod", "--project-dir", dir)
	if code != ExitInvalid || !strings.Contains(errOut, "--reason is required") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "environments", audit.HistoryFile)); err == nil {
		data, _ := os.ReadFile(filepath.Join(dir, "environments", audit.HistoryFile))
		if strings.Contains(string(data), audit.KindEmergencyBackup) {
			t.Errorf("a refused backup was recorded as started:\n%s", data)
		}
	}
}
