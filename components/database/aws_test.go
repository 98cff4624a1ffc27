package database

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

const (
	rdsInstance = "aws:rds/instance:Instance"
	rdsParams   = "aws:rds/parameterGroup:ParameterGroup"
	rdsBackups  = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	awsAlarm    = "aws:cloudwatch/metricAlarm:MetricAlarm"
)

func TestAWSProdDatabase(t *testing.T) {
	r := planDB(t, core.AWS, core.Prod, nil)
	db := primaryOf(t, r.Plan, rdsInstance)
	key := dataKey(core.AWS, core.Primary)

	t.Run("prod_database_is_encrypted_with_the_data_key", func(t *testing.T) {
		want(t, db, true, "storageEncrypted")
		want(t, db, key, "kmsKeyId")
		want(t, db, key, "performanceInsightsKmsKeyId")
		want(t, db, key, "masterUserSecretKmsKeyId")
		if r.out.KeyID != key {
			t.Errorf("KeyID output = %q, want %q", r.out.KeyID, key)
		}
	})
	t.Run("prod_database_is_not_public", func(t *testing.T) {
		want(t, db, false, "publiclyAccessible")
		want(t, db, r.in["databaseSecurityGroup"], "vpcSecurityGroupIds", "0")
	})
	t.Run("prod_database_refuses_connections_without_tls", func(t *testing.T) {
		pg := testkit.One(t, r.Plan, rdsParams)
		want(t, pg, "rds.force_ssl", "parameters", "0", "name")
		want(t, pg, "1", "parameters", "0", "value")
		want(t, pg, "postgres16", "family")
		want(t, db, pg.Inputs["name"], "parameterGroupName")
	})
	t.Run("prod_database_keeps_backups_35_days", func(t *testing.T) {
		want(t, db, 35, "backupRetentionPeriod")
		want(t, db, false, "deleteAutomatedBackups")
	})
	t.Run("the_logs_it_publishes_expire_and_use_the_data_key", func(t *testing.T) {
		groups := testkit.OfType(r.Plan, "aws:cloudwatch/logGroup:LogGroup")
		// The primary's and its read replica's.
		if len(groups) != 2*len(awsLogExports) {
			t.Fatalf("%d log groups, want one per export %v per instance", len(groups), awsLogExports)
		}
		for _, g := range groups {
			name, _ := testkit.Get(g, "name").(string)
			if !strings.HasPrefix(name, "/aws/rds/instance/wedsync-prod-main/") && !strings.HasPrefix(name, "/aws/rds/instance/wedsync-prod-main-read1/") {
				t.Errorf("log group %s is not where RDS publishes an instance's logs", name)
			}
			want(t, g, 90, "retentionInDays")
			want(t, g, key, "kmsKeyId")
		}
	})
	t.Run("prod_database_is_multi_az", func(t *testing.T) {
		want(t, db, true, "multiAz")
	})
	t.Run("prod_database_is_protected", func(t *testing.T) {
		if !db.Protect {
			t.Error("the instance is not protected")
		}
		want(t, db, true, "deletionProtection")
		want(t, db, false, "skipFinalSnapshot")
		want(t, db, "wedsync-prod-main-final", "finalSnapshotIdentifier")
	})
	t.Run("prod_backups_replicate_to_the_dr_region_under_the_dr_key", func(t *testing.T) {
		repl := testkit.One(t, r.Plan, rdsBackups)
		if repl.Provider != r.provider(t, "aws-dr") {
			t.Errorf("replication provider = %s, want the DR site's", repl.Provider)
		}
		want(t, repl, dataKey(core.AWS, core.DR), "kmsKeyId")
		want(t, repl, 35, "retentionPeriod")
		want(t, repl, "arn:aws:rds:eu-west-2:123456789012:db:wedsync-prod-main", "sourceDbInstanceArn")
		if !repl.Protect {
			t.Error("the replicated backups are not protected")
		}
	})
}

// The application connects through RDS Proxy: IAM tokens and TLS required,
// its one target the instance, signing in with a secret only it reads.
func TestAWSPoolerRequiresIAMAndTLS(t *testing.T) {
	r := planDB(t, core.AWS, core.Prod, nil)
	proxy := testkit.One(t, r.Plan, "aws:rds/proxy:Proxy")
	want(t, proxy, true, "requireTls")
	want(t, proxy, "REQUIRED", "auths", "0", "iamAuth")
	want(t, proxy, "POSTGRESQL", "engineFamily")
	target := testkit.One(t, r.Plan, "aws:rds/proxyTarget:ProxyTarget")
	want(t, target, primaryOf(t, r.Plan, rdsInstance).Inputs["identifier"], "dbInstanceIdentifier")
	secret, _ := plan.Lookup(proxy.Inputs, "auths", "0", "secretArn")
	if !strings.Contains(fmt.Sprint(secret), ":secret:rds-proxy/") {
		t.Errorf("proxy secret = %v, want one outside the application's secrets", secret)
	}
	if !strings.Contains(r.out.PoolerEndpoint, ".proxy-") || r.out.PoolerPort != defaultPort {
		t.Errorf("pooler = %s:%d, want the proxy's endpoint", r.out.PoolerEndpoint, r.out.PoolerPort)
	}
}

func TestAWSProdDatabaseSignInMonitoringAndOutputs(t *testing.T) {
	r := planDB(t, core.AWS, core.Prod, nil)
	db := primaryOf(t, r.Plan, rdsInstance)

	t.Run("prod_password_is_managed_by_rds", func(t *testing.T) {
		want(t, db, true, "manageMasterUserPassword")
		absent(t, db, "password")
		if r.out.CredentialsSecret == "" || r.out.CredentialsSecret[:26] != "arn:aws:secretsmanager:eu-" {
			t.Errorf("CredentialsSecret = %q, want the Secrets Manager ARN", r.out.CredentialsSecret)
		}
	})
	t.Run("prod_app_connects_with_iam_tokens_through_the_connect_policy", func(t *testing.T) {
		var doc struct {
			Statement []struct {
				Effect, Action string
				Resource       any
			}
		}
		if err := json.Unmarshal([]byte(r.out.ConnectPolicy), &doc); err != nil || len(doc.Statement) != 2 {
			t.Fatalf("ConnectPolicy = %q (%v), want the proxy's and the replicas' statements", r.out.ConnectPolicy, err)
		}
		st := doc.Statement[0]
		res, _ := st.Resource.(string)
		if st.Effect != "Allow" || st.Action != "rds-db:connect" ||
			!strings.HasPrefix(res, "arn:aws:rds-db:eu-west-2:123456789012:dbuser:prx-") || !strings.HasSuffix(res, "/"+AWSAppUser) {
			t.Errorf("connect statement = %+v, want rds-db:connect as %s on the proxy's resource id", st, AWSAppUser)
		}
		readers, _ := doc.Statement[1].Resource.([]any)
		if len(readers) != 1 || doc.Statement[1].Action != "rds-db:connect" ||
			!strings.Contains(readers[0].(string), ":dbuser:db-") || !strings.HasSuffix(readers[0].(string), "/"+AWSReadUser) {
			t.Errorf("read statement = %+v, want rds-db:connect as %s on each replica", doc.Statement[1], AWSReadUser)
		}
		if !slices.Equal(r.out.AppUsers, []string{AWSAppUser}) {
			t.Errorf("AppUsers = %v, want [%s]", r.out.AppUsers, AWSAppUser)
		}
	})
	t.Run("prod_database_uses_iam_auth_insights_and_enhanced_monitoring", func(t *testing.T) {
		want(t, db, true, "iamDatabaseAuthenticationEnabled")
		want(t, db, true, "performanceInsightsEnabled")
		want(t, db, 30, "monitoringInterval")
		if arn, _ := db.Inputs["monitoringRoleArn"].(string); arn == "" {
			t.Error("no enhanced monitoring role")
		}
	})
	t.Run("prod_database_lives_in_the_database_subnets_and_grows_its_storage", func(t *testing.T) {
		sg := testkit.One(t, r.Plan, "aws:rds/subnetGroup:SubnetGroup")
		want(t, sg, r.in["databaseSubnet"], "subnetIds", "0")
		want(t, db, sg.Inputs["name"], "dbSubnetGroupName")
		want(t, db, 100, "allocatedStorage")
		want(t, db, 1000, "maxAllocatedStorage")
		want(t, db, "db.m7g.xlarge", "instanceClass")
	})
	t.Run("prod_maintenance_avoids_wedding_days_and_backups", func(t *testing.T) {
		want(t, db, "tue:02:00-tue:02:59", "maintenanceWindow")
		want(t, db, "00:00-00:30", "backupWindow")
	})
	t.Run("prod_alarms_go_to_the_alert_target", func(t *testing.T) {
		alarms := testkit.OfType(r.Plan, awsAlarm)
		metrics := map[string]bool{}
		for _, a := range alarms {
			want(t, a, r.in["alerts"], "alarmActions", "0")
			if a.Inputs["namespace"] != "AWS/RDS" || strings.HasPrefix(a.Name, "main-read") {
				continue // the replicas' and the RDS events' (replicas_test.go)
			}
			metrics[a.Inputs["metricName"].(string)] = true
			want(t, a, "wedsync-prod-main", "dimensions", "DBInstanceIdentifier")
		}
		for _, m := range []string{"CPUUtilization", "DatabaseConnections"} {
			if !metrics[m] {
				t.Errorf("no alarm on %s", m)
			}
		}
		// A Multi-AZ standby has no replication slot: the old lag alarm
		// could never fire, and a fixed free-space threshold does not follow
		// autoscaled storage.
		for _, m := range []string{"OldestReplicationSlotLag", "FreeStorageSpace"} {
			if metrics[m] {
				t.Errorf("an alarm on %s is back", m)
			}
		}
	})
	t.Run("prod_outputs_name_the_endpoint", func(t *testing.T) {
		if r.out.Port != 5432 || r.out.DatabaseName != "wedsync" || r.out.Endpoint == "" {
			t.Errorf("outputs = %+v", r.out)
		}
		want(t, db, "wedsync", "dbName")
	})
}

func TestAWSDevDatabase(t *testing.T) {
	r := planDB(t, core.AWS, core.Dev, func(a *DatabaseArgs) { a.Alerts = nil })
	db := primaryOf(t, r.Plan, rdsInstance)
	t.Run("dev_database_has_no_ha", func(t *testing.T) { want(t, db, false, "multiAz") })
	t.Run("dev_database_is_still_encrypted_private_and_tls_only", func(t *testing.T) {
		want(t, db, true, "storageEncrypted")
		want(t, db, dataKey(core.AWS, core.Primary), "kmsKeyId")
		want(t, db, false, "publiclyAccessible")
		want(t, testkit.One(t, r.Plan, rdsParams), "1", "parameters", "0", "value")
	})
	t.Run("dev_database_keeps_backups_7_days_in_its_region_only", func(t *testing.T) {
		want(t, db, 7, "backupRetentionPeriod")
		if n := len(testkit.OfType(r.Plan, rdsBackups)); n != 0 {
			t.Errorf("%d cross-region backup replications, want none", n)
		}
	})
	t.Run("dev_database_is_small_and_not_pulumi_protected", func(t *testing.T) {
		want(t, db, "db.t4g.small", "instanceClass")
		if db.Protect {
			t.Error("dev instance is protected")
		}
		want(t, db, true, "deletionProtection")
	})
	t.Run("dev_database_without_alert_target_has_no_alarms", func(t *testing.T) {
		if n := len(testkit.OfType(r.Plan, awsAlarm)); n != 0 {
			t.Errorf("%d alarms, want none", n)
		}
	})
}

func TestAWSProdNeedsNoAdministrators(t *testing.T) {
	// The RDS-managed master password stays AWS's administrator.
	r := planDB(t, core.AWS, core.Prod, func(a *DatabaseArgs) { a.Settings.Administrators = nil })
	want(t, primaryOf(t, r.Plan, rdsInstance), adminLogin, "username")
}

func TestAWSRestore(t *testing.T) {
	t.Run("restore_from_snapshot_is_not_created_empty", func(t *testing.T) {
		r := planDB(t, core.AWS, core.Prod, func(a *DatabaseArgs) { a.Restore = &Restore{SnapshotID: "wedsync-prod-main-2026-06-13"} })
		db := primaryOf(t, r.Plan, rdsInstance)
		want(t, db, "wedsync-prod-main-2026-06-13", "snapshotIdentifier")
		absent(t, db, "dbName")
		absent(t, db, "restoreToPointInTime")
		want(t, db, dataKey(core.AWS, core.Primary), "kmsKeyId")
	})
	t.Run("geo_restore_reads_the_replicated_backups_at_the_latest_time", func(t *testing.T) {
		arn := "arn:aws:rds:eu-west-2:123456789012:auto-backup:ab-abcdefghijklmnopqrstuvwxyz"
		r := planDB(t, core.AWS, core.Prod, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: arn, PointInTime: core.LatestRestorableTime, GeoRestore: true}
		})
		db := primaryOf(t, r.Plan, rdsInstance)
		want(t, db, arn, "restoreToPointInTime", "sourceDbInstanceAutomatedBackupsArn")
		want(t, db, true, "restoreToPointInTime", "useLatestRestorableTime")
		absent(t, db, "snapshotIdentifier")
		absent(t, db, "dbName")
	})
	t.Run("point_in_time_restore_of_a_dbi_resource_id", func(t *testing.T) {
		r := planDB(t, core.AWS, core.Dev, func(a *DatabaseArgs) {
			a.Restore = &Restore{SourceID: "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", PointInTime: "2026-06-13T14:00:00Z"}
		})
		db := primaryOf(t, r.Plan, rdsInstance)
		want(t, db, "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "restoreToPointInTime", "sourceDbiResourceId")
		want(t, db, "2026-06-13T14:00:00Z", "restoreToPointInTime", "restoreTime")
	})
}
