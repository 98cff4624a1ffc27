//go:build tools

// Package pulumi pins the Pulumi CLI (github.com/pulumi/pulumi/pkg/v3
// cmd/pulumi) that the Makefile builds: the machines this project runs on
// reach only the Go module proxy, not Pulumi's download site, and `go
// install` cannot build the CLI (its go.mod has replace directives). The CLI
// lives in a module of its own so its large dependency graph stays out of
// the main module.
package pulumi

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
