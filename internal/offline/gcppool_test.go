package offline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/plan"
)

// The GitHub subjects a stack's GCP workload identity pool admits are
// exactly those of the service accounts it federates: no subject of an
// identity the stack does not make on GCP (prod's seal identity is on AWS,
// where its exports are).
func TestGCPPoolAdmitsOnlyTheSubjectsOfItsAccounts(t *testing.T) {
	seen := 0
	for _, stack := range shippedStacks(t) {
		p := planOf(t, stack).Plan
		if !slices.ContainsFunc(p.Resources, func(r plan.Resource) bool { return r.Name == "ci-gcp-github" }) {
			continue
		}
		seen++
		admitted, federated := poolSubjects(p)
		if d := setDiff(admitted, federated); d != "" {
			t.Errorf("%s: the pool's provider admits other subjects than its accounts':\n%s", stack, d)
		}
	}
	if seen < 3 {
		t.Errorf("only %d stacks have a GCP pool: prod, prod-gcp and prod-azure do", seen)
	}
	// The broken variant: prod's condition admitting the seal subject.
	broken := copyPlan(planOf(t, "prod").Plan)
	r := find(broken, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "ci-gcp-github")
	r.Inputs["attributeCondition"] = strings.TrimSuffix(fmt.Sprint(r.Inputs["attributeCondition"]), ")") + " || assertion.sub == 'repo:wedsync/wedsync-infra:environment:seal')"
	if admitted, federated := poolSubjects(broken); setDiff(admitted, federated) == "" {
		t.Errorf("a condition admitting the seal subject on prod is not seen: %v", admitted)
	}
}

var (
	conditionSubject = regexp.MustCompile(`assertion\.sub == '([^']+)'`)
	memberSubject    = regexp.MustCompile(`/subject/(.+)$`)
)

// poolSubjects are the subjects the pool's provider condition admits and
// those its accounts' impersonation bindings name.
func poolSubjects(p *plan.Plan) (admitted, federated []string) {
	for _, r := range p.Resources {
		switch {
		case r.Type == "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider" && r.Name == "ci-gcp-github":
			for _, m := range conditionSubject.FindAllStringSubmatch(fmt.Sprint(r.Inputs["attributeCondition"]), -1) {
				admitted = append(admitted, m[1])
			}
		case r.Type == "gcp:serviceaccount/iAMMember:IAMMember" && r.Inputs["role"] == "roles/iam.workloadIdentityUser":
			if m := memberSubject.FindStringSubmatch(fmt.Sprint(r.Inputs["member"])); m != nil {
				federated = append(federated, m[1])
			}
		}
	}
	slices.Sort(admitted)
	slices.Sort(federated)
	return slices.Compact(admitted), slices.Compact(federated)
}
