package rules

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
)

// PolicyConfigNoCredentials keeps credentials out of the app's
// configuration: a document holds a secret's identifier, never its value.
const PolicyConfigNoCredentials = "config-no-credential-literals"

// Type tokens of configuration documents.
const (
	awsAppConfigVersion = "aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion"
	gcpSecretVersion    = "gcp:secretmanager/secretVersion:SecretVersion"
	azAppConfigKeyValue = "azure-native:appconfiguration:KeyValue"
)

// AppConfigComponentTypes are the tokens of the app configuration component
// (components/appconfig): a Secret Manager version under one is a
// configuration document, not a secret. A literal list, as for
// BackupComponentTypes.
var AppConfigComponentTypes = []string{"wedsync:appconfig:AppConfig"}

// keyVaultRefContentType marks an App Configuration key-value as a Key
// Vault reference (its value is {"uri": ...}).
const keyVaultRefContentType = "application/vnd.microsoft.appconfig.keyvaultref+json"

func configPolicies() []*Policy {
	return []*Policy{{
		Name: PolicyConfigNoCredentials,
		Description: "No credential in the app's configuration: in an AppConfig hosted JSON version, a Secret Manager version made by the app " +
			"configuration component, or an App Configuration key-value, a key naming a credential (password, token, secret, API or private key, " +
			"key material, connection string) holds only a secret's identifier (an ARN, projects/P/secrets/S, a Key Vault URI or reference). " +
			"Values only known after deploy are not judged.",
		Level: Mandatory,
		Check: map[string]func(*Resource, *Env) []string{
			awsAppConfigVersion: func(r *Resource, _ *Env) []string { return documentCredentials(r, "content") },
			gcpSecretVersion: func(r *Resource, _ *Env) []string {
				if !madeBy(r, AppConfigComponentTypes) {
					return nil // a secret, which may hold a credential
				}
				return documentCredentials(r, "secretData")
			},
			azAppConfigKeyValue: azureKeyValueCredentials,
		},
	}}
}

// documentCredentials judges the JSON document in input prop; a value that
// is not a JSON object (or not known yet) is not a document to judge.
func documentCredentials(r *Resource, prop string) []string {
	s, st := str(r.Props, prop)
	if st != known {
		return nil
	}
	var doc map[string]any
	if json.Unmarshal([]byte(s), &doc) != nil {
		return nil
	}
	var out []string
	for _, path := range core.CredentialLiterals(doc, "") {
		out = append(out, fix("%s holds %s as a literal", "store the value as a secret and put its identifier (ARN, projects/P/secrets/S, Key Vault URI) in the document", prop, path))
	}
	return out
}

// azureKeyValueCredentials judges one key-value: a Key Vault reference is
// fine; a key naming a credential must hold a reference; a JSON value is
// judged as a document.
func azureKeyValueCredentials(r *Resource, _ *Env) []string {
	if ct, st := str(r.Props, "contentType"); st == known && strings.HasPrefix(ct, keyVaultRefContentType) {
		return nil
	}
	name, _ := str(r.Props, "keyValueName")
	key, _, _ := strings.Cut(name, "$")
	segments := strings.FieldsFunc(key, func(c rune) bool { return c == ':' || c == '/' || c == '.' })
	if len(segments) > 0 && core.CredentialKey(segments[len(segments)-1]) {
		if v, st := str(r.Props, "value"); st == known && v != "" && !core.SecretReference(v) && v != core.SecretMarker {
			return []string{fix("key %s names a credential and holds a literal", "make it a Key Vault reference (contentType %s) to the secret", key, keyVaultRefContentType)}
		}
	}
	return documentCredentials(r, "value")
}

// madeBy reports whether one of types is among r's ancestors: its URN's
// type chain (parent types joined by "$") or its parent's.
func madeBy(r *Resource, types []string) bool {
	for _, urn := range []string{r.URN, r.Parent} {
		chain := strings.Split(urnType(urn), "$")
		if urn == r.URN {
			chain = chain[:len(chain)-1] // r's own type
		}
		for _, t := range chain {
			if slices.Contains(types, t) {
				return true
			}
		}
	}
	return false
}
