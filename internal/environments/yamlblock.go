package environments

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// SetBlock sets the key at path (e.g. "values", "release") in a YAML
// document to value, rewriting only the lines of that key and its value:
// every other line, comment and blank line stays byte for byte, so the change
// is a small, reviewable diff. The mapping holding the key (path without
// its last element) must exist and be a block mapping; a missing key is
// added at the end of it.
func SetBlock(data []byte, path []string, value *yaml.Node) ([]byte, error) {
	parent, err := blockParent(data, path)
	if err != nil {
		return nil, err
	}
	key := path[len(path)-1]
	indent := parent.Content[0].Column - 1
	newKey := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	lines := splitLines(data)
	if i := keyIndex(parent, key); i >= 0 {
		old := parent.Content[i]
		newKey.LineComment = old.LineComment
		text, err := render(newKey, value, indent)
		if err != nil {
			return nil, err
		}
		return spliceLines(lines, old.Line, lastLine(parent.Content[i+1]), text), nil
	}
	text, err := render(newKey, value, indent)
	if err != nil {
		return nil, err
	}
	end := lastLine(parent)
	return spliceLines(lines, end+1, end, text), nil
}

// RemoveBlock deletes the key at path and its value, leaving every other
// line as it was. It reports whether the key was there.
func RemoveBlock(data []byte, path []string) ([]byte, bool, error) {
	parent, err := blockParent(data, path)
	if err != nil {
		return nil, false, err
	}
	i := keyIndex(parent, path[len(path)-1])
	if i < 0 {
		return data, false, nil
	}
	if len(parent.Content) == 2 {
		return nil, false, fmt.Errorf("%s is the only key of %s; removing it would leave an empty mapping", path[len(path)-1], strings.Join(path[:len(path)-1], "."))
	}
	return spliceLines(splitLines(data), parent.Content[i].Line, lastLine(parent.Content[i+1]), nil), true, nil
}

// GetBlock returns the value node at path, or nil if there is none.
func GetBlock(data []byte, path []string) (*yaml.Node, error) {
	parent, err := blockParent(data, path)
	if err != nil {
		return nil, err
	}
	if i := keyIndex(parent, path[len(path)-1]); i >= 0 {
		return parent.Content[i+1], nil
	}
	return nil, nil
}

// blockParent parses data and returns the block mapping holding the last
// element of path.
func blockParent(data []byte, path []string) (*yaml.Node, error) {
	if len(path) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	n := doc.Content[0]
	for depth, key := range path[:len(path)-1] {
		if n.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s is not a mapping", strings.Join(path[:depth], "."))
		}
		i := keyIndex(n, key)
		if i < 0 {
			return nil, fmt.Errorf("no %s in the document", strings.Join(path[:depth+1], "."))
		}
		n = n.Content[i+1]
	}
	where := strings.Join(path[:len(path)-1], ".")
	if where == "" {
		where = "the document"
	}
	if n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 {
		return nil, fmt.Errorf("%s is not a block mapping with at least one key", where)
	}
	return n, nil
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// lastLine is the last line (1-based) a node's text occupies.
func lastLine(n *yaml.Node) int {
	last := n.Line
	if n.Kind == yaml.ScalarNode {
		switch {
		case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			last += strings.Count(strings.TrimRight(n.Value, "\n"), "\n") + 1
		case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
			last += strings.Count(n.Value, "\n")
		}
	}
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// render writes key: value as block YAML indented by indent spaces.
func render(key, value *yaml.Node, indent int) ([]string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{key, value}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	pad := strings.Repeat(" ", indent)
	var out []string
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if l == "" {
			out = append(out, "")
			continue
		}
		out = append(out, pad+l)
	}
	return out, nil
}

// splitLines splits data into lines without their newlines.
func splitLines(data []byte) []string {
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// spliceLines replaces lines from..to (1-based, inclusive; to < from means
// an insertion before from) with repl, and joins with a final newline.
func spliceLines(lines []string, from, to int, repl []string) []byte {
	from = min(max(from, 1), len(lines)+1)
	to = min(max(to, from-1), len(lines))
	out := make([]string, 0, len(lines)+len(repl))
	out = append(out, lines[:from-1]...)
	out = append(out, repl...)
	out = append(out, lines[to:]...)
	return []byte(strings.Join(out, "\n") + "\n")
}
