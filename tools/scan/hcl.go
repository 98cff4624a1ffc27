package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// span is where one plan resource landed in a generated file, so that a
// finding's line is traced back to the plan resource it is about.
type span struct {
	File       string
	Start, End int
	Resource   resource
}

// toTerraform writes the plan's AWS and GCP resources that Trivy reads as
// one Terraform configuration. An input whose value is the id of another
// converted resource becomes a reference to it (Trivy's adapters link flow
// logs to VPCs and rules to security groups by reference).
func toTerraform(p *plan, file string) ([]byte, []span) {
	conv := &tfConverter{ids: map[string]string{}, used: map[string]bool{}}
	type named struct {
		r    resource
		spec tfSpec
		addr string
	}
	var todo []named
	for _, r := range p.Resources {
		spec, ok := tfTypes[r.Type]
		if !ok {
			continue
		}
		addr := spec.Type + "." + conv.label(spec.Type, r.Name)
		if r.ID != "" {
			conv.ids[r.ID] = addr
		}
		todo = append(todo, named{r, spec, addr})
	}
	var out bytes.Buffer
	var spans []span
	line := 1
	for _, n := range todo {
		f := hclwrite.NewEmptyFile()
		labels := strings.SplitN(n.addr, ".", 2)
		block := f.Body().AppendNewBlock("resource", labels)
		conv.self = n.addr
		if n.r.Type == awsRolePolicy {
			rolePolicyAsManaged(f.Body(), block, "inline_"+labels[1], n.r.Inputs)
		} else {
			conv.body(block.Body(), n.spec, "", n.r.Inputs)
		}
		text := f.Bytes()
		lines := bytes.Count(text, []byte("\n"))
		spans = append(spans, span{File: file, Start: line, End: line + lines - 1, Resource: n.r})
		out.Write(text)
		out.WriteString("\n")
		line += lines + 1
	}
	return out.Bytes(), spans
}

type tfConverter struct {
	ids  map[string]string // resource id -> Terraform address
	used map[string]bool   // Terraform addresses handed out
	self string
}

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// label is a unique Terraform resource name for a plan name.
func (c *tfConverter) label(tfType, name string) string {
	base := notIdent.ReplaceAllString(name, "_")
	if base == "" || !unicode.IsLetter(rune(base[0])) && base[0] != '_' {
		base = "r_" + base
	}
	label := base
	for i := 2; c.used[tfType+"."+label]; i++ {
		label = fmt.Sprintf("%s_%d", base, i)
	}
	c.used[tfType+"."+label] = true
	return label
}

// body writes inputs (at the dotted Pulumi path prefix) into a block body:
// objects become blocks, lists of objects repeated blocks, the rest attributes.
func (c *tfConverter) body(b *hclwrite.Body, spec tfSpec, prefix string, inputs map[string]any) {
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		name := snakeCase(k)
		if rn, ok := spec.Renames[path]; ok {
			name = rn
		}
		switch v := inputs[k].(type) {
		case map[string]any:
			switch {
			case jsonAttributes[k]:
				doc, _ := json.Marshal(v)
				b.SetAttributeValue(name, cty.StringVal(string(doc)))
			case mapAttributes[k] || contains(spec.Maps, path):
				b.SetAttributeValue(name, ctyValue(v))
			default:
				c.body(b.AppendNewBlock(name, nil).Body(), spec, path, v)
			}
		case []any:
			if len(v) > 0 && allObjects(v) {
				for _, item := range v {
					c.body(b.AppendNewBlock(name, nil).Body(), spec, path, item.(map[string]any))
				}
				continue
			}
			c.attribute(b, name, v)
		default:
			c.attribute(b, name, v)
		}
	}
}

// attribute writes name = value, with ids of converted resources as references.
func (c *tfConverter) attribute(b *hclwrite.Body, name string, v any) {
	refs := strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids")
	if s, ok := v.(string); ok && refs {
		if addr, ok := c.ids[s]; ok && addr != c.self {
			b.SetAttributeTraversal(name, traversal(addr))
			return
		}
	}
	if list, ok := v.([]any); ok && refs && len(list) > 0 {
		var toks hclwrite.Tokens
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")})
		for i, item := range list {
			if i > 0 {
				toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")})
			}
			if s, ok := item.(string); ok && c.ids[s] != "" && c.ids[s] != c.self {
				toks = append(toks, hclwrite.TokensForTraversal(traversal(c.ids[s]))...)
			} else {
				toks = append(toks, hclwrite.TokensForValue(ctyValue(item))...)
			}
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
		b.SetAttributeRaw(name, toks)
		return
	}
	b.SetAttributeValue(name, ctyValue(v))
}

func traversal(addr string) hcl.Traversal {
	parts := strings.SplitN(addr, ".", 2)
	return hcl.Traversal{
		hcl.TraverseRoot{Name: parts[0]},
		hcl.TraverseAttr{Name: parts[1]},
		hcl.TraverseAttr{Name: "id"},
	}
}

// ctyValue converts a JSON value: objects to objects, lists to tuples.
func ctyValue(v any) cty.Value {
	switch v := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case bool:
		return cty.BoolVal(v)
	case string:
		return cty.StringVal(v)
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 512, big.ToNearestEven)
		if err != nil {
			return cty.StringVal(string(v))
		}
		return cty.NumberVal(f)
	case []any:
		if len(v) == 0 {
			return cty.EmptyTupleVal
		}
		vals := make([]cty.Value, len(v))
		for i, item := range v {
			vals[i] = ctyValue(item)
		}
		return cty.TupleVal(vals)
	case map[string]any:
		if len(v) == 0 {
			return cty.EmptyObjectVal
		}
		vals := make(map[string]cty.Value, len(v))
		for k, item := range v {
			vals[k] = ctyValue(item)
		}
		return cty.ObjectVal(vals)
	}
	return cty.StringVal(fmt.Sprint(v))
}

// snakeCase undoes the bridge's camelCasing: ipv6CidrBlocks -> ipv6_cidr_blocks.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allObjects(list []any) bool {
	for _, item := range list {
		if _, ok := item.(map[string]any); !ok {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const awsRolePolicy = "aws:iam/rolePolicy:RolePolicy"

// rolePolicyAsManaged writes an inline role policy (aws_iam_role_policy) in
// its equivalent form, the same document as a policy attached to the same
// role. Trivy v0.74 links only the first aws_iam_role_policy of a role to
// it (applyForDependentResource in adapters/terraform/aws/iam returns the
// first match) and checks no other; every aws_iam_policy it checks.
func rolePolicyAsManaged(file *hclwrite.Body, block *hclwrite.Block, label string, inputs map[string]any) {
	block.SetLabels([]string{"aws_iam_policy", label})
	for _, k := range []string{"name", "policy"} {
		if v, ok := inputs[k]; ok {
			if m, isMap := v.(map[string]any); isMap {
				doc, _ := json.Marshal(m)
				v = string(doc)
			}
			block.Body().SetAttributeValue(k, ctyValue(v))
		}
	}
	attach := file.AppendNewBlock("resource", []string{"aws_iam_role_policy_attachment", label + "_attachment"})
	if role, ok := inputs["role"]; ok {
		attach.Body().SetAttributeValue("role", ctyValue(role))
	}
	attach.Body().SetAttributeTraversal("policy_arn", hcl.Traversal{
		hcl.TraverseRoot{Name: "aws_iam_policy"}, hcl.TraverseAttr{Name: label}, hcl.TraverseAttr{Name: "arn"}})
}
