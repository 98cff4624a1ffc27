// Package project finds the Pulumi project on disk and reads its stack
// config files, the way the Pulumi CLI does, for the tools that work without
// the CLI (the offline plan, promotion, the freeze check).
package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Project is a Pulumi project: its name and where its stack files are.
type Project struct {
	Name string
	// Dir holds Pulumi.yaml.
	Dir string
	// StackConfigDir holds the Pulumi.<stack>.yaml files.
	StackConfigDir string
	// ReadFile reads the project's stack and environment files; nil means
	// os.ReadFile. Tests count reads through it: a plan reads each file once.
	ReadFile func(path string) ([]byte, error)
}

// Read reads one of the project's files through ReadFile.
func (p *Project) Read(path string) ([]byte, error) {
	if p.ReadFile != nil {
		return p.ReadFile(path)
	}
	return os.ReadFile(path)
}

type projectFile struct {
	Name           string `yaml:"name"`
	Runtime        any    `yaml:"runtime"`
	StackConfigDir string `yaml:"stackConfigDir"`
}

// Find looks for Pulumi.yaml in dir and its parents.
func Find(dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "Pulumi.yaml")); err == nil {
			return Load(d)
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("no Pulumi.yaml in %s or any parent; run from the repository or pass --project-dir", abs)
		}
	}
}

// Load reads the Pulumi.yaml in dir.
func Load(dir string) (*Project, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	var pf projectFile
	if err := yaml.Unmarshal(data, &pf); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "Pulumi.yaml"), err)
	}
	if pf.Name == "" {
		return nil, fmt.Errorf("%s has no name", filepath.Join(dir, "Pulumi.yaml"))
	}
	p := &Project{Name: pf.Name, Dir: dir, StackConfigDir: dir}
	if pf.StackConfigDir != "" {
		p.StackConfigDir = filepath.Join(dir, pf.StackConfigDir)
	}
	return p, nil
}

// StackFile is the path of a stack's config file.
func (p *Project) StackFile(stack string) string {
	return filepath.Join(p.StackConfigDir, "Pulumi."+stack+".yaml")
}

// Stacks lists the stacks that have a config file, sorted.
func (p *Project) Stacks() ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(p.StackConfigDir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		base := filepath.Base(m)
		out = append(out, base[len("Pulumi."):len(base)-len(".yaml")])
	}
	sort.Strings(out)
	return out, nil
}

// StackConfig is a stack's config as Pulumi hands it to a program.
type StackConfig struct {
	// Values are namespaced keys ("wedsync:region") to raw values: strings
	// as they are, numbers and booleans as text, objects and lists as JSON.
	Values map[string]string
	// SecretKeys are the keys whose values are encrypted in the file; the
	// offline plan cannot decrypt them and uses a placeholder.
	SecretKeys []string
	// Environment lists the ESC environments the stack imports, in order:
	// its `environment:` list (resolved by Pulumi Cloud) and then its
	// `<project>:environments` config key (EnvironmentsKey), which every
	// backend passes to the program untouched.
	Environment []string
	// Positions are where each value is written (the stack file, or the
	// environment that gave it), for problems to point at.
	Positions Positions
	// SecretsProvider is the file's `secretsprovider:` as written (its
	// KMS key, made by bootstrap/): CI's identities are granted its use.
	SecretsProvider string
}

// EnvironmentsKey is the config key, in the project's namespace
// ("wedsync:environments"), listing the environments in environments/ a
// stack imports. It stands in for the stack file's `environment:`, which
// the Pulumi CLI resolves only against Pulumi Cloud and refuses on any
// other backend ("backend ... does not support environments"): the program
// evaluates the imports itself. It is not a setting of the program, so it
// is not among Values.
const EnvironmentsKey = "environments"

type stackFile struct {
	Config          map[string]any `yaml:"config"`
	Environment     any            `yaml:"environment"`
	SecretsProvider string         `yaml:"secretsprovider"`
}

// ErrNoStack is returned for a stack with no config file.
var ErrNoStack = errors.New("no such stack")

// ReadStack reads the stack's config file.
func (p *Project) ReadStack(stack string) (*StackConfig, error) {
	sc, _, err := p.ReadStackFile(stack)
	return sc, err
}

// ReadStackFile reads the stack's config file once and returns its config
// and its bytes (for what else is in the file: the secrets provider).
func (p *Project) ReadStackFile(stack string) (*StackConfig, []byte, error) {
	path := p.StackFile(stack)
	data, err := p.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		known, _ := p.Stacks()
		return nil, nil, fmt.Errorf("%w %q: %s does not exist; stacks: %v", ErrNoStack, stack, path, known)
	}
	if err != nil {
		return nil, nil, err
	}
	sc, err := ParseStack(data, p.Name)
	if err != nil {
		return nil, data, fmt.Errorf("%s: %w", path, err)
	}
	sc.Positions = stackPositions(data, path, p.Name)
	return sc, data, nil
}

// ParseStack reads the contents of a Pulumi.<stack>.yaml file. Keys without
// a namespace belong to the project, as with `pulumi config set`.
func ParseStack(data []byte, projectName string) (*StackConfig, error) {
	// The strict check first: it names the line and column of a file of
	// the wrong shape, which the decoder below would only call unreadable.
	if err := checkStackFile(data); err != nil {
		return nil, err
	}
	var sf stackFile
	if err := yaml.Unmarshal(data, &sf); err != nil {
		return nil, fmt.Errorf("stack file is not valid YAML: %w", err)
	}
	sc := &StackConfig{Values: map[string]string{}, SecretsProvider: sf.SecretsProvider}
	sc.Environment = importList(sf.Environment)
	for key, v := range sf.Config {
		full := key
		if !containsColon(key) {
			full = projectName + ":" + key
		}
		if full == projectName+":"+EnvironmentsKey {
			names, ok := v.([]any)
			if s, isString := v.(string); isString {
				names, ok = []any{s}, true
			}
			if !ok || len(importList(names)) != len(names) {
				return nil, fmt.Errorf("config key %s: a list of environment names (environments/<name>.yaml), e.g. [prod]", full)
			}
			for _, n := range importList(names) {
				if !slices.Contains(sc.Environment, n) {
					sc.Environment = append(sc.Environment, n)
				}
			}
			continue
		}
		if isSecure(v) {
			sc.Values[full] = core.SecretMarker
			sc.SecretKeys = append(sc.SecretKeys, full)
			continue
		}
		raw, err := rawValue(v)
		if err != nil {
			return nil, fmt.Errorf("config key %s: %w", full, err)
		}
		sc.Values[full] = raw
	}
	sort.Strings(sc.SecretKeys)
	return sc, nil
}

// importList reads a list of environment names: one name, or a list of
// names (entries that are not names are left out).
func importList(v any) []string {
	switch env := v.(type) {
	case string:
		return []string{env}
	case []any:
		var out []string
		for _, e := range env {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func containsColon(s string) bool {
	for _, r := range s {
		if r == ':' {
			return true
		}
	}
	return false
}

func isSecure(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	_, ok = m["secure"]
	return ok
}

// rawValue renders a YAML value the way Pulumi passes config to programs.
func rawValue(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	data, err := json.Marshal(normalize(v))
	return string(data), err
}

// normalize turns YAML's map[any]any (older decoders) and nested secure
// values into JSON-encodable values.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if isSecure(v) {
			return core.SecretMarker
		}
		out := map[string]any{}
		for k, e := range v {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}
