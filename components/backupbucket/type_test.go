package backupbucket

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
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
	buckets := testkit.Registered(regs, "wedsync:backupbucket:BackupBucket")
	if len(buckets) != 1 {
		t.Fatalf("%d backup buckets registered as wedsync:backupbucket:BackupBucket, want 1", len(buckets))
	}
	if !slices.Contains(buckets[0].AliasTypes, "wedsync:backup:BackupBucket") {
		t.Errorf("aliases %v lack the old token wedsync:backup:BackupBucket", buckets[0].AliasTypes)
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
			var imported []testkit.Registration
			for _, r := range regs {
				if r.ImportID != "" {
					imported = append(imported, r)
				}
			}
			if len(imported) != 1 || imported[0].Type != c.typ || imported[0].Name != "db-exports" {
				t.Fatalf("imported %v, want only the primary %s db-exports", imported, c.typ)
			}
			bucket := imported[0]
			if bucket.ImportID != existing {
				t.Errorf("the primary imports %q, want %q", bucket.ImportID, existing)
			}
			if got := bucket.Inputs[resource.PropertyKey(c.field)]; !got.IsString() || got.StringValue() != existing {
				t.Errorf("the primary's %s = %v, want the adopted bucket's name %q", c.field, got, existing)
			}
			if !slices.Equal(bucket.IgnoreChanges, c.ignored) {
				t.Errorf("ignoreChanges = %v, want %v", bucket.IgnoreChanges, c.ignored)
			}
		})
	}
	t.Run("without_adoption_nothing_is_imported", func(t *testing.T) {
		for _, r := range testkit.Registrations(t, core.Prod, fixture{cloud: core.AWS, env: core.Prod}.program) {
			if r.ImportID != "" {
				t.Errorf("%s %s imports %s", r.Type, r.Name, r.ImportID)
			}
		}
	})
}
