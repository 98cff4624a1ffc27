package testkit

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// Registrations runs program under the offline plan's mocks as stack env
// and returns every resource registration as the engine would receive it,
// with what the plan document does not record: aliases, import ids,
// ignoreChanges. Tests of type tokens and adoption read them.
func Registrations(t testing.TB, env core.Environment, program pulumi.RunFunc) []*pulumirpc.RegisterResourceRequest {
	t.Helper()
	m := &registrar{}
	if err := pulumi.RunErr(program, pulumi.WithMocks("wedsync", string(env), m)); err != nil {
		t.Fatal(err)
	}
	return m.regs
}

// Registered returns the registration of type typ and name, failing the
// test when there is none.
func Registered(t testing.TB, regs []*pulumirpc.RegisterResourceRequest, typ, name string) *pulumirpc.RegisterResourceRequest {
	t.Helper()
	var types []string
	for _, r := range regs {
		if r.GetName() == name {
			if r.GetType() == typ {
				return r
			}
			types = append(types, r.GetType())
		}
	}
	t.Fatalf("no %s named %s registered; that name has types %v", typ, name, types)
	return nil
}

// AliasTypes are the types a registration keeps as aliases.
func AliasTypes(r *pulumirpc.RegisterResourceRequest) []string {
	var out []string
	for _, a := range r.GetAliases() {
		if spec := a.GetSpec(); spec != nil && spec.GetType() != "" {
			out = append(out, spec.GetType())
		}
	}
	return out
}

// registrar answers like the offline plan and records each registration.
type registrar struct {
	mu   sync.Mutex
	regs []*pulumirpc.RegisterResourceRequest
}

func (m *registrar) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.regs = append(m.regs, args.RegisterRPC)
	m.mu.Unlock()
	if !args.Custom {
		return "", resource.PropertyMap{}, nil
	}
	id, state := plan.MockState(args.TypeToken, args.Name, args.Inputs, nil)
	return id, state, nil
}

func (m *registrar) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return plan.MockInvoke(args.Token, args.Args, nil)
}
