package backup

import (
	"context"
	"net/http"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"google.golang.org/api/option"
)

// gcsEmulator is fake-gcs-server in-process. It records CRC32C and MD5 like
// GCS; it has no object retention (TestLockAtTheInterface).
func gcsEmulator(t *testing.T) emulator {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return emulator{name: "fake-gcs-server", cloudChecksum: "CRC32C", newBucket: func(t testing.TB, bucket string) (func(string, []byte), Store) {
		srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
		put := func(key string, data []byte) {
			srv.CreateObject(fakestorage.Object{ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: key}, Content: data})
		}
		client, err := storage.NewClient(context.Background(),
			option.WithEndpoint(srv.URL()+"/storage/v1/"), option.WithoutAuthentication(), storage.WithJSONReads(),
			option.WithHTTPClient(&http.Client{Transport: readOnly{t, http.DefaultTransport}}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.Close() })
		return put, &GCSStore{Client: client, Bucket: bucket}
	}}
}

func TestGCSEmulator(t *testing.T) {
	runScenarios(t, gcsEmulator(t))
}
