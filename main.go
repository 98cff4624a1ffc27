// Command wedsync is the Pulumi program of the wedsync project; `pulumi up`
// runs it. Everything it does is in package stacks; its config is read by
// the one validator every command uses (internal/stackconfig).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/stacks"
)

func main() { pulumi.Run(stacks.ProgramLoadedBy(stackconfig.Loader)) }
