package testkit

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Component is a component resource as a program registered it with the
// engine.
type Component struct {
	Type, Name string
	// AliasTypes are the earlier type tokens it was registered to answer
	// to (core.Aliased): what lets a stack deployed under an old token
	// update in place.
	AliasTypes []string
}

// Components runs program (as a stack of env) and returns the component
// resources it registers, with their aliases, which the offline plan does
// not record. Custom resources are mocked with their inputs as their state
// and invokes answer nothing, so only programs whose components register
// on that are fit for it.
func Components(t testing.TB, env string, program pulumi.RunFunc) []Component {
	t.Helper()
	m := &aliasMocks{}
	if err := pulumi.RunErr(program, pulumi.WithMocks("wedsync", env, m)); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.components
}

// aliasMocks records component registrations.
type aliasMocks struct {
	mu         sync.Mutex
	components []Component
}

func (m *aliasMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.Custom {
		return args.Name + "-id", args.Inputs, nil
	}
	c := Component{Type: args.TypeToken, Name: args.Name}
	if rpc := args.RegisterRPC; rpc != nil {
		for _, a := range rpc.GetAliases() {
			if spec := a.GetSpec(); spec != nil && spec.GetType() != "" {
				c.AliasTypes = append(c.AliasTypes, spec.GetType())
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.components = append(m.components, c)
	return "", resource.PropertyMap{}, nil
}

func (m *aliasMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}
