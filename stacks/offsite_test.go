package stacks_test

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// TestAzureOffsiteTierReadsEveryContainerWithItsRotatedSAS: prod-azure's
// backups reach GCP, each container read by a Storage Transfer job with
// the SAS kept in the offsite secrets store under the offsite secrets key,
// and the rotation workflow finds what it rotates in the stack's outputs.
func TestAzureOffsiteTierReadsEveryContainerWithItsRotatedSAS(t *testing.T) {
	p := prodPlan(t, "prod-azure")
	secrets := map[string]plan.Resource{}
	for _, r := range p.Resources {
		if r.Type == "gcp:secretmanager/secret:Secret" {
			secrets[r.ID] = r
		}
	}
	out, _ := p.Outputs["offsiteSAS"].(map[string]any)
	purposes, _ := out["purposes"].(map[string]any)
	for _, purpose := range []string{"db-exports", "media", "config"} {
		sas := "backup-" + purpose + "-offsite-sas"
		job := one(t, p, "gcp:storage/transferJob:TransferJob", purpose+"-offsite")
		secretID, _ := plan.Lookup(job.Inputs, "transferSpec", "azureBlobStorageDataSource", "credentialsSecret")
		secret, ok := secrets[secretID.(string)]
		if !ok || !strings.HasSuffix(secret.ID, "/secrets/wedsync-prod-azure-"+sas) {
			t.Errorf("%s: the job reads %v, want the offsite store's %s secret", purpose, secretID, sas)
			continue
		}
		if key, _ := plan.Lookup(secret.Inputs, "replication", "userManaged", "replicas", "0", "customerManagedEncryption", "kmsKeyName"); !strings.Contains(key.(string), "secrets") {
			t.Errorf("%s: the SAS secret is encrypted with %v, want the offsite secrets key", purpose, key)
		}
		account, _ := plan.Lookup(job.Inputs, "transferSpec", "azureBlobStorageDataSource", "storageAccount")
		got, _ := purposes[purpose].(map[string]any)
		if got["secret"] != secretID || got["account"] != account || got["signer"] == "" {
			t.Errorf("%s: offsiteSAS output %v, want account %v, secret %v and the signer", purpose, got, account, secretID)
		}
	}
	if _, ok := out["workloadIdentityProvider"]; !ok {
		t.Errorf("offsiteSAS names no workload identity provider: %v", out)
	}
	// Broken variant: S3 is read through a federated role, so prod keeps
	// no SAS, and no stack without an Azure source exports one.
	for _, stack := range []string{"prod", "prod-gcp"} {
		q := prodPlan(t, stack)
		if _, ok := q.Outputs["offsiteSAS"]; ok {
			t.Errorf("%s exports offsiteSAS", stack)
		}
		for _, r := range q.Resources {
			if strings.Contains(r.Name, "offsite-sas") {
				t.Errorf("%s plans %s %s", stack, r.Type, r.Name)
			}
		}
	}
}

func one(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s %s", typ, name)
	return plan.Resource{}
}
