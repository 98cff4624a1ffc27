package backupbucket

import (
	"slices"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// TestTypeKeepsTheOldTokenAsAlias: the component registers as Type, whose
// module is the package, and keeps the token stacks were deployed under as
// an alias, so they update in place instead of replacing every bucket.
func TestTypeKeepsTheOldTokenAsAlias(t *testing.T) {
	if Type != "wedsync:backupbucket:BackupBucket" {
		t.Errorf("Type = %s, want the module to be the package name", Type)
	}
	regs := testkit.Registrations(t, core.Dev, fixture{cloud: core.AWS, env: core.Dev, noDR: true}.program)
	c := testkit.Registered(t, regs, Type, "db-exports")
	if aliases := testkit.AliasTypes(c); !slices.Contains(aliases, "wedsync:backup:BackupBucket") {
		t.Errorf("aliases %v lack the old token wedsync:backup:BackupBucket", aliases)
	}
}

// TestAdoptionImportsTheExistingBucket: an adopted primary is the existing
// bucket, imported under its own name, with its tags or labels and
// forceDestroy left unmanaged; nothing else is imported.
func TestAdoptionImportsTheExistingBucket(t *testing.T) {
	const existing = "wedsync-prod-backup-db-exports-replica-euw1"
	for _, c := range []struct {
		cloud      core.Cloud
		typ, field string
		ignored    []string
	}{
		{core.AWS, s3BucketT, "bucket", []string{"tags", "tagsAll", "forceDestroy"}},
		{core.GCP, gcsBucketT, "name", []string{"labels", "effectiveLabels", "terraformLabels", "forceDestroy"}},
	} {
		t.Run(string(c.cloud), func(t *testing.T) {
			regs := testkit.Registrations(t, core.Prod, fixture{cloud: c.cloud, env: core.Prod, adopt: existing}.program)
			bucket := testkit.Registered(t, regs, c.typ, "db-exports")
			if got := bucket.GetImportId(); got != existing {
				t.Errorf("the primary imports %q, want %q", got, existing)
			}
			if got := bucket.GetObject().GetFields()[c.field].GetStringValue(); got != existing {
				t.Errorf("the primary's %s = %q, want the adopted bucket's name %q", c.field, got, existing)
			}
			if got := bucket.GetIgnoreChanges(); !slices.Equal(got, c.ignored) {
				t.Errorf("ignoreChanges = %v, want %v", got, c.ignored)
			}
			for _, r := range regs {
				if r.GetImportId() != "" && r != bucket {
					t.Errorf("%s %s is imported too (%s); only the adopted bucket is", r.GetType(), r.GetName(), r.GetImportId())
				}
			}
		})
	}
	t.Run("without_adoption_nothing_is_imported", func(t *testing.T) {
		for _, r := range testkit.Registrations(t, core.Prod, fixture{cloud: core.AWS, env: core.Prod}.program) {
			if r.GetImportId() != "" {
				t.Errorf("%s %s imports %s", r.GetType(), r.GetName(), r.GetImportId())
			}
		}
	})
}
