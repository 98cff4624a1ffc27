package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
)

// A hand-written plan document: one GCS bucket with no customer-managed key.
const handWrittenPlan = `{
  "project": "wedsync", "stack": "prod", "environment": "%s",
  "resources": [
    {"urn": "urn:pulumi:prod::wedsync::gcp:storage/bucket:Bucket::photos", "type": "gcp:storage/bucket:Bucket", "name": "photos",
     "id": "photos", "custom": true, "protect": true,
     "inputs": {"name": "photos", "location": "EU", "publicAccessPrevention": "enforced", "uniformBucketLevelAccess": true,
                "versioning": {"enabled": true}%s}}
  ]
}`

func writePlan(t *testing.T, env, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	doc := strings.Replace(strings.Replace(handWrittenPlan, "%s", env, 1), "%s", extra, 1)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyCheck(t *testing.T) {
	const wednesday = "2026-06-10T12:00:00Z"
	cases := []struct {
		name     string
		args     func(t *testing.T) []string
		code     int
		contains string
	}{
		{"unencrypted_bucket_fails_with_exit_1", func(t *testing.T) []string {
			return []string{"policy", "check", writePlan(t, "prod", ""), "--now", wednesday}
		}, ExitViolation, "encryption-at-rest-cmk"},
		{"encrypted_bucket_passes", func(t *testing.T) []string {
			return []string{"policy", "check", writePlan(t, "prod", `, "encryption": {"defaultKmsKeyName": "projects/p/locations/eu/keyRings/r/cryptoKeys/k"}`), "--now", wednesday}
		}, ExitOK, "no violations"},
		{"prod_freeze_applies_from_the_document_environment", func(t *testing.T) []string {
			return []string{"policy", "check", writePlan(t, "prod", `, "encryption": {"defaultKmsKeyName": "k"}`), "--now", "2026-06-13T12:00:00Z"}
		}, ExitViolation, "wedding-day-freeze"},
		{"dev_is_not_frozen", func(t *testing.T) []string {
			return []string{"policy", "check", writePlan(t, "dev", `, "encryption": {"defaultKmsKeyName": "k"}`), "--now", "2026-06-13T12:00:00Z"}
		}, ExitOK, "no violations"},
		{"missing_plan_is_invalid", func(t *testing.T) []string {
			return []string{"policy", "check", filepath.Join(t.TempDir(), "nope.json")}
		}, ExitInvalid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(c.args(t), &out, &errOut)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), c.contains) {
				t.Errorf("output lacks %q:\n%s", c.contains, out.String())
			}
		})
	}
}

// policy check honours $WEDSYNC_NOW like every other command: a Wednesday
// (TestMain) is not Saturday's freeze.
func TestPolicyCheckHonoursTheNowVariable(t *testing.T) {
	doc := writePlan(t, "prod", `, "encryption": {"defaultKmsKeyName": "k"}`)
	code, out, errOut := run(t, "policy", "check", doc)
	if code != ExitOK || strings.Contains(out, "wedding-day-freeze") {
		t.Fatalf("exit %d at $WEDSYNC_NOW (a Wednesday): %s%s", code, out, errOut)
	}
	t.Setenv("WEDSYNC_NOW", "2026-06-13T12:00:00Z")
	if code, out, _ := run(t, "policy", "check", doc); code != ExitViolation || !strings.Contains(out, "wedding-day-freeze") {
		t.Errorf("a Saturday in $WEDSYNC_NOW: exit %d: %s", code, out)
	}
}

func TestCountsAreGrammatical(t *testing.T) {
	code, out, errOut := run(t, "policy", "check", writePlan(t, "prod", ""), "--now", "2026-06-10T12:00:00Z")
	if code != ExitViolation || !strings.Contains(out, "Policy: 1 violation (1 mandatory)") || !strings.Contains(errOut, "error: 1 mandatory policy violation\n") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var b bytes.Buffer
	printErr(&b, &multierror.Error{Errors: []error{errors.New("x")}})
	if !strings.HasPrefix(b.String(), "error: 1 problem\n") {
		t.Errorf("printErr = %q", b.String())
	}
}
