// Command wedsync-infra operates WedSync's infrastructure: offline plans of
// any stack without credentials, and the tools around deploys.
package main

import (
	"os"

	"github.com/wedsync/wedsync-infra/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
