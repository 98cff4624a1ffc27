package appconfig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/wedsync/wedsync-infra/components/core"
)

// SchemaVersion is the document's shape; the app refuses a version it does
// not know.
const SchemaVersion = 1

// Facts are what the stack knows and writes into the document on every
// deploy: references only, never a secret's value.
type Facts struct {
	// SiteRole is primary, or dr for a stack that rebuilds another in its
	// DR region (it starts with the DR region's addresses).
	SiteRole core.Role
	Database Database
	// SecretsLocation is where the app's secrets live: a Secrets Manager
	// name prefix (partial ARN), a Secret Manager id prefix, a vault URI.
	SecretsLocation pulumi.StringOutput
	// Secrets are the declared secrets' identifiers by name.
	Secrets map[string]pulumi.StringOutput
	// Keys are key identifiers by purpose (the field key).
	Keys map[string]pulumi.StringOutput
	// Buckets are bucket (or storage account) names by purpose.
	Buckets map[string]pulumi.StringOutput
}

// Database is where the app connects.
type Database struct {
	Endpoint, PoolerEndpoint, Name pulumi.StringOutput
	Port, PoolerPort               pulumi.IntOutput
	// Users are the PostgreSQL users the app signs in as.
	Users pulumi.StringArrayOutput
	// ReplicaEndpoints are the read replicas' hosts (database.Database's),
	// the app's read path; none outside prod. Unset writes an empty list,
	// so the app never mistakes a missing field for a broken document.
	ReplicaEndpoints pulumi.StringArrayOutput
}

// stackPart is the document's "stack" object, as pulumi inputs.
func (b *builder) stackPart() pulumi.Map {
	a, site := b.a, b.a.Deployment.Primary
	f := a.Facts
	strs := func(m map[string]pulumi.StringOutput) pulumi.StringMap {
		out := pulumi.StringMap{}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	replicas := f.Database.ReplicaEndpoints
	if replicas == (pulumi.StringArrayOutput{}) {
		replicas = pulumi.StringArray{}.ToStringArrayOutput()
	}
	return pulumi.Map{
		"name":        pulumi.String(a.Deployment.Stack),
		"environment": pulumi.String(string(a.Deployment.Environment)),
		"cloud":       pulumi.String(string(site.Cloud)),
		"region":      pulumi.String(site.Region),
		"siteRole":    pulumi.String(string(f.SiteRole)),
		"database": pulumi.Map{
			"endpoint": f.Database.Endpoint, "port": f.Database.Port,
			"poolerEndpoint": f.Database.PoolerEndpoint, "poolerPort": f.Database.PoolerPort,
			"name": f.Database.Name, "users": f.Database.Users,
			"replicaEndpoints": replicas,
		},
		"secretsLocation": f.SecretsLocation,
		"secrets":         strs(f.Secrets),
		"keys":            strs(f.Keys),
		"buckets":         strs(f.Buckets),
	}
}

// render is the document as JSON: stable (sorted keys, indented), so the
// same facts and settings are the same version.
func (b *builder) render() pulumi.StringOutput {
	var settings any
	_ = json.Unmarshal(b.a.AppSettings, &settings) // validated before
	return b.stackPart().ToMapOutput().ApplyT(func(stack map[string]any) (string, error) {
		doc := map[string]any{"schemaVersion": SchemaVersion, "stack": stack, "settings": settings}
		if bad := core.CredentialLiterals(doc, ""); len(bad) > 0 {
			return "", fmt.Errorf("the configuration document holds credentials at %s; name a secret by its identifier", strings.Join(bad, ", "))
		}
		out, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return "", err
		}
		// What AppConfig's validator would refuse at deploy is refused now.
		if err := validateDocument(out, b.schema); err != nil {
			return "", fmt.Errorf("the configuration document breaks its schema: %w", err)
		}
		return string(out), nil
	}).(pulumi.StringOutput)
}

// validateDocument checks a whole document against the document schema,
// every problem named by its field ("stack.database.endpoint").
func validateDocument(doc []byte, schema string) error {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return err
	}
	sch, err := jsonschema.CompileString("document.schema.json", schema)
	if err != nil {
		return err
	}
	var verr *jsonschema.ValidationError
	if err := sch.Validate(v); !errors.As(err, &verr) {
		return err
	}
	var problems []string
	for _, leaf := range leaves(verr) {
		problems = append(problems, strings.TrimPrefix(fieldOf(leaf.InstanceLocation), "settings.")+": "+leaf.Message)
	}
	return errors.New(strings.Join(problems, "; "))
}

// Digest is a short, stable digest of a document: the Azure sentinel's
// value and what operators compare with the deployed version.
func Digest(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])[:16]
}

// DocumentSchema is the JSON Schema of the whole document (draft 4, what
// AWS AppConfig validates with): the stack part, which the stack fills, and
// appSchema (the app's settings schema) for "settings".
func DocumentSchema(appSchema []byte) (string, error) {
	var settings map[string]any
	if err := json.Unmarshal(appSchema, &settings); err != nil {
		return "", fmt.Errorf("the settings schema is not JSON: %w", err)
	}
	delete(settings, "$schema")
	str := map[string]any{"type": "string"}
	strMap := map[string]any{"type": "object", "additionalProperties": str}
	port := map[string]any{"type": "integer", "minimum": 1, "maximum": 65535}
	doc := map[string]any{
		"$schema": "http://json-schema.org/draft-04/schema#",
		"title":   "WedSync app configuration document",
		"type":    "object", "additionalProperties": false,
		"required": []string{"schemaVersion", "stack", "settings"},
		"properties": map[string]any{
			"schemaVersion": map[string]any{"enum": []int{SchemaVersion}},
			"stack": map[string]any{
				"type": "object", "additionalProperties": false,
				"required": []string{"name", "environment", "cloud", "region", "siteRole", "database", "secretsLocation", "secrets", "keys", "buckets"},
				"properties": map[string]any{
					"name": str, "region": str, "secretsLocation": str,
					"environment": map[string]any{"enum": core.Environments},
					"cloud":       map[string]any{"enum": core.Clouds},
					"siteRole":    map[string]any{"enum": []core.Role{core.Primary, core.DR}},
					"database": map[string]any{
						"type": "object", "required": []string{"endpoint", "port", "poolerEndpoint", "poolerPort", "name", "replicaEndpoints"},
						"properties": map[string]any{
							"endpoint": map[string]any{"type": "string", "minLength": 1}, "port": port,
							"poolerEndpoint": map[string]any{"type": "string", "minLength": 1}, "poolerPort": port,
							"name": str, "users": map[string]any{"type": "array", "items": str},
							// The read path: each replica's host, on port (AWS, GCP) or poolerPort (Azure).
							"replicaEndpoints": map[string]any{"type": "array", "items": map[string]any{"type": "string", "minLength": 1}},
						},
					},
					"secrets": strMap, "keys": strMap, "buckets": strMap,
				},
			},
			"settings": settings,
		},
	}
	out, err := json.Marshal(doc)
	return string(out), err
}

// ValidateSettings checks the app's settings against their schema and
// refuses credentials held as literals: every problem at once, each named
// by its field ("settings.limits.maxUploadMb").
func ValidateSettings(settings, schema []byte) error {
	p := &core.Problems{}
	var doc any
	if err := json.Unmarshal(settings, &doc); err != nil {
		p.Add("settings", string(settings[:min(len(settings), 40)]), "not JSON: %v", err)
		return p.Err()
	}
	sch, err := jsonschema.CompileString("settings.schema.json", string(schema))
	if err != nil {
		p.Add("schema", "settings.schema.json", "not a usable JSON Schema: %v", err)
		return p.Err()
	}
	if err := sch.Validate(doc); err != nil {
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			return err
		}
		for _, leaf := range leaves(verr) {
			p.Add(fieldOf(leaf.InstanceLocation), valueAt(doc, leaf.InstanceLocation), "%s", leaf.Message)
		}
	}
	for _, path := range core.CredentialLiterals(doc, "settings") {
		p.Add(path, core.SecretMarker, "a key naming a credential holds a literal; store the value as a secret and put its identifier here")
	}
	return p.Err()
}

// leaves are the innermost validation errors, where the field is named.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].InstanceLocation < out[j].InstanceLocation })
	return out
}

// fieldOf turns a JSON pointer ("/limits/maxUploadMb") into a field path
// ("settings.limits.maxUploadMb").
func fieldOf(pointer string) string {
	return strings.TrimSuffix("settings."+strings.ReplaceAll(strings.TrimPrefix(pointer, "/"), "/", "."), ".")
}

// valueAt is the value at a JSON pointer, shown compactly.
func valueAt(doc any, pointer string) any {
	cur := doc
	for _, k := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if k == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(cur)
	return strings.TrimSpace(buf.String())
}
