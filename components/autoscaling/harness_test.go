package autoscaling

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
	"github.com/wedsync/wedsync-infra/season"
)

var (
	testRegions = map[core.Cloud]string{core.AWS: "eu-west-2", core.GCP: "europe-west2", core.Azure: "uksouth"}
	testKeys    = map[core.Cloud]string{
		core.AWS:   "arn:aws:kms:eu-west-2:123456789012:key/11111111-1111-1111-1111-111111111111",
		core.GCP:   "projects/wedsync-prod/locations/europe-west2/keyRings/data/cryptoKeys/data",
		core.Azure: "https://wedsync-prod-uks.vault.azure.net/keys/data",
	}
	testVault   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/wedsync-prod-uks"
	testSubnets = map[core.Cloud][]string{
		core.AWS:   {"subnet-a", "subnet-b", "subnet-c"},
		core.GCP:   {"https://www.googleapis.com/compute/v1/projects/wedsync-prod/regions/europe-west2/subnetworks/app"},
		core.Azure: {"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app"},
	}
	testAlertIDs = map[core.Cloud]string{
		core.AWS:   "arn:aws:sns:eu-west-2:123456789012:wedsync-prod-alerts",
		core.GCP:   "projects/wedsync-prod/notificationChannels/123",
		core.Azure: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/alerts",
	}
	// testPools are what the ingress hands the group on each cloud.
	testPools = map[core.Cloud][]string{
		core.AWS:   {testTargetGroup},
		core.Azure: {testBackendPool},
	}
	london = mustLoc("Europe/London")
	// juneWednesday is an ordinary peak-season weekday morning.
	juneWednesday = time.Date(2026, 6, 10, 10, 17, 0, 0, london)
)

const (
	testTargetGroup = "arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/wedsync-prod-web-app/0123456789abcdef"
	testBackendPool = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/wedsync-prod-web-uks/backendAddressPools/app"
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func str(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }

// testCalendar is the default calendar, as a stack with no wedsync:season
// gets it.
func testCalendar() season.Config {
	c := season.Config{Timezone: "Europe/London"}
	c.ApplyDefaults()
	return c
}

func site(ctx *pulumi.Context, cloud core.Cloud) (core.Site, error) {
	region := testRegions[cloud]
	s := core.Site{Role: core.Primary, Cloud: cloud, Region: region}
	name := string(cloud) + "-primary"
	var err error
	switch cloud {
	case core.AWS:
		s.Provider, err = aws.NewProvider(ctx, name, &aws.ProviderArgs{Region: pulumi.String(region)})
	case core.GCP:
		s.GCPProject = "wedsync-prod"
		s.Provider, err = gcp.NewProvider(ctx, name, &gcp.ProviderArgs{Project: pulumi.String("wedsync-prod"), Region: pulumi.String(region)})
	case core.Azure:
		s.Provider, err = azurenative.NewProvider(ctx, name, &azurenative.ProviderArgs{Location: pulumi.String(region)})
		s.AzureResourceGroup = str("rg-primary")
	}
	return s, err
}

// testImages are a release's images in the test sites' regions and, with
// other ids, in a second region each: the group must launch its own
// region's. A fresh copy each call, so a test may change it.
func testImages() core.Images {
	azure := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/galleries/wedsync/images/app/versions/2026.6.1"
	return core.Images{
		AWS:   core.RegionImages{"eu-west-2": "ami-0abcdef1234567890", "eu-west-1": "ami-0fedcba9876543210"},
		GCP:   core.RegionImages{"europe-west2": "projects/wedsync-images/global/images/wedsync-app-20260601", "europe-west1": "projects/wedsync-images/global/images/wedsync-app-20260601-euw1"},
		Azure: core.RegionImages{"uksouth": azure, "ukwest": azure + "-ukw"},
	}
}

// testArgs are complete args for env on cloud at now: what a stack passes.
func testArgs(ctx *pulumi.Context, cloud core.Cloud, env core.Environment, now time.Time) (*AutoscalingGroupArgs, error) {
	primary, err := site(ctx, cloud)
	if err != nil {
		return nil, err
	}
	dep := core.Deployment{Project: "wedsync", Stack: string(env), Environment: env, Timezone: "Europe/London",
		Tags: core.StandardTags("wedsync", string(env), env, "platform", "wedsync-"+string(env), nil), Primary: primary}
	key := core.KeyID(core.DataKey, testRegions[cloud], testKeys[cloud])
	if cloud == core.Azure {
		key.VaultID = str(testVault)
		key.VaultURI = str("https://wedsync-prod-uks.vault.azure.net/")
		key.Name = str("data")
	}
	return &AutoscalingGroupArgs{
		Deployment: dep,
		Settings:   Settings{Image: testImages(), AdminSSHPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBreakGlass ops@wedsync"},
		Calendar:   testCalendar(),
		Now:        now,
		Key:        key,
		Network: core.Network{
			ID:                 str("vpc-0123456789abcdef0"),
			AppSubnetIDs:       pulumi.ToStringArray(testSubnets[cloud]).ToStringArrayOutput(),
			AppSecurityGroupID: str("sg-0app"),
		},
		Alerts:            &core.AlertTarget{IDs: pulumi.ToStringArray([]string{testAlertIDs[cloud]}).ToStringArrayOutput()},
		LoadBalancerPools: pulumi.ToStringArray(testPools[cloud]).ToStringArrayOutput(),
	}, nil
}

// resolved are the component's outputs once resolved.
type resolved struct {
	GroupID, GroupName, Identity, InstanceProfile, ValidUntil, InstanceGroup string
	Schedules                                                                []string
}

type result struct {
	*plan.Plan
	out  resolved
	args AutoscalingGroupArgs
}

// planGroup plans a group named "app" on cloud for env at now, after
// change adjusts the args.
func planGroup(t *testing.T, cloud core.Cloud, env core.Environment, now time.Time, change func(*AutoscalingGroupArgs)) result {
	t.Helper()
	var (
		mu   sync.Mutex
		out  resolved
		used AutoscalingGroupArgs
	)
	p, err := plan.Run(plan.Options{Project: "wedsync", Stack: string(env), Environment: string(env)}, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, cloud, env, now)
		if err != nil {
			return err
		}
		if change != nil {
			change(args)
		}
		used = *args
		g, err := NewAutoscalingGroup(ctx, "app", args)
		if err != nil {
			return err
		}
		pulumi.All(g.GroupID, g.GroupName, g.Identity, g.InstanceProfile, g.SchedulesValidUntil, g.Schedules, g.InstanceGroup).ApplyT(func(v []any) error {
			mu.Lock()
			defer mu.Unlock()
			out = resolved{GroupID: v[0].(string), GroupName: v[1].(string), Identity: v[2].(string),
				InstanceProfile: v[3].(string), ValidUntil: v[4].(string), Schedules: v[5].([]string), InstanceGroup: v[6].(string)}
			return nil
		})
		return nil
	})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	used.Settings.ApplyDefaults(env)
	return result{Plan: p, out: out, args: used}
}

// planErr plans like planGroup and returns the program's error.
func planErr(cloud core.Cloud, env core.Environment, change func(*AutoscalingGroupArgs)) error {
	return testkit.PlanErr(env, func(ctx *pulumi.Context) error {
		args, err := testArgs(ctx, cloud, env, juneWednesday)
		if err != nil {
			return err
		}
		if change != nil {
			change(args)
		}
		_, err = NewAutoscalingGroup(ctx, "app", args)
		return err
	})
}

func (r result) all(typ string) []plan.Resource {
	var out []plan.Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

func (r result) one(t *testing.T, typ string) plan.Resource {
	t.Helper()
	found := r.all(typ)
	if len(found) != 1 {
		t.Fatalf("plan has %d resources of type %s, want 1", len(found), typ)
	}
	return found[0]
}

// want asserts the input at path of res equals want (numbers as float64).
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

func lookupString(res plan.Resource, path ...string) string {
	v, _ := plan.Lookup(res.Inputs, path...)
	s, _ := v.(string)
	return s
}

func lookupInt(res plan.Resource, path ...string) int {
	v, _ := plan.Lookup(res.Inputs, path...)
	f, _ := v.(float64)
	return int(f)
}

func lookupList(res plan.Resource, path ...string) []any {
	v, _ := plan.Lookup(res.Inputs, path...)
	l, _ := v.([]any)
	return l
}

// expectProblems asserts err names each field.
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

// mismatch is one hour at which the planned schedules disagree with the
// calendar.
type mismatch struct {
	at        time.Time
	got, want season.Capacity
}

// compare checks simulated samples against the calendar; fields picks what
// to compare.
func compare(cal season.Config, samples []season.Sample, fields func(season.Capacity) season.Capacity) []mismatch {
	var out []mismatch
	for _, s := range samples {
		want := fields(cal.CapacityAt(s.Time))
		if got := fields(s.Capacity); got != want {
			out = append(out, mismatch{s.Time, got, want})
		}
	}
	return out
}

func allFields(c season.Capacity) season.Capacity { return c }
func minOnly(c season.Capacity) season.Capacity   { return season.Capacity{Min: c.Min} }

func report(t *testing.T, ms []mismatch) {
	t.Helper()
	for i, m := range ms {
		if i == 10 {
			t.Errorf("... and %d more", len(ms)-10)
			return
		}
		t.Errorf("%s: planned schedules give %+v, calendar %+v", m.at.In(london).Format("Mon 2006-01-02 15:04 MST"), m.got, m.want)
	}
}

// saturdayAfternoons are wedding-day instants in both seasons.
var saturdayAfternoons = []time.Time{
	time.Date(2026, 6, 13, 14, 0, 0, 0, london),
	time.Date(2026, 8, 22, 14, 0, 0, 0, london),
	time.Date(2027, 1, 16, 14, 0, 0, 0, london),
	time.Date(2027, 3, 13, 14, 0, 0, 0, london),
}

// sampleAt returns the hourly sample covering at.
func sampleAt(t *testing.T, samples []season.Sample, at time.Time) season.Capacity {
	t.Helper()
	for _, s := range samples {
		if !s.Time.After(at) && at.Before(s.Time.Add(time.Hour)) {
			return s.Capacity
		}
	}
	t.Fatalf("no sample covers %s", at)
	return season.Capacity{}
}

// customResources lists the plan's custom resources (not providers).
func (r result) customResources() []plan.Resource {
	var out []plan.Resource
	for _, res := range r.Resources {
		if res.Custom && !strings.HasPrefix(res.Type, "pulumi:providers:") {
			out = append(out, res)
		}
	}
	return out
}
