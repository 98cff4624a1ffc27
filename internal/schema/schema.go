// Package schema writes the JSON Schemas of stack files
// (stacks/Pulumi.*.yaml) and environment files (environments/*.yaml) from
// where their keys and rules are defined: the config keys and their Go
// types (stacks.KeyTargets), the environment definition's rules
// (internal/environments) and the documented limits (limits.ConfigTable).
// An editor reading a file's `# yaml-language-server: $schema=` line
// underlines a typo before any command runs; the program's own checks stay
// the judge (they also say did-you-mean and hold cross-key rules a schema
// cannot).
package schema

import (
	"bytes"

	"encoding/json"
	"fmt"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/release"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/limits"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

//go:generate go run ./gen ../../schema

// Files the schemas are written to, under the repository's schema/.
const (
	StackFile       = "stack.json"
	EnvironmentFile = "environment.json"
)

const draft = "https://json-schema.org/draft/2020-12/schema"

// obj is a schema object.
type obj = map[string]any

// Generate returns each schema file's name and contents.
func Generate() (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, s := range map[string]obj{StackFile: Stack(), EnvironmentFile: Environment()} {
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = append(data, '\n')
	}
	return out, nil
}

// enums are the string types whose values are a closed list.
var enums = map[reflect.Type][]string{
	reflect.TypeOf(core.Environment("")): names(core.Environments),
	reflect.TypeOf(core.Cloud("")):       names(core.Clouds),
}

func names[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// configKeys are the schemas of every `wedsync:` key, with the limits'
// rules applied; the key itself is a list of environment names.
func configKeys() obj {
	keys := obj{}
	for key, t := range stacks.KeyTargets() {
		s := typeOf(reflect.TypeOf(t.Value))
		s["description"] = t.Help
		keys[key] = s
	}
	keys[stacks.Namespace+":"+project.EnvironmentsKey] = obj{
		"description": "the environments (environments/<name>.yaml) the stack imports",
		"type":        "array", "items": typeOf(reflect.TypeOf("")),
	}
	for _, r := range limits.ConfigTable {
		if r.Schema == nil || len(r.Clouds) > 0 || r.Key == "*" {
			continue // cloud-specific rules need the cloud, which another file may set
		}
		if at := find(keys[r.Key], r.Path); at != nil {
			merge(at, r.Schema)
		}
	}
	return keys
}

// stringRules are the limits every string in a file is held to.
func stringRules() []obj {
	var out []obj
	for _, r := range limits.ConfigTable {
		if r.Key == "*" && r.Path == "**" && r.Schema != nil {
			out = append(out, r.Schema)
		}
	}
	return out
}

// find is the schema at a dotted path ("receivers.*.email") inside s.
func find(s any, path string) obj {
	at, _ := s.(obj)
	for _, seg := range strings.Split(path, ".") {
		if seg == "" || at == nil {
			continue
		}
		var next any
		switch {
		case seg == "*" && at["items"] != nil:
			next = at["items"]
		case seg == "*":
			next = at["additionalProperties"]
		default:
			props, _ := at["properties"].(obj)
			next = props[seg]
		}
		at, _ = next.(obj)
	}
	return at
}

// merge adds keywords to s; one s already has joins it in allOf.
func merge(s, add obj) {
	for k, v := range add {
		if _, taken := s[k]; taken {
			all, _ := s["allOf"].([]any)
			s["allOf"] = append(all, obj{k: v})
			continue
		}
		s[k] = v
	}
}

var timeType = reflect.TypeOf(time.Time{})

// typeOf is the schema of a Go type as core.DecodeObject reads it from
// JSON: structs by their json names with no other field, maps of strings
// to values, lists, and every string held to the limits on all strings.
func typeOf(t reflect.Type) obj {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return obj{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.String:
		s := obj{"type": "string"}
		if e, ok := enums[t]; ok {
			s["enum"] = e
		}
		for _, r := range stringRules() {
			merge(s, r)
		}
		return s
	case t.Kind() == reflect.Bool:
		return obj{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return obj{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return obj{"type": "number"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return obj{"type": "array", "items": typeOf(t.Elem())}
	case t.Kind() == reflect.Map:
		return obj{"type": "object", "additionalProperties": typeOf(t.Elem())}
	case t.Kind() == reflect.Struct:
		props := obj{}
		fields(t, props)
		return obj{"type": "object", "properties": props, "additionalProperties": false}
	}
	return obj{}
}

// fields adds t's JSON fields to props, embedded structs' inline.
func fields(t reflect.Type, props obj) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			fields(f.Type, props)
		case name == "":
			props[f.Name] = typeOf(f.Type)
		default:
			props[name] = typeOf(f.Type)
		}
	}
}

// secure is a value `pulumi config set --secret` wrote: ciphertext alone.
var secure = obj{
	"type": "object", "required": []string{"secure"}, "additionalProperties": false,
	"properties": obj{"secure": obj{"type": "string", "minLength": 1}},
}

// ownKeys are the names a config mapping may have: the known keys of our
// namespace, and any key of another one (aws:region).
func ownKeys(keys obj) obj {
	known := make([]string, 0, len(keys))
	for k := range keys {
		known = append(known, k)
	}
	slices.Sort(known)
	return obj{"anyOf": []any{
		obj{"enum": known},
		obj{"not": obj{"pattern": "^" + stacks.Namespace + ":"}},
	}}
}

// Stack is the schema of a stack file, stacks/Pulumi.<stack>.yaml.
func Stack() obj {
	keys := configKeys()
	for k, s := range keys {
		keys[k] = obj{"anyOf": []any{s, secure}}
	}
	if sv, ok := keys[stacks.Namespace+":secretValues"].(obj); ok {
		inner := sv["anyOf"].([]any)[0].(obj)
		inner["additionalProperties"] = obj{"anyOf": []any{inner["additionalProperties"], secure}}
	}
	str := obj{"type": "string"}
	return obj{
		"$schema": draft,
		"title":   "wedsync-infra stack file (stacks/Pulumi.<stack>.yaml); generated by internal/schema, do not edit",
		"type":    "object", "additionalProperties": false,
		"properties": obj{
			"config":          obj{"type": "object", "properties": keys, "propertyNames": ownKeys(keys)},
			"environment":     obj{"type": "array", "items": str},
			"secretsprovider": str, "encryptedkey": str, "encryptionsalt": str,
		},
	}
}

// interpolated is a value ESC computes: "${release}" or an fn:: call.
var interpolated = []any{
	obj{"type": "string", "pattern": `\$\{`},
	obj{"type": "object", "propertyNames": obj{"pattern": "^fn::"}, "minProperties": 1, "maxProperties": 1},
}

// Environment is the schema of an environment file, environments/<name>.yaml.
func Environment() obj {
	keys := configKeys()
	for k, s := range keys {
		keys[k] = obj{"anyOf": append([]any{s}, interpolated...)}
	}
	variable := obj{"anyOf": append([]any{typeOf(reflect.TypeOf(""))}, interpolated...)}
	values := obj{
		"type": "object",
		// Free-form values (interpolated into config) hold every string
		// to the limits on all strings.
		"additionalProperties": obj{"$ref": "#/$defs/printable"},
		"properties": obj{
			"pulumiConfig": obj{"type": "object", "properties": keys, "propertyNames": ownKeys(keys)},
			"environmentVariables": obj{
				"type": "object", "additionalProperties": variable,
				"propertyNames": obj{"pattern": environments.VariablePattern},
			},
			"release": typeOf(reflect.TypeOf(release.Release{})),
		},
	}
	props := obj{
		"imports": obj{"type": "array", "items": obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "object"}}}},
		"values":  values,
	}
	for _, k := range environments.DefinitionKeys() {
		if props[k] == nil {
			panic("schema: no schema for environment key " + k)
		}
	}
	return obj{
		"$schema": draft,
		"title":   "wedsync-infra environment file (environments/<name>.yaml); generated by internal/schema, do not edit",
		"type":    "object", "additionalProperties": false, "properties": props,
		"$defs": obj{"printable": printable()},
	}
}

// printable is any value whose strings (keys too) keep the limits on all
// strings.
func printable() obj {
	str := typeOf(reflect.TypeOf(""))
	self := obj{"$ref": "#/$defs/printable"}
	return obj{"anyOf": []any{
		obj{"type": []string{"number", "boolean", "null"}},
		str,
		obj{"type": "array", "items": self},
		obj{"type": "object", "additionalProperties": self, "propertyNames": str},
	}}
}

// Validate holds a YAML file's contents to the schema called name (StackFile
// or EnvironmentFile), as generated: the check an editor makes.
func Validate(name string, data []byte) error {
	files, err := Generate()
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(name, bytes.NewReader(files[name])); err != nil {
		return err
	}
	s, err := c.Compile(name)
	if err != nil {
		return err
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	// Through JSON, as an editor sees the file: numbers and mappings.
	text, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return s.Validate(v)
}
