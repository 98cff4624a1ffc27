package backup

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"google.golang.org/api/option"

	"github.com/wedsync/wedsync-infra/internal/backup/backuptest"
)

// sealTarget is one emulator with a bucket: the writable store seal uses,
// the read-only store verify uses, the seeding put, and a check that the
// manifest was written with the cloud's write-time checksum.
type sealTarget struct {
	writer Writer
	reader Store
	put    func(key string, data []byte)
	// written checks how the manifest at key (holding data) was written.
	written func(t *testing.T, key string, data []byte)
}

// putHeaders records the headers of every PUT through it.
type putHeaders struct {
	mu   sync.Mutex
	seen map[string]http.Header
	next http.RoundTripper
}

func (p *putHeaders) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		p.mu.Lock()
		p.seen[req.URL.Path] = req.Header.Clone()
		p.mu.Unlock()
	}
	return p.next.RoundTrip(req)
}

// s3Seal is gofakes3. It keeps no additional checksum, so what S3 would
// record is asserted on the request: the SDK sends the SHA-256 S3 verifies
// and keeps (x-amz-checksum-sha256, or as a trailer).
func s3Seal(t *testing.T, bucket string) sealTarget {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	seed := newS3Client(srv.URL, http.DefaultTransport)
	ctx := context.Background()
	if _, err := seed.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	rec := &putHeaders{seen: map[string]http.Header{}, next: http.DefaultTransport}
	return sealTarget{
		writer: &S3Store{Client: newS3Client(srv.URL, rec), Bucket: bucket},
		reader: &S3Store{Client: newS3Client(srv.URL, readOnly{t, http.DefaultTransport}), Bucket: bucket},
		put: func(key string, data []byte) {
			if _, err := seed.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data)}); err != nil {
				t.Fatal(err)
			}
		},
		written: func(t *testing.T, key string, data []byte) {
			h := rec.seen["/"+bucket+"/"+key]
			if h == nil {
				t.Fatalf("no PUT of %s seen", key)
			}
			sum := cloudSum("SHA256", data).Value
			if got := h.Get("X-Amz-Checksum-Sha256"); got != sum && !strings.Contains(h.Get("X-Amz-Trailer"), "x-amz-checksum-sha256") {
				t.Errorf("manifest PUT carries no SHA-256 checksum (header %q, trailer %q), want %s", got, h.Get("X-Amz-Trailer"), sum)
			}
			if h.Get("If-None-Match") != "*" {
				t.Errorf("manifest PUT may overwrite: If-None-Match %q", h.Get("If-None-Match"))
			}
		},
	}
}

// gcsSeal is fake-gcs-server, which keeps CRC32C and MD5 as GCS does.
func gcsSeal(t *testing.T, bucket string) sealTarget {
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	client := func(rt http.RoundTripper) *storage.Client {
		c, err := storage.NewClient(context.Background(), option.WithEndpoint(srv.URL()+"/storage/v1/"),
			option.WithoutAuthentication(), storage.WithJSONReads(), option.WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	w := &GCSStore{Client: client(http.DefaultTransport), Bucket: bucket}
	return sealTarget{
		writer: w,
		reader: &GCSStore{Client: client(readOnly{t, http.DefaultTransport}), Bucket: bucket},
		put: func(key string, data []byte) {
			srv.CreateObject(fakestorage.Object{ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: key}, Content: data})
		},
		written: func(t *testing.T, key string, data []byte) {
			a, err := w.Stat(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			for _, alg := range []string{"CRC32C", "MD5"} {
				if want := cloudSum(alg, data); want == nil || a.Checksums[alg] != want.Value {
					t.Errorf("manifest's %s is %q, want %v", alg, a.Checksums[alg], want)
				}
			}
		},
	}
}

// azureSeal is Azurite, which keeps Content-MD5 as Blob Storage does.
func azureSeal(t *testing.T, name string) sealTarget {
	url := backuptest.StartAzurite(t).URL + "/" + name
	seed := azContainer(t, url, http.DefaultTransport)
	ctx := context.Background()
	if _, err := seed.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	w := &AzureStore{Client: seed, Name: "devstoreaccount1/" + name}
	return sealTarget{
		writer: w,
		reader: &AzureStore{Client: azContainer(t, url, readOnly{t, http.DefaultTransport}), Name: "devstoreaccount1/" + name},
		put: func(key string, data []byte) {
			if _, err := seed.NewBlockBlobClient(key).UploadBuffer(ctx, data, nil); err != nil {
				t.Fatal(err)
			}
		},
		written: func(t *testing.T, key string, data []byte) {
			a, err := w.Stat(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(data)
			if want := base64.StdEncoding.EncodeToString(sum[:]); a.Checksums["MD5"] != want {
				t.Errorf("manifest's Content-MD5 is %q, want %s", a.Checksums["MD5"], want)
			}
		},
	}
}

// exportCopies are two exports as the clouds write them: a folder of parts
// (an RDS snapshot export, an Azure restore-as-files) and one file (a
// Cloud SQL export).
var exportCopies = map[string][]byte{
	"database/export-1/wedsync/public.guests/part-00000.parquet": payload(1, 5000),
	"database/export-1/wedsync/public.guests/part-00001.parquet": payload(2, 7000),
	"database/export-1/export_info_export-1.json":                payload(3, 300),
	"database/wedsync-prod-main-2026-11-25T02-00-00Z.sql.gz":     payload(4, 9000),
}

const (
	folderManifest = "database/export-1/manifest.json"
	fileManifest   = "database/wedsync-prod-main-2026-11-25T02-00-00Z.sql.gz.manifest.json"
)

func TestSealWritesWhatVerifyAccepts(t *testing.T) {
	for name, start := range map[string]func(*testing.T, string) sealTarget{"gofakes3": s3Seal, "fake-gcs-server": gcsSeal, "azurite": azureSeal} {
		t.Run(name, func(t *testing.T) {
			tg := start(t, "db-exports")
			for k, v := range exportCopies {
				tg.put(k, v)
			}
			ctx := context.Background()
			later := time.Now().Add(2 * time.Hour)
			opt := SealOptions{Prefix: "database/", Stack: "prod", Purpose: "db-exports", Source: "db:wedsync-prod-main",
				Identity: "role/seal", Now: func() time.Time { return later }}
			rep, err := Seal(ctx, tg.writer, opt)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rep.Sealed, " ") != folderManifest+" "+fileManifest {
				t.Fatalf("sealed %v, want the folder's and the file's manifests", rep.Sealed)
			}
			for _, key := range rep.Sealed {
				m, err := ReadManifest(ctx, tg.reader, key)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := readAll(ctx, tg.reader, key)
				tg.written(t, key, data)
				if m.Writer != "role/seal" || m.Purpose != "db-exports" || m.CreatedAt.IsZero() {
					t.Errorf("%s: %+v", key, m)
				}
			}
			again, err := Seal(ctx, tg.writer, opt)
			if err != nil || len(again.Sealed) != 0 || again.Already != 2 {
				t.Fatalf("a rerun sealed %v (already %d, %v): it must skip sealed copies", again.Sealed, again.Already, err)
			}
			vopt := Options{Prefix: "database/", MaxAge: 48 * time.Hour, Now: func() time.Time { return later }}
			v, err := Verify(ctx, tg.reader, vopt)
			if err != nil || !v.OK() || v.Objects != len(exportCopies) || v.Manifests != 2 {
				t.Fatalf("verify of sealed copies: %d objects, %d manifests, findings %v, %v", v.Objects, v.Manifests, v.Findings, err)
			}
			flipped := bytes.Clone(exportCopies["database/export-1/wedsync/public.guests/part-00001.parquet"])
			flipped[123] ^= 1
			tg.put("database/export-1/wedsync/public.guests/part-00001.parquet", flipped)
			v, err = Verify(ctx, tg.reader, vopt)
			if err != nil {
				t.Fatal(err)
			}
			assertFindings(t, v, "part-00001.parquet", KindSHA256)
		})
	}
}

func readAll(ctx context.Context, s Store, key string) ([]byte, error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	var b bytes.Buffer
	_, err = b.ReadFrom(rc)
	return b.Bytes(), err
}

func TestSealLeavesACopyStillBeingWritten(t *testing.T) {
	tg := gcsSeal(t, "db-exports")
	for k, v := range exportCopies {
		tg.put(k, v)
	}
	rep, err := Seal(context.Background(), tg.writer, SealOptions{Prefix: "database/", Settle: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sealed) != 0 || len(rep.Waiting) != 2 {
		t.Fatalf("copies written just now: sealed %v, waiting %v; want both left for the next run", rep.Sealed, rep.Waiting)
	}
}

// TestSealNeverOverwrites: a manifest another run wrote meanwhile is kept
// (ErrExists from the store), at the interface.
func TestSealNeverOverwrites(t *testing.T) {
	f := &raceStore{fakeStore: &fakeStore{objects: map[string][]byte{"database/x.sql.gz": payload(1, 10)}, attrs: map[string]Attrs{}}}
	rep, err := Seal(context.Background(), f, SealOptions{Prefix: "database/", Now: func() time.Time { return created.Add(48 * time.Hour) }})
	if err != nil || len(rep.Sealed) != 0 || rep.Already != 1 || f.writes != 1 {
		t.Fatalf("sealed %v, already %d, writes %d, %v: want the existing manifest kept", rep.Sealed, rep.Already, f.writes, err)
	}
}

// raceStore refuses every Create as if the key had just been taken.
type raceStore struct {
	*fakeStore
	writes int
}

func (r *raceStore) Create(context.Context, string, []byte) error {
	r.writes++
	return errors.Join(ErrExists, errors.New("412"))
}
