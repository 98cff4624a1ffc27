package cost

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
)

var fleetNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var (
	fleetOnce  sync.Once
	fleetErr   error
	fleetPlans []Stack
)

// fleet plans every shipped stack once per test binary.
func fleet(t testing.TB) []Stack {
	t.Helper()
	fleetOnce.Do(func() {
		p, err := project.Load("../..")
		if err != nil {
			fleetErr = err
			return
		}
		names, err := p.Stacks()
		if err != nil {
			fleetErr = err
			return
		}
		for _, s := range names {
			res, err := offline.Plan(p, s, fleetNow)
			if err != nil {
				fleetErr = err
				return
			}
			fleetPlans = append(fleetPlans, FromPlan(res))
		}
	})
	if fleetErr != nil {
		t.Fatal(fleetErr)
	}
	if len(fleetPlans) != 8 {
		t.Fatalf("%d shipped stacks; want the 8", len(fleetPlans))
	}
	return fleetPlans
}

// Every billable type in every shipped plan has a price in its region, or
// an entry in pricing/free.yaml saying why it costs nothing or is not
// priced: no silent zero.
func TestEveryShippedPlanIsFullyPriced(t *testing.T) {
	tab := loadTable(t)
	for _, st := range fleet(t) {
		a, err := LoadAssumptions("../../pricing", st.Environment)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Estimate(st, 2027, tab, a)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range r.Unpriced {
			t.Errorf("stack %s: %s in %s is unpriced: %s", st.Name, u.Type, u.Region, u.Reason)
		}
		if r.Total <= 0 {
			t.Errorf("stack %s: total %v", st.Name, r.Total)
		}
		// The broken variant: without the compute price the run names it.
		compute := map[string]string{"aws": "aws:ec2/launchTemplate:LaunchTemplate", "gcp": "gcp:compute/instanceTemplate:InstanceTemplate", "azure": "azure-native:compute:VirtualMachineScaleSet"}[st.Cloud]
		broken, err := Estimate(st, 2027, tab.Without(compute), a)
		if err != nil {
			t.Fatal(err)
		}
		if len(broken.Unpriced) == 0 || broken.Unpriced[0].Type != compute {
			t.Errorf("stack %s without the %s price: unpriced %+v", st.Name, compute, broken.Unpriced)
		}
	}
	for typ, why := range tab.Free {
		if strings.TrimSpace(why) == "" {
			t.Errorf("pricing/free.yaml: %s has no reason", typ)
		}
	}
	for typ, why := range tab.NotPriced {
		if strings.TrimSpace(why) == "" {
			t.Errorf("pricing/free.yaml: %s (not priced) has no reason", typ)
		}
	}
}

func TestDiffNamesTheChangeAndThePeakMonthFirst(t *testing.T) {
	tab := loadTable(t)
	var st Stack
	for _, s := range fleet(t) {
		if s.Name == "prod" {
			st = s
		}
	}
	a, err := LoadAssumptions("../../pricing", "prod")
	if err != nil {
		t.Fatal(err)
	}
	head, err := Estimate(st, 2027, tab, a)
	if err != nil {
		t.Fatal(err)
	}
	base, err := Estimate(st, 2027, tab.Without("aws:ec2/natGateway:NatGateway"), a)
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(base, head)
	if d.PeakMonth == "" || d.PeakDelta <= 0 || d.YearDelta <= 0 || len(d.Resources) != 3 {
		t.Fatalf("diff %+v; want the 3 NAT gateways added, a peak month and a positive year", d)
	}
	for _, r := range d.Resources {
		if r.Type != "aws:ec2/natGateway:NatGateway" || r.Change != "added" {
			t.Errorf("resource %+v; want a NAT gateway added (the base had no cost for it)", r)
		}
	}
	var buf bytes.Buffer
	d.WriteMarkdown(&buf)
	if !strings.HasPrefix(buf.String(), "### Cost: stack prod\n\nPeak month 2027-") {
		t.Errorf("markdown starts %q; want the peak month's delta first", buf.String()[:60])
	}
}

func TestChartDrawsBudgets(t *testing.T) {
	st := fleet(t)[0]
	a, err := LoadAssumptions("../../pricing", st.Environment)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Estimate(st, 2027, loadTable(t), a)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := r.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"budget peak", "budget off-peak", "compute", "monitoring"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the chart has no %q", want)
		}
	}
	png, err := r.Render("png")
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("png: %v", err)
	}
}

// BenchmarkFleet estimates the 8 shipped stacks from their plans (planned
// once, outside the timer). Target: under 0.5 s for the fleet.
func BenchmarkFleet(b *testing.B) {
	stacks := fleet(b)
	tab := loadTable(b)
	as := map[string]*Assumptions{}
	for _, st := range stacks {
		a, err := LoadAssumptions("../../pricing", st.Environment)
		if err != nil {
			b.Fatal(err)
		}
		as[st.Environment] = a
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, st := range stacks {
			if _, err := Estimate(st, 2027, tab, as[st.Environment]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFleetWithPlans includes the offline plans, as `cost` runs.
func BenchmarkFleetWithPlans(b *testing.B) {
	p, err := project.Load("../..")
	if err != nil {
		b.Fatal(err)
	}
	tab := loadTable(b)
	names, _ := p.Stacks()
	for i := 0; i < b.N; i++ {
		for _, s := range names {
			if _, err := EstimateStack(p, s, fleetNow, 2027, tab, PricingDir(p)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
