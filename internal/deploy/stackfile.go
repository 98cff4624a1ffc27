package deploy

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// secretsProviderKeys are the stack file's top-level keys that say how its
// secrets are encrypted.
var secretsProviderKeys = map[string]bool{"secretsprovider": true, "encryptedkey": true, "encryptionsalt": true}

// SecretsProviderEnv overrides every stack file's secrets provider: a
// rehearsal on a file:// backend without the clouds' KMS (the e2e tests)
// sets it to "passphrase", and the stack's own provider (its KMS key, from
// bootstrap/) is left out of the workspace.
const SecretsProviderEnv = "WEDSYNC_SECRETS_PROVIDER"

// secretsProviderOf is the provider a stack file names (its
// `secretsprovider:`), or the override; "" for the default.
func secretsProviderOf(stackFile []byte) string {
	if v := os.Getenv(SecretsProviderEnv); v != "" {
		return v
	}
	var doc struct {
		SecretsProvider string `yaml:"secretsprovider"`
	}
	_ = yaml.Unmarshal(stackFile, &doc) // the file was parsed once already
	return doc.SecretsProvider
}

// stackSettings returns the part of stack's file the workspace starts from:
// its secrets provider and the config values holding `secure:` ciphertext
// (top-level keys, whole, when any value inside is encrypted), and the
// namespaced keys of those values. Everything else reaches the stack
// through SetAllConfig; `environment:` is left out because the CLI resolves
// it only against Pulumi Cloud (this package evaluates it locally).
func stackSettings(projectName, path string, data []byte) ([]byte, map[string]bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	encrypted := map[string]bool{}
	if len(doc.Content) == 0 {
		return nil, encrypted, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s: not a mapping", path)
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		switch {
		case secretsProviderKeys[key.Value] && os.Getenv(SecretsProviderEnv) != "":
			// Overridden: the workspace gets the override's provider.
		case secretsProviderKeys[key.Value]:
			// Without the file's comments: the settings hand over values.
			out.Content = append(out.Content, bare(key), bare(value))
		case key.Value == "config" && value.Kind == yaml.MappingNode:
			kept := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for j := 0; j+1 < len(value.Content); j += 2 {
				k, v := value.Content[j], value.Content[j+1]
				if !holdsSecure(v) {
					continue
				}
				kept.Content = append(kept.Content, k, v)
				full := k.Value
				if !strings.Contains(full, ":") {
					full = projectName + ":" + full
				}
				encrypted[full] = true
			}
			if len(kept.Content) > 0 {
				out.Content = append(out.Content, key, kept)
			}
		}
	}
	if len(out.Content) == 0 {
		return nil, encrypted, nil
	}
	settings, err := yaml.Marshal(out)
	if err != nil {
		return nil, nil, err
	}
	return settings, encrypted, nil
}

// bare is scalar n without its comments.
func bare(n *yaml.Node) *yaml.Node {
	c := *n
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	return &c
}

// holdsSecure reports whether n is, or contains, a `{secure: ...}` value.
func holdsSecure(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 2 && n.Content[0].Value == "secure" {
			return true
		}
		for i := 1; i < len(n.Content); i += 2 {
			if holdsSecure(n.Content[i]) {
				return true
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if holdsSecure(c) {
				return true
			}
		}
	case yaml.AliasNode:
		return n.Alias != nil && holdsSecure(n.Alias)
	}
	return false
}
