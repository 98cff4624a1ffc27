// Package audit is the project's audit history, environments/history.jsonl:
// one JSON record per line, appended and never rewritten, committed with
// the change it records. Promotion, deploys, emergency overrides and every
// other writer append through it.
package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/season"
)

// HistoryFile is the audit history beside the environment definitions: one
// JSON record per line, appended, never rewritten, committed with the change
// it records.
const HistoryFile = "history.jsonl"

// HistoryOf is the audit history of project p.
func HistoryOf(p *project.Project) History {
	return History{Path: filepath.Join(environments.Dir(p), HistoryFile)}
}

// Kinds of audit record.
const (
	KindPromotion       = "promotion"
	KindDeploy          = "deploy"
	KindOverride        = "emergency-override"
	KindOverrideCleared = "emergency-override-cleared"
	// KindConfigChange is a change to the app's settings (`config set`).
	KindConfigChange    = "config-change"
	KindEmergencyBackup = "emergency-backup" // backup now: the jobs started, who and why
	KindDrill           = "restore-drill"    // dr drill: the copy restored, checks, time against the RTO
	// KindErasureReplay is an erasure replay after a restore: which
	// restore, the ledger read, the counts (erasure replay, dr rebuild, dr drill).
	KindErasureReplay = "erasure-replay"
	// KindUnreplayed is a rebuild let through without a complete replay
	// (--accept-unreplayed): who and why.
	KindUnreplayed = "erasure-unreplayed"
)

// Record is one line of the audit history.
type Record struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// Who is $GITHUB_ACTOR in CI, else the git user, else $USER.
	Who string `json:"who"`
	// From and To are the environments of a promotion.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Env and Stack are what a deploy or an override was for.
	Env   string `json:"env,omitempty"`
	Stack string `json:"stack,omitempty"`
	// Release is the release block promoted or deployed.
	Release map[string]any `json:"release,omitempty"`
	// Diff is what a promotion changed in the target's release block.
	Diff []Change `json:"diff,omitempty"`
	// Reason is why: required to skip a stage and for an emergency override.
	Reason string `json:"reason,omitempty"`
	// Skipped lists the stages a promotion skipped (dev -> prod skips staging).
	Skipped []string `json:"skipped,omitempty"`
	// Override is the emergency override set, or cleared.
	Override *season.Override `json:"override,omitempty"`
	// Freeze is the freeze window an override was set in.
	Freeze *Window `json:"freeze,omitempty"`
	// Detail is what an emergency backup started or a drill found.
	Detail any `json:"detail,omitempty"`
}

// Change is one value a promotion changed, by its path in the release block.
type Change struct {
	Path string `json:"path"`
	From any    `json:"from,omitempty"`
	To   any    `json:"to,omitempty"`
}

// Window names a freeze window in a record.
type Window struct {
	Name string    `json:"name"`
	Ends time.Time `json:"ends"`
}

// History is the append-only audit history.
type History struct {
	Path string
}

// Append adds r as one line at the end of the history. Existing lines are
// never rewritten: the file is opened for appending only, and a history
// whose last line is incomplete is refused rather than repaired.
func (h History) Append(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := h.checkTail(); err != nil {
		return err
	}
	f, err := os.OpenFile(h.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: %w", h.Path, err)
	}
	return f.Close()
}

// checkTail refuses a history that does not end with a newline: appending
// would glue the new record onto a damaged line.
func (h History) checkTail() error {
	f, err := os.Open(h.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		return fmt.Errorf("%s does not end with a newline: its last record is incomplete; restore it from git before recording more", h.Path)
	}
	return nil
}

// Records reads every record, oldest first.
func (h History) Records() ([]Record, error) {
	data, err := os.ReadFile(h.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", h.Path, n, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// LastDeploy is the latest deploy recorded for env.
func (h History) LastDeploy(env string) (Record, bool, error) {
	records, err := h.Records()
	if err != nil {
		return Record{}, false, err
	}
	for i := len(records) - 1; i >= 0; i-- {
		if records[i].Kind == KindDeploy && records[i].Env == env {
			return records[i], true, nil
		}
	}
	return Record{}, false, nil
}

// Who names the person or workflow acting: $GITHUB_ACTOR in GitHub
// Actions, else the git user's email (or name) in dir, else $USER.
func Who(dir string) string {
	if a := strings.TrimSpace(os.Getenv("GITHUB_ACTOR")); a != "" {
		return a
	}
	for _, key := range []string{"user.email", "user.name"} {
		cmd := exec.Command("git", "config", key)
		cmd.Dir = dir
		cmd.Stderr = io.Discard
		if out, err := cmd.Output(); err == nil && strings.TrimSpace(string(out)) != "" {
			return strings.TrimSpace(string(out))
		}
	}
	if u := strings.TrimSpace(os.Getenv("USER")); u != "" {
		return u
	}
	return "unknown"
}
