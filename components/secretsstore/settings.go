package secretsstore

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Access is what a grant lets its principal do.
type Access string

// The access levels a grant can give. Secrets are only ever read through a
// grant: writing secret values is the deploy's job.
const (
	// Read reads the named secrets and decrypts with the named keys.
	Read Access = "read"
	// EncryptDecrypt reads the named secrets and encrypts and decrypts with
	// the named keys (the application's field-level encryption).
	EncryptDecrypt Access = "encryptDecrypt"
)

// Accesses lists every access level.
var Accesses = []Access{Read, EncryptDecrypt}

// Settings are the store's cloud-neutral knobs, under `wedsync:secrets` in
// stack config.
type Settings struct {
	// KeyRotationDays is how often every key rotates. Clouds limit it: AWS
	// 90 to 2560 days, GCP at most 90 here, Azure at least 7.
	KeyRotationDays int `json:"keyRotationDays,omitempty"`
	// DeletionWindowDays is how long a deleted key (AWS, GCP) or secret (AWS
	// recovery window, GCP version destroy delay) can still be recovered.
	DeletionWindowDays int `json:"deletionWindowDays,omitempty"`
	// VaultSoftDeleteDays (Azure) is how long a deleted vault, key or secret
	// stays recoverable.
	VaultSoftDeleteDays int `json:"vaultSoftDeleteDays,omitempty"`
	// PurgeProtection (Azure) forbids purging soft-deleted vaults, keys and
	// secrets before VaultSoftDeleteDays have passed, even by an admin.
	PurgeProtection *bool `json:"purgeProtection,omitempty"`
	// HSMKeys keeps key material in HSMs: GCP HSM protection level, Azure
	// premium vault with RSA-HSM keys (AWS KMS keys always are).
	HSMKeys *bool `json:"hsmKeys,omitempty"`
	// ReplicateToDR makes keys and secrets in the DR site too, when the
	// stack has one.
	ReplicateToDR *bool `json:"replicateToDR,omitempty"`
	// AuditLogs records every use of the keys and secrets.
	AuditLogs *bool `json:"auditLogs,omitempty"`
	// AuditRetentionDays is how long the audit records are kept (AWS
	// CloudTrail Lake, Azure Log Analytics; GCP keeps Data Access logs by its
	// log bucket's retention).
	AuditRetentionDays int `json:"auditRetentionDays,omitempty"`
	// Secrets are the secrets the application reads. Their values never come
	// from plain config (see SecretsStoreArgs.SecretValues).
	Secrets []Secret `json:"secrets,omitempty"`
	// Grants say who may read which secrets and use which keys.
	Grants []Grant `json:"grants,omitempty"`
}

// Secret is one secret the store holds.
type Secret struct {
	// Name is lowercase letters, digits and hyphens, e.g. "stripe-api-key".
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Rotation    *Rotation `json:"rotation,omitempty"`
}

// Rotation rotates a secret on a schedule. Only AWS Secrets Manager runs a
// rotation function; the other clouds refuse it rather than ignore it.
type Rotation struct {
	Days int `json:"days"`
	// Function is the ARN of the Lambda function that rotates the secret.
	Function string `json:"function"`
}

// Grant lets one principal read secrets and use keys.
type Grant struct {
	// Principal is the identity in the cloud's form: an IAM role or user ARN
	// (AWS), an IAM member like serviceAccount:app@P.iam.gserviceaccount.com
	// (GCP), or an Entra object id (Azure). Never a wildcard.
	Principal string `json:"principal"`
	// Secrets are names from Settings.Secrets the principal may read.
	Secrets []string `json:"secrets,omitempty"`
	// Keys are the key purposes the principal may use.
	Keys []core.KeyPurpose `json:"keys,omitempty"`
	// Access is read (default) or encryptDecrypt.
	Access Access `json:"access,omitempty"`
}

// Defaults by environment: prod keeps the longest recovery windows and the
// strongest key protection.
const (
	DefaultKeyRotationDays   = 90
	ProdDeletionWindowDays   = 30
	DevDeletionWindowDays    = 7
	ProdVaultSoftDeleteDays  = 90
	DevVaultSoftDeleteDays   = 7
	ProdAuditRetentionDays   = 365
	DevAuditRetentionDays    = 90
	minDeletionWindowDays    = 7
	maxDeletionWindowDays    = 30 // AWS KMS and Secrets Manager allow no longer
	minAuditRetentionDays    = 90
	maxAuditRetentionDays    = 730 // Log Analytics' interactive retention limit
	maxSecretRotationDays    = 365
	maxNeutralKeyRotationDay = 365
)

// ApplyDefaults fills every unset setting for env. It is the one place the
// store's defaults live.
func (s *Settings) ApplyDefaults(env core.Environment) {
	prod := env.IsProd()
	if s.KeyRotationDays == 0 {
		s.KeyRotationDays = DefaultKeyRotationDays
	}
	if s.DeletionWindowDays == 0 {
		s.DeletionWindowDays = pick(prod, ProdDeletionWindowDays, DevDeletionWindowDays)
	}
	if s.VaultSoftDeleteDays == 0 {
		s.VaultSoftDeleteDays = pick(prod, ProdVaultSoftDeleteDays, DevVaultSoftDeleteDays)
	}
	if s.AuditRetentionDays == 0 {
		s.AuditRetentionDays = pick(prod, ProdAuditRetentionDays, DevAuditRetentionDays)
	}
	for _, b := range []**bool{&s.PurgeProtection, &s.ReplicateToDR, &s.AuditLogs} {
		if *b == nil {
			*b = pulumi.BoolRef(true)
		}
	}
	if s.HSMKeys == nil {
		s.HSMKeys = pulumi.BoolRef(prod)
	}
	for i := range s.Grants {
		if s.Grants[i].Access == "" {
			s.Grants[i].Access = Read
		}
	}
}

var secretName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate returns every problem with s for env at once, each naming its
// field, the value and what is allowed. With a cloud (the primary's), it
// adds that cloud's limits: its key rotation range, whether it can run a
// secret rotation function, and the form of its principals; cloud == ""
// checks only what every cloud shares.
func (s Settings) Validate(env core.Environment, cloud core.Cloud) error {
	p := &core.Problems{}
	s.validateLimits(p, env)
	names := s.validateSecrets(p)
	s.validateGrants(p, names)
	if cloud != "" {
		s.validateFor(p, cloud)
	}
	return p.Err()
}

// validateLimits checks the windows, retentions and protections.
func (s Settings) validateLimits(p *core.Problems, env core.Environment) {
	prod := env.IsProd()
	if s.KeyRotationDays < 1 || s.KeyRotationDays > maxNeutralKeyRotationDay {
		p.Add("keyRotationDays", s.KeyRotationDays, "keys rotate at least yearly; set 1 to %d (90 suits every cloud)", maxNeutralKeyRotationDay)
	}
	switch {
	case s.DeletionWindowDays < minDeletionWindowDays || s.DeletionWindowDays > maxDeletionWindowDays:
		p.Add("deletionWindowDays", s.DeletionWindowDays, "set %d to %d days", minDeletionWindowDays, maxDeletionWindowDays)
	case prod && s.DeletionWindowDays < ProdDeletionWindowDays:
		p.Add("deletionWindowDays", s.DeletionWindowDays, "prod keeps deleted keys and secrets recoverable for %d days; set %d", ProdDeletionWindowDays, ProdDeletionWindowDays)
	}
	switch {
	case s.VaultSoftDeleteDays < 7 || s.VaultSoftDeleteDays > 90:
		p.Add("vaultSoftDeleteDays", s.VaultSoftDeleteDays, "set 7 to 90 days")
	case prod && s.VaultSoftDeleteDays < ProdVaultSoftDeleteDays:
		p.Add("vaultSoftDeleteDays", s.VaultSoftDeleteDays, "prod keeps deleted vault objects %d days; set %d", ProdVaultSoftDeleteDays, ProdVaultSoftDeleteDays)
	}
	switch {
	case s.AuditRetentionDays < minAuditRetentionDays || s.AuditRetentionDays > maxAuditRetentionDays:
		p.Add("auditRetentionDays", s.AuditRetentionDays, "set %d to %d days", minAuditRetentionDays, maxAuditRetentionDays)
	case prod && s.AuditRetentionDays < ProdAuditRetentionDays:
		p.Add("auditRetentionDays", s.AuditRetentionDays, "prod keeps key and secret audit records at least %d days; set %d or more", ProdAuditRetentionDays, ProdAuditRetentionDays)
	}
	for _, f := range []struct {
		name string
		v    *bool
		why  string
	}{
		{"purgeProtection", s.PurgeProtection, "a purged vault or key cannot be recovered and its data is lost"},
		{"hsmKeys", s.HSMKeys, "prod key material stays in HSMs"},
		{"replicateToDR", s.ReplicateToDR, "the DR site cannot decrypt its replicas without its own keys"},
		{"auditLogs", s.AuditLogs, "GDPR needs a record of who read guest data keys and secrets"},
	} {
		if f.v == nil {
			p.Missing(f.name, "true or false (ApplyDefaults sets it)")
		} else if prod && !*f.v {
			p.Add(f.name, f.v, "prod cannot turn this off: %s; remove the setting", f.why)
		}
	}
}

// validateSecrets checks each secret and returns the names in use.
func (s Settings) validateSecrets(p *core.Problems) map[string]bool {
	names := map[string]bool{}
	for i, sec := range s.Secrets {
		field := fmt.Sprintf("secrets[%d]", i)
		switch {
		case !secretName.MatchString(sec.Name):
			p.Add(field+".name", sec.Name, "use 1 to 63 lowercase letters, digits and hyphens, starting with a letter, e.g. stripe-api-key")
		case names[sec.Name]:
			p.Add(field+".name", sec.Name, "already used by another secret; names are unique")
		}
		names[sec.Name] = true
		if r := sec.Rotation; r != nil {
			if r.Days < 1 || r.Days > maxSecretRotationDays {
				p.Add(field+".rotation.days", r.Days, "set 1 to %d days", maxSecretRotationDays)
			}
			if r.Function == "" {
				p.Missing(field+".rotation.function", "the ARN of the Lambda function that rotates the secret (arn:aws:lambda:REGION:ACCOUNT:function:NAME)")
			} else if !lambdaARN.MatchString(r.Function) {
				p.Add(field+".rotation.function", r.Function, "not a Lambda function ARN; use arn:aws:lambda:REGION:ACCOUNT:function:NAME")
			}
		}
	}
	return names
}

// validateGrants checks each grant against the secrets named.
func (s Settings) validateGrants(p *core.Problems, names map[string]bool) {
	for i, g := range s.Grants {
		field := fmt.Sprintf("grants[%d]", i)
		switch {
		case strings.TrimSpace(g.Principal) == "":
			p.Missing(field+".principal", "the one identity the grant is for")
		case isWildcard(g.Principal):
			p.Add(field+".principal", g.Principal, "wildcard principals would give everyone access; name one role, service account or identity")
		}
		if !slices.Contains(Accesses, g.Access) {
			p.Add(field+".access", string(g.Access), "use %s", core.Join(Accesses))
		}
		if len(g.Secrets) == 0 && len(g.Keys) == 0 {
			p.Missing(field, "list the secrets and/or keys the principal may use")
		}
		for j, n := range g.Secrets {
			if !names[n] {
				p.Add(fmt.Sprintf("%s.secrets[%d]", field, j), n, "no such secret; grant one of the names under secrets")
			}
		}
		for j, k := range g.Keys {
			if !slices.Contains(core.KeyPurposes, k) {
				p.Add(fmt.Sprintf("%s.keys[%d]", field, j), string(k), "use %s", core.Join(core.KeyPurposes))
			}
		}
	}
}

var lambdaARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$`)

// wildcards are principals that stand for everyone (or every account) on
// some cloud.
var wildcards = []string{"allusers", "allauthenticatedusers", "everyone", "anonymous", "public"}

func isWildcard(principal string) bool {
	p := strings.ToLower(strings.TrimSpace(principal))
	return strings.Contains(p, "*") || slices.Contains(wildcards, p)
}

// keyRotationLimits are each cloud's allowed rotation periods, in days: AWS
// KMS allows 90 to 2560; GCP allows any period but we hold it to 90 (the
// issue's bound for Cloud KMS); Azure rotation policies start at 7 days.
var keyRotationLimits = map[core.Cloud][2]int{
	core.AWS:   {90, 2560},
	core.GCP:   {1, 90},
	core.Azure: {7, 365},
}

var (
	awsPrincipal   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$`)
	gcpPrincipal   = regexp.MustCompile(`^(serviceAccount|user|group):[^\s@]+@[^\s@]+$|^principal://\S+$`)
	azurePrincipal = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// validateFor checks the limits of cloud.
func (s Settings) validateFor(p *core.Problems, cloud core.Cloud) {
	if lim, ok := keyRotationLimits[cloud]; ok && (s.KeyRotationDays < lim[0] || s.KeyRotationDays > lim[1]) {
		p.Add("keyRotationDays", s.KeyRotationDays, "%s rotates keys every %d to %d days; set a period in that range (90 suits every cloud)", cloud.Title(), lim[0], lim[1])
	}
	for i, sec := range s.Secrets {
		if sec.Rotation != nil && cloud != core.AWS {
			p.Add(fmt.Sprintf("secrets[%d].rotation", i), sec.Name, "%s cannot run a rotation function for a secret; remove rotation (only AWS Secrets Manager rotates secrets)", cloud.Title())
		}
	}
	form := map[core.Cloud]struct {
		re      *regexp.Regexp
		example string
	}{
		core.AWS:   {awsPrincipal, "an IAM role or user ARN, arn:aws:iam::123456789012:role/wedsync-app"},
		core.GCP:   {gcpPrincipal, "an IAM member, serviceAccount:app@PROJECT.iam.gserviceaccount.com, user:, group: or principal://"},
		core.Azure: {azurePrincipal, "the Entra object id (UUID) of a managed identity, user or group"},
	}[cloud]
	for i, g := range s.Grants {
		if g.Principal != "" && !isWildcard(g.Principal) && form.re != nil && !form.re.MatchString(g.Principal) {
			p.Add(fmt.Sprintf("grants[%d].principal", i), g.Principal, "%s grants name %s", cloud.Title(), form.example)
		}
	}
}

// readersOf lists the principals that may read secret, sorted so policies
// and bindings do not churn.
func (s Settings) readersOf(secret string) []string {
	var out []string
	for _, g := range s.Grants {
		if slices.Contains(g.Secrets, secret) && !slices.Contains(out, g.Principal) {
			out = append(out, g.Principal)
		}
	}
	sort.Strings(out)
	return out
}

// keyUsers lists the principals granted access on the purpose's key, by
// access level.
func (s Settings) keyUsers(purpose core.KeyPurpose) map[Access][]string {
	out := map[Access][]string{}
	for _, g := range s.Grants {
		if slices.Contains(g.Keys, purpose) && !slices.Contains(out[g.Access], g.Principal) {
			out[g.Access] = append(out[g.Access], g.Principal)
		}
	}
	for a := range out {
		sort.Strings(out[a])
	}
	return out
}

// allSecretReaders lists every principal that reads at least one secret.
func (s Settings) allSecretReaders() []string {
	var out []string
	for _, sec := range s.Secrets {
		for _, p := range s.readersOf(sec.Name) {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}
