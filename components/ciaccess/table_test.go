package ciaccess

import (
	"encoding/json"
	"fmt"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/testkit"
)

// tableProblems is what is wrong with the three tables: a wildcard, an
// action that reads data or uses a key, a grant of key use that no
// condition narrows.
func tableProblems(aws map[string]awsRow, gcp map[string]gcpRow, azure map[string]azureRow) []string {
	var out []string
	for typ, row := range aws {
		for _, a := range row.Actions {
			switch {
			case strings.Contains(a, "*"):
				out = append(out, typ+": wildcard "+a)
			case slices.Contains(AWSDataReads, a):
				out = append(out, typ+": reads data "+a)
			case slices.Contains(AWSKeyGrants, a) && row.Condition == nil:
				out = append(out, typ+": grants key use to anyone "+a)
			}
		}
	}
	for typ, row := range gcp {
		for _, p := range row.Permissions {
			if strings.Contains(p, "*") || slices.Contains(GCPDataReads, p) || slices.Contains(GCPKeyGrants, p) {
				out = append(out, typ+": "+p)
			}
		}
	}
	for typ, row := range azure {
		for _, a := range row.Actions {
			if strings.Contains(a, "*") || slices.Contains(AzureDataReads, a) {
				out = append(out, typ+": "+a)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestNoRowGrantsAWildcardDataOrKeyUse(t *testing.T) {
	if p := tableProblems(awsTable, gcpTable, azureTable); len(p) > 0 {
		t.Errorf("the permission tables grant too much:\n%s", strings.Join(p, "\n"))
	}
	// Broken variants: each must be seen.
	for name, tc := range map[string]struct {
		edit func(aws map[string]awsRow, gcp map[string]gcpRow, azure map[string]azureRow)
		want string
	}{
		"s3_wildcard": {func(a map[string]awsRow, _ map[string]gcpRow, _ map[string]azureRow) {
			addAWS(a, "aws:s3/bucketV2:BucketV2", "s3:*")
		}, "s3:*"},
		"s3_objects": {func(a map[string]awsRow, _ map[string]gcpRow, _ map[string]azureRow) {
			addAWS(a, "aws:s3/bucketV2:BucketV2", "s3:GetObject")
		}, "s3:GetObject"},
		"unconditioned": {func(a map[string]awsRow, _ map[string]gcpRow, _ map[string]azureRow) {
			addAWS(a, "aws:kms/key:Key", "kms:CreateGrant")
		}, "kms:CreateGrant"},
		"gcp_objects": {func(_ map[string]awsRow, g map[string]gcpRow, _ map[string]azureRow) {
			addGCP(g, "storage.objects.get")
		}, "storage.objects.get"},
		"gcp_key_iam": {func(_ map[string]awsRow, g map[string]gcpRow, _ map[string]azureRow) {
			addGCP(g, "cloudkms.cryptoKeys.setIamPolicy")
		}, "setIamPolicy"},
		"azure_list_keys": {func(_ map[string]awsRow, _ map[string]gcpRow, z map[string]azureRow) {
			addAzure(z, "Microsoft.Storage/storageAccounts/listKeys/action")
		}, "listKeys"},
		"azure_own_federation": {func(_ map[string]awsRow, _ map[string]gcpRow, z map[string]azureRow) {
			addAzure(z, "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write")
		}, "federatedIdentityCredentials/write"},
	} {
		t.Run(name, func(t *testing.T) {
			a, g, z := maps.Clone(awsTable), maps.Clone(gcpTable), maps.Clone(azureTable)
			tc.edit(a, g, z)
			if p := strings.Join(tableProblems(a, g, z), "\n"); !strings.Contains(p, tc.want) {
				t.Errorf("%s not refused: %q", tc.want, p)
			}
		})
	}
}

func addAWS(t map[string]awsRow, typ, action string) {
	row := t[typ]
	row.Actions = append(slices.Clone(row.Actions), action)
	row.Condition = nil
	t[typ] = row
}

func addGCP(t map[string]gcpRow, perm string) {
	row := t["gcp:storage/bucket:Bucket"]
	row.Permissions = append(slices.Clone(row.Permissions), perm)
	t["gcp:storage/bucket:Bucket"] = row
}

func addAzure(t map[string]azureRow, action string) {
	row := t["azure-native:storage:StorageAccount"]
	row.Actions = append(slices.Clone(row.Actions), action)
	t["azure-native:storage:StorageAccount"] = row
}

// Every AWS row at once (more than any stack plans) still fits IAM's
// managed-policy size, split over documents; each action is kept.
func TestAWSGrantsFitIAMPolicySize(t *testing.T) {
	all := slices.Sorted(maps.Keys(awsTable))
	scope := awsScope{prefix: "wedsync-prod-", ci: "wedsync-prod-ci", regions: []string{"eu-west-2", "eu-west-1"}}
	docs := documents(scope.statements(awsRows(all)))
	var got []string
	for i, d := range docs {
		if n := len(d.String()); n > awsPolicyLimit {
			t.Errorf("document %d is %d characters, over IAM's %d", i+1, n, awsPolicyLimit)
		}
		for _, st := range d.Statement {
			got = append(got, st.Action...)
		}
	}
	slices.Sort(got)
	if want := Needed(core.AWS, all); !slices.Equal(slices.Compact(got), want) {
		t.Errorf("the documents hold %d actions, the rows %d", len(slices.Compact(got)), len(want))
	}
	// Broken variant: one statement far over the limit is split, not
	// kept whole.
	big := awsStatement{Effect: "Allow", Resource: "*"}
	for i := range 600 {
		big.Action = append(big.Action, fmt.Sprintf("ec2:Action%04d", i))
	}
	for _, d := range documents([]awsStatement{big}) {
		if len(d.String()) > awsPolicyLimit {
			t.Errorf("an oversized statement was not split: %d characters", len(d.String()))
		}
	}
}

// The deploy identity grants what the stack's managed types need, no more:
// a type the stack does not manage brings nothing, and one it does brings
// its row.
func TestDeployIdentityFollowsTheManagedTypes(t *testing.T) {
	grants := func(types ...string) []string {
		p := testkit.Plan(t, core.Prod, func(ctx *pulumi.Context) error {
			dep, err := testkit.Deployment(ctx, core.AWS, core.Prod)
			if err != nil {
				return err
			}
			_, err = NewAccess(ctx, "ci", &AccessArgs{Deployment: dep, Settings: Settings{Repository: repo}, Managed: Managed{Types: types}})
			return err
		})
		return AWSGranted(t, p)
	}
	bare := grants()
	if slices.Contains(bare, "rds:CreateDBInstance") || slices.Contains(bare, "sns:CreateTopic") {
		t.Errorf("a stack with no database or topic is granted their actions: %v", bare)
	}
	topics := grants("aws:sns/topic:Topic")
	if !slices.Contains(topics, "sns:CreateTopic") || slices.Contains(topics, "rds:CreateDBInstance") {
		t.Errorf("a stack with a topic is granted %v", topics)
	}
	if want := Needed(core.AWS, []string{"aws:sns/topic:Topic"}); !slices.Equal(topics, want) {
		t.Errorf("granted %v\nwant %v", topics, want)
	}
}

// AWSGranted is every action the AWS deploy policies of p allow.
func AWSGranted(t *testing.T, p *plan.Plan) []string {
	t.Helper()
	var out []string
	for _, r := range testkit.OfType(p, "aws:iam/policy:Policy") {
		if !strings.HasPrefix(r.Name, "ci-aws-deploy-") || r.Name == "ci-aws-deploy-boundary" {
			continue
		}
		var doc awsDocument
		if err := json.Unmarshal([]byte(str(t, r, "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		for _, st := range doc.Statement {
			if st.Effect == "Allow" {
				out = append(out, st.Action...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// The recorder sees the types registered before Managed, and none after.
func TestRecorderSeesWhatTheProgramRegisters(t *testing.T) {
	var got Managed
	testkit.Plan(t, core.Dev, func(ctx *pulumi.Context) error {
		rec := NewRecorder()
		if err := ctx.RegisterStackTransformation(rec.Record); err != nil {
			return err
		}
		if _, err := sns.NewTopic(ctx, "alerts", &sns.TopicArgs{}); err != nil {
			return err
		}
		got = rec.Managed()
		_, err := sns.NewTopicPolicy(ctx, "late", &sns.TopicPolicyArgs{Arn: pulumi.String("arn"), Policy: pulumi.String("{}")})
		return err
	})
	if !slices.Contains(got.Types, "aws:sns/topic:Topic") {
		t.Errorf("recorded %v, want the topic", got.Types)
	}
	if slices.Contains(got.Types, "aws:sns/topicPolicy:TopicPolicy") {
		t.Errorf("recorded %v: a type registered after Managed", got.Types)
	}
}

// The deploy identity acts as the service accounts resources run as, and
// never as one that only holds a credential (the offsite reader).
func TestRecorderSkipsCredentialOnlyAccounts(t *testing.T) {
	var got Managed
	testkit.Plan(t, core.Dev, func(ctx *pulumi.Context) error {
		rec := NewRecorder()
		if err := ctx.RegisterStackTransformation(rec.Record); err != nil {
			return err
		}
		for id, desc := range map[string]string{"runs-app": "the app runs as it", "reader": core.CredentialOnly + "an HMAC key"} {
			if _, err := serviceaccount.NewAccount(ctx, id, &serviceaccount.AccountArgs{AccountId: pulumi.String(id), Description: pulumi.String(desc)}); err != nil {
				return err
			}
		}
		got = rec.Managed()
		return nil
	})
	if len(got.GCPServiceAccounts) != 1 {
		t.Errorf("recorded %d service accounts to act as, want the app's only", len(got.GCPServiceAccounts))
	}
}

// A type with no row is named; every type of the tables is covered.
func TestUncoveredNamesTheType(t *testing.T) {
	if u := Uncovered([]string{"aws:sns/topic:Topic", "gcp:storage/bucket:Bucket", "wedsync:database:Database"}); len(u) != 0 {
		t.Errorf("uncovered %v", u)
	}
	if u := Uncovered([]string{"aws:lambda/function:Function", "azure-native:web:WebApp"}); !slices.Equal(u, []string{"aws:lambda/function:Function", "azure-native:web:WebApp"}) {
		t.Errorf("uncovered %v, want both", u)
	}
}

// The drill identity reads, and reads the database copies only: trusted
// from the drill environment, no write anywhere, objects of the db-exports
// buckets only, keys only through S3.
func TestDrillIdentityReadsOnlyTheDatabaseCopies(t *testing.T) {
	awsPlan := planAccess(t, core.AWS, core.Prod, Settings{Repository: repo})
	if sub := awsTrust(t, awsPlan, "drill").Statement[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]; sub != "repo:wedsync/wedsync-infra:environment:drill" {
		t.Errorf("drill role trusts %v", sub)
	}
	var doc awsDocument
	if err := json.Unmarshal([]byte(str(t, byName(t, awsPlan, "aws:iam/rolePolicy:RolePolicy", "ci-aws-drill-restore-reads"), "policy")), &doc); err != nil {
		t.Fatal(err)
	}
	for _, st := range doc.Statement {
		for _, a := range st.Action {
			if !strings.Contains(a, ":Get") && !strings.Contains(a, ":List") && a != "kms:Decrypt" {
				t.Errorf("the drill may %s", a)
			}
		}
		if res := fmt.Sprint(st.Resource); st.Sid == "ReadExports" && !strings.Contains(res, "arn:aws:s3:::wedsync-prod-backup-db-exports-*") {
			t.Errorf("the drill reads %s, not only the exports", res)
		}
		if st.Sid == "DecryptThroughS3" && st.Condition["StringEquals"] == nil {
			t.Errorf("the drill decrypts outside S3: %+v", st)
		}
	}
	gcpPlan := planAccess(t, core.GCP, core.Prod, Settings{Repository: repo})
	r := byName(t, gcpPlan, "gcp:projects/iAMMember:IAMMember", "ci-gcp-drill-exports")
	if expr := str(t, r, "condition.expression"); str(t, r, "role") != "roles/storage.objectViewer" ||
		expr != "resource.name.startsWith('projects/_/buckets/wedsync-prod-backup-db-exports-')" {
		t.Errorf("the GCP drill reads %s under %q", str(t, r, "role"), expr)
	}
	// Broken variant: previews off means no drill either.
	off := false
	if n := len(testkit.OfType(planAccess(t, core.GCP, core.Prod, Settings{Repository: repo, Preview: &off}), "gcp:serviceaccount/account:Account")); n != 1 {
		t.Errorf("%d accounts with previews off, want the deploy account only", n)
	}
}
