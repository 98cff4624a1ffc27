package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// plan is the part of a wedsync-infra plan document (docs/plan-format.md)
// the scanner reads. It is read here, not imported from wedsync-infra: the
// scanner is an independent oracle that sees only what the plan says.
type plan struct {
	Stack     string     `json:"stack"`
	Resources []resource `json:"resources"`
}

type resource struct {
	URN    string         `json:"urn"`
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	ID     string         `json:"id"`
	Inputs map[string]any `json:"inputs"`
}

// key names a plan resource in findings and in scan/accepted.yaml.
func (r resource) key() string { return r.Type + "::" + r.Name }

func readPlan(path string) (*plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // integers stay integers in HCL and ARM
	var p plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Stack == "" {
		return nil, fmt.Errorf("%s: not a plan document (no stack)", path)
	}
	return &p, nil
}
