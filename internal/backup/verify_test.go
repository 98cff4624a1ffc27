package backup

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// created is when the seeded backup finished; now is a day later.
var (
	created = time.Date(2026, 11, 25, 2, 14, 7, 0, time.UTC)
	now     = created.Add(24 * time.Hour)
)

// emulator is one storage API running on this machine: a fresh bucket,
// a way to put objects into it (the seeding side), and the read-only
// Store under test.
type emulator struct {
	name string
	// cloudChecksum is the algorithm the emulator records, "" when it
	// records none verify can compare (said per emulator).
	cloudChecksum string
	newBucket     func(t testing.TB, bucket string) (put func(key string, data []byte), store Store)
}

// scenario seeds a backup with one thing wrong (or nothing) and names the
// finding verify must report, on which object.
type scenario struct {
	name   string
	mutate func(files map[string][]byte, m *Manifest) // applied to what is uploaded / the manifest
	opt    func(o *Options)
	object string
	kind   string
}

func scenarios() []scenario {
	return []scenario{
		{name: "clean set verifies"},
		{name: "flipped byte", object: "db/part-1", kind: KindSHA256,
			mutate: func(f map[string][]byte, _ *Manifest) {
				b := bytes.Clone(f["db/part-1"])
				b[17] ^= 1
				f["db/part-1"] = b
			}},
		{name: "missing object", object: "db/part-2", kind: KindMissing,
			mutate: func(f map[string][]byte, _ *Manifest) { delete(f, "db/part-2") }},
		{name: "manifest lists an absent object", object: "db/part-9", kind: KindMissing,
			mutate: func(_ map[string][]byte, m *Manifest) {
				m.Files = append(m.Files, File{Path: "db/part-9", Bytes: 3, SHA256: strings.Repeat("ab", 32)})
			}},
		{name: "stale newest copy", object: "db-exports", kind: KindStale,
			opt: func(o *Options) { o.Now = func() time.Time { return created.Add(72 * time.Hour) } }},
	}
}

func payload(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j*7)
	}
	return b
}

// seedFiles is the clean backup: three parts and the manifest describing them.
func seedFiles(cloudAlg string) (map[string][]byte, *Manifest) {
	files := map[string][]byte{}
	m := &Manifest{Version: 1, Stack: "prod", Purpose: "db-exports", Source: "db:wedsync-prod-main", CreatedAt: created, Writer: "role/export"}
	for i := 1; i <= 3; i++ {
		key := fmt.Sprintf("db/part-%d", i)
		data := payload(i, 1000+i*4096)
		files[key] = data
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, File{Path: key, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CloudChecksum: cloudSum(cloudAlg, data)})
	}
	return files, m
}

func cloudSum(alg string, data []byte) *Checksum {
	switch alg {
	case "MD5":
		s := md5.Sum(data)
		return &Checksum{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(s[:])}
	case "SHA256":
		s := sha256.Sum256(data)
		return &Checksum{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(s[:])}
	case "CRC32C":
		b := binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
		return &Checksum{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(b)}
	}
	return nil
}

func runScenarios(t *testing.T, e emulator) {
	for i, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			files, m := seedFiles(e.cloudChecksum)
			if sc.mutate != nil {
				sc.mutate(files, m)
			}
			put, store := e.newBucket(t, fmt.Sprintf("backups-%d", i))
			for k, v := range files {
				put(k, v)
			}
			mj, _ := json.Marshal(m)
			put("db/export.manifest.json", mj)
			before := snapshot(t, store)
			opt := Options{MaxAge: 48 * time.Hour, Now: func() time.Time { return now }, Parallel: 2}
			if sc.opt != nil {
				sc.opt(&opt)
			}
			rep, err := Verify(context.Background(), store, opt)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			assertFindings(t, rep, sc.object, sc.kind)
			if after := snapshot(t, store); after != before {
				t.Errorf("verify changed the store:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func assertFindings(t *testing.T, rep *Report, object, kind string) {
	t.Helper()
	if kind == "" {
		if !rep.OK() || rep.Objects != 3 {
			t.Fatalf("clean set: want 3 objects verified and no finding, got %d objects, findings %v", rep.Objects, rep.Findings)
		}
		return
	}
	// Every finding is on that object (a flipped byte may also be a cloud
	// checksum mismatch), and one is of that kind.
	found := false
	for _, f := range rep.Findings {
		if !strings.HasSuffix(f.Object, object) {
			t.Fatalf("want findings on %s only, got %v", object, rep.Findings)
		}
		found = found || f.Kind == kind
	}
	if !found {
		t.Fatalf("want a finding %s on %s, got %v", kind, object, rep.Findings)
	}
}

// snapshot lists every key, size and modification time of the store.
func snapshot(t *testing.T, s Store) string {
	t.Helper()
	objs, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range objs {
		lines = append(lines, fmt.Sprintf("%s %d %s", o.Key, o.Size, o.Modified.UTC().Format(time.RFC3339Nano)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}

// readOnly is the HTTP transport of every Store under test: a request that
// could write or delete fails the test (only GET and HEAD are reads).
type readOnly struct {
	t    testing.TB
	next http.RoundTripper
}

func (r readOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		r.t.Errorf("verify sent %s %s: it must only read", req.Method, req.URL.Path)
		return nil, errors.New("write refused by the test")
	}
	return r.next.RoundTrip(req)
}

// fakeStore is a Store at the interface, for what the emulators lack
// (object lock on all three; a cloud checksum on gofakes3).
type fakeStore struct {
	mu      sync.Mutex
	objects map[string][]byte
	attrs   map[string]Attrs
	reads   int
}

func (f *fakeStore) Location() string { return "fake://backups" }

func (f *fakeStore) List(_ context.Context, prefix string) ([]Object, error) {
	var out []Object
	for k, v := range f.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, Object{Key: k, Size: int64(len(v)), Modified: created})
		}
	}
	return out, nil
}

func (f *fakeStore) Stat(_ context.Context, key string) (Attrs, error) {
	v, ok := f.objects[key]
	if !ok {
		return Attrs{}, ErrNotFound
	}
	a := f.attrs[key]
	a.Size, a.Modified = int64(len(v)), created
	return a, nil
}

func (f *fakeStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	v, ok := f.objects[key]
	if !ok {
		return nil, ErrNotFound
	}
	f.mu.Lock()
	if !IsManifest(key) {
		f.reads++
	}
	f.mu.Unlock()
	return io.NopCloser(bytes.NewReader(v)), nil
}

func newFake(alg string, lock func(key string) Lock, cloud func(key string, c *Checksum) *Checksum) *fakeStore {
	files, m := seedFiles(alg)
	f := &fakeStore{objects: files, attrs: map[string]Attrs{}}
	for _, file := range m.Files {
		a := Attrs{Checksums: map[string]string{}, Lock: lock(file.Path)}
		if c := cloud(file.Path, file.CloudChecksum); c != nil {
			a.Checksums[c.Algorithm] = c.Value
		}
		f.attrs[file.Path] = a
	}
	mj, _ := json.Marshal(m)
	f.objects["db/export.manifest.json"] = mj
	return f
}

func keepChecksum(_ string, c *Checksum) *Checksum { return c }

// Object lock: gofakes3 v1.2.0, fake-gcs-server v1.56.1 and Azurite 3.37.0
// do not implement S3 Object Lock retention, GCS object retention or Azure
// version-level immutability, so the lock checks run on the fake Store.
func TestLockAtTheInterface(t *testing.T) {
	retention := 30 * 24 * time.Hour
	cases := []struct {
		name string
		lock Lock
		kind string
	}{
		{"lock in force and long enough", Lock{"COMPLIANCE", created.Add(retention)}, ""},
		{"expired lock", Lock{"COMPLIANCE", now.Add(-time.Hour)}, KindLockExpired},
		{"lock shorter than the stated retention", Lock{"GOVERNANCE", created.Add(retention - time.Hour)}, KindLockShort},
		{"no lock", Lock{}, KindUnlocked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake("SHA256", func(key string) Lock {
				if key == "db/part-2" {
					return c.lock
				}
				return Lock{"COMPLIANCE", created.Add(retention)}
			}, keepChecksum)
			rep, err := Verify(context.Background(), f, Options{MinRetention: retention, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			assertFindings(t, rep, "db/part-2", c.kind)
		})
	}
}

// Cloud checksum: gofakes3 v1.2.0 returns no x-amz-checksum-* header, so the
// comparison against the store's own checksum runs on the fake Store.
func TestCloudChecksumAtTheInterface(t *testing.T) {
	noLock := func(string) Lock { return Lock{} }
	changed := newFake("SHA256", noLock, func(key string, c *Checksum) *Checksum {
		if key == "db/part-3" {
			return &Checksum{Algorithm: "SHA256", Value: "AAAA"}
		}
		return c
	})
	rep, _ := Verify(context.Background(), changed, Options{})
	assertFindings(t, rep, "db/part-3", KindCloudChecksum)

	dropped := newFake("SHA256", noLock, func(key string, c *Checksum) *Checksum {
		if key == "db/part-1" {
			return nil
		}
		return c
	})
	rep, _ = Verify(context.Background(), dropped, Options{})
	assertFindings(t, rep, "db/part-1", KindCloudChecksumGap)
}

func TestResumeDoesNotRereadWhatVerified(t *testing.T) {
	f := newFake("", func(string) Lock { return Lock{} }, keepChecksum)
	statePath := filepath.Join(t.TempDir(), "verify.state")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a run stopped before it started reads nothing
	if _, err := Verify(ctx, f, Options{StatePath: statePath, Parallel: 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("want the cancelled run to say so, got %v", err)
	}
	rep, err := Verify(context.Background(), f, Options{StatePath: statePath})
	if err != nil || !rep.OK() || f.reads != 3 {
		t.Fatalf("first full run: want 3 reads and no finding, got %d reads, %v, %v", f.reads, rep, err)
	}
	rep, err = Verify(context.Background(), f, Options{StatePath: statePath})
	if err != nil || !rep.OK() || f.reads != 3 || rep.Resumed != 3 {
		t.Fatalf("restarted run re-read: want still 3 reads and 3 resumed, got %d reads, %d resumed", f.reads, rep.Resumed)
	}
}

func TestParseManifestNamesEveryProblem(t *testing.T) {
	_, err := ParseManifest("x.manifest.json", []byte(`{"version":2,"files":[{"path":"","sha256":"XY","cloudChecksum":{"algorithm":"SHA1","value":""}}]}`))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"version is 2", "createdAt is missing", "files[0].path is empty", `files[0].sha256 "XY"`, `algorithm "SHA1"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
