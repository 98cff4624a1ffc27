package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// Ledger is one copy of a stack's erasure ledger (the primary, or its DR
// replica), read and appended through the cloud's SDK.
type Ledger struct {
	Store backup.Store
}

// Location is where a ledger copy is.
type Location struct {
	Cloud, Region string
	// Bucket is the bucket (AWS, GCP) or storage account (Azure).
	Bucket string
	// Replica says this is the DR copy.
	Replica bool
}

// tier is the location as internal/backup opens stores.
func (l Location) tier() backup.Tier {
	t := backup.Tier{Tier: "ledger", Purpose: "erasure-ledger", Cloud: l.Cloud, Region: l.Region, Bucket: l.Bucket}
	if l.Cloud == "azure" {
		// The ledger is the "backups" container of its own account.
		t.Bucket, t.URL = "backups", "https://"+l.Bucket+".blob.core.windows.net/backups"
	}
	return t
}

// String names the location in messages.
func (l Location) String() string {
	copyName := "primary"
	if l.Replica {
		copyName = "DR replica"
	}
	return fmt.Sprintf("%s %s %s (%s)", l.Cloud, l.Region, l.Bucket, copyName)
}

// Open opens the ledger at l, with endpoints replacing the clouds' own
// (the emulators in tests).
func Open(ctx context.Context, l Location, ep backup.Endpoints) (*Ledger, error) {
	st, err := backup.Open(ctx, l.tier(), ep)
	if err != nil {
		return nil, &backup.AccessError{Location: l.String(), Err: err, Check: "the cloud's credentials and the ledger's location (the stack's erasureLedger output)"}
	}
	return &Ledger{Store: st}, nil
}

// ErrExists is returned by Append when the entry is already in the ledger.
var ErrExists = errors.New("the entry is already in the ledger")

// Append writes e as a new object, never replacing one: S3 If-None-Match,
// a GCS DoesNotExist precondition, an Azure If-None-Match: * condition.
// On S3 the upload names SSE-KMS, which the ledger's bucket policy demands.
func (l *Ledger) Append(ctx context.Context, e Entry) error {
	body, err := e.Marshal()
	if err != nil {
		return err
	}
	key := e.Key()
	switch st := l.Store.(type) {
	case *backup.S3Store:
		_, err = st.Client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &st.Bucket, Key: &key, Body: bytes.NewReader(body), IfNoneMatch: aws.String("*"),
			ContentType: aws.String("application/json"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		})
	case *backup.GCSStore:
		w := st.Client.Bucket(st.Bucket).Object(key).If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
		w.ContentType = "application/json"
		if _, err = w.Write(body); err == nil {
			err = w.Close()
		} else {
			_ = w.Close()
		}
	case *backup.AzureStore:
		etag := azcore.ETagAny
		_, err = st.Client.NewBlockBlobClient(key).UploadBuffer(ctx, body, &blockblob.UploadBufferOptions{
			AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &etag}},
			HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: aws.String("application/json")},
		})
	default:
		return fmt.Errorf("%s: cannot append to this store", l.Store.Location())
	}
	if err != nil && preconditionFailed(err) {
		return fmt.Errorf("%s: %w", key, ErrExists)
	}
	return err
}

func preconditionFailed(err error) bool {
	s := err.Error()
	return strings.Contains(s, "PreconditionFailed") || strings.Contains(s, "412") || strings.Contains(s, "BlobAlreadyExists") || strings.Contains(s, "conditionNotMet")
}

// Read is one entry read from the ledger, or why it could not be used.
type Read struct {
	Key   string
	Entry Entry
	Err   error
}

// Entries reads every entry done at or after since, oldest first. An
// object that is not a well-formed entry is returned with its error (the
// others are still usable); a ledger that cannot be listed is an error.
func (l *Ledger) Entries(ctx context.Context, since time.Time) ([]Read, error) {
	objs, err := l.Store.List(ctx, Prefix)
	if err != nil {
		return nil, err
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	var out []Read
	for _, o := range objs {
		t, ok := KeyTime(o.Key)
		if ok && t.Before(since) {
			continue
		}
		r := Read{Key: o.Key}
		if !ok {
			r.Err = fmt.Errorf("not an entry's name (want %sYYYY/MM/DD/<time>-<requestId>.json)", Prefix)
		} else {
			r.Entry, r.Err = l.read(ctx, o.Key)
		}
		out = append(out, r)
	}
	return out, nil
}

// maxEntryBytes bounds what is read of one entry: an entry is a few
// hundred bytes.
const maxEntryBytes = 64 << 10

func (l *Ledger) read(ctx context.Context, key string) (Entry, error) {
	rc, err := l.Store.Open(ctx, key)
	if err != nil {
		return Entry{}, err
	}
	defer func() { _ = rc.Close() }()
	data, err := io.ReadAll(io.LimitReader(rc, maxEntryBytes))
	if err != nil {
		return Entry{}, err
	}
	return Parse(key, data)
}
