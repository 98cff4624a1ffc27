package environments

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const definition = `# prod: a comment that must survive
imports:
  - base
values:
  # release is promoted
  release:
    application: "2026.11.2"   # old
    images:
      aws: ami-07c3e5a7b9d1f3a5e
    postgresVersion: "16"
  pulumiConfig:
    # kept
    wedsync:costCentre: wedsync-prod
`

func node(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func TestSetBlockRewritesOnlyThatBlock(t *testing.T) {
	out, err := SetBlock([]byte(definition), []string{"values", "release"}, node(t, "application: \"2026.11.3\"\nimages:\n  aws: ami-0a7e9c1b3d5f7a9c2\n  gcp: projects/wedsync-images/global/images/app\npostgresVersion: \"16\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `# prod: a comment that must survive
imports:
  - base
values:
  # release is promoted
  release:
    application: "2026.11.3"
    images:
      aws: ami-0a7e9c1b3d5f7a9c2
      gcp: projects/wedsync-images/global/images/app
    postgresVersion: "16"
  pulumiConfig:
    # kept
    wedsync:costCentre: wedsync-prod
`
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestSetBlockAddsAMissingKeyAtTheEndOfItsMapping(t *testing.T) {
	stack := "# prod\nconfig:\n  wedsync:environment: prod\n  wedsync:region: eu-west-2\n# trailing comment\n"
	out, err := SetBlock([]byte(stack), []string{"config", "wedsync:emergencyOverride"}, node(t, "reason: INC-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# prod\nconfig:\n  wedsync:environment: prod\n  wedsync:region: eu-west-2\n  wedsync:emergencyOverride:\n    reason: INC-1\n# trailing comment\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	back, removed, err := RemoveBlock(out, []string{"config", "wedsync:emergencyOverride"})
	if err != nil || !removed {
		t.Fatalf("RemoveBlock: %v, %v", removed, err)
	}
	if string(back) != stack {
		t.Errorf("set then remove is not the original:\n%s", back)
	}
}

func TestSetBlockRefusesWhatItCannotEditInPlace(t *testing.T) {
	for name, text := range map[string]string{
		"no_parent":    "imports: [base]\n",
		"flow_parent":  "values: {release: {application: x}}\n",
		"scalar_value": "values: 3\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := SetBlock([]byte(text), []string{"values", "release"}, node(t, "a: b\n")); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestRemoveBlockOfAbsentKeyChangesNothing(t *testing.T) {
	out, removed, err := RemoveBlock([]byte(definition), []string{"values", "nothing"})
	if err != nil || removed || string(out) != definition {
		t.Errorf("RemoveBlock = %v, %v", removed, err)
	}
}

func TestGetBlock(t *testing.T) {
	n, err := GetBlock([]byte(definition), []string{"values", "release"})
	if err != nil || n == nil || n.Kind != yaml.MappingNode {
		t.Fatalf("GetBlock = %v, %v", n, err)
	}
	if !strings.Contains(n.Content[1].Value, "2026.11.2") {
		t.Errorf("application = %q", n.Content[1].Value)
	}
}
