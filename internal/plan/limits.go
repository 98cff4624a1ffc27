package plan

import (
	"fmt"
	"strings"

	"github.com/wedsync/wedsync-infra/internal/limits"
)

// CheckLimits runs the clouds' deploy-time limits (internal/limits) over
// every cloud resource, with its explicit provider's inputs (default tags
// and labels count towards the limits).
func (p *Plan) CheckLimits() []limits.Breach {
	providers := map[string]map[string]any{}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			providers[r.URN] = r.Inputs
		}
	}
	var rs []limits.Resource
	for _, r := range p.Resources {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:") {
			rs = append(rs, limits.Resource{URN: r.URN, Type: r.Type, Inputs: r.Inputs, Provider: providers[r.Provider]})
		}
	}
	return limits.CheckAll(rs)
}

func (p *Plan) writeLimits(w *strings.Builder) {
	fmt.Fprintln(w)
	if len(p.Limits) == 0 {
		fmt.Fprintln(w, "Deploy-time limits: none breached")
		return
	}
	fmt.Fprintf(w, "Deploy-time limits: %d breached (the cloud would refuse the deploy)\n", len(p.Limits))
	for _, b := range p.Limits {
		fmt.Fprintf(w, "  %s  %s\n      %s: %s; allowed: %s\n      %s\n", b.Rule, b.URN, b.Property, b.Problem, b.Allowed, b.Doc)
	}
}
