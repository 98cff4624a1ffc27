package testkit

import (
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/plan"
)

// Registration is one resource as the program asks the engine to register
// it, with what the offline plan does not record: its aliases, and what it
// adopts.
type Registration struct {
	Type, Name string
	// AliasTypes are the types of the aliases it was given: a renamed
	// component's earlier tokens (core.Aliased).
	AliasTypes []string
	// ImportID is the id of the existing resource it adopts ("": none).
	ImportID string
	// IgnoreChanges are the inputs the engine leaves as they are.
	IgnoreChanges []string
	// Inputs are its inputs as registered.
	Inputs resource.PropertyMap
}

// Registrations runs program as stack env under mocks that answer like the
// offline plan's, and returns every registration in order. For tests of a
// component's type token and aliases.
func Registrations(t testing.TB, env core.Environment, program pulumi.RunFunc) []Registration {
	t.Helper()
	m := &registrationMocks{providers: map[string]resource.PropertyMap{}}
	if err := pulumi.RunErr(program, pulumi.WithMocks("wedsync", string(env), m)); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.regs
}

// Registered returns the registrations of type typ.
func Registered(regs []Registration, typ string) []Registration {
	var out []Registration
	for _, r := range regs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

type registrationMocks struct {
	mu sync.Mutex
	// providers are explicit providers' inputs by the id the mocks gave
	// them: the plan's mocks derive regions and projects from them.
	providers map[string]resource.PropertyMap
	regs      []Registration
}

func (m *registrationMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	reg := Registration{
		Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs,
		ImportID: args.RegisterRPC.GetImportId(), IgnoreChanges: args.RegisterRPC.GetIgnoreChanges(),
	}
	for _, a := range args.RegisterRPC.GetAliases() {
		if spec := a.GetSpec(); spec != nil {
			reg.AliasTypes = append(reg.AliasTypes, spec.GetType())
		}
	}
	id, state := "", resource.PropertyMap{}
	if args.Custom {
		id, state = plan.MockState(args.TypeToken, args.Name, args.Inputs, m.provider(args.Provider))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.regs = append(m.regs, reg)
	if strings.HasPrefix(args.TypeToken, "pulumi:providers:") {
		m.providers[id] = args.Inputs
	}
	return id, state, nil
}

func (m *registrationMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return plan.MockInvoke(args.Token, args.Args, m.provider(args.Provider))
}

// provider returns the inputs of the provider a reference ("urn::id")
// names, nil for the default provider.
func (m *registrationMocks) provider(ref string) resource.PropertyMap {
	i := strings.LastIndex(ref, "::")
	if i < 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.providers[ref[i+2:]]
}
