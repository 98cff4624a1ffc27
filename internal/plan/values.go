package plan

import (
	"sort"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/wedsync/wedsync-infra/components/core"
)

// toPlain turns engine property values into plain JSON-able values: secrets
// are masked, unknowns marked, resource references shown by URN.
func toPlain(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = plainValue(v)
	}
	return out
}

func plainValue(v resource.PropertyValue) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsSecret():
		return core.SecretMarker
	case v.IsComputed():
		return core.UnknownMarker
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return core.SecretMarker
		}
		if !o.Known {
			return core.UnknownMarker
		}
		return plainValue(o.Element)
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plainValue(e)
		}
		return out
	case v.IsObject():
		return toPlain(v.ObjectValue())
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		return string(ref.URN)
	case v.IsAsset(), v.IsArchive():
		return "[asset]"
	}
	return nil
}

// Lookup follows a dotted path ("settings.ipConfiguration.ipv4Enabled")
// through plain inputs; list indexes are numbers ("rules.0.id").
func Lookup(inputs map[string]any, path ...string) (any, bool) {
	var cur any = inputs
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i := 0
			for _, r := range p {
				if r < '0' || r > '9' {
					return nil, false
				}
				i = i*10 + int(r-'0')
			}
			if i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// flatten lists every leaf of inputs as dotted path -> value, sorted by path.
func flatten(prefix string, v any, out *[]leaf) {
	switch c := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, c[k], out)
		}
	case []any:
		for i, e := range c {
			flatten(prefix+"["+strconv.Itoa(i)+"]", e, out)
		}
	default:
		*out = append(*out, leaf{prefix, v})
	}
}

type leaf struct {
	path  string
	value any
}
