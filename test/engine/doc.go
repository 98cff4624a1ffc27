// Package engine runs every shipped stack through the real Pulumi engine,
// offline: the Pulumi CLI (v3.259.0, built by the Makefile) runs
// stacks.Program as an Automation API inline program against a file://
// backend, the policy pack (policies/, as pulumi-analyzer-policy-go on
// PATH), and stand-in providers (package standin) in place of aws, gcp and
// azure-native. Mocks prove what the program asks for; this proves how the
// real engine treats it: URNs, provider references, protect, secrets and
// unknown values during preview.
//
// plain_test.go runs plain `pulumi preview` and `pulumi up` through a test
// Go language host (package langhost), and drift_test.go the drift check.
//
// Run it with `make e2e`; the test itself is e2e_test.go. This package is
// its own Go module so the CLI's and the test's dependencies stay out of
// the main module's graph.
package engine
