package standin

import (
	"context"
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
