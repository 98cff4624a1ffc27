package project

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/components/core"
)

// stackFileKeys are the top-level keys of a Pulumi stack file.
var stackFileKeys = []string{"config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"}

// symmetricKeys are the top-level keys that say the file's secrets are
// encrypted by Pulumi's symmetric crypter (a passphrase or a cloud KMS key),
// whose ciphertext is "v1:<nonce>:<ciphertext>"; without them the secrets
// provider is Pulumi Cloud's, whose ciphertext is plain base64.
var symmetricKeys = []string{"secretsprovider", "encryptedkey", "encryptionsalt"}

// checkStackFile refuses, with line and column, whatever in a stack file
// would otherwise be ignored or misread: an unknown top-level key (a
// misspelt "config:" would leave the stack with no config at all), an
// `environment:` that is not a name or a list of names, a config key that
// is empty or holds a control character, and a `secure:` value that is not
// ciphertext of the file's secrets provider. Secrets are checked offline,
// without decrypting.
func checkStackFile(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("stack file is not valid YAML: %w", YAMLError(data, err))
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			return nil
		}
		return lineError(root, "a stack file is a mapping of %s", strings.Join(stackFileKeys, ", "))
	}
	var errs []error
	symmetric := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if slices.Contains(symmetricKeys, root.Content[i].Value) {
			symmetric = true
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "environment":
			errs = append(errs, checkEnvironmentList(v)...)
		case "config":
			errs = append(errs, checkConfig(v, symmetric)...)
		case "secretsprovider", "encryptedkey", "encryptionsalt":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				errs = append(errs, lineError(v, "%s: must be a non-empty string", k.Value))
			}
		default:
			errs = append(errs, lineError(k, "unknown top-level key %q%s; a stack file has %s", k.Value, core.DidYouMean(k.Value, stackFileKeys), strings.Join(stackFileKeys, ", ")))
		}
	}
	return errors.Join(errs...)
}

// lineError is a problem at n's line and column.
func lineError(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("line %d, column %d: %s", n.Line, n.Column, fmt.Sprintf(format, args...))
}

// checkEnvironmentList refuses an `environment:` other than a name or a
// list of names: a number or an object in the list was once dropped
// without a word.
func checkEnvironmentList(v *yaml.Node) []error {
	isName := func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value != "" }
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return nil
	case isName(v):
		return nil
	case v.Kind == yaml.SequenceNode:
		var errs []error
		for i, e := range v.Content {
			if !isName(e) {
				errs = append(errs, lineError(e, "environment[%d] = %s: must be the name of an environment in environments/ (a string)", i, nodeText(e)))
			}
		}
		return errs
	}
	return []error{lineError(v, "environment = %s: must be an environment name or a list of names", nodeText(v))}
}

// checkConfig checks the keys of `config:` and every `secure:` value in it.
func checkConfig(v *yaml.Node, symmetric bool) []error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return []error{lineError(v, "config = %s: must be a mapping of config keys (wedsync:region: eu-west-2)", nodeText(v))}
	}
	var errs []error
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" || hasControl(k.Value) || strings.HasPrefix(k.Value, ":") || strings.HasSuffix(k.Value, ":") {
			errs = append(errs, lineError(k, "config key %q: use namespace:name, e.g. wedsync:region, in printable characters", k.Value))
			continue
		}
		errs = append(errs, checkSecure(val, "config."+k.Value, symmetric)...)
	}
	return errs
}

// checkSecure walks a config value and checks every `secure:` block in it.
func checkSecure(n *yaml.Node, path string, symmetric bool) []error {
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			return checkSecure(n.Alias, path, symmetric)
		}
	case yaml.SequenceNode:
		var errs []error
		for i, c := range n.Content {
			errs = append(errs, checkSecure(c, fmt.Sprintf("%s[%d]", path, i), symmetric)...)
		}
		return errs
	case yaml.MappingNode:
		var errs []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "secure" {
				if len(n.Content) != 2 {
					errs = append(errs, lineError(k, "%s: a secure value is {secure: <ciphertext>} alone; move the other keys out of it", path))
				}
				if msg := secureProblem(v, symmetric); msg != "" {
					errs = append(errs, lineError(v, "%s.secure: %s; set it with `pulumi config set --secret`", path, msg))
				}
				continue
			}
			errs = append(errs, checkSecure(v, path+"."+k.Value, symmetric)...)
		}
		return errs
	}
	return nil
}

// secureProblem says what is wrong with a `secure:` value, "" if nothing:
// it must be a non-empty string in the format of the secrets provider:
// "v1:<base64 12-byte nonce>:<base64 ciphertext>" from Pulumi's symmetric
// crypter (passphrase, awskms, gcpkms, azurekeyvault, hashivault), base64
// from Pulumi Cloud's (github.com/pulumi/pulumi sdk/go/common/resource/config/crypt.go).
func secureProblem(v *yaml.Node, symmetric bool) string {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		return fmt.Sprintf("%s is not ciphertext (a string)", nodeText(v))
	}
	if v.Value == "" {
		return "is empty; ciphertext is never empty"
	}
	if !symmetric {
		if _, err := base64.StdEncoding.DecodeString(v.Value); err != nil {
			return "is not base64 ciphertext of the Pulumi Cloud secrets provider"
		}
		return ""
	}
	parts := strings.Split(v.Value, ":")
	if len(parts) != 3 || parts[0] != "v1" {
		return `is not "v1:<nonce>:<ciphertext>", the ciphertext of the stack's secrets provider`
	}
	nonce, err := base64.StdEncoding.DecodeString(parts[1])
	if err != nil || len(nonce) != 12 {
		return "has no 12-byte base64 nonce after v1:; the ciphertext is damaged"
	}
	if ct, err := base64.StdEncoding.DecodeString(parts[2]); err != nil || len(ct) < 16 {
		return "has no base64 ciphertext (with its 16-byte tag) after the nonce; the ciphertext is damaged"
	}
	return ""
}

// nodeText shows a node in an error: a scalar as written, else its kind.
func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			return fmt.Sprintf("%q", n.Value)
		}
		return n.Value
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "an object"
	}
	return "an alias"
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// YAMLError is a YAML syntax error that names a line: the parser's own
// when it gives one, else the end of the file, where it stopped (an
// unclosed quote or bracket is reported only as "unexpected end of
// stream").
func YAMLError(data []byte, err error) error {
	if err == nil || strings.Contains(err.Error(), "line ") {
		return err
	}
	return fmt.Errorf("%w at the end of the file, line %d; look for an unclosed quote or bracket above it", err, bytes.Count(data, []byte("\n"))+1)
}
