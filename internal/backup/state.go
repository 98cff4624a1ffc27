package backup

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// state is the resume file: one JSON line per object whose bytes verified,
// appended as they do, so a run stopped half way and restarted does not
// re-read them. An entry counts only while the object's size, modification
// time and manifest sha256 are unchanged.
type state struct {
	location string
	mu       sync.Mutex
	seen     map[string]stateEntry
	f        *os.File
}

type stateEntry struct {
	Location string    `json:"location"`
	Key      string    `json:"key"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	SHA256   string    `json:"sha256"`
}

func loadState(path, location string) (*state, error) {
	s := &state{location: location, seen: map[string]stateEntry{}}
	if path == "" {
		return s, nil
	}
	if err := s.read(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	s.f = f
	return s, nil
}

func (s *state) read(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e stateEntry
		// A torn last line (the run was killed mid-write) is skipped.
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Location == s.location {
			s.seen[e.Key] = e
		}
	}
	return sc.Err()
}

func (s *state) verified(key string, a Attrs, sha string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.seen[key]
	return ok && e.Size == a.Size && e.Modified.Equal(a.Modified) && e.SHA256 == sha
}

func (s *state) record(key string, a Attrs, sha string) {
	if s.f == nil {
		return
	}
	e := stateEntry{Location: s.location, Key: key, Size: a.Size, Modified: a.Modified, SHA256: sha}
	line, _ := json.Marshal(e)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[key] = e
	_, _ = s.f.Write(append(line, '\n'))
}

func (s *state) close() {
	if s.f != nil {
		_ = s.f.Close()
	}
}
