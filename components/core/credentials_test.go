package core

import (
	"encoding/json"
	"slices"
	"testing"
)

// A credential key holding a literal is found wherever it is nested; the
// same key holding a secret's identifier, and keys that only mention a
// credential word before another word, are not.
func TestCredentialLiteralsFindsLiteralsOnly(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{
		"smtp": {"host": "smtp.example", "password": "hunter2", "tokenIssuer": "https://id.example"},
		"payments": [{"apiKey": "sk_live_123"}, {"apiKey": "arn:aws:secretsmanager:eu-west-2:1:secret:wedsync/prod/stripe"}],
		"DB_PASSWORD": "projects/p/secrets/db",
		"webhookSecret": "https://kv.vault.azure.net/secrets/hook",
		"sessionTokenTtlSeconds": 300,
		"signingKey": "[secret]",
		"fieldKey": "plain-is-fine-here",
		"connectionString": "Server=x;Password=y"
	}`), &doc); err != nil {
		t.Fatal(err)
	}
	got := CredentialLiterals(doc, "settings")
	want := []string{"settings.connectionString", "settings.payments[0].apiKey", "settings.smtp.password"}
	if !slices.Equal(got, want) {
		t.Errorf("CredentialLiterals = %v, want %v", got, want)
	}
	// Broken variant: a reference that is not one (a bare name) is a literal.
	if got := CredentialLiterals(map[string]any{"dbPassword": "wedsync/prod/db"}, ""); len(got) != 1 {
		t.Errorf("a bare secret name passed as a reference: %v", got)
	}
}

func TestCredentialKeyWords(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "dbPassword": true, "API_KEY": true, "privateKey": true, "clientSecret": true, "keyMaterial": true,
		"credentialsSecret": true, "fieldKey": false, "tokenIssuer": false, "passwordMinLength": false, "secretsPrefix": false, "key": false,
	} {
		if got := CredentialKey(key); got != want {
			t.Errorf("CredentialKey(%q) = %v, want %v", key, got, want)
		}
	}
}
