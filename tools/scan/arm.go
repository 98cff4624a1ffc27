package main

import (
	"bytes"
	"encoding/json"
	"strings"
)

// toARM writes the plan's Azure resources that Trivy reads as one ARM
// deployment template, with each resource's lines recorded.
func toARM(p *plan, file string) ([]byte, []span) {
	type entry struct {
		r   resource
		doc map[string]any
	}
	var entries []entry
	for _, r := range p.Resources {
		spec, ok := armTypes[r.Type]
		if !ok {
			continue
		}
		for _, doc := range armResources(spec, r.Inputs) {
			entries = append(entries, entry{r, doc})
		}
	}
	if len(entries) == 0 {
		return nil, nil
	}
	var out bytes.Buffer
	out.WriteString("{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n" +
		"  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": [\n")
	line := 5
	var spans []span
	for i, e := range entries {
		text, _ := json.MarshalIndent(e.doc, "    ", "  ")
		lines := bytes.Count(text, []byte("\n")) + 1
		out.WriteString("    ")
		out.Write(text)
		if i < len(entries)-1 {
			out.WriteString(",")
		}
		out.WriteString("\n")
		spans = append(spans, span{File: file, Start: line, End: line + lines - 1, Resource: e.r})
		line += lines
	}
	out.WriteString("  ]\n}\n")
	return out.Bytes(), spans
}

// armResources is the ARM form of one resource's inputs: the resource and
// any child resources its inline lists stand for.
func armResources(spec armSpec, inputs map[string]any) []map[string]any {
	var names []string
	path := map[string]bool{"resourceGroupName": true}
	for _, n := range spec.Names {
		path[n] = true
		if s, ok := inputs[n].(string); ok {
			names = append(names, s)
		}
	}
	if spec.Scoped {
		path["scope"] = true
	}
	doc := map[string]any{"type": spec.Type, "apiVersion": spec.APIVersion, "name": strings.Join(names, "/")}
	props := map[string]any{}
	if explicit, ok := inputs["properties"].(map[string]any); ok {
		props = renamed(spec.Renames, "properties", explicit)
	}
	var children []map[string]any
	for k, v := range inputs {
		switch {
		case path[k] || k == "properties":
		case armTopLevel[k]:
			doc[k] = topLevel(k, v)
		case spec.Children[k] != "":
			for _, item := range asObjects(v) {
				children = append(children, child(spec, doc["name"].(string), spec.Children[k], item))
			}
		default:
			props[renameKey(spec.Renames, "", k)] = renamedValue(spec.Renames, k, v)
		}
	}
	if len(props) > 0 {
		doc["properties"] = props
	}
	return append([]map[string]any{doc}, children...)
}

// child is an inline list item as its child resource {name, properties}.
func child(spec armSpec, parent, childType string, item map[string]any) map[string]any {
	props := map[string]any{}
	name, _ := item["name"].(string)
	for k, v := range item {
		if k != "name" && k != "id" {
			props[k] = v
		}
	}
	return map[string]any{"type": spec.Type + "/" + childType, "apiVersion": spec.APIVersion,
		"name": parent + "/" + name, "properties": props}
}

// topLevel converts azure-native's shape of a top-level key to ARM's: a
// user-assigned identity list becomes ARM's map of identity ids.
func topLevel(k string, v any) any {
	id, ok := v.(map[string]any)
	if k != "identity" || !ok {
		return v
	}
	out := map[string]any{}
	for ik, iv := range id {
		if list, ok := iv.([]any); ok && ik == "userAssignedIdentities" {
			m := map[string]any{}
			for _, x := range list {
				if s, ok := x.(string); ok {
					m[s] = map[string]any{}
				}
			}
			iv = m
		}
		out[ik] = iv
	}
	return out
}

func renamed(renames map[string]string, prefix string, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		out[renameKey(renames, prefix, k)] = renamedValue(renames, path, v)
	}
	return out
}

func renameKey(renames map[string]string, prefix, k string) string {
	path := k
	if prefix != "" {
		path = prefix + "." + k
	}
	if rn, ok := renames[path]; ok {
		return rn
	}
	return k
}

func renamedValue(renames map[string]string, path string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		return renamed(renames, path, v)
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = renamedValue(renames, path, item)
		}
		return out
	}
	return v
}

func asObjects(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
