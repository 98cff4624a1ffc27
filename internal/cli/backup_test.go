package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

// putter writes one object into one bucket of an emulator.
type putter func(key string, o backuptest.Object)

// seedBackup writes one part and its manifest, encrypted with key and
// locked until lockUntil where the emulator takes them; the part's stored
// bytes changed when flip is set.
func seedBackup(put putter, key string, lockUntil time.Time, flip bool) {
	data := []byte("pg_dump custom format, compressed")
	sum := sha256.Sum256(data)
	m, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "prod", Purpose: "db-exports", CreatedAt: time.Now().Add(-time.Hour),
		Files: []backup.File{{Path: "db/dump", Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}})
	if flip {
		data = bytes.Clone(data)
		data[3] ^= 1
	}
	put("db/dump", backuptest.Object{Data: data, KeyID: key, LockUntil: lockUntil})
	put("db/dump.manifest.json", backuptest.Object{Data: m, KeyID: key, LockUntil: lockUntil})
}

// s3Backups starts gofakes3 and seeds bucket "backups".
func s3Backups(t *testing.T, flip bool) string {
	s := backuptest.StartS3(t)
	s.Env(t)
	s.Bucket(t, "backups")
	seedBackup(func(k string, o backuptest.Object) { s.Put(t, "backups", k, o) }, "", time.Time{}, flip)
	return s.URL
}

func TestBackupVerifyExitCodes(t *testing.T) {
	cases := []struct {
		name   string
		flip   bool
		args   []string
		code   int
		output string // in stdout or stderr
	}{
		{"clean set", false, nil, ExitOK, "1 manifests, 1 objects read"},
		{"flipped byte", true, nil, ExitViolation, "FINDING db/dump: sha256-mismatch"},
		{"wrong bucket", false, []string{"--bucket", "nope"}, ExitInvalid, "check the endpoint and region"},
		{"no stack", false, []string{"--stack", ""}, ExitInvalid, "--stack is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := s3Backups(t, c.flip)
			args := append([]string{"backup", "verify", "--stack", "prod", "--cloud", "aws", "--bucket", "backups", "--endpoint", url}, c.args...)
			code, out, errOut := run(t, args...)
			if code != c.code || !strings.Contains(out+errOut, c.output) {
				t.Fatalf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, c.code, c.output, out, errOut)
			}
		})
	}
}

// TestBackupVerifyTiersOnThreeClouds reads the tiers from a stack's outputs
// and verifies each on its cloud's SDK: the bucket on S3 (gofakes3), the
// replica on Azure Blob (Azurite), the offsite copy on GCS
// (fake-gcs-server). A flipped byte in one tier is a finding naming that
// tier; a tier whose bucket is not there is exit 2.
func TestBackupVerifyTiersOnThreeClouds(t *testing.T) {
	cases := []struct {
		name     string
		flip     string // the tier whose part is changed
		bucket   string // the S3 bucket the outputs name
		code     int
		contains string
	}{
		{"every tier clean", "", "backups", ExitOK, "bucket db-exports (aws eu-west-2) s3://backups: 1 manifests, 1 objects read"},
		{"offsite copy flipped", "offsite", "backups", ExitViolation, "FINDING db/dump: sha256-mismatch"},
		{"bucket tier not there", "", "gone", ExitInvalid, "bucket db-exports (aws eu-west-2): CANNOT READ"},
	}
	az := backuptest.StartAzurite(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s3e, gcs := backuptest.StartS3(t), backuptest.StartGCS(t)
			s3e.Env(t)
			gcs.Env(t)
			az.Env(t)
			container := "backups" + string(rune('a'+i))
			s3e.Bucket(t, "backups")
			gcs.Bucket(t, "offsite")
			az.Bucket(t, container)
			seedBackup(func(k string, o backuptest.Object) { s3e.Put(t, "backups", k, o) }, "", time.Time{}, c.flip == "bucket")
			seedBackup(func(k string, o backuptest.Object) { gcs.Put(t, "offsite", k, o) }, "", time.Time{}, c.flip == "offsite")
			seedBackup(func(k string, o backuptest.Object) { az.Put(t, container, k, o) }, "", time.Time{}, c.flip == "replica")
			outputs := writeOutputs(t, []backup.Tier{
				{Tier: "bucket", Purpose: "db-exports", Cloud: "aws", Region: "eu-west-2", Bucket: c.bucket},
				{Tier: "replica", Purpose: "db-exports", Cloud: "azure", Region: "ukwest", Bucket: container, URL: az.URL + "/" + container},
				{Tier: "offsite", Purpose: "db-exports", Cloud: "gcp", Region: "europe-west2", Bucket: "offsite"},
			})
			code, out, errOut := run(t, "backup", "verify", "--stack", "prod", "--outputs", outputs, "--endpoint", "aws="+s3e.URL)
			if code != c.code || !strings.Contains(out, c.contains) {
				t.Fatalf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, c.code, c.contains, out, errOut)
			}
			if c.flip != "" && strings.Count(out, "FINDING") != 1 {
				t.Errorf("want the one finding of the %s tier:\n%s", c.flip, out)
			}
		})
	}
}

func writeOutputs(t *testing.T, tiers []backup.Tier) string {
	return outputsFile(t, map[string]any{"backupTiers": tiers})
}

// TestBackupVerifyFromThePlan takes prod's bucket tiers from the offline
// plan (no credentials): their bucket names, retention and lock mode. The
// copies are locked for the retention, so the lock check passes; one
// locked a day short is a finding. AWS key ARNs are stand-ins in a plan:
// the key check is skipped and the output says so.
func TestBackupVerifyFromThePlan(t *testing.T) {
	for _, short := range []bool{false, true} {
		s := backuptest.StartS3(t)
		s.Env(t)
		until := time.Now().Add(366 * 24 * time.Hour)
		for _, purpose := range []string{"db-exports", "media", "config"} {
			bucket := "wedsync-prod-backup-" + purpose + "-euw2"
			s.Bucket(t, bucket)
			lock := until
			if short && purpose == "media" {
				lock = time.Now().Add(300 * 24 * time.Hour)
			}
			seedBackup(func(k string, o backuptest.Object) { s.Put(t, bucket, k, o) }, "", lock, false)
		}
		code, out, errOut := run(t, "backup", "verify", "--stack", "prod", "--from", "plan", "--tier", "bucket",
			"--project-dir", "../..", "--endpoint", "aws="+s.URL)
		want, finding := ExitOK, "lock-shorter-than-retention"
		if !short {
			finding = ""
		} else {
			want = ExitViolation
		}
		if code != want || strings.Count(out, "s3://wedsync-prod-backup-") != 3 || !strings.Contains(out, "key not checked: AWS assigns key ARNs at deploy") ||
			(finding != "" && !strings.Contains(out, "FINDING db/dump: "+finding)) {
			t.Fatalf("short lock %v: exit %d, want %d\nstdout: %s\nstderr: %s", short, code, want, out, errOut)
		}
	}
}

func TestBackupReportJSON(t *testing.T) {
	url := s3Backups(t, true)
	code, out, errOut := run(t, "backup", "report", "--stack", "prod", "--cloud", "aws", "--bucket", "backups", "--endpoint", url, "--format", "json")
	var rep struct {
		Stack string
		Tiers []tierRun
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitViolation || len(rep.Tiers) != 1 {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errOut)
	}
	r := rep.Tiers[0].Report
	if rep.Stack != "prod" || len(r.Findings) != 1 || r.Findings[0].Kind != backup.KindSHA256 || r.Newest["db-exports"].IsZero() {
		t.Fatalf("report: %+v", rep)
	}
}

func TestBackupHelpDocumentsExitCodes(t *testing.T) {
	for _, sub := range []string{"verify", "report"} {
		_, out, _ := run(t, "backup", sub, "--help")
		if !strings.Contains(out, "Exit codes: 0") || !strings.Contains(out, "2 bad arguments") {
			t.Errorf("backup %s --help does not document the exit codes:\n%s", sub, out)
		}
	}
}

// TestBackupReportHTML: the compliance page over prod's three purposes,
// thirty daily copies each; every copy verified is MET, one corrupted copy
// puts it below the 99.9% target and names the object. Set
// WEDSYNC_REPORT_HTML=FILE to keep the page (to look at it in a browser).
func TestBackupReportHTML(t *testing.T) {
	for _, flip := range []bool{false, true} {
		s := backuptest.StartS3(t)
		s.Env(t)
		var tiers []backup.Tier
		for _, purpose := range []string{"db-exports", "media", "config"} {
			bucket := "wedsync-prod-backup-" + purpose + "-euw2"
			s.Bucket(t, bucket)
			tiers = append(tiers, backup.Tier{Tier: "bucket", Purpose: purpose, Cloud: "aws", Region: "eu-west-2", Bucket: bucket, LockMode: "compliance", RetentionDays: 365})
			for d := 0; d < 30; d++ {
				data := []byte(fmt.Sprintf("%s copy of day %d", purpose, d))
				sum := sha256.Sum256(data)
				key := fmt.Sprintf("%s/day-%02d", purpose, d)
				m, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "prod", Purpose: purpose, CreatedAt: time.Now().Add(-time.Duration(d)*24*time.Hour - time.Duration(len(purpose))*time.Hour),
					Files: []backup.File{{Path: key, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}})
				if flip && purpose == "media" && d == 4 {
					data = bytes.Clone(data)
					data[0] ^= 1
				}
				s.Put(t, bucket, key, backuptest.Object{Data: data})
				s.Put(t, bucket, key+".manifest.json", backuptest.Object{Data: m})
			}
		}
		code, out, errOut := run(t, "backup", "report", "--stack", "prod", "--format", "html", "--outputs", writeOutputs(t, tiers),
			"--endpoint", "aws="+s.URL, "--retention", "0")
		want, verdict := ExitOK, "MET</span>"
		if flip {
			want, verdict = ExitViolation, "BELOW TARGET</span>"
		}
		if code != want || !strings.Contains(out, verdict) || !strings.Contains(out, "<svg") || strings.Contains(out, "90 of 90") == flip ||
			(flip && !strings.Contains(out, "media/day-04: sha256-mismatch")) {
			t.Fatalf("corrupt %v: exit %d, want %d with %q\n%s\n%s", flip, code, want, verdict, out, errOut)
		}
		if path := os.Getenv("WEDSYNC_REPORT_HTML"); path != "" && flip {
			must(t, os.WriteFile(path, []byte(out), 0o644))
		}
	}
}
