package schema_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/schema"
)

func root(t *testing.T) string {
	t.Helper()
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return p.Dir
}

// The committed schema/ is what the Go types and rules generate: a key
// added to stacks or a bound changed in limits without `go generate
// ./internal/schema/` fails here.
func TestCommittedSchemaIsGenerated(t *testing.T) {
	files, err := schema.Generate()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root(t), "schema", name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("schema/%s differs from the generated one (%v): run `go generate ./internal/schema/`", name, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(root(t), "schema"))
	for _, e := range entries {
		if files[e.Name()] == nil {
			t.Errorf("schema/%s is not generated: remove it", e.Name())
		}
	}
}

// Every shipped file names its schema on its first line and validates.
func TestShippedFilesValidate(t *testing.T) {
	for pattern, name := range map[string]string{
		"stacks/Pulumi.*.yaml": schema.StackFile, "environments/*.yaml": schema.EnvironmentFile,
	} {
		paths, _ := filepath.Glob(filepath.Join(root(t), pattern))
		if len(paths) < 4 {
			t.Fatalf("%s: %d files", pattern, len(paths))
		}
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			if want := "# yaml-language-server: $schema=../schema/" + name; first != want {
				t.Errorf("%s: first line %q, want %q", path, first, want)
			}
			if err := schema.Validate(name, data); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
	}
}

// The schema refuses what it says it refuses (each a variant of a valid file).
func TestSchemaRefusesBrokenValues(t *testing.T) {
	ok := "config:\n  wedsync:cloud: aws\n  wedsync:budget: {amount: 100}\n"
	if err := schema.Validate(schema.StackFile, []byte(ok)); err != nil {
		t.Fatalf("valid file refused: %v", err)
	}
	for _, bad := range []string{
		"config:\n  wedsync:cloud: aws\n  wedsync:budget: {amount: 1e308}\n",
		"config:\n  wedsync:cloud: amazon\n",
		"config:\n  wedsync:regoin: eu-west-2\n",
		"config:\n  wedsync:budget: {amount: 100, amonut: 1}\n",
		"confg:\n  wedsync:cloud: aws\n",
	} {
		if schema.Validate(schema.StackFile, []byte(bad)) == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}
