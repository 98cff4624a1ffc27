package stacks_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestTheDRAppMayAppendToTheLedgerCopyInItsRegion: during a regional
// outage the app runs in the DR stack and the ledger's primary is lost, so
// each DR plan grants its own app identity create-only rights on the
// ledger copy it reads (its erasureLedger output's bucket: the replica on
// AWS and GCP, the failed-over account on Azure), the same rights the
// source's app has on the primary. Replay reads both copies
// (internal/erasure). The broken variant looks for the grant on the
// reader's resource, which may read only.
func TestTheDRAppMayAppendToTheLedgerCopyInItsRegion(t *testing.T) {
	for _, stack := range []string{"prod-dr", "prod-gcp-dr", "prod-azure-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			ledger, _ := p.Outputs["erasureLedger"].(map[string]any)
			bucket := fmt.Sprint(ledger["bucket"])
			grant := func(name string) string {
				for _, r := range p.Resources {
					if r.Name == name {
						return fmt.Sprint(r.Inputs)
					}
				}
				return ""
			}
			writer, reader := grant("erasure-writer"), grant("erasure-reader-0")
			create := map[string]string{"prod-dr": `s3:PutObject`, "prod-gcp-dr": "roles/storage.objectCreator", "prod-azure-dr": "ba92f5b4-2d11-453d-a403-e96b0029c9fe"}[stack]
			t.Logf("DR ledger copy %s; writer grant: %.300s", bucket, writer)
			if bucket == "" || writer == "" || !strings.Contains(writer, create) || !strings.Contains(writer, bucket) {
				t.Errorf("%s grants its app no append on its ledger copy %s: %s", stack, bucket, writer)
			}
			if strings.Contains(reader, create) {
				t.Errorf("the reader's grant may create entries: %s", reader)
			}
		})
	}
}
