// Package layers holds the test that keeps imports pointing down:
//
//	cmd, main -> internal -> stacks -> components -> components/core -> season
//
// with the policy pack (policies/...) depending on nothing above
// components, so `pulumi preview --policy-pack` never builds the program or
// the operator CLI. A package may import its own layer and any below it.
package layers
