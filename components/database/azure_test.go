package database

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	azServer = "azure-native:dbforpostgresql/v20240801:Server"
	azConfig = "azure-native:dbforpostgresql/v20240801:Configuration"
	azDB     = "azure-native:dbforpostgresql/v20240801:Database"
	azRole   = "azure-native:authorization:RoleAssignment"
	azLock   = "azure-native:authorization:ManagementLockByScope"
	azAdmin  = "azure-native:dbforpostgresql/v20240801:Administrator"
	azAlert  = "azure-native:insights:MetricAlert"
)

func TestAzureProdDatabase(t *testing.T) {
	r := planDB(t, core.Azure, core.Prod, nil)
	db := primaryOf(t, r.Plan, azServer)
	identity := testkit.One(t, r.Plan, "azure-native:managedidentity:UserAssignedIdentity")

	t.Run("prod_database_is_encrypted_with_the_data_key_through_its_identity", func(t *testing.T) {
		want(t, db, "AzureKeyVault", "dataEncryption", "type")
		want(t, db, dataKey(core.Azure, core.Primary), "dataEncryption", "primaryKeyURI")
		want(t, db, identity.ID, "dataEncryption", "primaryUserAssignedIdentityId")
		if _, ok := plan.Lookup(db.Inputs, "identity", "userAssignedIdentities", identity.ID); !ok {
			t.Errorf("server identity does not include %s", identity.ID)
		}
		scopes := map[string]bool{}
		for _, ra := range testkit.OfType(r.Plan, azRole) {
			scopes[ra.Inputs["scope"].(string)] = true
			if !strings.HasSuffix(ra.Inputs["roleDefinitionId"].(string), "/roleDefinitions/"+keyVaultCryptoServiceEncryptionUser) {
				t.Errorf("role %v, want Key Vault Crypto Service Encryption User", ra.Inputs["roleDefinitionId"])
			}
			if p, _ := ra.Inputs["principalId"].(string); p == "" {
				t.Error("role assignment has no principal")
			}
		}
		if !scopes[r.in["vault"]] || !scopes[r.in["drVault"]] || len(scopes) != 2 {
			t.Errorf("key access granted on %v, want both vaults", scopes)
		}
	})
	t.Run("prod_database_is_not_public", func(t *testing.T) {
		want(t, db, "Disabled", "network", "publicNetworkAccess")
	})
	t.Run("prod_database_refuses_connections_without_tls", func(t *testing.T) {
		got := map[string]string{}
		for _, c := range testkit.OfType(r.Plan, azConfig) {
			got[c.Inputs["configurationName"].(string)] = c.Inputs["value"].(string)
		}
		if got["require_secure_transport"] != "on" || got["ssl_min_protocol_version"] != "TLSv1.2" {
			t.Errorf("server parameters = %v", got)
		}
	})
	t.Run("prod_database_keeps_geo_redundant_backups_35_days", func(t *testing.T) {
		want(t, db, 35, "backup", "backupRetentionDays")
		want(t, db, "Enabled", "backup", "geoRedundantBackup")
		want(t, db, dataKey(core.Azure, core.DR), "dataEncryption", "geoBackupKeyURI")
	})
	t.Run("prod_database_is_zone_redundant", func(t *testing.T) {
		want(t, db, "ZoneRedundant", "highAvailability", "mode")
		want(t, db, "2", "highAvailability", "standbyAvailabilityZone")
	})
	t.Run("prod_database_is_protected", func(t *testing.T) {
		if !db.Protect {
			t.Error("the server is not protected")
		}
		lock := testkit.One(t, r.Plan, azLock)
		want(t, lock, "CanNotDelete", "level")
		want(t, lock, db.ID, "scope")
	})
	t.Run("prod_database_lives_in_the_delegated_subnet", func(t *testing.T) {
		want(t, db, r.in["databaseSubnet"], "network", "delegatedSubnetResourceId")
		want(t, db, r.in["dnsZone"], "network", "privateDnsZoneArmResourceId")
	})
	t.Run("prod_maintenance_is_on_tuesday_night", func(t *testing.T) {
		want(t, db, "Enabled", "maintenanceWindow", "customWindow")
		want(t, db, 2, "maintenanceWindow", "dayOfWeek")
		want(t, db, 2, "maintenanceWindow", "startHour")
	})
}

func TestAzureProdDatabaseSignInMonitoringAndOutputs(t *testing.T) {
	r := planDB(t, core.Azure, core.Prod, nil)
	db := primaryOf(t, r.Plan, azServer)

	t.Run("prod_database_refuses_passwords_and_admits_entra_tokens", func(t *testing.T) {
		want(t, db, "Enabled", "authConfig", "activeDirectoryAuth")
		want(t, db, "Disabled", "authConfig", "passwordAuth")
		want(t, db, plan.MockAzureTenant, "authConfig", "tenantId")
		absent(t, db, "administratorLogin")
		absent(t, db, "administratorLoginPassword")
		for _, res := range r.Resources {
			if strings.HasPrefix(res.Type, "azure-native:keyvault") {
				t.Errorf("plan writes %s %s, want no credentials at all", res.Type, res.Name)
			}
		}
		if r.out.CredentialsSecret != "" {
			t.Errorf("CredentialsSecret = %q, want empty: there is no password", r.out.CredentialsSecret)
		}
	})
	t.Run("prod_administrators_are_entra_principals", func(t *testing.T) {
		admin := testkit.One(t, r.Plan, azAdmin)
		want(t, admin, "44444444-4444-4444-4444-444444444444", "objectId")
		want(t, admin, "WedSync DBAs", "principalName")
		want(t, admin, "Group", "principalType")
		want(t, admin, plan.MockAzureTenant, "tenantId")
		want(t, admin, db.Inputs["serverName"], "serverName")
		if len(r.out.AppUsers) != 1 || r.out.AppUsers[0] != "wedsync-prod-app" {
			t.Errorf("AppUsers = %v, want the managed identity's name", r.out.AppUsers)
		}
	})
	t.Run("prod_resources_are_tagged", func(t *testing.T) {
		want(t, db, "prod", "tags", "environment")
		want(t, testkit.One(t, r.Plan, "azure-native:managedidentity:UserAssignedIdentity"), "prod", "tags", "environment")
	})
	t.Run("prod_alarms_go_to_the_action_group", func(t *testing.T) {
		metrics := map[string]bool{}
		for _, a := range testkit.OfType(r.Plan, azAlert) {
			if strings.HasPrefix(a.Name, "main-read") {
				continue // the replica's (replicas_test.go)
			}
			m, _ := plan.Lookup(a.Inputs, "criteria", "allOf", "0", "metricName")
			metrics[m.(string)] = true
			want(t, a, r.in["alerts"], "actions", "0", "actionGroupId")
			want(t, a, db.ID, "scopes", "0")
		}
		if len(metrics) != 4 {
			t.Errorf("alerts on %v, want 4", metrics)
		}
	})
	t.Run("prod_outputs_are_the_fqdn_and_database", func(t *testing.T) {
		want(t, testkit.One(t, r.Plan, azDB), "wedsync", "databaseName")
		if r.out.Endpoint != "wedsync-prod-main-uks.postgres.database.azure.com" || r.out.SourceID != db.ID {
			t.Errorf("outputs = %+v", r.out)
		}
	})
}

func TestAzureDevDatabase(t *testing.T) {
	r := planDB(t, core.Azure, core.Dev, nil)
	db := primaryOf(t, r.Plan, azServer)
	t.Run("dev_database_has_no_ha", func(t *testing.T) { want(t, db, "Disabled", "highAvailability", "mode") })
	t.Run("dev_database_is_still_encrypted_private_and_tls_only", func(t *testing.T) {
		want(t, db, dataKey(core.Azure, core.Primary), "dataEncryption", "primaryKeyURI")
		want(t, db, "Disabled", "network", "publicNetworkAccess")
		names := map[any]bool{}
		for _, c := range testkit.OfType(r.Plan, azConfig) {
			names[c.Inputs["configurationName"]] = true
		}
		// TLS and the logging table; no PgBouncer on a burstable size.
		if !names["require_secure_transport"] || !names["ssl_min_protocol_version"] || names["pgbouncer.enabled"] || len(names) != 2+len(ServerParametersOn(core.Azure)) {
			t.Errorf("parameters %v, want TLS's two and the logging table's", names)
		}
	})
	t.Run("dev_database_keeps_local_backups_7_days", func(t *testing.T) {
		want(t, db, 7, "backup", "backupRetentionDays")
		want(t, db, "Disabled", "backup", "geoRedundantBackup")
		absent(t, db, "dataEncryption", "geoBackupKeyURI")
		want(t, db, "Burstable", "sku", "tier")
		want(t, db, 32, "storage", "storageSizeGB")
	})
}

func TestAzureRestore(t *testing.T) {
	const source = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-prod-main-uks"
	t.Run("geo_restore_creates_from_geo_backups_not_empty", func(t *testing.T) {
		r := planDB(t, core.Azure, core.Prod, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: source, PointInTime: "2026-06-13T14:00:00Z", GeoRestore: true}
		})
		db := primaryOf(t, r.Plan, azServer)
		want(t, db, "GeoRestore", "createMode")
		want(t, db, source, "sourceServerResourceId")
		want(t, db, "2026-06-13T14:00:00Z", "pointInTimeUTC")
		absent(t, db, "administratorLogin")
		if n := len(testkit.OfType(r.Plan, azDB)); n != 0 {
			t.Errorf("restore creates %d empty databases", n)
		}
	})
	t.Run("point_in_time_restore", func(t *testing.T) {
		r := planDB(t, core.Azure, core.Dev, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: source, PointInTime: "2026-06-13T14:00:00Z"}
		})
		want(t, primaryOf(t, r.Plan, azServer), "PointInTimeRestore", "createMode")
	})
	t.Run("new_server_is_created_with_entra_administrators_not_a_password", func(t *testing.T) {
		r := planDB(t, core.Azure, core.Dev, nil)
		db := primaryOf(t, r.Plan, azServer)
		want(t, db, "Create", "createMode")
		want(t, db, "Disabled", "authConfig", "passwordAuth")
		absent(t, db, "administratorLogin")
		absent(t, db, "administratorLoginPassword")
		want(t, testkit.One(t, r.Plan, azAdmin), "Group", "principalType")
	})
}

func TestAzureKeyNeedsItsVault(t *testing.T) {
	err := planErr(core.Azure, core.Dev, func(a *DatabaseArgs) { a.Key.VaultID = pulumi.StringOutput{} })
	expectProblems(t, err, "key.vaultId")
}

// The application connects through the server's built-in PgBouncer, which
// Burstable sizes do not offer: there it connects to the server directly.
func TestAzurePoolerIsTheBuiltInPgBouncer(t *testing.T) {
	for _, tc := range []struct {
		size    string
		enabled bool
		port    int
	}{{"medium", true, PgBouncerPort}, {"xsmall", false, defaultPort}} {
		r := planDB(t, core.Azure, core.Dev, func(a *DatabaseArgs) { a.Settings.Size = tc.size })
		on := false
		for _, c := range testkit.OfType(r.Plan, azConfig) {
			on = on || (c.Inputs["configurationName"] == "pgbouncer.enabled" && c.Inputs["value"] == "true")
		}
		if on != tc.enabled || r.out.PoolerPort != tc.port || r.out.PoolerEndpoint != r.out.Endpoint {
			t.Errorf("%s: pgbouncer %v at %s:%d, want %v on port %d of the server", tc.size, on, r.out.PoolerEndpoint, r.out.PoolerPort, tc.enabled, tc.port)
		}
	}
}
