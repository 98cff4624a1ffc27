package rules

import (
	"slices"
	"strings"
	"testing"
)

// Every rule names the benchmark controls it implements and the GDPR
// article it serves, each id is one the catalogue (Prowler's compliance
// files, the Security Hub pages) or the Regulation has, and each control
// judges some of the rule's own types on the control's cloud.
func TestEveryRuleNamesItsControls(t *testing.T) {
	for _, p := range Policies() {
		t.Run(p.Name, func(t *testing.T) {
			controls := p.Controls()
			if !slices.ContainsFunc(controls, func(c Control) bool { return c.Framework == GDPR }) {
				t.Errorf("names no GDPR article")
			}
			for _, c := range controls {
				if !strings.Contains(p.FullDescription(), c.Key()) {
					t.Errorf("the pack's description does not name %s", c.Key())
				}
				if _, ok := lookupControl(c.Framework, c.ID); !ok || c.Title == "" {
					t.Errorf("%s is in no catalogue", c.Key())
				}
				types := p.ControlTypes(c)
				if len(types) == 0 {
					t.Errorf("%s judges none of the rule's types (%v)", c.Key(), p.Types())
				}
				for _, ty := range types {
					if !slices.Contains(p.Types(), ty) || !strings.HasPrefix(ty, c.Framework.Cloud()) {
						t.Errorf("%s names type %s, which the rule does not judge on %q", c.Key(), ty, c.Framework.Cloud())
					}
				}
			}
		})
	}
	if _, ok := lookupControl(CISAWS, "3.9.9"); ok {
		t.Fatal("an id the benchmark lacks was found")
	}
}

// The table of planned types to Prowler resource types names only types
// that some catalogued control judges (a typo would hide controls).
func TestProwlerTypesAreCatalogued(t *testing.T) {
	known := map[string]bool{}
	for _, b := range slices.Concat(prowlerCatalogue, docControls) {
		for _, pt := range b.ProwlerTypes {
			known[pt] = true
		}
	}
	for ty, pts := range prowlerTypes {
		if CanonicalType(ty) != ty {
			t.Errorf("%s is not canonical", ty)
		}
		for _, pt := range pts {
			if !known[pt] {
				t.Errorf("%s maps to %s, which no catalogued control's check judges", ty, pt)
			}
		}
	}
}

func TestControlOrder(t *testing.T) {
	ids := []string{"3.10", "EC2.19", "3.9", "EC2.2", "2.3.1", "Art. 32(1)(b)", "Art. 5(1)(f)"}
	slices.SortFunc(ids, func(a, b string) int {
		if controlLess(a, b) {
			return -1
		}
		return 1
	})
	want := []string{"2.3.1", "3.9", "3.10", "Art. 5(1)(f)", "Art. 32(1)(b)", "EC2.2", "EC2.19"}
	if !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
}
