package offline

import (
	"bytes"
	"sort"
	"strings"
	"testing"
)

func TestEveryShippedStackIsWithinTheCloudsDeployTimeLimits(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		if got := planOf(t, stack).Plan.Limits; len(got) != 0 {
			t.Errorf("%s breaches deploy-time limits: %v", stack, got)
		}
	}
}

// TestAPlanShowsABreachBeforeAnyDeploy: names a cloud would refuse, put
// into real planned resources, are each reported with the rule, and the
// text plan says so.
func TestAPlanShowsABreachBeforeAnyDeploy(t *testing.T) {
	for _, tc := range []struct {
		stack, typ, input, value, rule string
	}{
		{"prod", "aws:s3/bucketV2:BucketV2", "bucket", "wedsync-prod-backup-media-euw2-" + strings.Repeat("x", 40), "s3-bucket-name"},
		{"prod", "aws:rds/instance:Instance", "identifier", "wedsync--prod-main", "rds-instance-identifier"},
		{"prod", "aws:iam/role:Role", "name", strings.Repeat("wedsync-prod-app-", 4), "iam-role-name"},
		{"prod", "aws:kms/alias:Alias", "name", "alias/aws/wedsync", "kms-alias-name"},
		{"prod-gcp", "gcp:storage/bucket:Bucket", "name", "wedsync-google-backups", "gcs-bucket-name"},
		{"prod-gcp", "gcp:serviceaccount/account:Account", "accountId", "wedsync-prod-gcp-application-instances", "service-account-id"},
		{"prod-azure", "azure-native:storage:StorageAccount", "accountName", "wedsync-prod-backups", "storage-account-name"},
		{"prod-azure", "azure-native:keyvault:Vault", "vaultName", "wedsync-prod-azure-vault-uks", "key-vault-name"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p := *planOf(t, tc.stack).Plan
			p.Resources = append(p.Resources[:0:0], p.Resources...)
			changed := ""
			for i, r := range p.Resources {
				if r.Type == tc.typ && changed == "" {
					inputs := map[string]any{}
					for k, v := range r.Inputs {
						inputs[k] = v
					}
					inputs[tc.input] = tc.value
					p.Resources[i].Inputs = inputs
					changed = r.URN
				}
			}
			p.Limits = p.CheckLimits()
			var rules []string
			for _, b := range p.Limits {
				rules = append(rules, b.Rule)
				if b.URN != changed || b.Property != tc.input || !strings.HasPrefix(b.Doc, "https://") {
					t.Errorf("breach %+v, want on %s's %s with its documentation", b, changed, tc.input)
				}
			}
			sort.Strings(rules)
			if strings.Join(rules, ",") != tc.rule {
				t.Fatalf("breaches %v, want exactly %s", rules, tc.rule)
			}
			var out bytes.Buffer
			if err := p.WriteText(&out, "plan"); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "Deploy-time limits: 1 breached") || !strings.Contains(out.String(), tc.value) {
				t.Errorf("the text plan does not show the breach:\n%s", out.String()[max(0, out.Len()-600):])
			}
		})
	}
}
