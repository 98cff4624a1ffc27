package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Writer is a store the manifest writer may add objects to. It never
// overwrites or deletes: Create fails with an error wrapping ErrExists when
// the key is taken, and asks the cloud to record a checksum at write time
// (S3: SHA-256 additional checksum; GCS: CRC32C and MD5, validated on
// upload; Azure: Content-MD5).
type Writer interface {
	Store
	Create(ctx context.Context, key string, data []byte) error
}

// ErrExists is wrapped by Create when the key already holds an object.
var ErrExists = errors.New("object already exists")

// SealOptions say what the copies are and how to read them.
type SealOptions struct {
	// Prefix is the folder the exports land in ("database/").
	Prefix string
	// Stack, Purpose, Source and Identity fill the manifest's stack,
	// purpose, source and writer.
	Stack, Purpose, Source, Identity string
	// Settle is how long a copy must have been quiet (no object newer)
	// before it is sealed: an export still being written is left for the
	// next run (the CLI's default is an hour; 0 seals whatever is there).
	Settle   time.Duration
	Parallel int // files hashed at once; default 4
	Now      func() time.Time
}

// SealReport says what one seal run did.
type SealReport struct {
	Location string `json:"location"`
	// Sealed are the manifests written this run.
	Sealed []string `json:"sealed"`
	// Waiting are copies still being written (newer than Settle), left
	// for the next run.
	Waiting []string `json:"waiting,omitempty"`
	// Already counts copies that had a manifest.
	Already int   `json:"already"`
	Bytes   int64 `json:"bytes"`
}

// copySet is one copy: the files of one export and where its manifest goes.
type copySet struct {
	manifest string
	files    []Object
	newest   time.Time
}

// Seal writes the manifest (docs/backup-manifest.md) of every copy under
// opt.Prefix that has none: each folder directly under the prefix is one
// copy (an RDS snapshot export, an Azure restore-as-files), with
// FOLDER/manifest.json; each file directly under it is one (a Cloud SQL
// export), with FILE.manifest.json. Every file is read back and hashed
// (SHA-256, streaming), and the checksum the cloud recorded at write time
// is put beside it. It only adds manifests: nothing is overwritten or
// deleted, and a rerun skips what is sealed.
func Seal(ctx context.Context, w Writer, opt SealOptions) (*SealReport, error) {
	if opt.Parallel <= 0 {
		opt.Parallel = 4
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	objects, err := w.List(ctx, opt.Prefix)
	if err != nil {
		return nil, asAccess(w, err)
	}
	rep := &SealReport{Location: w.Location()}
	sets, sealed := group(opt.Prefix, objects)
	for _, s := range sets {
		switch {
		case sealed[s.manifest]:
			rep.Already++
			continue
		case now().Sub(s.newest) < opt.Settle:
			rep.Waiting = append(rep.Waiting, s.manifest)
			continue
		}
		m, err := manifestOf(ctx, w, s, opt)
		if err != nil {
			return rep, err
		}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return rep, err
		}
		if err := w.Create(ctx, s.manifest, append(data, '\n')); err != nil {
			if errors.Is(err, ErrExists) {
				rep.Already++ // another run sealed it meanwhile
				continue
			}
			return rep, fmt.Errorf("write %s in %s: %w", s.manifest, w.Location(), err)
		}
		rep.Sealed = append(rep.Sealed, s.manifest)
		for _, f := range m.Files {
			rep.Bytes += f.Bytes
		}
	}
	return rep, nil
}

// group sorts the objects under prefix into copies, and says which
// manifests already exist.
func group(prefix string, objects []Object) ([]*copySet, map[string]bool) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	sealed := map[string]bool{}
	byManifest := map[string]*copySet{}
	for _, o := range objects {
		if IsManifest(o.Key) {
			sealed[o.Key] = true
			continue
		}
		rest := strings.TrimPrefix(o.Key, prefix)
		key := o.Key + ".manifest.json"
		if i := strings.Index(rest, "/"); i >= 0 {
			key = prefix + rest[:i+1] + "manifest.json"
		}
		s := byManifest[key]
		if s == nil {
			s = &copySet{manifest: key}
			byManifest[key] = s
		}
		s.files = append(s.files, o)
		if o.Modified.After(s.newest) {
			s.newest = o.Modified
		}
	}
	out := make([]*copySet, 0, len(byManifest))
	for _, s := range byManifest {
		sort.Slice(s.files, func(i, j int) bool { return s.files[i].Key < s.files[j].Key })
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].manifest < out[j].manifest })
	return out, sealed
}

// manifestOf hashes every file of s, at most opt.Parallel at once.
func manifestOf(ctx context.Context, w Writer, s *copySet, opt SealOptions) (*Manifest, error) {
	m := &Manifest{Version: 1, Stack: opt.Stack, Purpose: opt.Purpose, Source: opt.Source,
		CreatedAt: s.newest.UTC().Truncate(time.Second), Writer: opt.Identity, Files: make([]File, len(s.files))}
	sem := make(chan struct{}, opt.Parallel)
	errs := make([]error, len(s.files))
	var wg sync.WaitGroup
	for i, o := range s.files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			m.Files[i], errs[i] = fileOf(ctx, w, o.Key)
		}()
	}
	wg.Wait()
	return m, errors.Join(errs...)
}

// cloudPreference is the order a recorded checksum is taken in: the
// strongest the cloud has.
var cloudPreference = []string{"SHA256", "CRC64NVME", "CRC32C", "MD5"}

// fileOf reads one file back: its SHA-256 and the cloud's checksum. The
// size is checked before and after the read, so a file still being written
// is never sealed.
func fileOf(ctx context.Context, w Writer, key string) (File, error) {
	before, err := w.Stat(ctx, key)
	if err != nil {
		return File{}, fmt.Errorf("stat %s: %w", key, err)
	}
	rc, err := w.Open(ctx, key)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", key, err)
	}
	defer func() { _ = rc.Close() }() // read only: a close error loses nothing
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", key, err)
	}
	if n != before.Size {
		return File{}, fmt.Errorf("%s: read %d bytes, the store says %d: is it still being written?", key, n, before.Size)
	}
	f := File{Path: key, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	for _, alg := range cloudPreference {
		if v, ok := before.Checksums[alg]; ok {
			f.CloudChecksum = &Checksum{Algorithm: alg, Value: v}
			break
		}
	}
	return f, nil
}
