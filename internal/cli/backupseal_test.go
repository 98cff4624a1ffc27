package cli

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

// TestBackupSealThenVerify: seal writes the manifest of an export the
// cloud wrote without one (gofakes3), and verify then accepts the copy;
// a second seal finds nothing to do. A copy written just now waits.
func TestBackupSealThenVerify(t *testing.T) {
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "db-exports")
	s.Put(t, "db-exports", "database/export-1/part-0.parquet", backuptest.Object{Data: []byte("parquet bytes of the guests table")})
	by := []string{"--stack", "prod", "--cloud", "aws", "--bucket", "db-exports", "--endpoint", s.URL}

	code, out, errOut := run(t, append([]string{"backup", "seal", "--settle", "0s"}, by...)...)
	if code != ExitOK || !strings.Contains(out, "SEALED database/export-1/manifest.json") {
		t.Fatalf("seal: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, out, errOut = run(t, append([]string{"backup", "verify", "--prefix", "database/"}, by...)...)
	if code != ExitOK || !strings.Contains(out, "1 manifests, 1 objects read") {
		t.Fatalf("verify of the sealed copy: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, out, _ = run(t, append([]string{"backup", "seal", "--settle", "0s"}, by...)...)
	if code != ExitOK || !strings.Contains(out, "0 sealed") || !strings.Contains(out, "1 already sealed") {
		t.Fatalf("second seal: exit %d\n%s", code, out)
	}
	s.Put(t, "db-exports", "database/new.sql.gz", backuptest.Object{Data: []byte("still uploading")})
	code, out, _ = run(t, append([]string{"backup", "seal"}, by...)...)
	if code != ExitOK || !strings.Contains(out, "WAITING database/new.sql.gz.manifest.json") {
		t.Fatalf("a fresh copy must wait for --settle: exit %d\n%s", code, out)
	}
}
