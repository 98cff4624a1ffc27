package standin

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const bucketURN = "urn:pulumi:dev::wedsync::wedsync:backupbucket:BackupBucket$aws:s3/bucketV2:BucketV2::backups"

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := encode(resource.NewPropertyMapFromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decode(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := unmarshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func configured(t *testing.T, pkg string, config map[string]any) *Provider {
	t.Helper()
	p := New(Packages[pkg], "")
	if _, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: props(t, config)}); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStandin(t *testing.T) {
	ctx := context.Background()

	t.Run("binary_name_picks_the_package_and_version", func(t *testing.T) {
		pkg, err := PackageOfBinary("/home/x/.pulumi/plugins/resource-azure-native-v2.92.0/pulumi-resource-azure-native")
		if err != nil || pkg.Name != "azure-native" || pkg.Version != "2.92.0" {
			t.Fatalf("got %+v, %v", pkg, err)
		}
		if _, err := PackageOfBinary("pulumi-resource-kubernetes"); err == nil {
			t.Fatal("a package the stand-in does not play was accepted")
		}
	})

	t.Run("plugin_info_says_it_is_a_stand_in", func(t *testing.T) {
		info, err := New(Packages["gcp"], "").GetPluginInfo(ctx, &emptypb.Empty{})
		if err != nil || info.GetVersion() != "7.38.0+standin" {
			t.Fatalf("got %v, %v", info, err)
		}
	})

	t.Run("check_refuses_another_package", func(t *testing.T) {
		resp, err := New(Packages["gcp"], "").Check(ctx, &pulumirpc.CheckRequest{Urn: bucketURN, News: props(t, map[string]any{"bucket": "b"})})
		if err != nil || len(resp.GetFailures()) != 1 {
			t.Fatalf("got %v, %v", resp, err)
		}
	})

	t.Run("check_refuses_what_the_clouds_refuse_and_names_the_limit", func(t *testing.T) {
		for _, tc := range []struct {
			pkg, urn, property string
			ok, bad            any
			rule               string
		}{
			{"aws", bucketURN, "bucket", "wedsync-dev-backups", strings.Repeat("b", 64), "s3-bucket-name"},
			{"aws", "urn:pulumi:dev::wedsync::aws:rds/instance:Instance::main", "identifier", "wedsync-dev-main", "wedsync-dev-main-", "rds-instance-identifier"},
			{"aws", "urn:pulumi:dev::wedsync::aws:iam/role:Role::app", "name", "wedsync-dev-app", strings.Repeat("r", 65), "iam-role-name"},
			{"aws", "urn:pulumi:dev::wedsync::aws:kms/key:Key::k", "deletionWindowInDays", 30, 31, "kms-deletion-window"},
			{"gcp", "urn:pulumi:p::wedsync::gcp:storage/bucket:Bucket::b", "name", "wedsync-prod-gcp-backups", "wedsync-google", "gcs-bucket-name"},
			{"gcp", "urn:pulumi:p::wedsync::gcp:compute/network:Network::n", "name", "wedsync-prod-gcp-euw2", "Wedsync_Net", "compute-name"},
			{"azure-native", "urn:pulumi:p::wedsync::azure-native:storage:StorageAccount::sa", "accountName", "wedsyncprodbk", "wedsync-prod-bk", "storage-account-name"},
			{"azure-native", "urn:pulumi:p::wedsync::azure-native:dbforpostgresql/v20240801:Server::main", "serverName", "wedsync-prod-main", "Wedsync", "postgresql-server-name"},
		} {
			p := New(Packages[tc.pkg], "")
			resp, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: tc.urn, News: props(t, map[string]any{tc.property: tc.ok})})
			if err != nil || len(resp.GetFailures()) != 0 {
				t.Errorf("%s %v refused: %v, %v", tc.urn, tc.ok, resp.GetFailures(), err)
			}
			resp, err = p.Check(ctx, &pulumirpc.CheckRequest{Urn: tc.urn, News: props(t, map[string]any{tc.property: tc.bad})})
			f := resp.GetFailures()
			if err != nil || len(f) != 1 || f[0].GetProperty() != tc.property || !strings.HasPrefix(f[0].GetReason(), tc.rule+":") || !strings.Contains(f[0].GetReason(), "https://") {
				t.Errorf("%s %v: failures %v, %v; want one naming %s and its documentation", tc.urn, tc.bad, f, err, tc.rule)
			}
		}
	})

	t.Run("check_judges_a_secret_by_its_value_and_counts_the_provider_default_tags", func(t *testing.T) {
		secret := resource.PropertyMap{"bucket": resource.MakeSecret(resource.NewStringProperty(strings.Repeat("s", 64)))}
		s, err := encode(secret)
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := New(Packages["aws"], "").Check(ctx, &pulumirpc.CheckRequest{Urn: bucketURN, News: s}); len(resp.GetFailures()) != 1 {
			t.Errorf("a secret 64-character bucket name passed: %v", resp)
		}
		defaults, own := map[string]any{}, map[string]any{}
		for i := 0; i < 30; i++ {
			defaults[fmt.Sprintf("d%d", i)] = "x"
			own[fmt.Sprintf("o%d", i)] = "y"
		}
		p := configured(t, "aws", map[string]any{"region": "eu-west-2", "defaultTags": map[string]any{"tags": defaults}})
		resp, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: bucketURN, News: props(t, map[string]any{"bucket": "b-ok", "tags": own})})
		if err != nil || len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "tags" {
			t.Errorf("30 own and 30 default tags: %v, %v; want the 50-tag limit", resp.GetFailures(), err)
		}
	})

	t.Run("create_derives_the_arn_in_the_provider_region", func(t *testing.T) {
		p := configured(t, "aws", map[string]any{"region": "eu-west-2"})
		resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: bucketURN, Properties: props(t, map[string]any{"bucket": "wedsync-dev-backups"})})
		if err != nil {
			t.Fatal(err)
		}
		out := decode(t, resp.GetProperties())
		if resp.GetId() != "wedsync-dev-backups" || out["arn"].StringValue() != "arn:aws:s3:::wedsync-dev-backups" {
			t.Fatalf("id %q, state %v", resp.GetId(), out)
		}
	})

	t.Run("preview_create_leaves_computed_attributes_unknown", func(t *testing.T) {
		p := configured(t, "aws", map[string]any{"region": "eu-west-2"})
		resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: bucketURN, Preview: true, Properties: props(t, map[string]any{"bucket": "b"})})
		if err != nil {
			t.Fatal(err)
		}
		out := decode(t, resp.GetProperties())
		if resp.GetId() != "" || !out["arn"].IsComputed() || out["bucket"].StringValue() != "b" {
			t.Fatalf("id %q, state %v", resp.GetId(), out)
		}
	})

	t.Run("diff_of_equal_inputs_is_none_even_with_secrets", func(t *testing.T) {
		in := resource.PropertyMap{
			"bucket": resource.NewStringProperty("b"),
			"tags":   resource.MakeSecret(resource.NewObjectProperty(resource.PropertyMap{"a": resource.NewStringProperty("1"), "b": resource.NewStringProperty("2")})),
		}
		s, err := encode(in)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := New(Packages["aws"], "").Diff(ctx, &pulumirpc.DiffRequest{Urn: bucketURN, Id: "b", OldInputs: s, News: s})
		if err != nil || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
			t.Fatalf("got %v, %v", resp, err)
		}
	})

	t.Run("diff_of_a_changed_setting_updates_in_place", func(t *testing.T) {
		resp, err := configured(t, "aws", map[string]any{"region": "eu-west-2"}).Diff(ctx, &pulumirpc.DiffRequest{
			Urn: bucketURN, Id: "b",
			OldInputs: props(t, map[string]any{"bucket": "b", "forceDestroy": false}),
			News:      props(t, map[string]any{"bucket": "b", "forceDestroy": true}),
		})
		if err != nil || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(resp.GetReplaces()) != 0 || strings.Join(resp.GetDiffs(), ",") != "forceDestroy" {
			t.Fatalf("got %v, %v", resp, err)
		}
	})

	t.Run("diff_of_a_new_name_replaces", func(t *testing.T) {
		resp, err := configured(t, "aws", map[string]any{"region": "eu-west-2"}).Diff(ctx, &pulumirpc.DiffRequest{
			Urn: bucketURN, Id: "b",
			OldInputs: props(t, map[string]any{"bucket": "b"}),
			News:      props(t, map[string]any{"bucket": "c"}),
		})
		if err != nil || strings.Join(resp.GetReplaces(), ",") != "bucket" {
			t.Fatalf("got %v, %v", resp, err)
		}
	})

	t.Run("diff_replaces_what_the_provider_cannot_change_in_place", func(t *testing.T) {
		const rds = "urn:pulumi:prod::wedsync::aws:rds/instance:Instance::main"
		const gcs = "urn:pulumi:prod::wedsync::gcp:storage/bucket:Bucket::b"
		for _, tc := range []struct {
			pkg, urn, prop string
			old, new       any
			replace        bool
		}{
			{"aws", rds, "kmsKeyId", "arn:aws:kms:eu-west-2:1:key/a", "arn:aws:kms:eu-west-2:1:key/b", true},
			{"aws", rds, "storageEncrypted", true, false, true},
			{"aws", rds, "dbSubnetGroupName", "main", "other", false}, // ModifyDBInstance moves it in place
			{"aws", rds, "instanceClass", "db.m7g.large", "db.m7g.xlarge", false},
			{"gcp", gcs, "location", "EUROPE-WEST2", "EU", true},
			{"gcp", gcs, "storageClass", "STANDARD", "NEARLINE", false},
			// A storage account's location is create-only (azure-native's
			// forceNewMap); a Key Vault's is not in its spec, so the provider
			// sends the update and ARM refuses the move.
			{"azure-native", "urn:pulumi:p::wedsync::azure-native:storage:StorageAccount::s", "location", "uksouth", "ukwest", true},
			{"azure-native", "urn:pulumi:p::wedsync::azure-native:keyvault:Vault::v", "location", "uksouth", "ukwest", false},
		} {
			old := map[string]any{"identifier": "wedsync-prod-main", "name": "b", tc.prop: tc.old}
			news := map[string]any{"identifier": "wedsync-prod-main", "name": "b", tc.prop: tc.new}
			resp, err := configured(t, tc.pkg, map[string]any{"region": "eu-west-2"}).Diff(ctx, &pulumirpc.DiffRequest{
				Urn: tc.urn, Id: "x", OldInputs: props(t, old), News: props(t, news),
			})
			if err != nil || (strings.Join(resp.GetReplaces(), ",") == tc.prop) != tc.replace || strings.Join(resp.GetDiffs(), ",") != tc.prop {
				t.Errorf("%s %s: %v, %v; want replace=%v", tc.urn, tc.prop, resp, err, tc.replace)
			}
		}
		if _, err := New(Packages["aws"], "").Diff(ctx, &pulumirpc.DiffRequest{
			Urn: "urn:pulumi:p::wedsync::aws:nothing/thing:Thing::t", Id: "x",
			OldInputs: props(t, map[string]any{"a": "1"}), News: props(t, map[string]any{"a": "2"}),
		}); err == nil {
			t.Error("a type without a replacement row was diffed")
		}
	})

	t.Run("an_import_reads_what_another_stack_created_from_the_pretend_cloud", func(t *testing.T) {
		cloud := t.TempDir()
		creator, importer := New(Packages["aws"], cloud), New(Packages["aws"], cloud)
		in := props(t, map[string]any{"bucket": "wedsync-prod-backup-media-replica-euw1", "objectLockEnabled": true})
		created, err := creator.Create(ctx, &pulumirpc.CreateRequest{Urn: bucketURN, Properties: in})
		if err != nil {
			t.Fatal(err)
		}
		read, err := importer.Read(ctx, &pulumirpc.ReadRequest{Urn: bucketURN, Id: created.GetId()})
		if err != nil || read.GetId() != created.GetId() || !decode(t, read.GetInputs()).DeepEquals(decode(t, in)) {
			t.Fatalf("got %v, %v", read, err)
		}
		if _, err := importer.Delete(ctx, &pulumirpc.DeleteRequest{Urn: bucketURN, Id: created.GetId()}); err != nil {
			t.Fatal(err)
		}
		gone, err := importer.Read(ctx, &pulumirpc.ReadRequest{Urn: bucketURN, Id: created.GetId()})
		if err != nil || gone.GetId() != "" {
			t.Fatalf("a deleted bucket was found: %v, %v", gone, err)
		}
	})

	t.Run("invoke_answers_from_the_plan_mocks_in_the_provider_region", func(t *testing.T) {
		p := configured(t, "aws", map[string]any{"region": "eu-west-1"})
		resp, err := p.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: "aws:index/getRegion:getRegion", Args: props(t, map[string]any{})})
		if err != nil || decode(t, resp.GetReturn())["name"].StringValue() != "eu-west-1" {
			t.Fatalf("got %v, %v", resp, err)
		}
		if _, err := p.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: "aws:index/getNothing:getNothing"}); err == nil {
			t.Fatal("an unknown data source was answered")
		}
	})
}
