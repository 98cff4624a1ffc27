package stackconfig_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
)

// FuzzStackAndEnvironmentFiles mutates one stack file and one environment
// file of the repository at once and loads the stack as every command
// does. It asserts what a user relies on: the loader never panics; every
// refusal names its field (or its file and line); and what it accepts
// plans, so nothing the loader lets through is refused later, half way
// through a plan. Seeds are the shipped files (each stack with the
// environment it imports) and the broken files.
func FuzzStackAndEnvironmentFiles(f *testing.F) {
	p := repo(f)
	stacks, err := p.Stacks()
	if err != nil {
		f.Fatal(err)
	}
	envs, err := environments.StoreOf(p).Names()
	if err != nil {
		f.Fatal(err)
	}
	// which picks the stack (which % stacks) and the environment file
	// (which / stacks % environments).
	pick := func(which uint8) (string, string) {
		n := int(which)
		return stacks[n%len(stacks)], envs[n/len(stacks)%len(envs)]
	}
	seed := func(stack, env string, files map[string]string) {
		which := uint8(slices.Index(stacks, stack) + len(stacks)*slices.Index(envs, env))
		stackFile, envFile := "stacks/Pulumi."+stack+".yaml", "environments/"+env+".yaml"
		read := func(rel string) []byte {
			if text, ok := files[rel]; ok {
				return []byte(text)
			}
			return []byte(shipped(f, rel))
		}
		f.Add(read(stackFile), read(envFile), which)
	}
	for _, stack := range stacks {
		sc, err := p.ReadStack(stack)
		if err != nil {
			f.Fatal(err)
		}
		seed(stack, sc.Environment[0], nil)
	}
	for _, b := range brokenFiles {
		sc, err := p.ReadStack(b.stack)
		if err != nil {
			f.Fatal(err)
		}
		seed(b.stack, sc.Environment[0], map[string]string{b.file: strings.Replace(shipped(f, b.file), b.from, b.to, 1)})
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, stackFile, envFile []byte, which uint8) {
		stack, env := pick(which)
		files := map[string][]byte{"stacks/Pulumi." + stack + ".yaml": stackFile, "environments/" + env + ".yaml": envFile}
		l, err := stackconfig.Load(context.Background(), overlay(t, files), stack)
		if err != nil {
			assertNamesFields(t, err)
			return
		}
		if _, err := offline.PlanConfig(p.Name, stack, l.Merged, now); err != nil {
			t.Fatalf("the loader accepted stack %s, but it does not plan: %v", stack, err)
		}
	})
}
