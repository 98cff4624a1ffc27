// Package backup verifies the copies in the backup tiers against the
// manifests written beside them (format: docs/backup-manifest.md) and the
// clouds' own checksums and locks. It only reads: nothing in a store is
// written or deleted.
package backup

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Manifest is one manifest object (docs/backup-manifest.md, version 1).
type Manifest struct {
	Version   int       `json:"version"`
	Stack     string    `json:"stack"`
	Purpose   string    `json:"purpose"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"createdAt"`
	Writer    string    `json:"writer"`
	Files     []File    `json:"files"`
	// Checks, optional, are figures of the database taken when the dump
	// was written, which a restore drill compares the restored copy with.
	Checks *DatabaseChecks `json:"checks,omitempty"`

	// Key is where the manifest itself is stored (not part of the format).
	Key string `json:"-"`
}

// File is one backed-up object of a manifest.
type File struct {
	Path          string    `json:"path"`
	Bytes         int64     `json:"bytes"`
	SHA256        string    `json:"sha256"`
	CloudChecksum *Checksum `json:"cloudChecksum,omitempty"`
}

// DatabaseChecks are a dump's figures at write time.
type DatabaseChecks struct {
	// Tables are, per core table, its row count and the MD5 of its rows
	// (md5 of string_agg(row::text, ',' ORDER BY row::text)).
	Tables map[string]TableCheck `json:"tables,omitempty"`
	// SchemaVersion is the newest applied migration.
	SchemaVersion string `json:"schemaVersion,omitempty"`
}

// TableCheck is one table's figures.
type TableCheck struct {
	Rows int64  `json:"rows"`
	MD5  string `json:"md5,omitempty"`
}

// Checksum is a checksum as the cloud's API returns it.
type Checksum struct {
	Algorithm string `json:"algorithm"` // SHA256, CRC64NVME, CRC32C or MD5
	Value     string `json:"value"`     // base64
}

// IsManifest reports whether key names a manifest object: PATH.manifest.json
// beside one backup, or PREFIX/manifest.json for a multi-file export.
func IsManifest(key string) bool {
	return strings.HasSuffix(key, ".manifest.json") || key == "manifest.json" ||
		strings.HasSuffix(key, "/manifest.json")
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

var cloudAlgorithms = map[string]bool{"SHA256": true, "CRC64NVME": true, "CRC32C": true, "MD5": true}

// ParseManifest decodes and checks a manifest, naming every problem.
func ParseManifest(key string, data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest %s: not valid JSON of docs/backup-manifest.md: %w", key, err)
	}
	m.Key = key
	var problems []string
	if m.Version != 1 {
		problems = append(problems, fmt.Sprintf("version is %d, this verifier reads 1", m.Version))
	}
	if m.CreatedAt.IsZero() {
		problems = append(problems, "createdAt is missing (RFC 3339 UTC)")
	}
	if len(m.Files) == 0 {
		problems = append(problems, "files is empty")
	}
	for i, f := range m.Files {
		if f.Path == "" {
			problems = append(problems, fmt.Sprintf("files[%d].path is empty", i))
		}
		if !hexSHA256.MatchString(f.SHA256) {
			problems = append(problems, fmt.Sprintf("files[%d].sha256 %q is not 64 lowercase hex digits", i, f.SHA256))
		}
		if c := f.CloudChecksum; c != nil && !cloudAlgorithms[c.Algorithm] {
			problems = append(problems, fmt.Sprintf("files[%d].cloudChecksum.algorithm %q is not one of SHA256, CRC64NVME, CRC32C, MD5", i, c.Algorithm))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("manifest %s: %s", key, strings.Join(problems, "; "))
	}
	return &m, nil
}
