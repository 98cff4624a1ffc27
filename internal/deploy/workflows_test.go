package deploy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/wedsync/wedsync-infra/components/ciaccess"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/project"
)

const repoRoot = "../.."

// workflows parses every workflow in .github/workflows.
func workflows(t *testing.T) map[string]*actionlint.Workflow {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot, ".github", "workflows", "*.yml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	out := map[string]*actionlint.Workflow{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		w, errs := actionlint.Parse(data)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", path, errs)
		}
		out[filepath.Base(path)] = w
	}
	return out
}

func TestWorkflowsPassActionlint(t *testing.T) {
	var out bytes.Buffer
	opts := &actionlint.LinterOptions{Oneline: true}
	// shellcheck checks the run: scripts where it is installed.
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	l, err := actionlint.NewLinter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintRepository(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Errorf("actionlint found %d problems:\n%s", len(errs), out.String())
	}
}

// runs is the text of a job's run: steps, one per step ("" for uses:).
func runs(j *actionlint.Job) []string {
	out := make([]string, len(j.Steps))
	for i, s := range j.Steps {
		if r, ok := s.Exec.(*actionlint.ExecRun); ok && r.Run != nil {
			out[i] = r.Run.Value
		}
	}
	return out
}

func uses(s *actionlint.Step) string {
	if a, ok := s.Exec.(*actionlint.ExecAction); ok && a.Uses != nil {
		return a.Uses.Value
	}
	return ""
}

var upCommand = regexp.MustCompile(`wedsync-infra (up|promote) `)

// deployJobs are the jobs that change a stack or a release.
func deployJobs(t *testing.T) map[string]*actionlint.Job {
	t.Helper()
	out := map[string]*actionlint.Job{}
	for file, w := range workflows(t) {
		for id, j := range w.Jobs {
			for _, r := range runs(j) {
				if upCommand.MatchString(r) {
					out[file+":"+id] = j
					break
				}
			}
		}
	}
	if len(out) < 3 {
		t.Fatalf("found %d deploy jobs, want dev, staging and prod ones", len(out))
	}
	return out
}

func TestEveryDeployJobChecksTheFreezeFirst(t *testing.T) {
	for name, j := range deployJobs(t) {
		t.Run(name, func(t *testing.T) {
			freeze := -1
			for i, s := range j.Steps {
				r := runs(j)[i]
				if strings.Contains(r, "wedsync-infra freeze check") {
					if freeze < 0 {
						freeze = i
					}
					continue
				}
				changes := upCommand.MatchString(r) || strings.Contains(uses(s), "cloud-login")
				if changes && freeze < 0 {
					t.Errorf("step %d (%s) runs before any freeze check", i, s.Name.Value)
				}
			}
			if freeze < 0 {
				t.Error("no freeze check")
			}
		})
	}
}

// stackConfigCI is a stack's wedsync:ci as the program reads it, defaulted.
func stackConfigCI(t *testing.T, p *project.Project, stack string) (ciaccess.Settings, core.Environment) {
	t.Helper()
	sc, err := environments.StackConfig(context.Background(), p, stack)
	if err != nil {
		t.Fatal(err)
	}
	env := core.Environment(sc.Values[environments.EnvironmentKey])
	raw, ok := sc.Values["wedsync:ci"]
	if !ok {
		t.Fatalf("stack %s is deployed by CI but has no wedsync:ci", stack)
	}
	var s ciaccess.Settings
	problems := &core.Problems{}
	core.DecodeObject(problems, "wedsync:ci", raw, &s)
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	s.ApplyDefaults(env)
	return s, env
}

// jobStacks are the stacks a deploy job deploys: its matrix's stack values,
// else its STACK variable.
func jobStacks(j *actionlint.Job) []string {
	var out []string
	if j.Strategy != nil && j.Strategy.Matrix != nil {
		if row, ok := j.Strategy.Matrix.Rows["stack"]; ok {
			for _, v := range row.Values {
				if s, ok := v.(*actionlint.RawYAMLString); ok {
					out = append(out, s.Value)
				}
			}
		}
	}
	if j.Env != nil {
		if v, ok := j.Env.Vars["stack"]; ok && !v.Value.ContainsExpression() {
			out = append(out, v.Value.Value)
		}
	}
	return out
}

// The subject GitHub puts in a job's OIDC token is what the stack's deploy
// identity trusts: prod jobs run in the prod environment, dev's on main.
func TestDeployJobsSignInAsTheSubjectTheirStackTrusts(t *testing.T) {
	p, err := project.Load(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	triggers := map[string][]string{}
	for file, w := range workflows(t) {
		for _, e := range w.On {
			name := e.EventName()
			if we, ok := e.(*actionlint.WebhookEvent); ok && we.Branches != nil {
				for _, b := range we.Branches.Values {
					name += ":" + b.Value
				}
			}
			triggers[file] = append(triggers[file], name)
		}
	}
	deployed := map[string]bool{}
	for name, j := range deployJobs(t) {
		file, _, _ := strings.Cut(name, ":")
		for _, stack := range jobStacks(j) {
			deployed[stack] = true
			s, env := stackConfigCI(t, p, stack)
			var subject string
			if j.Environment != nil {
				subject = "repo:" + s.Repository + ":environment:" + j.Environment.Name.Value
			} else {
				if strings.Join(triggers[file], " ") != "push:main" {
					t.Errorf("%s deploys %s outside an environment on %v: its token's subject is not only main's", name, stack, triggers[file])
				}
				subject = "repo:" + s.Repository + ":ref:refs/heads/main"
			}
			if want := s.DeploySubject(); subject != want {
				t.Errorf("%s deploys %s as %q, but its deploy identity trusts %q", name, stack, subject, want)
			}
			if env == core.Prod && (j.Environment == nil || j.Environment.Name.Value != "prod") {
				t.Errorf("%s deploys prod stack %s outside the GitHub environment prod", name, stack)
			}
		}
	}
	var got []string
	for s := range deployed {
		got = append(got, s)
	}
	sort.Strings(got)
	if want := []string{"dev", "prod", "prod-azure", "prod-gcp", "staging"}; !slices.Equal(got, want) {
		t.Errorf("CI deploys %v, want %v", got, want)
	}
}

func TestProdWorkflowRunsOnlyInTheProdEnvironmentByHand(t *testing.T) {
	w := workflows(t)["promote-prod.yml"]
	if w == nil {
		t.Fatal("no promote-prod.yml")
	}
	for _, e := range w.On {
		if e.EventName() != "workflow_dispatch" {
			t.Errorf("prod is promoted on %s; only by hand (workflow_dispatch)", e.EventName())
		}
	}
	for id, j := range w.Jobs {
		if j.Environment == nil || j.Environment.Name.Value != "prod" {
			t.Errorf("job %s does not run in the GitHub environment prod (its approvals)", id)
		}
	}
	if s := workflows(t)["promote-staging.yml"]; s == nil || len(s.On) != 1 || s.On[0].EventName() != "workflow_dispatch" {
		t.Error("staging is not promoted by hand only")
	}
}

func hasIDToken(p *actionlint.Permissions) bool {
	if p == nil {
		return false
	}
	if p.All != nil && p.All.Value == "write-all" {
		return true
	}
	s, ok := p.Scopes["id-token"]
	return ok && s.Value != nil && s.Value.Value == "write"
}

// signInAction says whether a step's action exchanges the job's OIDC token
// for cloud credentials: the repository's own sign-in actions, or the
// clouds' official ones used directly (the offsite SAS rotation).
func signInAction(action string) bool {
	for _, a := range []string{"cloud-login", "drill-login", "google-github-actions/auth", "aws-actions/configure-aws-credentials", "azure/login"} {
		if strings.Contains(action, a) {
			return true
		}
	}
	return false
}

func TestJobsThatSignInAskForAnOIDCToken(t *testing.T) {
	for file, w := range workflows(t) {
		for id, j := range w.Jobs {
			signsIn := false
			for _, s := range j.Steps {
				signsIn = signsIn || signInAction(uses(s))
			}
			if signsIn && !hasIDToken(j.Permissions) && !hasIDToken(w.Permissions) {
				t.Errorf("%s job %s signs in to a cloud without permissions: id-token: write", file, id)
			}
			if !signsIn && hasIDToken(j.Permissions) {
				t.Errorf("%s job %s asks for an OIDC token it does not use", file, id)
			}
		}
	}
}

// secretRef matches a secrets context reference: secrets.NAME or
// secrets['NAME'].
var secretRef = regexp.MustCompile(`secrets(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([^'"]+)['"]\])`)

// storedCredential names what a stored cloud credential looks like in a
// workflow or action.
var storedCredential = regexp.MustCompile(`(?i)AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key|credentials_json|GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS_JSON|ARM_CLIENT_SECRET|AZURE_CREDENTIALS|client-secret|\bcreds:`)

func TestNoStoredCloudCredentials(t *testing.T) {
	// The state's passphrase is not a cloud credential, nor is the paging
	// webhook the drift workflow calls; nothing else is a secret.
	allowed := map[string]bool{"PULUMI_CONFIG_PASSPHRASE": true, "GITHUB_TOKEN": true, "DRIFT_PAGE_WEBHOOK": true}
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", ".github/actions/*/action.yml"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range secretRef.FindAllStringSubmatch(string(data), -1) {
			if name := m[1] + m[2]; !allowed[name] {
				t.Errorf("%s reads the secret %s: CI reaches clouds through OIDC, never stored keys", f, name)
			}
		}
		if m := storedCredential.FindString(string(data)); m != "" {
			t.Errorf("%s holds a stored cloud credential: %s", f, m)
		}
	}
}

func TestToolsAreBuiltAsTheMakefileBuildsThem(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github", "actions", "tools", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go-version-file: go.mod", "make pulumi", "go build -o .bin/" + AnalyzerBinary + " ./policies"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the tools action does not %q", want)
		}
	}
	for _, w := range workflows(t) {
		for _, j := range w.Jobs {
			for _, s := range j.Steps {
				if u := uses(s); strings.HasPrefix(u, "pulumi/") {
					t.Errorf("%s installs Pulumi from its download site; the runner reaches only the Go module proxy", u)
				}
			}
		}
	}
}

// A dry run of the prod promotion is a rehearsal: its freeze check shows
// the freeze (exit 3) and lets the promote --dry-run report it; a real
// promotion stops there.
func TestProdPromotionDryRunGoesOnThroughTheFreeze(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\necho \"$@\" >> \"$CALLS\"\nexit \"$FAKE_EXIT\"\n"
	if err := os.WriteFile(filepath.Join(bin, "wedsync-infra"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	j := workflows(t)["promote-prod.yml"].Jobs["promote"]
	script := ""
	for i, s := range j.Steps {
		if s.Name != nil && s.Name.Value == "Freeze check" {
			script = runs(j)[i]
		}
	}
	if script == "" {
		t.Fatal("the promote job has no Freeze check step")
	}
	for _, tc := range []struct {
		dryRun, exit string
		want         int
	}{{"true", "3", 0}, {"false", "3", 3}, {"true", "2", 2}, {"false", "0", 0}} {
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "DRY_RUN="+tc.dryRun, "FAKE_EXIT="+tc.exit, "CALLS="+filepath.Join(bin, "calls"))
		err := cmd.Run()
		got := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			got = exit.ExitCode()
		}
		if got != tc.want {
			t.Errorf("DRY_RUN=%s, freeze check exit %s: step exit %d, want %d", tc.dryRun, tc.exit, got, tc.want)
		}
	}
}

// The README's CI section has a row for every workflow: an operator reads
// there when each runs and what it needs.
func TestTheREADMEListsEveryWorkflow(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range workflows(t) {
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("README's CI table has no row for %s", name)
		}
	}
}
