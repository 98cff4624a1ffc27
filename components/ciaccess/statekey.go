package ciaccess

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// The stack's secrets-provider key (its "state key": the stack file's
// `secretsprovider:`, made by bootstrap/): the Pulumi CLI keeps the
// stack's data key encrypted under it (the stack file's `encryptedkey:`)
// and decrypts that data key once per run; config and state secrets are
// then encrypted and decrypted locally with it. So the cloud key is asked
// to encrypt only when a new data key is made (`pulumi stack init`, a new
// stack created by `wedsync-infra up`, `change-secrets-provider`), and to
// decrypt on every run that reads the stack (pulumi/pulumi
// pkg/secrets/cloud/manager.go: generateNewDataKey calls Encrypt,
// newCloudSecretsManager calls Decrypt; https://www.pulumi.com/docs/iac/concepts/secrets/#configuring-secrets-encryption).
// Hence, on exactly that key and nothing else:
//   - the deploy identity (and the drill's, which creates scratch stacks)
//     encrypts and decrypts;
//   - the preview identity (pull requests, the drift check) and the seal
//     identity, which only read the stack, decrypt.
//
// Per cloud: AWS kms:Encrypt/kms:Decrypt (gocloud.dev's awskms keeper
// calls nothing else, no GenerateDataKey); GCP roles/cloudkms.cryptoKeyEncrypterDecrypter
// or roles/cloudkms.cryptoKeyDecrypter on the CryptoKey
// (https://cloud.google.com/iam/docs/roles-permissions/cloudkms); Azure a
// role of the keys/encrypt/action and keys/decrypt/action data actions, or
// keys/decrypt/action alone, assigned at the key (Key Vault in RBAC mode
// takes assignments at one key:
// https://learn.microsoft.com/en-us/azure/key-vault/general/rbac-guide;
// no built-in role decrypts only, and Key Vault Crypto User also signs,
// wraps and backs keys up).

// StateKey is the key a stack file's `secretsprovider:` names.
type StateKey struct {
	// Cloud is the key's cloud; empty for a stack without a KMS provider
	// (the passphrase): its CI identities get no key grant.
	Cloud core.Cloud
	// AWSAlias is the key's alias ("alias/wedsync-state-prod").
	AWSAlias string
	// GCPKey is the CryptoKey's resource name
	// ("projects/P/locations/L/keyRings/R/cryptoKeys/K").
	GCPKey string
	// AzureVault and AzureKey name the Key Vault and the key in it;
	// AzureResourceGroup is the vault's (StateVaultResourceGroup).
	AzureVault, AzureKey, AzureResourceGroup string
}

// StateKeyEncrypts says, per CI identity, whether it encrypts with its
// stack's state key (true) or only decrypts (false); an identity not
// listed gets no use of it.
var StateKeyEncrypts = map[string]bool{"deploy": true, "drill": true, "preview": false, "seal": false, DBUsersKind: false}

var (
	gcpKeyName = regexp.MustCompile(`^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}$`)
	azureVault = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9])\.vault\.azure\.net$`)
	azureKey   = regexp.MustCompile(`^/keys/([a-zA-Z0-9-]{1,127})(/[0-9a-f]{32})?$`)
	awsAlias   = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
)

// ParseStateKey reads a stack file's `secretsprovider:` URL: awskms://alias/NAME?region=R,
// gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K or
// azurekeyvault://VAULT.vault.azure.net/keys/KEY, as bootstrap/ prints
// them. Empty or "passphrase" is no key; any other form is an error
// naming what is allowed.
func ParseStateKey(provider string) (StateKey, error) {
	if provider == "" || provider == "passphrase" || provider == "default" {
		return StateKey{}, nil
	}
	u, err := url.Parse(provider)
	if err != nil {
		return StateKey{}, fmt.Errorf("secretsprovider %q: %w", provider, err)
	}
	body := strings.TrimPrefix(u.Host+u.Path, "/")
	switch {
	case u.Scheme == "awskms" && awsAlias.MatchString(body):
		return StateKey{Cloud: core.AWS, AWSAlias: body}, nil
	case u.Scheme == "gcpkms" && gcpKeyName.MatchString(body):
		return StateKey{Cloud: core.GCP, GCPKey: body}, nil
	case u.Scheme == "azurekeyvault" && azureVault.MatchString(u.Host) && azureKey.MatchString(u.Path):
		vault := azureVault.FindStringSubmatch(u.Host)[1]
		rg, err := StateVaultResourceGroup(vault)
		if err != nil {
			return StateKey{}, fmt.Errorf("secretsprovider %q: %w", provider, err)
		}
		return StateKey{Cloud: core.Azure, AzureVault: vault, AzureKey: azureKey.FindStringSubmatch(u.Path)[1], AzureResourceGroup: rg}, nil
	}
	return StateKey{}, fmt.Errorf("secretsprovider %q: use the stack's key as bootstrap/ prints it: awskms://alias/wedsync-state-STACK?region=R, "+
		"gcpkms://projects/P/locations/L/keyRings/wedsync-state/cryptoKeys/secrets-STACK or azurekeyvault://VAULT.vault.azure.net/keys/secrets-STACK", provider)
}

// StateVaultResourceGroup is the resource group of the Key Vault bootstrap/
// makes: it names the vault wedsync-state-kv-SHORT and its resource group
// wedsync-state-SHORT (SHORT the backend region's core.ShortRegion);
// bootstrap's tests hold its names to this. The vault's URL names no
// resource group, and a role assignment at the key needs one.
func StateVaultResourceGroup(vault string) (string, error) {
	short, ok := strings.CutPrefix(vault, "wedsync-state-kv-")
	if !ok || short == "" {
		return "", fmt.Errorf("vault %s is not one bootstrap/ makes (wedsync-state-kv-REGION): its resource group is unknown", vault)
	}
	return "wedsync-state-" + short, nil
}

// AzureStateKeyDataActions are the Key Vault data actions of each use.
var AzureStateKeyDataActions = map[bool][]string{
	true:  {"Microsoft.KeyVault/vaults/keys/decrypt/action", "Microsoft.KeyVault/vaults/keys/encrypt/action"},
	false: {"Microsoft.KeyVault/vaults/keys/decrypt/action"},
}

// GCPStateKeyRole is the predefined role of each use (true: encrypts).
var GCPStateKeyRole = map[bool]string{true: "roles/cloudkms.cryptoKeyEncrypterDecrypter", false: "roles/cloudkms.cryptoKeyDecrypter"}

// AWSStateKeyActions are the KMS actions of each use.
var AWSStateKeyActions = map[bool][]string{true: {"kms:Decrypt", "kms:Encrypt"}, false: {"kms:Decrypt"}}

// awsStateKey lets the role of identity kind use the stack's state key
// (an inline policy "<kind>-stack-secrets"), when the key is on AWS.
func (b *builder) awsStateKey(kind string, role pulumi.StringInput) error {
	scope := b.awsScope()
	if scope.secrets == "" {
		return nil
	}
	_, err := iamRolePolicy(b, kind+"-stack-secrets", role, scope.stackSecrets(StateKeyEncrypts[kind]).String())
	return err
}

// gcpStateKey grants member of identity kind its use of the stack's state
// key, on the CryptoKey itself, when the key is on GCP.
func (b *builder) gcpStateKey(kind string, member pulumi.StringOutput) error {
	if b.state.Cloud != core.GCP {
		return nil
	}
	_, err := kms.NewCryptoKeyIAMMember(b.ctx, b.name+"-"+kind+"-state-key", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: pulumi.String(b.state.GCPKey),
		Role:        pulumi.String(GCPStateKeyRole[StateKeyEncrypts[kind]]),
		Member:      member,
	}, b.opts()...)
	return err
}

// azureStateKey assigns identity kind its use of the stack's state key, at
// the key, when the key is on Azure: a custom role of the data actions
// that use needs, defined once per use and assignable at the key only.
// The vault is in the stack's subscription (bootstrap/ runs there).
func (b *builder) azureStateKey(kind string, identity *managedidentity.UserAssignedIdentity, sub pulumi.StringOutput) error {
	if b.state.Cloud != core.Azure {
		return nil
	}
	encrypts := StateKeyEncrypts[kind]
	scope := pulumi.Sprintf("%s/resourceGroups/%s/providers/Microsoft.KeyVault/vaults/%s/keys/%s", sub, b.state.AzureResourceGroup, b.state.AzureVault, b.state.AzureKey)
	if b.azureStateRoles == nil {
		b.azureStateRoles = map[bool]*authorization.RoleDefinition{}
	}
	role, ok := b.azureStateRoles[encrypts]
	if !ok {
		label, what := "state-decrypt", "decrypts with"
		if encrypts {
			label, what = "state-secrets", "encrypts and decrypts with"
		}
		var err error
		role, err = authorization.NewRoleDefinition(b.ctx, b.name+"-"+label, &authorization.RoleDefinitionArgs{
			RoleName:         pulumi.String(b.dep.Name("ci", label)),
			Description:      pulumi.String("CI " + what + " " + b.dep.Stack + "'s secrets-provider key, and no other key"),
			RoleType:         pulumi.String("CustomRole"),
			Scope:            sub,
			AssignableScopes: pulumi.StringArray{scope},
			Permissions:      authorization.PermissionArray{authorization.PermissionArgs{DataActions: pulumi.ToStringArray(AzureStateKeyDataActions[encrypts])}},
		}, b.opts()...)
		if err != nil {
			return err
		}
		b.azureStateRoles[encrypts] = role
	}
	return b.azureAssign(kind+"-state-key", identity, scope, role.ID().ToStringOutput())
}
