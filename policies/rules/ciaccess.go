package rules

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// PolicyCINoData: CI's deploy and preview identities hold nothing that
// reads guest data or backups, uses a key or grants key use (issue 23).
// The restore drill's identity is the one CI identity that reads the
// database copies, and only those (components/ciaccess drill.go): it is not
// judged here.
const PolicyCINoData = "ci-identities-read-no-data"

const (
	awsIAMPolicy      = "aws:iam/policy:Policy"
	awsIAMRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	awsIAMAttachment  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	gcpProjectMember  = "gcp:projects/iAMMember:IAMMember"
	gcpCustomRole     = "gcp:projects/iAMCustomRole:IAMCustomRole"
	azRoleDefinition  = "azure-native:authorization:RoleDefinition"
	azRoleAssignment  = "azure-native:authorization:RoleAssignment"
	ciComponentMarker = "wedsync:ciaccess:Access$"
)

// The pack's own lists of what a CI identity must not hold.
var (
	// ciAWSData are actions that read objects, secret values or databases,
	// restore backups, or use a key; an allowed pattern matching any of
	// them ("s3:Get*") is refused too.
	ciAWSData = []string{"s3:GetObject", "s3:GetObjectVersion", "s3:RestoreObject", "secretsmanager:GetSecretValue", "rds-db:connect",
		"backup:StartRestoreJob", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:CreateGrant"}
	ciAWSManaged = []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
		"SecretsManagerReadWrite", "AWSKeyManagementServicePowerUser", "IAMFullAccess"}
	ciGCPRoles = []string{"roles/owner", "roles/editor", "roles/viewer-with-data", "roles/storage.admin", "roles/storage.objectViewer",
		"roles/storage.objectAdmin", "roles/storage.legacyObjectReader", "roles/cloudkms.admin", "roles/cloudkms.cryptoKeyEncrypterDecrypter",
		"roles/cloudkms.cryptoKeyDecrypter", "roles/secretmanager.admin", "roles/secretmanager.secretAccessor", "roles/iam.serviceAccountAdmin",
		"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator", "roles/iam.securityAdmin", "roles/cloudsql.admin"}
	ciGCPPermissions = []string{"storage.objects.get", "storage.objects.list", "secretmanager.versions.access", "cloudkms.cryptoKeyVersions.useToDecrypt",
		"cloudkms.cryptoKeys.setIamPolicy", "cloudkms.keyRings.setIamPolicy", "storage.buckets.setIamPolicy", "secretmanager.secrets.setIamPolicy",
		"iam.serviceAccounts.setIamPolicy", "iam.serviceAccounts.getAccessToken", "iam.roles.update", "cloudsql.instances.connect"}
	ciAzureActions = []string{"Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts/ListAccountSas/action",
		"Microsoft.OperationalInsights/workspaces/sharedKeys/action", "Microsoft.AppConfiguration/configurationStores/ListKeys/action",
		"Microsoft.DataProtection/backupVaults/backupInstances/restore/action", "Microsoft.KeyVault/vaults/accessPolicies/write",
		"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", "Microsoft.Authorization/roleDefinitions/write",
		"Microsoft.Authorization/roleAssignments/write"}
	// Owner, Contributor, User Access Administrator, Storage Blob Data
	// Reader and Owner, Key Vault Crypto Officer and Administrator.
	ciAzureRoles = []string{"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
		"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
		"00482a5a-887f-4fb3-b363-3b7fe8e74483"}
)

func ciAccessPolicies() []*Policy {
	return []*Policy{{
		Name: PolicyCINoData,
		Description: "CI's deploy and preview identities read no guest data or backups and cannot give themselves access: no AWS allow of object reads, " +
			"secret values, database sign-in, restores, key use or unconditioned kms:CreateGrant, no wildcard action and no broad AWS managed policy; " +
			"no GCP role or custom-role permission that reads objects or secrets, uses keys, sets IAM on keys, buckets, secrets or service accounts, or acts as " +
			"every service account; no Azure custom role with a wildcard, a data action, key listing, restores or federated-credential writes, and no " +
			"Owner, Contributor or data role. Controls: CIS AWS Foundations 1.16 (no full administrative privileges), AWS FSBP IAM.1, IAM.21 and KMS.1, " +
			"CIS GCP 1.5 and 1.6 (no admin or service-account user at the project), CIS Azure 2.23 (no custom subscription administrator roles); " +
			"GDPR Art. 25(2) and Art. 32(1)(b) (access limited to what each purpose needs).",
		Level: Mandatory,
		Check: map[string]func(*Resource, *Env) []string{
			awsIAMPolicy: ciAWSPolicy, awsIAMRolePolicy: ciAWSRolePolicy, awsIAMAttachment: ciAWSAttachment,
			gcpProjectMember: ciGCPMember, gcpCustomRole: ciGCPCustomRole, azRoleDefinition: ciAzureRole, azRoleAssignment: ciAzureAssignment,
		},
	}}
}

// isCI: the resource belongs to a CI deploy or preview identity, by its
// physical name or (Azure role assignments, whose principal is computed)
// by the component that made it.
func isCI(name string) bool {
	return (strings.Contains(name, "-ci-deploy") || strings.Contains(name, "-ci-preview") ||
		strings.Contains(name, "_ci_deploy") || strings.Contains(name, "_ci_preview")) && !strings.HasSuffix(name, "-boundary")
}

func ciAWSPolicy(r *Resource, _ *Env) []string {
	name, _ := str(r.Props, "name")
	if !isCI(name) {
		return nil
	}
	doc, _ := str(r.Props, "policy")
	return ciAWSDocument(name, doc)
}

func ciAWSRolePolicy(r *Resource, _ *Env) []string {
	role, _ := str(r.Props, "role")
	if !isCI(role) {
		return nil
	}
	doc, _ := str(r.Props, "policy")
	return ciAWSDocument(role, doc)
}

func ciAWSAttachment(r *Resource, _ *Env) []string {
	role, _ := str(r.Props, "role")
	arn, _ := str(r.Props, "policyArn")
	if !isCI(role) || !strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") || !slices.Contains(ciAWSManaged, path.Base(arn)) {
		return nil
	}
	return []string{fmt.Sprintf("CI role %s holds the AWS managed policy %s; grant the actions its stack's types need instead (components/ciaccess)", role, arn)}
}

// ciAWSDocument judges the Allow statements of an IAM policy document.
func ciAWSDocument(owner, doc string) []string {
	var pol struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		return nil // unknown in a preview, or not a document: nothing to judge
	}
	var out []string
	for _, st := range pol.Statement {
		if st["Effect"] != "Allow" {
			continue
		}
		if stackSecretsOnly(st["Condition"]) {
			continue // the stack's own secrets-provider key, nothing else
		}
		for _, a := range anyStrings(st["Action"]) {
			out = append(out, ciAWSAction(owner, a, st["Condition"] != nil)...)
		}
	}
	return out
}

func ciAWSAction(owner, action string, conditioned bool) []string {
	if action == "*" || strings.HasSuffix(action, ":*") {
		return []string{fmt.Sprintf("CI identity %s is allowed %s; name the actions it needs", owner, action)}
	}
	for _, d := range ciAWSData {
		matched, _ := path.Match(strings.ToLower(action), strings.ToLower(d))
		if !matched || (d == "kms:CreateGrant" && conditioned) {
			continue
		}
		return []string{fmt.Sprintf("CI identity %s is allowed %s, which reads data or grants key use; take it out (the restore drill's identity alone reads the database copies)", owner, action)}
	}
	return nil
}

// stackSecretsOnly: the statement reaches only keys aliased as a stack's
// secrets-provider key (bootstrap/'s alias/wedsync-state-STACK), which the
// Pulumi CLI needs to decrypt the stack's config secrets.
func stackSecretsOnly(condition any) bool {
	c, _ := condition.(map[string]any)
	eq, _ := c["ForAnyValue:StringEquals"].(map[string]any)
	aliases := anyStrings(eq["kms:ResourceAliases"])
	if len(c) != 1 || len(eq) != 1 || len(aliases) == 0 {
		return false
	}
	for _, a := range aliases {
		if !strings.HasPrefix(a, "alias/wedsync-state-") || strings.ContainsAny(a, "*?") || a == "alias/wedsync-state-state" {
			return false
		}
	}
	return true
}

func anyStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func ciGCPMember(r *Resource, _ *Env) []string {
	member, _ := str(r.Props, "member")
	role, _ := str(r.Props, "role")
	if !isCI(strings.SplitN(member, "@", 2)[0]) {
		return nil
	}
	_, hasCondition := lookup(r.Props, "condition", "expression")
	if role == "roles/resourcemanager.projectIamAdmin" && hasCondition == known {
		return nil // limited by condition to the grantable roles (components/ciaccess)
	}
	if slices.Contains(ciGCPRoles, role) || role == "roles/resourcemanager.projectIamAdmin" {
		return []string{fmt.Sprintf("CI account %s holds %s on the project; grant a custom role of what its stack's types need, actAs only on the accounts it attaches", member, role)}
	}
	return nil
}

func ciGCPCustomRole(r *Resource, _ *Env) []string {
	id, _ := str(r.Props, "roleId")
	if !isCI(id) {
		return nil
	}
	perms, _ := stringList(r.Props, "permissions")
	var out []string
	for _, p := range perms {
		if strings.Contains(p, "*") || slices.Contains(ciGCPPermissions, p) {
			out = append(out, fmt.Sprintf("CI role %s holds %s, which reads data or grants access; take it out", id, p))
		}
	}
	return out
}

func ciAzureRole(r *Resource, _ *Env) []string {
	name, _ := str(r.Props, "roleName")
	if !isCI(name) {
		return nil
	}
	perms, _ := list(r.Props, "permissions")
	var out []string
	for _, p := range perms {
		actions, _ := stringList(p, "actions")
		for _, a := range actions {
			if strings.Contains(a, "*") || slices.ContainsFunc(ciAzureActions, func(x string) bool { return strings.EqualFold(x, a) }) {
				out = append(out, fmt.Sprintf("CI role %s holds %s; name the control-plane actions its stack's types need, none that hands out data or keys", name, a))
			}
		}
		if data, _ := stringList(p, "dataActions"); len(data) > 0 {
			out = append(out, fmt.Sprintf("CI role %s holds data actions %v; a deploy or preview identity reads no data", name, data))
		}
	}
	return out
}

func ciAzureAssignment(r *Resource, _ *Env) []string {
	if !strings.Contains(r.URN, ciComponentMarker) || !isCI("-ci-"+strings.TrimPrefix(r.Name, "ci-azure-")) {
		return nil
	}
	role, _ := str(r.Props, "roleDefinitionId")
	for _, broad := range ciAzureRoles {
		if strings.HasSuffix(strings.ToLower(role), broad) {
			return []string{fmt.Sprintf("CI identity's assignment %s gives the built-in role %s; assign the stack's custom role at its resource groups instead", r.Name, broad)}
		}
	}
	return nil
}
