package bootstrap

import "github.com/wedsync/wedsync-infra/policies/rules"

// PolicyConfig is the pack's config for the bootstrap program (pass it
// with `--policy-pack-config`). Its one exemption: on GCP the state
// buckets are versioned with soft delete instead of retention-locked,
// because a locked retention policy refuses every overwrite, and Pulumi
// rewrites a stack's state file on every update and deletes its lock files.
func PolicyConfig() rules.Config {
	reason := "Pulumi state is rewritten in place: GCS refuses overwrites under a retention policy, so the state bucket is versioned with soft delete for the retention instead"
	var ex []rules.Exemption
	for _, name := range []string{"state", "state-replica"} {
		ex = append(ex, rules.Exemption{
			URN:    "wedsync:backupbucket:BackupBucket$gcp:storage/bucket:Bucket::" + name,
			Policy: rules.PolicyBackupImmutability,
			Reason: reason,
		})
	}
	return rules.Config{Exemptions: ex}
}
