package appconfig

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// The repository's settings and schema (stacks/appsettings), so the tests
// judge what ships.
func shipped(t testing.TB, env core.Environment) (settings, schema []byte) {
	t.Helper()
	var err error
	if settings, err = os.ReadFile("../../stacks/appsettings/" + string(env) + ".json"); err != nil {
		t.Fatal(err)
	}
	if schema, err = os.ReadFile("../../stacks/appsettings/schema.json"); err != nil {
		t.Fatal(err)
	}
	return settings, schema
}

func shippedSchema(t testing.TB) []byte {
	_, schema := shipped(t, core.Prod)
	return schema
}

const (
	testEndpoint = "wedsync-prod-main.abc.eu-west-2.rds.amazonaws.com"
	testPooler   = "wedsync-prod-main-proxy.abc.eu-west-2.rds.amazonaws.com"
)

// testArgs are complete args for env on cloud, as a stack passes them.
func testArgs(t testing.TB, ctx *pulumi.Context, cloud core.Cloud, env core.Environment) *AppConfigArgs {
	dep, err := testkit.Deployment(ctx, cloud, env)
	if err != nil {
		t.Fatal(err)
	}
	settings, schema := shipped(t, env)
	net := testkit.Network(cloud)
	net.EndpointSubnetID = testkit.Str("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/endpoints")
	net.ConfigPrivateDNSZoneID = testkit.Str("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.azconfig.io")
	a := &AppConfigArgs{
		Deployment: dep, AppSettings: settings, Schema: schema, Network: net,
		Key:      testkit.Key(cloud, core.SecretsKey, core.Primary),
		AuditLog: testkit.Str("/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/wedsync-prod-audit"),
		Monitors: pulumi.ToStringArray([]string{"arn:aws:cloudwatch:eu-west-2:" + plan.MockAWSAccount + ":alarm:wedsync-prod-app-unhealthy"}).ToStringArrayOutput(),
		Facts: Facts{
			SiteRole: core.Primary,
			Database: Database{
				Endpoint: testkit.Str(testEndpoint), PoolerEndpoint: testkit.Str(testPooler), Name: testkit.Str("wedsync"),
				Port: pulumi.Int(5432).ToIntOutput(), PoolerPort: pulumi.Int(5432).ToIntOutput(),
				Users: pulumi.ToStringArray([]string{"wedsync_app"}).ToStringArrayOutput(),
			},
			SecretsLocation: testkit.Str("https://wedsync-kv-uks.vault.azure.net/"),
			Secrets:         map[string]pulumi.StringOutput{"smtp-password": testkit.Str("https://wedsync-kv-uks.vault.azure.net/secrets/smtp-password")},
			Keys:            map[string]pulumi.StringOutput{"field": testkit.Str(testkit.KeyID(cloud, core.FieldKey, core.Primary))},
			Buckets:         map[string]pulumi.StringOutput{"media": testkit.Str("wedsync-prod-media")},
		},
	}
	if dep.DR != nil {
		a.DRKey = testkit.Key(cloud, core.SecretsKey, core.DR)
	}
	return a
}

// planCloud plans the component for env on cloud and returns the plan and
// the document it wrote.
func planCloud(t *testing.T, cloud core.Cloud, env core.Environment, edit func(*AppConfigArgs)) (*plan.Plan, string) {
	t.Helper()
	var mu sync.Mutex
	var doc string
	p := testkit.Plan(t, env, func(ctx *pulumi.Context) error {
		a := testArgs(t, ctx, cloud, env)
		if edit != nil {
			edit(a)
		}
		c, err := NewAppConfig(ctx, "app", a)
		if err != nil {
			return err
		}
		// An export is awaited before the run ends, so the document is read.
		ctx.Export("document", c.Document.ApplyT(func(s string) string { mu.Lock(); doc = s; mu.Unlock(); return s }))
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	return p, doc
}

// The document holds the stack's endpoints and the environment's settings,
// and no value of a secret; the broken variant (another endpoint in the
// facts) is told apart.
func TestTheDocumentHoldsTheStacksFactsAndSettings(t *testing.T) {
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			_, doc := planCloud(t, cloud, core.Prod, nil)
			if err := documentHas(doc, testEndpoint, testPooler, "prod"); err != "" {
				t.Error(err)
			}
			// The whole document meets the schema AppConfig validates with.
			schema, err := DocumentSchema(shippedSchema(t))
			if err != nil {
				t.Fatal(err)
			}
			if err := validateDocument([]byte(doc), schema); err != nil {
				t.Errorf("document breaks its schema: %v", err)
			}
			if validateDocument([]byte(strings.Replace(doc, `"schemaVersion": 1`, `"schemaVersion": 2`, 1)), schema) == nil {
				t.Error("a document of another schema version met the schema")
			}
			_, broken := planCloud(t, cloud, core.Prod, func(a *AppConfigArgs) { a.Facts.Database.Endpoint = testkit.Str("elsewhere.example") })
			if documentHas(broken, testEndpoint, testPooler, "prod") == "" {
				t.Error("a document with another database endpoint passed the check")
			}
		})
	}
}

// documentHas says what is wrong with doc, "" when it holds the endpoints
// and env's settings.
func documentHas(doc, endpoint, pooler string, env string) string {
	var d struct {
		SchemaVersion int
		Stack         struct {
			Environment, SiteRole string
			Database              struct{ Endpoint, PoolerEndpoint string }
		}
		Settings map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "document is not JSON: " + err.Error()
	}
	switch {
	case d.Stack.Database.Endpoint != endpoint || d.Stack.Database.PoolerEndpoint != pooler:
		return "database = " + d.Stack.Database.Endpoint + ", pooler " + d.Stack.Database.PoolerEndpoint
	case d.Stack.Environment != env || d.Stack.SiteRole != "primary" || d.SchemaVersion != SchemaVersion:
		return "stack part: " + doc
	case d.Settings["limits"] == nil:
		return "no settings in " + doc
	}
	return ""
}

// What each cloud's store guarantees: the secrets key, the schema check,
// a gradual rollout watched by alarms (AWS); CMEK replicas in both regions
// and protection (GCP); local auth off, purge protection, no public
// network, labelled key-values and a sentinel (Azure).
func TestEachCloudKeepsTheDocumentEncryptedAndVersioned(t *testing.T) {
	secrets := func(cloud core.Cloud, role core.Role) string { return testkit.KeyID(cloud, core.SecretsKey, role) }
	t.Run("aws", func(t *testing.T) {
		p, _ := planCloud(t, core.AWS, core.Prod, nil)
		profile := testkit.One(t, p, "aws:appconfig/configurationProfile:ConfigurationProfile")
		if testkit.Get(profile, "kmsKeyIdentifier") != secrets(core.AWS, core.Primary) || testkit.Get(profile, "validators.0.type") != "JSON_SCHEMA" {
			t.Errorf("profile: %v", profile.Inputs)
		}
		strategy := testkit.One(t, p, "aws:appconfig/deploymentStrategy:DeploymentStrategy")
		if strategy.Inputs["growthType"] != "LINEAR" || strategy.Inputs["finalBakeTimeInMinutes"].(float64) < 5 || strategy.Inputs["deploymentDurationInMinutes"].(float64) < 10 {
			t.Errorf("prod strategy: %v", strategy.Inputs)
		}
		env := testkit.One(t, p, "aws:appconfig/environment:Environment")
		if !strings.HasSuffix(testkit.Get(env, "monitors.0.alarmArn").(string), ":alarm:wedsync-prod-app-unhealthy") || testkit.Get(env, "monitors.0.alarmRoleArn") == nil {
			t.Errorf("environment monitors: %v", env.Inputs["monitors"])
		}
		for _, r := range testkit.OfType(p, "aws:iam/rolePolicy:RolePolicy") {
			if policy := r.Inputs["policy"].(string); strings.Contains(policy, `"*"`) || !strings.Contains(policy, ":alarm:wedsync-prod-app-unhealthy") {
				t.Errorf("monitors role may read more than its alarms: %s", policy)
			}
		}
		if d := testkit.One(t, p, "aws:appconfig/deployment:Deployment"); d.Inputs["kmsKeyIdentifier"] != secrets(core.AWS, core.Primary) {
			t.Errorf("deployment: %v", d.Inputs)
		}
	})
	t.Run("gcp", func(t *testing.T) {
		p, _ := planCloud(t, core.GCP, core.Prod, nil)
		s := testkit.One(t, p, "gcp:secretmanager/secret:Secret")
		if !s.Protect || s.Inputs["secretId"] != "appconfig-wedsync-prod" {
			t.Errorf("secret: protect %v, id %v", s.Protect, s.Inputs["secretId"])
		}
		for i, role := range []core.Role{core.Primary, core.DR} {
			if got := testkit.Get(s, "replication.userManaged.replicas."+string(rune('0'+i))+".customerManagedEncryption.kmsKeyName"); got != secrets(core.GCP, role) {
				t.Errorf("replica %d key = %v, want the %s secrets key", i, got, role)
			}
		}
		testkit.One(t, p, "gcp:secretmanager/secretVersion:SecretVersion")
	})
	t.Run("azure", func(t *testing.T) {
		p, doc := planCloud(t, core.Azure, core.Prod, nil)
		store := testkit.One(t, p, AzureStoreType)
		for path, want := range map[string]any{"disableLocalAuth": true, "enablePurgeProtection": true, "publicNetworkAccess": "Disabled",
			"sku.name": "standard", "encryption.keyVaultProperties.keyIdentifier": secrets(core.Azure, core.Primary)} {
			if got := testkit.Get(store, path); got != want {
				t.Errorf("store %s = %v, want %v", path, got, want)
			}
		}
		kv := map[string]map[string]any{}
		for _, r := range testkit.OfType(p, AzureKeyValueType) {
			kv[r.Inputs["keyValueName"].(string)] = r.Inputs
		}
		if kv[DocumentKey+"$prod"]["value"] != doc || kv[SentinelKey+"$prod"]["value"] != Digest(doc) {
			t.Errorf("document and sentinel key-values: %v", kv)
		}
		if ref := kv["wedsync:secrets:smtp-password$prod"]; ref["contentType"] != AzureKeyVaultRefContentType || !strings.Contains(ref["value"].(string), "/secrets/smtp-password") {
			t.Errorf("secret reference: %v", ref)
		}
		if ds := testkit.One(t, p, "azure-native:insights:DiagnosticSetting"); testkit.Get(ds, "logs.0.category") != "Audit" || ds.Inputs["workspaceId"] == nil {
			t.Errorf("store audit: %v", ds.Inputs)
		}
		if pe := testkit.One(t, p, "azure-native:network:PrivateEndpoint"); testkit.Get(pe, "privateLinkServiceConnections.0.groupIds.0") != "configurationStores" {
			t.Errorf("private endpoint: %v", pe.Inputs)
		}
	})
}

// Settings that break the schema or hold a credential are refused before
// anything is registered, every problem at once, each by its field.
func TestBadSettingsAreRefusedBeforeAnythingIsPlanned(t *testing.T) {
	bad := `{"features": {"guestPhotoWall": "yes"}, "limits": {"maxGuestsPerWedding": 500, "maxUploadMb": 9999, "requestsPerMinutePerUser": 300},
		"timeouts": {"databaseQueryMs": 2000, "httpRequestMs": 5000, "sessionIdleMinutes": 60}, "logLevel": "info", "smtpPassword": "hunter2"}`
	var err error
	p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		a := testArgs(t, ctx, core.AWS, core.Prod)
		a.AppSettings = json.RawMessage(bad)
		_, err = NewAppConfig(ctx, "app", a)
		return nil
	})
	if err == nil {
		t.Fatal("settings breaking the schema were accepted")
	}
	for _, field := range []string{"settings.features.guestPhotoWall", "settings.limits.maxUploadMb", "settings.smtpPassword"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("no problem names %s in: %v", field, err)
		}
	}
	for _, r := range p.Resources {
		if strings.Contains(r.URN, "appconfig") {
			t.Errorf("planned %s although the settings were refused", r.URN)
		}
	}
	// A document whose stack part breaks the schema (no database endpoint)
	// fails the plan, naming the field.
	err = testkit.PlanErr(core.Prod, func(ctx *pulumi.Context) error {
		a := testArgs(t, ctx, core.GCP, core.Prod)
		a.Facts.Database.Endpoint = testkit.Str("")
		_, err := NewAppConfig(ctx, "app", a)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "stack.database.endpoint") {
		t.Errorf("a document without a database endpoint: %v", err)
	}
	// Every shipped environment's settings meet the schema.
	for _, env := range core.Environments {
		settings, schema := shipped(t, env)
		if err := ValidateSettings(settings, schema); err != nil {
			t.Errorf("%s settings: %v", env, err)
		}
	}
}

func TestSettingsDefaultsAndProdLimits(t *testing.T) {
	var s Settings
	s.ApplyDefaults(core.Prod)
	if err := s.Validate(core.Prod, core.AWS); err != nil {
		t.Fatalf("prod defaults: %v", err)
	}
	zero, big := 0, 2000
	broken := Settings{RolloutMinutes: &zero, BakeMinutes: &zero, StepPercent: &big}
	err := broken.Validate(core.Prod, core.AWS)
	for _, field := range []string{"rolloutMinutes", "bakeMinutes", "stepPercent"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("no problem on %s: %v", field, err)
		}
	}
	if err := (Settings{RolloutMinutes: &zero, BakeMinutes: &zero}).Validate(core.Dev, core.AWS); err != nil {
		t.Errorf("dev may roll out at once: %v", err)
	}
}

// The app finds its read path in the document: every read replica's host
// the database gives, and an empty list (never a missing field) without
// replicas. Broken variant: the replicas not passed, the document lacks them.
func TestTheDocumentNamesTheReadReplicas(t *testing.T) {
	replicas := []string{"wedsync-prod-main-read1.abc.eu-west-2.rds.amazonaws.com", "wedsync-prod-main-read2.abc.eu-west-2.rds.amazonaws.com"}
	withReplicas := func(a *AppConfigArgs) {
		a.Facts.Database.ReplicaEndpoints = pulumi.ToStringArray(replicas).ToStringArrayOutput()
	}
	readPath := func(doc string) []string {
		var d struct {
			Stack struct {
				Database struct {
					ReplicaEndpoints *[]string
				}
			}
		}
		if err := json.Unmarshal([]byte(doc), &d); err != nil || d.Stack.Database.ReplicaEndpoints == nil {
			return nil
		}
		return *d.Stack.Database.ReplicaEndpoints
	}
	for _, cloud := range core.Clouds {
		t.Run(string(cloud), func(t *testing.T) {
			_, doc := planCloud(t, cloud, core.Prod, withReplicas)
			if got := readPath(doc); strings.Join(got, ",") != strings.Join(replicas, ",") {
				t.Errorf("stack.database.replicaEndpoints = %v, want %v", got, replicas)
			}
			_, none := planCloud(t, cloud, core.Prod, nil)
			if got := readPath(none); got == nil || len(got) != 0 {
				t.Errorf("without replicas, stack.database.replicaEndpoints = %v, want an empty list", got)
			}
			if strings.Contains(none, replicas[0]) {
				t.Error("a document without replicas names one (broken variant passes)")
			}
		})
	}
}

// The schema holds the read path: a document without it, or with an empty
// host, is refused before AppConfig sees it.
func TestTheSchemaRequiresTheReadPath(t *testing.T) {
	schema, err := DocumentSchema(shippedSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	_, doc := planCloud(t, core.AWS, core.Prod, nil)
	if err := validateDocument([]byte(doc), schema); err != nil {
		t.Fatalf("the document breaks its schema: %v", err)
	}
	for name, broken := range map[string]string{
		"no replicaEndpoints": strings.Replace(doc, `"replicaEndpoints": []`, `"replicaHosts": []`, 1),
		"an empty host":       strings.Replace(doc, `"replicaEndpoints": []`, `"replicaEndpoints": [""]`, 1),
	} {
		if broken == doc {
			t.Fatalf("%s: the document has no empty replicaEndpoints to break: %s", name, doc)
		}
		if err := validateDocument([]byte(broken), schema); err == nil || !strings.Contains(err.Error(), "replicaEndpoints") {
			t.Errorf("%s: schema check = %v, want a problem naming replicaEndpoints", name, err)
		}
	}
}
