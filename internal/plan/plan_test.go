package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// keyAndAlias is a program with one reference: the alias points at the key.
func keyAndAlias(ctx *pulumi.Context) error {
	prov, err := aws.NewProvider(ctx, "aws-primary", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
	if err != nil {
		return err
	}
	key, err := kms.NewKey(ctx, "data", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)}, pulumi.Provider(prov), pulumi.Protect(true))
	if err != nil {
		return err
	}
	_, err = kms.NewAlias(ctx, "data", &kms.AliasArgs{
		Name:        pulumi.String("alias/wedsync-data"),
		TargetKeyId: key.KeyId,
	}, pulumi.Provider(prov), pulumi.Parent(key))
	if err != nil {
		return err
	}
	ctx.Export("secretThing", pulumi.ToSecret(pulumi.String("hunter2")))
	return nil
}

func run(t *testing.T) *Plan {
	t.Helper()
	p, err := Run(Options{Project: "wedsync", Stack: "test", Environment: "prod"}, keyAndAlias)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func find(t *testing.T, p *Plan, typ, name string) Resource {
	t.Helper()
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("plan has no %s %s", typ, name)
	return Resource{}
}

func TestReferenceBetweenResourcesIsVisible(t *testing.T) {
	p := run(t)
	key := find(t, p, "aws:kms/key:Key", "data")
	alias := find(t, p, "aws:kms/alias:Alias", "data")
	if key.ID == "" {
		t.Fatal("the key has no mocked id")
	}
	if got := alias.Inputs["targetKeyId"]; got != key.ID {
		t.Errorf("alias targetKeyId = %v, want the key's mocked id %q", got, key.ID)
	}
	if alias.Parent != key.URN {
		t.Errorf("alias parent = %q, want %q", alias.Parent, key.URN)
	}
}

func TestMockedAttributesAreRealistic(t *testing.T) {
	p := run(t)
	key := find(t, p, "aws:kms/key:Key", "data")
	if len(key.ID) != 36 || strings.Count(key.ID, "-") != 4 {
		t.Errorf("KMS key id %q is not UUID-shaped", key.ID)
	}
	prov := find(t, p, "pulumi:providers:aws", "aws-primary")
	if key.Provider != prov.URN {
		t.Errorf("key provider = %q, want %q", key.Provider, prov.URN)
	}
	if !key.Protect || !key.Custom {
		t.Errorf("key protect=%v custom=%v, want both true", key.Protect, key.Custom)
	}
}

func TestStackIsTheRoot(t *testing.T) {
	p := run(t)
	root := p.Resources[0]
	if root.Type != "pulumi:pulumi:Stack" || root.Parent != "" || root.Name != "wedsync-test" {
		t.Fatalf("first resource = %+v, want the stack", root)
	}
	for _, r := range p.Resources[1:] {
		if r.Parent == "" {
			t.Errorf("%s has no parent", r.URN)
		}
	}
}

func TestJSONHasTheDocumentedFields(t *testing.T) {
	var buf bytes.Buffer
	if err := run(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"project", "stack", "environment", "resources", "violations"} {
		if _, ok := doc[f]; !ok {
			t.Errorf("plan document has no %q", f)
		}
	}
	if v, ok := doc["violations"].([]any); !ok || v == nil {
		t.Errorf("violations = %v, want an empty list, not null", doc["violations"])
	}
	res := doc["resources"].([]any)[1].(map[string]any)
	for _, f := range []string{"urn", "type", "name", "id", "parent", "custom", "protect", "retainOnDelete", "provider", "inputs"} {
		if _, ok := res[f]; !ok {
			t.Errorf("resource has no %q: %v", f, res)
		}
	}
}

func TestTextShowsTreeAndSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := run(t).WriteText(&buf, "Offline plan of wedsync/test"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"pulumi:pulumi:Stack  wedsync-test",
		"├─ aws:kms/key:Key  data  [protected]  enableKeyRotation=true",
		"│  └─ aws:kms/alias:Alias  data  [protected]  targetKeyId=", // protect is inherited from the parent
		"Summary: 4 resources",
		"Policy: no violations",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text plan lacks %q:\n%s", want, out)
		}
	}
}

func TestSecretsAreMasked(t *testing.T) {
	m := toPlain(mustProps(t, map[string]any{"password": "hunter2"}, true))
	if m["password"] != core.SecretMarker {
		t.Errorf("password = %v, want %s", m["password"], core.SecretMarker)
	}
}

func TestUnmockedDataSourceSaysWhereToAddIt(t *testing.T) {
	_, err := mockInvoke("example:index/notMocked:notMocked", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "add one to the invokes table") {
		t.Errorf("err = %v", err)
	}
}

func TestPluralOfResourceTypes(t *testing.T) {
	for in, want := range map[string]string{"Key": "keys", "Policy": "policies", "Address": "addresses", "Vault": "vaults", "RegionBackendService": "backendServices"} {
		if got := plural(in); got != want {
			t.Errorf("plural(%q) = %q, want %q", in, got, want)
		}
	}
}
