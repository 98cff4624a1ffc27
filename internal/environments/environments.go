// Package environments evaluates the Pulumi ESC environment definitions in
// environments/ locally, with the ESC library: imports, ${...}
// interpolation and fn::secret. Pulumi's CLI resolves a stack file's
// `environment:` imports only against Pulumi Cloud; evaluating them here lets
// the offline plan, promotion, the freeze check and deploys see the same
// config on any state backend.
package environments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/esc"
	"github.com/pulumi/esc/eval"
	"github.com/pulumi/esc/syntax"
	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// DirName is the directory, beside Pulumi.yaml, holding one <name>.yaml per
// environment.
const DirName = "environments"

// Dir is the environments directory of project p.
func Dir(p *project.Project) string { return filepath.Join(p.Dir, DirName) }

// Store reads environment definitions from a directory: the environment
// "prod" is <Dir>/prod.yaml. It is the ESC evaluator's environment loader.
type Store struct {
	Dir string
	// ReadFile reads a definition; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)
}

// validName keeps names to plain file names: an import cannot reach outside
// the directory.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ErrNoEnvironment is returned for an environment with no definition file.
var ErrNoEnvironment = errors.New("no such environment")

// Path is the definition file of environment name.
func (s Store) Path(name string) string { return filepath.Join(s.Dir, name+".yaml") }

// Read returns the definition of environment name, refusing plaintext
// secrets.
func (s Store) Read(name string) ([]byte, error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("environment name %q: use letters, digits, '-', '_' or '.'", name)
	}
	read := s.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(s.Path(name))
	if errors.Is(err, os.ErrNotExist) {
		known, _ := s.Names()
		return nil, fmt.Errorf("%w %q: %s does not exist; environments: %v", ErrNoEnvironment, name, s.Path(name), known)
	}
	if err != nil {
		return nil, err
	}
	if err := CheckNoPlaintextSecrets(s.Path(name), data); err != nil {
		return nil, err
	}
	if err := CheckDefinition(s.Path(name), data); err != nil {
		return nil, err
	}
	return data, nil
}

// Names lists the environments that have a definition file, sorted.
func (s Store) Names() ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(s.Dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, strings.TrimSuffix(filepath.Base(m), ".yaml"))
	}
	sort.Strings(out)
	return out, nil
}

// LoadEnvironment implements eval.EnvironmentLoader for imports.
func (s Store) LoadEnvironment(_ context.Context, name string) ([]byte, eval.Decrypter, error) {
	data, err := s.Read(name)
	if err != nil {
		return nil, nil, err
	}
	return data, sealed{}, nil
}

// sealed stands in for Pulumi Cloud's key: an `fn::secret: {ciphertext: ...}`
// value cannot be decrypted locally, so it evaluates to the placeholder the
// offline plan uses for secret stack config, still marked secret.
type sealed struct{}

func (sealed) Decrypt(context.Context, []byte) ([]byte, error) {
	return []byte(core.SecretMarker), nil
}

// noProviders refuses fn::open: dynamic credentials and secrets come from
// providers that exist only in Pulumi Cloud.
type noProviders struct{}

func (noProviders) LoadProvider(_ context.Context, name string) (esc.Provider, error) {
	return nil, fmt.Errorf("fn::open::%s needs Pulumi Cloud; environments evaluated locally cannot open providers (use stack config set with `pulumi config set --secret` instead)", name)
}

func (noProviders) LoadRotator(_ context.Context, name string) (esc.Rotator, error) {
	return nil, fmt.Errorf("fn::rotate::%s needs Pulumi Cloud", name)
}

// Environment is an evaluated environment.
type Environment struct {
	Name string
	// PulumiConfig is the stack config the environment gives its stacks, as
	// Pulumi passes config to programs: namespaced keys ("wedsync:owner"),
	// strings as they are, numbers and booleans as text, objects as JSON.
	PulumiConfig map[string]string
	// SecretKeys are the PulumiConfig keys holding secrets; their values are
	// core.SecretMarker.
	SecretKeys []string
	// EnvironmentVariables are exported to CI jobs; secrets are redacted.
	EnvironmentVariables map[string]string
	// Release is the evaluated `release` block (nil if there is none), as
	// plain JSON values.
	Release map[string]any
	// Values are every top-level value, as plain JSON values, secrets
	// redacted.
	Values map[string]any
	// Positions are where each PulumiConfig value (and each value inside
	// it) is defined, for problems to point at.
	Positions project.Positions
}

// Evaluate evaluates environment name with its imports. projectName
// namespaces pulumiConfig keys written without one, as Pulumi does.
func (s Store) Evaluate(ctx context.Context, projectName, name string) (*Environment, error) {
	data, err := s.Read(name)
	if err != nil {
		return nil, err
	}
	decl, diags, err := eval.LoadYAMLBytes(name, data)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", name, err)
	}
	if diags.HasErrors() {
		return nil, diagError(s.Path(name), diags)
	}
	execCtx, err := esc.NewExecContext(map[string]esc.Value{})
	if err != nil {
		return nil, err
	}
	env, diags := eval.EvalEnvironment(ctx, name, decl, sealed{}, noProviders{}, s, execCtx)
	if diags.HasErrors() {
		return nil, diagError(s.Path(name), diags)
	}
	if env == nil {
		return &Environment{Name: name, PulumiConfig: map[string]string{}, EnvironmentVariables: map[string]string{}, Values: map[string]any{}, Positions: project.Positions{}}, nil
	}
	return fromESC(projectName, name, env, s.Path)
}

func fromESC(projectName, name string, env *esc.Environment, path func(string) string) (*Environment, error) {
	out := &Environment{
		Name:                 name,
		PulumiConfig:         map[string]string{},
		EnvironmentVariables: map[string]string{},
		Values:               map[string]any{},
		Positions:            project.Positions{},
	}
	for k, v := range env.Properties {
		out.Values[k] = v.ToJSON(true)
	}
	if rel, ok := env.Properties["release"]; ok {
		m, isMap := rel.ToJSON(true).(map[string]any)
		if !isMap {
			return nil, fmt.Errorf("environment %s: values.release must be an object", name)
		}
		out.Release = m
	}
	if pc, ok := env.Properties["pulumiConfig"]; ok {
		obj, isMap := pc.Value.(map[string]esc.Value)
		if !isMap {
			return nil, fmt.Errorf("environment %s: values.pulumiConfig must be an object of config keys", name)
		}
		for key, v := range obj {
			full := key
			if !strings.Contains(key, ":") {
				full = projectName + ":" + key
			}
			if v.Unknown {
				return nil, fmt.Errorf("environment %s: pulumiConfig.%s cannot be known without Pulumi Cloud", name, key)
			}
			raw, secret, err := rawValue(v)
			if err != nil {
				return nil, fmt.Errorf("environment %s: pulumiConfig.%s: %w", name, key, err)
			}
			out.PulumiConfig[full] = raw
			escPositions(out.Positions, full, v, name, path)
			if secret {
				out.SecretKeys = append(out.SecretKeys, full)
			}
		}
		sort.Strings(out.SecretKeys)
	}
	for k, v := range env.GetEnvironmentVariables() {
		out.EnvironmentVariables[k] = v.ToString(true)
	}
	return out, nil
}

// escPositions records where v, and every value inside it, is defined.
func escPositions(out project.Positions, at string, v esc.Value, env string, path func(string) string) {
	def := v.Trace.Def
	if def.Environment == "" {
		def.Environment = env
	}
	if def.Begin.Line > 0 {
		out[at] = project.Position{File: path(def.Environment), Line: def.Begin.Line, Column: def.Begin.Column}
	}
	switch x := v.Value.(type) {
	case map[string]esc.Value:
		for k, e := range x {
			escPositions(out, at+"."+k, e, env, path)
		}
	case []esc.Value:
		for i, e := range x {
			escPositions(out, fmt.Sprintf("%s[%d]", at, i), e, env, path)
		}
	}
}

// rawValue renders an ESC value as Pulumi passes config to programs, and
// whether it is or holds a secret (then rendered as the placeholder).
func rawValue(v esc.Value) (string, bool, error) {
	if v.Secret {
		return core.SecretMarker, true, nil
	}
	switch x := v.Value.(type) {
	case nil:
		return "", false, nil
	case string:
		return x, false, nil
	case bool:
		if x {
			return "true", false, nil
		}
		return "false", false, nil
	case json.Number:
		return x.String(), false, nil
	}
	plain := v.ToJSON(true)
	data, err := json.Marshal(plain)
	if err != nil {
		return "", false, err
	}
	return string(data), holdsSecret(v), nil
}

func holdsSecret(v esc.Value) bool {
	if v.Secret {
		return true
	}
	switch x := v.Value.(type) {
	case []esc.Value:
		for _, e := range x {
			if holdsSecret(e) {
				return true
			}
		}
	case map[string]esc.Value:
		for _, e := range x {
			if holdsSecret(e) {
				return true
			}
		}
	}
	return false
}

// DiagError is an environment that does not parse or evaluate: every
// diagnostic, with its position.
type DiagError struct {
	File  string
	Diags syntax.Diagnostics
}

func diagError(file string, diags syntax.Diagnostics) error {
	var errs syntax.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return &DiagError{File: file, Diags: errs}
}

func (e *DiagError) Error() string {
	msgs := make([]string, 0, len(e.Diags))
	for _, d := range e.Diags {
		pos := ""
		if d.Subject != nil {
			pos = fmt.Sprintf("%d:%d: ", d.Subject.Start.Line, d.Subject.Start.Column)
		}
		detail := d.Summary
		if d.Detail != "" && d.Detail != d.Summary {
			detail += ": " + d.Detail
		}
		msgs = append(msgs, pos+detail)
	}
	return fmt.Sprintf("%s: %s", e.File, strings.Join(msgs, "; "))
}

// CheckNoPlaintextSecrets refuses a definition with `fn::secret` over a
// plain string: ESC would keep it readable in the file and in git. Secrets
// belong in stack files (`pulumi config set --secret`) or, on Pulumi Cloud,
// in ciphertext written by `esc env set --secret`.
func CheckNoPlaintextSecrets(file string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: not valid YAML: %w", file, project.YAMLError(data, err))
	}
	var errs []error
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for i, c := range n.Content {
				p := path
				if n.Kind == yaml.SequenceNode {
					p = fmt.Sprintf("%s[%d]", path, i)
				}
				walk(c, p)
			}
		case yaml.AliasNode:
			if n.Alias != nil {
				walk(n.Alias, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := strings.TrimPrefix(path+"."+k.Value, ".")
				if k.Value == "fn::secret" && v.Kind == yaml.ScalarNode {
					errs = append(errs, fmt.Errorf("%s:%d: %s is a plaintext secret; remove it and set the value with `pulumi config set --secret` in the stack file", file, k.Line, p))
				}
				walk(v, p)
			}
		}
	}
	walk(&doc, "")
	return errors.Join(errs...)
}
