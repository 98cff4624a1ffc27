package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/alerting"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/season"
)

// The small stack: 2 instances off season, 4 in peak (May-October), 6 on
// wedding days (Fri 16:00 to Sun 02:00, Europe/London), nothing above the
// floor; one NAT (or Azure: a private DNS zone) and one key.
func smallSeason() season.Config {
	return season.Config{
		Timezone:    "Europe/London",
		PeakMonths:  "May-October",
		WeddingDays: season.WeeklyWindow{Start: "Fri 16:00", End: "Sun 02:00"},
		Capacity: season.Capacities{
			OffSeason:  season.Capacity{Min: 2, Max: 4, Desired: 2},
			Peak:       season.Capacity{Min: 4, Max: 8, Desired: 4},
			WeddingDay: season.Capacity{Min: 6, Max: 10, Desired: 6},
		},
	}
}

func smallStack(cloud, region string, resources ...plan.Resource) Stack {
	all := []plan.Resource{{URN: "urn:pulumi:small::wedsync::pulumi:pulumi:Stack::wedsync-small", Type: "pulumi:pulumi:Stack"}}
	for _, r := range resources {
		r.Custom = true
		r.URN = "urn:pulumi:small::wedsync::" + r.Type + "::" + r.Name
		all = append(all, r)
	}
	return Stack{
		Name: "small", Environment: "dev", Cloud: cloud, Region: region, Season: smallSeason(),
		Budget: alerting.BudgetSettings{Amount: 500, PeakAmount: 1000, Currency: "USD"},
		Plan:   &plan.Plan{Stack: "small", Resources: all},
	}
}

func smallAssumptions() *Assumptions {
	return &Assumptions{Version: 1, Environment: "dev", File: "test", Usage: map[string]float64{"natDataGB": 100},
		BillingCurrency: map[string]string{"aws": "USD"}, USDPer: map[string]float64{"GBP": 1.27}}
}

func loadTable(t testing.TB) *Table {
	t.Helper()
	tab, err := LoadTable("../../pricing")
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// Instance-hours by hand, from the calendar (Europe/London):
//
//	January 2027 (744 h, no clock change): Fridays 1, 8, 15, 22, 29; each
//	wedding window Fri 16:00 - Sun 02:00 is 34 h, all inside January:
//	5 x 34 = 170 h at 6, 744 - 170 = 574 h at 2 -> 574x2 + 170x6 = 2168.
//	July 2027 (744 h, all BST): Fridays 2, 9, 16, 23 (34 h each) and 30
//	(16:00 to Aug 1 00:00 = 32 h): 168 h at 6, 576 h at the peak's 4
//	-> 576x4 + 168x6 = 3312.
const janInstanceHours, julInstanceHours = 2168, 3312

func TestHandCalculationPerCloud(t *testing.T) {
	tab := loadTable(t)
	for _, tc := range []struct {
		name     string
		st       Stack
		jan, jul float64
	}{
		{
			// pricing/aws-eu-west-2.yaml (aws.amazon.com/ec2/pricing/on-demand, /vpc/pricing, /kms/pricing):
			// m7i.xlarge 0.2352/h; NAT 0.050/h x 744 h = 37.20, + 100 GB x 0.050 = 5.00; key 1.00.
			// Jan: 2168 x 0.2352 = 509.9136 + 37.20 + 5.00 + 1.00 = 553.1136
			// Jul: 3312 x 0.2352 = 778.9824 + 37.20 + 5.00 + 1.00 = 822.1824
			name: "aws",
			st: smallStack("aws", "eu-west-2",
				plan.Resource{Type: "aws:ec2/launchTemplate:LaunchTemplate", Name: "app", Inputs: map[string]any{"instanceType": "m7i.xlarge"}},
				plan.Resource{Type: "aws:ec2/natGateway:NatGateway", Name: "nat", Inputs: map[string]any{}},
				plan.Resource{Type: "aws:kms/key:Key", Name: "key", Inputs: map[string]any{}}),
			jan: 553.11, jul: 822.18,
		},
		{
			// pricing/gcp-europe-west2.yaml (cloud.google.com/compute/vm-instance-pricing, /nat/pricing, /kms/pricing):
			// n2-standard-4 = 4 x 0.0408 + 16 x 0.00547 = 0.25072/h; Cloud NAT 0.0014 per VM-hour
			// + 100 GB x 0.045 = 4.50; key version 0.06.
			// Jan: 2168 x 0.25072 = 543.56096 + 2168 x 0.0014 = 3.0352 + 4.50 + 0.06 = 551.15616
			// Jul: 3312 x 0.25072 = 830.38464 + 3312 x 0.0014 = 4.6368 + 4.50 + 0.06 = 839.58144
			name: "gcp",
			st: smallStack("gcp", "europe-west2",
				plan.Resource{Type: "gcp:compute/instanceTemplate:InstanceTemplate", Name: "app", Inputs: map[string]any{"machineType": "n2-standard-4"}},
				plan.Resource{Type: "gcp:compute/routerNat:RouterNat", Name: "nat", Inputs: map[string]any{}},
				plan.Resource{Type: "gcp:kms/cryptoKey:CryptoKey", Name: "key", Inputs: map[string]any{}}),
			jan: 551.16, jul: 839.58,
		},
		{
			// pricing/azure-uksouth.yaml (azure.microsoft.com/pricing/details/virtual-machines/linux, /key-vault, /dns):
			// Standard_D4s_v5 0.222/h; HSM key 1.00; private DNS zone 0.50.
			// Jan: 2168 x 0.222 = 481.296 + 1.00 + 0.50 = 482.796
			// Jul: 3312 x 0.222 = 735.264 + 1.00 + 0.50 = 736.764
			name: "azure",
			st: smallStack("azure", "uksouth",
				plan.Resource{Type: "azure-native:compute:VirtualMachineScaleSet", Name: "app", Inputs: map[string]any{"sku": map[string]any{"name": "Standard_D4s_v5"}}},
				plan.Resource{Type: "azure-native:keyvault:Key", Name: "key", Inputs: map[string]any{}},
				plan.Resource{Type: "azure-native:network:PrivateZone", Name: "zone", Inputs: map[string]any{}}),
			jan: 482.80, jul: 736.76,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Estimate(tc.st, 2027, tab, smallAssumptions())
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Unpriced) > 0 {
				t.Fatalf("unpriced: %+v", r.Unpriced)
			}
			jan, jul := r.Months[0], r.Months[6]
			if jan.InstanceHours != janInstanceHours || jul.InstanceHours != julInstanceHours {
				t.Errorf("instance-hours Jan %v, Jul %v; want %d, %d", jan.InstanceHours, jul.InstanceHours, janInstanceHours, julInstanceHours)
			}
			if math.Abs(jan.Total-tc.jan) > 0.005 || math.Abs(jul.Total-tc.jul) > 0.005 {
				t.Errorf("Jan %.2f (peak %v), Jul %.2f (peak %v); want %.2f off-peak, %.2f peak", jan.Total, jan.Peak, jul.Total, jul.Peak, tc.jan, tc.jul)
			}
			if jan.Peak || !jul.Peak {
				t.Errorf("peak: Jan %v, Jul %v; want false, true", jan.Peak, jul.Peak)
			}
		})
	}
}

// A longer peak season (April-October) raises April and nothing else.
func TestLongerPeakRaisesOnlyThePeakMonths(t *testing.T) {
	tab := loadTable(t)
	for _, cloud := range []struct {
		cloud, region, typ string
		inputs             map[string]any
	}{
		{"aws", "eu-west-2", "aws:ec2/launchTemplate:LaunchTemplate", map[string]any{"instanceType": "m7i.xlarge"}},
		{"gcp", "europe-west2", "gcp:compute/instanceTemplate:InstanceTemplate", map[string]any{"machineType": "n2-standard-4"}},
		{"azure", "uksouth", "azure-native:compute:VirtualMachineScaleSet", map[string]any{"sku": map[string]any{"name": "Standard_D4s_v5"}}},
	} {
		st := smallStack(cloud.cloud, cloud.region, plan.Resource{Type: cloud.typ, Name: "app", Inputs: cloud.inputs})
		before, err := Estimate(st, 2027, tab, smallAssumptions())
		if err != nil {
			t.Fatal(err)
		}
		st.Season.PeakMonths = "April-October"
		after, err := Estimate(st, 2027, tab, smallAssumptions())
		if err != nil {
			t.Fatal(err)
		}
		for m := range after.Months {
			b, a := before.Months[m], after.Months[m]
			switch {
			case m == 3 && !(a.Total > b.Total && a.Peak):
				t.Errorf("%s April: %.2f -> %.2f (peak %v); want a rise, as a peak month", cloud.cloud, b.Total, a.Total, a.Peak)
			case m != 3 && a.Total != b.Total:
				t.Errorf("%s %s: %.2f -> %.2f; only April should change", cloud.cloud, a.Month, b.Total, a.Total)
			}
		}
	}
}

func TestRemovedPriceIsNamedUnpriced(t *testing.T) {
	st := smallStack("aws", "eu-west-2",
		plan.Resource{Type: "aws:ec2/natGateway:NatGateway", Name: "nat", Inputs: map[string]any{}},
		plan.Resource{Type: "aws:kms/key:Key", Name: "key", Inputs: map[string]any{}})
	r, err := Estimate(st, 2027, loadTable(t).Without("aws:kms/key:Key"), smallAssumptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unpriced) != 1 || r.Unpriced[0].Type != "aws:kms/key:Key" {
		t.Fatalf("unpriced %+v; want aws:kms/key:Key alone", r.Unpriced)
	}
	// A type in no list at all is named too, never a silent zero.
	st.Plan.Resources = append(st.Plan.Resources, plan.Resource{Type: "aws:ec2/vpnGateway:VpnGateway", Name: "vpn", Custom: true})
	if r, _ = Estimate(st, 2027, loadTable(t), smallAssumptions()); len(r.Unpriced) != 1 || !strings.Contains(r.Unpriced[0].Reason, "free.yaml") {
		t.Fatalf("unpriced %+v; want the VPN gateway named", r.Unpriced)
	}
}

func TestMissingAssumptionIsUnpriced(t *testing.T) {
	st := smallStack("aws", "eu-west-2", plan.Resource{Type: "aws:s3/bucketV2:BucketV2", Name: "photos", Inputs: map[string]any{}})
	r, err := Estimate(st, 2027, loadTable(t), smallAssumptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unpriced) != 1 || !strings.Contains(r.Unpriced[0].Reason, "photos") {
		t.Fatalf("unpriced %+v; want the bucket without a size named", r.Unpriced)
	}
}

// The commitment is the level where no more than (1 - discount) of the
// hours run above it: here 0.27 off, 8,760 hours of which 1,000 at 3 and
// the rest at 1 -> commit 1 (3 would be used only 11% of the hours).
// On demand: 7,760 + 3,000 = 10,760; committed: 8,760 x 0.73 + 1,000 x 2
// = 6,394.8 + 2,000 = 8,394.8; saving 2,365.2.
func TestCommitmentLevel(t *testing.T) {
	hourly := make([]float64, 8760)
	for i := range hourly {
		hourly[i] = 1
		if i < 1000 {
			hourly[i] = 3
		}
	}
	s := commitment(hourly, Commitment{Name: "test", Discount: 0.27})
	if s.LevelPerHour != 1 || s.OnDemand != 10760 || math.Abs(s.Committed-8394.8) > 0.005 || math.Abs(s.Saving-2365.2) > 0.005 {
		t.Fatalf("%+v; want level 1, on demand 10760, committed 8394.8, saving 2365.2", s)
	}
}

// A peak season running into November is flagged: capacity kept after
// October serves no season. The shipped May-October calendar is not.
func TestPeakAfterOctoberIsFlagged(t *testing.T) {
	st := smallStack("aws", "eu-west-2", plan.Resource{Type: "aws:ec2/launchTemplate:LaunchTemplate", Name: "app", Inputs: map[string]any{"instanceType": "m7i.xlarge"}})
	r, err := Estimate(st, 2027, loadTable(t), smallAssumptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Flags) != 0 {
		t.Fatalf("flags %v; want none for May-October", r.Flags)
	}
	st.Season.PeakMonths = "May-November"
	if r, err = Estimate(st, 2027, loadTable(t), smallAssumptions()); err != nil {
		t.Fatal(err)
	}
	if len(r.Flags) != 1 || !strings.HasPrefix(r.Flags[0], "peak capacity after October") {
		t.Fatalf("flags %v; want peak capacity after October", r.Flags)
	}
}
