package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxName is the longest name most cloud resources accept (DNS label length).
const MaxName = 63

// Name is the stack's name for a resource: "wedsync-prod-backups-euw2".
// Lowercase, hyphen-separated, at most 63 characters.
func (d Deployment) Name(parts ...string) string { return d.NameWithin(MaxName, parts...) }

// NameWithin is Name limited to max characters. A name that would be longer
// keeps its start and ends in a stable hash of the whole, so two long names
// never collide and re-running never renames a resource.
func (d Deployment) NameWithin(max int, parts ...string) string {
	all := append([]string{d.Project, d.Stack}, parts...)
	return fit(sanitize(strings.Join(all, "-"), true), max, "-")
}

// CompactName is the stack's name for resources that allow only lowercase
// letters and digits, like Azure storage accounts ("wedsyncprodbackupuks").
func (d Deployment) CompactName(max int, parts ...string) string {
	all := append([]string{d.Project, d.Stack}, parts...)
	return fit(sanitize(strings.Join(all, ""), false), max, "")
}

// sanitize lowercases s and keeps letters, digits and (if hyphens) single
// hyphens between words.
func sanitize(s string, hyphens bool) string {
	var b strings.Builder
	lastHyphen := true
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			lastHyphen = false
		case hyphens && !lastHyphen:
			b.WriteByte('-')
			lastHyphen = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

func fit(name string, max int, sep string) string {
	if len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	hash := hex.EncodeToString(sum[:])[:6]
	keep := max - len(hash) - len(sep)
	return strings.TrimRight(name[:keep], "-") + sep + hash
}

// Markers stand for values a plan cannot show: a secret (never printed) and
// a value known only after deploy. The offline plan writes them, the policy
// pack reads them as "cannot judge yet", the CLI prints them.
const (
	SecretMarker  = "[secret]"
	UnknownMarker = "[unknown]"
)
