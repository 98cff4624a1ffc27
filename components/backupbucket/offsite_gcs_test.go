package backupbucket

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
)

func TestGCPOffsiteCopyOnAzure(t *testing.T) {
	prod := fixture{cloud: core.GCP, env: core.Prod, offsite: true, alerts: true}.run(t)

	t.Run("the_reader_may_only_view_objects_of_its_bucket", func(t *testing.T) {
		grants := prod.all("gcp:storage/bucketIAMMember:BucketIAMMember")
		var mine []string
		for _, g := range grants {
			if strings.Contains(g.Name, "offsite-reader") {
				mine = append(mine, toString(get(t, g, "role")))
				equal(t, g, "wedsync-prod-backup-db-exports-euw2", "bucket")
			}
		}
		if len(mine) != 1 || mine[0] != "roles/storage.objectViewer" {
			t.Errorf("the offsite reader holds %v, want roles/storage.objectViewer on its bucket only", mine)
		}
		prod.one("gcp:storage/hmacKey:HmacKey", "db-exports-offsite-reader")
	})
	t.Run("the_hmac_secret_is_in_key_vault_and_only_referenced_by_the_linked_service", func(t *testing.T) {
		ls := prod.one(LinkedServiceType, "db-exports-offsite-gcs")
		equal(t, ls, "GoogleCloudStorage", "properties", "type")
		equal(t, ls, "AzureKeyVaultSecret", "properties", "secretAccessKey", "type")
		equal(t, ls, OffsiteHMACSecret("db-exports"), "properties", "secretAccessKey", "secretName")
		equal(t, ls, gcsXMLEndpoint, "properties", "serviceUrl")
		sec := prod.one("azure-native:keyvault:Secret", "db-exports-offsite-hmac")
		equal(t, sec, OffsiteHMACSecret("db-exports"), "secretName")
		equal(t, sec, "wedsync-uksouth", "vaultName")
		for _, typ := range []string{PipelineType, DatasetType, LogicWorkflowType} {
			for _, r := range prod.all(typ) {
				if s := toJSON(r.Inputs); strings.Contains(strings.ToLower(s), "secretaccesskey") {
					t.Errorf("%s %s carries a credential: %s", typ, r.Name, s)
				}
			}
		}
	})
	t.Run("the_factory_may_only_write_the_container_and_read_the_secret", func(t *testing.T) {
		roles := map[string]string{}
		for _, a := range prod.all(azRoleAssignment) {
			if strings.Contains(a.Name, "-factory-") {
				roles[a.Name] = toString(get(t, a, "roleDefinitionId"))
			}
		}
		if len(roles) != 2 || !strings.HasSuffix(roles["db-exports-offsite-factory-writes"], storageBlobDataContributor) ||
			!strings.HasSuffix(roles["db-exports-offsite-factory-reads-hmac"], keyVaultSecretsUser) {
			t.Errorf("factory roles %v: want Storage Blob Data Contributor and Key Vault Secrets User only", roles)
		}
		// The blob linked service signs in as the factory: no key, no SAS.
		blob := prod.one(LinkedServiceType, "db-exports-offsite-blob")
		for _, f := range []string{"connectionString", "sasUri", "accountKey", "servicePrincipalKey"} {
			if v, ok := lookup(blob, "properties", f); ok {
				t.Errorf("the blob linked service has %s = %v", f, v)
			}
		}
	})
	t.Run("the_offsite_container_is_locked_private_and_under_the_offsite_key", func(t *testing.T) {
		a := prod.one(azAccount, "db-exports-offsite")
		equal(t, a, "Locked", "immutableStorageWithVersioning", "immutabilityPolicy", "state")
		equal(t, a, 365, "immutableStorageWithVersioning", "immutabilityPolicy", "immutabilityPeriodSinceCreationInDays")
		equal(t, a, "https://wedsync-uksouth.vault.azure.net/", "encryption", "keyVaultProperties", "keyVaultUri")
		equal(t, a, false, "allowBlobPublicAccess")
		equal(t, a, false, "allowSharedKeyAccess")
		equal(t, a, "uksouth", "location")
		equal(t, a, "Standard_RAGZRS", "sku", "name")
		if !a.Protect {
			t.Error("the prod offsite account is not protected")
		}
	})
	t.Run("the_factory_takes_no_public_network_access", func(t *testing.T) {
		equal(t, prod.one(DataFactoryType, "db-exports-offsite"), "Disabled", "publicNetworkAccess")
	})
	t.Run("the_copy_runs_daily_over_the_day_before_and_verifies", func(t *testing.T) {
		p := prod.one(PipelineType, "db-exports-offsite-copy")
		equal(t, p, true, "activities", "0", "validateDataConsistency")
		equal(t, p, "@addHours(pipeline().parameters.windowEnd, -24)", "activities", "0", "source", "storeSettings", "modifiedDatetimeStart", "value")
	})
	t.Run("an_enabled_logic_app_starts_the_copy_with_no_hand_step", func(t *testing.T) {
		// A Data Factory trigger is created stopped: none may be declared.
		if got := prod.all("azure-native:datafactory:Trigger"); len(got) != 0 {
			t.Errorf("a Data Factory trigger (created stopped, started by hand) is declared: %v", names(got))
		}
		start := prod.one(LogicWorkflowType, "db-exports-offsite-start")
		equal(t, start, "Enabled", "state")
		equal(t, start, "Day", "definition", "triggers", "Daily", "recurrence", "frequency")
		equal(t, start, offsiteStartHourUTC, "definition", "triggers", "Daily", "recurrence", "schedule", "hours", "0")
		equal(t, start, "POST", "definition", "actions", "CreateRun", "inputs", "method")
		uri := toString(get(t, start, "definition", "actions", "CreateRun", "inputs", "uri"))
		if !strings.HasPrefix(uri, "https://management.azure.com/subscriptions/") ||
			!strings.HasSuffix(uri, "/pipelines/offsite-db-exports/createRun?api-version="+dataFactoryAPIVersion) {
			t.Errorf("the start calls %s, want the copy pipeline's createRun", uri)
		}
		equal(t, start, "@{startOfHour(utcNow(), 'yyyy-MM-ddTHH:mm:ssZ')}", "definition", "actions", "CreateRun", "inputs", "body", "windowEnd")
		equal(t, start, "ManagedServiceIdentity", "definition", "actions", "CreateRun", "inputs", "authentication", "type")
	})
	t.Run("the_scheduler_may_only_start_pipelines_and_read_the_secret_expiry", func(t *testing.T) {
		role := prod.one("azure-native:authorization:RoleDefinition", "db-exports-offsite-scheduler")
		actions := get(t, role, "permissions", "0", "actions")
		if toJSON(actions) != toJSON(offsiteSchedulerActions) {
			t.Errorf("scheduler role actions %v, want %v", actions, offsiteSchedulerActions)
		}
		if _, ok := lookup(role, "permissions", "0", "dataActions"); ok {
			t.Error("the scheduler role has data actions (it could read the secret's value)")
		}
		scopes := map[string]string{}
		for _, a := range prod.all(azRoleAssignment) {
			if strings.Contains(a.Name, "-scheduler-") {
				scopes[a.Name] = toString(get(t, a, "scope"))
			}
		}
		if len(scopes) != 2 || !strings.Contains(strings.ToLower(scopes["db-exports-offsite-scheduler-starts-copy"]), "/providers/microsoft.datafactory/factories/") ||
			!strings.HasSuffix(scopes["db-exports-offsite-scheduler-reads-expiry"], "/secrets/"+OffsiteHMACSecret("db-exports")) {
			t.Errorf("scheduler grants %v: want the factory and the one secret", scopes)
		}
	})
	t.Run("the_key_age_check_fails_its_run_when_the_secret_nears_expiry", func(t *testing.T) {
		check := prod.one(LogicWorkflowType, "db-exports-offsite-key-age")
		equal(t, check, "Enabled", "state")
		equal(t, check, "GET", "definition", "actions", "Secret", "inputs", "method")
		if uri := toString(get(t, check, "definition", "actions", "Secret", "inputs", "uri")); !strings.HasPrefix(uri, "https://management.azure.com/subscriptions/") ||
			!strings.Contains(uri, "/secrets/"+OffsiteHMACSecret("db-exports")+"?api-version=") {
			t.Errorf("the check reads %s, want the HMAC secret's ARM properties", uri)
		}
		cond := toJSON(get(t, check, "definition", "actions", "Expiring", "expression"))
		if !strings.Contains(cond, "['exp']") || !strings.Contains(cond, fmt.Sprintf("addDays(utcNow(), %d)", hmacWarnDays)) {
			t.Errorf("the check's condition %s does not compare the expiry with now + %d days", cond, hmacWarnDays)
		}
		equal(t, check, "Failed", "definition", "actions", "Expiring", "actions", "Rotate", "inputs", "runStatus")
	})
	t.Run("the_hmac_secret_expires_at_the_age_limit_after_the_key_was_made", func(t *testing.T) {
		made := "2026-03-01T10:00:00Z"
		got := hmacExpiry(made)
		want := time.Date(2026, 5, 30, 10, 0, 0, 0, time.UTC).Unix() // 90 days later
		if got == nil || int64(*got) != want {
			t.Errorf("expiry of a key made %s = %v, want %d", made, got, want)
		}
		if hmacExpiry("") != nil {
			t.Error("an unknown creation time gives an expiry")
		}
	})
	t.Run("failure_and_freshness_page_with_runbooks", func(t *testing.T) {
		for _, name := range []string{"db-exports-offsite-freshness", "db-exports-offsite-failed", "db-exports-offsite-start-failed", "db-exports-offsite-key-age"} {
			a := prod.one("azure-native:insights:MetricAlert", name)
			if d, _ := get(t, a, "description").(string); !strings.Contains(d, core.Runbook("alarms/backups.md#")) {
				t.Errorf("%s has no runbook: %q", name, d)
			}
		}
	})
	t.Run("raising_the_key_generation_makes_a_new_key", func(t *testing.T) {
		f := fixture{cloud: core.GCP, env: core.Prod, offsite: true}
		f.settings.Offsite = &Offsite{KeyGeneration: 2}
		rotated := f.run(t)
		rotated.one("gcp:storage/hmacKey:HmacKey", "db-exports-offsite-reader-g2")
		if err := (Settings{RetentionDays: 365, Offsite: &Offsite{Cloud: core.Azure, Region: "uksouth", KeyGeneration: -1}}).Validate(core.Prod, core.GCP); err == nil ||
			!strings.Contains(err.Error(), "offsite.keyGeneration") {
			t.Errorf("a negative key generation passes: %v", err)
		}
	})
	t.Run("without_alert_targets_no_alarms", func(t *testing.T) {
		quiet := fixture{cloud: core.GCP, env: core.Prod, offsite: true}.run(t)
		if got := quiet.all("azure-native:insights:MetricAlert"); len(got) != 0 {
			t.Errorf("alarms without targets: %v", names(got))
		}
	})
}
