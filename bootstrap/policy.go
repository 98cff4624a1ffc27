package bootstrap

import "github.com/wedsync/wedsync-infra/policies/rules"

// PolicyConfig is the pack's config for the bootstrap stack named stack:
// set it as the stack's `wedsync:policy` (the pack's stack policies read
// only that) and pass rules.PackConfigFile of it with
// `--policy-pack-config`. Its exemptions:
//   - on GCP the state buckets from backup-immutability: they are versioned
//     with soft delete instead of retention-locked, because a locked
//     retention policy refuses every overwrite, and Pulumi rewrites a
//     stack's state file on every update and deletes its lock files;
//   - the stack from erasure-ledger: the backend holds Pulumi state and
//     the stacks' secrets keys, no person's data, so there is nothing a
//     restore could bring back that an erasure removed.
func PolicyConfig(stack string) rules.Config {
	reason := "Pulumi state is rewritten in place: GCS refuses overwrites under a retention policy, so the state bucket is versioned with soft delete for the retention instead"
	var ex []rules.Exemption
	for _, name := range []string{"state", "state-replica"} {
		ex = append(ex, rules.Exemption{
			URN:    "wedsync:backupbucket:BackupBucket$gcp:storage/bucket:Bucket::" + name,
			Policy: rules.PolicyBackupImmutability,
			Reason: reason,
		})
	}
	ex = append(ex, rules.Exemption{
		URN:    "pulumi:pulumi:Stack::" + Project + "-" + stack,
		Policy: rules.PolicyErasureLedger,
		Reason: "the state backend holds Pulumi state and secrets keys, no personal data: there is nothing to erase",
	})
	return rules.Config{Exemptions: ex}
}
