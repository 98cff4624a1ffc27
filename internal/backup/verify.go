package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options say what a good copy is and how to read.
type Options struct {
	Prefix string // only objects under it
	// Only, when set, is the one manifest to verify (a restore drill's copy).
	Only string
	// MaxAge is the backup schedule plus slack: the newest copy of each
	// purpose must be younger. 0 skips the freshness check.
	MaxAge time.Duration
	// MinRetention is the stated retention: every object's lock must be in
	// force until at least its manifest's createdAt plus this. 0 skips the
	// lock check.
	MinRetention time.Duration
	// KeyID is the stack's key: every object must be encrypted with it.
	// "" skips the key check.
	KeyID     string
	Parallel  int       // concurrent object reads; default 4
	StatePath string    // resume file; "" for none
	Progress  io.Writer // progress lines; nil for none
	Now       func() time.Time
}

// Finding kinds, each named per object in the report.
const (
	KindMissing          = "missing"         // a manifest lists it, the store does not hold it
	KindSize             = "size-mismatch"   // the store's size differs from the manifest's
	KindSHA256           = "sha256-mismatch" // the bytes read back do not hash to the manifest's sha256
	KindCloudChecksum    = "cloud-checksum-mismatch"
	KindCloudChecksumGap = "cloud-checksum-absent" // the store no longer reports the recorded algorithm
	KindStale            = "stale"                 // the newest copy is older than schedule plus slack
	KindNoBackup         = "no-backup"             // no manifest at all
	KindBadManifest      = "bad-manifest"
	KindUnlocked         = "unlocked"
	KindLockExpired      = "lock-expired"
	KindLockShort        = "lock-shorter-than-retention"
	KindReadError        = "read-error"
	KindWrongKey         = "wrong-key"     // encrypted with another key than the stack's
	KindUnencrypted      = "not-encrypted" // the cloud says it is not encrypted with a customer key
)

// Finding is one thing wrong with one object.
type Finding struct {
	Object string `json:"object"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func (f Finding) String() string { return f.Object + ": " + f.Kind + ": " + f.Detail }

// Report is the outcome of one verify run over one store.
type Report struct {
	Location  string               `json:"location"`
	Manifests int                  `json:"manifests"`
	Objects   int                  `json:"objects"` // objects whose bytes were hashed this run
	Resumed   int                  `json:"resumed"` // objects verified by an earlier run, not re-read
	Bytes     int64                `json:"bytes"`
	Newest    map[string]time.Time `json:"newest"` // newest copy per purpose
	Findings  []Finding            `json:"findings"`
	// Copies are the copies the manifests describe, each good when no
	// finding names its manifest or one of its files.
	Copies []Copy `json:"copies"`
	// Notes say what this run could not check, and why (never silent).
	Notes   []string      `json:"notes,omitempty"`
	Elapsed time.Duration `json:"elapsedNs"`
}

// Copy is one backup copy (one manifest) and whether it verified.
type Copy struct {
	Manifest  string    `json:"manifest"`
	Purpose   string    `json:"purpose"`
	CreatedAt time.Time `json:"createdAt"`
	OK        bool      `json:"ok"`
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

type job struct {
	m *Manifest
	f File
}

type run struct {
	store Store
	opt   Options
	now   time.Time
	state *state
	prog  *progress

	mu  sync.Mutex
	rep *Report
	// manifestsSeen are the manifests read, for the copies' status.
	manifestsSeen []*Manifest
}

// copyStatus records each copy, good unless a finding names it or a file.
func (r *run) copyStatus() {
	bad := map[string]bool{}
	for _, f := range r.rep.Findings {
		bad[f.Object] = true
	}
	for _, m := range r.manifestsSeen {
		ok := !bad[m.Key]
		for _, f := range m.Files {
			ok = ok && !bad[f.Path]
		}
		r.rep.Copies = append(r.rep.Copies, Copy{Manifest: m.Key, Purpose: m.Purpose, CreatedAt: m.CreatedAt, OK: ok})
	}
	sort.Slice(r.rep.Copies, func(i, j int) bool { return r.rep.Copies[i].CreatedAt.Before(r.rep.Copies[j].CreatedAt) })
}

// Verify checks every copy under opt.Prefix in store. A store that cannot
// be listed returns an *AccessError; everything wrong with the copies is a
// Finding in the report.
func Verify(ctx context.Context, store Store, opt Options) (*Report, error) {
	if opt.Parallel <= 0 {
		opt.Parallel = 4
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	st, err := loadState(opt.StatePath, store.Location())
	if err != nil {
		return nil, err
	}
	defer st.close()
	r := &run{store: store, opt: opt, now: now(), state: st,
		rep: &Report{Location: store.Location(), Newest: map[string]time.Time{}}}
	start := time.Now()
	objects, err := store.List(ctx, opt.Prefix)
	if err != nil {
		return nil, asAccess(store, err)
	}
	jobs := r.manifests(ctx, objects)
	r.freshness()
	r.prog = newProgress(opt.Progress, jobs)
	r.verifyAll(ctx, jobs)
	r.prog.finish()
	r.copyStatus()
	r.rep.Elapsed = time.Since(start)
	sort.Slice(r.rep.Findings, func(i, j int) bool {
		a, b := r.rep.Findings[i], r.rep.Findings[j]
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Kind < b.Kind
	})
	return r.rep, ctx.Err()
}

func asAccess(store Store, err error) error {
	var ae *AccessError
	if errors.As(err, &ae) {
		return err
	}
	return &AccessError{Location: store.Location(), Err: err,
		Check: "the endpoint, the bucket name and that your identity may list and read it"}
}

func (r *run) find(object, kind, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Findings = append(r.rep.Findings, Finding{Object: object, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// manifests reads every manifest listed and returns the files they name
// that the listing holds; the ones it does not are findings.
func (r *run) manifests(ctx context.Context, objects []Object) []job {
	listed := make(map[string]bool, len(objects))
	for _, o := range objects {
		listed[o.Key] = true
	}
	var jobs []job
	for _, o := range objects {
		if !IsManifest(o.Key) || (r.opt.Only != "" && o.Key != r.opt.Only) {
			continue
		}
		m, err := r.readManifest(ctx, o.Key)
		if err != nil {
			r.find(o.Key, KindBadManifest, "%v", err)
			continue
		}
		r.rep.Manifests++
		r.manifestsSeen = append(r.manifestsSeen, m)
		if m.CreatedAt.After(r.rep.Newest[m.Purpose]) {
			r.rep.Newest[m.Purpose] = m.CreatedAt
		}
		for _, f := range m.Files {
			if !listed[f.Path] {
				r.find(f.Path, KindMissing, "listed in %s but not in %s", m.Key, r.rep.Location)
				continue
			}
			jobs = append(jobs, job{m: m, f: f})
		}
	}
	if r.rep.Manifests == 0 {
		r.find(r.rep.Location+"/"+r.opt.Prefix, KindNoBackup, "no manifest (docs/backup-manifest.md) under this prefix: nothing can be verified")
	}
	return jobs
}

// maxManifest bounds a manifest read: a huge one is not a manifest.
const maxManifest = 64 << 20

func (r *run) readManifest(ctx context.Context, key string) (*Manifest, error) {
	return ReadManifest(ctx, r.store, key)
}

// ReadManifest reads and parses one manifest object.
func ReadManifest(ctx context.Context, store Store, key string) (*Manifest, error) {
	rc, err := store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }() // read-only: a close error loses nothing
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest))
	if err != nil {
		return nil, err
	}
	return ParseManifest(key, data)
}

func (r *run) freshness() {
	if r.opt.MaxAge <= 0 {
		return
	}
	for purpose, at := range r.rep.Newest {
		if age := r.now.Sub(at); age > r.opt.MaxAge {
			r.find(r.rep.Location+"/"+purpose, KindStale, "newest copy written %s, %s ago; the schedule plus slack is %s",
				at.UTC().Format(time.RFC3339), age.Round(time.Minute), r.opt.MaxAge)
		}
	}
}

func (r *run) verifyAll(ctx context.Context, jobs []job) {
	ch := make(chan job)
	var wg sync.WaitGroup
	for i := 0; i < r.opt.Parallel; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				r.verifyOne(ctx, j)
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
}

func (r *run) verifyOne(ctx context.Context, j job) {
	key := j.f.Path
	attrs, err := r.store.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		r.find(key, KindMissing, "listed in %s but gone from %s", j.m.Key, r.rep.Location)
		return
	}
	if err != nil {
		r.find(key, KindReadError, "stat: %v", err)
		return
	}
	if attrs.Size != j.f.Bytes {
		r.find(key, KindSize, "store holds %d bytes, manifest %s says %d", attrs.Size, j.m.Key, j.f.Bytes)
	}
	r.checkCloudChecksum(j, attrs)
	r.checkLock(j, attrs)
	r.checkKey(j, attrs)
	if r.state.verified(key, attrs, j.f.SHA256) {
		r.prog.resumed(attrs.Size)
		r.mu.Lock()
		r.rep.Resumed++
		r.mu.Unlock()
		return
	}
	sum, n, err := r.hash(ctx, key)
	if err != nil {
		r.find(key, KindReadError, "read: %v", err)
		return
	}
	r.mu.Lock()
	r.rep.Objects++
	r.rep.Bytes += n
	r.mu.Unlock()
	if sum != j.f.SHA256 {
		r.find(key, KindSHA256, "bytes read back hash to %s, manifest %s says %s", sum, j.m.Key, j.f.SHA256)
		return
	}
	r.state.record(key, attrs, sum)
}

func (r *run) hash(ctx context.Context, key string) (string, int64, error) {
	rc, err := r.store.Open(ctx, key)
	if err != nil {
		return "", 0, err
	}
	defer func() { _ = rc.Close() }() // read-only: a close error loses nothing
	h := sha256.New()
	n, err := io.Copy(h, r.prog.reader(rc))
	if err != nil {
		return "", n, err
	}
	r.prog.done()
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func (r *run) checkCloudChecksum(j job, attrs Attrs) {
	want := j.f.CloudChecksum
	if want == nil {
		return
	}
	got, ok := attrs.Checksums[want.Algorithm]
	switch {
	case !ok:
		r.find(j.f.Path, KindCloudChecksumGap, "manifest %s records %s %s, the store reports no %s checksum",
			j.m.Key, want.Algorithm, want.Value, want.Algorithm)
	case got != want.Value:
		r.find(j.f.Path, KindCloudChecksum, "store's %s is %s, manifest %s recorded %s", want.Algorithm, got, j.m.Key, want.Value)
	}
}

func (r *run) checkLock(j job, attrs Attrs) {
	if r.opt.MinRetention <= 0 {
		return
	}
	need := j.m.CreatedAt.Add(r.opt.MinRetention)
	l := attrs.Lock
	switch {
	case l.Until.IsZero():
		r.find(j.f.Path, KindUnlocked, "no object lock or retention; the stated retention needs one until %s", need.UTC().Format(time.RFC3339))
	case !l.Until.After(r.now):
		r.find(j.f.Path, KindLockExpired, "%s lock ended %s; the stated retention needs it until %s",
			l.Mode, l.Until.UTC().Format(time.RFC3339), need.UTC().Format(time.RFC3339))
	case l.Until.Before(need):
		r.find(j.f.Path, KindLockShort, "%s lock until %s, shorter than the stated retention %s from %s (until %s)",
			l.Mode, l.Until.UTC().Format(time.RFC3339), r.opt.MinRetention, j.m.CreatedAt.UTC().Format(time.RFC3339), need.UTC().Format(time.RFC3339))
	}
}

// checkKey compares the object's key with the stack's. S3 reports the key
// ARN; the stack may name the same key by ARN or by its bare id.
func (r *run) checkKey(j job, attrs Attrs) {
	want := r.opt.KeyID
	if want == "" {
		return
	}
	switch {
	case !attrs.KeyPerObject:
		if !attrs.Encrypted {
			r.find(j.f.Path, KindUnencrypted, "the store says the object is not server-encrypted; the stack's key is %s", want)
			return
		}
		r.note("%s does not report the key per object: checked that every object is server-encrypted; the account's key (%s) is checked on the account, not here",
			r.rep.Location, want)
	case attrs.KeyID == "":
		r.find(j.f.Path, KindUnencrypted, "no customer-managed key on the object; the stack's key is %s", want)
	case !sameKey(attrs.KeyID, want):
		r.find(j.f.Path, KindWrongKey, "encrypted with %s, the stack's key is %s", attrs.KeyID, want)
	}
}

// sameKey: equal, or one is the other's trailing key id (an ARN's
// key/ID part).
func sameKey(a, b string) bool {
	if a == b {
		return true
	}
	return strings.HasSuffix(a, "/"+b) || strings.HasSuffix(b, "/"+a)
}

// note records a note once.
func (r *run) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.rep.Notes, n) {
		r.rep.Notes = append(r.rep.Notes, n)
	}
}

// Newest is the newest copy of purpose in store: its manifest. Manifests
// that do not parse are skipped here (verify reports them).
func Newest(ctx context.Context, store Store, prefix, purpose string) (*Manifest, error) {
	objects, err := store.List(ctx, prefix)
	if err != nil {
		return nil, asAccess(store, err)
	}
	var newest *Manifest
	for _, o := range objects {
		if !IsManifest(o.Key) {
			continue
		}
		m, err := ReadManifest(ctx, store, o.Key)
		if err != nil || m.Purpose != purpose {
			continue
		}
		if newest == nil || m.CreatedAt.After(newest.CreatedAt) {
			newest = m
		}
	}
	if newest == nil {
		return nil, fmt.Errorf("%s holds no %s copy with a manifest (docs/backup-manifest.md)", store.Location(), purpose)
	}
	return newest, nil
}
