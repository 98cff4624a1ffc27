package stacks

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	_ "time/tzdata" // time zones must resolve on machines without zoneinfo (CI images)

	"github.com/wedsync/wedsync-infra/components/alerting"
	"github.com/wedsync/wedsync-infra/components/autoscaling"
	"github.com/wedsync/wedsync-infra/components/backupbucket"
	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/database"
	"github.com/wedsync/wedsync-infra/components/erasureledger"
	"github.com/wedsync/wedsync-infra/components/ingress"
	"github.com/wedsync/wedsync-infra/components/release"
	"github.com/wedsync/wedsync-infra/components/secretsstore"
	"github.com/wedsync/wedsync-infra/policies/rules"
)

// Namespace is the config namespace of the Pulumi project: `pulumi config set
// region eu-west-2` writes `wedsync:region`.
const Namespace = "wedsync"

// Config is a stack's typed, validated configuration.
type Config struct {
	Project string
	Stack   string
	// StackSettings are what the freeze check and the policy pack read too
	// (environment, time zone, season calendar, policy config, emergency
	// override), decoded by their one decoder, rules.DecodeStackSettings.
	rules.StackSettings
	Cloud core.Cloud
	// Region is the primary region; DRRegion holds replicas and is where prod
	// is rebuilt after a regional outage.
	Region     string
	DRRegion   string
	Owner      string
	CostCentre string
	// Tags are extra tags on every resource, beside the standard ones.
	Tags map[string]string
	// GCPProject is the project of every GCP site of the stack.
	GCPProject string
	// AzureSubscriptionID pins Azure sites to one subscription.
	AzureSubscriptionID string
	// AWSAccountID, when set, makes the AWS provider refuse any other account,
	// so prod cannot be deployed into the wrong one by a stray profile.
	AWSAccountID string
	// Secrets are the secrets store's settings: key rotation, deletion
	// windows, the application's secrets and who may read them.
	Secrets secretsstore.Settings
	// SecretValues are values for the declared secrets, from a config key
	// set with `pulumi config set --secret --path 'secretValues.NAME'`: they
	// stay secrets all the way to the cloud.
	SecretValues map[string]string
	// Backup is the backup buckets' settings: retention, tiers, the offsite copy.
	Backup backupbucket.Settings
	// Erasure is the GDPR erasure ledger's settings: whether the stack has
	// one (prod always), the app's erasure SQL, replay's safety margin.
	Erasure erasureledger.Settings
	// Database is the database's settings: size, storage, retention, HA,
	// administrators. Its engine version comes from Release.
	Database database.Settings
	// Compute is the autoscaling group's settings. Its machine image comes
	// from Release; capacity comes from Season.
	Compute autoscaling.Settings
	// Ingress is the public entry point's settings: hostname, DNS zone, TLS
	// policy, WAF mode, rate limit, access logs, failover role. Its health
	// check path is the group's unless set.
	Ingress ingress.Settings
	// Alerting says who receives the stack's alarms, and prod's wedding-day
	// escalation receivers.
	Alerting alerting.Settings
	// Budget is the stack's monthly cost budget, off season and in peak.
	Budget alerting.BudgetSettings
	// Release is what promotion moves dev -> staging -> prod (set by the
	// environment, environments/<env>.yaml): the application release, the
	// machine images, the database engine version.
	Release release.Release
	// Recovery, when set, makes the stack rebuild another stack in this
	// region from what it replicated here (stacks/recovery.go).
	Recovery *Recovery
	// CI is who may deploy the stack from GitHub Actions, through OIDC
	// federation (stacks/ci.go); nil makes no CI identities.
	CI *ciaccess.Settings
	// SecretsProvider is not a config key: the stack file's
	// `secretsprovider:` (its own KMS key, made by bootstrap/), read with
	// the file (internal/stackconfig) and handed down, whose use CI's
	// identities are granted (stacks/ci.go). Empty: no KMS key.
	SecretsProvider string
	// AppSettingsDir is not a config key: the directory the app's settings
	// are read from (the project's stacks/appsettings, so an offline plan
	// shows what is in the working tree). Empty reads the copy built into
	// the program, which `pulumi up` builds from the working tree.
	AppSettingsDir string
}

// setting is one `wedsync:` config key: how to read it into Config.
type setting struct {
	key string
	// help says what the key is and what values it takes; `wedsync-infra
	// plan` shows it next to a bad value.
	help string
	// decode reads the key into Config and names the Go value it fills;
	// its fn is nil for the keys of rules.StackSettings, which
	// rules.DecodeStackSettings reads.
	decode *decoder
}

// decoder is how a key is read: fn reads it, target is the value it fills
// (its Go type is the key's type in the JSON Schema, internal/schema).
type decoder struct {
	fn     func(c *Config, field, raw string, p *core.Problems)
	target func(c *Config) any
}

// stackSetting is a key rules.DecodeStackSettings reads into target.
func stackSetting(target func(c *Config) any) *decoder { return &decoder{target: target} }

// settings is every key the program reads. A key not listed here is an error,
// with a did-you-mean suggestion: a typo must not silently fall back to a
// default in prod.
var settings = []setting{
	{"environment", "dev, staging or prod", stackSetting(func(c *Config) any { return &c.Environment })},
	{"cloud", "aws, gcp or azure", &decoder{fn: str(func(c *Config) *string { return (*string)(&c.Cloud) }).fn, target: func(c *Config) any { return &c.Cloud }}},
	{"region", "the primary region, e.g. eu-west-2, europe-west2, uksouth", str(func(c *Config) *string { return &c.Region })},
	{"drRegion", "the disaster-recovery region on the same cloud; required in prod", str(func(c *Config) *string { return &c.DRRegion })},
	{"timezone", "IANA time zone for schedules and freezes, default Europe/London", stackSetting(func(c *Config) any { return &c.Timezone })},
	{"owner", "team that owns the stack (tag)", str(func(c *Config) *string { return &c.Owner })},
	{"costCentre", "cost centre (tag); required in prod", str(func(c *Config) *string { return &c.CostCentre })},
	{"tags", "extra tags on every resource, an object of strings", object(func(c *Config) any { return &c.Tags })},
	{"gcpProject", "GCP project id; required when any site is on GCP", str(func(c *Config) *string { return &c.GCPProject })},
	{"azureSubscriptionId", "Azure subscription id (UUID)", str(func(c *Config) *string { return &c.AzureSubscriptionID })},
	{"awsAccountId", "the only AWS account id the stack may deploy to (12 digits)", str(func(c *Config) *string { return &c.AWSAccountID })},
	{"season", "the season calendar: peakMonths, weddingDays, extraDates, capacity, freeze", stackSetting(func(c *Config) any { return &c.Season })},
	{"secrets", "the secrets store: keyRotationDays, deletionWindowDays, secrets, grants, ...", object(func(c *Config) any { return &c.Secrets })},
	{"secretValues", "values of declared secrets; set only with `pulumi config set --secret --path`", object(func(c *Config) any { return &c.SecretValues })},
	{"backup", "the backup buckets: retentionDays, tiers, replicateToDR, offsite {cloud, region, keyGeneration}", object(func(c *Config) any { return &c.Backup })},
	{"erasure", "the GDPR erasure ledger: enabled (prod always), sqlFile (the app's erasure SQL, $1 subject id, $2 kind), replayMarginMinutes", object(func(c *Config) any { return &c.Erasure })},
	{"database", "the database: size, storageGb, maxStorageGb, backupRetentionDays, highAvailability, administrators, ...", object(func(c *Config) any { return &c.Database })},
	{"compute", "the autoscaling group: size, healthCheckPath, cpuTargetPercent, minHealthyPercent, maxCapacityReason, adminSshPublicKey", object(func(c *Config) any { return &c.Compute })},
	{"ingress", "the public entry point: hostname (default app.wedsync.co.uk in prod), dnsZone, tlsPolicy, wafMode, rateLimit, accessLogs, failover (none | standby; AWS also primary | secondary)", object(func(c *Config) any { return &c.Ingress })},
	{"release", "what promotion moves: application, images {aws, gcp, azure} by region, postgresVersion (from environments/)", object(func(c *Config) any { return &c.Release })},
	{"policy", "the policy pack's config: minRetentionDays, allowedRegions, exemptions", stackSetting(func(c *Config) any { return &c.Policy })},
	{"alerting", "who receives alarms: receivers [{name, email | webhook}], escalation (prod's wedding-day receivers)", object(func(c *Config) any { return &c.Alerting })},
	{"budget", "the monthly cost budget: amount, peakAmount, currency, billingAccount (GCP)", object(func(c *Config) any { return &c.Budget })},
	{"emergencyOverride", "lets a prod change through a freeze: {reason, approvedBy, expires}; see `wedsync-infra freeze`", stackSetting(func(c *Config) any { return &c.EmergencyOverride })},
	{"ci", "CI's identities (OIDC, no stored keys): repository, branch, environment (GitHub), preview, awsOidcProviderArn", object(func(c *Config) any { return &c.CI })},
	{"recovery", "recovery mode: {sourceStack, restorePoint: latest | RFC3339, backupRunId, readSourceStack, sourceOutputs}; see `wedsync-infra dr rebuild`", object(func(c *Config) any { return &c.Recovery })},
}

// Keys returns every config key the program understands, namespaced
// ("wedsync:region"), sorted.
func Keys() []string {
	out := make([]string, len(settings))
	for i, s := range settings {
		out[i] = Namespace + ":" + s.key
	}
	sort.Strings(out)
	return out
}

// Load reads, defaults and validates a stack's configuration. raw holds the
// stack's config as Pulumi passes it to programs: namespaced keys, objects as
// JSON. Keys of other namespaces (e.g. "aws:region") are not ours and are
// ignored, unless the namespace is a typo of ours ("wedsnyc:budget"), which
// would otherwise silently leave the setting at its default. The error lists
// every problem at once.
func Load(project, stack string, raw map[string]string) (Config, error) {
	c := Config{Project: project, Stack: stack}
	p := &core.Problems{}
	c.StackSettings = rules.DecodeStackSettings(raw, p)
	byKey := map[string]setting{}
	for _, s := range settings {
		byKey[s.key] = s
	}
	for _, full := range slices.Sorted(maps.Keys(raw)) {
		ns, key, ok := strings.Cut(full, ":")
		if ok && ns != Namespace && core.DidYouMean(ns, []string{Namespace}) != "" {
			p.Add(full, raw[full], "unknown namespace %q; did you mean %q?", ns, Namespace+":"+key)
			continue
		}
		if !ok || ns != Namespace {
			continue
		}
		s, known := byKey[key]
		if !known {
			p.Add(full, raw[full], "unknown key%s; known keys: %s", core.DidYouMean(key, settingKeys()), strings.Join(settingKeys(), ", "))
			continue
		}
		if s.decode.fn != nil {
			s.decode.fn(&c, full, raw[full], p)
		}
	}
	// Validate what could be read too, so one run shows every problem.
	c.ApplyDefaults()
	p.Include("", c.Validate())
	return c, p.Err()
}

// ApplyDefaults fills every unset setting. It is the one place defaults live;
// component blocks apply their own defaults, by environment, in their packages.
func (c *Config) ApplyDefaults() {
	c.StackSettings.ApplyDefaults()
	if c.Owner == "" {
		c.Owner = "platform"
	}
	c.Secrets.ApplyDefaults(c.Environment)
	c.Backup.ApplyDefaults(c.Environment)
	c.Erasure.ApplyDefaults(c.Environment)
	// The release decides versions; a stack's own setting wins, so one
	// stack can trial a version before the release carries it.
	if c.Database.Version == "" {
		c.Database.Version = c.Release.PostgresVersion
	}
	c.Database.ApplyDefaults(c.Environment)
	if c.Compute.Image.IsZero() {
		c.Compute.Image = c.Release.Images
	}
	c.Compute.ApplyDefaults(c.Environment)
	if c.Ingress.HealthCheckPath == "" {
		c.Ingress.HealthCheckPath = c.Compute.HealthCheckPath
	}
	c.Ingress.ApplyDefaults(c.Environment)
	c.Alerting.ApplyDefaults(c.Environment)
	c.Budget.ApplyDefaults(c.Environment)
	if c.CI != nil {
		c.CI.ApplyDefaults(c.Environment)
	}
	if c.Recovery != nil {
		c.Recovery.ApplyDefaults()
	}
}

// Validate returns every problem with c, each naming the key, the value and
// what is allowed.
func (c Config) Validate() error {
	p := &core.Problems{Prefix: Namespace + ":"}
	c.StackSettings.Validate(p)
	if !c.Cloud.Valid() {
		p.Add("cloud", string(c.Cloud), "use %s", core.Join(core.Clouds))
	}
	if c.Cloud.Valid() {
		validateRegion(p, "region", c.Cloud, c.Region, true)
		validateRegion(p, "drRegion", c.Cloud, c.DRRegion, c.Environment.IsProd())
	}
	if c.DRRegion != "" && c.DRRegion == c.Region {
		p.Add("drRegion", c.DRRegion, "must differ from wedsync:region: a DR copy in the same region does not survive a regional outage")
	}
	// Component rules depend on the environment and cloud (prod is strict):
	// judged only once both are known, so a typo there is not drowned in
	// follow-on problems.
	if c.Environment.Valid() && c.Cloud.Valid() {
		c.validateComponents(p)
	}
	if o := c.Backup.Offsite; o != nil && o.Cloud == core.GCP && c.GCPProject == "" {
		p.Missing("gcpProject", "the offsite backup copy is on GCP (wedsync:backup.offsite) and needs a project id")
	}
	if c.Environment.IsProd() && c.CostCentre == "" {
		p.Missing("costCentre", "prod resources must carry a cost centre for billing")
	}
	for k := range c.Tags {
		if slices.Contains(core.StandardTagKeys, k) {
			p.Add("tags."+k, c.Tags[k], "is a standard tag set by the program; use wedsync:owner or wedsync:costCentre, or another key")
		}
	}
	if c.Cloud == core.GCP && c.GCPProject == "" {
		p.Missing("gcpProject", "GCP resources need a project id, e.g. wedsync-prod")
	}
	if c.AzureSubscriptionID != "" && !isUUID(c.AzureSubscriptionID) {
		p.Add("azureSubscriptionId", c.AzureSubscriptionID, "not a subscription id; use the UUID from `az account show --query id`")
	}
	if c.AWSAccountID != "" && !isDigits(c.AWSAccountID, 12) {
		p.Add("awsAccountId", c.AWSAccountID, "not an AWS account id; use the 12 digits from `aws sts get-caller-identity`")
	}
	return p.Err()
}

// validateComponents checks each component block with that component's own
// rules, naming fields under the block's key (wedsync:database.size).
func (c Config) validateComponents(p *core.Problems) {
	p.Include("secrets.", c.Secrets.Validate(c.Environment, c.Cloud))
	p.Include("backup.", c.Backup.Validate(c.Environment, c.Cloud))
	p.Include("erasure.", c.Erasure.Validate(c.Environment, c.Cloud))
	p.Include("database.", c.Database.Validate(c.Environment, c.Cloud))
	p.Include("compute.", c.Compute.Validate(c.Environment, c.Cloud))
	// The group launches in the stack's region (a DR stack's too): a
	// release without an image there is refused here, before any plan, and
	// so by promotion before it reaches the environment.
	p.Include("compute.", c.Compute.ValidateRegion(c.Cloud, c.Region))
	p.Include("compute.", c.Compute.ValidateCalendar(c.Environment, c.Season))
	p.Include("ingress.", c.Ingress.Validate(c.Environment, c.Cloud))
	p.Include("alerting.", c.Alerting.Validate(c.Environment, c.Cloud))
	p.Include("budget.", c.Budget.Validate(c.Environment, c.Cloud))
	if !c.Release.IsZero() {
		p.Include("release.", c.Release.Validate())
	}
	if c.CI != nil {
		p.Include("ci.", c.CI.Validate(c.Environment, c.Cloud))
	}
	declared := make([]string, 0, len(c.Secrets.Secrets))
	for _, s := range c.Secrets.Secrets {
		declared = append(declared, s.Name)
	}
	for _, name := range slices.Sorted(maps.Keys(c.SecretValues)) {
		if !slices.Contains(declared, name) {
			// The value is a secret: the problem names the key, never the value.
			p.Add("secretValues."+name, nil, "no such secret under wedsync:secrets.secrets%s; declared: %s", core.DidYouMean(name, declared), strings.Join(declared, ", "))
		}
	}
	if c.Recovery != nil {
		p.Include("recovery.", c.Recovery.validate(c))
		if c.DRRegion == "" {
			p.Missing("drRegion", "a recovery replicates back toward its source's region: set wedsync:drRegion to it")
		}
	}
}

func validateRegion(p *core.Problems, key string, cloud core.Cloud, region string, required bool) {
	switch {
	case region == "" && required:
		p.Missing(key, "a region of %s, e.g. %s", cloud.Title(), exampleRegion[cloud])
	case region != "" && !core.ValidRegion(cloud, region):
		p.Add(key, region, "not a region of %s%s; e.g. %s", cloud.Title(), core.DidYouMean(region, core.Regions(cloud)), exampleRegion[cloud])
	}
}

var exampleRegion = map[core.Cloud]string{core.AWS: "eu-west-2", core.GCP: "europe-west2", core.Azure: "uksouth"}

// str decodes a plain string key.
func str(field func(*Config) *string) *decoder {
	return &decoder{
		fn:     func(c *Config, _ string, raw string, _ *core.Problems) { *field(c) = raw },
		target: func(c *Config) any { return field(c) },
	}
}

// object decodes a structured key (stored by Pulumi as JSON), reporting
// unknown fields with suggestions and type errors with the field's path.
func object(field func(*Config) any) *decoder {
	return &decoder{
		fn:     func(c *Config, key, raw string, p *core.Problems) { core.DecodeObject(p, key, raw, field(c)) },
		target: field,
	}
}

// KeyTargets maps every config key the program understands, namespaced
// ("wedsync:region"), to a pointer to the Go value it is decoded into, and
// its help: what internal/schema writes the JSON Schema of stack files from.
func KeyTargets() map[string]KeyTarget {
	var c Config
	out := make(map[string]KeyTarget, len(settings))
	for _, s := range settings {
		out[Namespace+":"+s.key] = KeyTarget{Value: s.decode.target(&c), Help: s.help}
	}
	return out
}

// KeyTarget is one config key's Go value (a pointer) and help.
type KeyTarget struct {
	Value any
	Help  string
}

func settingKeys() []string {
	out := make([]string, len(settings))
	for i, s := range settings {
		out[i] = s.key
	}
	sort.Strings(out)
	return out
}

func isUUID(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) != 5 {
		return false
	}
	for i, n := range []int{8, 4, 4, 4, 12} {
		if !isHex(parts[i], n) {
			return false
		}
	}
	return true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Describe is a one-line summary of the stack for plan headers and logs.
func (c Config) Describe() string {
	dr := ""
	if c.DRRegion != "" {
		dr = fmt.Sprintf(", DR %s", c.DRRegion)
	}
	return fmt.Sprintf("%s/%s: %s on %s %s%s, time zone %s", c.Project, c.Stack, c.Environment, c.Cloud.Title(), c.Region, dr, c.Timezone)
}
