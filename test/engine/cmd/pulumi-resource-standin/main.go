// Command pulumi-resource-standin is a TEST STAND-IN for the Pulumi
// providers aws, gcp and azure-native (package standin): built once and
// installed under the name of the provider it plays (pulumi-resource-aws,
// pulumi-resource-gcp, pulumi-resource-azure-native), it lets the real
// Pulumi engine deploy this repository's stacks with no cloud. It is not a
// provider and never talks to a cloud.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/wedsync/wedsync-infra/test/engine/standin"
)

func main() {
	pkg, err := standin.PackageOfBinary(os.Args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	err = provider.Main(pkg.Name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return standin.New(pkg, os.Getenv(standin.CloudEnv)), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
