package rules

import "testing"

// An account the transfer reads passes once it admits worker ranges, and
// is flagged while its default-deny firewall admits none.
func TestTransferSourceFirewallAdmitsTheWorkers(t *testing.T) {
	deny := map[string]any{"defaultAction": "Deny", "bypass": "AzureServices"}
	open := map[string]any{"defaultAction": "Deny", "bypass": "AzureServices",
		"ipRules": []any{map[string]any{"iPAddressOrRange": "192.0.2.0/24", "action": "Allow"}}}
	flagged := func(rules map[string]any, source string) bool {
		f := with(with(azureFixtures(), "backup", "networkRuleSet", rules), "backup-offsite", "transferSpec.azureBlobStorageDataSource.storageAccount", source)
		for _, v := range check("prod", f, Config{}, wednesday) {
			if v.Policy == PolicyOffsiteSourceFirewall {
				return true
			}
		}
		return false
	}
	if !flagged(deny, "wsbackupuks") {
		t.Error("a default-deny account the transfer reads, admitting no worker, passes")
	}
	if flagged(open, "wsbackupuks") {
		t.Error("an account admitting the worker ranges is flagged")
	}
	if flagged(deny, "someoneelse") {
		t.Error("an account no transfer reads is flagged")
	}
}
