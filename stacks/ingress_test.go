package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// oneOf returns the plan's only resource of type typ named name ("" for
// any name).
func oneOf(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	var found []plan.Resource
	for _, r := range p.Resources {
		if r.Type == typ && (name == "" || r.Name == name) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s %s, plan has %d", typ, name, len(found))
	}
	return found[0]
}

// Traffic reaches every shipped stack's app group through its load
// balancer: the plan shows the reference on each cloud, DR stacks too.
func TestEveryStacksAppGroupIsBehindItsLoadBalancer(t *testing.T) {
	for _, stack := range []string{"dev", "staging", "prod", "prod-dr"} {
		t.Run(stack+"_asg_is_in_the_albs_target_group", func(t *testing.T) {
			p := prodPlan(t, stack)
			forward := lookup(oneOf(t, p, "aws:lb/listener:Listener", "web-https"), "defaultActions", "0", "targetGroupArn")
			asg := oneOf(t, p, "aws:autoscaling/group:Group", "")
			if got := lookup(asg, "targetGroupArns", "0"); got == nil || got != forward {
				t.Errorf("ASG targetGroupArns[0] = %v, want the HTTPS listener's target group %v", got, forward)
			}
			if got := lookup(asg, "healthCheckType"); got != "ELB" {
				t.Errorf("ASG healthCheckType = %v, want ELB", got)
			}
		})
	}
	for _, stack := range []string{"prod-gcp", "prod-gcp-dr"} {
		t.Run(stack+"_backend_service_names_the_mig", func(t *testing.T) {
			p := prodPlan(t, stack)
			mig := oneOf(t, p, "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager", "")
			want := "https://www.googleapis.com/compute/v1/projects/" + projectOf(mig) + "/regions/" + lookup(mig, "region").(string) + "/instanceGroups/" + lookup(mig, "name").(string)
			if got := lookup(oneOf(t, p, "gcp:compute/backendService:BackendService", ""), "backends", "0", "group"); got != want {
				t.Errorf("backend service group = %v, want the MIG's instance group %s", got, want)
			}
		})
	}
	for _, stack := range []string{"prod-azure", "prod-azure-dr"} {
		t.Run(stack+"_scale_set_joins_the_gateway_pool", func(t *testing.T) {
			p := prodPlan(t, stack)
			gw := oneOf(t, p, "azure-native:network:ApplicationGateway", "")
			vmss := oneOf(t, p, "azure-native:compute:VirtualMachineScaleSet", "")
			got := lookup(vmss, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", "0", "ipConfigurations", "0", "applicationGatewayBackendAddressPools", "0", "id")
			if want := gw.ID + "/backendAddressPools/app"; got != want {
				t.Errorf("scale set's pool = %v, want %s", got, want)
			}
		})
	}
}

// projectOf is the GCP project a resource's id names.
func projectOf(r plan.Resource) string {
	const prefix = "projects/"
	rest := r.ID[len(prefix):]
	for i, c := range rest {
		if c == '/' {
			return rest[:i]
		}
	}
	return rest
}

// Each prod stack's dashboard draws the traffic panels from its own load
// balancer.
func TestDashboardsShowTrafficErrorsLatencyAndBudget(t *testing.T) {
	dashboards := map[string]string{"aws": "aws:cloudwatch/dashboard:Dashboard", "gcp": "gcp:monitoring/dashboard:Dashboard", "azure": "azure-native:insights:Workbook"}
	for cloud, stack := range prodStacks {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			body := fmt.Sprint(oneOf(t, p, dashboards[cloud], "").Inputs)
			for _, panel := range []string{"Traffic in: requests", "Traffic in: 5xx", "Traffic in: p99 latency", "Traffic in: availability per day"} {
				if !strings.Contains(body, panel) {
					t.Errorf("the dashboard has no %q panel", panel)
				}
			}
			want := map[string]string{"aws": "app/wedsync-prod-web/", "gcp": "wedsync-prod-gcp-web", "azure": "/applicationGateways/"}[cloud]
			if !strings.Contains(body, want) {
				t.Errorf("the traffic panels do not name the load balancer (%s)", want)
			}
		})
	}
}
