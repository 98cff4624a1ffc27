package offline

import (
	"os"
	"path/filepath"
	"testing"
)

// A plan reads the stack file and each environment it imports exactly once:
// one read, one decode, handed down to the program and the rules.
func TestPlanReadsEachFileOnce(t *testing.T) {
	for _, stack := range []string{"prod", "prod-azure-dr"} {
		t.Run(stack, func(t *testing.T) {
			p := repo(t)
			reads := map[string]int{}
			p.ReadFile = func(path string) ([]byte, error) {
				reads[filepath.Base(path)]++
				return os.ReadFile(path)
			}
			if _, err := Plan(p, stack, wednesday); err != nil {
				t.Fatal(err)
			}
			if reads["Pulumi."+stack+".yaml"] != 1 {
				t.Errorf("the stack file was read %d times, want once", reads["Pulumi."+stack+".yaml"])
			}
			// prod's environment and the base it imports.
			for _, env := range []string{"prod.yaml", "base.yaml"} {
				if reads[env] != 1 {
					t.Errorf("environments/%s was read %d times, want once (reads: %v)", env, reads[env], reads)
				}
			}
		})
	}
}
