package backup

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
)

// GCSStore reads one Cloud Storage bucket.
type GCSStore struct {
	Client *storage.Client
	Bucket string
}

// Location names the bucket.
func (g *GCSStore) Location() string { return "gs://" + g.Bucket }

// List pages through the bucket's objects.
func (g *GCSStore) List(ctx context.Context, prefix string) ([]Object, error) {
	var out []Object
	it := g.Client.Bucket(g.Bucket).Objects(ctx, &storage.Query{Prefix: prefix})
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, &AccessError{Location: g.Location(), Err: err,
				Check: "the endpoint (--endpoint, STORAGE_EMULATOR_HOST), the bucket name (--bucket or the stack's outputs) and that your Google identity (application default credentials) has storage.objects.list and storage.objects.get on it"}
		}
		out = append(out, Object{Key: o.Name, Size: o.Size, Modified: o.Updated})
	}
}

// Stat reads the object's attributes: CRC32C always, MD5 for non-composite
// objects (https://cloud.google.com/storage/docs/data-validation), and the
// later of its own retention and the bucket retention policy's expiry.
func (g *GCSStore) Stat(ctx context.Context, key string) (Attrs, error) {
	o, err := g.Client.Bucket(g.Bucket).Object(key).Attrs(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return Attrs{}, errors.Join(ErrNotFound, err)
	}
	if err != nil {
		return Attrs{}, err
	}
	a := Attrs{Size: o.Size, Modified: o.Updated, Checksums: map[string]string{}}
	crc := make([]byte, 4)
	binary.BigEndian.PutUint32(crc, o.CRC32C)
	a.Checksums["CRC32C"] = base64.StdEncoding.EncodeToString(crc)
	if len(o.MD5) > 0 {
		a.Checksums["MD5"] = base64.StdEncoding.EncodeToString(o.MD5)
	}
	// kmsKeyName carries the key version used
	// (https://cloud.google.com/storage/docs/json_api/v1/objects#resource);
	// the stack names the key.
	a.KeyPerObject, a.Encrypted = true, true
	a.KeyID, _, _ = strings.Cut(o.KMSKeyName, "/cryptoKeyVersions/")
	if r := o.Retention; r != nil && !r.RetainUntil.IsZero() {
		a.Lock = Lock{Mode: r.Mode, Until: r.RetainUntil}
	}
	if t := o.RetentionExpirationTime; t.After(a.Lock.Until) {
		a.Lock = Lock{Mode: "bucket-retention-policy", Until: t}
	}
	return a, nil
}

// Open streams the object.
func (g *GCSStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := g.Client.Bucket(g.Bucket).Object(key).NewReader(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return nil, errors.Join(ErrNotFound, err)
	}
	return r, err
}

// Create writes key once (precondition ifGenerationMatch=0, so an existing
// object is refused) and sends its CRC32C and MD5, which GCS checks on
// upload and keeps with the object
// (https://cloud.google.com/storage/docs/request-preconditions,
// https://cloud.google.com/storage/docs/data-validation). The bucket's
// default CMEK and retention policy apply.
func (g *GCSStore) Create(ctx context.Context, key string, data []byte) error {
	w := g.Client.Bucket(g.Bucket).Object(key).If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
	w.ContentType = "application/json"
	w.CRC32C, w.SendCRC32C = crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)), true
	sum := md5.Sum(data)
	w.MD5 = sum[:]
	if _, err := w.Write(data); err != nil {
		_ = w.Close() // the write error is the one to report
		return err
	}
	err := w.Close()
	var api *googleapi.Error
	if errors.As(err, &api) && api.Code == http.StatusPreconditionFailed {
		return errors.Join(ErrExists, err)
	}
	return err
}
