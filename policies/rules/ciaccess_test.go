package rules

// ciFixtures are CI identities as components/ciaccess makes them, one
// resource per type the rule judges, each compliant.
func ciFixtures() []fixture {
	const azureBuiltIn = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
	return []fixture{
		{typ: awsIAMPolicy, name: "ci-aws-deploy-1", inputs: obj("name", "wedsync-prod-ci-deploy-1", "policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:CreateBucket","s3:PutBucketPolicy"],"Resource":"arn:aws:s3:::wedsync-prod-*"},`+
				`{"Effect":"Allow","Action":["kms:CreateGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}`)},
		{typ: awsIAMRolePolicy, name: "ci-aws-deploy-guards", inputs: obj("role", "wedsync-prod-ci-deploy", "name", "guards", "policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject","kms:Decrypt"],"Resource":"*"}]}`)},
		{typ: awsIAMRolePolicy, name: "ci-aws-preview-stack-secrets", inputs: obj("role", "wedsync-prod-ci-preview", "name", "preview-stack-secrets", "policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"arn:aws:kms:*:*:key/*",`+
				`"Condition":{"ForAnyValue:StringEquals":{"kms:ResourceAliases":["alias/wedsync-state-prod"]}}}]}`)},
		{typ: awsIAMAttachment, name: "ci-aws-preview-viewonly", inputs: obj("role", "wedsync-prod-ci-preview", "policyArn",
			"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")},
		{typ: gcpProjectMember, name: "ci-gcp-deploy-role", inputs: obj("project", "wedsync-prod", "role", "projects/wedsync-prod/roles/wedsync_prod_ci_deploy",
			"member", "serviceAccount:wedsync-prod-ci-deploy@wedsync-prod.iam.gserviceaccount.com")},
		{typ: gcpCustomRole, name: "ci-gcp-deploy", inputs: obj("roleId", "wedsync_prod_ci_deploy", "permissions", arr("storage.buckets.create", "cloudkms.cryptoKeys.get"))},
		{typ: azRoleDefinition, name: "ci-azure-deploy", inputs: obj("roleName", "wedsync-prod-ci-deploy", "permissions",
			arr(obj("actions", arr("Microsoft.Storage/storageAccounts/read", "Microsoft.Storage/storageAccounts/write"))))},
		{typ: "wedsync:ciaccess:Access", name: "ci"},
		{typ: azRoleAssignment, name: "ci-azure-deploy-role", in: "ci", inputs: obj("principalId", "p", "scope", "/subscriptions/s/resourceGroups/wedsync-prod-uks",
			"roleDefinitionId", "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/0b1c2d3e-custom")},
		{typ: azRoleAssignment, name: "ci-azure-drill-exports", in: "ci", inputs: obj("principalId", "d", "scope", "/subscriptions/s/resourceGroups/wedsync-prod-uks",
			"roleDefinitionId", azureBuiltIn+"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")},
	}
}

// ciBreakings give a CI identity, on each cloud and each judged type, what
// the rule refuses.
var ciBreakings = []breaking{
	{"aws_ci_policy_reads_objects", "more", "ci-aws-deploy-1", "policy",
		`{"Statement":[{"Effect":"Allow","Action":["s3:Get*"],"Resource":"*"}]}`, PolicyCINoData, ""},
	{"aws_ci_policy_service_wildcard", "more", "ci-aws-deploy-1", "policy",
		`{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, PolicyCINoData, ""},
	{"aws_ci_unconditioned_grant", "more", "ci-aws-deploy-1", "policy",
		`{"Statement":[{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"*"}]}`, PolicyCINoData, ""},
	{"aws_ci_inline_decrypt", "more", "ci-aws-deploy-guards", "policy",
		`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`, PolicyCINoData, ""},
	{"aws_ci_secrets_of_every_key", "more", "ci-aws-preview-stack-secrets", "policy",
		`{"Statement":[{"Effect":"Allow","Action":["kms:Decrypt"],"Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:ResourceAliases":["alias/wedsync-state-*"]}}}]}`, PolicyCINoData, ""},
	{"aws_ci_power_user", "more", "ci-aws-preview-viewonly", "policyArn", "arn:aws:iam::aws:policy/PowerUserAccess", PolicyCINoData, ""},
	{"gcp_ci_storage_admin", "more", "ci-gcp-deploy-role", "role", "roles/storage.admin", PolicyCINoData, ""},
	{"gcp_ci_project_service_account_user", "more", "ci-gcp-deploy-role", "role", "roles/iam.serviceAccountUser", PolicyCINoData, ""},
	{"gcp_ci_role_grants_key_use", "more", "ci-gcp-deploy", "permissions", arr("cloudkms.cryptoKeys.setIamPolicy"), PolicyCINoData, ""},
	{"azure_ci_role_wildcard", "more", "ci-azure-deploy", "permissions", arr(obj("actions", arr("Microsoft.Storage/*"))), PolicyCINoData, ""},
	{"azure_ci_role_edits_federation", "more", "ci-azure-deploy", "permissions",
		arr(obj("actions", arr("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write"))), PolicyCINoData, ""},
	{"azure_ci_contributor", "more", "ci-azure-deploy-role", "roleDefinitionId",
		"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c", PolicyCINoData, ""},
}

func init() { breakings = append(breakings, ciBreakings...) }
