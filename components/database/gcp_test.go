package database

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	sqlInstance  = "gcp:sql/databaseInstance:DatabaseInstance"
	gcpAlert     = "gcp:monitoring/alertPolicy:AlertPolicy"
	sqlDatabase  = "gcp:sql/database:Database"
	sqlUser      = "gcp:sql/user:User"
	gcpIAMMember = "gcp:projects/iAMMember:IAMMember"
)

// gcpUsers maps each planned Cloud SQL user's name to its type.
func gcpUsers(r result) map[string]string {
	users := map[string]string{}
	for _, u := range testkit.OfType(r.Plan, sqlUser) {
		users[u.Inputs["name"].(string)], _ = u.Inputs["type"].(string)
	}
	return users
}

// hasIAMFlag reports whether inst turns on Cloud SQL IAM sign-in.
func hasIAMFlag(inst plan.Resource) bool {
	flags, _ := plan.Lookup(inst.Inputs, "settings", "databaseFlags")
	list, _ := flags.([]any)
	for _, f := range list {
		if m, _ := f.(map[string]any); m["name"] == "cloudsql.iam_authentication" && m["value"] == "on" {
			return true
		}
	}
	return false
}

// gcpInstances splits the planned Cloud SQL instances into the primary and
// the DR replica (nil when there is none).
func gcpInstances(t *testing.T, r result) (primary plan.Resource, replica *plan.Resource) {
	t.Helper()
	for _, res := range testkit.OfType(r.Plan, sqlInstance) {
		if strings.HasPrefix(res.Name, "main-read") {
			continue // read replicas (replicas_test.go)
		}
		if _, isReplica := res.Inputs["masterInstanceName"]; isReplica {
			res := res
			replica = &res
		} else {
			primary = res
		}
	}
	if primary.Name == "" {
		t.Fatal("no primary Cloud SQL instance")
	}
	return primary, replica
}

func TestGCPProdDatabase(t *testing.T) {
	r := planDB(t, core.GCP, core.Prod, nil)
	db, replica := gcpInstances(t, r)
	key := dataKey(core.GCP, core.Primary)

	t.Run("prod_database_is_encrypted_with_the_data_key", func(t *testing.T) {
		want(t, db, key, "encryptionKeyName")
		if r.out.KeyID != key {
			t.Errorf("KeyID output = %q", r.out.KeyID)
		}
	})
	t.Run("prod_database_has_only_a_private_ip", func(t *testing.T) {
		want(t, db, false, "settings", "ipConfiguration", "ipv4Enabled")
		want(t, db, r.in["network"], "settings", "ipConfiguration", "privateNetwork")
		absent(t, db, "settings", "ipConfiguration", "authorizedNetworks")
	})
	t.Run("prod_database_refuses_connections_without_tls", func(t *testing.T) {
		want(t, db, "ENCRYPTED_ONLY", "settings", "ipConfiguration", "sslMode")
	})
	t.Run("prod_database_keeps_35_backups_with_pitr_in_the_dr_region", func(t *testing.T) {
		want(t, db, true, "settings", "backupConfiguration", "enabled")
		want(t, db, true, "settings", "backupConfiguration", "pointInTimeRecoveryEnabled")
		want(t, db, 7, "settings", "backupConfiguration", "transactionLogRetentionDays")
		want(t, db, 35, "settings", "backupConfiguration", "backupRetentionSettings", "retainedBackups")
		want(t, db, "COUNT", "settings", "backupConfiguration", "backupRetentionSettings", "retentionUnit")
		want(t, db, "europe-west1", "settings", "backupConfiguration", "location")
	})
	t.Run("prod_database_is_regional", func(t *testing.T) {
		want(t, db, "REGIONAL", "settings", "availabilityType")
	})
	t.Run("prod_database_is_protected", func(t *testing.T) {
		if !db.Protect {
			t.Error("the instance is not protected")
		}
		want(t, db, true, "deletionProtection")
		want(t, db, true, "settings", "deletionProtectionEnabled")
	})
	t.Run("prod_replica_in_the_dr_region_uses_the_dr_key", func(t *testing.T) {
		if replica == nil {
			t.Fatal("no DR replica")
		}
		if replica.Provider != r.provider(t, "gcp-dr") {
			t.Errorf("replica provider = %s, want the DR site's", replica.Provider)
		}
		want(t, *replica, "europe-west1", "region")
		want(t, *replica, dataKey(core.GCP, core.DR), "encryptionKeyName")
		want(t, *replica, db.Inputs["name"], "masterInstanceName")
		want(t, *replica, false, "settings", "ipConfiguration", "ipv4Enabled")
		want(t, *replica, "ENCRYPTED_ONLY", "settings", "ipConfiguration", "sslMode")
		if !replica.Protect {
			t.Error("the replica is not protected")
		}
	})
	t.Run("prod_maintenance_avoids_wedding_days_and_the_peak_weeks", func(t *testing.T) {
		want(t, db, 2, "settings", "maintenanceWindow", "day")
		want(t, db, 2, "settings", "maintenanceWindow", "hour")
		want(t, db, "06-15", "settings", "denyMaintenancePeriod", "startDate")
		want(t, db, "09-12", "settings", "denyMaintenancePeriod", "endDate")
	})
}

func TestGCPProdDatabaseSignIn(t *testing.T) {
	r := planDB(t, core.GCP, core.Prod, nil)
	db, replica := gcpInstances(t, r)

	t.Run("prod_database_has_no_password_and_signs_in_with_iam", func(t *testing.T) {
		if !hasIAMFlag(db) || !hasIAMFlag(*replica) {
			t.Error("cloudsql.iam_authentication is not on for the instance and its replica")
		}
		absent(t, db, "rootPassword")
		for _, res := range r.Resources {
			if strings.HasPrefix(res.Type, "gcp:secretmanager/") {
				t.Errorf("plan writes a secret (%s %s), want no credentials at all", res.Type, res.Name)
			}
		}
		if r.out.CredentialsSecret != "" {
			t.Errorf("CredentialsSecret = %q, want empty: there is no password", r.out.CredentialsSecret)
		}
	})
	t.Run("prod_administrators_and_app_are_iam_users", func(t *testing.T) {
		got := gcpUsers(r)
		wantUsers := map[string]string{
			"dba@wedsync.co.uk":            "CLOUD_IAM_GROUP",
			"wedsync-app@wedsync-prod.iam": "CLOUD_IAM_SERVICE_ACCOUNT",
		}
		if len(got) != len(wantUsers) {
			t.Errorf("users = %v, want %v", got, wantUsers)
		}
		for name, typ := range wantUsers {
			if got[name] != typ {
				t.Errorf("user %s has type %q, want %s", name, got[name], typ)
			}
		}
		for _, u := range testkit.OfType(r.Plan, sqlUser) {
			want(t, u, db.Inputs["name"], "instance")
			absent(t, u, "password")
		}
		if len(r.out.AppUsers) != 1 || r.out.AppUsers[0] != "wedsync-app@wedsync-prod.iam" {
			t.Errorf("AppUsers = %v", r.out.AppUsers)
		}
	})
	t.Run("prod_iam_sign_in_is_granted_on_this_database_only", func(t *testing.T) {
		granted := map[string]bool{}
		for _, m := range testkit.OfType(r.Plan, gcpIAMMember) {
			granted[m.Inputs["member"].(string)+" "+m.Inputs["role"].(string)] = true
			want(t, m, testkit.GCPProject, "project")
			expr, _ := plan.Lookup(m.Inputs, "condition", "expression")
			for _, inst := range []string{"instances/wedsync-prod-main'", "instances/wedsync-prod-main-euw1'"} {
				if s, _ := expr.(string); !strings.Contains(s, inst) {
					t.Errorf("condition %q does not name %s", s, inst)
				}
			}
		}
		for _, member := range []string{"group:dba@wedsync.co.uk", "serviceAccount:wedsync-app@wedsync-prod.iam.gserviceaccount.com"} {
			for _, role := range []string{"roles/cloudsql.instanceUser", "roles/cloudsql.client"} {
				if !granted[member+" "+role] {
					t.Errorf("%s lacks %s", member, role)
				}
			}
		}
		if len(granted) != 4 {
			t.Errorf("grants = %v, want 4", granted)
		}
	})
}

func TestGCPProdDatabaseAlarmsAndOutputs(t *testing.T) {
	r := planDB(t, core.GCP, core.Prod, nil)
	t.Run("prod_alarms_go_to_the_notification_channel", func(t *testing.T) {
		metrics := map[string]bool{}
		for _, a := range testkit.OfType(r.Plan, gcpAlert) {
			filter, _ := a.Inputs["conditions"].([]any)[0].(map[string]any)["conditionThreshold"].(map[string]any)["filter"].(string)
			for _, m := range []string{"cpu/utilization", "disk/utilization", "num_backends", "replica_lag"} {
				if strings.Contains(filter, m) {
					metrics[m] = true
				}
			}
			want(t, a, r.in["alerts"], "notificationChannels", "0")
		}
		if len(metrics) != 4 {
			t.Errorf("alerts on %v, want cpu, disk, connections and replica lag", metrics)
		}
	})
	t.Run("prod_outputs_are_the_private_ip_and_database", func(t *testing.T) {
		want(t, testkit.One(t, r.Plan, sqlDatabase), "wedsync", "name")
		if !strings.HasPrefix(r.out.Endpoint, "10.") || r.out.Port != 5432 || r.out.SourceID != "wedsync-prod-main" {
			t.Errorf("outputs = %+v", r.out)
		}
	})
}

func TestGCPDevDatabase(t *testing.T) {
	r := planDB(t, core.GCP, core.Dev, nil)
	db, replica := gcpInstances(t, r)
	t.Run("dev_database_has_no_ha", func(t *testing.T) { want(t, db, "ZONAL", "settings", "availabilityType") })
	t.Run("dev_database_is_still_encrypted_private_and_tls_only", func(t *testing.T) {
		want(t, db, dataKey(core.GCP, core.Primary), "encryptionKeyName")
		want(t, db, false, "settings", "ipConfiguration", "ipv4Enabled")
		want(t, db, "ENCRYPTED_ONLY", "settings", "ipConfiguration", "sslMode")
	})
	t.Run("dev_database_keeps_7_backups_in_its_region_without_replica", func(t *testing.T) {
		want(t, db, 7, "settings", "backupConfiguration", "backupRetentionSettings", "retainedBackups")
		want(t, db, true, "settings", "backupConfiguration", "pointInTimeRecoveryEnabled")
		absent(t, db, "settings", "backupConfiguration", "location")
		if replica != nil {
			t.Error("dev has a DR replica")
		}
		if db.Protect {
			t.Error("dev instance is pulumi-protected")
		}
	})
	t.Run("dev_database_signs_in_with_iam_too", func(t *testing.T) {
		if !hasIAMFlag(db) {
			t.Error("cloudsql.iam_authentication is not on")
		}
		absent(t, db, "rootPassword")
		if n := len(gcpUsers(r)); n != 2 {
			t.Errorf("%d IAM users, want 2", n)
		}
	})
}

func TestGCPDevMayHaveNoAdministrators(t *testing.T) {
	r := planDB(t, core.GCP, core.Dev, func(a *DatabaseArgs) { a.Settings.Administrators = nil })
	if got := gcpUsers(r); len(got) != 1 || got["wedsync-app@wedsync-prod.iam"] == "" {
		t.Errorf("users = %v, want the application's only", got)
	}
}

func TestGCPRestore(t *testing.T) {
	t.Run("restore_from_backup_run_is_not_created_empty", func(t *testing.T) {
		r := planDB(t, core.GCP, core.Prod, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: "wedsync-prod-main", SnapshotID: "1718000000000"}
		})
		db, _ := gcpInstances(t, r)
		want(t, db, 1718000000000, "restoreBackupContext", "backupRunId")
		want(t, db, "wedsync-prod-main", "restoreBackupContext", "instanceId")
		if n := len(testkit.OfType(r.Plan, sqlDatabase)); n != 0 {
			t.Errorf("restore creates %d empty databases", n)
		}
	})
	t.Run("restored_instance_keeps_its_users_and_is_granted_iam_sign_in", func(t *testing.T) {
		r := planDB(t, core.GCP, core.Prod, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: "wedsync-prod-main", SnapshotID: "1718000000000"}
		})
		// The administrators come with the restored instance; the
		// recovering stack's application identity is new to it.
		if got := gcpUsers(r); len(got) != 1 || got["wedsync-app@wedsync-prod.iam"] == "" {
			t.Errorf("restore creates users %v; want the application's only (the instance brings the rest)", got)
		}
		if n := len(testkit.OfType(r.Plan, gcpIAMMember)); n != 4 {
			t.Errorf("%d IAM grants, want 4", n)
		}
	})
	t.Run("point_in_time_restore_clones_the_source", func(t *testing.T) {
		r := planDB(t, core.GCP, core.Dev, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: "wedsync-prod-main", PointInTime: "2026-06-13T14:00:00Z"}
		})
		db, _ := gcpInstances(t, r)
		want(t, db, "wedsync-prod-main", "clone", "sourceInstanceName")
		want(t, db, "2026-06-13T14:00:00Z", "clone", "pointInTime")
	})
}
