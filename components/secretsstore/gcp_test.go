package secretsstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	gcpKey      = "gcp:kms/cryptoKey:CryptoKey"
	gcpRing     = "gcp:kms/keyRing:KeyRing"
	gcpSecret   = "gcp:secretmanager/secret:Secret"
	gcpKeyIAM   = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
	gcpAgentSA  = "serviceAccount:service-123456789012@gcp-sa-secretmanager.iam.gserviceaccount.com"
	gcpRingPath = "projects/" + testProject + "/locations/%s/keyRings/wedsync-prod-keys-%s"
)

func TestGCP(t *testing.T) {
	s := everySecret(core.GCP)
	s.Grants = append(s.Grants, Grant{Principal: "group:ops@wedsync.example", Keys: []core.KeyPurpose{core.BackupKey}})
	r := scenario{cloud: core.GCP, settings: s, args: func(a *SecretsStoreArgs) {
		a.SecretValues = map[string]pulumi.StringInput{"stripe-api-key": pulumi.String("sk_live_not_a_real_key")}
	}}.mustRun(t)
	primaryRing := fmt.Sprintf(gcpRingPath, "europe-west2", "euw2")
	drRing := fmt.Sprintf(gcpRingPath, "europe-west1", "euw1")

	t.Run("prod_every_key_rotates_within_90_days_and_has_a_30_day_destroy_delay", func(t *testing.T) {
		keys := r.ofType(gcpKey)
		if len(keys) != 2*len(core.KeyPurposes) {
			t.Fatalf("want one key per purpose and site, got %v", names(keys))
		}
		for _, k := range keys {
			if k.Inputs["rotationPeriod"] != "7776000s" || k.Inputs["destroyScheduledDuration"] != "2592000s" {
				t.Errorf("%s: rotation %v, destroy delay %v", k.Name, k.Inputs["rotationPeriod"], k.Inputs["destroyScheduledDuration"])
			}
			if get(t, k.Inputs, "versionTemplate", "protectionLevel") != "HSM" || !k.Protect {
				t.Errorf("prod key %s must be HSM-backed and protected", k.Name)
			}
		}
	})

	t.Run("prod_dr_keys_live_in_a_key_ring_in_the_dr_region", func(t *testing.T) {
		ring := r.named(gcpRing, "secrets-keyring-dr")
		if ring.Inputs["location"] != "europe-west1" || r.providerName(ring) != "gcp-dr" || !ring.Protect {
			t.Errorf("DR key ring: location %v, provider %s, protect %v", ring.Inputs["location"], r.providerName(ring), ring.Protect)
		}
		for _, purpose := range core.KeyPurposes {
			k := r.named(gcpKey, "secrets-key-"+string(purpose)+"-dr")
			if k.Inputs["keyRing"] != drRing || r.providerName(k) != "gcp-dr" {
				t.Errorf("DR %s key in %v via %s", purpose, k.Inputs["keyRing"], r.providerName(k))
			}
			for role, ringID := range map[core.Role]string{core.Primary: primaryRing, core.DR: drRing} {
				got, ok := r.keyUser(role, purpose)
				if want := ringID + "/cryptoKeys/" + string(purpose); !ok || got["id"] != want {
					t.Errorf("Key(%s, %s) = %v, want %s", role, purpose, got["id"], want)
				}
			}
		}
	})

	t.Run("prod_every_secret_uses_the_secrets_key_of_each_replica_region", func(t *testing.T) {
		secrets := r.ofType(gcpSecret)
		if len(secrets) != 2 {
			t.Fatalf("want 2 secrets, got %v", names(secrets))
		}
		for _, s := range secrets {
			for i, want := range []struct{ location, key string }{
				{"europe-west2", primaryRing + "/cryptoKeys/secrets"},
				{"europe-west1", drRing + "/cryptoKeys/secrets"},
			} {
				idx := fmt.Sprint(i)
				if get(t, s.Inputs, "replication", "userManaged", "replicas", idx, "location") != want.location ||
					get(t, s.Inputs, "replication", "userManaged", "replicas", idx, "customerManagedEncryption", "kmsKeyName") != want.key {
					t.Errorf("%s replica %d = %v", s.Name, i, get(t, s.Inputs, "replication"))
				}
			}
			if s.Inputs["versionDestroyTtl"] != "2592000s" || !s.Protect {
				t.Errorf("prod secret %s must be protected and delay version destruction 30 days", s.Name)
			}
		}
	})

	t.Run("secret_manager_may_use_the_secrets_keys_and_nothing_else", func(t *testing.T) {
		for _, role := range []core.Role{core.Primary, core.DR} {
			name := "secrets-key-secrets-agent"
			if role == core.DR {
				name += "-dr"
			}
			b := r.named(gcpKeyIAM, name)
			if b.Inputs["member"] != gcpAgentSA || b.Inputs["role"] != "roles/cloudkms.cryptoKeyEncrypterDecrypter" {
				t.Errorf("%s: %v", name, b.Inputs)
			}
		}
		for _, b := range r.ofType(gcpKeyIAM) {
			if b.Inputs["member"] == gcpAgentSA && b.Inputs["cryptoKeyId"] != primaryRing+"/cryptoKeys/secrets" && b.Inputs["cryptoKeyId"] != drRing+"/cryptoKeys/secrets" {
				t.Errorf("Secret Manager agent bound to %v", b.Inputs["cryptoKeyId"])
			}
		}
	})

	// Google's service agents are granted by the store itself
	// (TestGCPServiceAgentsMayUseTheirKeys); grants add only the named ones.
	t.Run("grants_bind_only_the_named_roles_on_the_named_keys_and_secrets", func(t *testing.T) {
		var got []string
		for _, b := range r.ofType(gcpKeyIAM) {
			if agent, _ := b.Inputs["member"].(string); !strings.Contains(agent, "@gcp-sa-") && !strings.Contains(agent, "@gs-project-accounts.") {
				got = append(got, fmt.Sprintf("%v %v %v", b.Inputs["member"], b.Inputs["role"], b.Inputs["cryptoKeyId"]))
			}
		}
		want := map[string]bool{}
		for _, ring := range []string{primaryRing, drRing} {
			want[appSA+" roles/cloudkms.cryptoKeyEncrypterDecrypter "+ring+"/cryptoKeys/field"] = true
			want["group:ops@wedsync.example roles/cloudkms.cryptoKeyDecrypter "+ring+"/cryptoKeys/backup"] = true
		}
		if len(got) != len(want) {
			t.Errorf("key bindings = %v", got)
		}
		for _, g := range got {
			if !want[g] {
				t.Errorf("unexpected key binding %s", g)
			}
		}
		readers := r.ofType("gcp:secretmanager/secretIamMember:SecretIamMember")
		if len(readers) != 1 || readers[0].Inputs["member"] != appSA || readers[0].Inputs["role"] != "roles/secretmanager.secretAccessor" ||
			readers[0].Inputs["secretId"] != "projects/"+testProject+"/secrets/wedsync-prod-stripe-api-key" {
			t.Errorf("secret readers = %v", readers)
		}
	})

	t.Run("secret_values_stay_secret", func(t *testing.T) {
		v := r.named("gcp:secretmanager/secretVersion:SecretVersion", "secrets-secret-value-stripe-api-key")
		if v.Inputs["secretData"] != core.SecretMarker {
			t.Errorf("secret data recorded as %v", v.Inputs["secretData"])
		}
	})

	t.Run("kms_and_secret_manager_data_access_is_audited", func(t *testing.T) {
		audits := r.ofType("gcp:projects/iAMAuditConfig:IAMAuditConfig")
		services := map[any]bool{}
		for _, a := range audits {
			services[a.Inputs["service"]] = true
			logs := fmt.Sprint(a.Inputs["auditLogConfigs"])
			for _, typ := range []string{"ADMIN_READ", "DATA_READ", "DATA_WRITE"} {
				if !strings.Contains(logs, typ) {
					t.Errorf("%v does not log %s", a.Inputs["service"], typ)
				}
			}
		}
		if !services["cloudkms.googleapis.com"] || !services["secretmanager.googleapis.com"] {
			t.Errorf("audited services = %v", services)
		}
	})
}

func TestGCPDev(t *testing.T) {
	r := scenario{cloud: core.GCP, env: core.Dev, noDR: true, settings: everySecret(core.GCP)}.mustRun(t)
	t.Run("dev_keys_are_software_keys_that_still_rotate", func(t *testing.T) {
		for _, k := range r.ofType(gcpKey) {
			if get(t, k.Inputs, "versionTemplate", "protectionLevel") != "SOFTWARE" || k.Inputs["rotationPeriod"] != "7776000s" || k.Protect {
				t.Errorf("%s: %v protect %v", k.Name, k.Inputs, k.Protect)
			}
		}
	})
	t.Run("dev_secrets_replicate_to_the_primary_region_only", func(t *testing.T) {
		for _, s := range r.ofType(gcpSecret) {
			reps, _ := get(t, s.Inputs, "replication", "userManaged", "replicas").([]any)
			if len(reps) != 1 {
				t.Errorf("%s replicas = %v", s.Name, reps)
			}
		}
	})
}

// Cloud SQL and Cloud Storage encrypt with our keys through their service
// agents: without a grant on the data and backup keys, CMEK creation fails.
func TestGCPServiceAgentsMayUseTheirKeys(t *testing.T) {
	p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
		dep, err := testkit.Deployment(ctx, core.GCP, core.Prod)
		if err != nil {
			return err
		}
		_, err = NewSecretsStore(ctx, "main", &SecretsStoreArgs{Deployment: dep})
		return err
	})
	want := map[string]string{
		"cloudsql-agent": "serviceAccount:service-123456789012@gcp-sa-cloud-sql.iam.gserviceaccount.com",
		"storage-agent":  "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
	}
	keyOf := map[string]string{"cloudsql-agent": "data", "storage-agent": "backup"}
	found := map[string]int{}
	for _, r := range testkit.OfType(p, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") {
		for agent, member := range want {
			if strings.Contains(r.Name, "key-"+agent) {
				if r.Inputs["member"] != member || r.Inputs["role"] != "roles/cloudkms.cryptoKeyEncrypterDecrypter" || !strings.Contains(r.Inputs["cryptoKeyId"].(string), "/cryptoKeys/") || !strings.Contains(r.Inputs["cryptoKeyId"].(string)[strings.LastIndex(r.Inputs["cryptoKeyId"].(string), "/"):], keyOf[agent]) {
					t.Errorf("%s: %v", r.Name, r.Inputs)
				}
				found[agent]++
			}
		}
	}
	for agent := range want {
		if found[agent] != 2 {
			t.Errorf("%s is granted on %d keys, want the key of its purpose at both sites", agent, found[agent])
		}
	}
}
