package core

import "strings"

// CredentialOnly begins the description of a GCP service account that no
// resource runs as: it exists to hold a credential another cloud reads
// with (the offsite reader's HMAC key). The CI deploy identity may act as
// the stack's service accounts so that it can attach them to what runs as
// them; acting as such an account would only let CI read what it reads, so
// ciaccess skips accounts described this way.
const CredentialOnly = "credential only (nothing runs as it): "

// IsCredentialOnly says a service account description marks the account
// CredentialOnly.
func IsCredentialOnly(description string) bool { return strings.HasPrefix(description, CredentialOnly) }
