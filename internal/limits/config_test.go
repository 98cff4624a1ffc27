package limits

import (
	"strings"
	"testing"
)

// Every config rule says what is allowed and which page says so; a rule
// on a value that becomes a resource input reuses that input's row.
func TestEveryConfigRuleNamesItsDocument(t *testing.T) {
	for _, r := range ConfigTable {
		if r.Allowed == "" || !strings.HasPrefix(r.Doc, "https://") || r.check == nil {
			t.Errorf("%s (%s): allowed %q, doc %q", r.Name, r.Key, r.Allowed, r.Doc)
		}
		if r.Row != "" && (r.Doc != rowNamed(r.Row).Doc || r.Allowed != rowNamed(r.Row).Allowed) {
			t.Errorf("%s does not take its bound from row %s", r.Name, r.Row)
		}
	}
}

func TestCheckConfig(t *testing.T) {
	local := func(n int) string {
		return `{"receivers":[{"name":"a","email":"` + strings.Repeat("a", n) + `@wedsync.co.uk"}]}`
	}
	for _, tc := range []struct {
		name, cloud string
		values      map[string]string
		want        string // the breached property, "" for none
	}{
		{"plain_values_pass", "aws", map[string]string{"wedsync:owner": "platform", "wedsync:budget": `{"amount":1000}`, "wedsync:alerting": local(64)}, ""},
		{"control_character_anywhere", "gcp", map[string]string{"wedsync:season": `{"extraDates":[{"name":"New\u0000Year"}]}`}, "wedsync:season.extraDates[0].name"},
		{"local_part_over_64_octets", "azure", map[string]string{"wedsync:alerting": local(65)}, "wedsync:alerting.receivers[0].email"},
		{"budget_beyond_exact_cents", "gcp", map[string]string{"wedsync:budget": `{"amount":1000,"peakAmount":1e15}`}, "wedsync:budget.peakAmount"},
		{"aws_tag_key_reserved_prefix", "aws", map[string]string{"wedsync:tags": `{"aws:team":"x"}`}, "wedsync:tags"},
		{"azure_refuses_what_aws_takes", "azure", map[string]string{"wedsync:tags": `{"team/x":"y"}`}, "wedsync:tags"},
		{"aws_takes_it", "aws", map[string]string{"wedsync:tags": `{"team/x":"y"}`}, ""},
		{"cost_centre_tag_value_over_256", "aws", map[string]string{"wedsync:costCentre": strings.Repeat("c", 257)}, "wedsync:costCentre"},
		{"gcp_label_value_would_be_cut", "gcp", map[string]string{"wedsync:tags": `{"team":"` + strings.Repeat("x", 64) + `"}`}, "wedsync:tags"},
		{"gcp_label_key_starting_with_a_digit", "gcp", map[string]string{"wedsync:tags": `{"9team":"x"}`}, "wedsync:tags"},
		{"gcp_owner_would_be_cut", "gcp", map[string]string{"wedsync:owner": strings.Repeat("o", 64)}, "wedsync:owner"},
		{"gcp_folds_the_rest", "gcp", map[string]string{"wedsync:tags": `{"Data-Classification":"Guest PII"}`}, ""},
		{"gcp_project_id_too_short", "gcp", map[string]string{"wedsync:gcpProject": "wed"}, "wedsync:gcpProject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckConfig(tc.cloud, tc.values)
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("breaches %v, want none", got)
			case tc.want != "" && (len(got) != 1 || got[0].Property != tc.want):
				t.Errorf("breaches %v, want one of %s", got, tc.want)
			}
		})
	}
}
