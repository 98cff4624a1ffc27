package secretsstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

const (
	kmsKey     = "aws:kms/key:Key"
	kmsReplica = "aws:kms/replicaKey:ReplicaKey"
	smSecret   = "aws:secretsmanager/secret:Secret"
)

func awsProd(t *testing.T) *result {
	t.Helper()
	s := everySecret(core.AWS)
	s.Secrets[1].Rotation = &Rotation{Days: 30, Function: "arn:aws:lambda:eu-west-2:123456789012:function:rotate-sendgrid"}
	s.Grants = append(s.Grants, Grant{Principal: opsRole, Secrets: []string{"sendgrid-api-key"}, Keys: []core.KeyPurpose{core.BackupKey}})
	return scenario{cloud: core.AWS, settings: s, args: func(a *SecretsStoreArgs) {
		a.SecretValues = map[string]pulumi.StringInput{"stripe-api-key": pulumi.String("sk_live_not_a_real_key")}
	}}.mustRun(t)
}

// arnOf is the ARN the offline plan gives a KMS key resource.
func arnOf(region string, key plan.Resource) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, plan.MockAWSAccount, key.ID)
}

func keyPolicy(t *testing.T, key plan.Resource) policyDocument {
	t.Helper()
	var doc policyDocument
	if err := json.Unmarshal([]byte(get(t, key.Inputs, "policy").(string)), &doc); err != nil {
		t.Fatalf("policy of %s is not JSON: %v", key.Name, err)
	}
	return doc
}

func principalsOf(doc policyDocument) []string {
	var out []string
	for _, st := range doc.Statement {
		for _, p := range st.Principal["AWS"] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

func statementNamed(doc policyDocument, sid string) (statement, bool) {
	for _, st := range doc.Statement {
		if st.Sid == sid {
			return st, true
		}
	}
	return statement{}, false
}

func TestAWS(t *testing.T) {
	r := awsProd(t)

	t.Run("prod_every_key_rotates_and_has_a_30_day_deletion_window", func(t *testing.T) {
		keys := r.ofType(kmsKey)
		if len(keys) != len(core.KeyPurposes) {
			t.Fatalf("want one key per purpose, got %v", names(keys))
		}
		for _, k := range keys {
			if get(t, k.Inputs, "enableKeyRotation") != true || get(t, k.Inputs, "rotationPeriodInDays") != 90.0 {
				t.Errorf("%s does not rotate every 90 days: %v", k.Name, k.Inputs)
			}
			if get(t, k.Inputs, "deletionWindowInDays") != 30.0 {
				t.Errorf("%s deletion window = %v, want 30", k.Name, k.Inputs["deletionWindowInDays"])
			}
			if !k.Protect {
				t.Errorf("prod key %s is not protected", k.Name)
			}
		}
		for _, k := range r.ofType(kmsReplica) {
			if get(t, k.Inputs, "deletionWindowInDays") != 30.0 {
				t.Errorf("replica %s deletion window = %v, want 30", k.Name, k.Inputs["deletionWindowInDays"])
			}
		}
	})

	t.Run("every_key_has_a_stable_alias_in_each_region", func(t *testing.T) {
		aliases := r.ofType("aws:kms/alias:Alias")
		if len(aliases) != 2*len(core.KeyPurposes) {
			t.Fatalf("want an alias per key and region, got %v", names(aliases))
		}
		if got := get(t, r.named("aws:kms/alias:Alias", "secrets-alias-field-dr").Inputs, "name"); got != "alias/wedsync-prod-field" {
			t.Errorf("DR field key alias = %v", got)
		}
	})

	t.Run("prod_dr_keys_are_multi_region_replicas_through_the_dr_provider", func(t *testing.T) {
		for _, purpose := range core.KeyPurposes {
			primary := r.named(kmsKey, "secrets-key-"+string(purpose))
			if get(t, primary.Inputs, "multiRegion") != true {
				t.Errorf("%s key is not multi-region", purpose)
			}
			replica := r.named(kmsReplica, "secrets-key-"+string(purpose)+"-dr")
			if r.providerName(replica) != "aws-dr" {
				t.Errorf("%s replica uses provider %s, want aws-dr", purpose, r.providerName(replica))
			}
			if get(t, replica.Inputs, "primaryKeyArn") != arnOf("eu-west-2", primary) {
				t.Errorf("%s replica is not of the primary key", purpose)
			}
			k, ok := r.keyUser(core.DR, purpose)
			if !ok || k["region"] != "eu-west-1" || k["id"] != arnOf("eu-west-1", replica) {
				t.Errorf("Key(DR, %s) = %v, want the replica's ARN in eu-west-1", purpose, k)
			}
			k, _ = r.keyUser(core.Primary, purpose)
			if k["id"] != arnOf("eu-west-2", primary) {
				t.Errorf("Key(Primary, %s) = %v, want the key ARN", purpose, k["id"])
			}
		}
	})

	t.Run("prod_every_secret_uses_the_secrets_key_and_replicates_to_dr", func(t *testing.T) {
		primary := arnOf("eu-west-2", r.named(kmsKey, "secrets-key-secrets"))
		replica := arnOf("eu-west-1", r.named(kmsReplica, "secrets-key-secrets-dr"))
		secrets := r.ofType(smSecret)
		if len(secrets) != 2 {
			t.Fatalf("want 2 secrets, got %v", names(secrets))
		}
		for _, s := range secrets {
			if get(t, s.Inputs, "kmsKeyId") != primary {
				t.Errorf("%s is encrypted with %v, want the secrets key", s.Name, s.Inputs["kmsKeyId"])
			}
			if get(t, s.Inputs, "replicas", "0", "region") != "eu-west-1" || get(t, s.Inputs, "replicas", "0", "kmsKeyId") != replica {
				t.Errorf("%s does not replicate to eu-west-1 with the DR secrets key: %v", s.Name, s.Inputs["replicas"])
			}
			if get(t, s.Inputs, "recoveryWindowInDays") != 30.0 || !s.Protect {
				t.Errorf("prod secret %s must be protected with a 30-day recovery window", s.Name)
			}
		}
		if got := get(t, r.named(smSecret, "secrets-secret-stripe-api-key").Inputs, "name"); got != "wedsync/prod/stripe-api-key" {
			t.Errorf("secret name = %v", got)
		}
	})

	t.Run("secret_values_stay_secret", func(t *testing.T) {
		v := r.named("aws:secretsmanager/secretVersion:SecretVersion", "secrets-secret-value-stripe-api-key")
		if v.Inputs["secretString"] != core.SecretMarker {
			t.Errorf("secret value recorded as %v", v.Inputs["secretString"])
		}
		if len(r.ofType("aws:secretsmanager/secretVersion:SecretVersion")) != 1 {
			t.Error("a secret without a value in Args must not get a version")
		}
	})

	t.Run("rotation_runs_the_given_function", func(t *testing.T) {
		rot := r.named("aws:secretsmanager/secretRotation:SecretRotation", "secrets-secret-rotation-sendgrid-api-key")
		if get(t, rot.Inputs, "rotationLambdaArn") != "arn:aws:lambda:eu-west-2:123456789012:function:rotate-sendgrid" ||
			get(t, rot.Inputs, "rotationRules", "automaticallyAfterDays") != 30.0 {
			t.Errorf("rotation = %v", rot.Inputs)
		}
	})

	t.Run("key_policies_name_only_root_the_deploy_role_and_grantees", func(t *testing.T) {
		want := map[core.KeyPurpose][]string{
			core.DataKey:    {mockAccountRoot, deployRoleMock},
			core.BackupKey:  {mockAccountRoot, opsRole, deployRoleMock},
			core.SecretsKey: {mockAccountRoot, appRole, opsRole, deployRoleMock},
			core.FieldKey:   {mockAccountRoot, appRole, deployRoleMock},
		}
		for purpose, principals := range want {
			for _, k := range []plan.Resource{r.named(kmsKey, "secrets-key-"+string(purpose)), r.named(kmsReplica, "secrets-key-"+string(purpose)+"-dr")} {
				sort.Strings(principals)
				if got := principalsOf(keyPolicy(t, k)); !slices.Equal(got, principals) {
					t.Errorf("%s policy principals = %v, want %v", k.Name, got, principals)
				}
			}
		}
	})

	t.Run("grants_get_least_privilege_key_actions", func(t *testing.T) {
		field := keyPolicy(t, r.named(kmsKey, "secrets-key-field"))
		st, ok := statementNamed(field, "GrantEncryptDecrypt")
		if !ok || !slices.Equal(st.Principal["AWS"], []string{appRole}) || slices.Contains(st.Action, "kms:*") || !slices.Contains(st.Action, "kms:Encrypt") {
			t.Errorf("field key grant = %+v", st)
		}
		st, ok = statementNamed(field, "GrantEncryptDecryptToAWSResources")
		if !ok || !slices.Equal(st.Action, []string{"kms:CreateGrant"}) || st.Condition["Bool"]["kms:GrantIsForAWSResource"] != true {
			t.Errorf("encryptDecrypt grantees may create grants only for AWS resources: %+v", st)
		}
		backup := keyPolicy(t, r.named(kmsKey, "secrets-key-backup"))
		st, ok = statementNamed(backup, "GrantRead")
		if !ok || !slices.Equal(st.Action, []string{"kms:Decrypt", "kms:DescribeKey"}) {
			t.Errorf("a read grant must only decrypt: %+v", st)
		}
		admin, _ := statementNamed(backup, "DeployRoleAdministersKey")
		if slices.Contains(admin.Action, "kms:Decrypt") || slices.Contains(admin.Action, "kms:*") {
			t.Errorf("the deploy role administers keys without using them directly: %v", admin.Action)
		}
	})

	t.Run("secret_readers_decrypt_only_their_secrets_through_secrets_manager", func(t *testing.T) {
		doc := keyPolicy(t, r.named(kmsReplica, "secrets-key-secrets-dr"))
		found := false
		for _, st := range doc.Statement {
			if !strings.HasPrefix(st.Sid, "ReadGrantedSecrets") || st.Principal["AWS"][0] != appRole {
				continue
			}
			found = true
			via := st.Condition["StringEquals"]["kms:ViaService"]
			arns := fmt.Sprint(st.Condition["StringLike"]["kms:EncryptionContext:SecretARN"])
			if via != "secretsmanager.eu-west-1.amazonaws.com" || !strings.Contains(arns, "secret:wedsync/prod/stripe-api-key-??????") || strings.Contains(arns, "sendgrid") {
				t.Errorf("app reads through %v secrets %v", via, arns)
			}
		}
		if !found {
			t.Error("no statement lets the app decrypt its secret")
		}
		pol := r.named("aws:secretsmanager/secretPolicy:SecretPolicy", "secrets-secret-policy-stripe-api-key")
		var sp policyDocument
		if err := json.Unmarshal([]byte(get(t, pol.Inputs, "policy").(string)), &sp); err != nil {
			t.Fatal(err)
		}
		if len(sp.Statement) != 1 || !slices.Equal(sp.Statement[0].Principal["AWS"], []string{appRole}) ||
			!slices.Equal(sp.Statement[0].Action, awsSecretActions) || pol.Inputs["blockPublicPolicy"] != true {
			t.Errorf("secret policy = %+v", sp)
		}
	})

	t.Run("key_and_secret_use_is_audited_in_every_region", func(t *testing.T) {
		store := r.named("aws:cloudtrail/eventDataStore:EventDataStore", "secrets-audit")
		if store.Inputs["multiRegionEnabled"] != true || store.Inputs["terminationProtectionEnabled"] != true || store.Inputs["retentionPeriod"] != 365.0 {
			t.Errorf("audit store = %v", store.Inputs)
		}
		sources := fmt.Sprint(get(t, store.Inputs, "advancedEventSelectors", "0", "fieldSelectors", "1", "equals"))
		if !strings.Contains(sources, "kms.amazonaws.com") || !strings.Contains(sources, "secretsmanager.amazonaws.com") {
			t.Errorf("audit selects %s", sources)
		}
	})
}

func TestAWSDeployRole(t *testing.T) {
	t.Run("an_explicit_deploy_role_replaces_the_caller", func(t *testing.T) {
		role := "arn:aws:iam::123456789012:role/ci-deployer"
		r := scenario{cloud: core.AWS, args: func(a *SecretsStoreArgs) { a.DeployRoleARN = role }}.mustRun(t)
		got := principalsOf(keyPolicy(t, r.named(kmsKey, "secrets-key-data")))
		if !slices.Contains(got, role) || slices.Contains(got, deployRoleMock) {
			t.Errorf("principals = %v", got)
		}
	})
}

func TestAWSDev(t *testing.T) {
	r := scenario{cloud: core.AWS, env: core.Dev, noDR: true, settings: everySecret(core.AWS)}.mustRun(t)
	t.Run("dev_without_dr_has_single_region_keys", func(t *testing.T) {
		for _, k := range r.ofType(kmsKey) {
			if k.Inputs["multiRegion"] != false || k.Protect {
				t.Errorf("%s: multiRegion %v, protect %v", k.Name, k.Inputs["multiRegion"], k.Protect)
			}
		}
		if n := len(r.ofType(kmsReplica)); n != 0 {
			t.Errorf("dev without DR has %d replica keys", n)
		}
		if _, ok := r.keyUser(core.DR, core.DataKey); ok {
			t.Error("Key(DR, data) must be nil without a DR site")
		}
	})
	t.Run("dev_keys_still_rotate_with_a_7_day_window", func(t *testing.T) {
		for _, k := range r.ofType(kmsKey) {
			if k.Inputs["enableKeyRotation"] != true || k.Inputs["deletionWindowInDays"] != 7.0 {
				t.Errorf("%s: %v", k.Name, k.Inputs)
			}
		}
	})
	t.Run("dev_secrets_have_no_replicas", func(t *testing.T) {
		for _, s := range r.ofType(smSecret) {
			if reps, _ := s.Inputs["replicas"].([]any); len(reps) != 0 {
				t.Errorf("%s replicates to %v", s.Name, reps)
			}
		}
	})
}
