package core

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// A configuration document holds references to credentials, never the
// credentials themselves: a key naming a credential (a password, token,
// secret, API or private key, key material, connection string) may hold
// only the identifier of a secret (an ARN, a Secret Manager resource name, a
// Key Vault URI or Key Vault reference). The app configuration component
// refuses such a document before anything is planned and the policy pack
// refuses it in a preview; both call CredentialLiterals.

// credentialWords end a key that names a credential ("dbPassword",
// "api_token", "clientSecret").
var credentialWords = []string{"password", "passwd", "pwd", "passphrase", "token", "secret", "credential", "credentials"}

// credentialPairs are two last words that name key material ("apiKey",
// "private_key", "keyMaterial", "connectionString").
var credentialPairs = []string{"api key", "private key", "access key", "secret key", "signing key", "client key", "key material", "connection string"}

// secretReference matches the identifiers of secrets and keys on the three
// clouds: what a credential key may hold.
var secretReference = regexp.MustCompile(`^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):` +
	`|projects/[^/]+/(locations/[^/]+/)?secrets/[^/]+` +
	`|https://[a-z0-9-]+\.vault\.azure\.net/(secrets|keys)/` +
	`|\{"uri":"https://[a-z0-9-]+\.vault\.azure\.net/secrets/)`)

// CredentialKey reports whether key names a credential.
func CredentialKey(key string) bool {
	words := keyWords(key)
	if len(words) == 0 {
		return false
	}
	if slices.Contains(credentialWords, words[len(words)-1]) {
		return true
	}
	return len(words) >= 2 && slices.Contains(credentialPairs, words[len(words)-2]+" "+words[len(words)-1])
}

// SecretReference reports whether s identifies a secret or key rather than
// holding one.
func SecretReference(s string) bool { return secretReference.MatchString(s) }

// CredentialLiterals returns the path ("settings.smtp.password") of every
// key in doc that names a credential and holds a literal string: neither a
// secret's identifier, nor empty, nor a value only known after deploy
// (SecretMarker, UnknownMarker). doc is decoded JSON; prefix starts the
// paths.
func CredentialLiterals(doc any, prefix string) []string {
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if s, ok := x[k].(string); ok && CredentialKey(k) && literal(s) {
					out = append(out, p)
					continue
				}
				walk(x[k], p)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(doc, prefix)
	return out
}

func literal(s string) bool {
	return s != "" && s != SecretMarker && s != UnknownMarker && !SecretReference(s)
}

// keyWords splits a key into lowercase words at camelCase humps, digits and
// separators ("dbPassword" -> db, password; "API_KEY" -> api, key).
func keyWords(key string) []string {
	var words []string
	var cur []rune
	runes := []rune(key)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = nil
		}
	}
	for i, r := range runes {
		switch {
		case !unicode.IsLetter(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || (i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}
