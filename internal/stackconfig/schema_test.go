package stackconfig_test

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/schema"
)

// schemaRefuses says, for each of brokenFiles, whether the JSON Schema
// (internal/schema) refuses it too. false where a schema cannot say it:
// near misses of names it must let through (free-form ESC values, other
// config namespaces), rules of another file or of the stack's cloud.
var schemaRefuses = map[string]bool{
	"values_misspelt":                true,  // unknown top-level key
	"environment_variables_misspelt": false, // ESC values are free-form
	"variable_name_misspelt":         false, // a valid name; only a near miss
	"namespace_typo_drops_ci":        false, // other namespaces are allowed
	"recovery_key_misspelt":          false, // keys of a map of outputs
	"recovery_bucket_misspelt":       false, // a map; names checked by the loader
	"top_level_config_misspelt":      true,  // unknown top-level key
	"environment_entry_not_a_name":   true,  // type
	"budget_1e308":                   true,  // numeric bound
	"dev_imports_staging":            false, // another file's value
	"secure_empty":                   true,  // string length
	"secure_not_a_string":            true,  // type
	"secure_with_a_sibling":          true,  // unknown key
	"email_of_10000_characters":      true,  // string length
	"control_character_in_owner":     true,  // pattern
	"non_ascii_gcp_project":          true,  // pattern
	"azure_tag_name_with_a_slash":    false, // the rule is Azure's; the file is every cloud's
	"recovery_region_unknown":        false, // regions depend on the cloud
	"environment_import_deleted":     false, // a missing value comes from no file
}

// The schema agrees with the loader on the broken set: each mutation the
// schema can express is underlined in the editor too, and every shipped
// file it starts from validates (schema_test in internal/schema).
func TestSchemaRefusesTheBrokenFiles(t *testing.T) {
	for _, tc := range brokenFiles {
		t.Run(tc.name, func(t *testing.T) {
			want, listed := schemaRefuses[tc.name]
			if !listed {
				t.Fatalf("say in schemaRefuses whether the schema refuses %s", tc.name)
			}
			name := schema.StackFile
			if strings.HasPrefix(tc.file, "environments/") {
				name = schema.EnvironmentFile
			}
			text := shipped(t, tc.file)
			if err := schema.Validate(name, []byte(text)); err != nil {
				t.Fatalf("shipped %s: %v", tc.file, err)
			}
			err := schema.Validate(name, []byte(strings.Replace(text, tc.from, tc.to, 1)))
			if got := err != nil; got != want {
				t.Errorf("schema refuses %s: %v, want %v (%v)", tc.name, got, want, err)
			}
		})
	}
	if len(schemaRefuses) != len(brokenFiles) {
		t.Errorf("schemaRefuses has %d entries for %d broken files", len(schemaRefuses), len(brokenFiles))
	}
}
