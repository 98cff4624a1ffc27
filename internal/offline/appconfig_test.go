package offline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/replacements"
	"github.com/wedsync/wedsync-infra/stacks"
)

// The app's configuration on every shipped stack (issue 24): the document
// holds the endpoints the stack's own database answers with, its region and
// site role; and only the app's identity holds a grant that reads it (the
// identity that deploys writes it).

// captured is one registration as the provider would receive it: inputs
// with secrets unwrapped (AWS and GCP mark the document secret, so the
// plan masks it), and the state the offline plan's mocks answer.
type captured struct {
	inputs, state resource.PropertyMap
}

// capture runs a stack's program under the offline plan's mocks and keeps
// every registration by type and name.
type capture struct {
	mu        sync.Mutex
	providers map[string]resource.PropertyMap
	byName    map[string]captured
}

// providerInputs are the inputs of the provider a "URN::ID" reference names.
func (c *capture) providerInputs(ref string) resource.PropertyMap {
	if ref == "" {
		return nil
	}
	if i := strings.LastIndex(ref, "::"); i > 0 {
		ref = ref[:i]
	}
	return c.providers[ref[strings.LastIndex(ref, "::")+2:]]
}

func (c *capture) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, state := plan.MockState(args.TypeToken, args.Name, args.Inputs, c.providerInputs(args.Provider))
	if strings.HasPrefix(args.TypeToken, "pulumi:providers:") {
		c.providers[args.Name] = args.Inputs
	}
	c.byName[args.TypeToken+"::"+args.Name] = captured{inputs: args.Inputs, state: state}
	return id, state, nil
}

func (c *capture) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	c.mu.Lock()
	prov := c.providerInputs(args.Provider)
	c.mu.Unlock()
	return plan.MockInvoke(args.Token, args.Args, prov)
}

// captureStack runs the shipped stack's program and returns its
// registrations.
func captureStack(t *testing.T, stack string) (*capture, stacks.Config) {
	return captureWith(t, stack, "")
}

// captureWith is captureStack with the app's settings read from
// settingsDir ("" for the program's own copy).
func captureWith(t *testing.T, stack, settingsDir string) (*capture, stacks.Config) {
	t.Helper()
	res := planOf(t, stack)
	cfg := res.Config
	cfg.AppSettingsDir = settingsDir
	c := &capture{providers: map[string]resource.PropertyMap{}, byName: map[string]captured{}}
	if err := pulumi.RunErr(stacks.ProgramFor(cfg, wednesday), pulumi.WithMocks("wedsync", stack, c)); err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return c, cfg
}

// plainString is a string input or state value, secret or not.
func plainString(m resource.PropertyMap, key string) string {
	v, ok := m[resource.PropertyKey(key)]
	for ok {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		case v.IsString():
			return v.StringValue()
		default:
			return ""
		}
	}
	return ""
}

// document is the document the stack writes, as its cloud's store receives it.
func (c *capture) document(cfg stacks.Config) string {
	switch cfg.Cloud {
	case core.AWS:
		return plainString(c.byName["aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion::app"].inputs, "content")
	case core.GCP:
		return plainString(c.byName["gcp:secretmanager/secretVersion:SecretVersion::app"].inputs, "secretData")
	default:
		return plainString(c.byName[appconfig.AzureKeyValueType+"::app-document"].inputs, "value")
	}
}

// realEndpoints are where the stack's database answers: the RDS address
// and the proxy's endpoint; the Cloud SQL private IP, with the pooler the
// PgBouncer on each instance (database.GCPPoolerHost); the flexible
// server's FQDN (PgBouncer on the same host).
func (c *capture) realEndpoints(cfg stacks.Config) (endpoint, pooler string) {
	switch cfg.Cloud {
	case core.AWS:
		return plainString(c.byName["aws:rds/instance:Instance::main"].state, "address"), plainString(c.byName["aws:rds/proxy:Proxy::main"].state, "endpoint")
	case core.GCP:
		return plainString(c.byName["gcp:sql/databaseInstance:DatabaseInstance::main"].state, "privateIpAddress"), database.GCPPoolerHost
	default:
		for key, r := range c.byName {
			if strings.HasPrefix(key, "azure-native:dbforpostgresql") && strings.HasSuffix(key, ":Server::main") {
				fqdn := plainString(r.state, "fullyQualifiedDomainName")
				return fqdn, fqdn
			}
		}
	}
	return "", ""
}

// checkDocument says what is wrong with doc for the stack, "" when it
// names the real endpoints, the stack's region and its site role.
func checkDocument(doc, endpoint, pooler string, cfg stacks.Config) string {
	var d struct {
		Stack struct {
			Region, SiteRole string
			Database         struct{ Endpoint, PoolerEndpoint string }
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return fmt.Sprintf("not a JSON document (%v): %q", err, doc)
	}
	role := string(core.Primary)
	if cfg.Recovery != nil {
		role = string(core.DR)
	}
	var problems []string
	if endpoint == "" || d.Stack.Database.Endpoint != endpoint {
		problems = append(problems, fmt.Sprintf("database endpoint %q, the database answers at %q", d.Stack.Database.Endpoint, endpoint))
	}
	if pooler == "" || d.Stack.Database.PoolerEndpoint != pooler {
		problems = append(problems, fmt.Sprintf("pooler %q, the pooler answers at %q", d.Stack.Database.PoolerEndpoint, pooler))
	}
	if d.Stack.Region != cfg.Region || d.Stack.SiteRole != role {
		problems = append(problems, fmt.Sprintf("region %s as %s, want %s as %s", d.Stack.Region, d.Stack.SiteRole, cfg.Region, role))
	}
	return strings.Join(problems, "; ")
}

func TestEveryStacksDocumentNamesItsRealEndpoints(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			c, cfg := captureStack(t, stack)
			doc := c.document(cfg)
			endpoint, pooler := c.realEndpoints(cfg)
			if problem := checkDocument(doc, endpoint, pooler, cfg); problem != "" {
				t.Error(problem)
			}
			// Broken variants: the primary's address in a DR rebuild's
			// document, or another pooler, are told apart.
			for _, broken := range []string{
				strings.ReplaceAll(doc, endpoint, "wedsync-prod-main.old-region.example"),
				strings.ReplaceAll(doc, `"siteRole": "`, `"siteRole": "x`),
			} {
				if checkDocument(broken, endpoint, pooler, cfg) == "" {
					t.Errorf("a document with wrong facts passed: %s", broken)
				}
			}
		})
	}
}

// readers are the identities a stack's plan lets read its configuration
// document, each with how: grants naming the document's store or scope,
// or covering it from above.
func readers(t *testing.T, p *plan.Plan, cfg stacks.Config) []string {
	t.Helper()
	var out []string
	switch cfg.Cloud {
	case core.AWS:
		for _, r := range p.Resources {
			policy, _ := r.Inputs["policy"].(string)
			if r.Type == "aws:iam/rolePolicy:RolePolicy" && strings.Contains(policy, "appconfig:") {
				out = append(out, fmt.Sprintf("%v inline appconfig", r.Inputs["role"]))
			}
			if arn, _ := r.Inputs["policyArn"].(string); r.Type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && strings.Contains(strings.ToLower(arn), "appconfig") {
				out = append(out, fmt.Sprintf("%v managed %s", r.Inputs["role"], arn))
			}
		}
	case core.GCP:
		secret := find(p, "gcp:secretmanager/secret:Secret", "app")
		for _, r := range p.Resources {
			role, _ := r.Inputs["role"].(string)
			if !strings.HasPrefix(role, "roles/secretmanager.") && role != "roles/owner" {
				continue
			}
			switch {
			case r.Type == "gcp:secretmanager/secretIamMember:SecretIamMember" && r.Inputs["secretId"] == secret.ID:
				out = append(out, fmt.Sprintf("%v %s on the document", r.Inputs["member"], role))
			case r.Type == "gcp:projects/iAMMember:IAMMember" && coversSecret(r.Inputs["condition"], secret.Inputs["secretId"].(string)):
				out = append(out, fmt.Sprintf("%v %s on the project", r.Inputs["member"], role))
			}
		}
	default:
		store := find(p, appconfig.AzureStoreType, "app")
		for _, r := range p.Resources {
			role, _ := r.Inputs["roleDefinitionId"].(string)
			scope, _ := r.Inputs["scope"].(string)
			if r.Type != "azure-native:authorization:RoleAssignment" || !strings.HasPrefix(store.ID, scope) {
				continue
			}
			if strings.HasSuffix(role, appconfig.AzureDataReader) || strings.HasSuffix(role, appconfig.AzureDataOwner) {
				out = append(out, fmt.Sprintf("%v %s", r.Inputs["principalId"], role[strings.LastIndex(role, "/")+1:]))
			}
		}
	}
	return out
}

// coversSecret says whether a project-level grant's condition admits the
// secret: none does, a startsWith prefix does when the id starts with it.
func coversSecret(condition any, secretID string) bool {
	c, ok := condition.(map[string]any)
	if !ok {
		return true
	}
	expr := fmt.Sprint(c["expression"])
	_, prefix, found := strings.Cut(expr, "/secrets/")
	if !found {
		return true
	}
	return strings.HasPrefix(secretID, strings.TrimSuffix(prefix, "')"))
}

// wantReaders: the app's identity reads; the identity that deploys writes
// (CI's deploy role or service account adds versions and never reads them
// back: its permissions come from the plan, components/ciaccess, and hold
// no secretmanager.versions.access; the deployer's Data Owner on Azure).
func wantReaders(t *testing.T, p *plan.Plan, cfg stacks.Config) []string {
	t.Helper()
	switch cfg.Cloud {
	case core.AWS:
		return []string{fmt.Sprintf("%v inline appconfig", find(p, "aws:iam/role:Role", "app").Inputs["name"])}
	case core.GCP:
		app := fmt.Sprintf("serviceAccount:%s@%s.iam.gserviceaccount.com", find(p, "gcp:serviceaccount/account:Account", "app").Inputs["accountId"], cfg.GCPProject)
		return []string{app + " roles/secretmanager.secretAccessor on the document"}
	default:
		app := plan.MockAzurePrincipalID(find(p, "azure-native:managedidentity:UserAssignedIdentity", "app").ID)
		return []string{app + " " + appconfig.AzureDataReader, "33333333-3333-3333-3333-333333333333 " + appconfig.AzureDataOwner}
	}
}

func TestOnlyTheAppIdentityReadsTheDocument(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			res := planOf(t, stack)
			if d := setDiff(readers(t, res.Plan, res.Config), wantReaders(t, res.Plan, res.Config)); d != "" {
				t.Errorf("who may read the configuration:\n%s", d)
			}
		})
	}
}

// Each broken variant lets another identity read the document: the check
// must see it.
func TestDocumentReaderCheckSeesAnotherReader(t *testing.T) {
	for _, tc := range []struct {
		stack string
		edit  func(p *plan.Plan)
	}{
		{"prod", func(p *plan.Plan) {
			p.Resources = append(p.Resources, plan.Resource{Type: "aws:iam/rolePolicy:RolePolicy", Name: "stray",
				Inputs: map[string]any{"role": "wedsync-prod-batch", "policy": `{"Statement":[{"Effect":"Allow","Action":"appconfig:*","Resource":"*"}]}`}})
		}},
		{"prod-gcp", func(p *plan.Plan) {
			r := *find(p, "gcp:secretmanager/secretIamMember:SecretIamMember", "app-config")
			r.Inputs = copyMap(r.Inputs)
			r.Inputs["member"] = "group:everyone@wedsync.example"
			p.Resources = append(p.Resources, r)
		}},
		{"prod-gcp-dr", func(p *plan.Plan) {
			p.Resources = append(p.Resources, plan.Resource{Type: "gcp:projects/iAMMember:IAMMember", Name: "stray",
				Inputs: map[string]any{"project": "wedsync-prod", "role": "roles/secretmanager.secretAccessor", "member": "user:someone@wedsync.example"}})
		}},
		{"prod-azure-dr", func(p *plan.Plan) {
			store := find(p, appconfig.AzureStoreType, "app")
			rg := store.ID[:strings.Index(store.ID, "/providers/")]
			p.Resources = append(p.Resources, plan.Resource{Type: "azure-native:authorization:RoleAssignment", Name: "stray",
				Inputs: map[string]any{"scope": rg, "principalId": "66666666-6666-6666-6666-666666666666", "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/" + appconfig.AzureDataReader}})
		}},
	} {
		res := planOf(t, tc.stack)
		broken := clonePlan(t, res.Plan)
		tc.edit(broken)
		if setDiff(readers(t, broken, res.Config), wantReaders(t, broken, res.Config)) == "" {
			t.Errorf("%s: another reader of the configuration went unnoticed", tc.stack)
		}
	}
}

// A settings change writes a new version of the document and changes
// nothing else: on AWS a new hosted version and so a new deployment (both
// immutable: new resources, the old version stays in the history), on GCP
// a new secret version, on Azure the document and sentinel key-values in
// place. No launch template, group, instance template or scale set sees
// the change, so no instance is replaced; the instances read the new
// version (agent, poll, sentinel).
func TestASettingsChangeWritesANewVersionAndReplacesNoInstance(t *testing.T) {
	want := map[string][]string{
		// The deployment follows: it names the version's number, which a
		// new version changes (the mocks number every version 1; see below).
		"prod":       {"aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion::app replaced"},
		"prod-gcp":   {"gcp:secretmanager/secretVersion:SecretVersion::app replaced"},
		"prod-azure": {appconfig.AzureKeyValueType + "::app-document updated", appconfig.AzureKeyValueType + "::app-sentinel updated"},
	}
	dir := t.TempDir()
	for _, name := range []string{"schema.json", "dev.json", "staging.json", "prod.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "stacks", "appsettings", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "prod.json" {
			data = []byte(strings.Replace(string(data), `"maxUploadMb": 50`, `"maxUploadMb": 100`, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for stack, expected := range want {
		t.Run(stack, func(t *testing.T) {
			before, _ := captureStack(t, stack)
			after, _ := captureWith(t, stack, dir)
			got := changes(before, after)
			if d := setDiff(got, expected); d != "" {
				t.Errorf("a settings change changes more or less than the document:\n%s", d)
			}
		})
	}
	// AWS: the deployment deploys the version the stack wrote, by number.
	before, _ := captureStack(t, "prod")
	version := before.byName["aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion::app"].state["versionNumber"]
	deployed := plainString(before.byName["aws:appconfig/deployment:Deployment::app"].inputs, "configurationVersion")
	if !version.IsNumber() || deployed != fmt.Sprint(version.NumberValue()) {
		t.Errorf("the deployment deploys version %q, the stack wrote %v", deployed, version)
	}
	// Broken variant: a change that reached the launch template is seen.
	after := &capture{byName: map[string]captured{}}
	for k, v := range before.byName {
		after.byName[k] = v
	}
	lt := after.byName["aws:ec2/launchTemplate:LaunchTemplate::app"]
	inputs := lt.inputs.Copy()
	inputs["userData"] = resource.NewStringProperty("changed")
	after.byName["aws:ec2/launchTemplate:LaunchTemplate::app"] = captured{inputs: inputs, state: lt.state}
	if setDiff(changes(before, after), nil) == "" {
		t.Error("a changed launch template went unnoticed")
	}
}

// changes lists the registrations whose inputs differ between two runs,
// each "replaced" when the provider replaces it for that change
// (internal/replacements), else "updated".
func changes(before, after *capture) []string {
	var out []string
	for key, a := range after.byName {
		b, ok := before.byName[key]
		if !ok {
			out = append(out, key+" created")
			continue
		}
		var diff []string
		for k := range a.inputs {
			if !a.inputs[k].DeepEquals(b.inputs[k]) {
				diff = append(diff, string(k))
			}
		}
		for k := range b.inputs {
			if _, ok := a.inputs[k]; !ok {
				diff = append(diff, string(k))
			}
		}
		if len(diff) == 0 {
			continue
		}
		typ, _, _ := strings.Cut(key, "::")
		verb := "updated"
		if rep, known := replacements.Replaces(typ, diff); known && len(rep) > 0 {
			verb = "replaced"
		}
		out = append(out, key+" "+verb)
	}
	return out
}
