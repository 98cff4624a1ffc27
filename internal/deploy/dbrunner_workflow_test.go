package deploy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// runnerFrom is the one runs-on an up job may have: the runner the
// db-runner action read from DB_RUNNERS for its stack, in a job it needs.
var runnerFrom = regexp.MustCompile(`^\$\{\{ fromJSON\(needs\.([a-z0-9_-]+)\.outputs\.runners\)(\.[a-z0-9-]+|\[[a-z.-]+\])+ \}\}$`)

// upRunsOnTheDBRunner checks that a job which runs up (and so db users
// right after it) runs on the runner DB_RUNNERS names for its stack, as
// resolved by a job it needs with the db-runner action: never on a fixed
// or GitHub-hosted label, and never with a fallback.
func upRunsOnTheDBRunner(w *actionlint.Workflow, j *actionlint.Job) error {
	if j.RunsOn == nil || j.RunsOn.LabelsExpr == nil {
		return fmt.Errorf("runs on fixed labels: up's db users step cannot reach a private database from them")
	}
	m := runnerFrom.FindStringSubmatch(j.RunsOn.LabelsExpr.Value)
	if m == nil {
		return fmt.Errorf("runs on %q, want ${{ fromJSON(needs.JOB.outputs.runners)[STACK] }} with no fallback", j.RunsOn.LabelsExpr.Value)
	}
	needed := false
	for _, n := range j.Needs {
		needed = needed || n.Value == m[1]
	}
	from, ok := w.Jobs[m[1]]
	if !needed || !ok {
		return fmt.Errorf("reads the runner from job %s, which it does not need", m[1])
	}
	out, ok := from.Outputs["runners"]
	if !ok {
		return fmt.Errorf("job %s has no runners output", m[1])
	}
	for _, s := range from.Steps {
		a, isAction := s.Exec.(*actionlint.ExecAction)
		if !isAction || uses(s) != "./.github/actions/db-runner" || s.ID == nil {
			continue
		}
		if in := a.Inputs["runners"]; in != nil && in.Value.Value == "${{ vars.DB_RUNNERS }}" &&
			out.Value.Value == "${{ steps."+s.ID.Value+".outputs.runners }}" {
			return nil
		}
	}
	return fmt.Errorf("job %s's runners output is not the db-runner action's reading of vars.DB_RUNNERS", m[1])
}

func TestEveryUpRunsOnItsStacksDatabaseRunner(t *testing.T) {
	ups := 0
	for file, w := range workflows(t) {
		for id, j := range w.Jobs {
			if !slices.ContainsFunc(runs(j), upStack.MatchString) {
				continue
			}
			ups++
			if err := upRunsOnTheDBRunner(w, j); err != nil {
				t.Errorf("%s: %s: %v", file, id, err)
			}
		}
	}
	if ups < 5 {
		t.Errorf("found %d jobs that run up, want dev's, staging's, prod's (promote and apply) and the re-applies'", ups)
	}
}

// The check refuses a hosted runner, a fallback to one, and a runner read
// from anywhere but the db-runner action.
func TestTheDBRunnerCheckRefusesAnUnreachableRunner(t *testing.T) {
	const resolver = `
  runner:
    runs-on: ubuntu-latest
    outputs:
      runners: ${{ steps.r.outputs.runners }}
    steps:
      - id: r
        uses: ./.github/actions/db-runner
        with:
          runners: ${{ vars.DB_RUNNERS }}
          stacks: dev
`
	for name, wf := range map[string]string{
		"hosted":         "on: push\njobs:\n  up:\n    runs-on: ubuntu-latest\n    steps:\n      - run: wedsync-infra up --stack dev\n",
		"fallback":       "on: push\njobs:\n  up:\n    runs-on: ${{ vars.DB_RUNNER || 'ubuntu-latest' }}\n    steps:\n      - run: wedsync-infra up --stack dev\n",
		"not_needed":     "on: push\njobs:" + resolver + "  up:\n    runs-on: ${{ fromJSON(needs.runner.outputs.runners).dev }}\n    steps:\n      - run: wedsync-infra up --stack dev\n",
		"another_source": "on: push\njobs:" + strings.Replace(resolver, "vars.DB_RUNNERS", "vars.ANY", 1) + "  up:\n    needs: runner\n    runs-on: ${{ fromJSON(needs.runner.outputs.runners).dev }}\n    steps:\n      - run: wedsync-infra up --stack dev\n",
	} {
		t.Run(name, func(t *testing.T) {
			w, errs := actionlint.Parse([]byte(wf))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if err := upRunsOnTheDBRunner(w, w.Jobs["up"]); err == nil {
				t.Error("passed")
			}
		})
	}
	ok := "on: push\njobs:" + resolver + "  up:\n    needs: runner\n    runs-on: ${{ fromJSON(needs.runner.outputs.runners).dev }}\n    steps:\n      - run: wedsync-infra up --stack dev\n"
	w, errs := actionlint.Parse([]byte(ok))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := upRunsOnTheDBRunner(w, w.Jobs["up"]); err != nil {
		t.Errorf("the right wiring was refused: %v", err)
	}
}

// dbRunner runs the db-runner action's script as the runner would, and
// returns its exit code, its messages and what it wrote to GITHUB_OUTPUT.
func dbRunner(t *testing.T, runners, stacks string) (int, string, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github", "actions", "db-runner", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct{ Steps []struct{ Run string } }
	}
	if err := yaml.Unmarshal(data, &action); err != nil || len(action.Runs.Steps) != 1 {
		t.Fatalf("the db-runner action: %v", err)
	}
	out := filepath.Join(t.TempDir(), "output")
	cmd := exec.Command("bash", "-c", action.Runs.Steps[0].Run)
	cmd.Env = append(os.Environ(), "RUNNERS="+runners, "STACKS="+stacks, "GITHUB_OUTPUT="+out)
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	code := 0
	if err := cmd.Run(); err != nil {
		code = cmd.ProcessState.ExitCode()
	}
	written, _ := os.ReadFile(out)
	return code, msg.String(), strings.TrimSpace(string(written))
}

// The action fails before anything is deployed, naming what is missing,
// whenever it cannot name a runner in the stack's network; with one for
// every stack it hands them on.
func TestTheDBRunnerActionFailsClearlyWithoutARunner(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq is not installed (GitHub's runners have it)")
	}
	for _, tc := range []struct{ name, runners, stacks, want string }{
		{"unset", "", "dev", "DB_RUNNERS is not set"},
		{"not_an_object", `["wedsync-dev-db"]`, "dev", "not a JSON object"},
		{"no_entry", `{"dev": "wedsync-dev-db"}`, "dev staging", "names no runner for staging"},
		{"hosted", `{"prod": "ubuntu-latest"}`, "prod", "GitHub-hosted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, msg, _ := dbRunner(t, tc.runners, tc.stacks)
			if code == 0 || !strings.Contains(msg, "::error") || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "README") {
				t.Errorf("exit %d: want a failure naming %q and the README:\n%s", code, tc.want, msg)
			}
		})
	}
	code, msg, out := dbRunner(t, `{"dev": "wedsync-dev-db", "prod": "wedsync-prod-db", "staging": "x"}`, "dev prod")
	if code != 0 || out != `runners={"dev":"wedsync-dev-db","prod":"wedsync-prod-db"}` {
		t.Errorf("exit %d, output %q: want the two stacks' runners\n%s", code, out, msg)
	}
	if code, _, out := dbRunner(t, "", " "); code != 0 || out != "runners={}" {
		t.Errorf("no stack due: exit %d, output %q; want nothing asked and no failure", code, out)
	}
}
