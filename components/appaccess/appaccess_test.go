package appaccess

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Every missing input is reported at once, by field, before anything is
// registered; complete args have none.
func TestValidateReportsEveryMissingInput(t *testing.T) {
	key := &core.Key{ID: pulumi.String("k").ToStringOutput()}
	complete := AppAccessArgs{
		Deployment:   core.Deployment{Project: "wedsync", Stack: "prod", Primary: core.Site{Cloud: core.GCP, GCPProject: "p", Provider: &pulumi.ProviderResourceState{}}},
		Identity:     pulumi.String("app@p.iam.gserviceaccount.com").ToStringOutput(),
		SecretsStack: "prod", FieldKey: key, SecretsKey: key,
		ConfigScope: pulumi.String("projects/p/secrets/appconfig-wedsync-prod").ToStringOutput(),
	}
	if err := complete.validate(); err != nil {
		t.Fatalf("complete args: %v", err)
	}
	broken := complete
	broken.Identity, broken.SecretsStack, broken.FieldKey = pulumi.StringOutput{}, "org/wedsync/prod", nil
	broken.Deployment.Primary.GCPProject = ""
	err := broken.validate()
	if err == nil {
		t.Fatal("broken args validated")
	}
	for _, field := range []string{"identity", "secretsStack", "fieldKey", "deployment.primary.gcpProject"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("no problem on %s in %v", field, err)
		}
	}
	aws := complete
	aws.Deployment.Primary.Cloud = core.AWS
	if err := aws.validate(); err == nil || !strings.Contains(err.Error(), "connectPolicy") {
		t.Errorf("AWS without a connect policy: %v", err)
	}
}

// The AWS policy names one secret prefix, one key through Secrets Manager
// and the field key's actions, never a wildcard resource.
func TestAWSAccessPolicyIsScoped(t *testing.T) {
	doc, err := awsAccessPolicy("arn:aws:kms:eu-west-2:1:key/f", "arn:aws:kms:eu-west-2:1:key/s", "wedsync/prod/")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"arn:aws:secretsmanager:eu-west-2:1:secret:wedsync/prod/*"`, `"kms:ViaService":"secretsmanager.eu-west-2.amazonaws.com"`, `"Resource":"arn:aws:kms:eu-west-2:1:key/f"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("policy lacks %s: %s", want, doc)
		}
	}
	if strings.Contains(doc, `"Resource":"*"`) || strings.Contains(doc, `"kms:*"`) {
		t.Errorf("policy is broader than needed: %s", doc)
	}
	if _, err := awsAccessPolicy("not-an-arn", "s", "p/"); err == nil {
		t.Error("a field key that is not an ARN was accepted")
	}
}
