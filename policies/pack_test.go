package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/wedsync/wedsync-infra/policies/rules"
)

// TestPackOverTheWire builds the pack, starts it as the engine does (it
// prints its port on stdout), and talks to it with the analyzer client.
func TestPackOverTheWire(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the pack binary")
	}
	bin := filepath.Join(t.TempDir(), "pulumi-analyzer-policy-go")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "127.0.0.1:0") // the engine passes its own address
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the port: %v", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	client := pulumirpc.NewAnalyzerClient(conn)

	dir, _ := os.Getwd()
	if _, err := client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	if _, err := client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Stack: "prod", Project: "wedsync", Config: map[string]string{rules.KeyEnvironment: "prod"},
	}); err != nil {
		t.Fatalf("ConfigureStack: %v", err)
	}

	t.Run("analyzer_info_lists_every_policy_with_its_level", func(t *testing.T) {
		info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]pulumirpc.EnforcementLevel{}
		for _, p := range info.GetPolicies() {
			got[p.GetName()] = p.GetEnforcementLevel()
		}
		for _, p := range rules.Policies() {
			want := pulumirpc.EnforcementLevel_MANDATORY
			if p.LevelIn("prod") == rules.Advisory { // the stack is configured as prod
				want = pulumirpc.EnforcementLevel_ADVISORY
			}
			if level, ok := got[p.Name]; !ok || level != want {
				t.Errorf("policy %s: want %v, got %v (listed: %v)", p.Name, want, level, ok)
			}
		}
	})

	marshal := func(t *testing.T, m map[string]any) *pulumirpc.AnalyzerResource {
		props, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), plugin.MarshalOptions{KeepUnknowns: true})
		if err != nil {
			t.Fatal(err)
		}
		return &pulumirpc.AnalyzerResource{Properties: props}
	}

	t.Run("unencrypted_gcs_bucket_is_a_violation_over_the_wire", func(t *testing.T) {
		r := marshal(t, map[string]any{"name": "guest-photos", "location": "EU", "publicAccessPrevention": "enforced", "uniformBucketLevelAccess": true})
		resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
			Type: "gcp:storage/bucket:Bucket", Name: "photos", Urn: "urn:pulumi:prod::wedsync::gcp:storage/bucket:Bucket::photos",
			Properties: r.Properties, Options: &pulumirpc.AnalyzerResourceOptions{Protect: true},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiagnostic(resp, rules.PolicyEncryptionCMK, pulumirpc.EnforcementLevel_MANDATORY) {
			t.Errorf("want a mandatory %s diagnostic, got %v", rules.PolicyEncryptionCMK, resp.GetDiagnostics())
		}
	})

	t.Run("unknown_inputs_in_a_preview_are_not_judged", func(t *testing.T) {
		props, err := plugin.MarshalProperties(resource.PropertyMap{
			"storageEncrypted": resource.MakeComputed(resource.NewStringProperty("")),
			"kmsKeyId":         resource.MakeComputed(resource.NewStringProperty("")),
		}, plugin.MarshalOptions{KeepUnknowns: true})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
			Type: "aws:rds/instance:Instance", Name: "db", Urn: "urn:pulumi:prod::wedsync::aws:rds/instance:Instance::db", Properties: props,
		})
		if err != nil {
			t.Fatal(err)
		}
		if hasDiagnostic(resp, rules.PolicyEncryptionCMK, pulumirpc.EnforcementLevel_MANDATORY) {
			t.Errorf("an unknown kmsKeyId must not be a violation, got %v", resp.GetDiagnostics())
		}
	})

	t.Run("unencrypted_s3_bucket_is_a_violation_over_the_wire", func(t *testing.T) {
		bucket := marshal(t, map[string]any{"bucket": "guest-uploads"})
		bucket.Type, bucket.Name, bucket.Urn = "aws:s3/bucketV2:BucketV2", "uploads", "urn:pulumi:prod::wedsync::aws:s3/bucketV2:BucketV2::uploads"
		bucket.Options = &pulumirpc.AnalyzerResourceOptions{Protect: true}
		resp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{bucket}})
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiagnostic(resp, rules.PolicyS3Encryption, pulumirpc.EnforcementLevel_MANDATORY) {
			t.Errorf("want a mandatory %s diagnostic, got %v", rules.PolicyS3Encryption, resp.GetDiagnostics())
		}
	})

	t.Run("preview_references_resolve_through_property_dependencies", func(t *testing.T) {
		bucketURN := "urn:pulumi:prod::wedsync::aws:s3/bucketV2:BucketV2::uploads"
		bucket := marshal(t, map[string]any{"bucket": "guest-uploads"})
		bucket.Type, bucket.Name, bucket.Urn = "aws:s3/bucketV2:BucketV2", "uploads", bucketURN
		props, err := plugin.MarshalProperties(resource.PropertyMap{
			"bucket": resource.MakeComputed(resource.NewStringProperty("")),
			"rules": resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
				"applyServerSideEncryptionByDefault": resource.NewObjectProperty(resource.PropertyMap{
					"sseAlgorithm":   resource.NewStringProperty("aws:kms"),
					"kmsMasterKeyId": resource.MakeComputed(resource.NewStringProperty("")),
				}),
			})}),
		}, plugin.MarshalOptions{KeepUnknowns: true})
		if err != nil {
			t.Fatal(err)
		}
		sse := &pulumirpc.AnalyzerResource{
			Type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", Name: "uploads-sse",
			Urn:        "urn:pulumi:prod::wedsync::aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2::uploads-sse",
			Properties: props, PropertyDependencies: map[string]*pulumirpc.AnalyzerPropertyDependencies{"bucket": {Urns: []string{bucketURN}}},
		}
		resp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{bucket, sse}})
		if err != nil {
			t.Fatal(err)
		}
		if hasDiagnostic(resp, rules.PolicyS3Encryption, pulumirpc.EnforcementLevel_MANDATORY) {
			t.Errorf("the encryption configuration depends on the bucket: want no %s, got %v", rules.PolicyS3Encryption, resp.GetDiagnostics())
		}
	})

	// Last: it configures the pack. A stack policy's exemption given only
	// in the --policy-pack-config file (as `wedsync-infra policy config`
	// writes it: under every resource policy) holds once the engine has
	// validated a resource, as it does every resource before the stack.
	// The broken variant is the same stack before the file's config.
	t.Run("a_stack_policys_exemption_in_the_pack_config_file_holds", func(t *testing.T) {
		bucketURN := "urn:pulumi:prod::wedsync::aws:s3/bucketV2:BucketV2::uploads"
		bucket := marshal(t, map[string]any{"bucket": "guest-uploads"})
		bucket.Type, bucket.Name, bucket.Urn = "aws:s3/bucketV2:BucketV2", "uploads", bucketURN
		bucket.Options = &pulumirpc.AnalyzerResourceOptions{Protect: true}
		stack := func() *pulumirpc.AnalyzeResponse {
			resp, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{bucket}})
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		if !hasDiagnostic(stack(), rules.PolicyS3Encryption, pulumirpc.EnforcementLevel_MANDATORY) {
			t.Fatalf("before the config file: want %s on the bucket", rules.PolicyS3Encryption)
		}
		file, err := rules.PackConfigFile(rules.Config{Exemptions: []rules.Exemption{{URN: bucketURN, Policy: rules.PolicyS3Encryption, Reason: "a test"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: policyConfig(t, file)}); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		if _, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{Type: bucket.Type, Name: bucket.Name, Urn: bucketURN, Properties: bucket.Properties, Options: bucket.Options}); err != nil {
			t.Fatal(err)
		}
		if resp := stack(); hasDiagnostic(resp, rules.PolicyS3Encryption, pulumirpc.EnforcementLevel_MANDATORY) {
			t.Errorf("exempted in the pack's config file: want no %s, got %v", rules.PolicyS3Encryption, resp.GetDiagnostics())
		}
	})
}

// policyConfig is a --policy-pack-config file as the engine hands it to
// Configure.
func policyConfig(t *testing.T, file []byte) map[string]*pulumirpc.PolicyConfig {
	t.Helper()
	var entries map[string]map[string]any
	if err := json.Unmarshal(file, &entries); err != nil {
		t.Fatal(err)
	}
	out := map[string]*pulumirpc.PolicyConfig{}
	for name, props := range entries {
		st, err := structpb.NewStruct(props)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = &pulumirpc.PolicyConfig{EnforcementLevel: pulumirpc.EnforcementLevel_MANDATORY, Properties: st}
	}
	return out
}

func hasDiagnostic(resp *pulumirpc.AnalyzeResponse, policy string, level pulumirpc.EnforcementLevel) bool {
	for _, d := range resp.GetDiagnostics() {
		if d.GetPolicyName() == policy && d.GetEnforcementLevel() == level {
			return true
		}
	}
	return false
}
