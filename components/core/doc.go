// Package core is the vocabulary every component shares: environments, clouds,
// sites (a cloud and region with its provider), names, tags, customer-managed key
// references and validation problems.
//
// It lives above the clouds so that naming, tagging and "what prod refuses" are
// written once, not once per cloud. It knows nothing of stacks or stack config.
package core
