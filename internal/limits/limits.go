// Package limits is the table of the clouds' documented deploy-time limits
// (name lengths and alphabets, tag and label counts, policy document sizes,
// value ranges) for the resource types the stacks use: what a real
// provider or cloud API would refuse at deploy, long after a mock has
// accepted it. The offline plan runs the table over every resource (the
// plan document's "limits"), and the stand-in providers of test/engine run
// it in Check, so a breach shows before any deploy and fails the e2e as a
// real provider would.
//
// Values are plain (JSON-like) inputs. A value only known at deploy
// ("[unknown]") or hidden ("[secret]") is not judged. The package imports
// nothing of the project, so the plan and the stand-in both use it.
package limits

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Markers of values the table does not judge (internal/plan's markers).
const (
	Unknown = "[unknown]"
	Secret  = "[secret]"
)

// Rule is one documented limit: the values at Path of every resource of
// Types must pass check.
type Rule struct {
	// Name identifies the rule ("s3-bucket-name").
	Name string
	// Types are type tokens (Azure's versioned modules folded, see Fold);
	// "aws:*" is every type of the package.
	Types []string
	// Except are types of the package a "pkg:*" row does not cover (a
	// notification channel's "labels" are its settings, not labels).
	Except []string
	// Path is a dotted input path; "*" steps into every list element.
	Path string
	// Allowed says what the cloud accepts, for the user.
	Allowed string
	// Doc is the documentation page the rule comes from.
	Doc string
	// check is "" when v is within the limit, else what is wrong. provider
	// is the explicit provider's inputs (default tags and labels count).
	check func(v any, provider map[string]any) string
}

// Breach is one value outside its documented limit.
type Breach struct {
	URN      string `json:"urn,omitempty"`
	Type     string `json:"type"`
	Property string `json:"property"`
	Rule     string `json:"rule"`
	Problem  string `json:"problem"`
	Allowed  string `json:"allowed"`
	Doc      string `json:"doc"`
}

func (b Breach) String() string {
	return fmt.Sprintf("%s %s: %s (%s; %s)", b.Type, b.Property, b.Problem, b.Allowed, b.Doc)
}

// Fold folds an Azure versioned module into its default module
// ("azure-native:dbforpostgresql/v20240801:Server" ->
// "azure-native:dbforpostgresql:Server"): the limits are the service's.
func Fold(typ string) string {
	parts := strings.SplitN(typ, ":", 3)
	if len(parts) != 3 || parts[0] != "azure-native" {
		return typ
	}
	if i := strings.Index(parts[1], "/v"); i > 0 {
		parts[1] = parts[1][:i]
	}
	return strings.Join(parts, ":")
}

// Check judges one resource's inputs against every rule of its type.
func Check(typ string, inputs, provider map[string]any) []Breach {
	folded := Fold(typ)
	pkg, _, _ := strings.Cut(folded, ":")
	var out []Breach
	for _, r := range Table {
		if !r.applies(folded, pkg) {
			continue
		}
		for _, at := range lookup(inputs, strings.Split(r.Path, "."), "") {
			if judged(at.value) {
				continue
			}
			if problem := r.check(at.value, provider); problem != "" {
				out = append(out, Breach{Type: typ, Property: at.path, Rule: r.Name, Problem: problem, Allowed: r.Allowed, Doc: r.Doc})
			}
		}
	}
	return out
}

// Resource is one resource for CheckAll.
type Resource struct {
	URN, Type        string
	Inputs, Provider map[string]any
}

// CheckAll judges every resource, and the limits that span resources (the
// aggregate size of a role's inline policies).
func CheckAll(resources []Resource) []Breach {
	out := []Breach{}
	inline := map[string]int{}
	roleURN := map[string]string{}
	for _, r := range resources {
		for _, b := range Check(r.Type, r.Inputs, r.Provider) {
			b.URN = r.URN
			out = append(out, b)
		}
		if r.Type == "aws:iam/role:Role" {
			if name, ok := r.Inputs["name"].(string); ok {
				roleURN[name] = r.URN
			}
		}
		if r.Type == "aws:iam/rolePolicy:RolePolicy" {
			role, _ := r.Inputs["role"].(string)
			doc, _ := r.Inputs["policy"].(string)
			inline[role] += nonSpace(doc)
		}
	}
	for role, n := range inline {
		if n > inlineRolePolicies {
			out = append(out, Breach{
				URN: roleURN[role], Type: "aws:iam/role:Role", Property: "inline policies of " + role, Rule: "iam-role-inline-policies",
				Problem: fmt.Sprintf("%d characters in all", n), Allowed: fmt.Sprintf("at most %d characters (whitespace not counted) across a role's inline policies", inlineRolePolicies), Doc: iamQuotas,
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].URN+out[i].Property < out[j].URN+out[j].Property })
	return out
}

func (r Rule) applies(folded, pkg string) bool {
	for _, t := range r.Except {
		if t == folded {
			return false
		}
	}
	for _, t := range r.Types {
		if t == folded || t == pkg+":*" {
			return true
		}
	}
	return false
}

func judged(v any) bool {
	s, ok := v.(string)
	return v == nil || ok && (s == Unknown || s == Secret || strings.Contains(s, Unknown))
}

type found struct {
	path  string
	value any
}

// lookup follows path through v; "*" visits every list element.
func lookup(v any, path []string, at string) []found {
	if len(path) == 0 {
		return []found{{at, v}}
	}
	join := func(k string) string {
		if at == "" {
			return k
		}
		return at + "." + k
	}
	if s, isString := v.(string); isString {
		// A provider's object config can reach its plugin as JSON text.
		var doc any
		if json.Unmarshal([]byte(s), &doc) == nil {
			v = doc
		}
	}
	switch c := v.(type) {
	case map[string]any:
		next, ok := c[path[0]]
		if !ok {
			return nil
		}
		return lookup(next, path[1:], join(path[0]))
	case []any:
		if path[0] != "*" {
			return nil
		}
		var out []found
		for i, e := range c {
			out = append(out, lookup(e, path[1:], join(strconv.Itoa(i)))...)
		}
		return out
	}
	return nil
}

// name is a name check: length in [min, max] and the pattern, plus any
// extra rules (each returning a problem or "").
func name(min, max int, pattern string, extra ...func(string) string) func(any, map[string]any) string {
	re := regexp.MustCompile(pattern)
	return func(v any, _ map[string]any) string {
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("%v is not a string", v)
		}
		if n := len([]rune(s)); n < min || n > max {
			return fmt.Sprintf("%q is %d characters", s, n)
		}
		if !re.MatchString(s) {
			return fmt.Sprintf("%q has a character or shape the cloud refuses", s)
		}
		for _, e := range extra {
			if p := e(s); p != "" {
				return fmt.Sprintf("%q %s", s, p)
			}
		}
		return ""
	}
}

func noDoubleHyphen(s string) string {
	if strings.Contains(s, "--") {
		return "has two hyphens in a row"
	}
	return ""
}

func notPrefix(prefixes ...string) func(string) string {
	return func(s string) string {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				return "starts with the reserved " + p
			}
		}
		return ""
	}
}

func notSuffix(suffixes ...string) func(string) string {
	return func(s string) string {
		for _, p := range suffixes {
			if strings.HasSuffix(s, p) {
				return "ends with the reserved " + p
			}
		}
		return ""
	}
}

func notIP(s string) string {
	if net.ParseIP(s) != nil {
		return "is formatted as an IP address"
	}
	return ""
}

// intRange is a whole number in [min, max].
func intRange(min, max int) func(any, map[string]any) string {
	return func(v any, _ map[string]any) string {
		f, ok := v.(float64)
		if !ok {
			if i, isInt := v.(int); isInt {
				f, ok = float64(i), true
			}
		}
		if !ok || f != float64(int(f)) || int(f) < min || int(f) > max {
			return fmt.Sprintf("%v is outside %d-%d", v, min, max)
		}
		return ""
	}
}

// minSeconds is a duration "Ns" of at least min seconds.
func minSeconds(min float64) func(any, map[string]any) string {
	return func(v any, _ map[string]any) string {
		s, _ := v.(string)
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
		if err != nil || !strings.HasSuffix(s, "s") || f < min {
			return fmt.Sprintf("%v is not a duration of at least %gs", v, min)
		}
		return ""
	}
}

// policy is a JSON document of at most max units: bytes, or characters
// other than whitespace (IAM does not count whitespace).
func policy(max int, ignoreSpace bool) func(any, map[string]any) string {
	return func(v any, _ map[string]any) string {
		s, ok := v.(string)
		if !ok {
			return "is not a JSON document (a string)"
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			return "is not a JSON object: " + err.Error()
		}
		n, unit := len(s), "bytes"
		if ignoreSpace {
			n, unit = nonSpace(s), "characters"
		}
		if n > max {
			return fmt.Sprintf("is %d %s", n, unit)
		}
		return ""
	}
}

func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// tagSet is the tags of a value: a map, or a list of {key, value} (an
// autoscaling group's tags).
func tagSet(v any) (map[string]string, bool) {
	out := map[string]string{}
	if s, isString := v.(string); isString {
		// A provider's object config can reach its plugin as JSON text.
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, false
		}
	}
	switch c := v.(type) {
	case map[string]any:
		for k, val := range c {
			s, _ := val.(string)
			out[k] = s
		}
	case []any:
		for _, e := range c {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			k, _ := m["key"].(string)
			s, _ := m["value"].(string)
			out[k] = s
		}
	default:
		return nil, false
	}
	return out, true
}

// tags checks a resource's tags, with the provider's defaults (providerPath)
// merged in as the provider merges them: count, key and value.
func tags(max int, providerPath string, key, value func(k, v string) string) func(any, map[string]any) string {
	return func(v any, provider map[string]any) string {
		set, ok := tagSet(v)
		if !ok {
			return fmt.Sprintf("%v is not a set of tags", v)
		}
		if providerPath != "" {
			for _, d := range lookup(provider, strings.Split(providerPath, "."), "") {
				defaults, _ := tagSet(d.value)
				for k, val := range defaults {
					if _, own := set[k]; !own {
						set[k] = val
					}
				}
			}
		}
		if len(set) > max {
			return fmt.Sprintf("%d tags with the provider's defaults", len(set))
		}
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := key(k, set[k]); p != "" {
				return p
			}
			if p := value(k, set[k]); p != "" {
				return p
			}
		}
		return ""
	}
}

func awsTagKey(k, _ string) string {
	switch {
	case len([]rune(k)) < 1 || len([]rune(k)) > 128:
		return fmt.Sprintf("tag key %q is not 1-128 characters", k)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return fmt.Sprintf("tag key %q uses the reserved prefix aws:", k)
	case !awsTagChars.MatchString(k):
		return fmt.Sprintf("tag key %q has a character AWS refuses", k)
	}
	return ""
}

func awsTagValue(k, v string) string {
	if len([]rune(v)) > 256 || !awsTagChars.MatchString(v) && v != "" {
		return fmt.Sprintf("tag %s's value %q is over 256 characters or has a character AWS refuses", k, v)
	}
	return ""
}

var (
	awsTagChars   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	gcpLabelKey   = regexp.MustCompile(`^\p{Ll}[\p{Ll}\p{Lo}\p{N}_-]{0,62}$`)
	gcpLabelValue = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$`)
)

func gcpKey(k, _ string) string {
	if !gcpLabelKey.MatchString(k) {
		return fmt.Sprintf("label key %q is not 1-63 lowercase letters, digits, _ or -, starting with a letter", k)
	}
	return ""
}

func gcpValue(k, v string) string {
	if !gcpLabelValue.MatchString(v) {
		return fmt.Sprintf("label %s's value %q is not 0-63 lowercase letters, digits, _ or -", k, v)
	}
	return ""
}

func azureTagKey(maxKey int) func(k, v string) string {
	return func(k, _ string) string {
		if n := len([]rune(k)); n < 1 || n > maxKey || strings.ContainsAny(k, `<>%&\?/`) {
			return fmt.Sprintf("tag name %q is not 1-%d characters without <>%%&\\?/", k, maxKey)
		}
		return ""
	}
}

func webTestTagKey(k, v string) string {
	if id, ok := strings.CutPrefix(k, "hidden-link:"); ok && strings.HasPrefix(id, "/subscriptions/") && len([]rune(k)) <= 512 {
		return ""
	}
	return azureTagKey(512)(k, v)
}

func azureTagValue(k, v string) string {
	if len([]rune(v)) > 256 {
		return fmt.Sprintf("tag %s's value is %d characters", k, len([]rune(v)))
	}
	return ""
}

// Documentation pages the rows cite.
const (
	s3Naming        = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
	rdsCreate       = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
	rdsParamGroup   = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html"
	rdsSubnetGroup  = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html"
	kmsAlias        = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"
	kmsQuotas       = "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit"
	kmsDeletion     = "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html"
	kmsRotation     = "https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html"
	iamQuotas       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
	s3PolicySize    = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"
	launchTemplate  = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html"
	awsTagging      = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions"
	gcsNaming       = "https://cloud.google.com/storage/docs/buckets#naming"
	sqlNaming       = "https://cloud.google.com/sql/docs/postgres/create-instance#create-2nd-gen"
	gcpKMSNaming    = "https://cloud.google.com/kms/docs/resource-hierarchy#retrieve_resource_id"
	gcpKMSRotation  = "https://cloud.google.com/kms/docs/key-rotation#frequency_of_key_rotation"
	gcpServiceAcct  = "https://cloud.google.com/iam/docs/service-accounts-create#creating"
	gcpComputeNames = "https://cloud.google.com/compute/docs/naming-resources#resource-name-format"
	gcpLabels       = "https://cloud.google.com/resource-manager/docs/labels-overview#requirements"
	azureNaming     = "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules"
	azureTags       = "https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/tag-resources#limitations"
	azureWebTest    = "https://learn.microsoft.com/en-us/azure/azure-monitor/app/availability-standard-tests"
	azureActionGrp  = "https://learn.microsoft.com/en-us/azure/azure-monitor/alerts/action-groups#create-an-action-group-in-the-azure-portal"
	azurePGBackup   = "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-backup-restore#backup-retention"
)

// Sizes that more than one row (or CheckAll) uses.
const (
	inlineRolePolicies = 10240
	rfc1035            = `^[a-z]([-a-z0-9]*[a-z0-9])?$`
)

// gcpCompute are the Compute Engine types the stacks name (RFC 1035).
var gcpCompute = []string{
	"gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/firewall:Firewall",
	"gcp:compute/router:Router", "gcp:compute/routerNat:RouterNat", "gcp:compute/healthCheck:HealthCheck",
	"gcp:compute/globalAddress:GlobalAddress", "gcp:compute/instanceTemplate:InstanceTemplate",
	"gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager", "gcp:compute/regionAutoscaler:RegionAutoscaler",
}

// Table is every documented limit the plan and the stand-ins enforce.
var Table = []Rule{
	// Names.
	{Name: "s3-bucket-name", Types: []string{"aws:s3/bucketV2:BucketV2"}, Path: "bucket", Doc: s3Naming,
		Allowed: "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; no '..', no IP address, no reserved prefix or suffix",
		check: name(3, 63, `^[a-z0-9][a-z0-9.-]*[a-z0-9]$`, func(s string) string {
			if strings.Contains(s, "..") {
				return "has two dots in a row"
			}
			return ""
		}, notIP, notPrefix("xn--", "sthree-", "amzn-s3-demo-"), notSuffix("-s3alias", "--ol-s3", ".mrap", "--x-s3"))},
	{Name: "rds-instance-identifier", Types: []string{"aws:rds/instance:Instance"}, Path: "identifier", Doc: rdsCreate,
		Allowed: "1-63 letters, digits and hyphens, starting with a letter, not ending with a hyphen, no '--'",
		check:   name(1, 63, `^[A-Za-z][A-Za-z0-9-]*$`, noDoubleHyphen, notSuffix("-"))},
	{Name: "rds-final-snapshot-identifier", Types: []string{"aws:rds/instance:Instance"}, Path: "finalSnapshotIdentifier", Doc: rdsCreate,
		Allowed: "1-255 letters, digits and hyphens, starting with a letter, not ending with a hyphen, no '--'",
		check:   name(1, 255, `^[A-Za-z][A-Za-z0-9-]*$`, noDoubleHyphen, notSuffix("-"))},
	{Name: "rds-parameter-group-name", Types: []string{"aws:rds/parameterGroup:ParameterGroup"}, Path: "name", Doc: rdsParamGroup,
		Allowed: "1-255 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, no '--'",
		check:   name(1, 255, `^[a-z][a-z0-9-]*$`, noDoubleHyphen, notSuffix("-"))},
	{Name: "rds-subnet-group-name", Types: []string{"aws:rds/subnetGroup:SubnetGroup"}, Path: "name", Doc: rdsSubnetGroup,
		Allowed: "1-255 lowercase letters, digits, spaces, periods, underscores and hyphens; not 'default'",
		check: name(1, 255, `^[a-z0-9 ._-]+$`, func(s string) string {
			if s == "default" {
				return "is reserved"
			}
			return ""
		})},
	{Name: "kms-alias-name", Types: []string{"aws:kms/alias:Alias"}, Path: "name", Doc: kmsAlias,
		Allowed: "alias/ then letters, digits, '/', '_' and '-', 256 characters in all; not alias/aws/",
		check:   name(7, 256, `^alias/[A-Za-z0-9/_-]+$`, notPrefix("alias/aws/"))},
	{Name: "iam-role-name", Types: []string{"aws:iam/role:Role"}, Path: "name", Doc: iamQuotas,
		Allowed: "1-64 letters, digits and +=,.@_-",
		check:   name(1, 64, `^[\w+=,.@-]+$`)},
	{Name: "iam-instance-profile-name", Types: []string{"aws:iam/instanceProfile:InstanceProfile"}, Path: "name", Doc: iamQuotas,
		Allowed: "1-128 letters, digits and +=,.@_-",
		check:   name(1, 128, `^[\w+=,.@-]+$`)},
	{Name: "launch-template-name", Types: []string{"aws:ec2/launchTemplate:LaunchTemplate"}, Path: "name", Doc: launchTemplate,
		Allowed: "3-128 letters, digits and ().-/_",
		check:   name(3, 128, `^[A-Za-z0-9().\-/_]+$`)},
	{Name: "gcs-bucket-name", Types: []string{"gcp:storage/bucket:Bucket"}, Path: "name", Doc: gcsNaming,
		Allowed: "3-63 lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit; not starting with goog, not containing google, no IP address",
		check: name(3, 63, `^[a-z0-9][a-z0-9._-]*[a-z0-9]$`, notIP, notPrefix("goog"), func(s string) string {
			if strings.Contains(s, "google") || strings.Contains(s, "g00gle") {
				return "contains google"
			}
			return ""
		})},
	{Name: "cloud-sql-instance-name", Types: []string{"gcp:sql/databaseInstance:DatabaseInstance"}, Path: "name", Doc: sqlNaming,
		Allowed: "1-98 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen",
		check:   name(1, 98, `^[a-z]([a-z0-9-]*[a-z0-9])?$`)},
	{Name: "kms-key-ring-name", Types: []string{"gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey"}, Path: "name", Doc: gcpKMSNaming,
		Allowed: "1-63 letters, digits, '_' and '-'",
		check:   name(1, 63, `^[A-Za-z0-9_-]+$`)},
	{Name: "service-account-id", Types: []string{"gcp:serviceaccount/account:Account"}, Path: "accountId", Doc: gcpServiceAcct,
		Allowed: "6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen",
		check:   name(6, 30, `^[a-z][-a-z0-9]*[a-z0-9]$`)},
	{Name: "compute-name", Types: gcpCompute, Path: "name", Doc: gcpComputeNames,
		Allowed: "RFC 1035: 1-63 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen",
		check:   name(1, 63, rfc1035)},
	{Name: "compute-name-prefix", Types: []string{"gcp:compute/instanceTemplate:InstanceTemplate"}, Path: "namePrefix", Doc: gcpComputeNames,
		Allowed: "1-37 characters (the provider adds a 26-character suffix to reach 63), lowercase letters, digits and hyphens, starting with a letter",
		check:   name(1, 37, `^[a-z][-a-z0-9]*$`)},
	{Name: "storage-account-name", Types: []string{"azure-native:storage:StorageAccount"}, Path: "accountName", Doc: azureNaming + "#microsoftstorage",
		Allowed: "3-24 lowercase letters and digits",
		check:   name(3, 24, `^[a-z0-9]+$`)},
	{Name: "blob-container-name", Types: []string{"azure-native:storage:BlobContainer"}, Path: "containerName", Doc: azureNaming + "#microsoftstorage",
		Allowed: "3-63 lowercase letters, digits and hyphens, starting with a letter or digit, no '--'",
		check:   name(3, 63, `^[a-z0-9][a-z0-9-]*[a-z0-9]$`, noDoubleHyphen)},
	{Name: "key-vault-name", Types: []string{"azure-native:keyvault:Vault"}, Path: "vaultName", Doc: azureNaming + "#microsoftkeyvault",
		Allowed: "3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no '--'",
		check:   name(3, 24, `^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$`, noDoubleHyphen)},
	{Name: "key-vault-key-name", Types: []string{"azure-native:keyvault:Key"}, Path: "keyName", Doc: azureNaming + "#microsoftkeyvault",
		Allowed: "1-127 letters, digits and hyphens",
		check:   name(1, 127, `^[A-Za-z0-9-]+$`)},
	{Name: "postgresql-server-name", Types: []string{"azure-native:dbforpostgresql:Server"}, Path: "serverName", Doc: azureNaming + "#microsoftdbforpostgresql",
		Allowed: "3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
		check:   name(3, 63, `^[a-z0-9][a-z0-9-]*[a-z0-9]$`)},
	{Name: "action-group-short-name", Types: []string{"azure-native:insights:ActionGroup"}, Path: "groupShortName", Doc: azureActionGrp,
		Allowed: "1-12 characters",
		check:   name(1, 12, `^.+$`)},

	// Tags and labels.
	{Name: "aws-tags", Types: []string{"aws:*"}, Path: "tags", Doc: awsTagging,
		Allowed: "at most 50 tags with the provider's default tags; keys 1-128 characters, not aws:; values up to 256",
		check:   tags(50, "defaultTags.tags", awsTagKey, awsTagValue)},
	{Name: "aws-tags", Types: []string{"aws:ec2/launchTemplate:LaunchTemplate"}, Path: "tagSpecifications.*.tags", Doc: awsTagging,
		Allowed: "at most 50 tags with the provider's default tags; keys 1-128 characters, not aws:; values up to 256",
		check:   tags(50, "defaultTags.tags", awsTagKey, awsTagValue)},
	{Name: "gcp-labels", Types: []string{"gcp:*"}, Except: []string{"gcp:monitoring/notificationChannel:NotificationChannel"}, Path: "labels", Doc: gcpLabels,
		Allowed: "at most 64 labels with the provider's default labels; keys 1-63 lowercase letters, digits, _ and -, starting with a letter; values 0-63 of the same",
		check:   tags(64, "defaultLabels", gcpKey, gcpValue)},
	{Name: "gcp-labels", Types: []string{"gcp:monitoring/notificationChannel:NotificationChannel"}, Path: "userLabels", Doc: gcpLabels,
		Allowed: "at most 64 labels; keys 1-63 lowercase letters, digits, _ and -, starting with a letter; values 0-63 of the same",
		check:   tags(64, "", gcpKey, gcpValue)},
	{Name: "gcp-labels", Types: []string{"gcp:sql/databaseInstance:DatabaseInstance"}, Path: "settings.userLabels", Doc: gcpLabels,
		Allowed: "at most 64 labels with the provider's default labels; keys 1-63 lowercase letters, digits, _ and -, starting with a letter; values 0-63 of the same",
		check:   tags(64, "defaultLabels", gcpKey, gcpValue)},
	{Name: "azure-tags", Types: []string{"azure-native:storage:StorageAccount"}, Path: "tags", Doc: azureTags,
		Allowed: "at most 50 tags; names 1-128 characters (storage accounts) without <>%&\\?/; values up to 256",
		check:   tags(50, "", azureTagKey(128), azureTagValue)},
	{Name: "azure-tags", Types: []string{"azure-native:*"}, Except: []string{"azure-native:insights:WebTest"}, Path: "tags", Doc: azureTags,
		Allowed: "at most 50 tags; names 1-512 characters without <>%&\\?/; values up to 256",
		check:   tags(50, "", azureTagKey(512), azureTagValue)},
	// An availability test is tied to its Application Insights component by
	// the tag "hidden-link:<component id>" = "Resource", slashes and all: the
	// documented ARM and Bicep definitions of a standard test carry it.
	{Name: "azure-tags", Types: []string{"azure-native:insights:WebTest"}, Path: "tags", Doc: azureTags + " " + azureWebTest,
		Allowed: "at most 50 tags; names 1-512 characters without <>%&\\?/, except one hidden-link:/subscriptions/... tag naming the component; values up to 256",
		check:   tags(50, "", webTestTagKey, azureTagValue)},

	// Policy documents.
	{Name: "kms-key-policy", Types: []string{"aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"}, Path: "policy", Doc: kmsQuotas,
		Allowed: "a JSON document of at most 32 KB (32,768 bytes)",
		check:   policy(32768, false)},
	{Name: "s3-bucket-policy", Types: []string{"aws:s3/bucketPolicy:BucketPolicy"}, Path: "policy", Doc: s3PolicySize,
		Allowed: "a JSON document of at most 20 KB (20,480 bytes)",
		check:   policy(20480, false)},
	{Name: "iam-role-trust-policy", Types: []string{"aws:iam/role:Role"}, Path: "assumeRolePolicy", Doc: iamQuotas,
		Allowed: "a JSON document of at most 2,048 characters, whitespace not counted (the default quota)",
		check:   policy(2048, true)},
	{Name: "iam-role-inline-policies", Types: []string{"aws:iam/rolePolicy:RolePolicy"}, Path: "policy", Doc: iamQuotas,
		Allowed: "a JSON document; a role's inline policies at most 10,240 characters in all, whitespace not counted",
		check:   policy(inlineRolePolicies, true)},

	// Value ranges.
	{Name: "kms-deletion-window", Types: []string{"aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"}, Path: "deletionWindowInDays", Doc: kmsDeletion,
		Allowed: "7-30 days", check: intRange(7, 30)},
	{Name: "kms-rotation-period", Types: []string{"aws:kms/key:Key"}, Path: "rotationPeriodInDays", Doc: kmsRotation,
		Allowed: "90-2560 days", check: intRange(90, 2560)},
	{Name: "rds-backup-retention", Types: []string{"aws:rds/instance:Instance"}, Path: "backupRetentionPeriod", Doc: rdsCreate,
		Allowed: "0-35 days", check: intRange(0, 35)},
	{Name: "gcp-key-rotation", Types: []string{"gcp:kms/cryptoKey:CryptoKey"}, Path: "rotationPeriod", Doc: gcpKMSRotation,
		Allowed: "at least one day (86400s)", check: minSeconds(86400)},
	{Name: "postgresql-backup-retention", Types: []string{"azure-native:dbforpostgresql:Server"}, Path: "backup.backupRetentionDays", Doc: azurePGBackup,
		Allowed: "7-35 days", check: intRange(7, 35)},
}
