package backupbucket

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// fixture describes one test stack: cloud, environment, and what to change.
type fixture struct {
	cloud    core.Cloud
	env      core.Environment
	noDR     bool
	offsite  bool // a GCP offsite site (from AWS or Azure), an Azure one from GCP
	alerts   bool
	adopt    string // an existing bucket the primary adopts
	logs     string // Azure: the access log workspace
	settings Settings
}

// The Azure offsite copy's SAS secret and the rotation job's subject.
const (
	testOffsiteSecret = "projects/" + testkit.GCPProject + "/secrets/wedsync-prod-backup-db-exports-offsite-sas"
	testSignerSubject = "repo:wedsync/wedsync-infra:environment:offsite-sas"
	testRotator       = "principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/" + testSignerSubject
)

// regions are the test sites' regions (primary, DR), as testkit makes them.
var regions = map[core.Cloud][2]string{
	core.AWS:   {testkit.Regions[core.AWS][core.Primary], testkit.Regions[core.AWS][core.DR]},
	core.GCP:   {testkit.Regions[core.GCP][core.Primary], testkit.Regions[core.GCP][core.DR]},
	core.Azure: {testkit.Regions[core.Azure][core.Primary], testkit.Regions[core.Azure][core.DR]},
}

func key(cloud core.Cloud, region string) *core.Key {
	switch cloud {
	case core.AWS:
		return core.KeyID(core.BackupKey, region, "arn:aws:kms:"+region+":123456789012:key/backup-"+region)
	case core.GCP:
		return core.KeyID(core.BackupKey, region, "projects/"+testkit.GCPProject+"/locations/"+region+"/keyRings/wedsync/cryptoKeys/backup")
	}
	vault := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/wedsync-" + region
	k := core.KeyID(core.BackupKey, region, "https://wedsync-"+region+".vault.azure.net/keys/backup")
	k.VaultID = pulumi.String(vault).ToStringOutput()
	k.VaultURI = pulumi.String("https://wedsync-" + region + ".vault.azure.net/").ToStringOutput()
	k.Name = pulumi.String("backup").ToStringOutput()
	return k
}

// program builds the fixture's deployment and one backup bucket.
func (f fixture) program(ctx *pulumi.Context) error {
	r := regions[f.cloud]
	dep := core.Deployment{Project: "wedsync", Stack: string(f.env), Environment: f.env, Timezone: "Europe/London",
		Tags: core.StandardTags("wedsync", string(f.env), f.env, "platform", "cc", nil)}
	var err error
	if dep.Primary, err = testkit.Site(ctx, f.cloud, core.Primary); err != nil {
		return err
	}
	args := &BackupBucketArgs{Deployment: dep, Settings: f.settings, Key: key(f.cloud, r[0]), Purpose: "db-exports"}
	if !f.noDR {
		dr, err := testkit.Site(ctx, f.cloud, core.DR)
		if err != nil {
			return err
		}
		args.Deployment.DR, args.DRKey = &dr, key(f.cloud, r[1])
	}
	if f.offsite {
		offCloud := core.GCP
		if f.cloud == core.GCP {
			offCloud = core.Azure
		}
		offRegion := testkit.Regions[offCloud][core.Offsite]
		off, err := testkit.Site(ctx, offCloud, core.Offsite)
		if err != nil {
			return err
		}
		args.Deployment.Offsite, args.OffsiteKey = &off, key(offCloud, offRegion)
		gen, ranges := 0, []string(nil)
		if f.settings.Offsite != nil {
			gen, ranges = f.settings.Offsite.KeyGeneration, f.settings.Offsite.SourceRanges
		}
		args.Settings.Offsite = &Offsite{Cloud: offCloud, Region: offRegion, KeyGeneration: gen, SourceRanges: ranges}
		if f.cloud == core.Azure {
			args.OffsiteCredential = pulumi.String(testOffsiteSecret).ToStringOutput()
			args.OffsiteSigner = &Federation{Issuer: GitHubIssuer, Subject: testSignerSubject}
			args.OffsiteRotator = pulumi.String(testRotator).ToStringOutput()
		}
		if f.alerts {
			args.OffsiteAlerts = &core.AlertTarget{IDs: pulumi.ToStringArray([]string{"projects/" + testkit.GCPProject + "/notificationChannels/1"}).ToStringArrayOutput()}
			if offCloud == core.Azure {
				args.OffsiteAlerts = &core.AlertTarget{IDs: pulumi.ToStringArray([]string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/offsite"}).ToStringArrayOutput()}
			}
		}
	}
	if f.adopt != "" {
		args.Adopt = &Adoption{Bucket: f.adopt}
	}
	if f.logs != "" {
		args.AccessLogWorkspace = pulumi.String(f.logs).ToStringOutput()
	}
	if f.alerts {
		args.Alerts = &core.AlertTarget{IDs: pulumi.ToStringArray([]string{"arn:aws:sns:eu-west-2:123456789012:alerts"}).ToStringArrayOutput()}
	}
	b, err := NewBackupBucket(ctx, "db-exports", args)
	if err != nil {
		return err
	}
	ctx.Export("bucket", b.BucketName)
	return nil
}

// result is a plan with lookups by type.
type result struct {
	t *testing.T
	p *plan.Plan
}

func (f fixture) run(t *testing.T) result {
	t.Helper()
	p, err := plan.Run(plan.Options{Project: "wedsync", Stack: string(f.env), Environment: string(f.env)}, f.program)
	if err != nil {
		t.Fatal(err)
	}
	return result{t, p}
}

// all returns the resources of type typ.
func (r result) all(typ string) []plan.Resource {
	var out []plan.Resource
	for _, res := range r.p.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// one returns the resource of type typ whose logical name is name.
func (r result) one(typ, name string) plan.Resource {
	r.t.Helper()
	for _, res := range r.all(typ) {
		if res.Name == name {
			return res
		}
	}
	r.t.Fatalf("no %s named %s; have %v", typ, name, names(r.all(typ)))
	return plan.Resource{}
}

func names(rs []plan.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func (r result) providerOf(res plan.Resource) string {
	for _, p := range r.p.Resources {
		if p.URN == res.Provider {
			return p.Name
		}
	}
	return ""
}

func get(t *testing.T, res plan.Resource, path ...string) any {
	t.Helper()
	v, ok := plan.Lookup(res.Inputs, path...)
	if !ok {
		t.Fatalf("%s %s has no %s; inputs %v", res.Type, res.Name, strings.Join(path, "."), res.Inputs)
	}
	return v
}

func equal(t *testing.T, res plan.Resource, want any, path ...string) {
	t.Helper()
	if got := get(t, res, path...); toString(got) != toString(want) {
		t.Errorf("%s %s: %s = %v, want %v", res.Type, res.Name, strings.Join(path, "."), got, want)
	}
}

// policy decodes an IAM policy document input.
func policy(t *testing.T, res plan.Resource, field string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(get(t, res, field).(string)), &doc); err != nil {
		t.Fatalf("%s %s: %s is not JSON: %v", res.Type, res.Name, field, err)
	}
	return doc
}

func statement(doc map[string]any, sid string) map[string]any {
	for _, s := range doc["Statement"].([]any) {
		if m := s.(map[string]any); m["Sid"] == sid {
			return m
		}
	}
	return nil
}

func lookup(res plan.Resource, path ...string) (any, bool) { return plan.Lookup(res.Inputs, path...) }

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// toString prints whole-number floats (how the engine records ints) as ints.
func toString(v any) string {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}
