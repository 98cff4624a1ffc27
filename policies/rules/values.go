package rules

import (
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/wedsync/wedsync-infra/components/core"
)

// state is what a rule can know about one input: absent (the cloud's
// default applies), unknown (only known after deploy, so the rule cannot
// judge yet) or known.
type state int

const (
	absent state = iota
	unknown
	known
)

// lookup follows path through nested maps. A secret value is judged like any
// other (the analyzer sees it); a computed value, or any computed map on the
// way, is unknown.
func lookup(m property.Map, path ...string) (property.Value, state) {
	v := property.New(m)
	for _, key := range path {
		if v.IsComputed() {
			return v, unknown
		}
		if !v.IsMap() {
			return property.Value{}, absent
		}
		next, ok := v.AsMap().GetOk(key)
		if !ok || next.IsNull() {
			return property.Value{}, absent
		}
		v = next
	}
	if v.IsComputed() {
		return v, unknown
	}
	return v, known
}

// str reads a string input. Numbers and bools are rendered, since providers
// accept "true" and true alike in a few places (launch template EBS).
func str(m property.Map, path ...string) (string, state) {
	v, st := lookup(m, path...)
	if st != known {
		return "", st
	}
	switch {
	case v.IsString():
		return v.AsString(), known
	case v.IsBool():
		return strconv.FormatBool(v.AsBool()), known
	case v.IsNumber():
		return strconv.FormatFloat(v.AsNumber(), 'f', -1, 64), known
	}
	return "", absent
}

// boolean reads a bool input, accepting "true"/"false" strings.
func boolean(m property.Map, path ...string) (bool, state) {
	v, st := lookup(m, path...)
	if st != known {
		return false, st
	}
	switch {
	case v.IsBool():
		return v.AsBool(), known
	case v.IsString():
		b, err := strconv.ParseBool(v.AsString())
		if err != nil {
			return false, absent
		}
		return b, known
	}
	return false, absent
}

// number reads a numeric input, accepting numeric strings (ARM capacities
// are strings).
func number(m property.Map, path ...string) (float64, state) {
	v, st := lookup(m, path...)
	if st != known {
		return 0, st
	}
	switch {
	case v.IsNumber():
		return v.AsNumber(), known
	case v.IsString():
		f, err := strconv.ParseFloat(strings.TrimSpace(v.AsString()), 64)
		if err != nil {
			return 0, absent
		}
		return f, known
	}
	return 0, absent
}

// list reads an array input as maps (non-map elements are skipped; a
// computed element makes the whole list unknown).
func list(m property.Map, path ...string) ([]property.Map, state) {
	v, st := lookup(m, path...)
	if st != known {
		return nil, st
	}
	if !v.IsArray() {
		return nil, absent
	}
	var out []property.Map
	for _, e := range v.AsArray().AsSlice() {
		if e.IsComputed() {
			return nil, unknown
		}
		if e.IsMap() {
			out = append(out, e.AsMap())
		}
	}
	return out, known
}

// strings reads an array of strings; unknown if any element is.
func stringList(m property.Map, path ...string) ([]string, state) {
	v, st := lookup(m, path...)
	if st != known {
		return nil, st
	}
	if !v.IsArray() {
		return nil, absent
	}
	var out []string
	for _, e := range v.AsArray().AsSlice() {
		switch {
		case e.IsComputed():
			return nil, unknown
		case e.IsString():
			out = append(out, e.AsString())
		}
	}
	return out, known
}

// set reports a non-empty string (or any other known non-null value).
func set(m property.Map, path ...string) (bool, state) {
	v, st := lookup(m, path...)
	if st != known {
		return false, st
	}
	if v.IsString() {
		return strings.TrimSpace(v.AsString()) != "", known
	}
	return true, known
}

// FromPlain converts plain recorded inputs (JSON values, with
// core.UnknownMarker and core.SecretMarker standing for what is not shown)
// into a property.Map: markers become computed values, since a rule cannot
// judge a value it cannot see.
func FromPlain(in map[string]any) property.Map {
	out := make(map[string]property.Value, len(in))
	for k, v := range in {
		out[k] = fromPlain(v)
	}
	return property.NewMap(out)
}

func fromPlain(v any) property.Value {
	switch x := v.(type) {
	case nil:
		return property.Value{}
	case bool:
		return property.New(x)
	case float64:
		return property.New(x)
	case int:
		return property.New(float64(x))
	case string:
		if x == core.UnknownMarker || x == core.SecretMarker {
			return property.New(property.Computed)
		}
		return property.New(x)
	case []any:
		arr := make([]property.Value, len(x))
		for i, e := range x {
			arr[i] = fromPlain(e)
		}
		return property.New(arr)
	case map[string]any:
		return property.New(FromPlain(x))
	}
	return property.Value{}
}

// lastSegment is the final part of an ARN, resource path or self link: the
// name a reference most likely carries.
func lastSegment(s string) string {
	if i := strings.LastIndexAny(s, ":/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Region is where a resource lives: its own region or location input, else
// its explicit provider's (props and provider are their inputs; provider
// may be empty). Unknown values and markers do not count. Every front end
// (the pack, the offline plan) places resources this way.
func Region(props, provider property.Map) string {
	for _, m := range []property.Map{props, provider} {
		for _, k := range []string{"region", "location"} {
			v, ok := m.GetOk(k)
			if !ok || !v.IsString() {
				continue
			}
			if s := strings.TrimSpace(v.AsString()); s != "" && s != core.UnknownMarker && s != core.SecretMarker {
				return s
			}
		}
	}
	return ""
}
