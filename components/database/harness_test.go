package database

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// The principals of the test stacks: an administrator group and the
// application's identity, as each cloud names them. AWS needs none.
var (
	testAdmins = map[core.Cloud][]Principal{
		core.GCP:   {{ID: "dba@wedsync.co.uk", Kind: GroupPrincipal}},
		core.Azure: {{Name: "WedSync DBAs", ID: "44444444-4444-4444-4444-444444444444", Kind: GroupPrincipal}},
	}
	testApps = map[core.Cloud][]Principal{
		core.GCP:   {{ID: "wedsync-app@wedsync-prod.iam.gserviceaccount.com", Kind: ServiceAccountPrincipal}},
		core.Azure: {{Name: "wedsync-prod-app", ID: "55555555-5555-5555-5555-555555555555", Kind: ServiceAccountPrincipal}},
	}
)

// dataKey is the literal id of the test data key at a site.
func dataKey(cloud core.Cloud, role core.Role) string {
	return testkit.KeyID(cloud, core.DataKey, role)
}

// testArgs are complete args for env on cloud: what a stack would pass.
func testArgs(ctx *pulumi.Context, cloud core.Cloud, env core.Environment) (*DatabaseArgs, error) {
	dep, err := testkit.Deployment(ctx, cloud, env)
	if err != nil {
		return nil, err
	}
	args := &DatabaseArgs{
		Deployment:    dep,
		Settings:      Settings{Administrators: slices.Clone(testAdmins[cloud])},
		Key:           testkit.Key(cloud, core.DataKey, core.Primary),
		SecretsKey:    testkit.Key(cloud, core.SecretsKey, core.Primary),
		Network:       testkit.Network(cloud),
		Alerts:        testkit.Alerts(cloud),
		AppPrincipals: slices.Clone(testApps[cloud]),
	}
	if dep.DR != nil {
		args.DRKey = testkit.Key(cloud, core.DataKey, core.DR)
	}
	return args, nil
}

// resolved are the component's outputs once resolved.
type resolved struct {
	Endpoint, DatabaseName, CredentialsSecret, KeyID, SourceID, ConnectPolicy string
	Port                                                                      int
	PoolerEndpoint                                                            string
	PoolerPort                                                                int
	AppUsers                                                                  []string
	ReplicaEndpoints                                                          []string
}

// result is a planned database: the plan, the component's outputs, and the
// resolved ids the test args were built from (the testkit's network,
// vaults and alert target), by name.
type result struct {
	*plan.Plan
	out resolved
	in  map[string]string
}

// planDB plans a database named "main" on cloud for env, after change
// adjusts the args.
func planDB(t *testing.T, cloud core.Cloud, env core.Environment, change func(*DatabaseArgs)) result {
	t.Helper()
	var mu sync.Mutex
	r := result{in: map[string]string{}}
	capture := func(key string, o pulumi.StringOutput) {
		if o == (pulumi.StringOutput{}) {
			return // not given on this cloud
		}
		o.ApplyT(func(v string) string {
			mu.Lock()
			defer mu.Unlock()
			r.in[key] = v
			return v
		})
	}
	r.Plan = testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, cloud, env)
		if err != nil {
			return err
		}
		if change != nil {
			change(args)
		}
		if args.Alerts != nil {
			capture("alerts", args.Alerts.IDs.Index(pulumi.Int(0)))
		}
		capture("network", args.Network.ID)
		capture("dnsZone", args.Network.DatabasePrivateDNSZoneID)
		capture("databaseSecurityGroup", args.Network.DatabaseSecurityGroupID)
		if args.Network.DatabaseSubnetIDs != (pulumi.StringArrayOutput{}) {
			capture("databaseSubnet", args.Network.DatabaseSubnetIDs.Index(pulumi.Int(0)))
		}
		capture("vault", args.Key.VaultID)
		if args.DRKey != nil {
			capture("drVault", args.DRKey.VaultID)
		}
		db, err := NewDatabase(ctx, "main", args)
		if err != nil {
			return err
		}
		pulumi.All(db.Endpoint, db.Port, db.DatabaseName, db.CredentialsSecret, db.KeyID, db.SourceID, db.ConnectPolicy, db.AppUsers, db.PoolerEndpoint, db.PoolerPort, db.ReplicaEndpoints).ApplyT(func(v []any) error {
			mu.Lock()
			defer mu.Unlock()
			r.out = resolved{Endpoint: v[0].(string), Port: v[1].(int), DatabaseName: v[2].(string),
				CredentialsSecret: v[3].(string), KeyID: v[4].(string), SourceID: v[5].(string),
				ConnectPolicy: v[6].(string), AppUsers: v[7].([]string), PoolerEndpoint: v[8].(string), PoolerPort: v[9].(int),
				ReplicaEndpoints: v[10].([]string)}
			return nil
		})
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	return r
}

// planErr plans like planDB and returns the program's error.
func planErr(cloud core.Cloud, env core.Environment, change func(*DatabaseArgs)) error {
	return testkit.PlanErr(env, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, cloud, env)
		if err != nil {
			return err
		}
		if change != nil {
			change(args)
		}
		_, err = NewDatabase(ctx, "main", args)
		return err
	})
}

// provider returns the URN of the provider named name ("aws-dr").
func (r result) provider(t *testing.T, name string) string {
	t.Helper()
	for _, res := range r.Resources {
		if strings.HasPrefix(res.Type, "pulumi:providers:") && res.Name == name {
			return res.URN
		}
	}
	t.Fatalf("plan has no provider %s", name)
	return ""
}

// want asserts that the input at path of res equals want (numbers compare
// as float64, as the engine records them).
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

// absent asserts that res has no input at path.
func absent(t *testing.T, res plan.Resource, path ...string) {
	t.Helper()
	if got, ok := plan.Lookup(res.Inputs, path...); ok && got != nil {
		t.Errorf("%s %s: %s = %v, want it unset", res.Type, res.Name, strings.Join(path, "."), got)
	}
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

// primaryOf is the database's primary server of type typ (named "main"),
// among its read replicas (main-read1, ...).
func primaryOf(t *testing.T, p *plan.Plan, typ string) plan.Resource {
	t.Helper()
	for _, r := range testkit.OfType(p, typ) {
		if r.Name == "main" {
			return r
		}
	}
	t.Fatalf("plan has no %s main", typ)
	return plan.Resource{}
}
