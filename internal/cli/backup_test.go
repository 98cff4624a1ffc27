package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// s3Backups starts gofakes3 and seeds bucket "backups" with one part and its
// manifest, the part's stored bytes changed when flip is set.
func s3Backups(t *testing.T, flip bool) string {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	c := s3.New(s3.Options{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	ctx := context.Background()
	put := func(key string, data []byte) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("backups"), Key: &key, Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("backups")}); err != nil {
		t.Fatal(err)
	}
	data := []byte("pg_dump custom format, compressed")
	sum := sha256.Sum256(data)
	m, _ := json.Marshal(backup.Manifest{Version: 1, Stack: "prod", Purpose: "db-exports", CreatedAt: time.Now().Add(-time.Hour),
		Files: []backup.File{{Path: "db/dump", Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}})
	if flip {
		data = bytes.Clone(data)
		data[3] ^= 1
	}
	put("db/dump", data)
	put("db/dump.manifest.json", m)
	return srv.URL
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

func TestBackupReportJSON(t *testing.T) {
	url := s3Backups(t, true)
	code, out, errOut := run(t, "backup", "report", "--stack", "prod", "--cloud", "aws", "--bucket", "backups", "--endpoint", url, "--format", "json")
	var rep struct {
		Stack    string
		Findings []backup.Finding
		Newest   map[string]time.Time
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitViolation {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if rep.Stack != "prod" || len(rep.Findings) != 1 || rep.Findings[0].Kind != backup.KindSHA256 || rep.Newest["db-exports"].IsZero() {
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
