package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
	"github.com/wedsync/wedsync-infra/internal/environments"
)

// TestBackupReportNamesTheUnreplayedRestores: a project whose audit
// history holds a drill replayed while it ran and a rebuild let through
// unreplayed. The report, in text, JSON and HTML, names the rebuild and
// exits 1; once the rebuild is replayed (erasure replay --restore) it says
// "all replayed" and exits 0.
func TestBackupReportNamesTheUnreplayedRestores(t *testing.T) {
	const rebuild = "dr rebuild of prod in eu-west-1 at 2027-06-02T08:00:00Z"
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "backups")
	seedBackup(func(k string, o backuptest.Object) { s.Put(t, "backups", k, o) }, "", time.Time{}, false)
	outputs := writeOutputs(t, []backup.Tier{{Tier: "bucket", Purpose: "db-exports", Cloud: "aws", Region: "eu-west-2", Bucket: "backups"}})
	dir := tempProject(t, "prod", "config: {}\n")
	must(t, os.MkdirAll(filepath.Join(dir, environments.DirName), 0o755))
	h := audit.History{Path: filepath.Join(dir, environments.DirName, audit.HistoryFile)}
	t0 := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	for _, r := range []audit.Record{
		{Kind: audit.KindErasureReplay, At: t0.Add(time.Minute), Stack: "prod", Detail: map[string]any{"restore": "dr drill of the copy of yesterday", "ok": true}},
		{Kind: audit.KindDrill, At: t0, Stack: "prod"},
		{Kind: audit.KindUnreplayed, At: t0.Add(24 * time.Hour), Stack: "prod", Who: "oncall", Reason: "ledger region down", Detail: map[string]any{"restore": rebuild}},
	} {
		must(t, h.Append(r))
	}
	report := func(format string) (int, string) {
		code, out, errOut := run(t, "backup", "report", "--stack", "prod", "--project-dir", dir, "--outputs", outputs, "--endpoint", "aws="+s.URL, "--format", format)
		return code, out + errOut
	}
	for _, replayed := range []bool{false, true} {
		if replayed {
			must(t, h.Append(audit.Record{Kind: audit.KindErasureReplay, At: time.Now().UTC(), Stack: "prod", Detail: map[string]any{"restore": rebuild, "ok": true}}))
		}
		wantCode, want := ExitViolation, `1 of 2 NOT replayed: "`+rebuild+`" (let through unreplayed by oncall: ledger region down)`
		if replayed {
			wantCode, want = ExitOK, ": all replayed (2)"
		}
		code, out := report("text")
		if code != wantCode || !strings.Contains(out, "restores since ") || !strings.Contains(out, want) {
			t.Fatalf("replayed=%v text: exit %d, want %d with %q:\n%s", replayed, code, wantCode, want, out)
		}
		code, out = report("json")
		var rep struct{ Restores audit.Restores }
		_ = json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &rep)
		if code != wantCode || len(rep.Restores.Restores) != 2 || rep.Restores.Restores[1].Name != rebuild || rep.Restores.Restores[1].Replayed != replayed {
			t.Fatalf("replayed=%v json: exit %d: %+v\n%s", replayed, code, rep, out)
		}
		code, out = report("html")
		wantHTML := `<td class="bad">NO: let through unreplayed by oncall: ledger region down</td>`
		if replayed {
			wantHTML = `<p class="good">restores since `
		}
		if code != wantCode || !strings.Contains(out, "<h2>Restores and erasure replay</h2>") || !strings.Contains(out, wantHTML) {
			t.Fatalf("replayed=%v html: exit %d, want %q:\n%s", replayed, code, wantHTML, out)
		}
	}
}
