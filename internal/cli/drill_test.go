package cli

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/pgtest"
)

// TestDRDrillCommand runs the command as the weekly workflow does: the tier
// from the stack's outputs (here a saved copy naming a gofakes3 bucket), a
// throwaway PostgreSQL cluster from Debian's package started and removed by
// the command (one per run of this test), the report written and the
// outcome in the audit history. A corrupted copy is exit 1; a bucket that
// is not there is exit 2.
func TestDRDrillCommand(t *testing.T) {
	if _, err := drill.FindBinDir(""); err != nil {
		pgtest.Missing(t, err)
	}
	sql, err := os.ReadFile("testdata/drill-wedsync.sql")
	must(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(sql)
	must(t, zw.Close())
	s := backuptest.StartS3(t)
	s.Env(t)
	for _, b := range []string{"clean", "flipped"} {
		s.Bucket(t, b)
		data := gz.Bytes()
		sum := sha256.Sum256(data)
		m, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "prod", Purpose: "db-exports", CreatedAt: time.Now().UTC(),
			Files: []backup.File{{Path: "database/export.sql.gz", Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}})
		if b == "flipped" {
			data = bytes.Clone(data)
			data[len(data)-12] ^= 1
		}
		s.Put(t, b, "database/export.sql.gz", backuptest.Object{Data: data})
		s.Put(t, b, "database/export.sql.gz.manifest.json", backuptest.Object{Data: m})
	}
	dir := copyProject(t, "dev")
	for _, c := range []struct {
		bucket string
		code   int
		want   string
	}{
		{"clean", ExitOK, "PASSED"},
		{"flipped", ExitViolation, "FINDING database/export.sql.gz: sha256-mismatch"},
		{"gone", ExitInvalid, "could not read its tier"},
	} {
		outputs := writeOutputs(t, []backup.Tier{{Tier: "bucket", Purpose: "db-exports", Cloud: "aws", Region: "eu-west-2", Bucket: c.bucket}})
		report := filepath.Join(t.TempDir(), "drill.json")
		code, out, errOut := run(t, "dr", "drill", "--stack", "dev", "--outputs", outputs, "--endpoint", "aws="+s.URL,
			"--project-dir", dir, "--report", report)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Fatalf("%s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", c.bucket, code, c.code, c.want, out, errOut)
		}
		var rep drill.Report
		data, err := os.ReadFile(report)
		must(t, err)
		must(t, json.Unmarshal(data, &rep))
		if rep.OK != (c.code == ExitOK) || (c.code == ExitOK && len(rep.Checks) != 4) {
			t.Errorf("%s: report %s", c.bucket, data)
		}
	}
	recs, err := audit.History{Path: filepath.Join(dir, "environments", audit.HistoryFile)}.Records()
	must(t, err)
	if len(recs) != 3 || recs[0].Kind != audit.KindDrill || recs[0].Stack != "dev" {
		t.Errorf("audit history: %+v", recs)
	}
}
