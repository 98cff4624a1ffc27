package offline

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/appaccess"
	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/erasureledger"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// The application's identity on every shipped stack holds exactly its
// grants: its secrets, the field key and database sign-in, and nothing
// broader (issue 19). The grants are read from the plan and compared, as a
// set, with what the stack's config says they must be.
func TestTheAppIdentityHoldsExactlyItsGrants(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			res := planOf(t, stack)
			got, want := appGrants(t, res.Plan, res), wantGrants(t, res)
			if d := setDiff(got, want); d != "" {
				t.Errorf("app identity grants differ from least privilege:\n%s", d)
			}
		})
	}
}

// Each broken variant adds a broader grant or takes one away: the
// comparison must see it.
func TestAppGrantCheckSeesBroaderAndMissingGrants(t *testing.T) {
	for _, tc := range []struct {
		stack string
		edit  func(p *plan.Plan)
	}{
		{"prod", func(p *plan.Plan) {
			r := find(p, "aws:iam/rolePolicy:RolePolicy", "app-secrets-and-keys")
			r.Inputs["policy"] = strings.Replace(r.Inputs["policy"].(string), `"kms:Decrypt"]`, `"kms:*"]`, 1)
		}},
		{"prod", func(p *plan.Plan) {
			role := find(p, "aws:iam/role:Role", "app").Inputs["name"]
			p.Resources = append(p.Resources, plan.Resource{Type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", Name: "admin",
				Inputs: map[string]any{"role": role, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}})
		}},
		{"prod-gcp", func(p *plan.Plan) { drop(p, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "app-field-key") }},
		// The configuration: readable in every environment of the
		// application, or by the app on no secret at all.
		{"prod", func(p *plan.Plan) {
			r := find(p, "aws:iam/rolePolicy:RolePolicy", "app-config")
			r.Inputs["policy"] = regexp.MustCompile(`environment/[^/]+/`).ReplaceAllString(r.Inputs["policy"].(string), "environment/*/")
		}},
		{"prod-gcp-dr", func(p *plan.Plan) { drop(p, "gcp:secretmanager/secretIamMember:SecretIamMember", "app-config") }},
		{"prod-azure", func(p *plan.Plan) {
			r := find(p, "azure-native:authorization:RoleAssignment", "app-config")
			r.Inputs["scope"] = regexp.MustCompile(`/providers/Microsoft.AppConfiguration/.*$`).ReplaceAllString(r.Inputs["scope"].(string), "")
		}},
		{"prod-gcp", func(p *plan.Plan) {
			r := *find(p, "gcp:projects/iAMMember:IAMMember", "app-secrets")
			r.Inputs = map[string]any{"project": r.Inputs["project"], "member": r.Inputs["member"], "role": "roles/secretmanager.secretAccessor"}
			p.Resources = append(p.Resources, r)
		}},
		{"prod-azure-dr", func(p *plan.Plan) {
			r := find(p, "azure-native:authorization:RoleAssignment", "app-field-key")
			r.Inputs["scope"] = strings.TrimSuffix(r.Inputs["scope"].(string), "/keys/field")
		}},
	} {
		res := planOf(t, tc.stack)
		broken := *res.Plan
		broken.Resources = nil
		for _, r := range res.Plan.Resources {
			r.Inputs = copyMap(r.Inputs)
			broken.Resources = append(broken.Resources, r)
		}
		tc.edit(&broken)
		if setDiff(appGrants(t, &broken, res), wantGrants(t, res)) == "" {
			t.Errorf("%s: a broken grant went unnoticed", tc.stack)
		}
	}
}

// appGrants are the plan's grants to the application's identity, one line
// each, in a form comparable with wantGrants.
func appGrants(t *testing.T, p *plan.Plan, res *Result) []string {
	t.Helper()
	var out []string
	switch res.Config.Cloud {
	case core.AWS:
		role := find(p, "aws:iam/role:Role", "app").Inputs["name"]
		for _, r := range p.Resources {
			if r.Inputs["role"] != role || r.Type == "aws:iam/instanceProfile:InstanceProfile" {
				continue
			}
			switch r.Type {
			case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
				out = append(out, "managed "+fmt.Sprint(r.Inputs["policyArn"]))
			case "aws:iam/rolePolicy:RolePolicy":
				out = append(out, awsStatements(t, r.Inputs["policy"].(string))...)
			default:
				out = append(out, "unexpected "+r.Type)
			}
		}
	case core.GCP:
		email := fmt.Sprintf("%s@%s.iam.gserviceaccount.com", find(p, "gcp:serviceaccount/account:Account", "app").Inputs["accountId"], res.Config.GCPProject)
		for _, r := range p.Resources {
			if r.Type == "gcp:sql/user:User" && r.Inputs["name"] == strings.TrimSuffix(email, ".gserviceaccount.com") {
				out = append(out, "database user "+fmt.Sprint(r.Inputs["type"]))
			}
			if r.Inputs["member"] != "serviceAccount:"+email {
				continue
			}
			var scope []string
			for _, k := range []string{"project", "cryptoKeyId", "secretId", "bucket"} {
				if v, ok := r.Inputs[k]; ok {
					scope = append(scope, fmt.Sprint(v))
				}
			}
			line := fmt.Sprintf("%s on %s", r.Inputs["role"], strings.Join(scope, " "))
			if c, ok := r.Inputs["condition"].(map[string]any); ok {
				line += " if " + projectNumber.ReplaceAllString(fmt.Sprint(c["expression"]), "projects/N/")
			}
			out = append(out, line)
		}
	case core.Azure:
		principal := plan.MockAzurePrincipalID(find(p, "azure-native:managedidentity:UserAssignedIdentity", "app").ID)
		for _, r := range p.Resources {
			if r.Type == "azure-native:authorization:RoleAssignment" && r.Inputs["principalId"] == principal {
				role := fmt.Sprint(r.Inputs["roleDefinitionId"])
				out = append(out, role[strings.LastIndex(role, "/")+1:]+" on "+fmt.Sprint(r.Inputs["scope"]))
			}
		}
	}
	return out
}

var (
	projectNumber = regexp.MustCompile(`projects/[0-9]+/`)
	dbResourceID  = regexp.MustCompile(`dbuser:prx-[0-9a-z]+/`)
	replicaID     = regexp.MustCompile(`dbuser:db-[0-9a-z]+/`)
)

// awsStatements are an IAM policy's statements as lines.
func awsStatements(t *testing.T, policy string) []string {
	var doc struct {
		Statement []struct {
			Effect    string
			Action    any
			Resource  any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("policy %s: %v", policy, err)
	}
	var out []string
	for _, s := range doc.Statement {
		var actions []string
		switch a := s.Action.(type) {
		case string:
			actions = []string{a}
		case []any:
			for _, x := range a {
				actions = append(actions, fmt.Sprint(x))
			}
		}
		sort.Strings(actions)
		line := fmt.Sprintf("%s %s on %s", s.Effect, strings.Join(actions, ","), replicaID.ReplaceAllString(dbResourceID.ReplaceAllString(fmt.Sprint(s.Resource), "dbuser:PROXY/"), "dbuser:REPLICA/"))
		if s.Condition != nil {
			c, _ := json.Marshal(s.Condition)
			line += " if " + string(c)
		}
		out = append(out, line)
	}
	return out
}

// wantGrants is least privilege for the stack, from its config: which
// stack's secrets, which keys, which database user.
func wantGrants(t *testing.T, res *Result) []string {
	t.Helper()
	return append(wantAppGrants(t, res), wantLedgerGrants(res)...)
}

// wantLedgerGrants are the app's grants on the erasure ledger: create
// entries only. On a recovery, on the source's copy in its region (the
// replica; Azure's failed-over account): during a regional outage the app
// records its erasures there.
func wantLedgerGrants(res *Result) []string {
	cfg, p := res.Config, res.Plan
	if !*cfg.Erasure.Enabled {
		return nil
	}
	if cfg.Recovery != nil {
		return wantRecoveryLedgerGrants(res)
	}
	bucket := fmt.Sprint(find(p, map[core.Cloud]string{core.AWS: "aws:s3/bucketV2:BucketV2", core.GCP: "gcp:storage/bucket:Bucket", core.Azure: "azure-native:storage:StorageAccount"}[cfg.Cloud], "erasure").Inputs[map[core.Cloud]string{core.AWS: "bucket", core.GCP: "name", core.Azure: "accountName"}[cfg.Cloud]])
	key, account := "", ""
	switch cfg.Cloud {
	case core.AWS:
		key = fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", cfg.Region, plan.MockAWSAccount, find(p, "aws:kms/key:Key", "main-key-backup").ID)
	case core.Azure:
		account = find(p, "azure-native:storage:StorageAccount", "erasure").ID
	}
	return ledgerWriter(cfg.Cloud, bucket, key, account)
}

// wantRecoveryLedgerGrants: the source's ledger copy in the recovery's
// region, encrypted with the source's DR backup key.
func wantRecoveryLedgerGrants(res *Result) []string {
	cfg := res.Config
	l := cfg.Recovery.SourceOutputs.ErasureLedger
	return ledgerWriter(cfg.Cloud, l.Replica, cfg.Recovery.SourceOutputs.Keys["dr."+string(core.BackupKey)], l.ID)
}

// ledgerWriter is the create-only grant on a ledger copy: bucket (AWS,
// GCP) with its key (AWS), or the account's ID (Azure).
func ledgerWriter(cloud core.Cloud, bucket, key, account string) []string {
	switch cloud {
	case core.AWS:
		return []string{
			fmt.Sprintf(`Allow s3:PutObject on arn:aws:s3:::%s/* if {"Null":{"s3:if-none-match":"false"}}`, bucket),
			"Allow kms:Encrypt,kms:GenerateDataKey on " + key,
		}
	case core.GCP:
		return []string{erasureledger.GCPWriterRole + " on " + bucket}
	}
	return []string{erasureledger.AzureWriterRole + " on " + account + "/blobServices/default/containers/backups"}
}

// wantAppGrants are the app's grants beside the ledger's.
func wantAppGrants(t *testing.T, res *Result) []string {
	t.Helper()
	cfg, p := res.Config, res.Plan
	src, keyOf := cfg.Stack, func(purpose core.KeyPurpose) string {
		r := find(p, map[core.Cloud]string{core.AWS: "aws:kms/key:Key", core.GCP: "gcp:kms/cryptoKey:CryptoKey"}[cfg.Cloud], "main-key-"+string(purpose))
		if cfg.Cloud == core.AWS {
			return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", cfg.Region, plan.MockAWSAccount, r.ID)
		}
		return r.ID
	}
	vault := func() string { return find(p, "azure-native:keyvault:Vault", "main-vault").ID }
	if cfg.Recovery != nil {
		src = cfg.Recovery.SourceStack
		keys := cfg.Recovery.SourceOutputs.Keys
		keyOf = func(purpose core.KeyPurpose) string { return keys["dr."+string(purpose)] }
		vault = func() string { return cfg.Recovery.SourceOutputs.KeyVaults["dr"] }
	}
	switch cfg.Cloud {
	case core.AWS:
		acct := plan.MockAWSAccount
		fieldActions := slices.Clone(appaccess.AWSFieldKeyActions)
		sort.Strings(fieldActions)
		readActions := slices.Clone(appconfig.AWSReadActions)
		sort.Strings(readActions)
		app, env := find(p, "aws:appconfig/application:Application", "app"), find(p, "aws:appconfig/environment:Environment", "app")
		profile := find(p, "aws:appconfig/configurationProfile:ConfigurationProfile", "app")
		envID, _, _ := strings.Cut(env.ID, ":")
		profileID, _, _ := strings.Cut(profile.ID, ":")
		// The read path: each read replica, as the read user.
		var readers []string
		for _, r := range p.Resources {
			if r.Type == "aws:rds/instance:Instance" && r.Inputs["replicateSourceDb"] != nil {
				readers = append(readers, fmt.Sprintf("arn:aws:rds-db:%s:%s:dbuser:REPLICA/%s", cfg.Region, acct, database.AWSReadUser))
			}
		}
		var reads []string
		if len(readers) > 0 {
			reads = []string{fmt.Sprintf("Allow rds-db:connect on %v", readers)}
		}
		return append(reads,
			fmt.Sprintf("Allow %s on arn:aws:appconfig:%s:%s:application/%s/environment/%s/configuration/%s", strings.Join(readActions, ","), cfg.Region, acct, app.ID, envID, profileID),
			"managed arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
			fmt.Sprintf("Allow secretsmanager:DescribeSecret,secretsmanager:GetSecretValue on arn:aws:secretsmanager:%s:%s:secret:wedsync/%s/*", cfg.Region, acct, src),
			fmt.Sprintf(`Allow kms:Decrypt on %s if {"StringEquals":{"kms:ViaService":"secretsmanager.%s.amazonaws.com"}}`, keyOf(core.SecretsKey), cfg.Region),
			fmt.Sprintf("Allow %s on %s", strings.Join(fieldActions, ","), keyOf(core.FieldKey)),
			fmt.Sprintf("Allow rds-db:connect on arn:aws:rds-db:%s:%s:dbuser:PROXY/%s", cfg.Region, acct, database.AWSAppUser),
		)
	case core.GCP:
		instances := fmt.Sprintf("resource.type == 'sqladmin.googleapis.com/Instance' && (resource.name == 'projects/%s/instances/wedsync-%s-main'", cfg.GCPProject, cfg.Stack)
		var sql []string
		for _, r := range []string{"roles/cloudsql.client", "roles/cloudsql.instanceUser"} {
			sql = append(sql, r+" on "+cfg.GCPProject+" if "+instances)
		}
		return append(sql,
			"database user CLOUD_IAM_SERVICE_ACCOUNT",
			fmt.Sprintf("%s on %s if resource.name.startsWith('projects/N/secrets/wedsync-%s-')", appaccess.GCPSecretAccessor, cfg.GCPProject, src),
			appaccess.GCPEncrypterDecrypt+" on "+keyOf(core.FieldKey),
			appaccess.GCPSecretAccessor+" on "+find(p, "gcp:secretmanager/secret:Secret", "app").ID)
	default:
		return []string{appaccess.AzureSecretsUser + " on " + vault(), appaccess.AzureCryptoUser + " on " + vault() + "/keys/field",
			appconfig.AzureDataReader + " on " + find(p, appconfig.AzureStoreType, "app").ID}
	}
}

// setDiff says what got has that want lacks and the reverse; a GCP
// database sign-in line only has to start with the wanted condition (it
// goes on to name the DR replica).
func setDiff(got, want []string) string {
	var d []string
	matches := func(g, w string) bool {
		return g == w || (strings.Contains(w, "roles/cloudsql.") && strings.HasPrefix(g, w))
	}
	for _, g := range got {
		if !slices.ContainsFunc(want, func(w string) bool { return matches(g, w) }) {
			d = append(d, "  broader: "+g)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return matches(g, w) }) {
			d = append(d, "  missing: "+w)
		}
	}
	return strings.Join(d, "\n")
}

func find(p *plan.Plan, typ, name string) *plan.Resource {
	for i := range p.Resources {
		if p.Resources[i].Type == typ && p.Resources[i].Name == name {
			return &p.Resources[i]
		}
	}
	panic(fmt.Sprintf("no %s %s in the plan of %s", typ, name, p.Stack))
}

func drop(p *plan.Plan, typ, name string) {
	p.Resources = slices.DeleteFunc(p.Resources, func(r plan.Resource) bool { return r.Type == typ && r.Name == name })
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
