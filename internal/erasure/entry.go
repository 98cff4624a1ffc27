// Package erasure is the GDPR erasure ledger's client: the entry format,
// reading and appending entries on S3, GCS and Azure Blob through the
// clouds' SDKs (the stores of internal/backup), and the replay that erases
// again, after a restore, everyone the ledger says was erased.
package erasure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Prefix is where entries live in the ledger's bucket.
const Prefix = "erasures/"

// Kinds are the kinds of subject the app erases.
var Kinds = []string{"guest", "couple", "supplier"}

// Entry is one erasure. It holds nothing about the person but an opaque
// id: no name, e-mail or anything else, so the ledger is no copy of the
// data it protects against.
type Entry struct {
	// SubjectID is the app's opaque id of the person (a UUID or similar).
	SubjectID string `json:"subjectId"`
	// Kind is guest, couple or supplier.
	Kind string `json:"kind"`
	// RequestedAt is when the person asked; DoneAt when the app erased them.
	RequestedAt time.Time `json:"requestedAt"`
	DoneAt      time.Time `json:"doneAt"`
	// RequestID is the app's id of the erasure request.
	RequestID string `json:"requestId"`
}

// keyTime is the fixed-width time in an entry's object name, so names
// sort by time.
const keyTime = "20060102T150405.000000000Z"

var (
	opaqueID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
	keyShape = regexp.MustCompile(`^` + Prefix + `\d{4}/\d{2}/\d{2}/(\d{8}T\d{6}\.\d{9}Z)-([A-Za-z0-9][A-Za-z0-9_.:-]{0,127})\.json$`)
)

// Key is the entry's object name: erasures/YYYY/MM/DD/<doneAt>-<requestId>.json.
// Names sort by the time the erasure was done.
func (e Entry) Key() string {
	t := e.DoneAt.UTC()
	return fmt.Sprintf("%s%s/%s-%s.json", Prefix, t.Format("2006/01/02"), t.Format(keyTime), e.RequestID)
}

// Validate returns every problem with e.
func (e Entry) Validate() error {
	var p []error
	if !opaqueID.MatchString(e.SubjectID) {
		p = append(p, fmt.Errorf("subjectId %q: an opaque id (letters, digits, _ . : -, at most 128), never a name or e-mail", e.SubjectID))
	}
	if !slices.Contains(Kinds, e.Kind) {
		p = append(p, fmt.Errorf("kind %q: allowed are %s", e.Kind, strings.Join(Kinds, ", ")))
	}
	if e.RequestedAt.IsZero() {
		p = append(p, errors.New("requestedAt: missing"))
	}
	if e.DoneAt.IsZero() {
		p = append(p, errors.New("doneAt: missing"))
	} else if e.DoneAt.Before(e.RequestedAt) {
		p = append(p, fmt.Errorf("doneAt %s is before requestedAt %s", e.DoneAt.Format(time.RFC3339), e.RequestedAt.Format(time.RFC3339)))
	}
	if !opaqueID.MatchString(e.RequestID) {
		p = append(p, fmt.Errorf("requestId %q: letters, digits, _ . : -, at most 128", e.RequestID))
	}
	return errors.Join(p...)
}

// Marshal is the entry's object body, after validation.
func (e Entry) Marshal() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// Parse reads the entry stored under key. Unknown fields are refused (an
// entry must not grow a field about the person), and the name must match
// the body: an entry copied under another time is not trusted.
func Parse(key string, data []byte) (Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("not an erasure entry: %w", err)
	}
	if err := e.Validate(); err != nil {
		return e, err
	}
	if e.Key() != key {
		return e, fmt.Errorf("its name does not match its body (want %s)", path.Base(e.Key()))
	}
	return e, nil
}

// KeyTime is the time in an entry's name; false for a name that is not an
// entry's.
func KeyTime(key string) (time.Time, bool) {
	m := keyShape.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(keyTime, m[1])
	return t, err == nil
}
