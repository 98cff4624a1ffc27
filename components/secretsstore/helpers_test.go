package secretsstore

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	testProject     = testkit.GCPProject
	appRole         = "arn:aws:iam::123456789012:role/wedsync-app"
	opsRole         = "arn:aws:iam::123456789012:role/wedsync-ops"
	appSA           = "serviceAccount:app@" + testProject + ".iam.gserviceaccount.com"
	appIdentity     = "44444444-4444-4444-4444-444444444444"
	deployRoleMock  = "arn:aws:iam::123456789012:role/wedsync-deploy" // the caller identity the plan mocks
	mockAccountRoot = "arn:aws:iam::123456789012:root"
)

// scenario is one run of the component under the offline plan.
type scenario struct {
	cloud    core.Cloud
	env      core.Environment
	noDR     bool
	settings Settings
	args     func(*SecretsStoreArgs)
}

// result is the plan plus the keys the component handed out, recorded as
// the inputs of a stand-in consumer resource ("test:index:KeyUser").
type result struct {
	*plan.Plan
	t *testing.T
}

type keyConsumer struct{ pulumi.CustomResourceState }

// site is testkit's site, with the resource group named as the stacks name
// it (project-stack-region), which the Azure assertions read.
func (s scenario) site(ctx *pulumi.Context, role core.Role) (core.Site, error) {
	site, err := testkit.Site(ctx, s.cloud, role)
	if s.cloud == core.Azure {
		site.AzureResourceGroup = pulumi.String("wedsync-" + string(s.env) + "-" + site.Short()).ToStringOutput()
	}
	return site, err
}

// run plans the scenario; err is the program's error.
func (s scenario) run(t *testing.T) (*result, error) {
	t.Helper()
	s = s.defaulted()
	stack := string(s.env)
	p, err := plan.Run(plan.Options{Project: "wedsync", Stack: stack, Environment: stack}, s.program)
	if err != nil {
		return nil, err
	}
	return &result{Plan: p, t: t}, nil
}

// defaulted is the scenario in prod unless it names an environment.
func (s scenario) defaulted() scenario {
	if s.env == "" {
		s.env = core.Prod
	}
	return s
}

// program builds the scenario's deployment and one store, and records the
// keys it hands out as stand-in consumers.
func (s scenario) program(ctx *pulumi.Context) error {
	env := s.env
	stack := string(env)
	dep := core.Deployment{
		Project: "wedsync", Stack: stack, Environment: env, Timezone: "Europe/London",
		Tags: core.StandardTags("wedsync", stack, env, "platform", "wedsync-"+stack, nil),
	}
	var err error
	if dep.Primary, err = s.site(ctx, core.Primary); err != nil {
		return err
	}
	if !s.noDR {
		dr, err := s.site(ctx, core.DR)
		if err != nil {
			return err
		}
		dep.DR = &dr
	}
	args := &SecretsStoreArgs{Deployment: dep, Settings: s.settings}
	if s.args != nil {
		s.args(args)
	}
	store, err := NewSecretsStore(ctx, "secrets", args)
	if err != nil {
		return err
	}
	for _, role := range []core.Role{core.Primary, core.DR} {
		for _, purpose := range core.KeyPurposes {
			k := store.Key(role, purpose)
			if k == nil {
				continue
			}
			var u keyConsumer
			if err := ctx.RegisterResource("test:index:KeyUser", "keyuser-"+string(role)+"-"+string(purpose), pulumi.Map{
				"purpose": pulumi.String(string(k.Purpose)), "region": pulumi.String(k.Region),
				"id": k.ID, "vaultId": k.VaultID, "vaultUri": k.VaultURI, "name": k.Name,
			}, &u); err != nil {
				return err
			}
		}
	}
	return nil
}

// mustRun plans the scenario and fails the test on a program error.
func (s scenario) mustRun(t *testing.T) *result {
	t.Helper()
	r, err := s.run(t)
	if err != nil {
		t.Fatalf("plan failed: %v", err)
	}
	return r
}

// ofType returns the resources of type typ.
func (r *result) ofType(typ string) []plan.Resource {
	var out []plan.Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// named returns the resource of type typ and logical name, failing the test
// when there is none.
func (r *result) named(typ, name string) plan.Resource {
	r.t.Helper()
	for _, res := range r.ofType(typ) {
		if res.Name == name {
			return res
		}
	}
	r.t.Fatalf("no %s named %s; have %v", typ, name, names(r.ofType(typ)))
	return plan.Resource{}
}

// keyUser returns what the component handed out as Key(role, purpose), or
// false when it returned nil.
func (r *result) keyUser(role core.Role, purpose core.KeyPurpose) (map[string]any, bool) {
	for _, res := range r.ofType("test:index:KeyUser") {
		if res.Name == "keyuser-"+string(role)+"-"+string(purpose) {
			return res.Inputs, true
		}
	}
	return nil, false
}

func (r *result) providerName(res plan.Resource) string {
	return res.Provider[strings.LastIndex(res.Provider, "::")+2:]
}

func names(rs []plan.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

func get(t *testing.T, inputs map[string]any, path ...string) any {
	t.Helper()
	v, ok := plan.Lookup(inputs, path...)
	if !ok {
		t.Fatalf("no input %s in %v", strings.Join(path, "."), inputs)
	}
	return v
}

func on(b bool) *bool { return &b }

// everySecret is a settings block with two secrets and grants that use
// every access level.
func everySecret(cloud core.Cloud) Settings {
	principal := map[core.Cloud]string{core.AWS: appRole, core.GCP: appSA, core.Azure: appIdentity}[cloud]
	return Settings{
		Secrets: []Secret{
			{Name: "stripe-api-key", Description: "Stripe secret key"},
			{Name: "sendgrid-api-key"},
		},
		Grants: []Grant{
			{Principal: principal, Secrets: []string{"stripe-api-key"}, Keys: []core.KeyPurpose{core.FieldKey}, Access: EncryptDecrypt},
		},
	}
}
