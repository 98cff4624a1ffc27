package erasureledger

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GCP roles on the ledger bucket. Object Creator holds
// storage.objects.create only: without storage.objects.delete a write can
// never replace an existing object
// (cloud.google.com/storage/docs/access-control/iam-roles), and the locked
// retention policy refuses deletes by anyone until an entry's time is up.
const (
	GCPWriterRole = "roles/storage.objectCreator"
	GCPReaderRole = "roles/storage.objectViewer"
)

// gcp grants the app's service account Object Creator and each reader
// Object Viewer on the bucket. The bucket's CMEK is used by the GCS
// service agent, so no identity needs the key.
func (b *builder) gcp() (outputs, error) {
	grant := func(suffix, role string, email pulumi.StringOutput) error {
		_, err := storage.NewBucketIAMMember(b.ctx, b.name+"-"+suffix, &storage.BucketIAMMemberArgs{
			Bucket: b.c.Bucket,
			Role:   pulumi.String(role),
			Member: pulumi.Sprintf("serviceAccount:%s", email),
		}, b.opts()...)
		return err
	}
	if b.a.Writer != (pulumi.StringOutput{}) { // a DR stack's app too: see Writer
		if err := grant("writer", GCPWriterRole, b.a.Writer); err != nil {
			return outputs{}, err
		}
	}
	for i, r := range b.a.Readers {
		if err := grant(fmt.Sprintf("reader-%d", i), GCPReaderRole, r); err != nil {
			return outputs{}, err
		}
	}
	return outputs{grants: []string{"app: " + GCPWriterRole, "readers: " + GCPReaderRole}}, nil
}
