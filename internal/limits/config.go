package limits

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ConfigRule is a documented limit on a stack config value, judged before
// anything is planned: a value the program turns into a cloud resource's
// name, tag or setting is held to the cloud's rule for it here, with the
// key that holds it named, not a resource property three steps later.
// Where the value becomes a resource input that a Table row already
// limits, the rule names that row (Row) and uses its check, Allowed and
// Doc: one place for each bound.
type ConfigRule struct {
	// Name identifies the rule ("config-email").
	Name string
	// Key is the stack config key ("wedsync:alerting"), Path the dotted path
	// inside its value ("receivers.*.email"; "" is the value itself).
	Key, Path string
	// Clouds the rule applies on; none is every cloud.
	Clouds []string
	// Row is the Table row whose check the value must pass, as the tags
	// (AsTag) or the value it becomes.
	Row string
	// AsTag wraps the value as the tag of this key before Row's check (the
	// owner becomes the tag "owner").
	AsTag string
	// Allowed and Doc as in Rule; filled from Row when it is set.
	Allowed, Doc string
	// Schema are the JSON Schema keywords that say the same of the value,
	// where a schema can (internal/schema writes them into the schema of
	// stack and environment files); nil where it cannot.
	Schema map[string]any
	check  func(v any, provider map[string]any) string
}

// Bounds the checks and the Schema of their rows share.
const (
	// noControlPattern is a string without control characters (Unicode
	// category Cc, what unicode.IsControl reports).
	noControlPattern  = `^[^\x00-\x1f\x7f-\x9f]*$`
	gcpProjectPattern = `^[a-z][-a-z0-9]*[a-z0-9]$`
	// emailPattern: a local part of 1-64 and a domain of 1-255 characters,
	// neither with spaces (RFC 5321 4.5.3.1); net/mail judges the syntax.
	emailPattern = `^[^@\s]{1,64}@\S{1,255}$`
	maxEmail     = 254
	maxAmount    = maxExactCents / 100
)

// More documentation pages the config rows cite.
const (
	rfc5321Sizes = "https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1"
	rfc8259Nums  = "https://www.rfc-editor.org/rfc/rfc8259#section-6"
	tagAlphabets = awsTagging + " (and " + gcpLabels + ", " + azureTags + ")"
	gcpProjectID = "https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin"
)

// maxExactCents is the largest amount a JSON number carries exactly to the
// cent: config reaches the program as JSON, and an IEEE 754 double holds
// integers exactly only up to 2^53 (RFC 8259, section 6).
const maxExactCents = 1 << 53

// ConfigTable is every documented limit on stack config values.
var ConfigTable = []ConfigRule{
	{Name: "config-control-characters", Key: "*", Path: "**", Doc: tagAlphabets,
		Allowed: "printable characters: config values become names, tags and descriptions, and no cloud's name or tag alphabet has control characters",
		Schema:  map[string]any{"pattern": noControlPattern},
		check:   noControl},
	{Name: "config-tags", Key: "wedsync:tags", Clouds: []string{"aws"}, Row: "aws-tags"},
	{Name: "config-tags", Key: "wedsync:tags", Clouds: []string{"azure"}, Row: "azure-tags"},
	{Name: "config-owner-tag", Key: "wedsync:owner", Clouds: []string{"aws"}, Row: "aws-tags", AsTag: "owner"},
	{Name: "config-owner-tag", Key: "wedsync:owner", Clouds: []string{"azure"}, Row: "azure-tags", AsTag: "owner"},
	{Name: "config-cost-centre-tag", Key: "wedsync:costCentre", Clouds: []string{"aws"}, Row: "aws-tags", AsTag: "cost-centre"},
	{Name: "config-cost-centre-tag", Key: "wedsync:costCentre", Clouds: []string{"azure"}, Row: "azure-tags", AsTag: "cost-centre"},
	{Name: "config-gcp-labels", Key: "wedsync:tags", Clouds: []string{"gcp"}, Doc: gcpLabels, Allowed: gcpFoldAllowed, check: gcpFoldable},
	{Name: "config-gcp-labels", Key: "wedsync:owner", Clouds: []string{"gcp"}, Doc: gcpLabels, Allowed: gcpFoldAllowed, check: gcpFoldable},
	{Name: "config-gcp-labels", Key: "wedsync:costCentre", Clouds: []string{"gcp"}, Doc: gcpLabels, Allowed: gcpFoldAllowed, check: gcpFoldable},
	{Name: "config-gcp-project-id", Key: "wedsync:gcpProject", Doc: gcpProjectID,
		Allowed: "6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen",
		Schema:  map[string]any{"minLength": 6, "maxLength": 30, "pattern": gcpProjectPattern},
		check:   name(6, 30, gcpProjectPattern)},
	{Name: "config-email", Key: "wedsync:alerting", Path: "receivers.*.email", Doc: rfc5321Sizes,
		Allowed: "an address of at most 254 octets: a local part of at most 64, a domain of at most 255 (RFC 5321 4.5.3.1), no spaces or control characters",
		Schema:  map[string]any{"maxLength": maxEmail, "pattern": emailPattern},
		check:   email},
	{Name: "config-email", Key: "wedsync:alerting", Path: "escalation.*.email", Doc: rfc5321Sizes,
		Allowed: "an address of at most 254 octets: a local part of at most 64, a domain of at most 255 (RFC 5321 4.5.3.1), no spaces or control characters",
		Schema:  map[string]any{"maxLength": maxEmail, "pattern": emailPattern},
		check:   email},
	{Name: "config-budget-amount", Key: "wedsync:budget", Path: "amount", Doc: rfc8259Nums,
		Allowed: fmt.Sprintf("a finite amount of at most %d, which a JSON number carries exact to the cent", maxExactCents/100),
		Schema:  map[string]any{"minimum": -maxAmount, "maximum": maxAmount},
		check:   amount},
	{Name: "config-budget-amount", Key: "wedsync:budget", Path: "peakAmount", Doc: rfc8259Nums,
		Allowed: fmt.Sprintf("a finite amount of at most %d, which a JSON number carries exact to the cent", maxExactCents/100),
		Schema:  map[string]any{"minimum": -maxAmount, "maximum": maxAmount},
		check:   amount},
}

func init() {
	for i := range ConfigTable {
		r := &ConfigTable[i]
		if r.Row == "" {
			continue
		}
		row := rowNamed(r.Row)
		r.Allowed, r.Doc = row.Allowed, row.Doc
		check, tag := row.check, r.AsTag
		r.check = func(v any, provider map[string]any) string {
			if tag != "" {
				v = map[string]any{tag: v}
			}
			return check(v, provider)
		}
	}
}

// rowNamed is the first Table row called name; a ConfigRule naming no row
// is a programming error.
func rowNamed(name string) Rule {
	for _, r := range Table {
		if r.Name == name {
			return r
		}
	}
	panic("limits: no Table row " + name)
}

// CheckConfig judges stack config values (namespaced keys, objects as
// JSON, as Pulumi passes config to programs) of a stack on cloud against
// every ConfigRule. Property in each Breach is the key and path
// ("wedsync:alerting.receivers.0.email").
func CheckConfig(cloud string, values map[string]string) []Breach {
	out := []Breach{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, r := range ConfigTable {
		if len(r.Clouds) > 0 && !slices.Contains(r.Clouds, cloud) {
			continue
		}
		for _, key := range keys {
			if r.Key != "*" && r.Key != key {
				continue
			}
			for _, at := range configValues(values[key], r.Path) {
				if judged(at.value) {
					continue
				}
				if problem := r.check(at.value, nil); problem != "" {
					out = append(out, Breach{Type: "config", Property: configPath(key, at.path), Rule: r.Name, Problem: problem, Allowed: r.Allowed, Doc: r.Doc})
				}
			}
		}
	}
	return out
}

// configPath names a value as the config decoder does:
// "wedsync:alerting.receivers[0].email".
func configPath(key, path string) string {
	var b strings.Builder
	b.WriteString(key)
	for _, seg := range strings.Split(path, ".") {
		switch {
		case seg == "":
		case strings.Trim(seg, "0123456789") == "":
			b.WriteString("[" + seg + "]")
		default:
			b.WriteString("." + seg)
		}
	}
	return b.String()
}

// configValues are the values at path in a raw config value: "" is the
// value itself (objects decoded), "**" every string in it.
func configValues(raw, path string) []found {
	var v any = raw
	var doc any
	if json.Unmarshal([]byte(raw), &doc) == nil {
		if _, isText := doc.(string); !isText {
			v = doc
		}
	}
	switch path {
	case "":
		return []found{{"", v}}
	case "**":
		return stringsIn(v, "")
	}
	return lookup(v, strings.Split(path, "."), "")
}

// stringsIn are every string in v, keys included, with their paths.
func stringsIn(v any, at string) []found {
	join := func(k string) string { return strings.TrimPrefix(at+"."+k, ".") }
	switch c := v.(type) {
	case string:
		return []found{{at, c}}
	case map[string]any:
		var out []found
		for _, k := range slices.Sorted(maps.Keys(c)) {
			out = append(out, found{join(k), k})
			out = append(out, stringsIn(c[k], join(k))...)
		}
		return out
	case []any:
		var out []found
		for i, e := range c {
			out = append(out, stringsIn(e, join(fmt.Sprint(i)))...)
		}
		return out
	}
	return nil
}

// gcpFoldAllowed is what GCP labels take of config tags: the program folds
// keys and values to lowercase letters, digits, _ and - (core.Tags.For),
// but a longer one would be cut and a key not starting with a letter is
// refused by GCP, so neither is left to the fold.
const gcpFoldAllowed = "label keys of 1-63 characters starting with a letter, values of at most 63 (the program folds the rest to lowercase letters, digits, _ and -)"

// gcpFoldable checks tags (an object) or one tag value (a string).
func gcpFoldable(v any, _ map[string]any) string {
	if s, ok := v.(string); ok {
		v = map[string]any{"value": s}
	}
	set, ok := tagSet(v)
	if !ok {
		return fmt.Sprintf("%v is not a set of tags", v)
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		first, _ := utf8.DecodeRuneInString(k)
		switch {
		case utf8.RuneCountInString(k) > 63 || !unicode.IsLetter(first):
			return fmt.Sprintf("label key %q is not 1-63 characters starting with a letter", k)
		case utf8.RuneCountInString(set[k]) > 63:
			return fmt.Sprintf("label %s's value is %d characters", k, utf8.RuneCountInString(set[k]))
		}
	}
	return ""
}

func noControl(v any, _ map[string]any) string {
	s, _ := v.(string)
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Sprintf("%q has the control character %U", s, r)
	}
	return ""
}

// email checks the sizes RFC 5321 sets and the characters no address has;
// the address's syntax is the alerting component's (net/mail).
func email(v any, _ map[string]any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%v is not a string", v)
	}
	local, domain, found := strings.Cut(s, "@")
	shown := s
	if len(shown) > 80 {
		shown = shown[:77] + "..."
	}
	switch {
	case len(s) > maxEmail:
		return fmt.Sprintf("%q is %d octets", shown, len(s))
	case !found:
		return fmt.Sprintf("%q has no @domain", shown)
	case len(local) > 64:
		return fmt.Sprintf("%q has a local part of %d octets", shown, len(local))
	case len(domain) > 255:
		return fmt.Sprintf("%q has a domain of %d octets", shown, len(domain))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Sprintf("%q has a space or control character", shown)
	}
	return ""
}

func amount(v any, _ map[string]any) string {
	f, ok := v.(float64)
	if !ok {
		return fmt.Sprintf("%v is not a number", v)
	}
	if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > maxAmount {
		return fmt.Sprintf("%g is beyond %d", f, maxAmount)
	}
	return ""
}
