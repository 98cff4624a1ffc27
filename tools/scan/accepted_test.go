package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTriageFailsOnNewFindingsAndStaleEntries(t *testing.T) {
	file := filepath.Join(t.TempDir(), "accepted.yaml")
	os.WriteFile(file, []byte(`
- check: AWS-0089
  resource: aws:s3/bucketV2:BucketV2::*
  reason: data events
- check: GCP-0078
  resource: "?"
  stacks: [prod-gcp-dr, prod-gcp]
  reason: placeholder
- check: AZU-0013
  resource: azure-native:keyvault:Vault::*
  reason: gone
`), 0o644)
	accepted, err := readAccepted(file)
	if err != nil {
		t.Fatal(err)
	}
	findings := []finding{
		{Stack: "prod", Check: "AWS-0089", Resource: "aws:s3/bucketV2:BucketV2::media"},
		{Stack: "prod-gcp-dr", Check: "GCP-0078", Resource: "?"},
		{Stack: "prod", Check: "AWS-0053", Resource: "aws:lb/loadBalancer:LoadBalancer::web"},
	}
	stale := triage(findings, accepted, map[string]bool{"prod": true, "prod-gcp": true, "prod-gcp-dr": true})
	if findings[0].Accepted == "" || findings[1].Accepted == "" {
		t.Errorf("matching findings not accepted: %+v", findings[:2])
	}
	if findings[2].Accepted != "" {
		t.Errorf("AWS-0053 has no entry but was accepted")
	}
	want := []string{"GCP-0078 ?: matches no finding in prod-gcp", "AZU-0013 azure-native:keyvault:Vault::*: matches no finding"}
	if strings.Join(stale, "\n") != strings.Join(want, "\n") {
		t.Errorf("stale = %q, want %q", stale, want)
	}
	if code := report(&strings.Builder{}, nil, findings, stale, true); code != 1 {
		t.Errorf("report exit = %d with a new finding and stale entries, want 1", code)
	}
	if code := report(&strings.Builder{}, nil, findings[:2], nil, true); code != 0 {
		t.Errorf("report exit = %d with every finding accepted, want 0", code)
	}
}

func TestAnEntryWithoutAReasonIsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "accepted.yaml")
	os.WriteFile(file, []byte("- check: AWS-0089\n  resource: x\n"), 0o644)
	if _, err := readAccepted(file); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Errorf("err = %v, want one naming the missing reason", err)
	}
}
