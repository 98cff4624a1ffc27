package rules

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// In a real preview an input naming another resource is often unknown; the
// engine still records which resources it comes from. Those, and only
// those, are what it may refer to.
func TestAnUnknownInputRefersOnlyToWhatTheEngineSaysItComesFrom(t *testing.T) {
	inventory := &Resource{URN: "urn:pulumi:dev::wedsync::wedsync:backupbucket:BackupBucket$aws:s3/inventory:Inventory::media-inventory",
		Props: property.NewMap(map[string]property.Value{"bucket": property.New(property.Computed)})}
	media := &Resource{URN: "urn:pulumi:dev::wedsync::wedsync:backupbucket:BackupBucket$aws:s3/bucketV2:BucketV2::media"}
	reports := &Resource{URN: "urn:pulumi:dev::wedsync::wedsync:backupbucket:BackupBucket$aws:s3/bucketV2:BucketV2::media-inventory"}

	if got := inventory.refers("bucket", reports); got != maybe {
		t.Errorf("no dependencies recorded: an unknown may refer to anything, got %v", got)
	}
	inventory.Deps = map[string][]string{"bucket": {media.URN}}
	if got := inventory.refers("bucket", media); got != yes {
		t.Errorf("the engine says bucket comes from media: got %v, want yes", got)
	}
	if got := inventory.refers("bucket", reports); got != no {
		t.Errorf("the engine says bucket comes from media alone: got %v for the report bucket, want no", got)
	}
}
