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

	"github.com/wedsync/wedsync-infra/internal/offline"
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
// ledger or its hostname (a DNS record), on any cloud. The broken variant, the same scratch stack with
// drill mode off, is a rebuild: it adopts the replicas, and the check
// finds them.
func TestADrillTouchesNoneOfTheSourcesStores(t *testing.T) {
	p := repo(t)
	for _, source := range []string{"prod", "prod-gcp", "prod-azure"} {
		t.Run(source, func(t *testing.T) {
			s, err := PrepareScratch(context.Background(), p, source, wednesday)
			if err != nil {
				t.Fatal(err)
			}
			drilled, stores := sourceStoresTouched(t, p, s, true)
			if len(stores) < 3 {
				t.Fatalf("only %d stores of %s in the scratch config (%v): the check would prove nothing", len(stores), source, stores)
			}
			if len(drilled) > 0 {
				t.Errorf("the drill of %s touches its stores:\n%s", source, strings.Join(drilled, "\n"))
			}
			off := *s.Config
			off.Values = maps.Clone(s.Config.Values)
			v, err := withFields(off.Values["wedsync:recovery"], map[string]any{"drill": false})
			if err != nil {
				t.Fatal(err)
			}
			off.Values["wedsync:recovery"] = v
			rebuilt, _ := sourceStoresTouched(t, p, &Scratch{Name: s.Name, Config: &off}, false)
			if len(rebuilt) == 0 {
				t.Errorf("with drill mode off the scratch stack of %s adopts nothing either: the check cannot fail", source)
			}
		})
	}
}

// sourceStoresTouched plans s and returns each resource (URN: store) whose
// id or inputs name one of the source's stores, and those stores; with
// deployable, the plan must pass the pack.
func sourceStoresTouched(t *testing.T, p *project.Project, s *Scratch, deployable bool) (touched, stores []string) {
	t.Helper()
	res, err := offline.PlanConfig(p.Name, s.Name, s.Config, wednesday)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Plan.MandatoryViolations(); deployable && n > 0 {
		t.Errorf("the plan of %s has %d mandatory violations: %+v", s.Name, n, res.Plan.Violations)
	}
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
