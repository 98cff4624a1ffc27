package drill

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/appaccess"
	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/autoscaling"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/ingress"
	"github.com/wedsync/wedsync-infra/components/network"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// wednesday is a peak-season Wednesday morning in London: no freeze.
var wednesday = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)

func repo(t *testing.T) *project.Project {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Find(wd)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The scratch stack is prod's DR stack as the DR path composes it, under a
// drill name, at the smallest size prod accepts, publishing no DNS record;
// and the program plans it without a mandatory violation.
func TestScratchIsTheDRPathSmallAndNamedForTheDrill(t *testing.T) {
	p := repo(t)
	s, err := PrepareScratch(context.Background(), p, "prod", wednesday)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "drill-prod-202606100900" || s.Region != "eu-west-1" {
		t.Errorf("scratch stack %s in %s, want drill-prod-202606100900 in prod's DR region eu-west-1", s.Name, s.Region)
	}
	for key, want := range map[string]map[string]string{
		"wedsync:recovery": {"sourceStack": "prod"},
		"wedsync:database": {"size": "small"},
		"wedsync:compute":  {"size": "small"},
		"wedsync:ingress":  {"failover": "standby"},
	} {
		got := map[string]any{}
		if err := json.Unmarshal([]byte(s.Config.Values[key]), &got); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for field, v := range want {
			if got[field] != v {
				t.Errorf("%s.%s = %v, want %s", key, field, got[field], v)
			}
		}
	}
	res, err := offline.PlanConfig(p.Name, s.Name, s.Config, wednesday)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Plan.MandatoryViolations(); n > 0 {
		t.Errorf("the scratch stack's plan has %d mandatory violations: %+v", n, res.Plan.Violations)
	}
	if res.Config.Recovery == nil || res.Config.Database.Size != "small" {
		t.Errorf("the program does not plan the scratch stack as a small recovery: %+v", res.Config.Recovery)
	}
}

// On a wedding Saturday the DR path refuses (the freeze), and so does the
// drill: no scratch stack is made.
func TestNoScratchStackInAFreeze(t *testing.T) {
	saturday := time.Date(2026, 6, 13, 12, 0, 0, 0, time.UTC)
	_, err := PrepareScratch(context.Background(), repo(t), "prod", saturday)
	var sp *ScratchProblems
	if !errors.As(err, &sp) || !sp.Frozen() {
		t.Fatalf("a drill on a wedding Saturday: %v, want the freeze as the one problem", err)
	}
}

// fakeStacks records what the drill asked of the backend.
type fakeStacks struct {
	createErr          error
	created, destroyed []string
}

func (f *fakeStacks) Create(_ context.Context, s *Scratch) (map[string]any, error) {
	f.created = append(f.created, s.Name)
	return map[string]any{"database": map[string]any{"endpoint": "restored.example"}}, f.createErr
}

func (f *fakeStacks) Destroy(_ context.Context, s *Scratch) (Teardown, error) {
	f.destroyed = append(f.destroyed, s.Name)
	return Teardown{Removed: true}, nil
}

// The scratch stack is destroyed whatever happened: checks passed, a
// check's SQL failed, the stack could not be created, the database could
// not be reached.
func TestTheScratchStackGoesWhateverHappened(t *testing.T) {
	needPostgres(t)
	good := DefaultChecks()
	broken := DefaultChecks()
	broken.Tables = append(broken.Tables, "no_such_table")
	connect := func(context.Context, map[string]any) (Restored, error) {
		return Restored{Postgres: pg.Postgres, Database: "wedsync", RestorePoint: time.Now()}, nil
	}
	unreachable := func(context.Context, map[string]any) (Restored, error) {
		return Restored{}, errors.New("connection refused")
	}
	for _, tc := range []struct {
		name      string
		checks    Checks
		createErr error
		connect   func(context.Context, map[string]any) (Restored, error)
		ok        bool
		failure   string
	}{
		{"restored_and_verified", good, nil, connect, true, ""},
		{"failing_verify_sql", broken, nil, connect, false, "fails the runbook's checks"},
		{"create_fails", good, errors.New("quota exceeded"), connect, false, "quota exceeded"},
		{"database_unreachable", good, nil, unreachable, false, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeStacks{createErr: tc.createErr}
			s := &Scratch{Name: "drill-prod-202606100900", Source: "prod", Region: "eu-west-1"}
			rep := RunRecovery(context.Background(), RecoveryOptions{Scratch: s, Stacks: f, Connect: tc.connect, Checks: tc.checks})
			if rep.OK != tc.ok || !strings.Contains(rep.Error, tc.failure) {
				t.Errorf("OK %v error %q, want OK %v and an error naming %q; checks %+v", rep.OK, rep.Error, tc.ok, tc.failure, rep.Checks)
			}
			if len(f.destroyed) != 1 || f.destroyed[0] != s.Name || !rep.Teardown.Removed {
				t.Errorf("destroyed %v (removed %v), want %s destroyed once", f.destroyed, rep.Teardown.Removed, s.Name)
			}
			if !rep.WithinRTO || rep.RTO != "4h0m0s" || rep.RestoreSeconds <= 0 {
				t.Errorf("restore time %.2fs against %s (within %v)", rep.RestoreSeconds, rep.RTO, rep.WithinRTO)
			}
		})
	}
}

// A drill's scratch stack adopts, creates and configures nothing of its
// source's data stores (stacks.Recovery.Drill): no resource of its plan
// names one of the source's backup buckets, their replicas, its erasure
// ledger or its hostname (a DNS record), on any cloud. Nor has it an app
// tier: no app group, ingress, app grants or configuration document is
// planned, and no resource but the restored database's own (encrypted with
// the source's key replicas it was backed up under) and the adopted keys'
// alarms grants on, encrypts with or connects to a key, vault or secret of
// the source. Broken variants: the same scratch stack with drill mode off
// is a rebuild: it adopts the replicas and has the app tier, and the
// checks find both; and the drill's plan with any one app-tier component
// of the rebuild put back (the grants step's, the serve step's, ...) is
// found.
func TestADrillTouchesNoneOfTheSourcesStores(t *testing.T) {
	p := repo(t)
	for _, source := range []string{"prod", "prod-gcp", "prod-azure"} {
		t.Run(source, func(t *testing.T) {
			s, err := PrepareScratch(context.Background(), p, source, wednesday)
			if err != nil {
				t.Fatal(err)
			}
			drill := planScratch(t, p, s, true)
			drilled, stores := sourceStoresTouched(t, p, drill)
			if len(stores) < 3 {
				t.Fatalf("only %d stores of %s in the scratch config (%v): the check would prove nothing", len(stores), source, stores)
			}
			if len(drilled) > 0 {
				t.Errorf("the drill of %s touches its stores:\n%s", source, strings.Join(drilled, "\n"))
			}
			marks := sourceKeyMarks(drill)
			if len(marks) < 3 {
				t.Fatalf("only %d keys, vaults or secrets of %s in the scratch config (%v): the check would prove nothing", len(marks), source, marks)
			}
			if used := appTierAndKeyUses(drill.Plan, marks); len(used) > 0 {
				t.Errorf("the drill of %s has an app tier or uses the source's keys beyond its database:\n%s", source, strings.Join(used, "\n"))
			}
			off := *s.Config
			off.Values = maps.Clone(s.Config.Values)
			v, err := withFields(off.Values["wedsync:recovery"], map[string]any{"drill": false})
			if err != nil {
				t.Fatal(err)
			}
			off.Values["wedsync:recovery"] = v
			rebuild := planScratch(t, p, &Scratch{Name: s.Name, Config: &off}, false)
			if rebuilt, _ := sourceStoresTouched(t, p, rebuild); len(rebuilt) == 0 {
				t.Errorf("with drill mode off the scratch stack of %s adopts nothing either: the check cannot fail", source)
			}
			if len(appTierAndKeyUses(rebuild.Plan, marks)) == 0 {
				t.Errorf("with drill mode off the scratch stack of %s has no app tier either: the check cannot fail", source)
			}
			for _, component := range []string{appaccess.Type, autoscaling.Type, ingress.Type, appconfig.Type, network.FlowLogsType} {
				back, n := withComponent(drill.Plan, rebuild.Plan, component)
				if n == 0 {
					continue // none on this cloud (GCP's flow logs are the subnetwork's)
				}
				if len(appTierAndKeyUses(back, marks)) == 0 {
					t.Errorf("the drill of %s with the rebuild's %s put back passes the check: it cannot fail", source, component)
				}
			}
		})
	}
}

// planScratch plans s; with deployable, the plan must pass the pack.
func planScratch(t *testing.T, p *project.Project, s *Scratch, deployable bool) *offline.Result {
	t.Helper()
	res, err := offline.PlanConfig(p.Name, s.Name, s.Config, wednesday)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Plan.MandatoryViolations(); deployable && n > 0 {
		t.Errorf("the plan of %s has %d mandatory violations: %+v", s.Name, n, res.Plan.Violations)
	}
	return res
}

// sourceStoresTouched returns each resource of res (URN: store) whose id
// or inputs name one of the source's stores, and those stores.
func sourceStoresTouched(t *testing.T, p *project.Project, res *offline.Result) (touched, stores []string) {
	t.Helper()
	out := res.Config.Recovery.SourceOutputs
	for _, b := range out.BackupBuckets {
		stores = append(stores, b.Bucket, b.Replica)
	}
	if l := out.ErasureLedger; l != nil {
		stores = append(stores, l.Bucket, l.Replica)
	}
	stores = slices.DeleteFunc(stores, func(s string) bool { return s == "" })
	// The source's hostname: its DNS records (the certificate's validation
	// record among them).
	src, err := offline.Plan(p, res.Config.Recovery.SourceStack, wednesday)
	if err != nil {
		t.Fatal(err)
	}
	stores = append(stores, src.Config.Ingress.Hostname)
	for _, r := range res.Plan.Resources {
		for _, store := range stores {
			if r.ID == store || names(r.Inputs, store) {
				touched = append(touched, r.URN+": "+store)
			}
		}
	}
	return touched, stores
}

// sourceKeyMarks are what names a key, vault or secret of the source in
// res's inputs: its key ids (on Azure also their vaults' URIs) and vault
// ids from recovery.sourceOutputs, and the name prefix of its secrets (AWS
// Secrets Manager, GCP Secret Manager; Azure's are in the vaults), as
// stacks' secretsLocation writes it.
func sourceKeyMarks(res *offline.Result) []string {
	out := res.Config.Recovery.SourceOutputs
	var marks []string
	for _, id := range out.Keys {
		vault, _, _ := strings.Cut(id, "/keys/")
		marks = append(marks, id, vault)
	}
	for _, id := range out.KeyVaults {
		marks = append(marks, id)
	}
	project, source := res.Config.Project, res.Config.Recovery.SourceStack
	switch res.Config.Cloud {
	case core.AWS:
		marks = append(marks, ":secret:"+project+"/"+source+"/")
	case core.GCP:
		marks = append(marks, "/secrets/"+project+"-"+source+"-")
	}
	slices.Sort(marks)
	return slices.Compact(slices.DeleteFunc(marks, func(m string) bool { return m == "" }))
}

// appTier are the components that serve traffic, which a drill has none
// of: the app group, its load balancer, its grants and its configuration.
var appTier = []string{autoscaling.Type, ingress.Type, appaccess.Type, appconfig.Type}

// keyWatches are the adopted store's resource types that only watch the
// source's keys (alarms on their deletion or denied use), granting nothing.
var keyWatches = []string{
	"aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/metricAlarm:MetricAlarm",
	"gcp:logging/metric:Metric", "gcp:monitoring/alertPolicy:AlertPolicy",
	"azure-native:insights:MetricAlert", "azure-native:insights:ActivityLogAlert",
}

// appTierAndKeyUses are the resources of pl (URN: why) of an app-tier
// component, and those naming one of marks (the source's keys, vaults and
// secrets) that are neither the database's (its copy is encrypted with
// the source's key replicas: inherent in a restore) nor the adopted
// store's watches.
func appTierAndKeyUses(pl *plan.Plan, marks []string) []string {
	var out []string
	for _, r := range pl.Resources {
		if c := slices.IndexFunc(appTier, func(c string) bool { return inComponent(r, c) }); c >= 0 {
			out = append(out, r.URN+": part of "+appTier[c])
			continue
		}
		if inComponent(r, database.Type) || (inComponent(r, secretsstore.AdoptedStoreType) && slices.Contains(keyWatches, r.Type)) {
			continue
		}
		for _, m := range marks {
			if names(r.Inputs, m) {
				out = append(out, r.URN+": names "+m)
			}
		}
	}
	return out
}

// inComponent reports whether r is the component of type typ or one of
// its children (the URN's type chain).
func inComponent(r plan.Resource, typ string) bool {
	return r.Type == typ || strings.Contains(r.URN, "::"+typ+"$")
}

// withComponent is pl with from's resources of component added, and how
// many of them are the cloud's (not components).
func withComponent(pl, from *plan.Plan, component string) (*plan.Plan, int) {
	out, n := *pl, 0
	out.Resources = slices.Clone(pl.Resources)
	for _, r := range from.Resources {
		if inComponent(r, component) {
			out.Resources = append(out.Resources, r)
			if r.Custom {
				n++
			}
		}
	}
	return &out, n
}

// names reports whether any string in v contains store.
func names(v any, store string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, store)
	case map[string]any:
		for _, e := range v {
			if names(e, store) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if names(e, store) {
				return true
			}
		}
	}
	return false
}
