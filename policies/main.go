// Command policies is WedSync's Pulumi policy pack, served with policyx:
//
//	pulumi preview --policy-pack policies [--policy-pack-config policy-config.json]
//
// The rules live in package rules (policies/rules), which the offline plan
// and `wedsync-infra policy check` run too; this file only adapts them to
// the analyzer protocol. See policies/README.md for the rules, their
// enforcement levels and the configuration.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/wedsync/wedsync-infra/policies/rules"
)

func main() {
	if err := policyx.Main(newPack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// newPack builds the pack for the stack the engine configures (policyx calls
// it from ConfigureStack, with the stack's name and config in ctx).
func newPack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	values := map[string]string{}
	for _, k := range rules.StackKeys {
		if v, ok := ctx.GetConfig(k); ok {
			values[k] = v
		}
	}
	// The same decoder, defaults and validation as the program's (a stack
	// without wedsync:environment is refused, never guessed from its name).
	s, err := rules.LoadStackSettings(values)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", ctx.Stack(), err)
	}
	return Pack(s.PackConfig(), string(s.Environment), time.Now)
}
