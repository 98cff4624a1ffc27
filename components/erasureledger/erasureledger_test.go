package erasureledger

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// identities are the test writer and reader in each cloud's form.
var identities = map[core.Cloud][2]string{
	core.AWS:   {"arn:aws:iam::123456789012:role/wedsync-prod-app", "arn:aws:iam::123456789012:role/wedsync-prod-backup"},
	core.GCP:   {"app@p.iam.gserviceaccount.com", "backup@p.iam.gserviceaccount.com"},
	core.Azure: {"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"},
}

func program(cloud core.Cloud, copies Copies) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, cloud, core.Prod)
		if err != nil {
			return err
		}
		_, err = NewErasureLedger(ctx, "erasure", &ErasureLedgerArgs{
			Deployment: dep, Copies: copies,
			Key:     testkit.Key(cloud, core.BackupKey, core.Primary),
			DRKey:   testkit.Key(cloud, core.BackupKey, core.DR),
			Alerts:  testkit.Alerts(cloud),
			Writer:  testkit.Str(identities[cloud][0]),
			Readers: []pulumi.StringOutput{testkit.Str(identities[cloud][1])},
		})
		return err
	}
}

// lockDays is the planned ledger's lock, as each cloud states it.
func lockDays(t *testing.T, cloud core.Cloud, p *plan.Plan) int {
	t.Helper()
	switch cloud {
	case core.AWS:
		return int(testkit.Get(testkit.OfType(p, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")[0], "rule.defaultRetention.days").(float64))
	case core.GCP:
		for _, b := range testkit.OfType(p, "gcp:storage/bucket:Bucket") {
			if v, ok := testkit.Get(b, "retentionPolicy.retentionPeriod").(float64); ok {
				return int(v / 86400)
			}
		}
	}
	t.Fatalf("%s: no lock in the plan", cloud)
	return 0
}

// The lock covers the longest copy: lengthening any backup's retention
// lengthens the ledger's, on every cloud.
func TestLedgerOutlivesEveryCopy(t *testing.T) {
	base := Copies{}
	longer := Copies{Backup: backupbucket.Settings{RetentionDays: 400}}
	if got, want := RetentionDays(core.Prod, base), 366; got != want {
		t.Errorf("prod defaults: ledger kept %d days, want %d (365-day backups, expired within a day)", got, want)
	}
	if got := RetentionDays(core.Prod, longer); got != 401 {
		t.Errorf("400-day backups: ledger kept %d days, want 401", got)
	}
	pitr := Copies{Database: database.Settings{BackupRetentionDays: 35}, Backup: backupbucket.Settings{RetentionDays: 35}}
	if got := RetentionDays(core.Prod, pitr); got < 36 {
		t.Errorf("35-day copies: ledger kept %d days", got)
	}
	for _, cloud := range []core.Cloud{core.AWS, core.GCP} {
		t.Run(string(cloud), func(t *testing.T) {
			p := testkit.Plan(t, core.Prod, program(cloud, longer))
			if got := lockDays(t, cloud, p); got < 401 {
				t.Errorf("ledger locked %d days, copies live 401", got)
			}
		})
	}
}

// The app may only create entries; the readers only read.
func TestGrantsAreCreateOnlyAndReadOnly(t *testing.T) {
	for _, cloud := range []core.Cloud{core.AWS, core.GCP, core.Azure} {
		t.Run(string(cloud), func(t *testing.T) {
			p := testkit.Plan(t, core.Prod, program(cloud, Copies{}))
			got := grants(p, cloud)
			want := map[core.Cloud][]string{
				core.AWS:   {"writer:s3:PutObject+kms", "reader:s3:ListBucket,s3:GetObject,s3:GetObjectVersion,s3:GetObjectRetention+kms"},
				core.GCP:   {"writer:" + GCPWriterRole, "reader:" + GCPReaderRole},
				core.Azure: {"writer:" + AzureWriterRole, "reader:" + AzureReaderRole},
			}[cloud]
			slices.Sort(got)
			slices.Sort(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("grants %v, want %v", got, want)
			}
		})
	}
}

// grants summarises each grant as "who:what".
func grants(p *plan.Plan, cloud core.Cloud) []string {
	var out []string
	for _, r := range p.Resources {
		who := strings.TrimPrefix(r.Name, "erasure-")
		if who != "writer" && !strings.HasPrefix(who, "reader") {
			continue
		}
		who = strings.TrimSuffix(who, "-0")
		switch cloud {
		case core.AWS:
			policy := fmt.Sprint(r.Inputs["policy"])
			s3 := policy[strings.Index(policy, `"Action":[`)+10:]
			s3 = strings.ReplaceAll(s3[:strings.Index(s3, "]")], `"`, "")
			out = append(out, who+":"+s3+map[bool]string{true: "+kms"}[strings.Contains(policy, "kms:")])
		case core.GCP:
			out = append(out, who+":"+fmt.Sprint(r.Inputs["role"]))
		case core.Azure:
			id := fmt.Sprint(r.Inputs["roleDefinitionId"])
			out = append(out, who+":"+id[strings.LastIndex(id, "/")+1:])
		}
	}
	return out
}

// Prod cannot turn the ledger off.
func TestProdRefusesNoLedger(t *testing.T) {
	s := Settings{Enabled: pulumi.BoolRef(false)}
	if err := s.Validate(core.Prod, core.AWS); err == nil || !strings.Contains(err.Error(), "enabled") {
		t.Errorf("prod without a ledger: %v", err)
	}
	if err := s.Validate(core.Dev, core.AWS); err != nil {
		t.Errorf("dev without a ledger: %v", err)
	}
}

// Who read an erasure entry is recorded in the DR region too: the ledger's
// access records select the replica's objects (finding F2), from a
// multi-region store.
func TestReadsOfTheLedgerReplicaAreRecorded(t *testing.T) {
	p := testkit.Plan(t, core.Prod, program(core.AWS, Copies{}))
	buckets := map[string]bool{}
	for _, b := range testkit.OfType(p, "aws:s3/bucketV2:BucketV2") {
		if name, _ := testkit.Get(b, "bucket").(string); !strings.Contains(name, "inventory") {
			buckets[name] = true
		}
	}
	stores := testkit.OfType(p, "aws:cloudtrail/eventDataStore:EventDataStore")
	if len(buckets) != 2 || len(stores) != 1 {
		t.Fatalf("want the ledger, its replica and one store, got buckets %v and %d stores", buckets, len(stores))
	}
	if testkit.Get(stores[0], "multiRegionEnabled") != true {
		t.Error("the ledger's store is single-region: reads of the replica in the DR region go unrecorded")
	}
	prefixes := fmt.Sprint(testkit.Get(stores[0], "advancedEventSelectors"))
	for name := range buckets {
		if !strings.Contains(prefixes, "arn:aws:s3:::"+name+"/") {
			t.Errorf("bucket %s is not selected by the ledger's access records: %s", name, prefixes)
		}
	}
}
