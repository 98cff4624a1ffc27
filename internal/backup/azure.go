package backup

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// AzureStore reads one Blob container.
type AzureStore struct {
	Client *container.Client
	Name   string // for messages: account/container
}

// Location names the container.
func (a *AzureStore) Location() string { return "azblob://" + a.Name }

// List pages through the container's blobs.
func (a *AzureStore) List(ctx context.Context, prefix string) ([]Object, error) {
	var out []Object
	p := a.Client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr(prefix)})
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, &AccessError{Location: a.Location(), Err: err,
				Check: "the endpoint (--endpoint: the account's blob URL), the container name (--bucket or the stack's outputs) and that your Azure identity has Storage Blob Data Reader on it"}
		}
		for _, b := range page.Segment.BlobItems {
			o := Object{Key: *b.Name}
			if p := b.Properties; p != nil {
				o.Size = deref(p.ContentLength)
				o.Modified = deref(p.LastModified)
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// Stat reads the blob's properties: Content-MD5 when the writer set it, and
// the version-level immutability policy
// (https://learn.microsoft.com/azure/storage/blobs/immutable-storage-overview).
func (a *AzureStore) Stat(ctx context.Context, key string) (Attrs, error) {
	p, err := a.Client.NewBlobClient(key).GetProperties(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return Attrs{}, errors.Join(ErrNotFound, err)
	}
	if err != nil {
		return Attrs{}, err
	}
	at := Attrs{Size: deref(p.ContentLength), Modified: deref(p.LastModified), Checksums: map[string]string{}}
	if len(p.ContentMD5) > 0 {
		at.Checksums["MD5"] = base64.StdEncoding.EncodeToString(p.ContentMD5)
	}
	// A blob says only that it is server-encrypted
	// (x-ms-server-encrypted); the customer-managed key is the account's.
	at.Encrypted = deref(p.IsServerEncrypted)
	if p.ImmutabilityPolicyExpiresOn != nil {
		mode := ""
		if p.ImmutabilityPolicyMode != nil {
			mode = string(*p.ImmutabilityPolicyMode)
		}
		at.Lock = Lock{Mode: mode, Until: *p.ImmutabilityPolicyExpiresOn}
	}
	return at, nil
}

// Open streams the blob.
func (a *AzureStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := a.Client.NewBlobClient(key).DownloadStream(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil, errors.Join(ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return r.Body, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Create writes key once (If-None-Match "*": an existing blob is refused)
// with its Content-MD5, which Blob Storage checks on upload
// (transactional MD5) and keeps as the blob's property
// (https://learn.microsoft.com/rest/api/storageservices/put-blob). The
// container's immutability policy applies.
func (a *AzureStore) Create(ctx context.Context, key string, data []byte) error {
	sum := md5.Sum(data)
	_, err := a.Client.NewBlockBlobClient(key).Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), &blockblob.UploadOptions{
		HTTPHeaders:             &blob.HTTPHeaders{BlobContentMD5: sum[:], BlobContentType: to.Ptr("application/json")},
		TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{
			IfNoneMatch: to.Ptr(azcore.ETagAny),
		}},
	})
	if bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet) {
		return errors.Join(ErrExists, err)
	}
	return err
}
