package core

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Aliased returns opts with a component's earlier type tokens as aliases,
// so a stack deployed under an old token updates in place: the engine maps
// the old URNs (the component's and, through the parent chain, every
// child's) onto the new ones instead of replacing them.
func Aliased(opts []pulumi.ResourceOption, oldTypes ...string) []pulumi.ResourceOption {
	if len(oldTypes) == 0 {
		return opts
	}
	aliases := make([]pulumi.Alias, 0, len(oldTypes))
	for _, t := range oldTypes {
		aliases = append(aliases, pulumi.Alias{Type: pulumi.String(t)})
	}
	return append(append([]pulumi.ResourceOption{}, opts...), pulumi.Aliases(aliases))
}
