package core

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// KeyPurpose says what a customer-managed key encrypts. One key per purpose
// keeps the blast radius of a key compromise, and of a key grant, small.
type KeyPurpose string

// The purposes the secrets store makes keys for.
const (
	DataKey    KeyPurpose = "data"    // databases and instance disks
	BackupKey  KeyPurpose = "backup"  // backup buckets
	SecretsKey KeyPurpose = "secrets" // the secrets themselves
	FieldKey   KeyPurpose = "field"   // the application's field-level encryption of guest PII
)

// KeyPurposes lists every key purpose.
var KeyPurposes = []KeyPurpose{DataKey, BackupKey, SecretsKey, FieldKey}

// Key is a customer-managed key at one site, in the form the cloud's
// encryption settings expect. Components never fall back to a
// provider-managed key: a component that needs a key and gets nil fails
// validation.
type Key struct {
	Purpose KeyPurpose
	Region  string
	// ID is an AWS KMS key ARN, a GCP crypto key id
	// (projects/P/locations/L/keyRings/R/cryptoKeys/K) or an Azure Key Vault
	// key id (https://VAULT.vault.azure.net/keys/NAME, without version).
	ID pulumi.StringOutput
	// VaultID is the Azure Key Vault's resource id (Azure only), for role
	// assignments that let a service use the key.
	VaultID pulumi.StringOutput
	// VaultURI is the Azure Key Vault's URI (Azure only).
	VaultURI pulumi.StringOutput
	// Name is the key's name within its vault (Azure only).
	Name pulumi.StringOutput
}

// KeyID wraps a key id known before deploy (an existing key, named in
// config) as a Key.
func KeyID(purpose KeyPurpose, region, id string) *Key {
	return &Key{Purpose: purpose, Region: region, ID: pulumi.String(id).ToStringOutput()}
}
