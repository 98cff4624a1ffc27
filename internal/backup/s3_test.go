package backup

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// newS3Client is an aws-sdk-go-v2 S3 client for endpoint with transport.
func newS3Client(endpoint string, rt http.RoundTripper) *s3.Client {
	return s3.New(s3.Options{
		Region:       "eu-west-2",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   &http.Client{Transport: rt},
	})
}

// s3Emulator is gofakes3 in-process. It records no additional checksum
// (cloudChecksum "": the comparison is covered by
// TestCloudChecksumAtTheInterface) and no Object Lock (TestLockAtTheInterface).
func s3Emulator(t testing.TB) (emulator, string) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	seed := newS3Client(srv.URL, http.DefaultTransport)
	return emulator{name: "gofakes3", newBucket: func(t testing.TB, bucket string) (func(string, []byte), Store) {
		ctx := context.Background()
		if _, err := seed.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}
		put := func(key string, data []byte) {
			if _, err := seed.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data)}); err != nil {
				t.Fatal(err)
			}
		}
		return put, &S3Store{Client: newS3Client(srv.URL, readOnly{t, http.DefaultTransport}), Bucket: bucket}
	}}, srv.URL
}

func TestS3Emulator(t *testing.T) {
	e, _ := s3Emulator(t)
	runScenarios(t, e)
}

func TestS3NoAccessIsAnAccessError(t *testing.T) {
	e, url := s3Emulator(t)
	_, _ = e.newBucket(t, "backups")
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for name, store := range map[string]Store{
		"wrong bucket":         &S3Store{Client: newS3Client(url, readOnly{t, http.DefaultTransport}), Bucket: "no-such-bucket"},
		"unreachable endpoint": &S3Store{Client: newS3Client(dead.URL, readOnly{t, http.DefaultTransport}), Bucket: "backups"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20e9)
			defer cancel()
			_, err := Verify(ctx, store, Options{})
			var ae *AccessError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), "check the endpoint") || !strings.Contains(err.Error(), "bucket name") {
				t.Fatalf("want an AccessError saying what to check, got %v", err)
			}
		})
	}
}
