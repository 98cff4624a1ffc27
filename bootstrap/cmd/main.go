// Command bootstrap runs the state-backend program (see package bootstrap).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/bootstrap"
)

func main() { pulumi.Run(bootstrap.Program) }
