// Command wedsync is the Pulumi program of the wedsync project; `pulumi up`
// runs it. It is stacks.Program with the stack's environments (environments/)
// resolved by the program itself, so any state backend works (package
// internal/program).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/internal/program"
)

func main() { pulumi.Run(program.Run) }
