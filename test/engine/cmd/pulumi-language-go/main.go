// Command pulumi-language-go is a TEST-ONLY stand-in for Pulumi's Go
// language host (package langhost): on PATH, it lets the real CLI run this
// repository's program with plain `pulumi preview` and `pulumi up`. The
// engine starts it with its own address as the last argument and reads
// the port it serves on from its first line of output.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"github.com/wedsync/wedsync-infra/test/engine/langhost"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-go [flags] ENGINE_ADDRESS (started by the Pulumi engine)")
		os.Exit(1)
	}
	host := &langhost.Host{Engine: os.Args[len(os.Args)-1], Stdout: os.Stdout, Stderr: os.Stderr, Cache: os.Getenv(langhost.CacheEnv)}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, host)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
