package stackconfig_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
)

// repo is this repository's project.
func repo(t testing.TB) *project.Project {
	t.Helper()
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// overlay is the repository with some files (paths relative to its root)
// replaced, read through Project.ReadFile as every command reads them.
func overlay(t testing.TB, files map[string][]byte) *project.Project {
	t.Helper()
	root := repo(t)
	p := *root
	p.ReadFile = func(path string) ([]byte, error) {
		rel, err := filepath.Rel(root.Dir, path)
		if err == nil {
			if data, ok := files[filepath.ToSlash(rel)]; ok {
				return data, nil
			}
		}
		return os.ReadFile(path)
	}
	return &p
}

func shipped(t testing.TB, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo(t).Dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestEveryShippedStackLoads(t *testing.T) {
	p := repo(t)
	stacks, err := p.Stacks()
	if err != nil || len(stacks) != 8 {
		t.Fatalf("stacks %v, %v: want the 8 shipped stacks", stacks, err)
	}
	for _, stack := range stacks {
		if _, err := stackconfig.Load(context.Background(), p, stack); err != nil {
			t.Errorf("%s: %v", stack, err)
		}
	}
	if problems := stackconfig.Check(context.Background(), p); len(problems) > 0 {
		t.Errorf("env check: %v", problems)
	}
}

// brokenFile is one of the mutations: a shipped file with one
// deliberate mistake, which must be refused naming the field (want).
type brokenFile struct {
	name, file, stack string
	from, to          string
	want              []string
}

var brokenFiles = []brokenFile{
	// Silently ignored before.
	{"values_misspelt", "environments/prod.yaml", "prod", "\nvalues:", "\nvelues:",
		[]string{"environments/prod.yaml:7:1", `"velues"`, `did you mean "values"?`}},
	{"environment_variables_misspelt", "environments/prod.yaml", "prod", "  environmentVariables:", "  enviromentVariables:",
		[]string{"environments/prod.yaml:", "values.enviromentVariables", `did you mean "environmentVariables"?`}},
	{"variable_name_misspelt", "environments/prod.yaml", "prod", "WEDSYNC_ENVIRONMENT: prod", "WEDSYNC_ENVIRONMEMT: prod",
		[]string{"values.environmentVariables.WEDSYNC_ENVIRONMEMT", `did you mean "WEDSYNC_ENVIRONMENT"?`}},
	{"namespace_typo_drops_ci", "stacks/Pulumi.prod-azure.yaml", "prod-azure", "  wedsync:ci:", "  yedsync:ci:",
		[]string{"yedsync:ci", `did you mean "wedsync:ci"?`}},
	{"recovery_key_misspelt", "stacks/Pulumi.prod-gcp-dr.yaml", "prod-gcp-dr", "        dr.data:", "        dr.dta:",
		[]string{"stacks/Pulumi.prod-gcp-dr.yaml:LINE:17: wedsync:recovery.sourceOutputs.keys.dr.dta", `did you mean "dr.data"?`}},
	{"recovery_bucket_misspelt", "stacks/Pulumi.prod-gcp-dr.yaml", "prod-gcp-dr", "        media:", "        medai:",
		[]string{"wedsync:recovery.sourceOutputs.backupBuckets.medai", "known keys: config, db-exports, media"}},
	{"top_level_config_misspelt", "stacks/Pulumi.prod.yaml", "prod", "\nconfig:", "\nconfg:",
		[]string{"stacks/Pulumi.prod.yaml: line 10, column 1", `did you mean "config"?`}},
	{"environment_entry_not_a_name", "stacks/Pulumi.prod.yaml", "prod", "wedsync:environments: [prod]", "wedsync:environments: [42]",
		[]string{"wedsync:environments", "a list of environment names"}},
	// Accepted although wrong.
	{"budget_1e308", "stacks/Pulumi.prod-azure.yaml", "prod-azure", "    amount: 10000", "    amount: 1e308",
		[]string{"wedsync:budget.amount", "rfc8259"}},
	{"dev_imports_staging", "stacks/Pulumi.dev.yaml", "dev", "wedsync:environments: [dev]", "wedsync:environments: [staging]",
		[]string{"stack dev imports environment staging", `wedsync:environment is "dev"`}},
	{"secure_empty", "stacks/Pulumi.dev.yaml", "dev", "  wedsync:ci:", "  wedsync:secretValues:\n    stripe: {secure: \"\"}\n  wedsync:ci:",
		[]string{"config.wedsync:secretValues.stripe.secure", "empty"}},
	{"secure_not_a_string", "stacks/Pulumi.dev.yaml", "dev", "  wedsync:ci:", "  wedsync:secretValues:\n    stripe: {secure: [1, 2]}\n  wedsync:ci:",
		[]string{"config.wedsync:secretValues.stripe.secure", "not ciphertext"}},
	{"secure_with_a_sibling", "stacks/Pulumi.dev.yaml", "dev", "  wedsync:ci:", "  wedsync:secretValues:\n    stripe: {secure: AAAA, plain: x}\n  wedsync:ci:",
		[]string{"config.wedsync:secretValues.stripe", "alone"}},
	{"email_of_10000_characters", "stacks/Pulumi.prod-azure.yaml", "prod-azure", "platform-oncall@wedsync.co.uk", strings.Repeat("a", 10000) + "@wedsync.co.uk",
		[]string{"stacks/Pulumi.prod-azure.yaml:LINE:40: wedsync:alerting.receivers[0].email", "10014 octets", "rfc5321"}},
	{"control_character_in_owner", "environments/base.yaml", "prod", "  owner: platform", "  owner: \"plat\\u0007form\"",
		[]string{"environments/base.yaml:18:20: wedsync:owner", "control character U+0007"}},
	{"non_ascii_gcp_project", "stacks/Pulumi.prod-gcp.yaml", "prod-gcp", "wedsync:gcpProject: wedsync-prod", "wedsync:gcpProject: wédsync-prod",
		[]string{"wedsync:gcpProject", "creating-managing-projects"}},
	{"azure_tag_name_with_a_slash", "environments/prod.yaml", "prod-azure", "      data-classification:", "      data/classification:",
		[]string{"wedsync:tags", "without <>%&\\?/"}},
	{"recovery_region_unknown", "stacks/Pulumi.prod-gcp-dr.yaml", "prod-gcp-dr", "      region: europe-west2", "      region: europe-wst2",
		[]string{"wedsync:recovery.sourceOutputs.region", "not a region of GCP"}},
	// Refused, but pointing elsewhere before.
	{"environment_import_deleted", "stacks/Pulumi.prod.yaml", "prod", "  wedsync:environments: [prod]\n", "",
		[]string{"imports no environment", "add `wedsync:environments: [prod]`", "wedsync:costCentre: required"}},
}

// Each mutation of the issue is refused, by the one loader every command
// uses, naming the field (and the file and line where it is a file's).
func TestBrokenFilesAreRefusedNamingTheField(t *testing.T) {
	for _, tc := range brokenFiles {
		t.Run(tc.name, func(t *testing.T) {
			text := shipped(t, tc.file)
			broken := strings.Replace(text, tc.from, tc.to, 1)
			if broken == text {
				t.Fatalf("%q is not in %s: the mutation breaks nothing", tc.from, tc.file)
			}
			_, err := stackconfig.Load(context.Background(), overlay(t, map[string][]byte{tc.file: []byte(broken)}), tc.stack)
			if err == nil {
				t.Fatal("accepted")
			}
			// LINE is where the mutation is: the file's comments move it.
			line := fmt.Sprint(strings.Count(text[:strings.Index(text, tc.from)], "\n") + 1)
			for _, w := range tc.want {
				if w = strings.Replace(w, "LINE", line, 1); !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			assertNamesFields(t, err)
		})
	}
}

// A refusal names its field: every problem of a config error has a field,
// and every other error a file position or a key.
var located = regexp.MustCompile(`\.yaml(:\d+:\d+|: line \d+, column \d+|: .*\bline \d+\b)|wedsync:[A-Za-z]|stack [a-z0-9_.-]+ imports environment`)

func assertNamesFields(t testing.TB, err error) {
	t.Helper()
	var ce *stackconfig.ConfigError
	if !errors.As(err, &ce) {
		if !located.MatchString(err.Error()) {
			t.Fatalf("refusal names no file position nor key: %v", err)
		}
		return
	}
	for _, e := range core.Flatten(ce.Err) {
		var pr *core.Problem
		switch {
		case errors.As(e, &pr) && strings.TrimSpace(pr.Field) != "":
		case located.MatchString(e.Error()):
		default:
			t.Fatalf("a problem names no field: %q (all: %v)", e, err)
		}
	}
}
