package core

import "strings"

// Environment is a deployment stage. Prod is strict: its protections cannot be
// loosened by configuration.
type Environment string

// The environments a stack can be.
const (
	Dev     Environment = "dev"
	Staging Environment = "staging"
	Prod    Environment = "prod"
)

// Environments lists every environment in promotion order.
var Environments = []Environment{Dev, Staging, Prod}

// Valid reports whether e is one of Environments.
func (e Environment) Valid() bool { return oneOf(e, Environments) }

// IsProd reports whether e holds production data and traffic.
func (e Environment) IsProd() bool { return e == Prod }

// Cloud is a public cloud the platform runs on.
type Cloud string

// The clouds a site can be on.
const (
	AWS   Cloud = "aws"
	GCP   Cloud = "gcp"
	Azure Cloud = "azure"
)

// Clouds lists every supported cloud.
var Clouds = []Cloud{AWS, GCP, Azure}

// Valid reports whether c is one of Clouds.
func (c Cloud) Valid() bool { return oneOf(c, Clouds) }

// Title is the cloud's name as people write it.
func (c Cloud) Title() string {
	switch c {
	case AWS:
		return "AWS"
	case GCP:
		return "GCP"
	case Azure:
		return "Azure"
	}
	return string(c)
}

// Role is what a site is for within one stack.
type Role string

// The roles a site can have.
const (
	// Primary serves traffic and holds the live data.
	Primary Role = "primary"
	// DR holds replicas of the primary's data in a second region, and is where
	// prod is rebuilt after a regional outage.
	DR Role = "dr"
	// Offsite holds a further copy of backups, optionally on another cloud.
	Offsite Role = "offsite"
)

// Join lists values as "a, b or c" for error messages.
func Join[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func oneOf[T comparable](v T, allowed []T) bool {
	for _, a := range allowed {
		if a == v {
			return true
		}
	}
	return false
}
