package project

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Position is where a config value is written: a file, a line and a
// column, so a problem with the value can point at it.
type Position struct {
	File         string
	Line, Column int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

// Positions are the positions of config values by path, as the config
// decoder names fields: "wedsync:budget", "wedsync:budget.amount",
// "wedsync:alerting.receivers[0].email".
type Positions map[string]Position

// RootKey is the config key a path is under ("wedsync:budget" for
// "wedsync:budget.amount"): config keys hold neither '.' nor '['.
func RootKey(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// Replace drops every position under key and adds those of from under it:
// a config key's value replaces the whole of the value before it, as
// Pulumi merges config.
func (ps Positions) Replace(key string, from Positions) {
	for path := range ps {
		if RootKey(path) == key {
			delete(ps, path)
		}
	}
	for path, pos := range from {
		if RootKey(path) == key {
			ps[path] = pos
		}
	}
}

// Find is the position of path, or of the nearest value holding it (a
// missing field is reported at its object); ok is false when no part of
// path is known.
func (ps Positions) Find(path string) (Position, bool) {
	for p := path; p != ""; {
		if pos, ok := ps[p]; ok {
			return pos, true
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return Position{}, false
}

// yamlPositions records the position of every value under n at path.
func yamlPositions(out Positions, file, path string, n *yaml.Node) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	out[path] = Position{File: file, Line: n.Line, Column: n.Column}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			yamlPositions(out, file, path+"."+n.Content[i].Value, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			yamlPositions(out, file, fmt.Sprintf("%s[%d]", path, i), c)
		}
	}
}

// stackPositions are the positions of the config values of a stack file.
func stackPositions(data []byte, file, projectName string) Positions {
	out := Positions{}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return out
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "config" || root.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		config := root.Content[i+1]
		for j := 0; j+1 < len(config.Content); j += 2 {
			key := config.Content[j].Value
			if !strings.Contains(key, ":") {
				key = projectName + ":" + key
			}
			yamlPositions(out, file, key, config.Content[j+1])
		}
	}
	return out
}
