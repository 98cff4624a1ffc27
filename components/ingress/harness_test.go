package ingress

import (
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// testMIG is the instance group the GCP tests' backend service must name.
const testMIG = "https://www.googleapis.com/compute/v1/projects/wedsync-prod/regions/europe-west2/instanceGroups/wedsync-prod-app"

// testArgs are complete args for env on cloud: what a stack passes.
func testArgs(ctx *pulumi.Context, cloud core.Cloud, env core.Environment) (*IngressArgs, error) {
	dep, err := testkit.Deployment(ctx, cloud, env)
	if err != nil {
		return nil, err
	}
	args := &IngressArgs{Deployment: dep, Network: testkit.Network(cloud), Alerts: testkit.Alerts(cloud)}
	switch cloud {
	case core.GCP:
		args.Backend = testkit.Str(testMIG)
	case core.Azure:
		args.Vault = testkit.Key(cloud, core.SecretsKey, core.Primary)
	}
	return args, nil
}

// result is a planned ingress and its resolved outputs.
type result struct {
	*plan.Plan
	pools            []string
	address, lbID    string
	hostname, rawURL string
}

// planIngress plans an ingress named "web" on cloud for env, after change
// adjusts the args.
func planIngress(t *testing.T, cloud core.Cloud, env core.Environment, change func(*IngressArgs)) *result {
	t.Helper()
	var mu sync.Mutex
	r := &result{}
	r.Plan = testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, cloud, env)
		if err != nil {
			return err
		}
		if change != nil {
			change(args)
		}
		in, err := NewIngress(ctx, "web", args)
		if err != nil {
			return err
		}
		pulumi.All(in.Pools, in.Address, in.LoadBalancerID, in.Hostname, in.URL).ApplyT(func(v []any) error {
			mu.Lock()
			defer mu.Unlock()
			r.pools, r.address, r.lbID, r.hostname, r.rawURL = v[0].([]string), v[1].(string), v[2].(string), v[3].(string), v[4].(string)
			return nil
		})
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	return r
}

// planErr plans like planIngress and returns the program's error and how
// many resources were registered.
func planErr(cloud core.Cloud, env core.Environment, change func(*IngressArgs)) error {
	return testkit.PlanErr(env, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, cloud, env)
		if err != nil {
			return err
		}
		change(args)
		_, err = NewIngress(ctx, "web", args)
		return err
	})
}

// want asserts that the input at path of res equals want.
func want(t *testing.T, res plan.Resource, want any, path ...string) {
	t.Helper()
	got, ok := plan.Lookup(res.Inputs, path...)
	if i, isInt := want.(int); isInt {
		want = float64(i)
	}
	if !ok || got != want {
		t.Errorf("%s %s: %s = %v (set: %v), want %v", res.Type, res.Name, strings.Join(path, "."), got, ok, want)
	}
}

// named returns the resource of type typ named name.
func named(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	for _, r := range testkit.OfType(p, typ) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s named %s", typ, name)
	return plan.Resource{}
}

// expectProblems asserts err lists a problem naming each of fields.
func expectProblems(t *testing.T, err error, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want problems with %v", fields)
	}
	for _, f := range fields {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error does not name %s:\n%v", f, err)
		}
	}
}

// A standby entry point (a DR stack) stands ready without claiming the
// hostname: no record on any cloud, while a plain one publishes exactly one.
func TestStandbyClaimsNoHostname(t *testing.T) {
	records := map[core.Cloud]string{core.AWS: "aws:route53/record:Record", core.GCP: "gcp:dns/recordSet:RecordSet", core.Azure: "azure-native:network:RecordSet"}
	for cloud, typ := range records {
		for failover, n := range map[string]int{FailoverStandby: 0, FailoverNone: 1} {
			r := planIngress(t, cloud, core.Prod, func(a *IngressArgs) { a.Settings.Failover = failover })
			got := 0
			for _, rec := range testkit.OfType(r.Plan, typ) {
				if strings.HasSuffix(rec.URN, "::web-hostname") {
					got++
				}
			}
			if got != n {
				t.Errorf("%s %s: %d %s, want %d", cloud, failover, got, typ, n)
			}
		}
	}
}
