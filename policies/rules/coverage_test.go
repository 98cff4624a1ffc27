package rules

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// levels pins every policy's enforcement level, in prod and elsewhere:
// turning one advisory (or adding a policy without deciding its level)
// fails here, not in a post-mortem.
var levels = map[string]struct{ prod, other Level }{
	PolicyEncryptionCMK:      {Mandatory, Mandatory},
	PolicyS3Encryption:       {Mandatory, Mandatory},
	PolicyKeyRotation:        {Mandatory, Mandatory},
	PolicyTLS:                {Mandatory, Mandatory},
	PolicyS3TLSOnly:          {Mandatory, Mandatory},
	PolicyRDSForceSSL:        {Mandatory, Mandatory},
	PolicyExplicitEgress:     {Mandatory, Mandatory},
	PolicyFlowLogs:           {Mandatory, Mandatory},
	PolicyDBLogging:          {Mandatory, Mandatory},
	PolicyCINoData:           {Mandatory, Mandatory},
	PolicyNoPublicData:       {Mandatory, Mandatory},
	PolicyS3PublicAccess:     {Mandatory, Mandatory},
	PolicyInstanceMetadata:   {Mandatory, Advisory},
	PolicyBackupRetention:    {Mandatory, Mandatory},
	PolicyVersioning:         {Mandatory, Mandatory},
	PolicyBackupImmutability: {Mandatory, Mandatory},
	PolicyDeletionProtection: {Mandatory, Mandatory},
	PolicyCrossRegionCopy:    {Mandatory, Mandatory},
	PolicyDataResidency:      {Mandatory, Mandatory},
	PolicySeasonalCapacity:   {Mandatory, Mandatory},
	PolicyFreeze:             {Mandatory, Mandatory},
	PolicyAlarmed:            {Mandatory, Mandatory},
	// Prod-only policies pass other environments' resources; their level
	// there is still the policy's own.
	PolicyDatabaseLockedCopy:  {Mandatory, Mandatory},
	PolicyDatabaseOffsiteCopy: {Mandatory, Mandatory},
	PolicyBackupVaultLock:     {Mandatory, Mandatory},
	PolicyBackupLifetime:      {Mandatory, Mandatory},
	PolicyLBTLS:               {Mandatory, Mandatory},
	PolicyLBHTTPRedirect:      {Mandatory, Mandatory},
	PolicyLBWAF:               {Mandatory, Mandatory},
	PolicyLBAccessLogs:        {Mandatory, Mandatory},
	PolicyLBHealthCheck:       {Mandatory, Mandatory},
	PolicyPublicEntry:         {Mandatory, Mandatory},
	PolicyConfigNoCredentials: {Mandatory, Mandatory},
	PolicyErasureLedger:       {Mandatory, Mandatory},
	PolicyBackupAccessRecords: {Mandatory, Mandatory},

	// Advisory until prod-azure carries Storage Transfer's worker ranges.
	PolicyOffsiteSourceFirewall: {Advisory, Advisory},
}

func TestEnforcementLevelsArePinned(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Policies() {
		seen[p.Name] = true
		want, ok := levels[p.Name]
		if !ok {
			t.Errorf("policy %s has no pinned level: add it to the table", p.Name)
			continue
		}
		if got := p.LevelIn("prod"); got != want.prod {
			t.Errorf("policy %s in prod: level %s, want %s", p.Name, got, want.prod)
		}
		for _, env := range []string{"staging", "dev"} {
			if got := p.LevelIn(env); got != want.other {
				t.Errorf("policy %s in %s: level %s, want %s", p.Name, env, got, want.other)
			}
		}
	}
	for name := range levels {
		if !seen[name] {
			t.Errorf("the table pins %s, which is not a policy", name)
		}
	}
	// A finding carries the level of its environment.
	lt := with(awsFixtures(), "web-lt", "metadataOptions.httpTokens", "optional")
	for env, want := range map[string]Level{"prod": Mandatory, "staging": Advisory} {
		for _, f := range check(env, lt, Config{}, wednesday) {
			if f.Policy == PolicyInstanceMetadata && f.Level != want {
				t.Errorf("%s: IMDSv1 allowed is %s, want %s", env, f.Level, want)
			}
		}
	}
}

// The README's policy table says the same levels.
func TestREADMEStatesEveryLevel(t *testing.T) {
	doc, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| ([^|]+) \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = strings.TrimSpace(m[2])
	}
	for name, want := range levels {
		text := string(want.prod)
		if want.prod != want.other {
			text = string(want.prod) + " in prod, " + string(want.other) + " elsewhere"
		}
		if got := documented[name]; got != text {
			t.Errorf("README: %s is %q, want %q", name, got, text)
		}
	}
}

type pair struct{ policy, typ string }

// Every (policy, type) pair the rules declare has a row that breaks it and
// a compliant stack that passes it, so no declared type goes untested.
func TestEveryDeclaredTypeHasAViolatingAndACompliantRow(t *testing.T) {
	violating, compliant := map[pair]bool{}, map[pair]bool{}
	for _, b := range allBreakings() {
		fixtures, on := b.apply()
		urn := on.urn(fixtures)
		for _, f := range check("prod", fixtures, Config{}, wednesday) {
			if f.Policy == b.policy && f.URN == urn {
				violating[pair{b.policy, CanonicalType(on.typ)}] = true
			}
		}
	}
	// The freeze judges the stack resource at an instant, not an input.
	saturday := time.Date(2026, 6, 13, 12, 0, 0, 0, time.UTC)
	for _, f := range check("prod", awsFixtures(), Config{}, saturday) {
		if f.Policy == PolicyFreeze && f.URN == stackURN {
			violating[pair{PolicyFreeze, pulumiStackType}] = true
		}
	}
	// A prod stack without an erasure ledger breaks the rule on the stack.
	for _, f := range check("prod", with(awsFixtures(), "ledger", "", nil), Config{}, wednesday) {
		if f.Policy == PolicyErasureLedger && f.URN == stackURN {
			violating[pair{PolicyErasureLedger, pulumiStackType}] = true
		}
	}
	for _, fixtures := range clouds() {
		flagged := map[pair]bool{}
		for _, f := range check("prod", fixtures, Config{}, wednesday) {
			flagged[pair{f.Policy, f.URN}] = true
		}
		for _, r := range resourcesOf(fixtures) {
			for _, p := range Policies() {
				for _, typ := range p.Types() {
					if typ == CanonicalType(r.Type) && !flagged[pair{p.Name, r.URN}] {
						compliant[pair{p.Name, typ}] = true
					}
				}
			}
		}
	}
	n := 0
	for _, p := range Policies() {
		for _, typ := range p.Types() {
			n++
			if !violating[pair{p.Name, typ}] {
				t.Errorf("%s on %s: no row breaks it", p.Name, typ)
			}
			if !compliant[pair{p.Name, typ}] {
				t.Errorf("%s on %s: no compliant stack has one", p.Name, typ)
			}
		}
	}
	t.Logf("%d (policy, type) pairs", n)
}

// A rule open to the internet is judged by the range it admits, not by
// its end address alone.
func TestAzurePostgresFirewallRules(t *testing.T) {
	for _, c := range []struct {
		name, start, end string
		open             bool
	}{
		{"one_office_address", "203.0.113.10", "203.0.113.10", false},
		{"an_office_range", "203.0.113.0", "203.0.113.255", false},
		{"a_private_network", "10.0.0.0", "10.255.255.255", false},
		{"everything", "0.0.0.0", "255.255.255.255", true},
		{"everything_but_the_last_address", "0.0.0.0", "255.255.255.254", true},
		{"half_the_internet", "128.0.0.0", "255.255.255.255", true},
		{"any_azure_service", "0.0.0.0", "0.0.0.0", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fixtures := with(with(azureFixtures(), "db-office", "startIpAddress", c.start), "db-office", "endIpAddress", c.end)
			got := check("prod", fixtures, Config{}, wednesday)
			if open := len(got) == 1 && got[0].Policy == PolicyNoPublicData; open != c.open || (!c.open && len(got) != 0) {
				t.Errorf("%s-%s: want open=%v, got %+v", c.start, c.end, c.open, got)
			}
		})
	}
}

func TestCanonicalTypeFoldsAzureAPIVersions(t *testing.T) {
	for in, want := range map[string]string{
		"azure-native:dbforpostgresql/v20240801:Server":        azPGServer,
		"azure-native:dbforpostgresql/v20230601preview:Server": azPGServer,
		"azure-native:dbforpostgresql:Server":                  azPGServer,
		"azure-native:storage:StorageAccount":                  azStorageAccount,
		"aws:s3/bucketV2:BucketV2":                             awsS3BucketV2, // the module path is not a version
		"azure-native:dbforpostgresql/notaversion:Server":      "azure-native:dbforpostgresql/notaversion:Server",
	} {
		if got := CanonicalType(in); got != want {
			t.Errorf("CanonicalType(%q) = %q, want %q", in, got, want)
		}
	}
}
