package dr

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/stacks"
)

// The shipped DR stacks and the stacks they rebuild.
var drStacks = []struct{ stack, source string }{
	{"prod-dr", "prod"},
	{"prod-gcp-dr", "prod-gcp"},
	{"prod-azure-dr", "prod-azure"},
}

func repo(t testing.TB) *project.Project {
	t.Helper()
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var plans = map[string]*offline.Result{}

// planOf plans a shipped stack once per test binary.
func planOf(t testing.TB, stack string) *offline.Result {
	t.Helper()
	if r, ok := plans[stack]; ok {
		return r
	}
	r, err := offline.Plan(repo(t), stack, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("plan %s: %v", stack, err)
	}
	plans[stack] = r
	return r
}

// providers maps each provider URN of p to its region (AWS, GCP) or
// location (Azure).
func providers(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			region, _ := r.Inputs["region"].(string)
			if loc, ok := r.Inputs["location"].(string); ok {
				region = loc
			}
			out[r.URN] = region
		}
	}
	return out
}

func str(inputs map[string]any, path ...string) string {
	v, _ := plan.Lookup(inputs, path...)
	s, _ := v.(string)
	return s
}

func find(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s %q in the plan of %s", typ, name, p.Stack)
	return plan.Resource{}
}

// replicatesBack says whether a resource at the old region is one the
// recovery may create there: the targets of replication back (bucket
// replicas, the database's cross-region copy) and the site's resource group.
func replicatesBack(r plan.Resource) bool {
	return strings.HasSuffix(r.Name, "-replica") || r.Name == "main-dr" || r.Name == "rg-dr"
}

func TestEveryResourceOfADRStackIsInTheDRRegion(t *testing.T) {
	for _, s := range drStacks {
		t.Run(s.stack, func(t *testing.T) {
			res := planOf(t, s.stack)
			cfg, src := res.Config, planOf(t, s.source).Config
			if cfg.Region != src.DRRegion || cfg.DRRegion != src.Region {
				t.Fatalf("%s runs in %s with DR %s; want %s's DR region %s, replicating back to %s", s.stack, cfg.Region, cfg.DRRegion, s.source, src.DRRegion, src.Region)
			}
			regions := providers(res.Plan)
			// The offsite tier is on another cloud, which did not lose the
			// region: the source's offsite site.
			offsite := false
			if o := src.Backup.Offsite; o != nil && o.Cloud != cfg.Cloud {
				offsite = true
				if c := cfg.Backup.Offsite; c == nil || c.Cloud != o.Cloud || c.Region != o.Region {
					t.Errorf("%s's offsite site is %v, its source's %v", s.stack, c, o)
				}
			}
			back := 0
			for _, r := range res.Plan.Resources {
				if !r.Custom || strings.HasPrefix(r.Type, "pulumi:") {
					continue
				}
				switch region := regions[r.Provider]; {
				case r.Provider == "":
					t.Errorf("%s has no explicit provider: it would land in the ambient default region", r.URN)
				case region == cfg.Region:
				case offsite && atOffsite(r):
				case region == cfg.DRRegion && replicatesBack(r):
					back++
				default:
					t.Errorf("%s is in %s; a recovery creates nothing outside %s but the replication back to %s", r.URN, region, cfg.Region, cfg.DRRegion)
				}
			}
			if back == 0 {
				t.Errorf("nothing replicates back to %s", cfg.DRRegion)
			}
		})
	}
}

func TestTheDRDatabaseIsRestoredNeverCreatedEmpty(t *testing.T) {
	t.Run("prod-dr_restores_the_replicated_automated_backups", func(t *testing.T) {
		res := planOf(t, "prod-dr")
		db := find(t, res.Plan, "aws:rds/instance:Instance", "main")
		arn := str(db.Inputs, "restoreToPointInTime", "sourceDbInstanceAutomatedBackupsArn")
		if !strings.HasPrefix(arn, "arn:aws:rds:eu-west-1:") || !strings.Contains(arn, ":auto-backup:") {
			t.Errorf("restoreToPointInTime.sourceDbInstanceAutomatedBackupsArn = %q, want prod's backups replicated to eu-west-1", arn)
		}
		if v, _ := plan.Lookup(db.Inputs, "restoreToPointInTime", "useLatestRestorableTime"); v != true {
			t.Errorf("useLatestRestorableTime = %v, want true (restorePoint: latest)", v)
		}
		for _, k := range []string{"dbName", "username", "snapshotIdentifier"} {
			if _, ok := db.Inputs[k]; ok {
				t.Errorf("a restored instance sets %s, as an empty one would", k)
			}
		}
	})
	t.Run("prod-gcp-dr_clones_the_promoted_cross-region_replica", func(t *testing.T) {
		res := planOf(t, "prod-gcp-dr")
		db := find(t, res.Plan, "gcp:sql/databaseInstance:DatabaseInstance", "main")
		replica := find(t, planOf(t, "prod-gcp").Plan, "gcp:sql/databaseInstance:DatabaseInstance", "main-dr")
		if got, want := str(db.Inputs, "clone", "sourceInstanceName"), str(replica.Inputs, "name"); got != want || got == "" {
			t.Errorf("clone.sourceInstanceName = %q, want prod-gcp's replica in europe-west1 %q", got, want)
		}
		for _, r := range res.Plan.Resources {
			if r.Type == "gcp:sql/database:Database" {
				t.Errorf("%s: a restored instance brings its database; creating one means it started empty", r.URN)
			}
		}
	})
	t.Run("prod-azure-dr_geo-restores_the_source_server", func(t *testing.T) {
		res := planOf(t, "prod-azure-dr")
		var db plan.Resource
		for _, r := range res.Plan.Resources {
			// The primary (its read replica is a Server too, created as a replica).
			if strings.HasPrefix(r.Type, "azure-native:dbforpostgresql") && strings.HasSuffix(r.Type, ":Server") && r.Name == "main" {
				db = r
			}
		}
		if got := str(db.Inputs, "createMode"); got != "GeoRestore" {
			t.Errorf("createMode = %q, want GeoRestore", got)
		}
		if got := str(db.Inputs, "sourceServerResourceId"); !strings.HasSuffix(got, "/flexibleServers/wedsync-prod-azure-main-uks") {
			t.Errorf("sourceServerResourceId = %q, want prod-azure's server", got)
		}
		if str(db.Inputs, "pointInTimeUTC") == "" {
			t.Error("no pointInTimeUTC: Azure's geo-restore needs the instant")
		}
	})
}

// keyOf is the key a data store at the DR stack's primary site is
// encrypted with, by type; "" for types that are not data stores.
func keyOf(r plan.Resource) (string, bool) {
	switch r.Type {
	case "aws:rds/instance:Instance":
		return str(r.Inputs, "kmsKeyId"), true
	case "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
		return str(r.Inputs, "rules", "0", "applyServerSideEncryptionByDefault", "kmsMasterKeyId"), true
	case "gcp:sql/databaseInstance:DatabaseInstance":
		return str(r.Inputs, "encryptionKeyName"), true
	case "gcp:storage/bucket:Bucket":
		return str(r.Inputs, "encryption", "defaultKmsKeyName"), true
	case "azure-native:dbforpostgresql/v20240801:Server", "azure-native:dbforpostgresql:Server":
		return str(r.Inputs, "dataEncryption", "primaryKeyURI"), true
	}
	return "", false
}

// logBucketExempt: an S3 encryption configuration of a bucket the stack
// excuses, with its reason, from the customer-managed-key rule (the ALB
// access-log bucket, which ALB can only write with SSE-S3) is no data store.
func logBucketExempt(res *offline.Result, r plan.Resource) bool {
	if r.Type != "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" {
		return false
	}
	bucket := strings.Replace(r.URN, "$aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2::", "$aws:s3/bucketV2:BucketV2::", 1)
	return res.Policy.Exempt(rules.PolicyS3Encryption, bucket)
}

func TestDRDataStoresAreProtectedAndEncryptedWithTheDRRegionKeys(t *testing.T) {
	for _, s := range drStacks {
		t.Run(s.stack, func(t *testing.T) {
			res := planOf(t, s.stack)
			outs := res.Config.Recovery.SourceOutputs
			// The DR-region replicas of the source's keys (dr.*) are this
			// stack's primary keys.
			drKeys := map[string]bool{}
			for name, id := range outs.Keys {
				if strings.HasPrefix(name, "dr.") {
					drKeys[id] = true
				}
			}
			regions := providers(res.Plan)
			stores := 0
			for _, r := range res.Plan.Resources {
				key, isStore := keyOf(r)
				if !isStore || regions[r.Provider] != res.Config.Region || logBucketExempt(res, r) {
					continue
				}
				stores++
				if !drKeys[key] {
					t.Errorf("%s is encrypted with %q, not with one of %s's keys replicated to %s", r.URN, key, s.source, res.Config.Region)
				}
				if r.Type != "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" && !r.Protect {
					t.Errorf("%s is not protected", r.URN)
				}
			}
			for _, r := range res.Plan.Resources {
				if (r.Type == "aws:s3/bucketV2:BucketV2" || r.Type == "gcp:storage/bucket:Bucket") && regions[r.Provider] == res.Config.Region && !r.Protect {
					t.Errorf("bucket %s is not protected", r.URN)
				}
			}
			if stores == 0 {
				t.Fatal("no data store in the DR region")
			}
			for _, r := range res.Plan.Resources {
				// The offsite site's keys are new: they encrypt this stack's
				// new offsite copies, no data the source encrypted.
				if (r.Type == "aws:kms/key:Key" && r.Name != "alerts" || r.Type == "gcp:kms/cryptoKey:CryptoKey" || r.Type == "azure-native:keyvault:Key") && !atOffsite(r) {
					t.Errorf("%s: a recovery creates no key for data the source already encrypted", r.URN)
				}
			}
		})
	}
}

// physical is the cloud-side name a resource takes, for the types whose
// names are global or per region (a Cloud KMS key's within its key ring).
func physical(r plan.Resource) string {
	for _, k := range []string{"bucket", "identifier", "accountName", "serverName", "vaultName"} {
		if s := str(r.Inputs, k); s != "" {
			return s
		}
	}
	if r.Type == "gcp:kms/cryptoKey:CryptoKey" {
		return str(r.Inputs, "keyRing") + "/cryptoKeys/" + str(r.Inputs, "name")
	}
	if strings.HasPrefix(r.Type, "gcp:") {
		return str(r.Inputs, "name")
	}
	return ""
}

// atOffsite says whether r is at the stack's offsite site (its provider
// is the offsite one, stacks/sites.go).
func atOffsite(r plan.Resource) bool {
	return strings.HasSuffix(r.Provider, "-offsite")
}

func TestADRStackModifiesNoResourceOfItsSource(t *testing.T) {
	for _, s := range drStacks {
		t.Run(s.stack, func(t *testing.T) {
			res, src := planOf(t, s.stack), planOf(t, s.source)
			for _, r := range res.Plan.Resources {
				if !strings.HasPrefix(r.URN, "urn:pulumi:"+s.stack+"::") {
					t.Errorf("%s is not a URN of %s", r.URN, s.stack)
				}
			}
			// Adopted: the source's replicas in this region, by name.
			adopted := map[string]bool{}
			for _, b := range res.Config.Recovery.SourceOutputs.BackupBuckets {
				if b.Replica != "" {
					adopted[b.Replica] = true
				}
			}
			// The source's erasure ledger copy here, which it only reads.
			if l := res.Config.Recovery.SourceOutputs.ErasureLedger; l != nil && l.Replica != "" {
				adopted[l.Replica] = true
			}
			sourceNames := map[string]string{}
			for _, r := range src.Plan.Resources {
				if n := physical(r); n != "" && r.Custom && !strings.HasPrefix(r.Type, "pulumi:") {
					sourceNames[r.Type+" "+n] = r.URN
				}
			}
			for _, r := range res.Plan.Resources {
				n := physical(r)
				urn, shared := sourceNames[r.Type+" "+n]
				if !shared || n == "" {
					continue
				}
				if !adopted[n] {
					t.Errorf("%s takes the name %s of %s's %s", r.URN, n, s.source, urn)
				}
			}
		})
	}
}

func TestDRStacksAdoptTheReplicasTheSourceWritesTo(t *testing.T) {
	for _, s := range drStacks[:2] {
		t.Run(s.stack, func(t *testing.T) {
			res, src := planOf(t, s.stack), planOf(t, s.source)
			typ, key := "aws:s3/bucketV2:BucketV2", "bucket"
			if res.Config.Cloud == core.GCP {
				typ, key = "gcp:storage/bucket:Bucket", "name"
			}
			for _, purpose := range []string{"db-exports", "media", "config"} {
				want := str(find(t, src.Plan, typ, purpose+"-replica").Inputs, key)
				got := find(t, res.Plan, typ, purpose)
				if n := str(got.Inputs, key); n != want {
					t.Errorf("%s bucket is %q, want %s's replica %q (adopted, not a new empty bucket)", purpose, n, s.source, want)
				}
				if out := res.Config.Recovery.SourceOutputs.BackupBuckets[purpose].Replica; out != want {
					t.Errorf("sourceOutputs.backupBuckets.%s.replica = %q; %s's plan names it %q", purpose, out, s.source, want)
				}
			}
		})
	}
}

// The shipped fallback outputs name what the source's offline plan shows.
func TestDRFallbackKeysAreTheSourcesKeys(t *testing.T) {
	for _, s := range drStacks {
		t.Run(s.stack, func(t *testing.T) {
			res, src := planOf(t, s.stack), planOf(t, s.source)
			ids := map[string]bool{}
			for _, r := range src.Plan.Resources {
				switch r.Type {
				case "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey":
					ids[fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", providers(src.Plan)[r.Provider], plan.MockAWSAccount, r.ID)] = true
				case "gcp:kms/cryptoKey:CryptoKey":
					ids[r.ID] = true
				case "azure-native:keyvault:Key":
					ids[fmt.Sprintf("https://%s.vault.azure.net/keys/%s", str(r.Inputs, "vaultName"), str(r.Inputs, "keyName"))] = true
				}
			}
			for name, id := range res.Config.Recovery.SourceOutputs.Keys {
				if !ids[id] {
					t.Errorf("sourceOutputs.keys.%s = %q is no key of %s's plan", name, id, s.source)
				}
			}
		})
	}
}

func TestShippedDRStacksBreakNoMandatoryPolicy(t *testing.T) {
	for _, s := range drStacks {
		t.Run(s.stack, func(t *testing.T) {
			res := planOf(t, s.stack)
			for _, v := range res.Plan.Violations {
				if v.EnforcementLevel == "mandatory" {
					t.Errorf("%s: %s: %s", v.Policy, v.URN, v.Message)
				}
			}
		})
	}
}

// importMocks answers like the offline plan and records the import id of
// every resource registered with one.
type importMocks struct {
	mu      sync.Mutex
	imports map[string]string
}

func (m *importMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if rpc := args.RegisterRPC; rpc != nil && rpc.GetImportId() != "" {
		m.mu.Lock()
		m.imports[args.TypeToken+" "+args.Name] = rpc.GetImportId()
		m.mu.Unlock()
	}
	if !args.Custom {
		return "", resource.PropertyMap{}, nil
	}
	id, state := plan.MockState(args.TypeToken, args.Name, args.Inputs, nil)
	return id, state, nil
}

func (m *importMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return plan.MockInvoke(args.Token, args.Args, nil)
}

func TestDRStacksImportTheReplicasUnderTheirIDs(t *testing.T) {
	for _, s := range drStacks[:2] {
		t.Run(s.stack, func(t *testing.T) {
			sc, err := environments.StackConfig(context.Background(), repo(t), s.stack)
			if err != nil {
				t.Fatal(err)
			}
			m := &importMocks{imports: map[string]string{}}
			ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "wedsync", Stack: s.stack, Config: sc.Values, Mocks: m})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = ctx.Close() }()
			var keys []string
			for k := range sc.Values {
				keys = append(keys, k)
			}
			if err := pulumi.RunWithContext(ctx, stacks.ProgramWithConfigKeys(keys, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))); err != nil {
				t.Fatal(err)
			}
			typ := "aws:s3/bucketV2:BucketV2"
			if strings.Contains(s.stack, "gcp") {
				typ = "gcp:storage/bucket:Bucket"
			}
			outs := planOf(t, s.stack).Config.Recovery.SourceOutputs
			for _, purpose := range []string{"db-exports", "media", "config"} {
				if got, want := m.imports[typ+" "+purpose], outs.BackupBuckets[purpose].Replica; got != want {
					t.Errorf("%s bucket imports %q, want the replica %q", purpose, got, want)
				}
			}
			if len(m.imports) != 3 {
				t.Errorf("imports %v; want only the three replicas", m.imports)
			}
		})
	}
}
