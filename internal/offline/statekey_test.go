package offline

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// Each CI-deployed stack's identities on the cloud of its stack file's
// secrets-provider key hold exactly their use of that key (deploy and drill
// encrypt and decrypt, preview and seal decrypt only), on no other key, and
// the identities on its other clouds hold none (issue 20: the grants are
// the program's, not an administrator's).
func TestCIIdentitiesUseExactlyTheirStacksStateKey(t *testing.T) {
	seen := map[core.Cloud]bool{}
	for _, stack := range shippedStacks(t) {
		res := planOf(t, stack)
		if res.Config.CI == nil {
			continue
		}
		key, err := ciaccess.ParseStateKey(res.Config.SecretsProvider)
		if err != nil || key.Cloud == "" {
			t.Fatalf("%s: secretsprovider %q: %v", stack, res.Config.SecretsProvider, err)
		}
		seen[key.Cloud] = true
		if d := setDiff(stateKeyGrants(res.Plan), wantStateKeyGrants(res.Plan, key)); d != "" {
			t.Errorf("%s: CI's use of the state key differs:\n%s", stack, d)
		}
	}
	if len(seen) != 3 {
		t.Errorf("state keys seen on %v, want every cloud's", seen)
	}
}

// The broken variants: each would give an identity more, less or another
// key than its use, and the check names it.
func TestStateKeyCheckSeesAWrongGrant(t *testing.T) {
	for _, tc := range []struct {
		stack, want string
		edit        func(p *plan.Plan)
	}{
		{"prod", "preview: decrypt,encrypt", func(p *plan.Plan) {
			r := find(p, "aws:iam/rolePolicy:RolePolicy", "ci-aws-preview-stack-secrets")
			r.Inputs["policy"] = strings.Replace(r.Inputs["policy"].(string), `"kms:Decrypt"`, `"kms:Decrypt","kms:Encrypt"`, 1)
		}},
		{"prod", "deploy: decrypt,encrypt@alias/wedsync-state-prod-dr", func(p *plan.Plan) {
			r := find(p, "aws:iam/rolePolicy:RolePolicy", "ci-aws-deploy-stack-secrets")
			r.Inputs["policy"] = strings.Replace(r.Inputs["policy"].(string), "alias/wedsync-state-prod", "alias/wedsync-state-prod-dr", 1)
		}},
		{"prod-gcp", "preview: decrypt,encrypt", func(p *plan.Plan) {
			find(p, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "ci-gcp-preview-state-key").Inputs["role"] = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
		}},
		{"prod-gcp", "secrets-prod-gcp-dr", func(p *plan.Plan) {
			r := find(p, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "ci-gcp-deploy-state-key")
			r.Inputs["cryptoKeyId"] = r.Inputs["cryptoKeyId"].(string) + "-dr"
		}},
		{"prod-gcp", "seal: decrypt@", func(p *plan.Plan) { drop(p, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "ci-gcp-seal-state-key") }},
		{"prod-azure", "seal: decrypt,encrypt", func(p *plan.Plan) {
			r := find(p, "azure-native:authorization:RoleAssignment", "ci-azure-seal-state-key")
			r.Inputs["roleDefinitionId"] = strings.Replace(r.Inputs["roleDefinitionId"].(string), "state-decrypt", "state-secrets", 1)
		}},
		{"prod-azure", "preview: decrypt,encrypt", func(p *plan.Plan) {
			perms := find(p, "azure-native:authorization:RoleDefinition", "ci-azure-state-decrypt").Inputs["permissions"].([]any)[0].(map[string]any)
			perms["dataActions"] = append(perms["dataActions"].([]any), "Microsoft.KeyVault/vaults/keys/encrypt/action")
		}},
	} {
		t.Run(tc.stack+"_"+tc.want, func(t *testing.T) {
			res := planOf(t, tc.stack)
			key, err := ciaccess.ParseStateKey(res.Config.SecretsProvider)
			if err != nil {
				t.Fatal(err)
			}
			broken := copyPlan(res.Plan)
			tc.edit(broken)
			if d := setDiff(stateKeyGrants(broken), wantStateKeyGrants(broken, key)); !strings.Contains(d, tc.want) {
				t.Errorf("not seen: %s\ndifference: %s", tc.want, d)
			}
		})
	}
}

var ciIdentity = map[string]*regexp.Regexp{
	"aws:iam/role:Role":                                 regexp.MustCompile(`^ci-aws-([a-z-]+)$`),
	"gcp:serviceaccount/account:Account":                regexp.MustCompile(`^ci-gcp-([a-z-]+)$`),
	"azure-native:managedidentity:UserAssignedIdentity": regexp.MustCompile(`^ci-azure-([a-z-]+)$`),
}

// keyGrant names, per type that grants key use, the CI identity it is for.
var keyGrant = map[string]*regexp.Regexp{
	"aws:iam/rolePolicy:RolePolicy":                 regexp.MustCompile(`^ci-aws-([a-z-]+)-stack-secrets$`),
	"azure-native:authorization:RoleAssignment":     regexp.MustCompile(`^ci-azure-([a-z-]+)-state-key$`),
	"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": regexp.MustCompile(`-ci-([a-z-]+)@`), // of the member
}

// wantStateKeyGrants is "kind: uses@key" for each CI identity on the key's
// cloud whose kind StateKeyEncrypts lists.
func wantStateKeyGrants(p *plan.Plan, key ciaccess.StateKey) []string {
	cloudType := map[core.Cloud]string{core.AWS: "aws:iam/role:Role", core.GCP: "gcp:serviceaccount/account:Account", core.Azure: "azure-native:managedidentity:UserAssignedIdentity"}[key.Cloud]
	id := map[core.Cloud]string{core.AWS: key.AWSAlias, core.GCP: key.GCPKey,
		core.Azure: fmt.Sprintf("resourceGroups/%s/providers/Microsoft.KeyVault/vaults/%s/keys/%s", key.AzureResourceGroup, key.AzureVault, key.AzureKey)}[key.Cloud]
	var out []string
	for _, r := range p.Resources {
		m := ciIdentity[r.Type]
		if r.Type != cloudType || !m.MatchString(r.Name) {
			continue
		}
		kind := m.FindStringSubmatch(r.Name)[1]
		if encrypts, ok := ciaccess.StateKeyEncrypts[kind]; ok {
			uses := "decrypt"
			if encrypts {
				uses = "decrypt,encrypt"
			}
			out = append(out, kind+": "+uses+"@"+id)
		}
	}
	return out
}

// stateKeyGrants is "kind: uses@key" for every grant of key use to a CI
// identity in the plan, on any cloud (uses: decrypt, encrypt).
func stateKeyGrants(p *plan.Plan) []string {
	roles := map[string][]string{} // Azure role definition resource name -> its Key Vault key data actions
	for _, r := range p.Resources {
		if r.Type != "azure-native:authorization:RoleDefinition" {
			continue
		}
		for _, perm := range r.Inputs["permissions"].([]any) {
			for _, a := range anyList(perm.(map[string]any)["dataActions"]) {
				if rest, ok := strings.CutPrefix(a, "Microsoft.KeyVault/vaults/keys/"); ok {
					roles[r.Name] = append(roles[r.Name], strings.TrimSuffix(rest, "/action"))
				}
			}
		}
	}
	var out []string
	for _, r := range p.Resources {
		m := keyGrant[r.Type]
		if m == nil {
			continue
		}
		owner := r.Name
		var uses []string
		var key string
		switch r.Type {
		case "aws:iam/rolePolicy:RolePolicy":
			uses, key = awsKeyUse(fmt.Sprint(r.Inputs["policy"]))
		case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
			owner = fmt.Sprint(r.Inputs["member"])
			uses = map[string][]string{ciaccess.GCPStateKeyRole[true]: {"decrypt", "encrypt"}, ciaccess.GCPStateKeyRole[false]: {"decrypt"}}[fmt.Sprint(r.Inputs["role"])]
			key = fmt.Sprint(r.Inputs["cryptoKeyId"])
		case "azure-native:authorization:RoleAssignment":
			def := fmt.Sprint(r.Inputs["roleDefinitionId"])
			uses = roles[def[strings.LastIndex(def, "/")+1:]]
			scope := fmt.Sprint(r.Inputs["scope"])
			key = scope[max(strings.Index(scope, "resourceGroups/"), 0):]
		}
		if !m.MatchString(owner) {
			continue
		}
		uses = slices.Clone(uses)
		slices.Sort(uses)
		out = append(out, m.FindStringSubmatch(owner)[1]+": "+strings.Join(uses, ",")+"@"+key)
	}
	return out
}

// awsKeyUse is the KMS actions an inline policy allows ("decrypt") and
// the key alias they are conditioned on.
func awsKeyUse(policy string) ([]string, string) {
	var doc struct {
		Statement []struct {
			Action    []string
			Condition map[string]map[string][]string
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil || len(doc.Statement) != 1 {
		return []string{"unreadable"}, policy
	}
	var uses []string
	for _, a := range doc.Statement[0].Action {
		uses = append(uses, strings.ToLower(strings.TrimPrefix(a, "kms:")))
	}
	return uses, strings.Join(doc.Statement[0].Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"], ",")
}

func anyList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}
