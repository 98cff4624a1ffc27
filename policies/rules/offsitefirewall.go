package rules

// The offsite copy of an Azure stack (issue 16): a Storage Transfer job
// reads the backup accounts, whose firewalls deny by default; Storage
// Transfer's workers are not an Azure trusted service, so an account that
// admits none of their published ranges refuses every run
// (https://cloud.google.com/storage-transfer/docs/source-microsoft-azure,
// "IP restrictions").
const PolicyOffsiteSourceFirewall = "offsite-source-firewall"

func offsiteFirewallPolicies() []*Policy {
	return []*Policy{{
		Name: PolicyOffsiteSourceFirewall,
		Description: "An Azure storage account a Storage Transfer job reads (transferSpec.azureBlobStorageDataSource.storageAccount) whose " +
			"firewall denies by default admits Storage Transfer's worker ranges as IP rules (wedsync:backup.offsite.sourceRanges, from " +
			"https://www.gstatic.com/storage-transfer-service/ipranges.json); otherwise every transfer run is refused. Advisory until " +
			"prod-azure's stack config carries the ranges (.github/workflows/offsite-ranges.yml reports what they should be).",
		Level:  Advisory,
		Stack:  offsiteFirewallStack,
		Judges: []string{azStorageAccount},
	}}
}

func offsiteFirewallStack(s *Stack, _ *Env) []Finding {
	read := map[string]bool{}
	for _, j := range s.OfType(gcpTransferJob) {
		if name, st := str(j.Props, "transferSpec", "azureBlobStorageDataSource", "storageAccount"); st == known {
			read[name] = true
		}
	}
	var out []Finding
	for _, a := range s.OfType(azStorageAccount) {
		name, st := str(a.Props, "accountName")
		if st != known || !read[name] {
			continue
		}
		if action, st := str(a.Props, "networkRuleSet", "defaultAction"); st != known || action != "Deny" {
			continue
		}
		if rules, st := lookup(a.Props, "networkRuleSet", "ipRules"); st == unknown || (st == known && rules.IsArray() && rules.AsArray().Len() > 0) {
			continue
		}
		out = append(out, Finding{URN: a.URN, Message: fix("storage account %s is read by a Storage Transfer job but its firewall admits none of the transfer's worker ranges: every run is refused",
			"set wedsync:backup.offsite.sourceRanges to the IPv4 prefixes of https://www.gstatic.com/storage-transfer-service/ipranges.json", a.displayName())})
	}
	return out
}
