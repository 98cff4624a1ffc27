package stacks_test

import (
	"testing"
)

// Every shipped network records its flows: AWS VPCs through a flow log of
// all traffic into a log group under a key that expires by the
// environment's retention; GCP subnetworks through their log config.
func TestEveryShippedNetworkHasFlowLogs(t *testing.T) {
	retention := map[string]float64{"dev": 14, "staging": 14, "prod": 90, "prod-dr": 90}
	for _, stack := range []string{"dev", "staging", "prod", "prod-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			vpc := oneOf(t, p, "aws:ec2/vpc:Vpc", "")
			flow := oneOf(t, p, "aws:ec2/flowLog:FlowLog", "")
			group := oneOf(t, p, "aws:cloudwatch/logGroup:LogGroup", "primary-flow-logs")
			if lookup(flow, "vpcId") != vpc.ID || lookup(flow, "trafficType") != "ALL" || lookup(flow, "logDestination") == nil {
				t.Errorf("flow log = %v, want all traffic of VPC %s", flow.Inputs, vpc.ID)
			}
			if lookup(group, "kmsKeyId") == nil || lookup(group, "retentionInDays") != retention[stack] {
				t.Errorf("flow log group = %v, want a key and %v days", group.Inputs, retention[stack])
			}
		})
	}
	for _, stack := range []string{"prod-gcp", "prod-gcp-dr"} {
		t.Run(stack, func(t *testing.T) {
			sn := oneOf(t, prodPlan(t, stack), "gcp:compute/subnetwork:Subnetwork", "")
			if lookup(sn, "logConfig", "metadata") != "INCLUDE_ALL_METADATA" {
				t.Errorf("subnetwork log config = %v", lookup(sn, "logConfig"))
			}
		})
	}
}
