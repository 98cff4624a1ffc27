package deploy

import (
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// Every pull request's preview job attaches the policy report of each
// affected stack: the text in the job summary, the HTML page and JSON as
// an artifact named by the stack, even when an earlier step failed.
func TestPreviewAttachesThePolicyReport(t *testing.T) {
	w := workflows(t)["preview.yml"]
	if w == nil {
		t.Fatal("no .github/workflows/preview.yml")
	}
	j := w.Jobs["preview"]
	if j == nil || j.Strategy == nil {
		t.Fatal("no preview job over the affected stacks")
	}
	var summary, artifact bool
	for i, s := range j.Steps {
		run := runs(j)[i]
		always := s.If != nil && strings.Contains(s.If.Value, "always()")
		if strings.Contains(run, `wedsync-infra policy report --stack "$STACK"`) && strings.Contains(run, "GITHUB_STEP_SUMMARY") &&
			strings.Contains(run, "--format html > \"policy-report-$STACK.html\"") && always {
			summary = true
		}
		if a, ok := s.Exec.(*actionlint.ExecAction); ok && strings.HasPrefix(uses(s), "actions/upload-artifact@") && always {
			path := a.Inputs["path"]
			artifact = artifact || (path != nil && path.Value != nil && strings.Contains(path.Value.Value, "policy-report-${{ matrix.stack }}.html"))
		}
	}
	if !summary {
		t.Error("no step writes the policy report to the job summary and an HTML file, always")
	}
	if !artifact {
		t.Error("no step uploads the policy report as an artifact, always")
	}
}
