package core

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Tags are the labels every resource carries, so cost, ownership and
// environment can be read off any resource in any cloud console.
type Tags map[string]string

// StandardTagKeys are the tags the program sets itself; config cannot
// override them, so every resource says truthfully where it comes from.
var StandardTagKeys = []string{"app", "environment", "stack", "managed-by", "owner", "cost-centre"}

// StandardTags are the tags of every resource of a stack. extra may add keys
// but not replace the standard ones.
func StandardTags(project, stack string, env Environment, owner, costCentre string, extra map[string]string) Tags {
	t := Tags{}
	for k, v := range extra {
		t[k] = v
	}
	t["app"] = project
	t["environment"] = string(env)
	t["stack"] = stack
	t["managed-by"] = "pulumi"
	if owner != "" {
		t["owner"] = owner
	}
	if costCentre != "" {
		t["cost-centre"] = costCentre
	}
	return t
}

// With returns a copy of t with key set to value.
func (t Tags) With(key, value string) Tags {
	out := make(Tags, len(t)+1)
	for k, v := range t {
		out[k] = v
	}
	out[key] = value
	return out
}

// Keys returns the tag keys sorted.
func (t Tags) Keys() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// For returns the tags in the form cloud accepts. GCP labels allow only
// lowercase letters, digits, '_' and '-', at most 63 characters, so keys and
// values are folded to that; AWS and Azure take them as they are.
func (t Tags) For(c Cloud) pulumi.StringMap {
	out := pulumi.StringMap{}
	for k, v := range t {
		if c == GCP {
			k, v = gcpLabel(k), gcpLabel(v)
		}
		out[k] = pulumi.String(v)
	}
	return out
}

func gcpLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > 63 {
		out = out[:63]
	}
	return out
}
