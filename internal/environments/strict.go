package environments

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/project"
)

// definitionKeys are the top-level keys of an ESC environment definition.
var definitionKeys = []string{"imports", "values"}

// reservedValues are the values ESC and this repository's tools read:
// ESC's own (pulumiConfig, environmentVariables, files) and release, which
// `wedsync-infra promote` copies between environments.
var reservedValues = []string{"environmentVariables", "files", "pulumiConfig", "release"}

// KnownVariables are the environment variables the environments export
// and CI jobs read. A name one or two letters from one of them is a typo,
// and the job would silently run without the variable.
var KnownVariables = []string{"PULUMI_SKIP_UPDATE_CHECK", "TZ", "WEDSYNC_ENVIRONMENT", "WEDSYNC_RELEASE"}

// variableName is a POSIX environment variable name (IEEE Std 1003.1,
// 8.1 Environment Variable Definition): letters, digits and underscores,
// not starting with a digit.
var variableName = regexp.MustCompile(VariablePattern)

// VariablePattern is variableName's expression, which the JSON Schema of
// environment files (internal/schema) uses too.
const VariablePattern = `^[A-Za-z_][A-Za-z0-9_]*$`

// DefinitionKeys are the top-level keys of an environment definition.
func DefinitionKeys() []string { return slices.Clone(definitionKeys) }

// interpolation finds the value names a definition refers to ("${owner}",
// "${release.application}").
var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_-]*)`)

// CheckDefinition refuses, with line and column, what ESC would accept but
// nothing would read: an unknown top-level key ("velues:" drops every
// value), a value whose name is a near miss of one the tools read
// ("enviromentVariables:"), a variable name that is not one or is a near
// miss of a known one, a pulumiConfig or variable that is not a mapping,
// and control characters in keys. ESC values are free-form by design (a
// value may exist only to be interpolated), so a value name is refused only
// when it is a near miss of a name that is read and is itself not read.
func CheckDefinition(file string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: not valid YAML: %w", file, project.YAMLError(data, err))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return at(file, root, "an environment definition is a mapping of %s", strings.Join(definitionKeys, ", "))
	}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "imports":
		case "values":
			errs = append(errs, checkValues(file, v, referenced(data))...)
		default:
			errs = append(errs, at(file, k, "unknown top-level key %q%s; an environment has %s", k.Value, core.DidYouMean(k.Value, definitionKeys), strings.Join(definitionKeys, ", ")))
		}
	}
	return errors.Join(errs...)
}

// at is a problem at n's line and column of file.
func at(file string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", file, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// referenced are the value names the definition interpolates.
func referenced(data []byte) []string {
	var out []string
	for _, m := range interpolation.FindAllSubmatch(data, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func checkValues(file string, v *yaml.Node, used []string) []error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return []error{at(file, v, "values must be a mapping (pulumiConfig, environmentVariables, release, and values to interpolate)")}
	}
	var errs []error
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if hasControl(k.Value) {
			errs = append(errs, at(file, k, "values.%q: a name with a control character", k.Value))
			continue
		}
		switch k.Value {
		case "pulumiConfig":
			errs = append(errs, checkMapping(file, val, "values.pulumiConfig", "config keys (wedsync:region: eu-west-2)", checkConfigKey)...)
		case "environmentVariables":
			errs = append(errs, checkMapping(file, val, "values.environmentVariables", "variable names (TZ: Europe/London)", checkVariable)...)
		default:
			if slices.Contains(reservedValues, k.Value) || slices.Contains(used, k.Value) {
				continue
			}
			if hint := core.DidYouMean(k.Value, reservedValues); hint != "" {
				errs = append(errs, at(file, k, "values.%s: not a value anything reads%s; known: %s", k.Value, hint, strings.Join(reservedValues, ", ")))
			}
		}
	}
	return errs
}

// checkMapping checks that v is a mapping and each key with check.
func checkMapping(file string, v *yaml.Node, path, what string, check func(key string) string) []error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		// fn:: calls build a mapping at evaluation; ESC reports their errors.
		return []error{at(file, v, "%s must be a mapping of %s", path, what)}
	}
	var errs []error
	for i := 0; i+1 < len(v.Content); i += 2 {
		k := v.Content[i]
		if strings.HasPrefix(k.Value, "fn::") {
			continue
		}
		if msg := check(k.Value); msg != "" {
			errs = append(errs, at(file, k, "%s.%s: %s", path, k.Value, msg))
		}
	}
	return errs
}

func checkConfigKey(key string) string {
	if key == "" || hasControl(key) || strings.HasPrefix(key, ":") || strings.HasSuffix(key, ":") {
		return "use namespace:name, e.g. wedsync:region, in printable characters"
	}
	return ""
}

func checkVariable(name string) string {
	switch {
	case !variableName.MatchString(name):
		return "not an environment variable name: letters, digits and _, not starting with a digit"
	case slices.Contains(KnownVariables, name):
		return ""
	}
	if hint := core.DidYouMean(name, KnownVariables); hint != "" {
		return "not a variable CI reads" + hint
	}
	return ""
}

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }
