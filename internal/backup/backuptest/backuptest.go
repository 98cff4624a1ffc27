// Package backuptest starts the storage emulators the backup tests run
// against (gofakes3 and fake-gcs-server in-process, Azurite as the
// Makefile's pinned npm package) and seeds them. Only tests import it.
package backuptest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Azurite's well-known development account
// (https://learn.microsoft.com/azure/storage/common/storage-use-azurite).
const (
	AzuriteAccount = "devstoreaccount1"
	AzuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Object is what a writer puts: the bytes, and on S3 the SSE-KMS key and
// Object Lock retention it asks for. gofakes3 neither encrypts nor locks:
// it stores the x-amz-* headers the writer sent and returns them on HEAD,
// which is what S3 reports for a key and a lock it applied.
type Object struct {
	Data      []byte
	KeyID     string
	LockUntil time.Time
}

// S3 is gofakes3 in-process.
type S3 struct {
	URL    string
	Client *s3.Client
}

// StartS3 starts gofakes3 and sets the AWS environment the CLI's default
// credential chain reads.
func StartS3(t testing.TB) *S3 {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	c := s3.New(s3.Options{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	return &S3{URL: srv.URL, Client: c}
}

// Env sets the AWS variables the SDK's default chain reads, for the CLI.
func (s *S3) Env(t *testing.T) {
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "eu-west-2",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		t.Setenv(k, v)
	}
}

// Bucket creates a bucket.
func (s *S3) Bucket(t testing.TB, name string) {
	if _, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
}

// Put writes one object.
func (s *S3) Put(t testing.TB, bucket, key string, o Object) {
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(o.Data)}
	if o.KeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, &o.KeyID
	}
	if !o.LockUntil.IsZero() {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, &o.LockUntil
	}
	if _, err := s.Client.PutObject(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// GCS is fake-gcs-server in-process.
type GCS struct{ Server *fakestorage.Server }

// StartGCS starts fake-gcs-server on a loopback port.
func StartGCS(t testing.TB) *GCS {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return &GCS{Server: srv}
}

// Env points the storage client at the emulator, without credentials
// (STORAGE_EMULATOR_HOST, https://pkg.go.dev/cloud.google.com/go/storage).
func (g *GCS) Env(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(g.Server.URL(), "http://"))
}

// Bucket creates a bucket.
func (g *GCS) Bucket(_ testing.TB, name string) {
	g.Server.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
}

// Put writes one object (fake-gcs-server records CRC32C and MD5; it has
// no kmsKeyName and no retention).
func (g *GCS) Put(_ testing.TB, bucket, key string, o Object) {
	g.Server.CreateObject(fakestorage.Object{ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: key}, Content: o.Data})
}

// Azure is Azurite's blob service.
type Azure struct{ URL string } // http://127.0.0.1:PORT/devstoreaccount1

// Env sets the account key the CLI reads (as the az CLI does).
func (a *Azure) Env(t *testing.T) {
	t.Setenv("AZURE_STORAGE_ACCOUNT", AzuriteAccount)
	t.Setenv("AZURE_STORAGE_KEY", AzuriteKey)
}

// Container is a client of one container, with the account key.
func (a *Azure) Container(t testing.TB, name string) *container.Client {
	cred, err := container.NewSharedKeyCredential(AzuriteAccount, AzuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(a.URL+"/"+name, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Bucket creates a container.
func (a *Azure) Bucket(t testing.TB, name string) {
	if _, err := a.Container(t, name).Create(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// Put uploads one blob in one request (Azurite records Content-MD5 then).
func (a *Azure) Put(t testing.TB, container, key string, o Object) {
	if _, err := a.Container(t, container).NewBlockBlobClient(key).UploadBuffer(context.Background(), o.Data, nil); err != nil {
		t.Fatal(err)
	}
}

// Root is the module's root directory (where go.mod is).
func Root(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Required reports whether a missing tool must fail the test rather than
// skip it: make test sets WEDSYNC_REQUIRE_EMULATORS.
func Required() bool { return os.Getenv("WEDSYNC_REQUIRE_EMULATORS") != "" }

// StartAzurite runs the Azurite blob service the Makefile pins into
// .bin/node_modules, on a free loopback port, in memory.
func StartAzurite(t *testing.T) *Azure {
	node, err := exec.LookPath("node")
	if err != nil {
		if Required() {
			t.Fatal("node is not installed: the Azure Blob tests need Azurite (make node azurite)")
		}
		t.Skip("node is not installed: the Azure Blob tests need Azurite; install Node.js, then `make azurite`")
	}
	main := filepath.Join(Root(t), ".bin/node_modules/azurite/dist/src/blob/main.js")
	if _, err := os.Stat(main); err != nil {
		t.Fatalf("Azurite is not installed at %s: run `make azurite`", main)
	}
	port := FreePort(t)
	cmd := exec.Command(node, main, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--inMemoryPersistence", "--skipApiVersionCheck", "--silent")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	WaitListening(t, addr, 30*time.Second)
	return &Azure{URL: "http://" + addr + "/" + AzuriteAccount}
}

// FreePort is a free loopback TCP port.
func FreePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitListening waits until addr accepts connections.
func WaitListening(t testing.TB, addr string, within time.Duration) {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			return
		}
	}
	t.Fatalf("nothing listened on %s within %s", addr, within)
}
