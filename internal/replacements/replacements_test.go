package replacements

import (
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func TestEveryTypeTheStacksUseHasARow(t *testing.T) {
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	names, err := p.Stacks()
	if err != nil || len(names) == 0 {
		t.Fatalf("stacks %v, %v", names, err)
	}
	seen := map[string]bool{}
	for _, stack := range names {
		res, err := offline.Plan(p, stack, time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Plan.Resources {
			if !r.Custom || strings.HasPrefix(r.Type, "pulumi:") || seen[r.Type] {
				continue
			}
			seen[r.Type] = true
			if _, ok := Lookup(r.Type); !ok {
				t.Errorf("%s (stack %s) has no row: which of its inputs force a replacement?", r.Type, stack)
			}
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d types seen: are the plans read?", len(seen))
	}
	for typ, row := range Table {
		if !strings.HasPrefix(row.Doc, "https://") || row.Replace == nil || row.Source == "" {
			t.Errorf("%s: doc %q, replace %v, source %q: every row says where it was read", typ, row.Doc, row.Replace, row.Source)
		}
	}
}

func TestWhatTheProvidersReplace(t *testing.T) {
	for _, tc := range []struct {
		typ, prop string
		replaces  bool
	}{
		{"aws:rds/instance:Instance", "kmsKeyId", true},
		{"aws:rds/instance:Instance", "storageEncrypted", true},
		// ModifyDBInstance moves an instance to another subnet group
		// (DBSubnetGroupName) in place, and the provider does not force a
		// new instance for it: an update, not a replacement.
		// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
		{"aws:rds/instance:Instance", "dbSubnetGroupName", false},
		{"aws:rds/instance:Instance", "instanceClass", false},
		// Since provider v5 an RDS identifier renames in place
		// (ModifyDBInstance NewDBInstanceIdentifier).
		{"aws:rds/instance:Instance", "identifier", false},
		{"aws:rds/instance:Instance", "dbName", true},
		{"aws:rds/instance:Instance", "s3Import", true},
		{"aws:rds/instance:Instance", "backupRetentionPeriod", false},
		{"aws:s3/bucketV2:BucketV2", "bucket", true},
		{"aws:s3/bucketV2:BucketV2", "forceDestroy", false},
		{"aws:ec2/launchTemplate:LaunchTemplate", "imageId", false},
		{"aws:ec2/launchTemplate:LaunchTemplate", "name", true},
		{"aws:kms/key:Key", "multiRegion", true},
		{"aws:kms/key:Key", "policy", false},
		{"gcp:storage/bucket:Bucket", "location", true},
		{"gcp:storage/bucket:Bucket", "lifecycleRules", false},
		{"gcp:sql/databaseInstance:DatabaseInstance", "region", true},
		{"gcp:sql/databaseInstance:DatabaseInstance", "settings", false},
		{"gcp:compute/instanceTemplate:InstanceTemplate", "disks", true},
		{"gcp:compute/instanceTemplate:InstanceTemplate", "machineType", true},
		// The template's one update: its labels.
		{"gcp:compute/instanceTemplate:InstanceTemplate", "labels", false},
		{"gcp:storage/bucket:Bucket", "enableObjectRetention", true},
		{"gcp:compute/firewall:Firewall", "network", false},
		{"gcp:projects/iAMAuditConfig:IAMAuditConfig", "service", false},
		{"aws:sns/topicSubscription:TopicSubscription", "topic", true},
		{"aws:ec2/subnet:Subnet", "ipv6Native", true},
		{"gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager", "versions", false},
		{"azure-native:storage:StorageAccount", "accountName", true},
		{"azure-native:storage:StorageAccount", "sku", false},
		// Not create-only in the 2023-02-01 spec: the provider sends an
		// update (which ARM refuses), it does not replace the vault.
		{"azure-native:keyvault:Vault", "location", false},
		{"azure-native:keyvault:Vault", "vaultName", true},
		{"azure-native:storage:StorageAccount", "location", true},
		{"azure-native:keyvault:Vault", "properties", false},
		{"azure-native:dbforpostgresql/v20240801:Server", "serverName", true},
		{"azure-native:dbforpostgresql/v20240801:Server", "backup", false},
		{"azure-native:dbforpostgresql/v20240801:Server", "network", false},
		{"azure-native:dbforpostgresql/v20240801:Server", "administratorLogin", true},
		{"azure-native:dbforpostgresql/v20240801:Server", "location", true},
		{"azure-native:compute:VirtualMachineScaleSet", "virtualMachineProfile", false},
	} {
		got, known := Replaces(tc.typ, []string{tc.prop})
		if !known || (len(got) == 1 && got[0] == tc.prop) != tc.replaces {
			t.Errorf("%s %s: replaces %v (known %v), want replace=%v", tc.typ, tc.prop, got, known, tc.replaces)
		}
	}
	if _, known := Replaces("aws:nothing/thing:Thing", []string{"name"}); known {
		t.Error("a type the table does not list is known")
	}
}
