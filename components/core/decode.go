package core

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// checkFields walks decoded JSON alongside the Go type it will decode into
// and records every key the type does not have, so a typo like
// "backupRetentionDay" is an error instead of a silently ignored setting.
func checkFields(p *Problems, path string, value any, target any) {
	walk(p, path, value, reflect.TypeOf(target))
}

func walk(p *Problems, path string, value any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch v := value.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct && t.Kind() != reflect.Map && t.Kind() != reflect.Interface {
			p.Add(path, "{...}", "wrong type: an object where %s is expected", kindName(t))
			return
		}
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			for _, name := range slices.Sorted(maps.Keys(v)) {
				ft, ok := fields[name]
				if !ok {
					p.Add(path+"."+name, v[name], "unknown field%s; known fields: %s", DidYouMean(name, slices.Sorted(maps.Keys(fields))), strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
					continue
				}
				walk(p, path+"."+name, v[name], ft)
			}
		case reflect.Map:
			allowed := allowedKeys(t)
			for _, name := range slices.Sorted(maps.Keys(v)) {
				if allowed != nil && !slices.Contains(allowed, name) {
					p.Add(path+"."+name, v[name], "unknown key%s; known keys: %s", DidYouMean(name, allowed), strings.Join(allowed, ", "))
					continue
				}
				walk(p, path+"."+name, v[name], t.Elem())
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			p.Add(path, v, "wrong type: a list where %s is expected", kindName(t))
			return
		}
		for i, item := range v {
			walk(p, path+"["+strconv.Itoa(i)+"]", item, t.Elem())
		}
	case nil:
	default:
		switch {
		case !scalarFits(v, t):
			p.Add(path, v, "wrong type: want %s", kindName(t))
		case !fitsRange(v, t):
			p.Add(path, v, "out of range: want %s from %s", kindName(t), rangeOf(t))
		}
	}
}

// fitsRange reports whether a JSON number goes into t without loss: a whole
// number within an integer type's range (1e20 in an int was once "cannot
// be read" of the whole object), a finite number within a float's.
func fitsRange(v any, t reflect.Type) bool {
	f, ok := v.(float64)
	if !ok || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return true
	}
	switch k := t.Kind(); {
	case k >= reflect.Int && k <= reflect.Int64:
		return f == math.Trunc(f) && !reflect.Zero(t).OverflowInt(int64(f)) && f >= math.MinInt64 && f < math.MaxInt64
	case k >= reflect.Uint && k <= reflect.Uint64:
		return f == math.Trunc(f) && f >= 0 && f < math.MaxUint64 && !reflect.Zero(t).OverflowUint(uint64(f))
	case k == reflect.Float32:
		return !reflect.Zero(t).OverflowFloat(f)
	}
	return true
}

// rangeOf says the range of a numeric type.
func rangeOf(t reflect.Type) string {
	switch k := t.Kind(); {
	case k >= reflect.Int && k <= reflect.Int64:
		bits := t.Bits()
		return fmt.Sprintf("%d to %d", -(int64(1) << (bits - 1)), int64(uint64(1)<<(bits-1)-1))
	case k >= reflect.Uint && k <= reflect.Uint64:
		return fmt.Sprintf("0 to %d", uint64(1)<<(t.Bits()-1)*2-1)
	}
	return "the float range"
}

// KeyedMap is a map type whose keys are a fixed set (a recovery's source
// keys by "role.purpose"): DecodeObject refuses any other key with a
// did-you-mean, as it refuses an unknown field of a struct, so a typo in a
// key is not silently a missing entry.
type KeyedMap interface {
	// AllowedKeys are the keys the map may hold, sorted.
	AllowedKeys() []string
}

// allowedKeys is the key set of map type t, nil when any key is allowed.
func allowedKeys(t reflect.Type) []string {
	if k, ok := reflect.Zero(t).Interface().(KeyedMap); ok {
		return k.AllowedKeys()
	}
	return nil
}

// scalarFits reports whether a decoded JSON scalar can go into t. Types that
// decode themselves (json.Unmarshaler) are left to their own checks.
func scalarFits(v any, t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) || t.Kind() == reflect.Interface {
		return true
	}
	switch v.(type) {
	case string:
		return t.Kind() == reflect.String
	case bool:
		return t.Kind() == reflect.Bool
	case float64:
		k := t.Kind()
		return k >= reflect.Int && k <= reflect.Float64
	}
	return false
}

func kindName(t reflect.Type) string {
	switch k := t.Kind(); {
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "true or false"
	case k >= reflect.Int && k <= reflect.Uint64:
		return "a whole number"
	case k == reflect.Float32 || k == reflect.Float64:
		return "a number"
	case k == reflect.Slice || k == reflect.Array:
		return "a list"
	}
	return "an object"
}

// jsonFields maps the JSON names of t's fields to their types, following
// embedded structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// DidYouMean returns `; did you mean "x"?` for the closest candidate within
// a small edit distance (or a case-insensitive match), else "".
func DidYouMean(got string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		d := editDistance(strings.ToLower(got), strings.ToLower(c))
		if d < bestDist || d == bestDist && c < best {
			best, bestDist = c, d
		}
	}
	limit := 2
	if len(got) > 8 {
		limit = 3
	}
	if best == "" || bestDist > limit {
		return ""
	}
	return `; did you mean "` + best + `"?`
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// DecodeObject decodes raw JSON into out (a pointer to a struct or map),
// recording a problem for anything that is not valid JSON, a field out does
// not have (with a did-you-mean suggestion), or a value of the wrong type.
// It is the one decoder of every structured config value, so the program,
// the freeze check and the policy pack read a value the same way.
func DecodeObject(p *Problems, key, raw string, out any) {
	var generic any
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		p.Add(key, raw, "not a valid object: %v", err)
		return
	}
	before := len(Flatten(p.Err()))
	checkFields(p, key, generic, out)
	if len(Flatten(p.Err())) > before {
		return
	}
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		p.Add(key, raw, "cannot be read: %v", err)
	}
}
