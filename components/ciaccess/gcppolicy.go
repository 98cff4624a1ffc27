package ciaccess

import (
	"fmt"
	"slices"
	"strings"
)

// gcpPermissions are the custom role's permissions for types: the union
// of their rows, sorted.
func gcpPermissions(types []string) []string {
	var out []string
	for _, t := range types {
		out = append(out, gcpTable[t].Permissions...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// gcpNamed are the resource types whose names a condition can test
// (https://cloud.google.com/iam/docs/conditions-resource-attributes), with
// the part of the name that carries the stack's prefix. Buckets, key rings
// and their keys, and Cloud SQL instances are named with it
// (TestPlannedNamesFitTheScopes); other services do not recognise resource
// attributes, or (Secret Manager) the stack's names do not start with the
// prefix.
var gcpNamed = []struct{ resourceType, template string }{
	{"storage.googleapis.com/Bucket", "projects/_/buckets/{name}"},
	{"cloudkms.googleapis.com/KeyRing", "/keyRings/{name}"},
	{"cloudkms.googleapis.com/CryptoKey", "/keyRings/{name}"},
	{"sqladmin.googleapis.com/Instance", "/instances/{name}"},
}

// gcpNameCondition narrows the deploy role to the stack's names where the
// service recognises them: for each named type, either the resource is of
// another type (a project, when a bucket is created) or its name starts
// with prefix. This is the documented form for a role that spans services
// (https://cloud.google.com/iam/docs/conditions-overview#resource_attributes).
func gcpNameCondition(prefix string) string {
	parts := make([]string, len(gcpNamed))
	for i, n := range gcpNamed {
		name := fmt.Sprintf("resource.name.extract(%s)", celString(n.template))
		parts[i] = fmt.Sprintf("(resource.type != %s || %s.startsWith(%s))", celString(n.resourceType), name, celString(prefix))
	}
	return strings.Join(parts, " && ")
}

// gcpRoleID is a custom role id of the stack (letters, digits, _ and .).
func gcpRoleID(name string) string { return strings.ReplaceAll(name, "-", "_") }
