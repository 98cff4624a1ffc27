package backup

import (
	"context"
	"errors"
	"io"
	"time"
)

// Store is the little of a bucket (S3), bucket (GCS) or container (Azure)
// that verify needs. Every method only reads.
type Store interface {
	// Location names the store for messages: s3://bucket, gs://bucket, ...
	Location() string
	// List returns every object under prefix, with its size.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Stat returns one object's size, the checksums the cloud recorded and
	// its lock. It returns an error wrapping ErrNotFound when it is absent.
	Stat(ctx context.Context, key string) (Attrs, error)
	// Open streams an object's bytes.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Object is one listed object.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// Attrs is what the cloud says about one object.
type Attrs struct {
	Size     int64
	Modified time.Time
	// Checksums the cloud recorded, by algorithm (SHA256, CRC64NVME,
	// CRC32C, MD5), base64 as the API returns them.
	Checksums map[string]string
	Lock      Lock
	// KeyID is the customer-managed key the cloud says encrypts the object
	// (S3's SSE-KMS key ARN, GCS's kmsKeyName without its version); "" when
	// the object has none or the cloud does not say per object.
	KeyID string
	// KeyPerObject is false where the cloud does not report the key per
	// object (Azure Blob: the account's key encrypts every blob, and the
	// blob says only that it is server-encrypted).
	KeyPerObject bool
	// Encrypted is the cloud's word that the object is encrypted at rest.
	Encrypted bool
}

// Lock is an object's write-once protection: S3 Object Lock retention, GCS
// object retention or retention policy, Azure immutability policy.
type Lock struct {
	Mode  string    // e.g. COMPLIANCE, GOVERNANCE, Locked, Unlocked; "" when none
	Until time.Time // zero when none
}

// ErrNotFound is wrapped by Stat and Open when the object is absent.
var ErrNotFound = errors.New("object not found")

// AccessError is a store that cannot be read at all (unreachable endpoint,
// wrong bucket, no permission): bad input, not a finding.
type AccessError struct {
	Location string
	Err      error
	Check    string // what the operator should check
}

func (e *AccessError) Error() string {
	return "cannot read " + e.Location + ": " + e.Err.Error() + "; check " + e.Check
}

func (e *AccessError) Unwrap() error { return e.Err }
