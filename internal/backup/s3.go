package backup

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Store reads one S3 bucket.
type S3Store struct {
	Client *s3.Client
	Bucket string
}

// Location names the bucket.
func (s *S3Store) Location() string { return "s3://" + s.Bucket }

// List pages through ListObjectsV2.
func (s *S3Store) List(ctx context.Context, prefix string) ([]Object, error) {
	var out []Object
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, &AccessError{Location: s.Location(), Err: err,
				Check: "the endpoint and region (--endpoint, AWS_REGION), the bucket name (--bucket or the stack's outputs) and that your AWS identity has s3:ListBucket and s3:GetObject on it"}
		}
		for _, o := range page.Contents {
			out = append(out, Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
		}
	}
	return out, nil
}

// Stat asks HeadObject with ChecksumMode ENABLED, so S3 returns the
// additional checksum recorded at write time
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html),
// and the object's retention (Object Lock).
func (s *S3Store) Stat(ctx context.Context, key string) (Attrs, error) {
	h, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.Bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		return Attrs{}, s3NotFound(err)
	}
	a := Attrs{Size: aws.ToInt64(h.ContentLength), Modified: aws.ToTime(h.LastModified), Checksums: map[string]string{}}
	for alg, v := range map[string]*string{"SHA256": h.ChecksumSHA256, "CRC64NVME": h.ChecksumCRC64NVME, "CRC32C": h.ChecksumCRC32C} {
		if v != nil && *v != "" {
			a.Checksums[alg] = *v
		}
	}
	// SSE-KMS names its key ARN
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
	a.KeyPerObject, a.KeyID = true, aws.ToString(h.SSEKMSKeyId)
	a.Encrypted = h.ServerSideEncryption != ""
	if h.ObjectLockRetainUntilDate != nil {
		a.Lock = Lock{Mode: string(h.ObjectLockMode), Until: *h.ObjectLockRetainUntilDate}
	}
	return a, nil
}

// Open streams GetObject's body.
func (s *S3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	o, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	if err != nil {
		return nil, s3NotFound(err)
	}
	return o.Body, nil
}

func s3NotFound(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey") {
		return errors.Join(ErrNotFound, err)
	}
	return err
}

// Create writes key once: If-None-Match "*" refuses an existing key (S3
// conditional writes,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html),
// and ChecksumAlgorithm SHA256 makes S3 verify and keep the object's
// SHA-256 as its additional checksum
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
// The bucket's default encryption and Object Lock retention apply.
func (s *S3Store) Create(ctx context.Context, key string, data []byte) error {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.Bucket, Key: &key, Body: bytes.NewReader(data),
		ContentType:       aws.String("application/json"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		IfNoneMatch:       aws.String("*"),
	})
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "PreconditionFailed" {
		return errors.Join(ErrExists, err)
	}
	return err
}
