package stacks_test

import (
	"testing"
)

// Every shipped network records its flows: AWS VPCs through a flow log of
// all traffic into a log group under a key that expires by the
// environment's retention; GCP subnetworks through their log config; Azure
// virtual networks through a Network Watcher flow log (NSG flow logs can no
// longer be created) into a closed, key-encrypted account of their own,
// kept the same retention.
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
	for _, stack := range []string{"prod-azure", "prod-azure-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := prodPlan(t, stack)
			vnet := oneOf(t, p, "azure-native:network/v20240301:VirtualNetwork", "")
			flow := oneOf(t, p, "azure-native:network/v20240301:FlowLog", "")
			account := oneOf(t, p, "azure-native:storage:StorageAccount", "primary-flow-logs")
			policy := oneOf(t, p, "azure-native:storage:ManagementPolicy", "primary-flow-logs")
			if lookup(flow, "targetResourceId") != vnet.ID || lookup(flow, "storageId") != account.ID || lookup(flow, "enabled") != true ||
				lookup(flow, "retentionPolicy", "days") != 90.0 || lookup(flow, "networkWatcherName") != "NetworkWatcher_"+lookup(vnet, "location").(string) {
				t.Errorf("flow log = %v, want the network %s into account %s for 90 days", flow.Inputs, vnet.ID, account.ID)
			}
			if lookup(account, "encryption", "keySource") != "Microsoft.Keyvault" || lookup(account, "networkRuleSet", "defaultAction") != "Deny" ||
				lookup(account, "allowSharedKeyAccess") != false || !account.Protect {
				t.Errorf("flow log account = %v, want the stack's key, closed, Entra ID only, protected", account.Inputs)
			}
			rules := lookup(policy, "policy", "rules").([]any)
			if len(rules) != 1 || lookupMap(rules[0].(map[string]any), "definition", "actions", "baseBlob", "delete", "daysAfterModificationGreaterThan") != 90.0 {
				t.Errorf("flow log lifecycle = %v, want records deleted after 90 days", rules)
			}
		})
	}
}
