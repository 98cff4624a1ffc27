package rules

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Encryption: every data store encrypted at rest with a customer-managed
// key, every key rotating, and TLS enforced in transit.
const (
	PolicyEncryptionCMK = "encryption-at-rest-cmk"
	PolicyS3Encryption  = "s3-bucket-encryption-cmk"
	PolicyKeyRotation   = "key-rotation"
	PolicyTLS           = "tls-in-transit"
	PolicyS3TLSOnly     = "s3-bucket-tls-only"
	PolicyRDSForceSSL   = "rds-force-ssl"
)

// maxGCPRotation is the longest rotation period allowed for Cloud KMS keys.
const maxGCPRotation = 90 * 24 * time.Hour

func encryptionPolicies() []*Policy {
	return []*Policy{
		{
			Name: PolicyEncryptionCMK,
			Description: "Data stores are encrypted at rest with a customer-managed key: RDS/Aurora (storageEncrypted + kmsKeyId), " +
				"launch template and EBS volumes (encrypted + kmsKeyId), Secrets Manager (kmsKeyId, replicas too), GCS (encryption.defaultKmsKeyName), " +
				"Cloud SQL (encryptionKeyName), Secret Manager (customerManagedEncryption), instance template disks (diskEncryptionKey), " +
				"Azure storage (keySource Microsoft.Keyvault), PostgreSQL flexible server (dataEncryption AzureKeyVault), VM scale sets (encryptionAtHost).",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{
				awsRDSInstance:      rdsEncrypted,
				awsRDSCluster:       rdsEncrypted,
				awsLaunchTemplate:   launchTemplateEncrypted,
				awsEBSVolume:        ebsVolumeEncrypted,
				awsSecret:           awsSecretEncrypted,
				gcpBucket:           gcsEncrypted,
				gcpSQLInstance:      cloudSQLEncrypted,
				gcpSecret:           gcpSecretEncrypted,
				gcpInstanceTemplate: instanceTemplateEncrypted,
				gcpRegionTemplate:   instanceTemplateEncrypted,
				gcpDisk:             gcpDiskEncrypted,
				azStorageAccount:    azureStorageEncrypted,
				azPGServer:          azurePGEncrypted,
				azVMSS:              vmssEncryptedAtHost,
			},
		},
		{
			Name: PolicyS3Encryption,
			Description: "Every S3 bucket has a server-side encryption configuration naming it, with sseAlgorithm aws:kms (or aws:kms:dsse) " +
				"and a kmsMasterKeyId; a bucket with no encryption configuration in the stack fails (S3's default is SSE-S3, an AWS-managed key).",
			Level:  Mandatory,
			Stack:  s3EncryptionStack,
			Judges: s3Buckets,
		},
		{
			Name: PolicyKeyRotation,
			Description: "Customer-managed keys rotate: AWS KMS symmetric keys with enableKeyRotation, Cloud KMS encryption keys with a rotationPeriod " +
				"of at most 90 days, Key Vault keys with a rotation policy that rotates.",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{
				awsKMSKey:     awsKeyRotates,
				gcpCryptoKey:  gcpKeyRotates,
				azKeyVaultKey: azureKeyRotates,
			},
		},
		{
			Name: PolicyTLS,
			Description: "TLS is enforced in transit: Cloud SQL sslMode ENCRYPTED_ONLY (or client certificates), Azure storage https-only with " +
				"minimumTlsVersion TLS1_2 or later, Azure PostgreSQL require_secure_transport on and ssl_min_protocol_version TLSv1.2 or later.",
			Level: Mandatory,
			Check: map[string]func(*Resource, *Env) []string{
				gcpSQLInstance:    cloudSQLTLS,
				azStorageAccount:  azureStorageTLS,
				azPGConfiguration: azurePGConfigurationTLS,
			},
		},
		{
			Name: PolicyS3TLSOnly,
			Description: "Every S3 bucket has a bucket policy naming it that denies requests where aws:SecureTransport is false, " +
				"so no client can read or write it over plain HTTP; a bucket with no bucket policy fails.",
			Level:  Mandatory,
			Stack:  s3TLSOnlyStack,
			Judges: s3Buckets,
		},
		{
			Name: PolicyRDSForceSSL,
			Description: "RDS and Aurora databases refuse unencrypted connections: the parameter group they use sets rds.force_ssl=1 (PostgreSQL) " +
				"or require_secure_transport=ON (MySQL/MariaDB). RDS for PostgreSQL 15 and later forces SSL by default.",
			Level:  Mandatory,
			Stack:  rdsForceSSLStack,
			Judges: []string{awsRDSInstance, awsRDSCluster},
		},
	}
}

func rdsEncrypted(r *Resource, _ *Env) []string {
	var out []string
	if enc, st := boolean(r.Props, "storageEncrypted"); st != unknown && !enc {
		out = append(out, fix("storage is not encrypted (storageEncrypted is not true)", "set storageEncrypted: true with kmsKeyId a customer-managed KMS key"))
	}
	if ok, st := set(r.Props, "kmsKeyId"); st == absent || (st == known && !ok) {
		out = append(out, fix("no kmsKeyId: storage would use the AWS-managed aws/rds key", "set kmsKeyId to a customer-managed KMS key ARN"))
	}
	return out
}

func launchTemplateEncrypted(r *Resource, _ *Env) []string {
	mappings, st := list(r.Props, "blockDeviceMappings")
	if st == unknown {
		return nil
	}
	var out []string
	ebsCount := 0
	for i, m := range mappings {
		if _, ebs := lookup(m, "ebs"); ebs == absent {
			continue
		}
		ebsCount++
		at := "blockDeviceMappings[" + strconv.Itoa(i) + "].ebs"
		if enc, st := boolean(m, "ebs", "encrypted"); st != unknown && !enc {
			out = append(out, fix("%s is not encrypted", "set %s.encrypted: \"true\" and %s.kmsKeyId to a customer-managed KMS key", at, at, at))
			continue
		}
		if ok, st := set(m, "ebs", "kmsKeyId"); st == absent || (st == known && !ok) {
			out = append(out, fix("%s has no kmsKeyId: the volume would use the AWS-managed aws/ebs key", "set %s.kmsKeyId to a customer-managed KMS key", at, at))
		}
	}
	if ebsCount == 0 {
		out = append(out, fix("no EBS block device mapping: the image's volumes would be created as its snapshots are, possibly unencrypted",
			"declare the root volume in blockDeviceMappings with ebs.encrypted \"true\" and ebs.kmsKeyId"))
	}
	return out
}

func ebsVolumeEncrypted(r *Resource, _ *Env) []string {
	var out []string
	if enc, st := boolean(r.Props, "encrypted"); st != unknown && !enc {
		out = append(out, fix("the volume is not encrypted", "set encrypted: true and kmsKeyId to a customer-managed KMS key"))
	} else if ok, st := set(r.Props, "kmsKeyId"); st == absent || (st == known && !ok) {
		out = append(out, fix("no kmsKeyId: the volume would use the AWS-managed aws/ebs key", "set kmsKeyId to a customer-managed KMS key"))
	}
	return out
}

func awsSecretEncrypted(r *Resource, _ *Env) []string {
	var out []string
	if ok, st := set(r.Props, "kmsKeyId"); st == absent || (st == known && !ok) {
		out = append(out, fix("no kmsKeyId: the secret would use the AWS-managed aws/secretsmanager key", "set kmsKeyId to a customer-managed KMS key"))
	}
	replicas, _ := list(r.Props, "replicas")
	for i, rep := range replicas {
		if ok, st := set(rep, "kmsKeyId"); st == absent || (st == known && !ok) {
			out = append(out, fix("replicas[%d] has no kmsKeyId: the replica would use the AWS-managed key of its region", "set replicas[%d].kmsKeyId to a customer-managed key in that region", i, i))
		}
	}
	return out
}

func gcsEncrypted(r *Resource, _ *Env) []string {
	if ok, st := set(r.Props, "encryption", "defaultKmsKeyName"); st == absent || (st == known && !ok) {
		return []string{fix("no encryption.defaultKmsKeyName: objects would use a Google-managed key", "set encryption.defaultKmsKeyName to a Cloud KMS key in the bucket's location")}
	}
	return nil
}

func cloudSQLEncrypted(r *Resource, _ *Env) []string {
	if ok, st := set(r.Props, "encryptionKeyName"); st == absent || (st == known && !ok) {
		return []string{fix("no encryptionKeyName: the instance would use a Google-managed key", "set encryptionKeyName to a Cloud KMS key in the instance's region (CMEK)")}
	}
	return nil
}

func gcpSecretEncrypted(r *Resource, _ *Env) []string {
	if _, st := lookup(r.Props, "replication"); st == unknown {
		return nil
	}
	if _, st := lookup(r.Props, "replication", "auto"); st != absent {
		if ok, st := set(r.Props, "replication", "auto", "customerManagedEncryption", "kmsKeyName"); st == absent || (st == known && !ok) {
			return []string{fix("replication.auto has no customerManagedEncryption.kmsKeyName: the secret would use a Google-managed key", "set replication.auto.customerManagedEncryption.kmsKeyName to a Cloud KMS key")}
		}
		return nil
	}
	replicas, st := list(r.Props, "replication", "userManaged", "replicas")
	if st == unknown {
		return nil
	}
	if len(replicas) == 0 {
		return []string{fix("no replication with a customer-managed key", "set replication.auto.customerManagedEncryption.kmsKeyName, or a kmsKeyName for each replication.userManaged replica")}
	}
	var out []string
	for i, rep := range replicas {
		if ok, st := set(rep, "customerManagedEncryption", "kmsKeyName"); st == absent || (st == known && !ok) {
			out = append(out, fix("replication.userManaged.replicas[%d] has no customerManagedEncryption.kmsKeyName", "set it to a Cloud KMS key in the replica's location", i))
		}
	}
	return out
}

func instanceTemplateEncrypted(r *Resource, _ *Env) []string {
	disks, st := list(r.Props, "disks")
	if st == unknown {
		return nil
	}
	var out []string
	for i, d := range disks {
		if t, _ := str(d, "type"); strings.EqualFold(t, "SCRATCH") {
			continue // local SSDs cannot take a customer-managed key
		}
		if ok, st := set(d, "diskEncryptionKey", "kmsKeySelfLink"); st == absent || (st == known && !ok) {
			out = append(out, fix("disks[%d] has no diskEncryptionKey.kmsKeySelfLink: the disk would use a Google-managed key", "set disks[%d].diskEncryptionKey.kmsKeySelfLink to a Cloud KMS key", i, i))
		}
	}
	return out
}

func gcpDiskEncrypted(r *Resource, _ *Env) []string {
	if ok, st := set(r.Props, "diskEncryptionKey", "kmsKeySelfLink"); st == absent || (st == known && !ok) {
		return []string{fix("no diskEncryptionKey.kmsKeySelfLink: the disk would use a Google-managed key", "set diskEncryptionKey.kmsKeySelfLink to a Cloud KMS key")}
	}
	return nil
}

func azureStorageEncrypted(r *Resource, _ *Env) []string {
	src, st := str(r.Props, "encryption", "keySource")
	if st == unknown {
		return nil
	}
	if !strings.EqualFold(src, "Microsoft.Keyvault") {
		return []string{fix("encryption.keySource is not Microsoft.Keyvault: the account would use a Microsoft-managed key", "set encryption.keySource Microsoft.Keyvault with keyVaultProperties.keyName and keyVaultUri")}
	}
	var out []string
	for _, k := range []string{"keyName", "keyVaultUri"} {
		if ok, st := set(r.Props, "encryption", "keyVaultProperties", k); st == absent || (st == known && !ok) {
			out = append(out, fix("encryption.keyVaultProperties.%s is not set", "name the Key Vault key that encrypts the account", k))
		}
	}
	return out
}

func azurePGEncrypted(r *Resource, _ *Env) []string {
	typ, st := str(r.Props, "dataEncryption", "type")
	if st == unknown {
		return nil
	}
	if !strings.EqualFold(typ, "AzureKeyVault") {
		return []string{fix("dataEncryption.type is not AzureKeyVault: the server would use a system-managed key", "set dataEncryption.type AzureKeyVault with primaryKeyURI and primaryUserAssignedIdentityId")}
	}
	if ok, st := set(r.Props, "dataEncryption", "primaryKeyURI"); st == absent || (st == known && !ok) {
		return []string{fix("dataEncryption.primaryKeyURI is not set", "set it to the Key Vault key's URI")}
	}
	return nil
}

func vmssEncryptedAtHost(r *Resource, _ *Env) []string {
	if on, st := boolean(r.Props, "virtualMachineProfile", "securityProfile", "encryptionAtHost"); st != unknown && !on {
		return []string{fix("virtualMachineProfile.securityProfile.encryptionAtHost is not true: temp disks and caches would be stored unencrypted on the host",
			"set virtualMachineProfile.securityProfile.encryptionAtHost: true")}
	}
	return nil
}

func awsKeyRotates(r *Resource, _ *Env) []string {
	for _, k := range []string{"customerMasterKeySpec", "keySpec"} {
		if spec, st := str(r.Props, k); st == unknown || (st == known && spec != "SYMMETRIC_DEFAULT") {
			return nil // asymmetric and HMAC keys cannot rotate automatically
		}
	}
	if ok, st := set(r.Props, "customKeyStoreId"); st == known && ok {
		return nil // keys in a custom key store cannot rotate automatically
	}
	if on, st := boolean(r.Props, "enableKeyRotation"); st != unknown && !on {
		return []string{fix("enableKeyRotation is not true", "set enableKeyRotation: true (AWS rotates yearly, or per rotationPeriodInDays)")}
	}
	return nil
}

func gcpKeyRotates(r *Resource, _ *Env) []string {
	if p, st := str(r.Props, "purpose"); st == unknown || (st == known && p != "ENCRYPT_DECRYPT") {
		return nil // only symmetric encryption keys rotate automatically
	}
	period, st := str(r.Props, "rotationPeriod")
	switch st {
	case unknown:
		return nil
	case absent:
		return []string{fix("no rotationPeriod: the key never rotates", "set rotationPeriod to at most 7776000s (90 days)")}
	}
	d, err := time.ParseDuration(period)
	if err != nil || d <= 0 || d > maxGCPRotation {
		return []string{fix("rotationPeriod %q is longer than 90 days", "set rotationPeriod to at most 7776000s", period)}
	}
	return nil
}

func azureKeyRotates(r *Resource, _ *Env) []string {
	actions, st := list(r.Props, "properties", "rotationPolicy", "lifetimeActions")
	if st == unknown {
		return nil
	}
	for _, a := range actions {
		t, st := str(a, "action", "type")
		if st == unknown || (st == known && strings.EqualFold(t, "rotate")) {
			return nil
		}
	}
	return []string{fix("properties.rotationPolicy has no lifetime action of type Rotate: the key never rotates",
		"add properties.rotationPolicy.lifetimeActions [{action: {type: Rotate}, trigger: {timeAfterCreate: P90D}}]")}
}

func cloudSQLTLS(r *Resource, _ *Env) []string {
	mode, st := str(r.Props, "settings", "ipConfiguration", "sslMode")
	if st == unknown {
		return nil
	}
	if mode == "ENCRYPTED_ONLY" || mode == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" {
		return nil
	}
	if st == absent {
		if req, st := boolean(r.Props, "settings", "ipConfiguration", "requireSsl"); st == unknown || req {
			return nil
		}
	}
	return []string{fix("settings.ipConfiguration.sslMode is not ENCRYPTED_ONLY: unencrypted connections are accepted", "set settings.ipConfiguration.sslMode ENCRYPTED_ONLY")}
}

func azureStorageTLS(r *Resource, _ *Env) []string {
	var out []string
	if https, st := boolean(r.Props, "enableHttpsTrafficOnly"); st == known && !https {
		out = append(out, fix("enableHttpsTrafficOnly is false: plain HTTP is accepted", "set enableHttpsTrafficOnly: true"))
	}
	if v, st := str(r.Props, "minimumTlsVersion"); st != unknown && v != "TLS1_2" && v != "TLS1_3" {
		out = append(out, fix("minimumTlsVersion is %q: older TLS versions are accepted (the API default is TLS1_0)", "set minimumTlsVersion TLS1_2", v))
	}
	return out
}

var pgTLSVersion = regexp.MustCompile(`(?i)^tlsv1(\.(\d))?$`)

func azurePGConfigurationTLS(r *Resource, _ *Env) []string {
	name, st := str(r.Props, "configurationName")
	if st != known {
		return nil
	}
	value, st := str(r.Props, "value")
	if st != known {
		return nil
	}
	switch lower(name) {
	case "require_secure_transport":
		if v := lower(value); v == "off" || v == "0" || v == "false" {
			return []string{fix("require_secure_transport is %q: unencrypted connections are accepted", "set it to ON (the server's default)", value)}
		}
	case "ssl_min_protocol_version":
		if m := pgTLSVersion.FindStringSubmatch(value); m != nil && (m[2] == "" || m[2] < "2") {
			return []string{fix("ssl_min_protocol_version is %q", "set it to TLSv1.2 or later", value)}
		}
	}
	return nil
}

// s3Companion judges each S3 bucket by the companion resources of types
// whose input "bucket" names it: a bucket passes if one companion passes,
// cannot be judged if any is unknown, and fails (with missing) if it has none.
func s3Companion(s *Stack, types []string, inline func(b *Resource) bool, judge func(c *Resource) (bool, state, string), missing string) []Finding {
	var out []Finding
	for _, b := range s.OfType(s3Buckets...) {
		if inline != nil && inline(b) {
			continue
		}
		found, undecided := s.companions(b, "bucket", types...)
		if len(found) == 0 {
			if !undecided {
				out = append(out, Finding{URN: b.URN, Message: "bucket " + b.displayName() + ": " + missing})
			}
			continue
		}
		var problem string
		passed := false
		for _, c := range found {
			ok, st, msg := judge(c)
			if st == unknown || ok {
				passed = true
				break
			}
			problem = msg
		}
		if !passed {
			out = append(out, Finding{URN: b.URN, Message: "bucket " + b.displayName() + ": " + problem})
		}
	}
	return out
}

// sseByKMS judges one S3 encryption rule object.
func sseByKMS(rule property.Map) (bool, state) {
	alg, st := str(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
	if st == unknown {
		return false, unknown
	}
	if alg != "aws:kms" && alg != "aws:kms:dsse" {
		return false, known
	}
	ok, st := set(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
	return ok, st
}

func s3EncryptionStack(s *Stack, _ *Env) []Finding {
	inline := func(b *Resource) bool {
		// The legacy Bucket's inline serverSideEncryptionConfiguration.rule,
		// and BucketV2's deprecated serverSideEncryptionConfigurations[].rules[].
		if ok, st := sseByKMSValue(b.Props, "serverSideEncryptionConfiguration", "rule"); ok || st == unknown {
			return true
		}
		configs, _ := list(b.Props, "serverSideEncryptionConfigurations")
		for _, c := range configs {
			rules, _ := list(c, "rules")
			for _, rule := range rules {
				if ok, st := sseByKMS(rule); ok || st == unknown {
					return true
				}
			}
		}
		return false
	}
	judge := func(c *Resource) (bool, state, string) {
		rules, st := list(c.Props, "rules")
		if st == unknown {
			return false, unknown, ""
		}
		for _, rule := range rules {
			if ok, st := sseByKMS(rule); ok || st == unknown {
				return true, st, ""
			}
		}
		return false, known, fix("its encryption configuration does not use a customer-managed KMS key",
			"set rules[0].applyServerSideEncryptionByDefault {sseAlgorithm: aws:kms, kmsMasterKeyId: <key ARN>}")
	}
	return s3Companion(s, []string{awsS3SSEConfigV2, awsS3SSEConfig}, inline, judge,
		fix("no server-side encryption configuration names this bucket (S3 would use SSE-S3, an AWS-managed key)",
			"add an aws.s3.BucketServerSideEncryptionConfigurationV2 with sseAlgorithm aws:kms and kmsMasterKeyId"))
}

func sseByKMSValue(m property.Map, path ...string) (bool, state) {
	v, st := lookup(m, path...)
	if st != known || !v.IsMap() {
		return false, st
	}
	return sseByKMS(v.AsMap())
}

func s3TLSOnlyStack(s *Stack, _ *Env) []Finding {
	inline := func(b *Resource) bool {
		doc, st := str(b.Props, "policy")
		return st == unknown || (st == known && deniesInsecureTransport(doc))
	}
	judge := func(c *Resource) (bool, state, string) {
		doc, st := str(c.Props, "policy")
		if st == unknown {
			return false, unknown, ""
		}
		if deniesInsecureTransport(doc) {
			return true, known, ""
		}
		return false, known, fix("its bucket policy does not deny requests over plain HTTP",
			"add a statement {Effect: Deny, Principal: \"*\", Action: \"s3:*\", Condition: {Bool: {\"aws:SecureTransport\": \"false\"}}}")
	}
	return s3Companion(s, []string{awsS3Policy}, inline, judge,
		fix("no bucket policy names this bucket, so requests over plain HTTP are allowed",
			"add an aws.s3.BucketPolicy denying s3:* when aws:SecureTransport is false"))
}

// deniesInsecureTransport reports whether an IAM policy document has a Deny
// statement conditioned on aws:SecureTransport being false.
func deniesInsecureTransport(doc string) bool {
	var policy struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &policy) != nil {
		return false
	}
	var statements []map[string]any
	if json.Unmarshal(policy.Statement, &statements) != nil {
		var one map[string]any
		if json.Unmarshal(policy.Statement, &one) != nil {
			return false
		}
		statements = []map[string]any{one}
	}
	for _, st := range statements {
		if effect, _ := st["Effect"].(string); effect != "Deny" {
			continue
		}
		cond, _ := st["Condition"].(map[string]any)
		for op, body := range cond {
			if op != "Bool" && op != "BoolIfExists" {
				continue
			}
			kv, _ := body.(map[string]any)
			for k, v := range kv {
				if strings.EqualFold(k, defaultAWSS3TLSPolicy) && strings.EqualFold(strings.Trim(jsonString(v), " "), "false") {
					return true
				}
			}
		}
	}
	return false
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case []any:
		if len(x) == 1 {
			return jsonString(x[0])
		}
	}
	return ""
}

// rdsForceSSLStack judges each RDS instance and Aurora cluster by the
// parameter group it names.
func rdsForceSSLStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	judge := func(db *Resource, groupProp string, groupTypes []string, aurora bool) {
		engine, st := str(db.Props, "engine")
		if st != known {
			return
		}
		param, want := sslParameter(engine)
		if param == "" {
			return // engines without a TLS parameter (Oracle, SQL Server) are out of scope
		}
		version, _ := str(db.Props, "engineVersion")
		defaultOn := !aurora && strings.Contains(engine, "postgres") && majorVersion(version) >= 15
		groupName, st := str(db.Props, groupProp)
		if st == unknown {
			return
		}
		if st == absent || strings.HasPrefix(groupName, "default.") {
			if !defaultOn {
				out = append(out, Finding{URN: db.URN, Message: fix("%s uses the default parameter group, which does not force SSL",
					"set %s to a parameter group with %s=%s", db.displayName(), groupProp, param, want)})
			}
			return
		}
		var group *Resource
		for _, g := range s.OfType(groupTypes...) {
			if t := db.refers(groupProp, g); t == yes {
				group = g
				break
			} else if t == maybe {
				return
			}
		}
		if group == nil {
			return // a group managed outside this stack cannot be judged here
		}
		params, st := list(group.Props, "parameters")
		if st == unknown {
			return
		}
		for _, p := range params {
			name, _ := str(p, "name")
			if name != param {
				continue
			}
			value, st := str(p, "value")
			if st == unknown || strings.EqualFold(value, want) || (want == "ON" && value == "1") {
				return
			}
			out = append(out, Finding{URN: db.URN, Message: fix("parameter group %s sets %s=%s: unencrypted connections are accepted",
				"set %s=%s", group.displayName(), param, value, param, want)})
			return
		}
		if family, _ := str(group.Props, "family"); !aurora && strings.HasPrefix(family, "postgres") && majorVersion(strings.TrimPrefix(family, "postgres")) >= 15 {
			return // the family's default is rds.force_ssl=1
		}
		out = append(out, Finding{URN: db.URN, Message: fix("parameter group %s does not set %s", "add the parameter %s=%s", group.displayName(), param, param, want)})
	}
	for _, db := range s.OfType(awsRDSInstance) {
		if _, st := lookup(db.Props, "replicateSourceDb"); st == known {
			continue // replicas take the source's TLS settings through their own group; judged when they name one
		}
		judge(db, "parameterGroupName", []string{awsRDSParameterGroup}, false)
	}
	for _, db := range s.OfType(awsRDSCluster) {
		judge(db, "dbClusterParameterGroupName", []string{awsRDSClusterParams}, true)
	}
	return out
}

// sslParameter is the parameter that forces TLS on an RDS engine, and the
// value that turns it on.
func sslParameter(engine string) (string, string) {
	switch {
	case strings.Contains(engine, "postgres"):
		return "rds.force_ssl", "1"
	case strings.Contains(engine, "mysql"), strings.Contains(engine, "mariadb"):
		return "require_secure_transport", "ON"
	}
	return "", ""
}

// majorVersion reads the leading number of "15.4" or "16".
func majorVersion(v string) int {
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(v[:end])
	return n
}

// hasAny reports whether any of the values is in want.
func hasAny(values []string, want ...string) bool {
	return slices.ContainsFunc(values, func(v string) bool { return slices.Contains(want, v) })
}
