package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

var upStack = regexp.MustCompile(`wedsync-infra up --stack`)

// dbUsersAfterUp checks that a job's every up is followed at once by the
// db-users action, under the same condition: the app's database users are
// made before anything else runs against the deployed stack.
func dbUsersAfterUp(j *actionlint.Job) error {
	r := runs(j)
	for i, s := range j.Steps {
		if !upStack.MatchString(r[i]) {
			continue
		}
		if i+1 >= len(j.Steps) || uses(j.Steps[i+1]) != "./.github/actions/db-users" {
			return fmt.Errorf("step %d (%s) runs up and the next step is not ./.github/actions/db-users", i, r[i])
		}
		if cond(s) != cond(j.Steps[i+1]) {
			return fmt.Errorf("the db-users step runs if %q, its up if %q", cond(j.Steps[i+1]), cond(s))
		}
	}
	return nil
}

func cond(s *actionlint.Step) string {
	if s.If == nil {
		return ""
	}
	return s.If.Value
}

func TestEveryUpIsFollowedByTheDatabaseUsers(t *testing.T) {
	ups := 0
	for file, w := range workflows(t) {
		for id, j := range w.Jobs {
			for _, r := range runs(j) {
				if upStack.MatchString(r) {
					ups++
				}
			}
			if err := dbUsersAfterUp(j); err != nil {
				t.Errorf("%s: %s: %v", file, id, err)
			}
		}
	}
	if ups < 5 {
		t.Errorf("found %d up steps, want dev's, staging's, prod's (promote and apply) and the re-applies", ups)
	}
	action, err := os.ReadFile(filepath.Join(repoRoot, ".github", "actions", "db-users", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(action), `wedsync-infra db users --stack "$STACK"`) {
		t.Error("the db-users action does not run wedsync-infra db users for its stack")
	}
}

// The check catches a job that ups without making the users, or makes
// them under another condition.
func TestTheDatabaseUsersCheckRefusesAJobWithoutThem(t *testing.T) {
	for name, wf := range map[string]string{
		"no_db_users": `
on: push
jobs:
  up:
    runs-on: ubuntu-latest
    steps:
      - run: wedsync-infra up --stack "$STACK"
      - run: echo done
`,
		"another_condition": `
on: push
jobs:
  up:
    runs-on: ubuntu-latest
    steps:
      - if: ${{ !inputs.dry-run }}
        run: wedsync-infra up --stack "$STACK"
      - uses: ./.github/actions/db-users
        with:
          stack: prod
`,
	} {
		t.Run(name, func(t *testing.T) {
			w, errs := actionlint.Parse([]byte(wf))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if err := dbUsersAfterUp(w.Jobs["up"]); err == nil {
				t.Error("passed")
			}
		})
	}
}
