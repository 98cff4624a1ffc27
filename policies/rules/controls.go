package rules

import (
	"sort"
	"strings"
)

// Framework is a benchmark or regulation a rule implements controls of.
type Framework string

// The frameworks the pack names. The CIS versions are those Prowler's
// compliance files carry as 3.0 (catalogue_gen.go); FSBP is AWS Security
// Hub's AWS Foundational Security Best Practices standard.
const (
	CISAWS   Framework = "CIS AWS Foundations 3.0"
	FSBP     Framework = "AWS FSBP"
	CISGCP   Framework = "CIS GCP 3.0"
	CISAzure Framework = "CIS Azure 3.0"
	GDPR     Framework = "GDPR"
)

// Cloud is the type-token prefix of the resources a framework's controls
// judge ("" for GDPR, which judges every cloud).
func (f Framework) Cloud() string {
	switch f {
	case CISAWS, FSBP:
		return "aws:"
	case CISGCP:
		return "gcp:"
	case CISAzure:
		return "azure-native:"
	}
	return ""
}

// Control is one benchmark control or regulation article.
type Control struct {
	Framework Framework
	ID        string
	Title     string
	// Types are the (canonical) types of the rule that implement the
	// control; empty means every type the rule judges on the framework's
	// cloud.
	Types []string
}

// Key is the control's name in reports: "CIS AWS Foundations 3.0 3.7".
func (c Control) Key() string { return string(c.Framework) + " " + c.ID }

// benchmarkControl is one row of the benchmark catalogue: a control and
// the Prowler resource types (check metadata ResourceType) of the checks
// that judge it.
type benchmarkControl struct {
	Framework    Framework
	ID, Title    string
	ProwlerTypes []string
}

// docControls are controls the Security Hub documentation lists that
// Prowler's compliance file does not carry yet.
var docControls = []benchmarkControl{
	// https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html (ELB.17)
	{FSBP, "ELB.17", "Application and Network Load Balancers with listeners should use recommended security policies", []string{"AwsElbv2LoadBalancer"}},
}

// gdprArticles are the articles of Regulation (EU) 2016/679 the rules
// serve, with their headings (https://eur-lex.europa.eu/eli/reg/2016/679/oj;
// Prowler's prowler/compliance/aws/gdpr_aws.json names Art. 25, 30, 32 the
// same way).
var gdprArticles = map[string]string{
	"Art. 5(1)(e)":  "Principles: storage limitation",
	"Art. 5(1)(f)":  "Principles: integrity and confidentiality",
	"Art. 17":       "Right to erasure ('right to be forgotten')",
	"Art. 25":       "Data protection by design and by default",
	"Art. 32(1)(a)": "Security of processing: pseudonymisation and encryption of personal data",
	"Art. 32(1)(b)": "Security of processing: ongoing confidentiality, integrity, availability and resilience of processing systems",
	"Art. 32(1)(c)": "Security of processing: ability to restore availability of and access to personal data in a timely manner",
	"Art. 33":       "Notification of a personal data breach to the supervisory authority",
	"Art. 44":       "Transfers: general principle (no transfer outside the EEA without the Chapter V safeguards)",
}

// lookupControl finds a control's title in the catalogue; ok is false
// when the id is not in it.
func lookupControl(f Framework, id string) (benchmarkControl, bool) {
	if f == GDPR {
		t, ok := gdprArticles[id]
		return benchmarkControl{Framework: f, ID: id, Title: t}, ok
	}
	for _, list := range [][]benchmarkControl{prowlerCatalogue, docControls} {
		for _, c := range list {
			if c.Framework == f && c.ID == id {
				return c, true
			}
		}
	}
	return benchmarkControl{}, false
}

// Controls are the benchmark controls and GDPR articles p implements,
// titled from the catalogue, in framework then id order.
func (p *Policy) Controls() []Control {
	var out []Control
	for _, ref := range ruleControls[p.Name] {
		c := ref
		if b, ok := lookupControl(c.Framework, c.ID); ok {
			c.Title = b.Title
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Framework != out[j].Framework {
			return frameworkRank(out[i].Framework) < frameworkRank(out[j].Framework)
		}
		return controlLess(out[i].ID, out[j].ID)
	})
	return out
}

// Frameworks in the order reports list them.
var Frameworks = []Framework{CISAWS, FSBP, CISGCP, CISAzure, GDPR}

func frameworkRank(f Framework) int {
	for i, g := range Frameworks {
		if g == f {
			return i
		}
	}
	return len(Frameworks)
}

// controlLess orders ids by their numeric parts: 3.9 before 3.10, EC2.2
// before EC2.19.
func controlLess(a, b string) bool {
	pa, pb := splitID(a), splitID(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, okA := atoi(pa[i])
		nb, okB := atoi(pb[i])
		if okA && okB {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func splitID(id string) []string {
	return strings.FieldsFunc(id, func(r rune) bool { return r == '.' || r == '(' || r == ')' || r == ' ' })
}

// atoi parses a run of digits; ok is false for anything else.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// FullDescription is p's description with the controls it implements, as
// the pack shows it in a preview.
func (p *Policy) FullDescription() string {
	var keys []string
	for _, c := range p.Controls() {
		keys = append(keys, c.Key())
	}
	if len(keys) == 0 {
		return p.Description
	}
	return p.Description + " Controls: " + strings.Join(keys, ", ") + "."
}
