package offline

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// plannedKeys maps each planned backup store (S3 bucket, GCS bucket, Azure
// storage account) to the key the plan encrypts it with.
func plannedKeys(p *plan.Plan) map[string]string {
	out := map[string]string{}
	str := func(m map[string]any, path ...string) string {
		var v any = m
		for _, k := range path {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				if len(x) == 0 {
					return ""
				}
				v = x[0].(map[string]any)[k]
			}
		}
		s, _ := v.(string)
		return s
	}
	for _, r := range p.Resources {
		switch r.Type {
		case "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
			out["aws:"+str(r.Inputs, "bucket")] = str(r.Inputs, "rules", "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
		case "gcp:storage/bucket:Bucket":
			out["gcp:"+str(r.Inputs, "name")] = str(r.Inputs, "encryption", "defaultKmsKeyName")
		case "azure-native:storage:StorageAccount":
			out["azure:"+str(r.Inputs, "accountName")] = strings.TrimSuffix(str(r.Inputs, "encryption", "keyVaultProperties", "keyVaultUri"), "/") +
				"/keys/" + str(r.Inputs, "encryption", "keyVaultProperties", "keyName")
		}
	}
	return out
}

// TestBackupTiersNameThePlannedStoresAndTheirKeys: the backupTiers output
// `backup verify --stack` reads names, for every tier, a store the stack
// plans, encrypted with the key the tier names, and every stack has the
// tiers its config asks for.
func TestBackupTiersNameThePlannedStoresAndTheirKeys(t *testing.T) {
	want := map[string]string{ // tiers per purpose
		"dev": "bucket", "staging": "bucket,replica", "prod": "bucket,replica,offsite", "prod-dr": "bucket,replica,offsite",
		"prod-gcp": "bucket,replica,offsite", "prod-gcp-dr": "bucket,replica,offsite", "prod-azure": "bucket,replica,offsite", "prod-azure-dr": "bucket,offsite",
	}
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			p := planOf(t, stack).Plan
			tiers, err := backup.TiersFromOutputs(p.Outputs, "all")
			if err != nil {
				t.Fatal(err)
			}
			keys := plannedKeys(p)
			seen := map[string][]string{}
			for _, tr := range tiers {
				seen[tr.Purpose] = append(seen[tr.Purpose], tr.Tier)
				store := tr.Bucket
				if tr.Cloud == "azure" {
					store, _, _ = strings.Cut(strings.TrimPrefix(tr.URL, "https://"), ".")
					store = strings.TrimSuffix(store, "-secondary")
				}
				key, planned := keys[tr.Cloud+":"+store]
				switch {
				case !planned && stack == "prod-dr" && tr.Tier == "bucket":
					// The recovery's bucket is the adopted replica: imported, its
					// encryption managed by the source stack.
				case !planned && stack == "prod-azure-dr" && tr.Tier == "bucket":
					// The source's failed-over accounts, still the source's.
					src := planOf(t, "prod-azure").Plan
					if k := plannedKeys(src)["azure:"+store]; k == "" || k != tr.KeyID {
						t.Errorf("%s: %s is prod-azure's account, encrypted with %q; the output names %s", tr.Name(), store, k, tr.KeyID)
					}
				case !planned:
					t.Errorf("%s: %s %s is not a planned store", tr.Name(), tr.Cloud, store)
				case key != tr.KeyID:
					t.Errorf("%s: the plan encrypts %s with %s, the output names %s", tr.Name(), store, key, tr.KeyID)
				}
				if tr.RetentionDays < 1 || tr.LockMode == "" {
					t.Errorf("%s: retention %d days, lock %q", tr.Name(), tr.RetentionDays, tr.LockMode)
				}
			}
			for _, purpose := range []string{"db-exports", "media", "config"} {
				if got := strings.Join(seen[purpose], ","); got != want[stack] {
					t.Errorf("%s tiers = %s, want %s", purpose, got, want[stack])
				}
			}
		})
	}
}
